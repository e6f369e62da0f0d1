//! Scope leaks found by trying the API as an attacker would: the audit log, the
//! domain-uniqueness and placement errors, and territory membership (§1).

use std::collections::BTreeSet;

use entity::accounts;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use super::{ok, refused_with};
use crate::helpers::{TestApp, code};

const EVENTS: &str = "{ auditEvents(first: 100) { nodes { action entityType entityId changes } } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { id } }";

/// `(action, entityType, entityId)` of every event the caller reads.
async fn events(app: &TestApp, who: &str) -> BTreeSet<(String, String, String)> {
    let body = app.gql_as(who, EVENTS, json!({})).await;
    ok(&body)["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["action"].as_str().unwrap().to_string(),
                n["entityType"].as_str().unwrap().to_string(),
                n["entityId"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// One change of every audited entity type, by both teams and the director.
async fn changes_everywhere(app: &TestApp) {
    let fx = &app.fx;
    let run = |who: &'static str, q: &'static str, v: Value| async move {
        let body = app.gql_as(who, q, v).await;
        ok(&body);
    };
    let upd_account =
        "mutation($id: ID!, $i: UpdateAccountInput!) { updateAccount(id: $id, input: $i) { id } }";
    // ae joins emea, so ae (manager's team) can edit globex, which lies outside the
    // manager's scope: the leak of the issue.
    run(
        "director",
        "mutation($t: ID!, $u: ID!) { addTerritoryMember(territoryId: $t, userId: $u) { id } }",
        json!({ "t": fx.gid("Territory", "emea"), "u": fx.gid("User", "ae") }),
    )
    .await;
    for (who, account) in [
        ("ae", "globex"),
        ("ae", "acme"),
        ("ae2", "globex"),
        ("director", "initech"),
    ] {
        run(
            who,
            upd_account,
            json!({ "id": fx.gid("Account", account), "i": { "name": format!("{account} by {who}") } }),
        )
        .await;
    }
    let upd_lead =
        "mutation($id: ID!, $i: UpdateLeadInput!) { updateLead(id: $id, input: $i) { id } }";
    for (who, lead) in [
        ("sdr", "sdr_own"),
        ("ae2", "team2"),
        ("director", "unowned_emea"),
    ] {
        run(
            who,
            upd_lead,
            json!({ "id": fx.gid("Lead", lead), "i": { "contactName": "Changed" } }),
        )
        .await;
    }
    let version = "query($id: ID!) { node(id: $id) { ... on Opportunity { version } } }";
    let upd_opp = "mutation($id: ID!, $v: Int!, $i: UpdateOpportunityInput!) { updateOpportunity(id: $id, version: $v, input: $i) { id } }";
    for (who, opp) in [("ae", "ae"), ("ae2", "ae2"), ("director", "partner2")] {
        let id = fx.gid("Opportunity", opp);
        let body = app.gql_as(who, version, json!({ "id": id })).await;
        let v = ok(&body)["node"]["version"].clone();
        run(
            who,
            upd_opp,
            json!({ "id": id, "v": v, "i": { "name": format!("{opp} renamed") } }),
        )
        .await;
    }
    let log = "mutation($i: LogActivityInput!) { logActivity(input: $i) { id } }";
    for (who, account) in [("ae", "acme"), ("ae2", "globex"), ("ae", "globex")] {
        run(who, log, json!({ "i": { "kind": "CALL", "summary": "Call", "accountId": fx.gid("Account", account) } })).await;
    }
    let upd_territory = "mutation($id: ID!, $i: UpdateTerritoryInput!) { updateTerritory(id: $id, input: $i) { id } }";
    for t in ["amer", "emea", "na_west"] {
        run(
            "director",
            upd_territory,
            json!({ "id": fx.gid("Territory", t), "i": { "name": format!("{t} renamed") } }),
        )
        .await;
    }
    let upd_user =
        "mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }";
    for u in ["ae", "ae2", "sdr", "partner"] {
        run(
            "director",
            upd_user,
            json!({ "id": fx.gid("User", u), "i": { "name": format!("{u} renamed") } }),
        )
        .await;
    }
}

#[tokio::test]
async fn a_sales_manager_reads_the_events_of_rows_they_may_fetch_and_of_their_team() {
    let app = TestApp::spawn().await;
    changes_everywhere(&app).await;
    let all = events(&app, "director").await;
    let types: BTreeSet<&str> = all.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        BTreeSet::from([
            "Account",
            "Activity",
            "Lead",
            "Opportunity",
            "Territory",
            "User"
        ])
    );
    let team: BTreeSet<String> = ["manager", "sdr", "ae", "am", "cs", "inactive"]
        .iter()
        .map(|u| app.fx.gid("User", u))
        .collect();
    let mut problems = Vec::new();
    for who in ["manager", "manager2"] {
        let seen = events(&app, who).await;
        for event in &all {
            let (action, ty, id) = event;
            // What §1 allows: a row the manager can fetch by id, or a user of their team.
            let fetchable = if ty == "User" {
                who == "manager" && team.contains(id)
                    || who == "manager2"
                        && [app.fx.gid("User", "manager2"), app.fx.gid("User", "ae2")].contains(id)
            } else {
                let body = app.gql_as(who, NODE, json!({ "id": id })).await;
                code(&body).is_none()
            };
            if fetchable != seen.contains(event) {
                problems.push(format!(
                    "{who} {action} {ty} {id}: fetchable {fetchable}, seen {}",
                    seen.contains(event)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");

    // The edit of globex by ae (manager's team) is not the manager's to read.
    let globex = app.fx.gid("Account", "globex");
    let body = app
        .gql_as(
            "manager",
            "query($id: ID!) { auditEvents(first: 50, filter: { entityId: $id }) { totalCount } }",
            json!({ "id": globex }),
        )
        .await;
    assert_eq!(ok(&body)["auditEvents"]["totalCount"], 0, "{body}");
}

#[tokio::test]
async fn events_of_a_deleted_row_are_the_directors_alone() {
    let app = TestApp::spawn().await;
    let body = app
        .gql_as(
            "ae",
            "mutation { createAccount(input: { name: \"Doomed\", domain: \"doomed.example\" }) { id } }",
            json!({}),
        )
        .await;
    let id = ok(&body)["createAccount"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let count = |n: &Value| n["auditEvents"]["totalCount"].clone();
    let q = "query($id: ID!) { auditEvents(first: 5, filter: { entityId: $id }) { totalCount } }";
    assert_eq!(
        count(ok(&app.gql_as("manager", q, json!({ "id": id })).await)),
        1
    );
    let uuid = api::domain::GlobalId::decode(&id, "id").unwrap().id;
    accounts::Entity::delete_by_id(uuid)
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(
        count(ok(&app.gql_as("manager", q, json!({ "id": id })).await)),
        0
    );
    assert_eq!(
        count(ok(&app.gql_as("director", q, json!({ "id": id })).await)),
        1
    );
}

#[tokio::test]
async fn a_taken_domain_says_taken_and_nothing_else() {
    let app = TestApp::spawn().await;
    let q = "mutation($d: String!) { createAccount(input: { name: \"Copy\", domain: $d }) { id } }";
    // globex lies outside the manager's and the AE's scope.
    let globex_domain = entity::accounts::Entity::find_by_id(app.fx.id("Account", "globex"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .domain;
    for who in ["ae", "manager", "director"] {
        let body = app.gql_as(who, q, json!({ "d": globex_domain })).await;
        refused_with(&body, "BAD_USER_INPUT", "domain");
        let text = body.to_string().to_lowercase();
        assert_eq!(
            body["errors"][0]["message"], "this domain is taken",
            "{body}"
        );
        for secret in [
            "globex",
            "erin",
            "emea",
            &app.fx.id("Account", "globex").to_string(),
        ] {
            assert!(!text.contains(secret), "{who} learned {secret}: {body}");
        }
    }
}

#[tokio::test]
async fn an_ambiguous_placement_names_only_visible_territories() {
    let app = TestApp::spawn().await;
    let create = "mutation($i: CreateTerritoryInput!) { createTerritory(input: $i) { id } }";
    for (name, manager) in [("Japan North", "manager"), ("Japan South", "manager2")] {
        let body = app
            .gql_as(
                "director",
                create,
                json!({ "i": { "name": name, "parentId": app.fx.gid("Territory", "global"),
                    "managerId": app.fx.gid("User", manager), "criteria": { "countries": ["JP"] } } }),
            )
            .await;
        ok(&body);
    }
    let q = "mutation($d: String!) { createAccount(input: { name: \"Tokyo\", domain: $d, country: \"JP\" }) { id territory { id } } }";
    // The director sees both and is asked to choose.
    let body = app
        .gql_as("director", q, json!({ "d": "tokyo1.example" }))
        .await;
    refused_with(&body, "BAD_USER_INPUT", "territoryId");
    let msg = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("Japan North") && msg.contains("Japan South"),
        "{body}"
    );
    // The manager sees only one of them: the account is created unassigned, and
    // nothing names Japan South.
    let body = app
        .gql_as("manager", q, json!({ "d": "tokyo2.example" }))
        .await;
    assert!(!body.to_string().contains("Japan South"), "{body}");
    assert!(ok(&body)["createAccount"]["territory"].is_null(), "{body}");
}

#[tokio::test]
async fn a_sales_manager_adds_only_their_team_to_territories() {
    let app = TestApp::spawn().await;
    let q = "mutation($t: ID!, $u: ID!) { addTerritoryMember(territoryId: $t, userId: $u) { id } }";
    let amer = app.fx.gid("Territory", "amer");
    // ae2 belongs to manager2's team: adding them would widen their access.
    let body = app
        .gql_as(
            "manager",
            q,
            json!({ "t": amer, "u": app.fx.gid("User", "ae2") }),
        )
        .await;
    refused_with(&body, "BAD_USER_INPUT", "userId");
    let body = app
        .gql_as(
            "manager",
            q,
            json!({ "t": amer, "u": app.fx.gid("User", "cs") }),
        )
        .await;
    ok(&body);
    let body = app
        .gql_as(
            "director",
            q,
            json!({ "t": amer, "u": app.fx.gid("User", "ae2") }),
        )
        .await;
    ok(&body);
}
