//! Opportunities: territory credit, optimistic locking, closing, validation, filters.

use entity::{audit_events, opportunities};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, code};

use super::{audit_count, data, list, refused, set, update_account_q, user_gid, uuid_of};

const OPP_FIELDS: &str = "id name stage amount closeDate probability forecastCategory version lostReason closedAt type owner { email } territory { name } account { name }";

fn create_opp_q() -> String {
    format!(
        "mutation($i: CreateOpportunityInput!) {{ createOpportunity(input: $i) {{ {OPP_FIELDS} }} }}"
    )
}

fn update_opp_q() -> String {
    format!(
        "mutation($id: ID!, $v: Int!, $i: UpdateOpportunityInput!) {{ updateOpportunity(id: $id, version: $v, input: $i) {{ {OPP_FIELDS} }} }}"
    )
}

fn close_opp_q() -> String {
    format!(
        "mutation($id: ID!, $v: Int!, $i: CloseOpportunityInput!) {{ closeOpportunity(id: $id, version: $v, input: $i) {{ {OPP_FIELDS} }} }}"
    )
}

async fn opp_row(app: &TestApp, id: Uuid) -> opportunities::Model {
    opportunities::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

fn new_opp(account: &str, name: &str, amount: &str, close: &str) -> Value {
    json!({ "i": { "accountId": account, "name": name, "type": "NEW_BUSINESS", "amount": amount, "closeDate": close } })
}

#[tokio::test]
async fn an_opportunity_keeps_the_territory_it_was_credited_to() {
    let app = TestApp::spawn().await;
    let acme = app.fx.gid("Account", "acme");
    let body = app
        .gql_as(
            "ae",
            &create_opp_q(),
            new_opp(&acme, "Acme platform", "25000", "2026-09-30"),
        )
        .await;
    let o = data(&body, "createOpportunity");
    assert_eq!(o["territory"]["name"], "NA_WEST");
    assert_eq!(o["stage"], "PROSPECTING");
    assert_eq!(o["probability"], 10);
    assert_eq!(o["forecastCategory"], "PIPELINE");
    assert_eq!(o["version"], 1);
    assert_eq!(o["owner"]["email"], "ae@test.example");
    assert_eq!(o["account"]["name"], "ACME Corp");
    assert_eq!(o["amount"], "25000.00");
    assert_eq!(o["closeDate"], "2026-09-30");
    assert_eq!(o["type"], "NEW_BUSINESS");
    assert!(o["closedAt"].is_null());
    let id = o["id"].as_str().unwrap().to_string();

    // Realign the account: the opportunity's credit does not move.
    let body = app
        .gql_as(
            "director",
            &update_account_q(),
            json!({ "id": acme, "i": { "territoryId": app.fx.gid("Territory", "emea") } }),
        )
        .await;
    assert_eq!(data(&body, "updateAccount")["territory"]["name"], "EMEA");
    let get = "query($id: ID!) { node(id: $id) { ... on Opportunity { territory { name } account { territory { name } } } } }";
    let body = app.gql_as("director", get, json!({ "id": id })).await;
    let n = data(&body, "node");
    assert_eq!(n["territory"]["name"], "NA_WEST");
    assert_eq!(n["account"]["territory"]["name"], "EMEA");
    let row = opp_row(&app, uuid_of(&json!(id))).await;
    assert_eq!(row.territory_id, Some(app.fx.id("Territory", "na_west")));
    // Updating it later does not re-credit it either.
    let body = app
        .gql_as(
            "ae",
            &update_opp_q(),
            json!({ "id": id, "v": 1, "i": { "stage": "DISCOVERY" } }),
        )
        .await;
    assert_eq!(
        data(&body, "updateOpportunity")["territory"]["name"],
        "NA_WEST"
    );
    // The territory filter follows the credit.
    let body = app
        .gql_as(
            "director",
            "query($t: ID) { opportunities(filter: { territoryId: $t }) { nodes { name } } }",
            json!({ "t": app.fx.gid("Territory", "na_west") }),
        )
        .await;
    assert_eq!(
        set(data(&body, "opportunities"), "name"),
        ["Acme platform", "Deal ae", "Deal am"]
    );
    // A new opportunity on the realigned account is credited to its new territory.
    let body = app
        .gql_as(
            "director",
            &create_opp_q(),
            new_opp(&acme, "Acme EMEA rollout", "1000", "2026-10-01"),
        )
        .await;
    assert_eq!(
        data(&body, "createOpportunity")["territory"]["name"],
        "EMEA"
    );

    // Who may create, and where.
    let opps_before = opportunities::Entity::find().count(&app.db).await.unwrap();
    let audits = audit_count(&app).await;
    let body = app
        .gql_as(
            "sdr",
            &create_opp_q(),
            new_opp(&acme, "X", "1", "2026-01-01"),
        )
        .await;
    refused(&body, "FORBIDDEN", None);
    let body = app
        .gql_as(
            "partner",
            &create_opp_q(),
            new_opp(&acme, "X", "1", "2026-01-01"),
        )
        .await;
    refused(&body, "UNKNOWN", None);
    let body = app
        .gql_as(
            "ae",
            &create_opp_q(),
            new_opp(&app.fx.gid("Account", "globex"), "X", "1", "2026-01-01"),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("accountId"));
    let mut closed = new_opp(&acme, "X", "1", "2026-01-01");
    closed["i"]["stage"] = json!("CLOSED_WON");
    let body = app.gql_as("ae", &create_opp_q(), closed).await;
    refused(&body, "BAD_USER_INPUT", Some("stage"));
    let mut other_owner = new_opp(&acme, "X", "1", "2026-01-01");
    other_owner["i"]["ownerId"] = json!(user_gid(&app, "am"));
    let body = app.gql_as("ae", &create_opp_q(), other_owner).await;
    refused(&body, "FORBIDDEN", None);
    assert_eq!(
        opportunities::Entity::find().count(&app.db).await.unwrap(),
        opps_before
    );
    assert_eq!(audit_count(&app).await, audits);
}

#[tokio::test]
async fn opportunity_updates_use_optimistic_locking() {
    let app = TestApp::spawn().await;
    let id = app.fx.gid("Opportunity", "ae");
    let uuid = app.fx.id("Opportunity", "ae");
    let q = update_opp_q();
    // Move back to PROPOSAL: the stage's defaults come with it.
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "id": id, "v": 1, "i": { "stage": "PROPOSAL" } }),
        )
        .await;
    let o = data(&body, "updateOpportunity");
    assert_eq!(o["stage"], "PROPOSAL");
    assert_eq!(o["probability"], 50);
    assert_eq!(o["forecastCategory"], "BEST_CASE");
    assert_eq!(o["version"], 2);
    let after_first = opp_row(&app, uuid).await;
    let audits = audit_count(&app).await;

    // A stale version is a conflict, and nothing changes.
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "id": id, "v": 1, "i": { "name": "Stale write", "stage": "NEGOTIATION" } }),
        )
        .await;
    refused(&body, "CONFLICT", None);
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "id": id, "v": 3, "i": { "name": "Future write" } }),
        )
        .await;
    refused(&body, "CONFLICT", None);
    // Invalid overrides for an open stage.
    for (i, f) in [
        (json!({ "probability": 100 }), "probability"),
        (json!({ "probability": 0 }), "probability"),
        (
            json!({ "stage": "DISCOVERY", "probability": 100 }),
            "probability",
        ),
        (json!({ "forecastCategory": "CLOSED" }), "forecastCategory"),
        (json!({ "amount": "-5" }), "amount"),
        (json!({ "amount": "1.005" }), "amount"),
        (json!({ "name": " " }), "name"),
    ] {
        let body = app
            .gql_as("ae", &q, json!({ "id": id, "v": 2, "i": i }))
            .await;
        refused(&body, "BAD_USER_INPUT", Some(f));
    }
    // Closing goes through closeOpportunity.
    for stage in ["CLOSED_WON", "CLOSED_LOST"] {
        let body = app
            .gql_as(
                "ae",
                &q,
                json!({ "id": id, "v": 2, "i": { "stage": stage } }),
            )
            .await;
        refused(&body, "INVALID_STATE_TRANSITION", None);
    }
    // Reassigning takes a manager.
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "id": id, "v": 2, "i": { "ownerId": user_gid(&app, "am") } }),
        )
        .await;
    refused(&body, "FORBIDDEN", None);
    // Out of scope.
    let body = app
        .gql_as(
            "ae2",
            &q,
            json!({ "id": id, "v": 2, "i": { "name": "Mine" } }),
        )
        .await;
    refused(&body, "NOT_FOUND", None);
    assert_eq!(opp_row(&app, uuid).await, after_first);
    assert_eq!(audit_count(&app).await, audits);

    // A valid override on an open stage; version moves on.
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "id": id, "v": 2, "i": { "probability": 65, "forecastCategory": "COMMIT", "amount": "61000.10", "closeDate": "2026-11-30" } }),
        )
        .await;
    let o = data(&body, "updateOpportunity");
    assert_eq!(o["stage"], "PROPOSAL");
    assert_eq!(o["probability"], 65);
    assert_eq!(o["forecastCategory"], "COMMIT");
    assert_eq!(o["amount"], "61000.10");
    assert_eq!(o["closeDate"], "2026-11-30");
    assert_eq!(o["version"], 3);
    // The manager may reassign within the team.
    let body = app
        .gql_as(
            "manager",
            &q,
            json!({ "id": id, "v": 3, "i": { "ownerId": user_gid(&app, "am") } }),
        )
        .await;
    let o = data(&body, "updateOpportunity");
    assert_eq!(o["owner"]["email"], "am@test.example");
    assert_eq!(o["version"], 4);
    let body = app
        .gql_as(
            "manager",
            &q,
            json!({ "id": id, "v": 4, "i": { "ownerId": user_gid(&app, "ae2") } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("ownerId"));
    assert_eq!(audit_count(&app).await, audits + 2);
    let ev = audit_events::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "updateOpportunity" && e.entity_id == uuid)
        .find(|e| {
            e.changes
                .get("probability")
                .is_some_and(|p| p["after"] == 65)
        })
        .unwrap();
    assert_eq!(ev.changes["probability"]["before"], 50);
    assert_eq!(ev.changes["version"]["before"], 2);
    assert_eq!(ev.changes["version"]["after"], 3);
    assert_eq!(ev.changes["amountCents"]["after"], 6_100_010);
}

