//! `territoryReport(rootId:, period:)`: the territory and rep rows of a subtree for a
//! fiscal period. Directors for any subtree, sales managers for those they are
//! accountable for.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use entity::enums::ForecastCategory;
use rust_decimal::Decimal;

use super::context::{actor, state};
use crate::{
    domain::{GlobalId, Period},
    services::reports::{self as svc, ReportRow, RowKind, TerritoryReport},
};

/// Whether a report row is a territory (rolled up over its subtree) or a rep.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ReportRowKind {
    /// A row for a territory: its whole subtree.
    Territory,
    /// A row for one rep: what is credited to them inside the subtree.
    Rep,
}

/// Open pipeline of one forecast category.
#[derive(SimpleObject)]
pub struct PipelineByCategory {
    /// The forecast bucket.
    pub category: ForecastCategory,
    /// Open pipeline amount in the bucket: a decimal string in the reporting currency.
    pub amount: Decimal,
}

pub const CATEGORY_ENUMS: [ForecastCategory; 5] = [
    ForecastCategory::Pipeline,
    ForecastCategory::BestCase,
    ForecastCategory::Commit,
    ForecastCategory::Closed,
    ForecastCategory::Omitted,
];

/// The whole report. Money is in the reporting currency with cents; ratios are
/// fractions (0.25, not 25) and null when their denominator is 0.
pub struct TerritoryReportObject(pub Arc<TerritoryReport>);

