//! The territory report as a table: one column list and one cell formatter that the
//! CSV and the printable page share, so both show exactly the GraphQL numbers. Column
//! names are the GraphQL field names (pipeline by category flattened).

use rust_decimal::Decimal;

use super::reports::{ReportRow, RowKind, TerritoryReport};
use crate::domain::GlobalId;

pub const COLUMNS: &[&str] = &[
    "kind",
    "subjectId",
    "name",
    "parentId",
    "depth",
    "quota",
    "bookings",
    "attainment",
    "openPipeline",
    "weightedPipeline",
    "pipelinePipeline",
    "pipelineBestCase",
    "pipelineCommit",
    "pipelineClosed",
    "pipelineOmitted",
    "coverage",
    "wonCount",
    "lostCount",
    "winRate",
    "averageDealSize",
    "averageSalesCycleDays",
    "leadsCreated",
    "leadsConverted",
    "conversionRate",
    "handoffsAccepted",
    "handoffsDecided",
    "acceptanceRate",
    "medianHoursToAccept",
    "pacing",
];

/// A cell: text (names, ids — neutralised in CSV) or a number (never touched).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(String),
    Empty,
}

impl Cell {
    pub fn as_str(&self) -> &str {
        match self {
            Cell::Text(s) | Cell::Number(s) => s,
            Cell::Empty => "",
        }
    }
}

fn money(d: Decimal) -> Cell {
    Cell::Number(d.to_string())
}

fn opt_money(d: Option<Decimal>) -> Cell {
    d.map_or(Cell::Empty, money)
}

fn int(n: i64) -> Cell {
    Cell::Number(n.to_string())
}

/// Ratios and averages print as the shortest decimal that reads back as the same
/// number (0.25, 1, 19.25), as JSON numbers do.
fn float(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, |v| Cell::Number(v.to_string()))
}

pub fn cells(row: &ReportRow) -> Vec<Cell> {
    let (kind, type_name) = match row.kind {
        RowKind::Territory => ("TERRITORY", "Territory"),
        RowKind::Rep => ("REP", "User"),
    };
    vec![
        Cell::Text(kind.into()),
        Cell::Text(GlobalId::encode(type_name, row.id)),
        Cell::Text(row.name.clone()),
        row.parent_id.map_or(Cell::Empty, |p| {
            Cell::Text(GlobalId::encode("Territory", p))
        }),
        row.depth.map_or(Cell::Empty, |d| int(i64::from(d))),
        opt_money(row.quota_amount()),
        money(row.bookings()),
        float(row.attainment()),
        money(row.open_pipeline()),
        money(row.weighted_pipeline()),
        money(row.pipeline_in(0)),
        money(row.pipeline_in(1)),
        money(row.pipeline_in(2)),
        money(row.pipeline_in(3)),
        money(row.pipeline_in(4)),
        float(row.coverage()),
        int(row.opp.won_count),
        int(row.opp.lost_count),
        float(row.win_rate()),
        opt_money(row.average_deal_size()),
        float(row.average_sales_cycle_days()),
        int(row.leads_created),
        int(row.leads_converted),
        float(row.conversion_rate()),
        int(row.handoffs.accepted),
        int(row.handoffs.decided),
        float(row.acceptance_rate()),
        float(row.median_hours_to_accept()),
        float(row.pacing),
    ]
}

/// Every row of the report, territories first.
pub fn rows(report: &TerritoryReport) -> impl Iterator<Item = &ReportRow> {
    report.territories.iter().chain(report.reps.iter())
}

/// One CSV line (RFC 4180, CRLF-terminated). Text cells that a spreadsheet would read
/// as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return first) get a leading
/// apostrophe; numbers are never altered, so negative numbers stay numbers.
pub fn csv_line<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> String {
    let mut line = cells
        .into_iter()
        .map(|c| {
            let raw = match c {
                Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
                    format!("'{s}")
                }
                other => other.as_str().to_string(),
            };
            if raw.contains([',', '"', '\r', '\n']) {
                format!("\"{}\"", raw.replace('"', "\"\""))
            } else {
                raw
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

pub fn header_line() -> String {
    let header: Vec<Cell> = COLUMNS.iter().map(|c| Cell::Text((*c).into())).collect();
    csv_line(&header)
}

/// `territory-report-emea-fy2026-q1.csv`: the root's name reduced to safe characters.
pub fn file_name(report: &TerritoryReport, ext: &str) -> String {
    let mut slug = String::new();
    for c in report.root_name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "territory" } else { slug };
    let period = report.period.to_string().to_ascii_lowercase();
    format!("territory-report-{slug}-{period}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_neutralises_text_only() {
        let cells = vec![
            Cell::Text("=HYPERLINK(\"http://x\",\"y\")".into()),
            Cell::Text("+1".into()),
            Cell::Text("-2".into()),
            Cell::Text("@SUM(A1)".into()),
            Cell::Text("a,b".into()),
            Cell::Text("line\nbreak".into()),
            Cell::Number("-200.00".into()),
            Cell::Empty,
            Cell::Text("plain".into()),
        ];
        assert_eq!(
            csv_line(&cells),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1,'-2,'@SUM(A1),\"a,b\",\"line\nbreak\",-200.00,,plain\r\n"
        );
    }
}