#[tokio::test]
async fn concurrent_updates_with_one_version_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let id = app.fx.gid("Opportunity", "ae");
    let uuid = app.fx.id("Opportunity", "ae");
    let q = update_opp_q();
    // The AE in a real session, and their manager, act on the same version at once.
    let login = app.login("ae@test.example", PASSWORD).await;
    let ae = data(&login, "login")["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let manager = app.token("manager");
    for version in 1..=5 {
        let a = app.gql(
            &q,
            json!({ "id": id, "v": version, "i": { "name": format!("A{version}") } }),
            Some(&ae),
        );
        let b = app.gql(
            &q,
            json!({ "id": id, "v": version, "i": { "name": format!("B{version}") } }),
            Some(&manager),
        );
        let (a, b) = tokio::join!(a, b);
        let winners: Vec<&Value> = [&a, &b]
            .into_iter()
            .filter(|r| r["errors"].is_null())
            .collect();
        assert_eq!(winners.len(), 1, "version {version}: {a} / {b}");
        let loser = if a["errors"].is_null() { &b } else { &a };
        assert_eq!(code(loser), Some("CONFLICT"), "version {version}: {loser}");
        let winner = &winners[0]["data"]["updateOpportunity"];
        assert_eq!(winner["version"], version + 1);
        let row = opp_row(&app, uuid).await;
        assert_eq!(row.version, version + 1);
        assert_eq!(json!(row.name), winner["name"]);
    }
    // Exactly one audit event per winning write.
    let n = audit_events::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "updateOpportunity" && e.entity_id == uuid)
        .count();
    assert_eq!(n, 5);
}

