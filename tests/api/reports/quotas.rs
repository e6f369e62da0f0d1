//! Quotas: who may read, set and delete which, bad input, the upsert, `me.quotas`, and
//! the statement count of a page with its figures.

use entity::{audit_events, enums::QuotaMetric, quotas};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use super::fixture::quota;
use crate::helpers::{TestApp, code};

const SET: &str =
    "mutation($i: SetQuotaInput!) { setQuota(input: $i) { id metric period target } }";
const LIST: &str = "{ quotas(first: 100) { totalCount edges { node { id } } } }";

/// Quotas for FY2026-Q4 of the fixture's people and territories, by key.
async fn seed(app: &TestApp) -> Vec<(&'static str, Uuid)> {
    let p = "FY2026-Q4";
    let mut out = Vec::new();
    for who in ["sdr", "ae", "am", "ae2", "manager", "manager2"] {
        let metric = if who == "sdr" {
            QuotaMetric::QualifiedHandoffs
        } else {
            QuotaMetric::Bookings
        };
        out.push((
            who,
            quota(app, Some(app.user(who).id), None, metric, p, 1_000_000).await,
        ));
    }
    for t in ["amer", "emea", "global"] {
        let id = app.fx.territories[t];
        out.push((
            t,
            quota(app, None, Some(id), QuotaMetric::Bookings, p, 5_000_000).await,
        ));
    }
    out
}

/// What each role's `quotas` list answers (keys of `seed`), or the error code.
#[rustfmt::skip]
const READS: &[(&str, Result<&[&str], &str>)] = &[
    ("sdr",      Ok(&["sdr"])),
    ("ae",       Ok(&["ae"])),
    ("am",       Ok(&["am"])),
    ("cs",       Ok(&[])),
    ("manager",  Ok(&["sdr", "ae", "am", "manager", "amer"])),
    ("manager2", Ok(&["ae2", "manager2", "emea"])),
    ("director", Ok(&["sdr", "ae", "am", "ae2", "manager", "manager2", "amer", "emea", "global"])),
    // Not in the partner schema: refused like an unknown field.
    ("partner",  Err("UNKNOWN")),
];

