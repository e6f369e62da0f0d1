//! Activities: logged against exactly one target the actor can see.

use entity::activities;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::helpers::TestApp;

use super::{LOG, audit_count, data, list, refused};

#[tokio::test]
async fn activities_are_logged_against_exactly_one_visible_target() {
    let app = TestApp::spawn().await;
    let acme = app.fx.gid("Account", "acme");
    let body = app
        .gql_as(
            "ae",
            LOG,
            json!({ "i": { "kind": "MEETING", "summary": " Quarterly business review ", "accountId": acme } }),
        )
        .await;
    let a = data(&body, "logActivity");
    assert_eq!(a["kind"], "MEETING");
    assert_eq!(a["summary"], "Quarterly business review");
    assert_eq!(a["actor"]["email"], "ae@test.example");
    assert_eq!(a["account"]["name"], "ACME Corp");
    assert!(a["lead"].is_null() && a["opportunity"].is_null());
    let id = a["id"].as_str().unwrap().to_string();

    // In the activities list (newest first), in the account's activities, and by node.
    let body = app
        .gql_as(
            "ae",
            "{ activities { totalCount nodes { id summary } } }",
            json!({}),
        )
        .await;
    let conn = data(&body, "activities");
    assert_eq!(list(conn, "id")[0], id);
    assert_eq!(conn["totalCount"], 2);
    let body = app
        .gql_as(
            "ae",
            "query($a: ID) { activities(filter: { accountId: $a, kind: [MEETING] }) { totalCount nodes { id } } }",
            json!({ "a": acme }),
        )
        .await;
    assert_eq!(
        list(data(&body, "activities"), "id"),
        std::slice::from_ref(&id)
    );
    let body = app
        .gql_as(
            "cs",
            "query($id: ID!) { node(id: $id) { ... on Account { activities { totalCount nodes { id summary actor { email } } } } } }",
            json!({ "id": acme }),
        )
        .await;
    let acts = &data(&body, "node")["activities"];
    assert_eq!(acts["totalCount"], 2);
    assert!(list(acts, "id").contains(&id));
    let node =
        "query($id: ID!) { node(id: $id) { id ... on Activity { summary account { name } } } }";
    let body = app.gql_as("manager", node, json!({ "id": id })).await;
    assert_eq!(data(&body, "node")["summary"], "Quarterly business review");
    for who in ["ae2", "manager2"] {
        let body = app.gql_as(who, node, json!({ "id": id })).await;
        refused(&body, "NOT_FOUND", None);
    }
    // Partners have no Activity type; the bare id is as unknown as a random one.
    let body = app.gql_as("partner", node, json!({ "id": id })).await;
    refused(&body, "UNKNOWN", None);
    let bare = "query($id: ID!) { node(id: $id) { id } }";
    let body = app.gql_as("partner", bare, json!({ "id": id })).await;
    refused(&body, "NOT_FOUND", None);

    // On a lead and on an opportunity.
    let body = app
        .gql_as(
            "sdr",
            LOG,
            json!({ "i": { "kind": "CALL", "summary": "Left a voicemail", "leadId": app.fx.gid("Lead", "sdr_own") } }),
        )
        .await;
    assert_eq!(
        data(&body, "logActivity")["lead"]["companyName"],
        "Lead sdr_own"
    );
    let body = app
        .gql_as(
            "ae",
            LOG,
            json!({ "i": { "kind": "DEMO", "summary": "Demo", "opportunityId": app.fx.gid("Opportunity", "ae"), "occurredAt": "2026-01-15T10:00:00Z" } }),
        )
        .await;
    let a = data(&body, "logActivity");
    assert_eq!(a["opportunity"]["name"], "Deal ae");
    assert_eq!(a["occurredAt"], "2026-01-15T10:00:00+00:00");

    // Refusals change nothing.
    let acts_before = activities::Entity::find().count(&app.db).await.unwrap();
    let audits = audit_count(&app).await;
    let opp = app.fx.gid("Opportunity", "ae");
    for (who, i, expected, f) in [
        (
            "ae",
            json!({ "kind": "NOTE", "summary": "Nowhere" }),
            "BAD_USER_INPUT",
            None,
        ),
        (
            "ae",
            json!({ "kind": "NOTE", "summary": "Twice", "accountId": acme, "opportunityId": opp }),
            "BAD_USER_INPUT",
            None,
        ),
        (
            "ae",
            json!({ "kind": "NOTE", "summary": "Thrice", "accountId": acme, "opportunityId": opp, "leadId": app.fx.gid("Lead", "handed") }),
            "BAD_USER_INPUT",
            None,
        ),
        (
            "ae",
            json!({ "kind": "NOTE", "summary": "Not mine", "accountId": app.fx.gid("Account", "globex") }),
            "BAD_USER_INPUT",
            Some("accountId"),
        ),
        (
            "ae",
            json!({ "kind": "NOTE", "summary": "Not mine", "opportunityId": app.fx.gid("Opportunity", "ae2") }),
            "BAD_USER_INPUT",
            Some("opportunityId"),
        ),
        (
            "sdr",
            json!({ "kind": "NOTE", "summary": "Not mine", "leadId": app.fx.gid("Lead", "team2") }),
            "BAD_USER_INPUT",
            Some("leadId"),
        ),
        (
            "ae",
            json!({ "kind": "NOTE", "summary": "  ", "accountId": acme }),
            "BAD_USER_INPUT",
            Some("summary"),
        ),
        (
            "ae",
            json!({ "kind": "NOTE", "summary": "Wrong type", "accountId": opp }),
            "BAD_USER_INPUT",
            Some("accountId"),
        ),
        (
            "partner",
            json!({ "kind": "NOTE", "summary": "Hello", "opportunityId": app.fx.gid("Opportunity", "partner") }),
            "UNKNOWN",
            None,
        ),
    ] {
        let body = app.gql_as(who, LOG, json!({ "i": i })).await;
        refused(&body, expected, f);
    }
    assert_eq!(
        activities::Entity::find().count(&app.db).await.unwrap(),
        acts_before
    );
    assert_eq!(audit_count(&app).await, audits);
    let body = app
        .gql_as("partner", "{ activities { totalCount } }", json!({}))
        .await;
    refused(&body, "UNKNOWN", None);
}