#[tokio::test]
async fn closing_an_opportunity_is_final() {
    let app = TestApp::spawn().await;
    let id = app.fx.gid("Opportunity", "ae");
    let uuid = app.fx.id("Opportunity", "ae");
    let close = close_opp_q();
    let before = opp_row(&app, uuid).await;
    let audits = audit_count(&app).await;
    for (i, f) in [
        (json!({ "outcome": "LOST" }), "lostReason"),
        (
            json!({ "outcome": "LOST", "lostReason": "  " }),
            "lostReason",
        ),
        (
            json!({ "outcome": "WON", "lostReason": "Price" }),
            "lostReason",
        ),
        (json!({ "outcome": "WON", "amount": "-1" }), "amount"),
    ] {
        let body = app
            .gql_as("ae", &close, json!({ "id": id, "v": 1, "i": i }))
            .await;
        refused(&body, "BAD_USER_INPUT", Some(f));
    }
    let body = app
        .gql_as(
            "ae",
            &close,
            json!({ "id": id, "v": 7, "i": { "outcome": "WON" } }),
        )
        .await;
    refused(&body, "CONFLICT", None);
    let body = app
        .gql_as(
            "sdr",
            &close,
            json!({ "id": id, "v": 1, "i": { "outcome": "WON" } }),
        )
        .await;
    refused(&body, "FORBIDDEN", None);
    assert_eq!(opp_row(&app, uuid).await, before);
    assert_eq!(audit_count(&app).await, audits);

    let body = app
        .gql_as(
            "ae",
            &close,
            json!({ "id": id, "v": 1, "i": { "outcome": "WON", "amount": "52000", "closeDate": "2026-06-01" } }),
        )
        .await;
    let o = data(&body, "closeOpportunity");
    assert_eq!(o["stage"], "CLOSED_WON");
    assert_eq!(o["probability"], 100);
    assert_eq!(o["forecastCategory"], "CLOSED");
    assert_eq!(o["amount"], "52000.00");
    assert_eq!(o["closeDate"], "2026-06-01");
    assert_eq!(o["version"], 2);
    assert!(o["closedAt"].is_string(), "{body}");
    assert!(o["lostReason"].is_null());
    let won = opp_row(&app, uuid).await;
    assert_eq!(audit_count(&app).await, audits + 1);

    // Closed opportunities cannot be silently reopened, changed or closed again.
    let update = update_opp_q();
    for (q, i) in [
        (&update, json!({ "stage": "NEGOTIATION" })),
        (&update, json!({ "name": "Renamed" })),
        (&update, json!({ "amount": "1" })),
        (
            &close,
            json!({ "outcome": "LOST", "lostReason": "Changed mind" }),
        ),
        (&close, json!({ "outcome": "WON" })),
    ] {
        let body = app
            .gql_as("ae", q, json!({ "id": id, "v": 2, "i": i }))
            .await;
        refused(&body, "INVALID_STATE_TRANSITION", None);
    }
    let body = app
        .gql_as(
            "director",
            &update,
            json!({ "id": id, "v": 2, "i": { "stage": "PROSPECTING" } }),
        )
        .await;
    refused(&body, "INVALID_STATE_TRANSITION", None);
    assert_eq!(opp_row(&app, uuid).await, won);
    assert_eq!(audit_count(&app).await, audits + 1);

    // Lost, with a reason: probability 0, omitted from the forecast; today by default.
    let body = app
        .gql_as(
            "am",
            &close,
            json!({ "id": app.fx.gid("Opportunity", "am"), "v": 1, "i": { "outcome": "LOST", "lostReason": " Went with a competitor " } }),
        )
        .await;
    let o = data(&body, "closeOpportunity");
    assert_eq!(o["stage"], "CLOSED_LOST");
    assert_eq!(o["probability"], 0);
    assert_eq!(o["forecastCategory"], "OMITTED");
    assert_eq!(o["lostReason"], "Went with a competitor");
    assert_eq!(
        o["closeDate"],
        json!(chrono::Utc::now().date_naive().to_string())
    );
    // The closed deals are found by stage.
    let body = app
        .gql_as(
            "director",
            "{ opportunities(filter: { stage: [CLOSED_WON, CLOSED_LOST] }) { nodes { name stage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        set(data(&body, "opportunities"), "name"),
        ["Deal ae", "Deal am"]
    );
}