#[tokio::test]
async fn quota_read_matrix() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app).await;
    let mut mismatches = Vec::new();
    for (who, want) in READS {
        let body = app.gql_as(who, LIST, json!({})).await;
        match want {
            Err(c) => {
                let refused = if *c == "UNKNOWN" {
                    crate::helpers::unknown_name(&body)
                } else {
                    code(&body) == Some(c)
                };
                if !refused {
                    mismatches.push(format!("{who}: {body}"));
                }
            }
            Ok(keys) => {
                let mut got: Vec<&str> = body["data"]["quotas"]["edges"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|e| {
                                let id = e["node"]["id"].as_str()?;
                                seeded
                                    .iter()
                                    .find(|(_, q)| TestApp::gid("Quota", *q) == id)
                                    .map(|(k, _)| *k)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut want: Vec<&str> = keys.to_vec();
                got.sort();
                want.sort();
                if got != want {
                    mismatches.push(format!("{who}: got {got:?}, expected {want:?} ({body})"));
                }
            }
        }
    }
    // node(id:) finds exactly what the list shows; anything else is NOT_FOUND.
    let node = "query($id: ID!) { node(id: $id) { id ... on Quota { actual attainment } } }";
    for (who, want) in READS {
        let visible: &[&str] = match want {
            Ok(keys) => keys,
            Err(_) => &[],
        };
        for (key, id) in &seeded {
            let body = app
                .gql_as(who, node, json!({ "id": TestApp::gid("Quota", *id) }))
                .await;
            let found = body["data"]["node"]["id"].is_string();
            let expect = visible.contains(key);
            let refused = match want {
                Err("UNKNOWN") => crate::helpers::unknown_name(&body),
                _ => code(&body) == Some("NOT_FOUND"),
            };
            if found != expect || (!found && !refused) {
                mismatches.push(format!("node({key}) as {who}: {body}"));
            }
        }
    }
    // me.quotas: one's own; partners have none (the field is internal).
    let me = app
        .gql_as("ae", "{ me { quotas { id } } }", json!({}))
        .await;
    if me["data"]["me"]["quotas"].as_array().map(Vec::len) != Some(1) {
        mismatches.push(format!("ae me.quotas: {me}"));
    }
    let me = app
        .gql_as("partner", "{ me { quotas { id } } }", json!({}))
        .await;
    if !crate::helpers::unknown_name(&me) {
        mismatches.push(format!("partner me.quotas: {me}"));
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Data,
    Forbidden,
    Bad(&'static str),
    /// Not in the caller's schema at all (partners): refused like an unknown field.
    Unknown,
}
use Expect::*;

/// setQuota by each role for each assignee: a manager's team member (`ae`), the other
/// team's (`ae2`), oneself, a partner user, a territory.
#[rustfmt::skip]
const SETS: &[(&str, [Expect; 5])] = &[
    //             ae                ae2              self        partner          territory amer
    ("sdr",      [Forbidden,       Forbidden,       Forbidden,  Forbidden,       Forbidden]),
    ("ae",       [Forbidden,       Forbidden,       Forbidden,  Forbidden,       Forbidden]),
    ("am",       [Forbidden,       Forbidden,       Forbidden,  Forbidden,       Forbidden]),
    ("cs",       [Forbidden,       Forbidden,       Forbidden,  Forbidden,       Forbidden]),
    ("manager",  [Data,            Forbidden,       Forbidden,  Bad("userId"),   Forbidden]),
    ("manager2", [Forbidden,       Data,            Forbidden,  Bad("userId"),   Bad("territoryId")]),
    ("director", [Data,            Data,            Forbidden,  Bad("userId"),   Data]),
    ("partner",  [Unknown,         Unknown,         Unknown,    Unknown,         Unknown]),
];

#[tokio::test]
async fn set_quota_matrix_writes_only_what_is_allowed() {
    let app = TestApp::spawn().await;
    let mut mismatches = Vec::new();
    for (who, row) in SETS {
        let targets = [
            ("userId", TestApp::gid("User", app.user("ae").id)),
            ("userId", TestApp::gid("User", app.user("ae2").id)),
            ("userId", TestApp::gid("User", app.user(who).id)),
            ("userId", TestApp::gid("User", app.user("partner").id)),
            (
                "territoryId",
                TestApp::gid("Territory", app.fx.territories["amer"]),
            ),
        ];
        for ((field, id), want) in targets.iter().zip(row) {
            let before = quotas::Entity::find().count(&app.db).await.unwrap();
            let audits = audit_events::Entity::find().count(&app.db).await.unwrap();
            // A fresh period per attempt, so that each allowed one inserts a row.
            let period = format!("FY{}-Q1", 2000 + before);
            let input =
                json!({ *field: id, "metric": "BOOKINGS", "period": period, "target": "1000.50" });
            let body = app.gql_as(who, SET, json!({ "i": input })).await;
            let after = quotas::Entity::find().count(&app.db).await.unwrap();
            let audits_after = audit_events::Entity::find().count(&app.db).await.unwrap();
            let got = match code(&body) {
                _ if crate::helpers::unknown_name(&body) => Unknown,
                None => Data,
                Some("FORBIDDEN") => Forbidden,
                Some("BAD_USER_INPUT") => {
                    Bad(match body["errors"][0]["extensions"]["field"].as_str() {
                        Some("userId") => "userId",
                        Some("territoryId") => "territoryId",
                        _ => "?",
                    })
                }
                Some(other) => {
                    mismatches.push(format!("{who} {field}={id}: {other}"));
                    continue;
                }
            };
            if got != *want {
                mismatches.push(format!(
                    "{who} → {}: got {got:?}, expected {want:?}",
                    targets.iter().position(|t| t.1 == *id).unwrap()
                ));
            }
            let wrote = (after - before, audits_after - audits);
            let expect_write = if got == Data { (1, 1) } else { (0, 0) };
            if wrote != expect_write {
                mismatches.push(format!("{who} {field}: wrote {wrote:?}"));
            }
            if got == Data && body["data"]["setQuota"]["target"] != "1000.50" {
                mismatches.push(format!("{who}: {body}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn set_quota_upserts_and_refuses_bad_input() {
    let app = TestApp::spawn().await;
    let ae = TestApp::gid("User", app.user("ae").id);
    let sdr = TestApp::gid("User", app.user("sdr").id);
    let set = |input: Value| {
        let app = &app;
        async move { app.gql_as("manager", SET, json!({ "i": input })).await }
    };
    let first =
        set(json!({ "userId": ae, "metric": "BOOKINGS", "period": "FY2026-Q3", "target": "100" }))
            .await;
    let second = set(
        json!({ "userId": ae, "metric": "BOOKINGS", "period": "FY2026-Q3", "target": "250.25" }),
    )
    .await;
    assert_eq!(
        first["data"]["setQuota"]["id"], second["data"]["setQuota"]["id"],
        "{second}"
    );
    assert_eq!(second["data"]["setQuota"]["target"], "250.25");
    assert_eq!(quotas::Entity::find().count(&app.db).await.unwrap(), 1);
    let counted = set(json!({ "userId": sdr, "metric": "QUALIFIED_HANDOFFS", "period": "FY2026", "target": "12" })).await;
    assert_eq!(counted["data"]["setQuota"]["target"], "12", "{counted}");

    for (input, field) in [
        (
            json!({ "userId": ae, "metric": "BOOKINGS", "period": "FY2026-Q5", "target": "1" }),
            "period",
        ),
        (
            json!({ "userId": ae, "metric": "BOOKINGS", "period": "2026", "target": "1" }),
            "period",
        ),
        (
            json!({ "userId": ae, "metric": "BOOKINGS", "period": "FY2026", "target": "-1" }),
            "target",
        ),
        (
            json!({ "userId": ae, "metric": "BOOKINGS", "period": "FY2026", "target": "1.001" }),
            "target",
        ),
        (
            json!({ "userId": sdr, "metric": "QUALIFIED_HANDOFFS", "period": "FY2026", "target": "1.5" }),
            "target",
        ),
        (
            json!({ "metric": "BOOKINGS", "period": "FY2026", "target": "1" }),
            "input",
        ),
    ] {
        let body = set(input.clone()).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{input}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // A non-numeric target fails validation (no resolver runs).
    let body =
        set(json!({ "userId": ae, "metric": "BOOKINGS", "period": "FY2026", "target": "lots" }))
            .await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(quotas::Entity::find().count(&app.db).await.unwrap(), 2);
}

#[tokio::test]
async fn delete_quota_follows_who_may_set_it() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app).await;
    let id = |k: &str| TestApp::gid("Quota", seeded.iter().find(|(s, _)| *s == k).unwrap().1);
    let del = "mutation($id: ID!) { deleteQuota(id: $id) }";
    for (who, key, want) in [
        ("ae", "ae", Some("FORBIDDEN")),
        ("manager", "manager", Some("FORBIDDEN")), // their own: visible, never theirs to set
        ("manager", "ae2", Some("NOT_FOUND")),     // another team's: invisible
        ("manager", "amer", Some("FORBIDDEN")),    // territory quotas are the director's
        ("manager", "ae", None),
        ("director", "global", None),
    ] {
        let body = app.gql_as(who, del, json!({ "id": id(key) })).await;
        assert_eq!(code(&body), want, "{who} deletes {key}: {body}");
    }
    assert_eq!(
        quotas::Entity::find().count(&app.db).await.unwrap(),
        seeded.len() as u64 - 2
    );
}

#[tokio::test]
async fn a_page_of_quotas_with_figures_costs_fixed_statements() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let q = "{ quotas(first: 100) { edges { node { actual attainment pacing
               reconciliation { ratio } user { name } territory { name } } } } }";
    let token = app.token("director");
    let before = app.statements();
    let body = app.gql(q, json!({}), Some(&token)).await;
    assert!(body["errors"].is_null(), "{body}");
    let small = app.statements() - before;
    for i in 0..30 {
        let p = format!("FY{}", 2030 + i);
        quota(
            &app,
            Some(app.user("ae").id),
            None,
            QuotaMetric::Expansion,
            &p,
            100,
        )
        .await;
    }
    let before = app.statements();
    let body = app.gql(q, json!({}), Some(&token)).await;
    assert_eq!(
        body["data"]["quotas"]["edges"].as_array().unwrap().len(),
        39
    );
    let large = app.statements() - before;
    assert_eq!(small, large, "9 vs 39 quotas");
    // Authentication, page, actuals, reconciliation, users, territories (no count:
    // totalCount is not selected).
    assert_eq!(small, 6);
}

#[tokio::test]
async fn quota_filters_narrow_within_scope() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app).await;
    let q = "query($f: QuotaFilterInput) { quotas(first: 100, filter: $f) { totalCount edges { node { id } } } }";
    let keys = |body: &Value| {
        let mut k: Vec<&str> = body["data"]["quotas"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|e| {
                let id = e["node"]["id"].as_str().unwrap();
                seeded
                    .iter()
                    .find(|(_, q)| TestApp::gid("Quota", *q) == id)
                    .unwrap()
                    .0
            })
            .collect();
        k.sort();
        k
    };
    let user = |k: &str| TestApp::gid("User", app.user(k).id);
    let territory = |k: &str| TestApp::gid("Territory", app.fx.territories[k]);
    for (who, filter, want) in [
        (
            "director",
            json!({ "territorySubtree": territory("amer") }),
            vec!["amer"],
        ),
        (
            "director",
            json!({ "territorySubtree": territory("global") }),
            vec!["amer", "emea", "global"],
        ),
        (
            "director",
            json!({ "teamOf": user("manager") }),
            vec!["ae", "am", "manager", "sdr"],
        ),
        ("director", json!({ "assigneeId": user("ae") }), vec!["ae"]),
        (
            "director",
            json!({ "assigneeId": territory("emea") }),
            vec!["emea"],
        ),
        (
            "director",
            json!({ "metric": ["QUALIFIED_HANDOFFS"] }),
            vec!["sdr"],
        ),
        ("director", json!({ "period": "FY2026-Q3" }), vec![]),
        // A filter never widens the scope: the other team stays invisible.
        ("manager", json!({ "teamOf": user("manager2") }), vec![]),
        (
            "manager",
            json!({ "territorySubtree": territory("global") }),
            vec!["amer"],
        ),
    ] {
        let body = app.gql_as(who, q, json!({ "f": filter })).await;
        assert_eq!(keys(&body), want, "{who} {filter}");
        assert_eq!(body["data"]["quotas"]["totalCount"], want.len(), "{body}");
    }
    let body = app
        .gql_as("director", q, json!({ "f": { "period": "FY26" } }))
        .await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "period");
}
