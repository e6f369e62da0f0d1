//! Leads: capture, work, BANT qualification and disqualification.

use chrono::Utc;
use entity::{
    enums::{LeadSource, LeadStatus},
    leads,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    page::{PageArgs, Paged, fetch_page, text_search},
    placement, users,
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action, CreatorSlot},
    },
    domain::{Email, criteria::Facts, pipeline, text, web_domain},
    error::{AppError, AppResult},
    state::AppState,
};

pub(super) const ANSWER_MAX: usize = 2_000;

#[derive(Debug, Default, Clone)]
pub struct LeadFilter {
    pub owner_id: Option<Uuid>,
    pub unowned: bool,
    pub territory_id: Option<Uuid>,
    pub status: Vec<LeadStatus>,
    pub search: Option<String>,
}

/// What to sort leads by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum LeadOrderField {
    /// By creation time.
    #[default]
    CreatedAt,
    /// By company name.
    CompanyName,
    /// By status.
    Status,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &LeadFilter,
    order: (LeadOrderField, bool),
    page: &PageArgs,
) -> AppResult<Paged<leads::Model>> {
    policy::require(actor, Action::ReadLeads)?;
    page.validate()?;
    let mut cond = policy::lead_scope(actor);
    if let Some(o) = filter.owner_id {
        cond = cond.add(leads::Column::OwnerId.eq(o));
    }
    if filter.unowned {
        cond = cond.add(leads::Column::OwnerId.is_null());
    }
    if let Some(t) = filter.territory_id {
        cond = cond.add(
            super::territories::in_subtree(
                db,
                actor,
                t,
                (leads::Entity, leads::Column::TerritoryId),
            )
            .await?,
        );
    }
    if !filter.status.is_empty() {
        cond = cond.add(leads::Column::Status.is_in(filter.status.iter().copied()));
    }
    if let Some(s) = text_search(
        filter.search.as_deref(),
        &[
            (leads::Entity, leads::Column::CompanyName),
            (leads::Entity, leads::Column::ContactName),
        ],
    )? {
        cond = cond.add(s);
    }
    let col = match order.0 {
        LeadOrderField::CreatedAt => leads::Column::CreatedAt,
        LeadOrderField::CompanyName => leads::Column::CompanyName,
        LeadOrderField::Status => leads::Column::Status,
    };
    fetch_page(
        db,
        leads::Entity::find().filter(cond),
        page,
        col,
        order.1,
        leads::Column::Id,
    )
    .await
}

pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> AppResult<leads::Model> {
    policy::require(actor, Action::ReadLeads)?;
    leads::Entity::find_by_id(id)
        .filter(policy::lead_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Lead"))
}

#[derive(Default)]
pub struct LeadInput {
    pub company_name: Option<String>,
    pub domain: Option<Option<String>>,
    pub contact_name: Option<String>,
    pub contact_email: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub industry: Option<Option<String>>,
    pub employee_count: Option<Option<i32>>,
    pub source: Option<LeadSource>,
    pub status: Option<LeadStatus>,
    pub owner_id: Option<Option<Uuid>>,
    pub territory_id: Option<Option<Uuid>>,
}

async fn apply<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    m: &mut leads::ActiveModel,
    i: LeadInput,
) -> AppResult<()> {
    if let Some(v) = &i.company_name {
        m.company_name = Set(text::required(v, "companyName", 200)?);
    }
    if let Some(v) = i.domain {
        m.domain = Set(v.map(|d| web_domain::normalize(&d, "domain")).transpose()?);
    }
    if let Some(v) = &i.contact_name {
        m.contact_name = Set(text::required(v, "contactName", 200)?);
    }
    if let Some(v) = i.contact_email {
        m.contact_email = Set(v
            .map(|e| Email::parse(&e, "contactEmail").map(Email::into_string))
            .transpose()?);
    }
    if let Some(v) = i.country {
        m.country = Set(v.map(|c| web_domain::country(&c, "country")).transpose()?);
    }
    if let Some(v) = i.industry {
        m.industry = Set(v.map(|s| text::required(&s, "industry", 100)).transpose()?);
    }
    if let Some(v) = i.employee_count {
        if v.is_some_and(|n| n < 0) {
            return Err(AppError::bad_input("employeeCount", "must not be negative"));
        }
        m.employee_count = Set(v);
    }
    if let Some(v) = i.source {
        m.source = Set(v);
    }
    if let Some(to) = i.status {
        let from = *m.status.as_ref();
        pipeline::lead_status_move(from, to)?;
        if from == LeadStatus::Disqualified && to != LeadStatus::Disqualified {
            // Reopened: the old reason no longer describes the lead.
            m.disqualify_reason = Set(None);
        }
        m.status = Set(to);
    }
    if let Some(owner) = i.owner_id {
        if let Some(uid) = owner {
            users::assignable(db, actor, uid, "ownerId").await?;
        }
        m.owner_id = Set(owner);
    }
    if let Some(t) = i.territory_id {
        m.territory_id = Set(match t {
            Some(tid) => Some(
                entity::territories::Entity::find_by_id(tid)
                    .filter(policy::territory_scope(actor))
                    .one(db)
                    .await?
                    .ok_or_else(|| AppError::bad_input("territoryId", "no such territory"))?
                    .id,
            ),
            None => None,
        });
    }
    Ok(())
}