#[tokio::test]
async fn opportunity_inputs_are_validated_before_anything_is_written() {
    let app = TestApp::spawn().await;
    let acme = app.fx.gid("Account", "acme");
    let q = create_opp_q();
    let opps_before = opportunities::Entity::find().count(&app.db).await.unwrap();
    let audits = audit_count(&app).await;
    for (amount, f) in [
        ("-5", "amount"),
        ("1.005", "amount"),
        ("1000000000000001", "amount"),
    ] {
        let body = app
            .gql_as("ae", &q, new_opp(&acme, "Bad amount", amount, "2026-09-30"))
            .await;
        refused(&body, "BAD_USER_INPUT", Some(f));
    }
    // Not a decimal or not a date at all: refused by the schema.
    for (amount, date) in [
        ("12abc", "2026-09-30"),
        ("100", "2026-13-45"),
        ("100", "30/09/2026"),
    ] {
        let body = app
            .gql_as("ae", &q, new_opp(&acme, "Bad input", amount, date))
            .await;
        refused(&body, "BAD_USER_INPUT", None);
    }
    let body = app
        .gql_as(
            "ae",
            "mutation { createOpportunity(input: { accountId: \"x\", name: \"n\", type: NEW_BUSINESS, amount: \"1\", closeDate: \"2026-13-45\" }) { id } }",
            json!({}),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", None);
    for (i, f) in [
        (json!({ "probability": 100 }), "probability"),
        (json!({ "forecastCategory": "CLOSED" }), "forecastCategory"),
        (json!({ "name": "" }), "name"),
        (json!({ "accountId": "garbage" }), "accountId"),
        (
            json!({ "accountId": app.fx.gid("Lead", "sdr_own") }),
            "accountId",
        ),
        (
            json!({ "sourcedById": user_gid(&app, "ae") }),
            "sourcedById",
        ),
    ] {
        let mut input = new_opp(&acme, "Bad", "100", "2026-09-30");
        for (k, v) in i.as_object().unwrap() {
            input["i"][k] = v.clone();
        }
        let body = app.gql_as("ae", &q, input).await;
        refused(&body, "BAD_USER_INPUT", Some(f));
    }
    assert_eq!(
        opportunities::Entity::find().count(&app.db).await.unwrap(),
        opps_before
    );
    assert_eq!(audit_count(&app).await, audits);
    // Page size is bounded.
    for (args, f) in [
        ("first: 1000", "first"),
        ("last: 101", "last"),
        ("first: -1", "first"),
    ] {
        let body = app
            .gql_as(
                "director",
                &format!("{{ opportunities({args}) {{ totalCount }} }}"),
                json!({}),
            )
            .await;
        refused(&body, "BAD_USER_INPUT", Some(f));
    }
    let body = app
        .gql_as(
            "director",
            "{ opportunities(filter: { amountMin: \"-1\" }) { totalCount } }",
            json!({}),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("amountMin"));
    // A good one, with a sourcing SDR and a probability override.
    let mut input = new_opp(&acme, "Good", "0.5", "2026-09-30");
    input["i"]["sourcedById"] = json!(user_gid(&app, "sdr"));
    input["i"]["stage"] = json!("DISCOVERY");
    input["i"]["probability"] = json!(35);
    let body = app.gql_as("ae", &q, input).await;
    let o = data(&body, "createOpportunity");
    assert_eq!(o["amount"], "0.50");
    assert_eq!(o["stage"], "DISCOVERY");
    assert_eq!(o["probability"], 35);
    assert_eq!(o["forecastCategory"], "PIPELINE");
    assert_eq!(audit_count(&app).await, audits + 1);
}

#[tokio::test]
async fn opportunity_filters() {
    let app = TestApp::spawn().await;
    let q = "query($f: OpportunityFilterInput, $o: OpportunityOrderInput) { opportunities(first: 100, filter: $f, orderBy: $o) { totalCount nodes { name amount closeDate stage } } }";
    // Two more with distinct dates and amounts.
    for (account, name, amount, close) in [
        ("initech", "Alpha expansion", "1000", "2026-03-01"),
        ("globex", "Beta renewal", "99999.99", "2026-06-30"),
    ] {
        let body = app
            .gql_as(
                "director",
                &create_opp_q(),
                new_opp(&app.fx.gid("Account", account), name, amount, close),
            )
            .await;
        data(&body, "createOpportunity");
    }
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({}),
            vec![
                "Alpha expansion",
                "Beta renewal",
                "Deal ae",
                "Deal ae2",
                "Deal am",
                "Deal partner",
                "Deal partner2",
            ],
        ),
        (
            json!({ "stage": ["PROPOSAL"] }),
            vec!["Deal am", "Deal partner"],
        ),
        (
            json!({ "stage": ["PROSPECTING", "NEGOTIATION"] }),
            vec![
                "Alpha expansion",
                "Beta renewal",
                "Deal ae",
                "Deal partner2",
            ],
        ),
        (
            json!({ "closeDateFrom": "2026-03-01", "closeDateTo": "2026-06-30" }),
            vec!["Alpha expansion", "Beta renewal"],
        ),
        (
            json!({ "closeDateFrom": "2026-03-02" }),
            vec![
                "Beta renewal",
                "Deal ae",
                "Deal ae2",
                "Deal am",
                "Deal partner",
                "Deal partner2",
            ],
        ),
        (
            json!({ "closeDateTo": "2026-03-01" }),
            vec!["Alpha expansion"],
        ),
        (
            json!({ "amountMin": "20000", "amountMax": "40000" }),
            vec!["Deal ae2", "Deal am", "Deal partner"],
        ),
        (
            json!({ "amountMin": "50000.00" }),
            vec!["Beta renewal", "Deal ae"],
        ),
        (json!({ "amountMax": "1000" }), vec!["Alpha expansion"]),
        (
            json!({ "search": "DEAL A" }),
            vec!["Deal ae", "Deal ae2", "Deal am"],
        ),
        (json!({ "search": "renew" }), vec!["Beta renewal"]),
        (
            json!({ "search": "deal", "stage": ["PROPOSAL"], "amountMin": "30000" }),
            vec!["Deal partner"],
        ),
        (json!({ "type": ["EXPANSION"] }), vec!["Deal am"]),
        (
            json!({ "accountId": app.fx.gid("Account", "globex") }),
            vec!["Beta renewal", "Deal ae2", "Deal partner2"],
        ),
        (json!({ "ownerId": user_gid(&app, "am") }), vec!["Deal am"]),
    ];
    for (f, expected) in &cases {
        let body = app.gql_as("director", q, json!({ "f": f })).await;
        let conn = data(&body, "opportunities");
        assert_eq!(&set(conn, "name"), expected, "{f}");
        assert_eq!(conn["totalCount"], expected.len(), "{f}");
    }
    // Ordering by amount, descending.
    let body = app
        .gql_as(
            "director",
            q,
            json!({ "f": { "amountMin": "20000" }, "o": { "field": "AMOUNT", "direction": "DESC" } }),
        )
        .await;
    assert_eq!(
        list(data(&body, "opportunities"), "amount"),
        ["99999.99", "50000.00", "40000.00", "30000.00", "20000.00"]
    );
    // Default order is by close date.
    let body = app
        .gql_as("director", q, json!({ "f": { "search": "a" } }))
        .await;
    let names = list(data(&body, "opportunities"), "name");
    assert_eq!(&names[..2], ["Alpha expansion", "Beta renewal"]);
    // Filters stay within scope.
    let body = app
        .gql_as(
            "ae",
            q,
            json!({ "f": { "stage": ["PROPOSAL", "NEGOTIATION"] } }),
        )
        .await;
    assert_eq!(set(data(&body, "opportunities"), "name"), ["Deal ae"]);
    let body = app
        .gql_as("manager", q, json!({ "f": { "search": "deal" } }))
        .await;
    assert_eq!(
        set(data(&body, "opportunities"), "name"),
        ["Deal ae", "Deal am"]
    );
    let body = app.gql_as("partner", q, json!({ "f": {} })).await;
    assert_eq!(set(data(&body, "opportunities"), "name"), ["Deal partner"]);
    let body = app
        .gql_as("partner", q, json!({ "f": { "type": ["NEW_BUSINESS"] } }))
        .await;
    refused(&body, "UNKNOWN", None);
}
