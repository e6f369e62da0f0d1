//! Opportunities: creation on an account, updates under optimistic locking, closing.

use chrono::{NaiveDate, Utc};
use entity::{
    accounts,
    enums::{ForecastCategory, OpportunityType, Stage},
    opportunities,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    page::{PageArgs, Paged, Reads, fetch_page_with, text_search},
    prefetch::JoinUser,
    users,
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::{pipeline, text},
    error::{AppError, AppResult},
    state::AppState,
};

#[derive(Debug, Default, Clone)]
pub struct OpportunityFilter {
    pub owner_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub territory_id: Option<Uuid>,
    pub stages: Vec<Stage>,
    pub types: Vec<OpportunityType>,
    pub close_from: Option<NaiveDate>,
    pub close_to: Option<NaiveDate>,
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
    pub search: Option<String>,
}

/// What to sort opportunities by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum OpportunityOrderField {
    /// By close date.
    #[default]
    CloseDate,
    /// By amount.
    Amount,
    /// By name.
    Name,
    /// By creation time.
    CreatedAt,
    /// By probability.
    Probability,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &OpportunityFilter,
    order: (OpportunityOrderField, bool),
    page: &PageArgs,
) -> AppResult<Paged<opportunities::Model>> {
    use opportunities::Column as O;
    policy::require(actor, Action::ReadOpportunities)?;
    page.validate()?;
    let mut cond = policy::opportunity_scope(actor);
    if let Some(o) = f.owner_id {
        cond = cond.add(O::OwnerId.eq(o));
    }
    if let Some(a) = f.account_id {
        cond = cond.add(O::AccountId.eq(a));
    }
    if let Some(t) = f.territory_id {
        cond = cond.add(
            super::territories::in_subtree(db, actor, t, (opportunities::Entity, O::TerritoryId))
                .await?,
        );
    }
    if !f.stages.is_empty() {
        cond = cond.add(O::Stage.is_in(f.stages.iter().copied()));
    }
    if !f.types.is_empty() {
        cond = cond.add(O::OpportunityType.is_in(f.types.iter().copied()));
    }
    if let Some(d) = f.close_from {
        cond = cond.add(O::CloseDate.gte(d));
    }
    if let Some(d) = f.close_to {
        cond = cond.add(O::CloseDate.lte(d));
    }
    if let Some(a) = f.amount_min {
        cond = cond.add(O::AmountCents.gte(a));
    }
    if let Some(a) = f.amount_max {
        cond = cond.add(O::AmountCents.lte(a));
    }
    if let Some(s) = text_search(f.search.as_deref(), &[(opportunities::Entity, O::Name)])? {
        cond = cond.add(s);
    }
    let col = match order.0 {
        OpportunityOrderField::CloseDate => O::CloseDate,
        OpportunityOrderField::Amount => O::AmountCents,
        OpportunityOrderField::Name => O::Name,
        OpportunityOrderField::CreatedAt => O::CreatedAt,
        OpportunityOrderField::Probability => O::Probability,
    };
    fetch_page_with(
        db,
        opportunities::Entity::find().filter(cond),
        page,
        col,
        order.1,
        O::Id,
        Reads {
            owner: page.owners.then(|| JoinUser {
                fk: O::OwnerId,
                scope: policy::user_scope(actor),
            }),
            decode: Some(<opportunities::Entity as crate::services::narrow::Narrow>::DECODE),
        },
    )
    .await
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> AppResult<opportunities::Model> {
    policy::require(actor, Action::ReadOpportunities)?;
    opportunities::Entity::find_by_id(id)
        .filter(policy::opportunity_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Opportunity"))
}

pub struct NewOpportunity {
    pub account_id: Uuid,
    pub name: String,
    pub opportunity_type: OpportunityType,
    pub stage: Option<Stage>,
    pub amount_cents: i64,
    pub close_date: NaiveDate,
    pub probability: Option<i32>,
    pub forecast_category: Option<ForecastCategory>,
    pub owner_id: Option<Uuid>,
    pub sourced_by_id: Option<Uuid>,
}

pub(super) fn changes(
    before: Option<&opportunities::Model>,
    after: &opportunities::Model,
) -> Changes {
    let s = |u: Option<Uuid>| u.map(|u| u.to_string());
    Changes::new()
        .field("name", before.map(|b| b.name.clone()), after.name.clone())
        .field(
            "accountId",
            before.map(|b| b.account_id.to_string()),
            after.account_id.to_string(),
        )
        .field(
            "ownerId",
            before.map(|b| b.owner_id.to_string()),
            after.owner_id.to_string(),
        )
        .field(
            "territoryId",
            before.and_then(|b| s(b.territory_id)),
            s(after.territory_id),
        )
        .field(
            "type",
            before.map(|b| b.opportunity_type.as_str()),
            after.opportunity_type.as_str(),
        )
        .field(
            "stage",
            before.map(|b| b.stage.as_str()),
            after.stage.as_str(),
        )
        .field(
            "amountCents",
            before.map(|b| b.amount_cents),
            after.amount_cents,
        )
        .field(
            "closeDate",
            before.map(|b| b.close_date.to_string()),
            after.close_date.to_string(),
        )
        .field(
            "probability",
            before.map(|b| b.probability),
            after.probability,
        )
        .field(
            "forecastCategory",
            before.map(|b| b.forecast_category.as_str()),
            after.forecast_category.as_str(),
        )
        .field(
            "sourcedById",
            before.and_then(|b| s(b.sourced_by_id)),
            s(after.sourced_by_id),
        )
        .field(
            "lostReason",
            before.and_then(|b| b.lost_reason.clone()),
            after.lost_reason.clone(),
        )
        .field("version", before.map(|b| b.version), after.version)
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn create(
    state: &AppState,
    actor: &Actor,
    i: NewOpportunity,
) -> AppResult<opportunities::Model> {
    policy::require(actor, Action::CreateOpportunity)?;
    let name = text::required(&i.name, "name", 200)?;
    let stage = i.stage.unwrap_or(Stage::Prospecting);
    if pipeline::is_closed(stage) {
        return Err(AppError::bad_input(
            "stage",
            "create the opportunity open, then close it with closeOpportunity",
        ));
    }
    let (default_p, default_c) = pipeline::stage_defaults(stage);
    let probability = i.probability.unwrap_or(default_p);
    let category = i.forecast_category.unwrap_or(default_c);
    pipeline::check_override(stage, probability, category)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let account = accounts::Entity::find_by_id(i.account_id)
        .filter(policy::account_scope(actor))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::bad_input("accountId", "no such account"))?;
    let owner_id = match i.owner_id {
        Some(o) if o != actor.user_id => {
            policy::require(actor, Action::ReassignOpportunity)?;
            users::assignable(&txn, actor, o, "ownerId").await?.id
        }
        _ => actor.user_id,
    };
    if let Some(sdr) = i.sourced_by_id {
        let ok = entity::users::Entity::find_by_id(sdr)
            .filter(policy::opportunity_source_candidates())
            .filter(policy::user_scope(actor))
            .count(&txn)
            .await?
            > 0;
        if !ok {
            return Err(AppError::bad_input("sourcedById", "must be an SDR"));
        }
    }
    let now = Utc::now();
    let o = opportunities::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name),
        account_id: Set(account.id),
        owner_id: Set(owner_id),
        // Credited territory is fixed now: later realignments do not rewrite history.
        territory_id: Set(account.territory_id),
        opportunity_type: Set(i.opportunity_type),
        stage: Set(stage),
        amount_cents: Set(i.amount_cents),
        close_date: Set(i.close_date),
        probability: Set(probability),
        forecast_category: Set(category),
        sourced_by_id: Set(i.sourced_by_id),
        partner_id: Set(None),
        lead_id: Set(None),
        lost_reason: Set(None),
        version: Set(1),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor.user_id),
        "createOpportunity",
        "Opportunity",
        o.id,
        changes(None, &o),
    )
    .await?;
    txn.commit().await?;
    Ok(o)
}

