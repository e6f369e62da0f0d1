//! The territory report: one row per territory of a subtree (each rolled up over its own
//! subtree) and one per rep, every figure of the product spec §4, in a fixed number of
//! aggregate statements. GraphQL, CSV and the printable page all read [`TerritoryReport`].

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::{enums::QuotaMetric, opportunities, quotas, territories, territory_members, users};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{
    quota_figures::{pacing, ratio},
    report_sql::{self, By, HandoffAgg, OppAgg},
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::{Period, money},
    error::{AppError, AppResult},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Territory,
    Rep,
}

/// The raw figures of one row; the ratios are derived by the methods below.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub kind: RowKind,
    pub id: Uuid,
    pub name: String,
    pub parent_id: Option<Uuid>,
    /// Levels below the report's root (territories only).
    pub depth: Option<i32>,
    /// The `BOOKINGS` quota for the period, in cents.
    pub quota: Option<i64>,
    pub opp: OppAgg,
    pub leads_created: i64,
    pub leads_converted: i64,
    pub handoffs: HandoffAgg,
    /// Pacing, computed against the report's clock.
    pub pacing: Option<f64>,
}

/// Money rounded half away from zero to the cent, always shown with two decimals.
fn cents_half_up(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

fn round2(v: Decimal) -> Option<f64> {
    v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .to_string()
        .parse()
        .ok()
}

impl ReportRow {
    pub fn bookings(&self) -> Decimal {
        money::to_decimal(self.opp.bookings)
    }
    pub fn quota_amount(&self) -> Option<Decimal> {
        self.quota.map(money::to_decimal)
    }
    pub fn attainment(&self) -> Option<f64> {
        ratio(self.opp.bookings, self.quota?)
    }
    pub fn open_pipeline(&self) -> Decimal {
        money::to_decimal(self.opp.open_amount)
    }
    /// Σ amount × probability, rounded once to the cent.
    pub fn weighted_pipeline(&self) -> Decimal {
        cents_half_up(Decimal::new(self.opp.weighted_x100, 4))
    }
    pub fn pipeline_in(&self, category: usize) -> Decimal {
        money::to_decimal(self.opp.by_category.get(category).copied().unwrap_or(0))
    }
    /// Open pipeline ÷ what remains of the quota; null without a quota or once it is met.
    pub fn coverage(&self) -> Option<f64> {
        let remaining = (self.quota? - self.opp.bookings).max(0);
        ratio(self.opp.open_amount, remaining)
    }
    pub fn win_rate(&self) -> Option<f64> {
        ratio(self.opp.won_count, self.opp.won_count + self.opp.lost_count)
    }
    pub fn average_deal_size(&self) -> Option<Decimal> {
        if self.opp.won_count == 0 {
            return None;
        }
        Some(cents_half_up(
            Decimal::new(self.opp.won_amount, 2) / Decimal::from(self.opp.won_count),
        ))
    }
    pub fn average_sales_cycle_days(&self) -> Option<f64> {
        if self.opp.won_count == 0 {
            return None;
        }
        round2(Decimal::from(self.opp.cycle_days) / Decimal::from(self.opp.won_count))
    }
    pub fn conversion_rate(&self) -> Option<f64> {
        ratio(self.leads_converted, self.leads_created)
    }
    pub fn acceptance_rate(&self) -> Option<f64> {
        ratio(self.handoffs.accepted, self.handoffs.decided)
    }
    pub fn median_hours_to_accept(&self) -> Option<f64> {
        round2(Decimal::from_f64_retain(self.handoffs.median_hours?)?)
    }
}

pub struct TerritoryReport {
    pub root_id: Uuid,
    pub root_name: String,
    pub period: Period,
    pub start: NaiveDate,
    pub last_day: NaiveDate,
    /// The day pacing was computed for.
    pub as_of: NaiveDate,
    pub territories: Vec<ReportRow>,
    pub reps: Vec<ReportRow>,
}

/// The subtree root the actor may report on: `NOT_FOUND` when they cannot see it (as
/// for an id that does not exist), `FORBIDDEN` when they see it but are not accountable.
pub async fn report_root<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    root_id: Uuid,
) -> AppResult<territories::Model> {
    policy::require(actor, Action::ReadTerritoryReports)?;
    let root = territories::Entity::find_by_id(root_id)
        .filter(policy::territory_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Territory"))?;
    let accountable = territories::Entity::find_by_id(root_id)
        .filter(policy::report_root_scope(actor))
        .count(db)
        .await?
        > 0;
    if !accountable {
        return Err(AppError::Forbidden(
            "you may run reports only for territories you are accountable for".into(),
        ));
    }
    Ok(root)
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn territory_report<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    root_id: Uuid,
    period: Period,
    fiscal_month: u32,
    today: NaiveDate,
) -> AppResult<TerritoryReport> {
    let root = report_root(db, actor, root_id).await?;
    let path = root.path.clone();
    let (ds, de) = (period.start(fiscal_month), period.end(fiscal_month));
    let (ts, te) = (period.start_at(fiscal_month), period.end_at(fiscal_month));
    let tree = tree_order(
        root_id,
        territories::Entity::find()
            .filter(territories::Column::Path.starts_with(path.as_str()))
            .order_by_asc(territories::Column::Name)
            .all(db)
            .await?,
    );
    let opp_t = report_sql::opportunities(db, By::Territory, &path, ds, de).await?;
    let opp_r = report_sql::opportunities(db, By::Rep, &path, ds, de).await?;
    let lead_t = report_sql::leads(db, By::Territory, &path, ts, te).await?;
    let lead_r = report_sql::leads(db, By::Rep, &path, ts, te).await?;
    let hand_t = report_sql::handoffs(db, By::Territory, &path, ts, te).await?;
    let hand_r = report_sql::handoffs(db, By::Rep, &path, ts, te).await?;
    let quota_rows = period_quotas(db, &path, &period).await?;

    let bookings_quota: HashMap<String, i64> = quota_rows
        .iter()
        .filter(|q| q.metric == QuotaMetric::Bookings)
        .map(|q| (q.assignee_key.clone(), q.target_cents))
        .collect();
    let pace = |bookings: i64, quota: Option<i64>| {
        quota.and_then(|q| pacing(bookings, q, &period, fiscal_month, today))
    };
    let root_depth = root.depth;
    let territories = tree
        .into_iter()
        .map(|t| {
            let k = Some(t.id);
            let opp = opp_t.get(&k).copied().unwrap_or_default();
            let (created, converted) = lead_t.get(&k).copied().unwrap_or_default();
            let quota = bookings_quota.get(&format!("territory:{}", t.id)).copied();
            ReportRow {
                kind: RowKind::Territory,
                id: t.id,
                name: t.name,
                parent_id: if t.id == root_id { None } else { t.parent_id },
                depth: Some(t.depth - root_depth),
                quota,
                pacing: pace(opp.bookings, quota),
                opp,
                leads_created: created,
                leads_converted: converted,
                handoffs: hand_t.get(&k).copied().unwrap_or_default(),
            }
        })
        .collect();

    let mut rep_ids: HashSet<Uuid> = quota_rows.iter().filter_map(|q| q.user_id).collect();
    rep_ids.extend(opp_r.keys().flatten().copied());
    let people = users::Entity::find()
        .filter(users::Column::Id.is_in(rep_ids.iter().copied()))
        .filter(policy::user_scope(actor))
        .all(db)
        .await?;
    let names: HashMap<Uuid, String> = people.into_iter().map(|u| (u.id, u.name)).collect();
    let mut reps: Vec<ReportRow> = rep_ids
        .into_iter()
        .map(|id| {
            let k = Some(id);
            let opp = opp_r.get(&k).copied().unwrap_or_default();
            let (created, converted) = lead_r.get(&k).copied().unwrap_or_default();
            let quota = bookings_quota.get(&format!("user:{id}")).copied();
            ReportRow {
                kind: RowKind::Rep,
                id,
                // A rep the caller can no longer see (deactivated) keeps a row, unnamed.
                name: names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| "Former user".into()),
                parent_id: None,
                depth: None,
                quota,
                pacing: pace(opp.bookings, quota),
                opp,
                leads_created: created,
                leads_converted: converted,
                handoffs: hand_r.get(&k).copied().unwrap_or_default(),
            }
        })
        .collect();
    reps.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(TerritoryReport {
        root_id,
        root_name: root.name,
        period,
        start: ds,
        last_day: period.last_day(fiscal_month),
        as_of: today,
        territories,
        reps,
    })
}