/// A territory report: one row per territory of a subtree and one per rep, for a
/// fiscal period. Money is a decimal string in the reporting currency; ratios are
/// fractions (0.25, not 25) and `null` when their denominator is 0.
#[Object(name = "TerritoryReport")]
impl TerritoryReportObject {
    /// The subtree's root territory.
    async fn root_id(&self) -> ID {
        ID(GlobalId::encode("Territory", self.0.root_id))
    }
    /// Name of the territory at the top of the report.
    async fn root_name(&self) -> &str {
        &self.0.root_name
    }
    /// The fiscal period, e.g. `FY2026-Q3`.
    async fn period(&self) -> String {
        self.0.period.to_string()
    }
    /// The period's first day.
    async fn period_start(&self) -> super::scalars::Date {
        self.0.start.into()
    }
    /// The period's last day.
    async fn period_end(&self) -> super::scalars::Date {
        self.0.last_day.into()
    }
    /// The day pacing was computed for (today, by the server's clock).
    async fn as_of(&self) -> super::scalars::Date {
        self.0.as_of.into()
    }
    /// One row per territory of the subtree, root first, each over its own subtree.
    async fn territories(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReportRowObject>> {
        super::budget::draw_rows(ctx, self.0.territories.len())?;
        Ok((0..self.0.territories.len())
            .map(|i| ReportRowObject(self.0.clone(), RowKind::Territory, i))
            .collect())
    }
    /// One row per rep with a quota for the period or an opportunity credited in the
    /// subtree; their figures count only what is credited inside the subtree.
    async fn reps(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ReportRowObject>> {
        super::budget::draw_rows(ctx, self.0.reps.len())?;
        Ok((0..self.0.reps.len())
            .map(|i| ReportRowObject(self.0.clone(), RowKind::Rep, i))
            .collect())
    }
}

/// One row of the report.
pub struct ReportRowObject(Arc<TerritoryReport>, RowKind, usize);

impl ReportRowObject {
    fn row(&self) -> &ReportRow {
        let rows = match self.1 {
            RowKind::Territory => &self.0.territories,
            RowKind::Rep => &self.0.reps,
        };
        // Indices come from the same vector's range.
        &rows[self.2]
    }
}

/// One row of a territory report: a territory (its whole subtree) or a rep.
#[Object(name = "TerritoryReportRow")]
impl ReportRowObject {
    /// Whether the row is a territory or a rep.
    async fn kind(&self) -> ReportRowKind {
        match self.1 {
            RowKind::Territory => ReportRowKind::Territory,
            RowKind::Rep => ReportRowKind::Rep,
        }
    }
    /// This row's own id: of this report (root and period), this kind of row and this
    /// subject, so a client cache keeps the figures of each report apart and never
    /// merges them into the territory or user the row is about (see `subjectId`).
    async fn id(&self) -> ID {
        let (kind, subject) = match self.1 {
            RowKind::Territory => ("territory", self.row().id),
            RowKind::Rep => ("rep", self.row().id),
        };
        ID(GlobalId::encode_computed(
            "TerritoryReportRow",
            &[
                &self.0.root_id.to_string(),
                &self.0.period.to_string(),
                kind,
                &subject.to_string(),
            ],
        ))
    }
    /// The global id of the territory or the rep the row is about (`node(id:)`
    /// resolves it).
    async fn subject_id(&self) -> ID {
        let t = if self.1 == RowKind::Territory {
            "Territory"
        } else {
            "User"
        };
        ID(GlobalId::encode(t, self.row().id))
    }
    /// The territory's or the rep's name.
    async fn name(&self) -> &str {
        &self.row().name
    }
    /// The parent territory within the report (null for the root and for reps).
    async fn parent_id(&self) -> Option<ID> {
        self.row()
            .parent_id
            .map(|p| ID(GlobalId::encode("Territory", p)))
    }
    /// Levels below the root (0 for the root; null for reps).
    async fn depth(&self) -> Option<i32> {
        self.row().depth
    }
    /// The `BOOKINGS` quota for the period (null when none is set).
    async fn quota(&self) -> Option<Decimal> {
        self.row().quota_amount()
    }
    /// Won new-business and expansion amounts closed in the period.
    async fn bookings(&self) -> Decimal {
        self.row().bookings()
    }
    /// Bookings ÷ quota.
    async fn attainment(&self) -> Option<f64> {
        self.row().attainment()
    }
    /// Open opportunities whose close date falls in the period.
    async fn open_pipeline(&self) -> Decimal {
        self.row().open_pipeline()
    }
    /// Each open opportunity's amount times its probability, summed.
    async fn weighted_pipeline(&self) -> Decimal {
        self.row().weighted_pipeline()
    }
    /// Open pipeline split by forecast category.
    async fn pipeline_by_category(&self) -> Vec<PipelineByCategory> {
        CATEGORY_ENUMS
            .iter()
            .enumerate()
            .map(|(i, c)| PipelineByCategory {
                category: *c,
                amount: self.row().pipeline_in(i),
            })
            .collect()
    }
    /// Open pipeline ÷ the quota still to book (null without a quota or once it is met).
    async fn coverage(&self) -> Option<f64> {
        self.row().coverage()
    }
    /// Opportunities won in the period (every type).
    async fn won_count(&self) -> i64 {
        self.row().opp.won_count
    }
    /// Opportunities lost in the period.
    async fn lost_count(&self) -> i64 {
        self.row().opp.lost_count
    }
    /// Won ÷ (won + lost) among opportunities closed in the period.
    async fn win_rate(&self) -> Option<f64> {
        self.row().win_rate()
    }
    /// Won amount ÷ won count.
    async fn average_deal_size(&self) -> Option<Decimal> {
        self.row().average_deal_size()
    }
    /// Days from creation to close of the opportunities won in the period, on average.
    async fn average_sales_cycle_days(&self) -> Option<f64> {
        self.row().average_sales_cycle_days()
    }
    /// Leads created in the period.
    async fn leads_created(&self) -> i64 {
        self.row().leads_created
    }
    /// Of the leads created in the period, those converted.
    async fn leads_converted(&self) -> i64 {
        self.row().leads_converted
    }
    /// Leads converted ÷ leads created.
    async fn conversion_rate(&self) -> Option<f64> {
        self.row().conversion_rate()
    }
    /// `SDR_TO_AE` handoffs accepted in the period.
    async fn handoffs_accepted(&self) -> i64 {
        self.row().handoffs.accepted
    }
    /// `SDR_TO_AE` handoffs accepted or rejected in the period.
    async fn handoffs_decided(&self) -> i64 {
        self.row().handoffs.decided
    }
    /// Accepted ÷ decided.
    async fn acceptance_rate(&self) -> Option<f64> {
        self.row().acceptance_rate()
    }
    /// The median of the hours from request to acceptance.
    async fn median_hours_to_accept(&self) -> Option<f64> {
        self.row().median_hours_to_accept()
    }
    /// Bookings against the part of the quota due by today (null before the period starts).
    async fn pacing(&self) -> Option<f64> {
        self.row().pacing
    }
}

/// The form of a report download.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// `text/csv`, one row per territory then per rep.
    Csv,
    /// The printable page with its charts.
    Html,
}

/// A short-lived link to a report download that works without a bearer header.
#[derive(SimpleObject)]
pub struct ReportLink {
    /// A path on this server (prefix it with the API's origin); it carries its own
    /// signature, bound to the caller and to this report's root, period and format.
    pub url: String,
    /// When the link stops working (ISO 8601, UTC).
    pub expires_at: super::scalars::DateTime,
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// The territory report of a subtree for a fiscal period (`FY2026` or `FY2026-Q3`).
    /// Directors: any subtree; sales managers: subtrees they are accountable for.
    async fn territory_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the territory at the top of the report.")] root_id: ID,
        #[graphql(desc = "Fiscal period: a year like `FY2026` or a quarter like `FY2026-Q3`.")]
        period: String,
    ) -> async_graphql::Result<TerritoryReportObject> {
        let actor = actor(ctx)?;
        let st = state(ctx)?;
        let period = Period::parse(&period, "period")?;
        let root = GlobalId::decode_as(&root_id, "Territory", "rootId")?;
        let report = svc::territory_report(
            &st.db,
            actor,
            root,
            period,
            st.config.fiscal_year_start_month,
            st.clock.now().date_naive(),
        )
        .await?;
        Ok(TerritoryReportObject(Arc::new(report)))
    }

    /// A signed link (valid for a few minutes) to download a territory report as CSV or
    /// open it as a printable page. Same access as `territoryReport`.
    async fn report_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Download as CSV or as the printable page.")] kind: ReportFormat,
        #[graphql(desc = "Global id of the territory at the top of the report.")] root_id: ID,
        #[graphql(desc = "Fiscal period: a year like `FY2026` or a quarter like `FY2026-Q3`.")]
        period: String,
    ) -> async_graphql::Result<ReportLink> {
        let actor = actor(ctx)?;
        let st = state(ctx)?;
        let parsed = Period::parse(&period, "period")?;
        let root = GlobalId::decode_as(&root_id, "Territory", "rootId")?;
        svc::report_root(&st.db, actor, root).await?;
        let ext = match kind {
            ReportFormat::Csv => "csv",
            ReportFormat::Html => "html",
        };
        let (root_id, period) = (GlobalId::encode("Territory", root), parsed.to_string());
        let link = crate::auth::report_link::sign(&st.keys, actor, ext, &root_id, &period)?;
        Ok(ReportLink {
            url: format!(
                "/reports/territories.{ext}?rootId={root_id}&period={period}&link={}",
                link.token
            ),
            expires_at: link.expires_at.into(),
        })
    }
}
