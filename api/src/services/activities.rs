//! Activities: calls, emails, meetings, demos and notes logged against a lead, an
//! account or an opportunity.

use chrono::{DateTime, Utc};
use entity::{activities, enums::ActivityKind};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    page::{PageArgs, Paged, fetch_page, text_search},
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
};

pub const SUMMARY_MAX: usize = 4_000;

#[derive(Debug, Default, Clone)]
pub struct ActivityFilter {
    pub lead_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub kinds: Vec<ActivityKind>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub search: Option<String>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &ActivityFilter,
    page: &PageArgs,
) -> AppResult<Paged<activities::Model>> {
    use activities::Column as A;
    policy::require(actor, Action::ReadActivities)?;
    page.validate()?;
    let mut cond = policy::activity_scope(actor);
    for (v, col) in [
        (f.lead_id, A::LeadId),
        (f.account_id, A::AccountId),
        (f.opportunity_id, A::OpportunityId),
        (f.actor_id, A::ActorId),
    ] {
        if let Some(v) = v {
            cond = cond.add(col.eq(v));
        }
    }
    if !f.kinds.is_empty() {
        cond = cond.add(A::Kind.is_in(f.kinds.iter().copied()));
    }
    if let Some(d) = f.from {
        cond = cond.add(A::OccurredAt.gte(d));
    }
    if let Some(d) = f.to {
        cond = cond.add(A::OccurredAt.lte(d));
    }
    if let Some(s) = text_search(f.search.as_deref(), &[(activities::Entity, A::Summary)])? {
        cond = cond.add(s);
    }
    fetch_page(
        db,
        activities::Entity::find().filter(cond),
        page,
        A::OccurredAt,
        true,
        A::Id,
    )
    .await
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> AppResult<activities::Model> {
    policy::require(actor, Action::ReadActivities)?;
    activities::Entity::find_by_id(id)
        .filter(policy::activity_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Activity"))
}

pub struct NewActivity {
    pub kind: ActivityKind,
    pub summary: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub lead_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub opportunity_id: Option<Uuid>,
}

/// Logs an activity against exactly one lead, account or opportunity in the actor's scope.
#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn log(state: &AppState, actor: &Actor, i: NewActivity) -> AppResult<activities::Model> {
    policy::require(actor, Action::LogActivity)?;
    let summary = text::required(&i.summary, "summary", SUMMARY_MAX)?;
    let targets = [
        i.lead_id.is_some(),
        i.account_id.is_some(),
        i.opportunity_id.is_some(),
    ];
    if targets.iter().filter(|t| **t).count() != 1 {
        return Err(AppError::bad_input(
            "input",
            "give exactly one of leadId, accountId, opportunityId",
        ));
    }
    let now = Utc::now();
    let occurred_at = i.occurred_at.unwrap_or(now);
    if occurred_at > now + chrono::Duration::days(366) {
        return Err(AppError::bad_input(
            "occurredAt",
            "is more than a year ahead",
        ));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(id) = i.lead_id {
        let ok = entity::leads::Entity::find_by_id(id)
            .filter(policy::lead_scope(actor))
            .count(&txn)
            .await?
            > 0;
        if !ok {
            return Err(AppError::bad_input("leadId", "no such lead"));
        }
    }
    if let Some(id) = i.account_id {
        let ok = entity::accounts::Entity::find_by_id(id)
            .filter(policy::account_scope(actor))
            .count(&txn)
            .await?
            > 0;
        if !ok {
            return Err(AppError::bad_input("accountId", "no such account"));
        }
    }
    if let Some(id) = i.opportunity_id {
        let ok = entity::opportunities::Entity::find_by_id(id)
            .filter(policy::opportunity_scope(actor))
            .count(&txn)
            .await?
            > 0;
        if !ok {
            return Err(AppError::bad_input("opportunityId", "no such opportunity"));
        }
    }
    let a = activities::ActiveModel {
        id: Set(Uuid::new_v4()),
        kind: Set(i.kind),
        actor_id: Set(actor.user_id),
        occurred_at: Set(occurred_at),
        summary: Set(summary),
        lead_id: Set(i.lead_id),
        account_id: Set(i.account_id),
        opportunity_id: Set(i.opportunity_id),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let s = |u: Option<Uuid>| u.map(|u| u.to_string());
    let changes = Changes::new()
        .field("kind", None::<String>, a.kind.as_str())
        .field("summary", None::<String>, a.summary.clone())
        .field("leadId", None::<String>, s(a.lead_id))
        .field("accountId", None::<String>, s(a.account_id))
        .field("opportunityId", None::<String>, s(a.opportunity_id));
    audit::record(
        &txn,
        Some(actor.user_id),
        "logActivity",
        "Activity",
        a.id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}
