//! Every figure of the report and of the quotas for the hand-built fixture, worked out
//! by hand below (not by the server's SQL). FY2026-Q1 with a February start is
//! 1 Feb – 30 Apr 2026 (89 days); the clock is pinned to 16 Mar 2026, day 44 of 89.

use serde_json::{Value, json};

use super::fixture::{at, build, spawn_february};
use crate::helpers::TestApp;

pub const REPORT: &str = "query($r: ID!, $p: String!) { territoryReport(rootId: $r, period: $p) {
  rootId period periodStart periodEnd asOf
  territories { ...row } reps { ...row } } }
fragment row on TerritoryReportRow { kind id subjectId name parentId depth quota bookings attainment
  openPipeline weightedPipeline pipelineByCategory { category amount } coverage wonCount
  lostCount winRate averageDealSize averageSalesCycleDays leadsCreated leadsConverted
  conversionRate handoffsAccepted handoffsDecided acceptanceRate medianHoursToAccept pacing }";

/// (field, expected) pairs; numbers compare within 1e-9, everything else exactly.
type Row = (&'static str, Vec<(&'static str, Value)>);

fn cats(pipeline: &str, commit: &str) -> Value {
    json!([
        { "category": "PIPELINE", "amount": pipeline },
        { "category": "BEST_CASE", "amount": "0.00" },
        { "category": "COMMIT", "amount": commit },
        { "category": "CLOSED", "amount": "0.00" },
        { "category": "OMITTED", "amount": "0.00" },
    ])
}

#[rustfmt::skip]
fn expected_territories() -> Vec<Row> {
    vec![
        // R: own o9 (5 000.01, 0 days) + A + B (which now holds A1).
        ("R", vec![("depth", json!(0)), ("quota", json!("400000.00")),
            ("bookings", json!("155000.01")),            // 5 000.01 + 100 000 + 50 000
            ("attainment", json!(0.3875)),               // 155 000.01 / 400 000
            ("openPipeline", json!("52345.67")),         // o6 40 000 + o7 12 345.67
            ("weightedPipeline", json!("36074.07")),     // 32 000 + 4 074.0711
            ("pipelineByCategory", cats("12345.67", "40000.00")),
            ("coverage", json!(0.2137)),                 // 52 345.67 / 244 999.99
            ("wonCount", json!(4)), ("lostCount", json!(1)), ("winRate", json!(0.8)),
            ("averageDealSize", json!("46250.00")),      // 185 000.01 / 4
            ("averageSalesCycleDays", json!(19.25)),     // (0 + 37 + 10 + 30) / 4
            ("leadsCreated", json!(4)), ("leadsConverted", json!(2)), ("conversionRate", json!(0.5)),
            ("handoffsAccepted", json!(3)), ("handoffsDecided", json!(4)),
            ("acceptanceRate", json!(0.75)), ("medianHoursToAccept", json!(12.0)), // 3, 12, 30
            ("pacing", json!(0.7838))]),                 // 155 000.01 / (400 000 × 44/89)
        // A: after the realignment only o1 (won) and o5 (lost).
        ("A", vec![("depth", json!(1)), ("quota", json!("200000.00")),
            ("bookings", json!("100000.00")), ("attainment", json!(0.5)),
            ("openPipeline", json!("0.00")), ("weightedPipeline", json!("0.00")),
            ("pipelineByCategory", cats("0.00", "0.00")),
            ("coverage", json!(0.0)),                    // 0 / 100 000
            ("wonCount", json!(1)), ("lostCount", json!(1)), ("winRate", json!(0.5)),
            ("averageDealSize", json!("100000.00")), ("averageSalesCycleDays", json!(37.0)),
            ("leadsCreated", json!(1)), ("leadsConverted", json!(0)), ("conversionRate", json!(0.0)),
            ("handoffsAccepted", json!(1)), ("handoffsDecided", json!(1)),
            ("acceptanceRate", json!(1.0)), ("medianHoursToAccept", json!(3.0)),
            ("pacing", json!(1.0114))]),                 // 100 000 / (200 000 × 44/89)
        // B: own o4 (renewal: won, not bookings), o7 open; plus A1. Quota 0: no ratios.
        ("B", vec![("depth", json!(1)), ("quota", json!("0.00")),
            ("bookings", json!("50000.00")), ("attainment", Value::Null),
            ("openPipeline", json!("52345.67")), ("weightedPipeline", json!("36074.07")),
            ("pipelineByCategory", cats("12345.67", "40000.00")),
            ("coverage", Value::Null),
            ("wonCount", json!(2)), ("lostCount", json!(0)), ("winRate", json!(1.0)),
            ("averageDealSize", json!("40000.00")), ("averageSalesCycleDays", json!(20.0)),
            ("leadsCreated", json!(3)), ("leadsConverted", json!(2)), ("conversionRate", json!(0.6667)),
            ("handoffsAccepted", json!(2)), ("handoffsDecided", json!(3)),
            ("acceptanceRate", json!(0.6667)), ("medianHoursToAccept", json!(21.0)), // 12, 30
            ("pacing", Value::Null)]),
        // A1: o2 won on the last day; o3 won the next day does not count; o6 open.
        ("A1", vec![("depth", json!(2)), ("quota", Value::Null),
            ("bookings", json!("50000.00")), ("attainment", Value::Null),
            ("openPipeline", json!("40000.00")), ("weightedPipeline", json!("32000.00")),
            ("pipelineByCategory", cats("0.00", "40000.00")),
            ("coverage", Value::Null),
            ("wonCount", json!(1)), ("lostCount", json!(0)), ("winRate", json!(1.0)),
            ("averageDealSize", json!("50000.00")), ("averageSalesCycleDays", json!(10.0)),
            ("leadsCreated", json!(2)), ("leadsConverted", json!(1)), ("conversionRate", json!(0.5)),
            ("handoffsAccepted", json!(1)), ("handoffsDecided", json!(2)),
            ("acceptanceRate", json!(0.5)), ("medianHoursToAccept", json!(12.0)),
            ("pacing", Value::Null)]),
    ]
}