/// The subtree in reading order: each territory followed by its children, by name.
fn tree_order(root_id: Uuid, by_name: Vec<territories::Model>) -> Vec<territories::Model> {
    let mut children: HashMap<Option<Uuid>, Vec<territories::Model>> = HashMap::new();
    let mut root = None;
    for t in by_name {
        if t.id == root_id {
            root = Some(t);
        } else {
            children.entry(t.parent_id).or_default().push(t);
        }
    }
    let mut out = Vec::new();
    // Children lists keep their name order; a stack pops them back in that order.
    let mut stack: Vec<territories::Model> = root.into_iter().collect();
    while let Some(t) = stack.pop() {
        if let Some(mut kids) = children.remove(&Some(t.id)) {
            kids.reverse();
            stack.extend(kids);
        }
        out.push(t);
    }
    out
}

/// The period's quotas of the subtree's territories and of the people who work in it
/// (members or accountable managers of one of its territories, owners of opportunities
/// credited in it): one statement.
async fn period_quotas<C: ConnectionTrait>(
    db: &C,
    path: &str,
    period: &Period,
) -> AppResult<Vec<quotas::Model>> {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let subtree = || {
        Query::select()
            .column(territories::Column::Id)
            .from(territories::Entity)
            .and_where(Expr::col(territories::Column::Path).like(format!("{path}%")))
            .to_owned()
    };
    let managers = Query::select()
        .column(territories::Column::ManagerId)
        .from(territories::Entity)
        .and_where(Expr::col(territories::Column::Path).like(format!("{path}%")))
        .and_where(Expr::col(territories::Column::ManagerId).is_not_null())
        .to_owned();
    let owners = Query::select()
        .column(opportunities::Column::OwnerId)
        .from(opportunities::Entity)
        .and_where(Expr::col(opportunities::Column::TerritoryId).in_subquery(subtree()))
        .to_owned();
    let members = Query::select()
        .column(territory_members::Column::UserId)
        .from(territory_members::Entity)
        .and_where(Expr::col(territory_members::Column::TerritoryId).in_subquery(subtree()))
        .to_owned();
    Ok(quotas::Entity::find()
        .filter(quotas::Column::Period.eq(period.to_string()))
        .filter(
            Condition::any()
                .add(Expr::col(quotas::Column::TerritoryId).in_subquery(subtree()))
                .add(Expr::col(quotas::Column::UserId).in_subquery(managers))
                .add(Expr::col(quotas::Column::UserId).in_subquery(members))
                .add(Expr::col(quotas::Column::UserId).in_subquery(owners)),
        )
        .all(db)
        .await?)
}
