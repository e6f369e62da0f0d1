//! Deal registration: partners register deals (placed like a lead, checked for channel
//! conflict, rate-limited per organization); partners, reviewers and directors read them
//! within their scope, with the status computed against the one clock.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    deal_registrations::{self, Column as D},
    enums::{DealRegistrationStatus, Stage},
    opportunities,
};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    deal_checks as checks,
    page::{PageArgs, Paged, fetch_page, text_search},
    placement,
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::{Email, criteria::Facts, deal_registration::status_at, money, text, web_domain},
    error::{AppError, AppResult},
    state::AppState,
};

pub const NOTE_MAX: usize = 2_000;

/// A registration with its status as of the clock.
#[derive(Debug, Clone)]
pub struct Registration {
    pub model: deal_registrations::Model,
    pub status: DealRegistrationStatus,
}

pub struct NewRegistration {
    pub company_name: String,
    pub domain: String,
    pub country: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub contact_name: String,
    pub contact_email: Option<String>,
    pub estimated_amount: Decimal,
    pub expected_close_date: NaiveDate,
    pub notes: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct RegistrationFilter {
    pub statuses: Vec<DealRegistrationStatus>,
    pub search: Option<String>,
    pub partner_id: Option<Uuid>,
}

/// What to sort deal registrations by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum DealRegistrationOrderField {
    /// By submission time.
    #[default]
    SubmittedAt,
    /// By expected close date.
    ExpectedCloseDate,
    /// By estimated amount.
    EstimatedAmount,
    /// By company name.
    CompanyName,
}

/// `opportunity_id IN (won opportunities)`: a won deal never expires.
fn won() -> Condition {
    Condition::all().add(
        Expr::col((deal_registrations::Entity, D::OpportunityId)).in_subquery(
            Query::select()
                .column(opportunities::Column::Id)
                .from(opportunities::Entity)
                .and_where(Expr::col(opportunities::Column::Stage).eq(Stage::ClosedWon))
                .to_owned(),
        ),
    )
}

/// Rows whose status, as of `now`, is `status` — the read-time expiry in SQL.
fn status_is(status: DealRegistrationStatus, now: DateTime<Utc>) -> Condition {
    use DealRegistrationStatus::*;
    let stored = |s| Condition::all().add(D::Status.eq(s));
    match status {
        Submitted | Rejected => stored(status),
        Approved => stored(Approved).add(Condition::any().add(D::ExpiresAt.gt(now)).add(won())),
        Expired => Condition::any()
            .add(stored(Expired))
            .add(stored(Approved).add(D::ExpiresAt.lte(now)).add(won().not())),
    }
}

/// Submitted, or approved and still exclusive: what blocks other registrations.
pub(crate) fn live(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(status_is(DealRegistrationStatus::Submitted, now))
        .add(status_is(DealRegistrationStatus::Approved, now))
}

/// Adds the status of each row as of `now` (one statement for the won ones).
pub(crate) async fn with_status<C: ConnectionTrait>(
    db: &C,
    rows: Vec<deal_registrations::Model>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Registration>> {
    let opp_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.opportunity_id).collect();
    let won: Vec<Uuid> = if opp_ids.is_empty() {
        Vec::new()
    } else {
        opportunities::Entity::find()
            .select_only()
            .column(opportunities::Column::Id)
            .filter(opportunities::Column::Id.is_in(opp_ids))
            .filter(opportunities::Column::Stage.eq(Stage::ClosedWon))
            .into_tuple()
            .all(db)
            .await?
    };
    Ok(rows
        .into_iter()
        .map(|m| {
            let is_won = m.opportunity_id.is_some_and(|o| won.contains(&o));
            let status = status_at(m.status, m.expires_at, is_won, now);
            Registration { model: m, status }
        })
        .collect())
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &RegistrationFilter,
    order: (DealRegistrationOrderField, bool),
    page: &PageArgs,
) -> AppResult<Paged<Registration>> {
    policy::require(actor, Action::ReadDealRegistrations)?;
    page.validate()?;
    let now = state.clock.now();
    let mut cond = policy::deal_registration_scope(actor);
    if !filter.statuses.is_empty() {
        cond = cond.add(
            filter
                .statuses
                .iter()
                .fold(Condition::any(), |c, s| c.add(status_is(*s, now))),
        );
    }
    if let Some(p) = filter.partner_id {
        cond = cond.add(D::PartnerId.eq(p));
    }
    let search = [
        (deal_registrations::Entity, D::CompanyName),
        (deal_registrations::Entity, D::Domain),
    ];
    if let Some(s) = text_search(filter.search.as_deref(), &search)? {
        cond = cond.add(s);
    }
    let col = match order.0 {
        DealRegistrationOrderField::SubmittedAt => D::CreatedAt,
        DealRegistrationOrderField::ExpectedCloseDate => D::ExpectedCloseDate,
        DealRegistrationOrderField::EstimatedAmount => D::EstimatedAmountCents,
        DealRegistrationOrderField::CompanyName => D::CompanyName,
    };
    let paged = fetch_page(
        &state.db,
        deal_registrations::Entity::find().filter(cond),
        page,
        col,
        order.1,
        D::Id,
    )
    .await?;
    Ok(Paged {
        items: with_status(&state.db, paged.items, now).await?,
        cursors: paged.cursors,
        total: paged.total,
        window: paged.window,
        users: paged.users,
    })
}