#[rustfmt::skip]
fn expected_reps() -> Vec<Row> {
    vec![
        ("Alex Ae", vec![("quota", json!("150000.00")), ("bookings", json!("155000.01")),
            ("attainment", json!(1.0333)), ("openPipeline", json!("40000.00")),
            ("weightedPipeline", json!("32000.00")), ("pipelineByCategory", cats("0.00", "40000.00")),
            ("coverage", Value::Null),                   // quota already met
            ("wonCount", json!(3)), ("lostCount", json!(1)), ("winRate", json!(0.75)),
            ("averageDealSize", json!("51666.67")), ("averageSalesCycleDays", json!(15.67)),
            ("leadsCreated", json!(0)), ("leadsConverted", json!(0)), ("conversionRate", Value::Null),
            ("handoffsAccepted", json!(0)), ("handoffsDecided", json!(0)),
            ("acceptanceRate", Value::Null), ("medianHoursToAccept", Value::Null),
            ("pacing", json!(2.0902))]),                 // 155 000.01 / (150 000 × 44/89)
        ("Erin Ae", vec![("quota", Value::Null), ("bookings", json!("0.00")),
            ("attainment", Value::Null), ("openPipeline", json!("12345.67")),
            ("weightedPipeline", json!("4074.07")), ("pipelineByCategory", cats("12345.67", "0.00")),
            ("coverage", Value::Null),
            ("wonCount", json!(1)), ("lostCount", json!(0)), ("winRate", json!(1.0)),
            ("averageDealSize", json!("30000.00")), ("averageSalesCycleDays", json!(30.0)),
            ("leadsCreated", json!(0)), ("leadsConverted", json!(0)), ("conversionRate", Value::Null),
            ("handoffsAccepted", json!(0)), ("handoffsDecided", json!(0)),
            ("acceptanceRate", Value::Null), ("medianHoursToAccept", Value::Null),
            ("pacing", Value::Null)]),
        // The SDR: a member of A with a quota for the period, no deals of their own.
        ("Sam Sdr", vec![("quota", Value::Null), ("bookings", json!("0.00")),
            ("attainment", Value::Null), ("openPipeline", json!("0.00")),
            ("weightedPipeline", json!("0.00")), ("coverage", Value::Null),
            ("wonCount", json!(0)), ("lostCount", json!(0)), ("winRate", Value::Null),
            ("averageDealSize", Value::Null), ("averageSalesCycleDays", Value::Null),
            ("leadsCreated", json!(3)), ("leadsConverted", json!(2)), ("conversionRate", json!(0.6667)),
            ("handoffsAccepted", json!(3)), ("handoffsDecided", json!(4)),
            ("acceptanceRate", json!(0.75)), ("medianHoursToAccept", json!(12.0)),
            ("pacing", Value::Null)]),
    ]
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if !a.is_string() => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

/// Compares `rows` (by name) against `expected`, collecting every mismatch.
pub fn compare(rows: &Value, expected: &[Row], mismatches: &mut Vec<String>) {
    let rows = rows.as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let want: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    if names != want {
        mismatches.push(format!("rows {names:?}, expected {want:?}"));
    }
    for (name, fields) in expected {
        let Some(row) = rows.iter().find(|r| r["name"] == *name) else {
            continue;
        };
        for (field, want) in fields {
            if !same(&row[field], want) {
                mismatches.push(format!(
                    "{name}.{field}: got {}, expected {want}",
                    row[field]
                ));
            }
        }
    }
}

pub async fn report(app: &TestApp, who: &str, root: uuid::Uuid, period: &str) -> Value {
    app.gql_as(
        who,
        REPORT,
        json!({ "r": TestApp::gid("Territory", root), "p": period }),
    )
    .await
}

#[tokio::test]
async fn every_report_figure_matches_the_hand_computation() {
    let app = spawn_february().await;
    let built = build(&app).await;
    app.state.clock.set(Some(at(2026, 3, 16, 12, 0)));
    let body = report(&app, "manager", built.t["R"], "FY2026-Q1").await;
    assert!(body["errors"].is_null(), "{body}");
    let r = &body["data"]["territoryReport"];
    assert_eq!(r["periodStart"], "2026-02-01");
    assert_eq!(r["periodEnd"], "2026-04-30");
    assert_eq!(r["asOf"], "2026-03-16");
    let mut mismatches = Vec::new();
    compare(&r["territories"], &expected_territories(), &mut mismatches);
    compare(&r["reps"], &expected_reps(), &mut mismatches);
    // Today's tree: A1 hangs under B now.
    let a1 = r["territories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "A1")
        .unwrap();
    if a1["parentId"] != TestApp::gid("Territory", built.t["B"]) {
        mismatches.push(format!("A1.parentId {}", a1["parentId"]));
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );

    // The same numbers for the director; on a running period before it starts, no pacing.
    let director = report(&app, "director", built.t["R"], "FY2026-Q1").await;
    assert_eq!(director["data"], body["data"]);
    app.state.clock.set(Some(at(2026, 1, 31, 23, 0)));
    let early = report(&app, "director", built.t["R"], "FY2026-Q1").await;
    assert!(
        early["data"]["territoryReport"]["territories"][0]["pacing"].is_null(),
        "{early}"
    );
    // After the period, pacing equals attainment.
    app.state.clock.set(Some(at(2026, 6, 1, 0, 0)));
    let late = report(&app, "director", built.t["R"], "FY2026-Q1").await;
    let root = &late["data"]["territoryReport"]["territories"][0];
    assert_eq!(root["pacing"], root["attainment"], "{late}");
}

#[tokio::test]
async fn quota_figures_match_the_hand_computation() {
    let app = spawn_february().await;
    let built = build(&app).await;
    app.state.clock.set(Some(at(2026, 3, 16, 12, 0)));
    let body = app
        .gql_as(
            "director",
            "{ quotas(first: 50, filter: { period: \"FY2026-Q1\" }) { totalCount edges { node {
               id metric target actual attainment pacing
               reconciliation { childrenTarget childCount ratio difference } } } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let nodes: Vec<&Value> = body["data"]["quotas"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    let by = |k: &str| {
        let id = TestApp::gid("Quota", built.q[k]);
        *nodes.iter().find(|n| n["id"] == id.as_str()).unwrap()
    };
    #[rustfmt::skip]
    let expected: Vec<(&str, Vec<(&str, Value)>)> = vec![
        ("R", vec![("actual", json!("155000.01")), ("attainment", json!(0.3875)), ("pacing", json!(0.7838))]),
        ("A", vec![("actual", json!("100000.00")), ("attainment", json!(0.5))]),
        ("B", vec![("actual", json!("50000.00")), ("attainment", Value::Null), ("pacing", Value::Null)]),
        ("ae", vec![("actual", json!("155000.01")), ("attainment", json!(1.0333)), ("pacing", json!(2.0902))]),
        // o6 was sourced by the SDR on 1 Mar.
        ("sdr", vec![("target", json!("10000.00")), ("actual", json!("40000.00")), ("attainment", json!(4.0))]),
        // Accepted in the period: 10 Feb, 5 Mar, 2 Apr (not the one accepted on 1 May).
        ("sdr_handoffs", vec![("target", json!("4")), ("actual", json!("3")), ("attainment", json!(0.75))]),
    ];
    let mut mismatches = Vec::new();
    for (k, fields) in &expected {
        let node = by(k);
        for (f, want) in fields {
            if !same(&node[f], want) {
                mismatches.push(format!("{k}.{f}: got {}, expected {want}", node[f]));
            }
        }
    }
    // R's children A (200 000) and B (0): 200 000 assigned against 400 000.
    let rec = &by("R")["reconciliation"];
    if *rec
        != json!({ "childrenTarget": "200000.00", "childCount": 2, "ratio": 0.5, "difference": "-200000.00" })
    {
        mismatches.push(format!("R.reconciliation {rec}"));
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Report rows have ids of their own (report, kind, subject), so a normalized client
/// cache keeps each report's figures apart; `subjectId` is the territory or rep.
#[tokio::test]
async fn report_rows_have_their_own_ids() {
    let app = TestApp::spawn().await;
    let root = TestApp::gid("Territory", app.fx.territories["global"]);
    let q = "query($r: ID!, $p: String!) { territoryReport(rootId: $r, period: $p) { \
             territories { id subjectId } reps { id subjectId } } }";
    let mut seen = std::collections::HashSet::new();
    for period in ["FY2026", "FY2026-Q4"] {
        let body = app
            .gql_as("director", q, json!({ "r": root, "p": period }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        let report = &body["data"]["territoryReport"];
        let root_row = &report["territories"][0];
        assert_eq!(root_row["subjectId"], root.as_str(), "{body}");
        assert_ne!(root_row["id"], root.as_str(), "{body}");
        for kind in ["territories", "reps"] {
            for row in report[kind].as_array().unwrap() {
                let id = row["id"].as_str().unwrap().to_string();
                assert!(seen.insert(id), "a row id repeats: {body}");
            }
        }
    }
    assert!(seen.len() > 2);
}