#[derive(Default)]
pub struct OpportunityChanges {
    pub name: Option<String>,
    pub stage: Option<Stage>,
    pub amount_cents: Option<i64>,
    pub close_date: Option<NaiveDate>,
    pub probability: Option<i32>,
    pub forecast_category: Option<ForecastCategory>,
    pub owner_id: Option<Uuid>,
}

/// Writes `m` only if the row still has `version`; a stale version is `CONFLICT`.
pub(super) async fn save_versioned(
    txn: &sea_orm::DatabaseTransaction,
    before: &opportunities::Model,
    version: i32,
    mut m: opportunities::ActiveModel,
) -> AppResult<opportunities::Model> {
    if before.version != version {
        return Err(AppError::Conflict(format!(
            "the opportunity was changed by someone else (version {} is current, you sent {version}); reload and retry",
            before.version
        )));
    }
    m.version = Set(version + 1);
    m.updated_at = Set(Utc::now());
    // The version condition makes concurrent writers race safely: one wins, one conflicts.
    let res = opportunities::Entity::update_many()
        .set(m)
        .filter(opportunities::Column::Id.eq(before.id))
        .filter(opportunities::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::Conflict(
            "the opportunity was changed by someone else; reload and retry".into(),
        ));
    }
    opportunities::Entity::find_by_id(before.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("updated opportunity vanished"))
}

