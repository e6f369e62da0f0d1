//! Leads: capture, BANT qualification, status moves and disqualification.

use entity::{audit_events, leads};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::helpers::TestApp;

use super::{audit_count, data, forbidden_to, lead_q, lead_row, refused, user_gid, uuid_of};

#[tokio::test]
async fn leads_are_captured_and_qualified_with_bant() {
    let app = TestApp::spawn().await;
    let create = lead_q("createLead(input: $i)", "($i: CreateLeadInput!)");
    let qualify = lead_q(
        "qualifyLead(id: $id, input: $i)",
        "($id: ID!, $i: QualifyLeadInput!)",
    );
    let input = json!({ "i": {
        "companyName": "Buyer Inc",
        "domain": "https://Buyer.example/contact",
        "contactName": "Pat Buyer",
        "contactEmail": " Pat@Buyer.Example ",
        "country": "US",
        "industry": "Software",
        "source": "EVENT"
    }});
    for who in ["am", "cs", "partner"] {
        let body = app.gql_as(who, &create, input.clone()).await;
        forbidden_to(who, &body);
    }
    let leads_before = leads::Entity::find().count(&app.db).await.unwrap();
    let audits = audit_count(&app).await;
    for (bad, f) in [
        (json!({ "contactEmail": "not-an-email" }), "contactEmail"),
        (json!({ "contactEmail": "a@b" }), "contactEmail"),
        (json!({ "companyName": " " }), "companyName"),
        (json!({ "contactName": "" }), "contactName"),
        (json!({ "country": "United States" }), "country"),
        (json!({ "domain": "nope" }), "domain"),
        (json!({ "employeeCount": -1 }), "employeeCount"),
    ] {
        let mut i = input.clone();
        for (k, v) in bad.as_object().unwrap() {
            i["i"][k] = v.clone();
        }
        let body = app.gql_as("sdr", &create, i).await;
        refused(&body, "BAD_USER_INPUT", Some(f));
    }
    assert_eq!(
        leads::Entity::find().count(&app.db).await.unwrap(),
        leads_before
    );
    assert_eq!(audit_count(&app).await, audits);

    let body = app.gql_as("sdr", &create, input).await;
    let lead = data(&body, "createLead");
    assert_eq!(lead["owner"]["email"], "sdr@test.example");
    assert_eq!(lead["status"], "NEW");
    assert_eq!(lead["source"], "EVENT");
    assert_eq!(lead["territory"]["name"], "NA_WEST");
    assert_eq!(lead["contactEmail"], "pat@buyer.example");
    assert_eq!(lead["domain"], "buyer.example");
    assert_eq!(lead["qualification"]["complete"], false);
    assert_eq!(lead["qualification"]["answers"], json!([]));
    assert_eq!(audit_count(&app).await, audits + 1);
    let id = lead["id"].as_str().unwrap().to_string();
    // A lead in Canada lands in amer; with no country it is unassigned.
    let body = app
        .gql_as(
            "sdr",
            &create,
            json!({ "i": { "companyName": "Maple", "contactName": "M", "country": "CA" } }),
        )
        .await;
    assert_eq!(data(&body, "createLead")["territory"]["name"], "AMER");
    let body = app
        .gql_as(
            "sdr",
            &create,
            json!({ "i": { "companyName": "Void", "contactName": "V" } }),
        )
        .await;
    assert!(data(&body, "createLead")["territory"].is_null());
    assert_eq!(data(&body, "createLead")["source"], "INBOUND");

    // Qualifying needs at least one answer.
    let body = app
        .gql_as("sdr", &qualify, json!({ "id": id, "i": {} }))
        .await;
    refused(&body, "BAD_USER_INPUT", None);
    let body = app
        .gql_as(
            "sdr",
            &qualify,
            json!({ "id": id, "i": { "budget": "  " } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("budget"));
    assert_eq!(
        lead_row(&app, uuid_of(&json!(id))).await.status,
        entity::enums::LeadStatus::New
    );

    // Two answers: working on it.
    let body = app
        .gql_as(
            "sdr",
            &qualify,
            json!({ "id": id, "i": { "budget": "120k", "need": "Pipeline visibility" } }),
        )
        .await;
    let lead = data(&body, "qualifyLead");
    assert_eq!(lead["status"], "WORKING");
    assert_eq!(lead["qualification"]["complete"], false);
    assert_eq!(lead["qualification"]["budget"], "120k");
    assert!(lead["qualification"]["authority"].is_null());
    assert_eq!(
        lead["qualification"]["answers"].as_array().unwrap().len(),
        2
    );
    // The manager answers the other two: all four, so it is qualified, and each
    // answer records who gave it and when.
    let body = app
        .gql_as(
            "manager",
            &qualify,
            json!({ "id": id, "i": { "authority": "VP Sales", "timeline": "This quarter" } }),
        )
        .await;
    let lead = data(&body, "qualifyLead");
    assert_eq!(lead["status"], "QUALIFIED");
    let q = &lead["qualification"];
    assert_eq!(q["complete"], true);
    let answers = q["answers"].as_array().unwrap();
    let by: Vec<(&str, &str)> = answers
        .iter()
        .map(|a| {
            (
                a["criterion"].as_str().unwrap(),
                a["answeredBy"]["email"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by,
        [
            ("BUDGET", "sdr@test.example"),
            ("AUTHORITY", "manager@test.example"),
            ("NEED", "sdr@test.example"),
            ("TIMELINE", "manager@test.example"),
        ]
    );
    for a in answers {
        let at = a["answeredAt"].as_str().unwrap_or_else(|| panic!("{a}"));
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
    assert_eq!(answers[3]["answer"], "This quarter");
    // Audit: create + two qualifications, with the status change recorded.
    assert_eq!(audit_count(&app).await, audits + 5);
    let ev = audit_events::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "qualifyLead")
        .find(|e| e.actor_id == Some(app.user("manager").id))
        .unwrap();
    assert_eq!(ev.changes["status"]["before"], "WORKING");
    assert_eq!(ev.changes["status"]["after"], "QUALIFIED");

    // Bad email on update is refused too, and leaves the lead as it was.
    let before = lead_row(&app, uuid_of(&json!(id))).await;
    let body = app
        .gql_as(
            "sdr",
            &lead_q(
                "updateLead(id: $id, input: $i)",
                "($id: ID!, $i: UpdateLeadInput!)",
            ),
            json!({ "id": id, "i": { "contactEmail": "pat at buyer" } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("contactEmail"));
    assert_eq!(lead_row(&app, uuid_of(&json!(id))).await, before);
    // Scope: the sdr's new lead is theirs; ae2's manager does not see it.
    let body = app
        .gql_as(
            "manager2",
            &qualify,
            json!({ "id": id, "i": { "budget": "x" } }),
        )
        .await;
    refused(&body, "NOT_FOUND", None);
}

#[tokio::test]
async fn lead_status_moves_and_disqualification() {
    let app = TestApp::spawn().await;
    let id = app.fx.gid("Lead", "sdr_own");
    let uuid = app.fx.id("Lead", "sdr_own");
    let disqualify = lead_q(
        "disqualifyLead(id: $id, reason: $r)",
        "($id: ID!, $r: String!)",
    );
    let qualify = lead_q(
        "qualifyLead(id: $id, input: $i)",
        "($id: ID!, $i: QualifyLeadInput!)",
    );
    let update = lead_q(
        "updateLead(id: $id, input: $i)",
        "($id: ID!, $i: UpdateLeadInput!)",
    );
    let before = lead_row(&app, uuid).await;
    let audits = audit_count(&app).await;
    // A reason is required.
    for r in ["", "   "] {
        let body = app
            .gql_as("sdr", &disqualify, json!({ "id": id, "r": r }))
            .await;
        refused(&body, "BAD_USER_INPUT", Some("reason"));
    }
    // Other roles / scopes.
    let body = app
        .gql_as("am", &disqualify, json!({ "id": id, "r": "No" }))
        .await;
    refused(&body, "FORBIDDEN", None);
    let body = app
        .gql_as("manager2", &disqualify, json!({ "id": id, "r": "No" }))
        .await;
    refused(&body, "NOT_FOUND", None);
    // Status moves that have their own mutations are refused by updateLead.
    for status in ["QUALIFIED", "DISQUALIFIED", "CONVERTED"] {
        let body = app
            .gql_as(
                "sdr",
                &update,
                json!({ "id": id, "i": { "status": status } }),
            )
            .await;
        refused(&body, "INVALID_STATE_TRANSITION", None);
    }
    assert_eq!(lead_row(&app, uuid).await, before);
    assert_eq!(audit_count(&app).await, audits);

    let body = app
        .gql_as(
            "sdr",
            &disqualify,
            json!({ "id": id, "r": " Chose a competitor " }),
        )
        .await;
    let lead = data(&body, "disqualifyLead");
    assert_eq!(lead["status"], "DISQUALIFIED");
    assert_eq!(lead["disqualifyReason"], "Chose a competitor");
    assert_eq!(audit_count(&app).await, audits + 1);
    let disqualified = lead_row(&app, uuid).await;

    // A disqualified lead cannot be qualified, disqualified again or jump to QUALIFIED.
    let body = app
        .gql_as(
            "sdr",
            &qualify,
            json!({ "id": id, "i": { "budget": "50k" } }),
        )
        .await;
    refused(&body, "INVALID_STATE_TRANSITION", None);
    let body = app
        .gql_as("sdr", &disqualify, json!({ "id": id, "r": "Again" }))
        .await;
    refused(&body, "INVALID_STATE_TRANSITION", None);
    let body = app
        .gql_as(
            "sdr",
            &update,
            json!({ "id": id, "i": { "status": "QUALIFIED" } }),
        )
        .await;
    refused(&body, "INVALID_STATE_TRANSITION", None);
    assert_eq!(lead_row(&app, uuid).await, disqualified);
    assert_eq!(audit_count(&app).await, audits + 1);

    // Reopening: WORKING through updateLead, then it can be qualified.
    let body = app
        .gql_as(
            "sdr",
            &update,
            json!({ "id": id, "i": { "status": "WORKING" } }),
        )
        .await;
    assert_eq!(data(&body, "updateLead")["status"], "WORKING");
    let body = app
        .gql_as(
            "sdr",
            &qualify,
            json!({ "id": id, "i": { "budget": "50k", "authority": "CEO", "need": "CRM", "timeline": "Q4" } }),
        )
        .await;
    let lead = data(&body, "qualifyLead");
    assert_eq!(lead["status"], "QUALIFIED");
    assert_eq!(lead["qualification"]["complete"], true);
    // A qualified lead can still be disqualified, with a reason.
    let body = app
        .gql_as(
            "manager",
            &disqualify,
            json!({ "id": id, "r": "Budget cut" }),
        )
        .await;
    assert_eq!(data(&body, "disqualifyLead")["status"], "DISQUALIFIED");
    assert_eq!(audit_count(&app).await, audits + 4);
    // Other edits through updateLead.
    let body = app
        .gql_as(
            "sdr",
            &update,
            json!({ "id": app.fx.gid("Lead", "unowned_amer"), "i": { "ownerId": user_gid(&app, "sdr"), "companyName": "Claimed" } }),
        )
        .await;
    let lead = data(&body, "updateLead");
    assert_eq!(lead["owner"]["email"], "sdr@test.example");
    assert_eq!(lead["companyName"], "Claimed");
    // An SDR cannot hand a lead to someone else.
    let body = app
        .gql_as(
            "sdr",
            &update,
            json!({ "id": app.fx.gid("Lead", "unowned_amer"), "i": { "ownerId": user_gid(&app, "ae2") } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("ownerId"));
}
