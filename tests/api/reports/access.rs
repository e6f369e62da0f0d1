//! Who may run which territory report, bad arguments, and the statement count that
//! does not grow with the tree.

use entity::{enums::*, territory_members};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::{
    correctness::{REPORT, report},
    fixture::{Opp, at, day, opportunity, territory},
};
use crate::helpers::{TestApp, code};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Ok,
    Forbidden,
    NotFound,
    /// Not in the caller's schema at all (partners): refused like an unknown field.
    Unknown,
}
use Expect::*;

/// (root, [sdr, ae, am, cs, manager, manager2, director, partner])
#[rustfmt::skip]
const MATRIX: &[(&str, [Expect; 8])] = &[
    //             sdr        ae         am         cs         manager    manager2   director   partner
    ("global",  [Forbidden, Forbidden, Forbidden, Forbidden, NotFound,  NotFound,  Ok,        Unknown]),
    ("amer",    [Forbidden, Forbidden, Forbidden, Forbidden, Ok,        NotFound,  Ok,        Unknown]),
    ("na_west", [Forbidden, Forbidden, Forbidden, Forbidden, Ok,        NotFound,  Ok,        Unknown]),
    ("emea",    [Forbidden, Forbidden, Forbidden, Forbidden, NotFound,  Ok,        Ok,        Unknown]),
    ("random",  [Forbidden, Forbidden, Forbidden, Forbidden, NotFound,  NotFound,  NotFound,  Unknown]),
];
const WHO: [&str; 8] = [
    "sdr", "ae", "am", "cs", "manager", "manager2", "director", "partner",
];

#[tokio::test]
async fn report_access_matrix() {
    let app = TestApp::spawn().await;
    let mut mismatches = Vec::new();
    for (root, row) in MATRIX {
        let id = match *root {
            "random" => Uuid::new_v4(),
            key => app.fx.territories[key],
        };
        for (who, want) in WHO.iter().zip(row) {
            let body = report(&app, who, id, "FY2026-Q4").await;
            let got = match code(&body) {
                _ if crate::helpers::unknown_name(&body) => Unknown,
                None => Ok,
                Some("FORBIDDEN") => Forbidden,
                Some("NOT_FOUND") => NotFound,
                Some(other) => {
                    mismatches.push(format!("{who} on {root}: {other}"));
                    continue;
                }
            };
            if got != *want {
                mismatches.push(format!("{who} on {root}: got {got:?}, expected {want:?}"));
            }
        }
    }
    // A territory the manager sees (as a member) but is not accountable for.
    territory_members::ActiveModel {
        territory_id: Set(app.fx.territories["emea"]),
        user_id: Set(app.user("manager").id),
        role_in_territory: Set(TerritoryRole::Member),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let body = report(&app, "manager", app.fx.territories["emea"], "FY2026-Q4").await;
    if code(&body) != Some("FORBIDDEN") {
        mismatches.push(format!("member manager on emea: {body}"));
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn bad_periods_and_ids_name_the_argument() {
    let app = TestApp::spawn().await;
    for (period, root, field) in [
        (
            "FY2026-Q5",
            TestApp::gid("Territory", app.fx.territories["amer"]),
            "period",
        ),
        (
            "2026",
            TestApp::gid("Territory", app.fx.territories["amer"]),
            "period",
        ),
        (
            "FY2026",
            TestApp::gid("Account", app.fx.accounts["acme"]),
            "rootId",
        ),
        ("FY2026", "not-an-id".to_string(), "rootId"),
    ] {
        let body = app
            .gql_as("director", REPORT, json!({ "r": root, "p": period }))
            .await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{period}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
}

/// Adds `n` territories under `parent` (half of them one level deeper) with one deal each.
async fn grow(app: &TestApp, parent: Uuid, n: usize) {
    let ae = app.user("ae").id;
    let manager = app.user("manager").id;
    let mut last = parent;
    for i in 0..n {
        let under = if i % 2 == 0 { parent } else { last };
        last = territory(app, &format!("T{i}"), under, manager).await;
        opportunity(
            app,
            Opp {
                territory: last,
                owner: ae,
                kind: OpportunityType::NewBusiness,
                stage: if i % 3 == 0 {
                    Stage::ClosedWon
                } else {
                    Stage::Proposal
                },
                cents: 100_000 + i as i64,
                probability: 50,
                category: ForecastCategory::BestCase,
                close: day(2026, 11, 1),
                created: at(2026, 10, 1, 0, 0),
                sourced_by: None,
            },
        )
        .await;
    }
}

/// Statements one director report of `root` costs, and its territory rows.
async fn run(app: &TestApp, root: Uuid) -> (u64, usize) {
    let token = app.token("director");
    let vars = json!({ "r": TestApp::gid("Territory", root), "p": "FY2026-Q4" });
    let before = app.statements();
    let body = app.gql(REPORT, vars, Some(&token)).await;
    assert!(body["errors"].is_null(), "{body}");
    let n = body["data"]["territoryReport"]["territories"]
        .as_array()
        .unwrap()
        .len();
    (app.statements() - before, n)
}

#[tokio::test]
async fn the_report_costs_the_same_statements_for_5_and_50_territories() {
    let app = TestApp::spawn().await;
    let root = territory(
        &app,
        "Root",
        app.fx.territories["global"],
        app.user("manager").id,
    )
    .await;
    grow(&app, root, 4).await;
    let (small, n5) = run(&app, root).await;
    grow(&app, root, 45).await;
    let (large, n50) = run(&app, root).await;
    assert_eq!((n5, n50), (5, 50));
    assert_eq!(small, large, "statements for 5 vs 50 territories");
    // Authentication (1) + access checks (2) + tree (1) + 6 aggregates + quotas (1) + names (1).
    assert_eq!(small, 12, "statements per report");
}