/// One registration in scope, or `NOT_FOUND` (another organization's id included).
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<Registration> {
    policy::require(actor, Action::ReadDealRegistrations)?;
    let row = deal_registrations::Entity::find_by_id(id)
        .filter(policy::deal_registration_scope(actor))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("DealRegistration"))?;
    let mut rows = with_status(&state.db, vec![row], state.clock.now()).await?;
    rows.pop()
        .ok_or_else(|| AppError::not_found("DealRegistration"))
}

struct Valid {
    company: String,
    domain: String,
    country: Option<String>,
    industry: Option<String>,
    employee_count: Option<i32>,
    contact_name: String,
    contact_email: Option<String>,
    amount_cents: i64,
    notes: Option<String>,
}

fn validate(input: &NewRegistration, today: NaiveDate) -> AppResult<Valid> {
    let amount_cents = money::to_cents(input.estimated_amount, "estimatedAmount")?;
    if amount_cents < 0 {
        return Err(AppError::bad_input(
            "estimatedAmount",
            "must not be negative",
        ));
    }
    if input.expected_close_date < today {
        return Err(AppError::bad_input(
            "expectedCloseDate",
            "must be today or later",
        ));
    }
    if input.employee_count.is_some_and(|n| n < 0) {
        return Err(AppError::bad_input("employeeCount", "must not be negative"));
    }
    Ok(Valid {
        company: text::required(&input.company_name, "companyName", 200)?,
        domain: web_domain::normalize(&input.domain, "domain")?,
        country: input
            .country
            .as_deref()
            .map(|c| web_domain::country(c, "country"))
            .transpose()?,
        industry: input
            .industry
            .as_deref()
            .map(|i| text::required(i, "industry", 100))
            .transpose()?,
        employee_count: input.employee_count,
        contact_name: text::required(&input.contact_name, "contactName", 200)?,
        contact_email: input
            .contact_email
            .as_deref()
            .map(|e| Email::parse(e, "contactEmail").map(Email::into_string))
            .transpose()?,
        amount_cents,
        notes: input
            .notes
            .as_deref()
            .map(|n| text::bounded(n, "notes", NOTE_MAX).map(str::to_string))
            .transpose()?,
    })
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn register(
    state: &AppState,
    actor: &Actor,
    input: NewRegistration,
) -> AppResult<Registration> {
    policy::require(actor, Action::RegisterDeal)?;
    let partner_id = actor.partner_id.ok_or_else(AppError::forbidden)?;
    let now = state.clock.now();
    let v = validate(&input, now.date_naive())?;
    let txn = crate::db::begin_write(&state.db).await?;
    // One submission per organization at a time, so that neither the hourly limit nor
    // the duplicate-domain check can be raced (PostgreSQL row lock; SQLite serializes
    // writers).
    entity::partners::Entity::find_by_id(partner_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(AppError::forbidden)?;
    checks::rate_limit(
        &txn,
        partner_id,
        now,
        state.config.deal_registration.max_per_hour,
    )
    .await?;
    let duplicate = deal_registrations::Entity::find()
        .filter(D::PartnerId.eq(partner_id))
        .filter(D::Domain.eq(v.domain.as_str()))
        .filter(live(now))
        .count(&txn)
        .await?;
    if duplicate > 0 {
        return Err(AppError::bad_input(
            "domain",
            "your organization already has a live registration for this domain",
        ));
    }
    let facts = Facts {
        country: v.country.as_deref(),
        industry: v.industry.as_deref(),
        employees: v.employee_count,
    };
    // A tie between territories would name them; a partner must not learn them, so an
    // ambiguous placement leaves the registration to the directors.
    let territory_id = match placement::territory_for(&txn, actor, &facts).await {
        Ok(t) => t,
        Err(AppError::BadUserInput { .. }) => None,
        Err(e) => return Err(e),
    };
    let conflicts = checks::detect_conflicts(&txn, partner_id, &v.domain, &v.company, now).await?;
    let row = deal_registrations::ActiveModel {
        id: Set(Uuid::new_v4()),
        partner_id: Set(partner_id),
        submitted_by_id: Set(actor.user_id),
        company_name: Set(v.company),
        domain: Set(v.domain),
        contact_name: Set(v.contact_name),
        contact_email: Set(v.contact_email),
        estimated_amount_cents: Set(v.amount_cents),
        expected_close_date: Set(input.expected_close_date),
        status: Set(DealRegistrationStatus::Submitted),
        conflicts: Set(serde_json::to_value(&conflicts).map_err(AppError::internal)?),
        review_note: Set(None),
        reviewed_by_id: Set(None),
        reviewed_at: Set(None),
        // Set for real on approval; until then nothing reads it.
        expires_at: Set(now),
        account_id: Set(None),
        opportunity_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        territory_id: Set(territory_id),
        country: Set(v.country),
        industry: Set(v.industry),
        employee_count: Set(v.employee_count),
        notes: Set(v.notes),
        version: Set(1),
        rejection_reason: Set(None),
    }
    .insert(&txn)
    .await?;
    let changes = Changes::new()
        .field("companyName", None::<String>, row.company_name.clone())
        .field("domain", None::<String>, row.domain.clone())
        .field("status", None::<String>, row.status.as_str())
        .field("conflicts", None::<String>, conflicts.len());
    audit::record(
        &txn,
        Some(actor.user_id),
        "registerDeal",
        "DealRegistration",
        row.id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(Registration {
        model: row,
        status: DealRegistrationStatus::Submitted,
    })
}
