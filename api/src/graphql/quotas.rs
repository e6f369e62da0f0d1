//! Quotas: targets per user or territory, metric and fiscal period, with the figures
//! computed from the data when the query selects them. Internal users only.

use std::sync::Arc;

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use entity::{enums::QuotaMetric, quotas};
use rust_decimal::Decimal;

use super::{
    connection::{Conn, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    loaders::load,
    territories::Territory,
    users::User,
};
use crate::{
    domain::{GlobalId, Period},
    error::AppError,
    services::{
        quota_figures::{Figures, figures, pacing, ratio},
        quotas::{self as svc, Assignee, QuotaFilter, SetQuota, display_units},
    },
    state::AppState,
};

/// A target for one user or territory, one metric and one fiscal period. Actual,
/// attainment and pacing are computed from the data when asked for, never stored.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Quota {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// What is counted: money metrics in the reporting currency, `QUALIFIED_HANDOFFS` a count.
    pub metric: QuotaMetric,
    /// The fiscal period, e.g. `FY2026` or `FY2026-Q3`.
    pub period: String,
    /// When the target was last set (ISO 8601, UTC).
    pub updated_at: super::scalars::DateTime,
    #[graphql(skip)]
    pub model: quotas::Model,
    #[graphql(skip)]
    pub figures: Arc<Figures>,
    #[graphql(skip)]
    pub fiscal_month: u32,
    #[graphql(skip)]
    pub today: chrono::NaiveDate,
}

/// A parent's target against the sum of its children's targets (child territories, or
/// a manager's direct reports) for the same metric and period.
#[derive(SimpleObject)]
pub struct QuotaReconciliation {
    /// The sum of the children's targets.
    pub children_target: Decimal,
    /// How many child quotas there are.
    pub child_count: i64,
    /// Children's targets ÷ this target (above 1: over-assigned); null when the target is 0.
    pub ratio: Option<f64>,
    /// Children's targets minus this target.
    pub difference: Decimal,
}

#[ComplexObject]
impl Quota {
    /// The target: money with cents, or a whole number of handoffs.
    async fn target(&self) -> Decimal {
        display_units(self.model.metric, self.model.target_cents)
    }

    /// The user the quota is for (null for a territory quota).
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(&loaders(ctx)?.users, self.model.user_id, User::from).await
    }

    /// The territory the quota is for (null for a user quota).
    async fn territory(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Territory>> {
        load(
            &loaders(ctx)?.territories,
            self.model.territory_id,
            Territory::from,
        )
        .await
    }

    /// What the data counts for the metric in the period: a territory over its whole
    /// subtree (by each opportunity's credited territory), a user over their team.
    async fn actual(&self) -> Option<Decimal> {
        self.actual_units()
            .map(|a| display_units(self.model.metric, a))
    }

    /// Actual ÷ target as a fraction (0.25 is 25 %); null when the target is 0.
    async fn attainment(&self) -> Option<f64> {
        ratio(self.actual_units()?, self.model.target_cents)
    }

    /// Actual against the part of the target due by today (days elapsed, today
    /// included): null before the period starts; equals attainment once it is over.
    async fn pacing(&self) -> Option<f64> {
        let period = Period::parse(&self.model.period, "period").ok()?;
        pacing(
            self.actual_units()?,
            self.model.target_cents,
            &period,
            self.fiscal_month,
            self.today,
        )
    }

    /// This target against the sum of its children's targets.
    async fn reconciliation(&self) -> Option<QuotaReconciliation> {
        let (sum, n) = self
            .figures
            .children
            .get(&self.model.id)
            .copied()
            .unwrap_or((0, 0));
        Some(QuotaReconciliation {
            children_target: display_units(self.model.metric, sum),
            child_count: n,
            ratio: ratio(sum, self.model.target_cents),
            difference: display_units(self.model.metric, sum - self.model.target_cents),
        })
    }
}

impl Quota {
    fn actual_units(&self) -> Option<i64> {
        Some(
            self.figures
                .actual
                .get(&self.model.id)
                .copied()
                .unwrap_or(0),
        )
    }
}

/// Which figures a selection of quotas asks for.
pub struct Wanted {
    /// `actual`, `attainment` or `pacing`.
    pub actual: bool,
    pub reconcile: bool,
}

pub fn wanted_figures(node: async_graphql::Lookahead<'_>) -> Wanted {
    Wanted {
        actual: ["actual", "attainment", "pacing"]
            .iter()
            .any(|f| node.field(f).exists()),
        reconcile: node.field("reconciliation").exists(),
    }
}

/// Builds `Quota` objects for `rows`, computing the figures the selection asks for in
/// one statement per kind of figure for all of them.
pub async fn with_figures(
    st: &AppState,
    rows: &[quotas::Model],
    node: async_graphql::Lookahead<'_>,
) -> Result<Arc<Figures>, AppError> {
    let wants = wanted_figures(node);
    Ok(Arc::new(
        figures(
            &st.db,
            st.config.fiscal_year_start_month,
            rows,
            wants.actual,
            wants.reconcile,
        )
        .await?,
    ))
}