pub(super) async fn open_for_change<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    action: Action,
) -> AppResult<opportunities::Model> {
    policy::require(actor, action)?;
    let o = super::find_scoped::<opportunities::Entity, _>(
        db,
        id,
        policy::opportunity_scope(actor),
        true,
        "Opportunity",
    )
    .await?;
    if pipeline::is_closed(o.stage) {
        return Err(AppError::InvalidStateTransition(
            "the opportunity is closed; closed opportunities are not reopened by an update".into(),
        ));
    }
    Ok(o)
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, opportunity = %id))]
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    version: i32,
    c: OpportunityChanges,
) -> AppResult<opportunities::Model> {
    let txn = crate::db::begin_write(&state.db).await?;
    let before = open_for_change(&txn, actor, id, Action::UpdateOpportunity).await?;
    let mut m: opportunities::ActiveModel = before.clone().into();
    if let Some(n) = &c.name {
        m.name = Set(text::required(n, "name", 200)?);
    }
    let stage = c.stage.unwrap_or(before.stage);
    if pipeline::is_closed(stage) {
        return Err(AppError::InvalidStateTransition(
            "close an opportunity with closeOpportunity".into(),
        ));
    }
    // A stage change brings its defaults unless the caller overrides them.
    let (dp, dc) = if c.stage.is_some_and(|s| s != before.stage) {
        pipeline::stage_defaults(stage)
    } else {
        (before.probability, before.forecast_category)
    };
    let probability = c.probability.unwrap_or(dp);
    let category = c.forecast_category.unwrap_or(dc);
    pipeline::check_override(stage, probability, category)?;
    m.stage = Set(stage);
    m.probability = Set(probability);
    m.forecast_category = Set(category);
    if let Some(a) = c.amount_cents {
        m.amount_cents = Set(a);
    }
    if let Some(d) = c.close_date {
        m.close_date = Set(d);
    }
    if let Some(o) = c.owner_id.filter(|o| *o != before.owner_id) {
        policy::require(actor, Action::ReassignOpportunity)?;
        m.owner_id = Set(users::assignable(&txn, actor, o, "ownerId").await?.id);
    }
    let after = save_versioned(&txn, &before, version, m).await?;
    audit::record(
        &txn,
        Some(actor.user_id),
        "updateOpportunity",
        "Opportunity",
        id,
        changes(Some(&before), &after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

mod close;

pub use close::{Close, close};
