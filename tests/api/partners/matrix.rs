//! The authorization matrix of deal registration: every role against the list, the
//! submission and both decisions, in the table style of `tests/api/matrix.rs`.

use serde_json::json;

use super::registrations::{APPROVE, REGISTER, REJECT, deal, register};
use crate::helpers::{TestApp, code, unknown_name};

const ROLES: &[&str] = &[
    "sdr", "ae", "am", "cs", "manager", "manager2", "director", "partner", "partner2",
];

/// Which registrations each role lists: `us` is partner's (placed in na_west, the
/// manager's), `gb` partner2's (emea, manager2's). `None`: FORBIDDEN.
#[rustfmt::skip]
const READS: &[(&str, Option<&[&str]>)] = &[
    ("sdr", None), ("ae", None), ("am", None), ("cs", None),
    ("manager", Some(&["us"])), ("manager2", Some(&["gb"])), ("director", Some(&["gb", "us"])),
    ("partner", Some(&["us"])), ("partner2", Some(&["gb"])),
];

/// (roles, target, outcome) of `approveDealRegistration` and `rejectDealRegistration`
/// on a fresh registration of `target`.
#[rustfmt::skip]
const DECISIONS: &[(&str, &str, &str)] = &[
    ("sdr ae am cs", "us", "FORBIDDEN"),
    ("manager", "us", "data"), ("manager", "gb", "NOT_FOUND"),
    ("manager2", "gb", "data"), ("manager2", "us", "NOT_FOUND"),
    ("director", "us", "data"), ("director", "gb", "data"),
    ("partner partner2", "us", "UNKNOWN"),
];

fn outcome(body: &serde_json::Value, field: &str) -> String {
    if unknown_name(body) {
        return "UNKNOWN".into();
    }
    match code(body) {
        Some(c) => c.into(),
        None if body["data"][field]["id"].is_string() => "data".into(),
        None => format!("no data: {body}"),
    }
}

#[tokio::test]
async fn deal_registration_matrix() {
    let app = TestApp::spawn().await;
    let mut failures = Vec::new();
    let us = register(&app, "partner", deal("Uniform", "uniform.example", "US")).await;
    let gb = register(&app, "partner2", deal("Golf", "golf.example", "GB")).await;
    let key = |id: &str| {
        if id == us {
            "us"
        } else if id == gb {
            "gb"
        } else {
            "?"
        }
    };
    let list = "{ dealRegistrations(first: 50) { totalCount edges { node { id } } } }";
    for (role, want) in READS {
        let body = app.gql_as(role, list, json!({})).await;
        let got: Option<Vec<&str>> = code(&body).is_none().then(|| {
            let mut v: Vec<&str> = body["data"]["dealRegistrations"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| key(e["node"]["id"].as_str().unwrap()))
                .collect();
            v.sort_unstable();
            v
        });
        let ok = match (want, &got) {
            (None, None) => code(&body) == Some("FORBIDDEN"),
            (Some(w), Some(g)) => {
                w == g && body["data"]["dealRegistrations"]["totalCount"] == w.len()
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "dealRegistrations as {role}: expected {want:?}, got {body}"
            ));
        }
    }
    for role in ROLES {
        let body = app
            .gql_as(
                role,
                REGISTER,
                deal("Hotel", &format!("hotel-{role}.example"), "US"),
            )
            .await;
        let want = if role.starts_with("partner") {
            "data"
        } else {
            "FORBIDDEN"
        };
        let got = match code(&body) {
            None if body["data"]["registerDeal"]["id"].is_string() => "data".to_string(),
            c => format!("{c:?}").replace("Some(\"", "").replace("\")", ""),
        };
        if got != want {
            failures.push(format!(
                "registerDeal as {role}: expected {want}, got {body}"
            ));
        }
    }
    for (roles, target, want) in DECISIONS {
        for role in roles.split(' ') {
            for (op, field, input) in [
                (APPROVE, "approveDealRegistration", json!(null)),
                (
                    REJECT,
                    "rejectDealRegistration",
                    json!({ "reason": "NOT_QUALIFIED", "note": "n" }),
                ),
            ] {
                let (who, country) = if *target == "us" {
                    ("partner", "US")
                } else {
                    ("partner2", "GB")
                };
                let domain = format!("{role}-{field}-{target}.example").to_lowercase();
                let id = register(&app, who, deal("India", &domain, country)).await;
                let body = app
                    .gql_as(role, op, json!({ "id": id, "v": 1, "i": input }))
                    .await;
                let got = outcome(&body, field);
                if got != *want {
                    failures.push(format!(
                        "{field} as {role} on {target}: expected {want}, got {got}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