pub fn to_quota(st: &AppState, figures: &Arc<Figures>, m: quotas::Model) -> Quota {
    Quota {
        id: ID(GlobalId::encode("Quota", m.id)),
        metric: m.metric,
        period: m.period.clone(),
        updated_at: m.updated_at.into(),
        model: m,
        figures: figures.clone(),
        fiscal_month: st.config.fiscal_year_start_month,
        today: st.clock.now().date_naive(),
    }
}

/// Narrows the quota list; all conditions must hold.
#[derive(InputObject, Default)]
pub struct QuotaFilterInput {
    /// A user or a territory (its global id).
    pub assignee_id: Option<ID>,
    /// Only quotas of these metrics; empty or omitted, every metric.
    #[graphql(default)]
    pub metric: Vec<QuotaMetric>,
    /// `FY2026` or `FY2026-Q3`.
    pub period: Option<String>,
    /// Quotas of this user and everyone reporting to them.
    pub team_of: Option<ID>,
    /// Quotas of this territory and the territories below it.
    pub territory_subtree: Option<ID>,
}

/// Exactly one of `userId` and `territoryId`.
#[derive(InputObject)]
pub struct SetQuotaInput {
    /// The user the quota is for (global id); give exactly one of user or territory.
    pub user_id: Option<ID>,
    /// The territory the quota is for (global id); give exactly one of user or territory.
    pub territory_id: Option<ID>,
    /// What the quota measures.
    pub metric: QuotaMetric,
    /// `FY2026` or `FY2026-Q3`.
    pub period: String,
    /// Money (at most two decimals) for money metrics; a whole number for `QUALIFIED_HANDOFFS`.
    pub target: Decimal,
}

fn assignee_of(raw: &ID, field: &str) -> Result<Assignee, AppError> {
    let gid = GlobalId::decode(raw, field)?;
    match gid.type_name {
        "User" => Ok(Assignee::User(gid.id)),
        "Territory" => Ok(Assignee::Territory(gid.id)),
        _ => Err(AppError::bad_input(
            field,
            "must be a user or a territory id",
        )),
    }
}

#[derive(Default)]
pub struct QuotaQuery;

#[Object]
impl QuotaQuery {
    /// Quotas the caller may see: their own; a sales manager's team's and own
    /// territories'; a director's all. Ordered by period.
    async fn quotas(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Page backward: at most this many items before `before` (or from the end)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Page backward: items before this cursor (a `startCursor` or edge `cursor` you received)."
        )]
        before: Option<String>,
        #[graphql(desc = "Narrows the list; omitted, every row the caller may see.")]
        filter: Option<QuotaFilterInput>,
    ) -> async_graphql::Result<Conn<Quota>> {
        let actor = actor(ctx)?;
        let st = state(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = QuotaFilter {
            assignee: f
                .assignee_id
                .as_ref()
                .map(|id| assignee_of(id, "assigneeId"))
                .transpose()?,
            metrics: f.metric,
            period: f
                .period
                .as_deref()
                .map(|p| Period::parse(p, "period"))
                .transpose()?,
            team_of: opt_id(f.team_of.as_ref(), "User", "teamOf")?,
            territory_subtree: opt_id(
                f.territory_subtree.as_ref(),
                "Territory",
                "territorySubtree",
            )?,
        };
        let paged = svc::list(
            &st.db,
            actor,
            &filter,
            &page_args(first, after, last, before),
        )
        .await?;
        let node = ctx.look_ahead().field("edges").field("node");
        let figures = with_figures(st, &paged.items, node).await?;
        to_connection(ctx, paged, |m| to_quota(st, &figures, m))
    }
}

#[derive(Default)]
pub struct QuotaMutation;

#[Object]
impl QuotaMutation {
    /// Sets the target of a user's or territory's quota for a metric and period,
    /// creating the quota or replacing its target. Sales managers for their team,
    /// directors for anyone and any territory; nobody for themselves.
    async fn set_quota(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The values to submit.")] input: SetQuotaInput,
    ) -> async_graphql::Result<Quota> {
        let actor = actor(ctx)?;
        let st = state(ctx)?;
        let assignee = match (&input.user_id, &input.territory_id) {
            (Some(u), None) => Assignee::User(GlobalId::decode_as(u, "User", "userId")?),
            (None, Some(t)) => {
                Assignee::Territory(GlobalId::decode_as(t, "Territory", "territoryId")?)
            }
            _ => {
                return Err(AppError::bad_input(
                    "input",
                    "give exactly one of userId, territoryId",
                )
                .into());
            }
        };
        let q = SetQuota {
            assignee,
            metric: input.metric,
            period: Period::parse(&input.period, "period")?,
            target: input.target,
        };
        let row = svc::set(st, actor, q).await?;
        let figures = with_figures(st, std::slice::from_ref(&row), ctx.look_ahead()).await?;
        Ok(to_quota(st, &figures, row))
    }

    /// Deletes a quota; who may is as for `setQuota`.
    async fn delete_quota(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the quota.")] id: ID,
    ) -> async_graphql::Result<ID> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Quota", "id")?;
        let row = svc::delete(state(ctx)?, actor, id).await?;
        Ok(ID(GlobalId::encode("Quota", row.id)))
    }
}
