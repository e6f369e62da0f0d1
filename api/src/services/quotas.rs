//! Quotas: targets per assignee (a user or a territory), metric and fiscal period,
//! and the figures computed from the data at query time (never stored).

use chrono::Utc;
use entity::{enums::QuotaMetric, quotas, territories, users};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Set,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    find_scoped,
    page::{PageArgs, Paged, fetch_page, key_in},
    unique_violation,
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::{Period, money},
    error::{AppError, AppResult},
    state::AppState,
};

pub use super::quota_figures::{Figures, figures};

/// Whom a quota is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    User(Uuid),
    Territory(Uuid),
}

impl Assignee {
    /// The key the unique index holds: one quota per assignee, metric and period.
    pub fn key(&self) -> String {
        match self {
            Assignee::User(id) => format!("user:{id}"),
            Assignee::Territory(id) => format!("territory:{id}"),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct QuotaFilter {
    pub assignee: Option<Assignee>,
    pub metrics: Vec<QuotaMetric>,
    pub period: Option<Period>,
    /// Quotas of this user's team (the user and everyone reporting to them).
    pub team_of: Option<Uuid>,
    /// Quotas of the territories in this territory's subtree.
    pub territory_subtree: Option<Uuid>,
}

/// A target in storage units: cents for money metrics, a plain count for
/// `QUALIFIED_HANDOFFS`.
pub fn target_units(metric: QuotaMetric, value: Decimal) -> AppResult<i64> {
    if metric == QuotaMetric::QualifiedHandoffs {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(AppError::bad_input("target", "must not be negative"));
        }
        if !value.fract().is_zero() {
            return Err(AppError::bad_input(
                "target",
                "QUALIFIED_HANDOFFS targets are a whole number of handoffs",
            ));
        }
        let n: i64 = value
            .trunc()
            .try_into()
            .map_err(|_| AppError::bad_input("target", "is too large"))?;
        if n > 1_000_000_000 {
            return Err(AppError::bad_input("target", "is too large"));
        }
        Ok(n)
    } else {
        money::to_cents(value, "target")
    }
}

/// A stored value (target or actual) as the API shows it: money as a decimal with
/// cents, counts as whole numbers.
pub fn display_units(metric: QuotaMetric, units: i64) -> Decimal {
    if metric == QuotaMetric::QualifiedHandoffs {
        Decimal::from(units)
    } else {
        money::to_decimal(units)
    }
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &QuotaFilter,
    page: &PageArgs,
) -> AppResult<Paged<quotas::Model>> {
    use quotas::Column as Q;
    policy::require(actor, Action::ReadQuotas)?;
    page.validate()?;
    let mut cond = policy::quota_scope(actor);
    match f.assignee {
        Some(Assignee::User(id)) => cond = cond.add(Q::UserId.eq(id)),
        Some(Assignee::Territory(id)) => cond = cond.add(Q::TerritoryId.eq(id)),
        None => {}
    }
    if !f.metrics.is_empty() {
        cond = cond.add(Q::Metric.is_in(f.metrics.iter().copied()));
    }
    if let Some(p) = f.period {
        cond = cond.add(Q::Period.eq(p.to_string()));
    }
    if let Some(m) = f.team_of {
        cond = cond.add(policy::in_team_of((quotas::Entity, Q::UserId), m));
    }
    if let Some(root) = f.territory_subtree {
        let subtree = policy::subtree_of(root);
        cond = cond.add(Expr::col((quotas::Entity, Q::TerritoryId)).in_subquery(subtree));
    }
    fetch_page(
        db,
        quotas::Entity::find().filter(cond),
        page,
        Q::Period,
        false,
        Q::Id,
    )
    .await
}

/// The quotas of several users the actor may see, for `me.quotas` and `User.quotas`
/// over a whole list: one statement whatever the number of users. `periods` narrows
/// the rows to those periods; `None` reads every period.
pub async fn of_users<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    user_ids: &[Uuid],
    periods: Option<&[Period]>,
) -> AppResult<Vec<quotas::Model>> {
    use sea_orm::QueryOrder;
    policy::require(actor, Action::ReadQuotas)?;
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = quotas::Entity::find()
        .filter(policy::quota_scope(actor))
        .filter(key_in(
            db.get_database_backend(),
            (quotas::Entity, quotas::Column::UserId),
            user_ids,
        ));
    if let Some(periods) = periods {
        q = q.filter(quotas::Column::Period.is_in(periods.iter().map(Period::to_string)));
    }
    Ok(q.order_by_asc(quotas::Column::Period)
        .order_by_asc(quotas::Column::Metric)
        .all(db)
        .await?)
}

pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> AppResult<quotas::Model> {
    policy::require(actor, Action::ReadQuotas)?;
    find_scoped::<quotas::Entity, _>(db, id, policy::quota_scope(actor), false, "Quota").await
}

pub struct SetQuota {
    pub assignee: Assignee,
    pub metric: QuotaMetric,
    pub period: Period,
    pub target: Decimal,
}

/// Checks that the actor may set a quota for `assignee`: their own is `FORBIDDEN`, an
/// assignee they cannot see is `BAD_USER_INPUT` (as if it did not exist), a visible
/// one outside their reach `FORBIDDEN`, a partner user `BAD_USER_INPUT`.
async fn check_assignee<C: ConnectionTrait>(db: &C, actor: &Actor, a: Assignee) -> AppResult<()> {
    match a {
        Assignee::User(id) => {
            policy::require_not_own_quota(actor, Some(id))?;
            let user = users::Entity::find_by_id(id)
                .filter(policy::user_scope(actor))
                .one(db)
                .await?
                .ok_or_else(|| AppError::bad_input("userId", "no such user"))?;
            if !policy::is_internal(user.role) {
                return Err(AppError::bad_input(
                    "userId",
                    "partner users have no quotas",
                ));
            }
            let allowed = users::Entity::find_by_id(id)
                .filter(policy::quota_assignee_users(actor))
                .count(db)
                .await?
                > 0;
            if !allowed {
                return Err(AppError::Forbidden(
                    "you may set quotas only for your team".into(),
                ));
            }
        }
        Assignee::Territory(id) => {
            let visible = territories::Entity::find_by_id(id)
                .filter(policy::territory_scope(actor))
                .count(db)
                .await?
                > 0;
            if !visible {
                return Err(AppError::bad_input("territoryId", "no such territory"));
            }
            let allowed = territories::Entity::find_by_id(id)
                .filter(policy::quota_assignee_territories(actor))
                .count(db)
                .await?
                > 0;
            if !allowed {
                return Err(AppError::Forbidden(
                    "only directors set territory quotas".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Creates the quota, or replaces the target of the one with the same assignee,
/// metric and period.
#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn set(state: &AppState, actor: &Actor, i: SetQuota) -> AppResult<quotas::Model> {
    policy::require(actor, Action::SetQuotas)?;
    let target = target_units(i.metric, i.target)?;
    let txn = crate::db::begin_write(&state.db).await?;
    check_assignee(&txn, actor, i.assignee).await?;
    let key = i.assignee.key();
    let period = i.period.to_string();
    let now = Utc::now();
    let existing = quotas::Entity::find()
        .filter(quotas::Column::AssigneeKey.eq(key.clone()))
        .filter(quotas::Column::Metric.eq(i.metric))
        .filter(quotas::Column::Period.eq(period.clone()))
        .one(&txn)
        .await?;
    let (row, before) = match existing {
        Some(q) => {
            let before = Some(q.target_cents);
            let mut am = q.into_active_model();
            am.target_cents = Set(target);
            am.set_by_id = Set(actor.user_id);
            am.updated_at = Set(now);
            (am.update(&txn).await?, before)
        }
        None => {
            let (user_id, territory_id) = match i.assignee {
                Assignee::User(u) => (Some(u), None),
                Assignee::Territory(t) => (None, Some(t)),
            };
            let am = quotas::ActiveModel {
                id: Set(Uuid::new_v4()),
                user_id: Set(user_id),
                territory_id: Set(territory_id),
                assignee_key: Set(key),
                metric: Set(i.metric),
                period: Set(period.clone()),
                target_cents: Set(target),
                set_by_id: Set(actor.user_id),
                created_at: Set(now),
                updated_at: Set(now),
            };
            let row = am.insert(&txn).await.map_err(|e| {
                unique_violation(
                    e,
                    "period",
                    "a quota for this assignee, metric and period was set at the same time; retry",
                )
            })?;
            (row, None)
        }
    };
    let changes = Changes::new()
        .field("assignee", None::<String>, row.assignee_key.clone())
        .field("metric", None::<String>, row.metric.as_str())
        .field("period", None::<String>, row.period.clone())
        .field("target", before, row.target_cents);
    audit::record(
        &txn,
        Some(actor.user_id),
        "setQuota",
        "Quota",
        row.id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Deletes a quota the actor could also set.
#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<quotas::Model> {
    policy::require(actor, Action::SetQuotas)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let q = find_scoped::<quotas::Entity, _>(&txn, id, policy::quota_scope(actor), true, "Quota")
        .await?;
    let assignee = match (q.user_id, q.territory_id) {
        (Some(u), _) => Assignee::User(u),
        (None, Some(t)) => Assignee::Territory(t),
        (None, None) => return Err(AppError::not_found("Quota")),
    };
    check_assignee(&txn, actor, assignee).await?;
    quotas::Entity::delete_by_id(q.id).exec(&txn).await?;
    let changes = Changes::new()
        .field("assignee", q.assignee_key.clone(), None::<String>)
        .field("metric", q.metric.as_str(), None::<String>)
        .field("period", q.period.clone(), None::<String>)
        .field("target", q.target_cents, None::<i64>);
    audit::record(
        &txn,
        Some(actor.user_id),
        "deleteQuota",
        "Quota",
        q.id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(q)
}
