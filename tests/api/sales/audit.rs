//! The audit trail: readers see the events of rows in their scope, others are refused.

use serde_json::json;

use crate::helpers::TestApp;

use super::{LOG, data, forbidden_to, refused, set, update_account_q, user_gid};

const AUDIT: &str = "query($f: AuditFilterInput) { auditEvents(first: 100, filter: $f) { totalCount nodes { id at action entityType entityId actor { email } changes } } }";

#[tokio::test]
async fn the_audit_log_is_scoped_to_the_team() {
    let app = TestApp::spawn().await;
    let q = update_account_q();
    let (acme, globex) = (
        app.fx.gid("Account", "acme"),
        app.fx.gid("Account", "globex"),
    );
    // One change each by ae (manager's team), ae2 (manager2's team) and the director.
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "id": acme, "i": { "name": "Acme by AE" } }),
        )
        .await;
    data(&body, "updateAccount");
    let body = app
        .gql_as(
            "ae2",
            &q,
            json!({ "id": globex, "i": { "name": "Globex by AE2" } }),
        )
        .await;
    data(&body, "updateAccount");
    let body = app
        .gql_as(
            "director",
            &q,
            json!({ "id": acme, "i": { "lifecycle": "CHURNED" } }),
        )
        .await;
    data(&body, "updateAccount");
    let body = app
        .gql_as(
            "sdr",
            LOG,
            json!({ "i": { "kind": "EMAIL", "summary": "Intro", "leadId": app.fx.gid("Lead", "sdr_own") } }),
        )
        .await;
    let activity = data(&body, "logActivity")["id"].clone();

    // The director sees everything, newest first, with actor and changes.
    let body = app.gql_as("director", AUDIT, json!({})).await;
    let all = data(&body, "auditEvents");
    assert_eq!(all["totalCount"], 4, "{body}");
    let nodes = all["nodes"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = nodes
        .iter()
        .map(|n| {
            (
                n["action"].as_str().unwrap(),
                n["entityType"].as_str().unwrap(),
                n["actor"]["email"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("logActivity", "Activity", "sdr@test.example"),
            ("updateAccount", "Account", "director@test.example"),
            ("updateAccount", "Account", "ae2@test.example"),
            ("updateAccount", "Account", "ae@test.example"),
        ]
    );
    assert_eq!(nodes[0]["entityId"], activity);
    assert_eq!(nodes[1]["entityId"], json!(acme));
    assert_eq!(
        nodes[1]["changes"]["lifecycle"],
        json!({ "before": "CUSTOMER", "after": "CHURNED" })
    );
    assert_eq!(
        nodes[2]["changes"]["name"],
        json!({ "before": "GLOBEX Corp", "after": "Globex by AE2" })
    );
    assert_eq!(nodes[3]["changes"]["name"]["after"], "Acme by AE");
    let times: Vec<&str> = nodes.iter().map(|n| n["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    // A manager sees the events about rows in their scope, whoever acted (§1).
    let body = app.gql_as("manager", AUDIT, json!({})).await;
    let mine = data(&body, "auditEvents");
    assert_eq!(mine["totalCount"], 3, "{body}");
    let actors = set(
        &json!({ "nodes": mine["nodes"].as_array().unwrap().iter().map(|n| n["actor"].clone()).collect::<Vec<_>>() }),
        "email",
    );
    assert_eq!(
        actors,
        [
            "ae@test.example",
            "director@test.example",
            "sdr@test.example"
        ]
    );
    let body = app.gql_as("manager2", AUDIT, json!({})).await;
    let theirs = data(&body, "auditEvents");
    assert_eq!(theirs["totalCount"], 1, "{body}");
    assert_eq!(theirs["nodes"][0]["actor"]["email"], "ae2@test.example");
    assert_eq!(theirs["nodes"][0]["entityId"], json!(globex));
    // Filters cannot widen it: the manager asking for globex's events gets none.
    let body = app
        .gql_as("manager", AUDIT, json!({ "f": { "entityId": globex } }))
        .await;
    assert_eq!(data(&body, "auditEvents")["totalCount"], 0);
    let body = app
        .gql_as(
            "manager",
            AUDIT,
            json!({ "f": { "actorId": user_gid(&app, "ae2") } }),
        )
        .await;
    assert_eq!(data(&body, "auditEvents")["totalCount"], 0);
    // Filter by entity.
    let body = app
        .gql_as("director", AUDIT, json!({ "f": { "entityId": acme } }))
        .await;
    let acme_events = data(&body, "auditEvents");
    assert_eq!(acme_events["totalCount"], 2);
    assert!(
        acme_events["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["entityId"] == json!(acme))
    );
    let body = app
        .gql_as("manager", AUDIT, json!({ "f": { "entityId": acme } }))
        .await;
    let acme_for_manager = data(&body, "auditEvents");
    assert_eq!(acme_for_manager["totalCount"], 2);
    assert_eq!(
        acme_for_manager["nodes"][1]["actor"]["email"],
        "ae@test.example"
    );
    let body = app
        .gql_as(
            "director",
            AUDIT,
            json!({ "f": { "entityType": "Activity", "action": "logActivity" } }),
        )
        .await;
    assert_eq!(data(&body, "auditEvents")["totalCount"], 1);
    // The events are nodes too, within the same scope.
    let globex_event = theirs["nodes"][0]["id"].clone();
    let node = "query($id: ID!) { node(id: $id) { id ... on AuditEvent { action } } }";
    let body = app
        .gql_as("manager2", node, json!({ "id": globex_event }))
        .await;
    assert_eq!(data(&body, "node")["action"], "updateAccount");
    let body = app
        .gql_as("manager", node, json!({ "id": globex_event }))
        .await;
    refused(&body, "NOT_FOUND", None);
    // Everyone else is refused the log.
    for who in ["sdr", "ae", "am", "cs", "partner"] {
        let body = app.gql_as(who, AUDIT, json!({})).await;
        forbidden_to(who, &body);
    }
}