fn changes(before: Option<&leads::Model>, after: &leads::Model) -> Changes {
    let s = |u: Option<Uuid>| u.map(|u| u.to_string());
    Changes::new()
        .field(
            "companyName",
            before.map(|b| b.company_name.clone()),
            after.company_name.clone(),
        )
        .field(
            "domain",
            before.and_then(|b| b.domain.clone()),
            after.domain.clone(),
        )
        .field(
            "contactName",
            before.map(|b| b.contact_name.clone()),
            after.contact_name.clone(),
        )
        .field(
            "contactEmail",
            before.and_then(|b| b.contact_email.clone()),
            after.contact_email.clone(),
        )
        .field(
            "country",
            before.and_then(|b| b.country.clone()),
            after.country.clone(),
        )
        .field(
            "industry",
            before.and_then(|b| b.industry.clone()),
            after.industry.clone(),
        )
        .field(
            "employeeCount",
            before.and_then(|b| b.employee_count),
            after.employee_count,
        )
        .field(
            "source",
            before.map(|b| b.source.as_str()),
            after.source.as_str(),
        )
        .field(
            "status",
            before.map(|b| b.status.as_str()),
            after.status.as_str(),
        )
        .field(
            "ownerId",
            before.and_then(|b| s(b.owner_id)),
            s(after.owner_id),
        )
        .field(
            "territoryId",
            before.and_then(|b| s(b.territory_id)),
            s(after.territory_id),
        )
        .field(
            "budget",
            before.and_then(|b| b.budget.clone()),
            after.budget.clone(),
        )
        .field(
            "authority",
            before.and_then(|b| b.authority.clone()),
            after.authority.clone(),
        )
        .field(
            "need",
            before.and_then(|b| b.need.clone()),
            after.need.clone(),
        )
        .field(
            "timeline",
            before.and_then(|b| b.timeline.clone()),
            after.timeline.clone(),
        )
        .field(
            "disqualifyReason",
            before.and_then(|b| b.disqualify_reason.clone()),
            after.disqualify_reason.clone(),
        )
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn create(
    state: &AppState,
    actor: &Actor,
    mut input: LeadInput,
) -> AppResult<leads::Model> {
    policy::require(actor, Action::CreateLead)?;
    text::required(
        input.company_name.as_deref().unwrap_or(""),
        "companyName",
        200,
    )?;
    text::required(
        input.contact_name.as_deref().unwrap_or(""),
        "contactName",
        200,
    )?;
    if input.status.is_some_and(|s| s != LeadStatus::New) {
        return Err(AppError::bad_input("status", "new leads start as NEW"));
    }
    input.status = None;
    if policy::lead_creator_slot(actor) == CreatorSlot::LeadOwner && input.owner_id.is_none() {
        input.owner_id = Some(Some(actor.user_id));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut m = leads::ActiveModel {
        id: Set(id),
        company_name: Set(String::new()),
        domain: Set(None),
        contact_name: Set(String::new()),
        contact_email: Set(None),
        country: Set(None),
        industry: Set(None),
        employee_count: Set(None),
        source: Set(input.source.unwrap_or(LeadSource::Inbound)),
        status: Set(LeadStatus::New),
        owner_id: Set(None),
        territory_id: Set(None),
        budget: Set(None),
        budget_by_id: Set(None),
        budget_at: Set(None),
        authority: Set(None),
        authority_by_id: Set(None),
        authority_at: Set(None),
        need: Set(None),
        need_by_id: Set(None),
        need_at: Set(None),
        timeline: Set(None),
        timeline_by_id: Set(None),
        timeline_at: Set(None),
        disqualify_reason: Set(None),
        account_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let explicit_territory = input.territory_id.is_some();
    apply(&txn, actor, &mut m, input).await?;
    if !explicit_territory {
        let facts = Facts {
            country: m.country.as_ref().as_deref(),
            industry: m.industry.as_ref().as_deref(),
            employees: *m.employee_count.as_ref(),
        };
        m.territory_id = Set(placement::territory_for(&txn, actor, &facts).await?);
    }
    let lead = m.insert(&txn).await?;
    audit::record(
        &txn,
        Some(actor.user_id),
        "createLead",
        "Lead",
        id,
        changes(None, &lead),
    )
    .await?;
    txn.commit().await?;
    Ok(lead)
}

/// Loads a lead for a change: in scope, granted, and not converted.
pub(super) async fn for_change<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    action: Action,
) -> AppResult<leads::Model> {
    policy::require(actor, action)?;
    let lead =
        super::find_scoped::<leads::Entity, _>(db, id, policy::lead_scope(actor), true, "Lead")
            .await?;
    if lead.status == LeadStatus::Converted {
        return Err(AppError::InvalidStateTransition(
            "a converted lead cannot change".into(),
        ));
    }
    Ok(lead)
}

pub(super) async fn save(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    before: leads::Model,
    m: leads::ActiveModel,
    action: &str,
) -> AppResult<leads::Model> {
    let mut m = m;
    m.updated_at = Set(Utc::now());
    let after = m.update(txn).await?;
    audit::record(
        txn,
        Some(actor.user_id),
        action,
        "Lead",
        after.id,
        changes(Some(&before), &after),
    )
    .await?;
    Ok(after)
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, lead = %id))]
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    input: LeadInput,
) -> AppResult<leads::Model> {
    let txn = crate::db::begin_write(&state.db).await?;
    let before = for_change(&txn, actor, id, Action::UpdateLead).await?;
    let mut m: leads::ActiveModel = before.clone().into();
    apply(&txn, actor, &mut m, input).await?;
    let after = save(&txn, actor, before, m, "updateLead").await?;
    txn.commit().await?;
    Ok(after)
}

mod qualification;

pub use qualification::{Qualification, disqualify, qualify};
