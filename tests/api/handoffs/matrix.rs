//! The authorization matrix of handoffs: every role against the `handoffs` list,
//! `node(id:)`, and each mutation on a handoff in and out of its scope. Expectations
//! are tables; each test collects every mismatch before failing.

use chrono::Utc;
use entity::{
    enums::{HandoffKind, HandoffStatus, Role},
    handoffs,
};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{LIST_Q, accept_q, cancel_q, outcome, redirect_q, reject_q, request_q};
use crate::helpers::{TestApp, code};

const ROLES: [&str; 9] = [
    "sdr", "ae", "am", "cs", "manager", "manager2", "director", "partner", "partner2",
];

/// The handoffs of the matrix: the fixture's `team1` (sdr → ae, lead `handed`), `cs`
/// (am → cs, account acme) and `team2` (ae2 → am2 of the second team, account globex).
async fn seed(app: &TestApp) -> Vec<(&'static str, Uuid)> {
    let am2 = crate::fixture::insert_user(
        &app.db,
        "am2@test.example",
        "Ann Am",
        Role::AccountManager,
        Some(app.user("manager2").id),
        None,
        true,
    )
    .await;
    let team1 = entity::handoffs::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    // The fixture's handoff has no history; give it its request event.
    entity::handoff_events::ActiveModel {
        id: Set(team1),
        handoff_id: Set(team1),
        at: Set(Utc::now()),
        actor_id: Set(app.user("sdr").id),
        from_status: Set(None),
        to_status: Set(HandoffStatus::Pending),
        to_user_id: Set(Some(app.user("ae").id)),
        reason_code: Set(None),
        note: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let mut out = vec![("team1", team1)];
    for (key, kind, from, to, account) in [
        (
            "cs",
            HandoffKind::AmToCs,
            app.user("am").id,
            app.user("cs").id,
            "acme",
        ),
        (
            "team2",
            HandoffKind::AeToAm,
            app.user("ae2").id,
            am2.id,
            "globex",
        ),
    ] {
        let now = Utc::now();
        let account = app.fx.id("Account", account);
        let id = Uuid::new_v4();
        handoffs::ActiveModel {
            id: Set(id),
            kind: Set(kind),
            status: Set(HandoffStatus::Pending),
            from_user_id: Set(from),
            to_user_id: Set(to),
            lead_id: Set(None),
            account_id: Set(Some(account)),
            opportunity_id: Set(None),
            subject_key: Set(api::domain::handoff::slot_key(kind, account)),
            note: Set("matrix".into()),
            reason_code: Set(None),
            response_note: Set(None),
            due_at: Set(now + chrono::TimeDelta::hours(24)),
            resolved_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        out.push((key, id));
    }
    out
}

/// What each role's `handoffs` list answers (the keys of `seed`), or its error code.
#[rustfmt::skip]
const READS: &[(&str, &[&str])] = &[
    ("sdr",      &["team1"]),
    ("ae",       &["team1"]),
    ("am",       &["cs"]),
    ("cs",       &["cs"]),
    ("manager",  &["cs", "team1"]),
    ("manager2", &["team2"]),
    ("director", &["cs", "team1", "team2"]),
    ("partner",  &["UNKNOWN"]),
    ("partner2", &["UNKNOWN"]),
];

#[tokio::test]
async fn handoff_read_matrix() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app).await;
    let name = |gid: &str| {
        seeded
            .iter()
            .find(|(_, id)| TestApp::gid("Handoff", *id) == gid)
            .map_or("?", |(k, _)| *k)
    };
    let mut failures = Vec::new();
    for (role, want) in READS {
        let body = app.gql_as(role, LIST_Q, json!({})).await;
        let got: Vec<&str> = match super::code_or_unknown(&body) {
            Some(c) => vec![c],
            None => {
                let mut v: Vec<&str> = body["data"]["handoffs"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| name(e["node"]["id"].as_str().unwrap()))
                    .collect();
                v.sort_unstable();
                v
            }
        };
        if got != *want {
            failures.push(format!("{role} handoffs: {got:?}, want {want:?}"));
        }
        // node(id:) finds exactly the listed ones.
        for (key, id) in &seeded {
            let body = app
                .gql_as(
                    role,
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": TestApp::gid("Handoff", *id) }),
                )
                .await;
            let found = body["errors"].is_null();
            if found != want.contains(key) {
                failures.push(format!("{role} node {key}: {}", outcome(&body)));
            }
            if !found && code(&body) != Some("NOT_FOUND") {
                failures.push(format!("{role} node {key}: {}", outcome(&body)));
            }
        }
    }
    // The request event of `team1` (its id is the handoff's) follows its handoff.
    for (role, want) in READS {
        let body = app
            .gql_as(
                role,
                "query($id: ID!) { node(id: $id) { ... on HandoffEvent { toStatus actor { email } } } }",
                json!({ "id": TestApp::gid("HandoffEvent", seeded[0].1) }),
            )
            .await;
        let found = body["errors"].is_null();
        if found != want.contains(&"team1") {
            failures.push(format!("{role} node event of team1: {}", outcome(&body)));
        }
    }
    // An account's handoffs are the ones of the caller's scope: acme has `cs`.
    for (role, want) in ACME_HANDOFFS {
        let body = app
            .gql_as(
                role,
                "query($id: ID!) { node(id: $id) { ... on Account { handoffs { totalCount } } } }",
                json!({ "id": app.fx.gid("Account", "acme") }),
            )
            .await;
        let got = match super::code_or_unknown(&body) {
            Some(c) => c.to_string(),
            None => body["data"]["node"]["handoffs"]["totalCount"].to_string(),
        };
        if got != *want {
            failures.push(format!("{role} acme handoffs: {got}, want {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `Account.handoffs` of acme: a count, or the error code when acme is out of scope.
#[rustfmt::skip]
const ACME_HANDOFFS: &[(&str, &str)] = &[
    ("sdr", "0"), ("ae", "0"), ("am", "1"), ("cs", "1"), ("manager", "1"),
    ("manager2", "NOT_FOUND"), ("director", "1"), ("partner", "UNKNOWN"), ("partner2", "UNKNOWN"),
];

/// Mutations on a pending handoff: `ok` (done), or the code (and field) of the refusal.
#[rustfmt::skip]
const ACTS: &[(&str, &str, [&str; 9])] = &[
    //  op         handoff   sdr          ae           am           cs           manager      manager2     director     partner      partner2
    ("accept",   "team1", ["FORBIDDEN", "ok",        "NOT_FOUND", "NOT_FOUND", "ok",        "NOT_FOUND", "ok",        "UNKNOWN",   "UNKNOWN"]),
    ("accept",   "team2", ["FORBIDDEN", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "ok",        "ok",        "UNKNOWN",   "UNKNOWN"]),
    ("reject",   "team1", ["FORBIDDEN", "ok",        "NOT_FOUND", "NOT_FOUND", "ok",        "NOT_FOUND", "ok",        "UNKNOWN",   "UNKNOWN"]),
    ("reject",   "cs",    ["FORBIDDEN", "NOT_FOUND", "FORBIDDEN", "ok",        "ok",        "NOT_FOUND", "ok",        "UNKNOWN",   "UNKNOWN"]),
    ("cancel",   "team1", ["ok",        "FORBIDDEN", "NOT_FOUND", "NOT_FOUND", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
    ("cancel",   "cs",    ["NOT_FOUND", "NOT_FOUND", "ok",        "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
    // Redirecting to the current recipient passes the permission, then is refused.
    ("redirect", "team1", ["FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "BAD_USER_INPUT toUserId", "NOT_FOUND", "BAD_USER_INPUT toUserId", "UNKNOWN",   "UNKNOWN"]),
    ("redirect", "team2", ["FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT toUserId", "BAD_USER_INPUT toUserId", "UNKNOWN",   "UNKNOWN"]),
];

fn act(op: &str, id: &str, to: &str) -> (String, Value) {
    match op {
        "accept" => (accept_q(), json!({ "id": id, "v": 1 })),
        "reject" => (
            reject_q(),
            json!({ "id": id, "v": 1, "r": "BAD_TIMING", "n": "later" }),
        ),
        "cancel" => (cancel_q(), json!({ "id": id, "v": 1 })),
        _ => (redirect_q(), json!({ "id": id, "v": 1, "to": to })),
    }
}

/// Every refusal runs on one server (a refusal changes nothing); every success on a
/// fresh one, so each cell starts from the same pending handoffs.
#[tokio::test]
async fn handoff_mutation_matrix() {
    let shared = TestApp::spawn().await;
    let shared_ids = seed(&shared).await;
    let mut failures = Vec::new();
    for (op, key, row) in ACTS {
        for (role, want) in ROLES.iter().zip(row) {
            let fresh;
            let (app, ids) = if *want == "ok" {
                fresh = TestApp::spawn().await;
                let ids = seed(&fresh).await;
                (&fresh, ids)
            } else {
                (&shared, shared_ids.clone())
            };
            let id = ids.iter().find(|(k, _)| k == key).unwrap().1;
            let to = entity::handoffs::Entity::find_by_id(id)
                .one(&app.db)
                .await
                .unwrap()
                .unwrap()
                .to_user_id;
            let (q, v) = act(op, &TestApp::gid("Handoff", id), &TestApp::gid("User", to));
            let before = super::audit_count(app).await;
            let body = app.gql_as(role, &q, v).await;
            let got = outcome(&body);
            if got != *want {
                failures.push(format!("{role} {op} {key}: {got}, want {want}"));
            }
            let written = super::audit_count(app).await - before;
            if (got == "ok") != (written > 0) {
                failures.push(format!("{role} {op} {key}: {written} audit events"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `requestHandoff` by every role: the kind's sender role, a subject in scope, the
/// kind's precondition and recipient rules, in that order. None of these writes.
#[rustfmt::skip]
const REQUESTS: &[(&str, &str, &str, [&str; 9])] = &[
    //  kind        subject             recipient sdr                        ae                          am                          cs                          manager      manager2     director     partner      partner2
    ("SDR_TO_AE", "Lead:sdr_own",     "ae",  ["BAD_USER_INPUT leadId", "BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
    ("SDR_TO_AE", "Lead:team2",       "ae",  ["NOT_FOUND", "BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
    ("AE_TO_AM",  "Account:acme",     "am",  ["BAD_USER_INPUT kind", "BAD_USER_INPUT accountId", "BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
    ("AE_TO_AM",  "Account:globex",   "am",  ["BAD_USER_INPUT kind", "NOT_FOUND", "BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
    ("AM_TO_CS",  "Account:acme",     "cs",  ["BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "BAD_USER_INPUT accountId", "BAD_USER_INPUT kind", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
    ("CS_TO_AM",  "Account:acme",     "sdr", ["BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "BAD_USER_INPUT toUserId", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
    ("CS_TO_AM",  "Account:globex",   "am",  ["BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "BAD_USER_INPUT kind", "NOT_FOUND", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "UNKNOWN",   "UNKNOWN"]),
];

#[tokio::test]
async fn handoff_request_matrix() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let before = super::audit_count(&app).await;
    let mut failures = Vec::new();
    for (kind, subject, to, row) in REQUESTS {
        let (ty, key) = subject.split_once(':').unwrap();
        let field = if ty == "Lead" { "leadId" } else { "accountId" };
        for (role, want) in ROLES.iter().zip(row) {
            let v = json!({ "i": {
                "kind": kind, field: app.fx.gid(ty, key),
                "toUserId": app.fx.gid("User", to), "note": "matrix"
            }});
            let body = app.gql_as(role, &request_q(), v).await;
            let got = outcome(&body);
            if got != *want {
                failures.push(format!("{role} {kind} {subject}: {got}, want {want}"));
            }
        }
    }
    assert_eq!(super::audit_count(&app).await, before);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
