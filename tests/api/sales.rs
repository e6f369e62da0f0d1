//! The sales graph under the policy: territories, accounts, leads, opportunities,
//! activities and the audit trail they leave.

use entity::{accounts, activities, audit_events, leads, opportunities, territories};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, ROLES, TestApp, code};

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// `extensions.field` of the first error.
fn field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

/// `data.<key>` of a response that must not have failed.
#[track_caller]
fn data<'a>(body: &'a Value, key: &str) -> &'a Value {
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    let v = &body["data"][key];
    assert!(!v.is_null(), "no data.{key}: {body}");
    v
}

/// Asserts the first error's code (and field, when given).
#[track_caller]
fn refused(body: &Value, expected_code: &str, expected_field: Option<&str>) {
    assert_eq!(code(body), Some(expected_code), "{body}");
    if let Some(f) = expected_field {
        assert_eq!(field(body), Some(f), "{body}");
    }
    assert!(
        body["data"].is_null()
            || body["data"]
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_null)),
        "a refused operation returned data: {body}"
    );
}

/// `key` of every node of a connection (edges or nodes), in order.
#[track_caller]
fn list(conn: &Value, key: &str) -> Vec<String> {
    let items: Vec<&Value> = match conn["edges"].as_array() {
        Some(edges) => edges.iter().map(|e| &e["node"]).collect(),
        None => conn["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("not a connection: {conn}"))
            .iter()
            .collect(),
    };
    items
        .into_iter()
        .map(|n| {
            n[key]
                .as_str()
                .unwrap_or_else(|| panic!("no {key} in {n}"))
                .to_string()
        })
        .collect()
}

/// As `list`, sorted.
#[track_caller]
fn set(conn: &Value, key: &str) -> Vec<String> {
    let mut v = list(conn, key);
    v.sort();
    v
}

fn uuid_of(gid: &Value) -> Uuid {
    let raw = gid.as_str().unwrap_or_else(|| panic!("not an id: {gid}"));
    api::domain::GlobalId::decode(raw, "id").unwrap().id
}

async fn audit_count(app: &TestApp) -> u64 {
    audit_events::Entity::find().count(&app.db).await.unwrap()
}

fn user_gid(app: &TestApp, key: &str) -> String {
    TestApp::gid("User", app.user(key).id)
}

/// Problems with the stored tree: every path must be its parent's path plus its own id,
/// every depth its parent's plus one (so there is no cycle and no stale subtree).
async fn tree_problems(app: &TestApp) -> Vec<String> {
    let all = territories::Entity::find().all(&app.db).await.unwrap();
    let by_id: std::collections::HashMap<Uuid, &territories::Model> =
        all.iter().map(|t| (t.id, t)).collect();
    let mut problems = Vec::new();
    for t in &all {
        let (path, depth) = match t.parent_id {
            None => (format!("/{}/", t.id), 0),
            Some(p) => match by_id.get(&p) {
                Some(parent) => (format!("{}{}/", parent.path, t.id), parent.depth + 1),
                None => {
                    problems.push(format!("{}: parent {p} missing", t.name));
                    continue;
                }
            },
        };
        if t.path != path || t.depth != depth {
            problems.push(format!(
                "{}: depth {} (expected {depth}){}",
                t.name,
                t.depth,
                if t.path == path {
                    ""
                } else {
                    ", path does not extend its parent's"
                }
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------
// Territories
// ---------------------------------------------------------------------------------

const TERRITORY: &str = "query($id: ID!) { territory(id: $id) { id name depth parent { name } children { totalCount nodes { name depth } } manager { email } criteria { countries industries minEmployees maxEmployees } members { roleInTerritory user { email } } } }";
const CREATE_TERRITORY: &str = "mutation($i: CreateTerritoryInput!) { createTerritory(input: $i) { id name depth parent { name } manager { email } criteria { countries industries minEmployees maxEmployees } } }";
const UPDATE_TERRITORY: &str = "mutation($id: ID!, $i: UpdateTerritoryInput!) { updateTerritory(id: $id, input: $i) { id name manager { email } criteria { countries industries minEmployees maxEmployees } } }";
const MOVE_TERRITORY: &str = "mutation($id: ID!, $p: ID) { moveTerritory(id: $id, parentId: $p) { id name depth parent { name } } }";
const SUBTREE: &str = "query($f: TerritoryFilterInput) { territories(first: 100, filter: $f) { totalCount edges { node { name depth parent { name } } } } }";

#[tokio::test]
async fn directors_create_and_redesign_territories() {
    let app = TestApp::spawn().await;
    let amer = app.fx.gid("Territory", "amer");
    let input = json!({ "i": {
        "name": "  Canada East ",
        "parentId": amer,
        "managerId": user_gid(&app, "manager"),
        "criteria": { "countries": ["ca"], "industries": ["Retail"], "minEmployees": 10, "maxEmployees": 500 }
    }});
    // Only directors design the tree.
    for who in ROLES.iter().filter(|r| **r != "director") {
        let body = app.gql_as(who, CREATE_TERRITORY, input.clone()).await;
        refused(&body, "FORBIDDEN", None);
    }
    let audits = audit_count(&app).await;
    let body = app.gql_as("director", CREATE_TERRITORY, input).await;
    let created = data(&body, "createTerritory");
    assert_eq!(created["name"], "Canada East");
    assert_eq!(created["depth"], 2);
    assert_eq!(created["parent"]["name"], "AMER");
    assert_eq!(created["manager"]["email"], "manager@test.example");
    assert_eq!(created["criteria"]["countries"], json!(["CA"]));
    assert_eq!(created["criteria"]["minEmployees"], 10);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(audit_count(&app).await, audits + 1);

    // The materialized path nests it under amer.
    let row = territories::Entity::find_by_id(uuid_of(&created["id"]))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let amer_row = territories::Entity::find_by_id(app.fx.id("Territory", "amer"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        row.path.starts_with(&amer_row.path),
        "{} / {}",
        row.path,
        amer_row.path
    );
    assert_eq!(row.parent_id, Some(amer_row.id));

    // Visible through territory(id:) and as a child of its parent.
    let body = app.gql_as("director", TERRITORY, json!({ "id": id })).await;
    let t = data(&body, "territory");
    assert_eq!(t["parent"]["name"], "AMER");
    assert_eq!(t["children"]["totalCount"], 0);
    let body = app
        .gql_as("director", TERRITORY, json!({ "id": amer }))
        .await;
    let amer_t = data(&body, "territory");
    assert_eq!(set(&amer_t["children"], "name"), ["Canada East", "NA_WEST"]);
    assert_eq!(amer_t["children"]["totalCount"], 2);
    // The manager of amer sees it too (it lies in their subtree).
    let body = app.gql_as("manager", TERRITORY, json!({ "id": id })).await;
    assert_eq!(data(&body, "territory")["depth"], 2);

    // Update name, criteria (replaced as a whole) and the accountable manager.
    let update = json!({ "id": id, "i": {
        "name": "Canada",
        "managerId": user_gid(&app, "manager2"),
        "criteria": { "countries": ["CA", "ca"], "industries": [] }
    }});
    let body = app
        .gql_as("manager", UPDATE_TERRITORY, update.clone())
        .await;
    refused(&body, "FORBIDDEN", None);
    let body = app.gql_as("director", UPDATE_TERRITORY, update).await;
    let updated = data(&body, "updateTerritory");
    assert_eq!(updated["name"], "Canada");
    assert_eq!(updated["manager"]["email"], "manager2@test.example");
    assert_eq!(
        updated["criteria"],
        json!({ "countries": ["CA"], "industries": [], "minEmployees": null, "maxEmployees": null })
    );
    let body = app.gql_as("director", TERRITORY, json!({ "id": id })).await;
    assert_eq!(data(&body, "territory")["name"], "Canada");

    // A manager must be an active sales manager or director.
    let body = app
        .gql_as(
            "director",
            UPDATE_TERRITORY,
            json!({ "id": id, "i": { "managerId": user_gid(&app, "ae") } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("managerId"));
    // Clearing the manager.
    let body = app
        .gql_as(
            "director",
            UPDATE_TERRITORY,
            json!({ "id": id, "i": { "clearManager": true } }),
        )
        .await;
    assert!(
        data(&body, "updateTerritory")["manager"].is_null(),
        "{body}"
    );

    // The audit trail has the design changes with before and after.
    let body = app
        .gql_as(
            "director",
            "query($id: ID!) { auditEvents(filter: { entityId: $id }) { totalCount nodes { action entityType entityId actor { email } changes } } }",
            json!({ "id": id }),
        )
        .await;
    let events = data(&body, "auditEvents");
    assert_eq!(events["totalCount"], 3, "{body}");
    let nodes = events["nodes"].as_array().unwrap();
    // Newest first.
    assert_eq!(nodes[2]["action"], "createTerritory");
    assert_eq!(nodes[1]["action"], "updateTerritory");
    assert_eq!(nodes[1]["changes"]["name"]["before"], "Canada East");
    assert_eq!(nodes[1]["changes"]["name"]["after"], "Canada");
    assert_eq!(nodes[1]["actor"]["email"], "director@test.example");
    assert_eq!(nodes[1]["entityId"], json!(id));
    assert_eq!(nodes[1]["entityType"], "Territory");
}

#[tokio::test]
async fn territory_criteria_are_validated_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let amer = app.fx.gid("Territory", "amer");
    let territories_before = territories::Entity::find().count(&app.db).await.unwrap();
    let audits = audit_count(&app).await;
    let cases = [
        (json!({ "countries": ["USA"] }), "criteria.countries"),
        (json!({ "countries": ["U1"] }), "criteria.countries"),
        (json!({ "countries": [""] }), "criteria.countries"),
        (
            json!({ "minEmployees": 500, "maxEmployees": 10 }),
            "criteria.maxEmployees",
        ),
        (json!({ "minEmployees": -1 }), "criteria.minEmployees"),
    ];
    for (criteria, expected) in &cases {
        let body = app
            .gql_as(
                "director",
                CREATE_TERRITORY,
                json!({ "i": { "name": "Bad", "parentId": amer, "criteria": criteria } }),
            )
            .await;
        refused(&body, "BAD_USER_INPUT", Some(expected));
        // The same on update, which must leave amer as it was.
        let body = app
            .gql_as(
                "director",
                UPDATE_TERRITORY,
                json!({ "id": amer, "i": { "name": "Renamed", "criteria": criteria } }),
            )
            .await;
        refused(&body, "BAD_USER_INPUT", Some(expected));
    }
    for (input, expected) in [
        (json!({ "name": "   ", "parentId": amer }), "name"),
        (json!({ "name": "x".repeat(201), "parentId": amer }), "name"),
        (
            json!({ "name": "Orphan", "parentId": app.fx.gid("Account", "acme") }),
            "parentId",
        ),
        (
            json!({ "name": "Lost", "parentId": TestApp::gid("Territory", Uuid::new_v4()) }),
            "parentId",
        ),
        (
            json!({ "name": "Unmanaged", "managerId": user_gid(&app, "sdr") }),
            "managerId",
        ),
    ] {
        let body = app
            .gql_as("director", CREATE_TERRITORY, json!({ "i": input }))
            .await;
        refused(&body, "BAD_USER_INPUT", Some(expected));
    }
    assert_eq!(
        territories::Entity::find().count(&app.db).await.unwrap(),
        territories_before
    );
    assert_eq!(audit_count(&app).await, audits);
    let body = app
        .gql_as("director", TERRITORY, json!({ "id": amer }))
        .await;
    let t = data(&body, "territory");
    assert_eq!(t["name"], "AMER");
    assert_eq!(t["criteria"]["countries"], json!(["US", "CA"]));
    assert!(t["criteria"]["maxEmployees"].is_null());
}

#[tokio::test]
async fn moving_a_subtree_keeps_the_tree_valid() {
    let app = TestApp::spawn().await;
    let (global, amer, na_west, emea) = (
        app.fx.gid("Territory", "global"),
        app.fx.gid("Territory", "amer"),
        app.fx.gid("Territory", "na_west"),
        app.fx.gid("Territory", "emea"),
    );
    // A grandchild, so the moved subtree has depth.
    let body = app
        .gql_as(
            "director",
            CREATE_TERRITORY,
            json!({ "i": { "name": "Bay Area", "parentId": na_west, "criteria": { "countries": ["US"], "industries": ["Software"], "minEmployees": 1000 } } }),
        )
        .await;
    let bay = data(&body, "createTerritory")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let paths_before: Vec<(Uuid, String, i32, Option<Uuid>)> = {
        let mut v: Vec<_> = territories::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.id, t.path, t.depth, t.parent_id))
            .collect();
        v.sort();
        v
    };
    let audits = audit_count(&app).await;

    // Cycles are refused: under a descendant, under a grandchild, under itself.
    for (node, parent) in [
        (&amer, &na_west),
        (&amer, &bay),
        (&na_west, &na_west),
        (&global, &emea),
    ] {
        let body = app
            .gql_as(
                "director",
                MOVE_TERRITORY,
                json!({ "id": node, "p": parent }),
            )
            .await;
        refused(&body, "BAD_USER_INPUT", Some("parentId"));
    }
    // Only directors move territories.
    let body = app
        .gql_as(
            "manager",
            MOVE_TERRITORY,
            json!({ "id": na_west, "p": global }),
        )
        .await;
    refused(&body, "FORBIDDEN", None);
    // The refusals changed nothing.
    let paths_after: Vec<(Uuid, String, i32, Option<Uuid>)> = {
        let mut v: Vec<_> = territories::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.id, t.path, t.depth, t.parent_id))
            .collect();
        v.sort();
        v
    };
    assert_eq!(paths_before, paths_after);
    assert_eq!(audit_count(&app).await, audits);
    let body = app
        .gql_as("director", SUBTREE, json!({ "f": { "rootId": amer } }))
        .await;
    assert_eq!(
        set(data(&body, "territories"), "name"),
        ["AMER", "Bay Area", "NA_WEST"]
    );

    // Move na_west (with Bay Area below it) under emea: the children follow.
    let body = app
        .gql_as(
            "director",
            MOVE_TERRITORY,
            json!({ "id": na_west, "p": emea }),
        )
        .await;
    let moved = data(&body, "moveTerritory");
    assert_eq!(moved["parent"]["name"], "EMEA");
    assert_eq!(moved["depth"], 2);
    assert_eq!(audit_count(&app).await, audits + 1);
    assert_eq!(tree_problems(&app).await, Vec::<String>::new());
    let body = app
        .gql_as("director", SUBTREE, json!({ "f": { "rootId": emea } }))
        .await;
    let subtree = data(&body, "territories");
    assert_eq!(set(subtree, "name"), ["Bay Area", "EMEA", "NA_WEST"]);
    let bay_node = subtree["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["name"] == "Bay Area")
        .unwrap();
    assert_eq!(bay_node["node"]["depth"], 3);
    assert_eq!(bay_node["node"]["parent"]["name"], "NA_WEST");
    let body = app
        .gql_as("director", SUBTREE, json!({ "f": { "rootId": amer } }))
        .await;
    assert_eq!(set(data(&body, "territories"), "name"), ["AMER"]);
    let body = app
        .gql_as("director", TERRITORY, json!({ "id": amer }))
        .await;
    assert_eq!(data(&body, "territory")["children"]["totalCount"], 0);
    // Accounts below the moved node move with it (subtree filters follow the paths).
    let body = app
        .gql_as(
            "director",
            "query($t: ID) { accounts(filter: { territoryId: $t }) { nodes { name } } }",
            json!({ "t": emea }),
        )
        .await;
    assert_eq!(
        set(data(&body, "accounts"), "name"),
        ["ACME Corp", "GLOBEX Corp", "UMBRELLA Corp"]
    );
    // The cycle check follows the new shape: emea is now above Bay Area.
    let body = app
        .gql_as("director", MOVE_TERRITORY, json!({ "id": emea, "p": bay }))
        .await;
    refused(&body, "BAD_USER_INPUT", Some("parentId"));

    // To the top: a root of depth 0, its child at depth 1.
    let body = app
        .gql_as(
            "director",
            MOVE_TERRITORY,
            json!({ "id": na_west, "p": null }),
        )
        .await;
    let top = data(&body, "moveTerritory");
    assert_eq!(top["depth"], 0);
    assert!(top["parent"].is_null());
    let body = app
        .gql_as("director", SUBTREE, json!({ "f": { "rootsOnly": true } }))
        .await;
    assert_eq!(
        set(data(&body, "territories"), "name"),
        ["GLOBAL", "NA_WEST"]
    );
    let body = app
        .gql_as("director", TERRITORY, json!({ "id": bay }))
        .await;
    assert_eq!(data(&body, "territory")["depth"], 1);
    let body = app
        .gql_as(
            "director",
            "query($id: ID!) { auditEvents(filter: { entityId: $id, action: \"moveTerritory\" }) { nodes { changes } } }",
            json!({ "id": na_west }),
        )
        .await;
    let events = data(&body, "auditEvents")["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(events.len(), 2, "{events:?}");
    let amer_uuid = app.fx.id("Territory", "amer").to_string();
    let emea_uuid = app.fx.id("Territory", "emea").to_string();
    assert_eq!(events[1]["changes"]["parentId"]["before"], json!(amer_uuid));
    assert_eq!(events[1]["changes"]["parentId"]["after"], json!(emea_uuid));
    assert_eq!(events[0]["changes"]["parentId"]["after"], Value::Null);
}

const ADD_MEMBER: &str = "mutation($t: ID!, $u: ID!) { addTerritoryMember(territoryId: $t, userId: $u) { name members { roleInTerritory user { email } } } }";
const REMOVE_MEMBER: &str = "mutation($t: ID!, $u: ID!) { removeTerritoryMember(territoryId: $t, userId: $u) { name members { roleInTerritory user { email } } } }";

fn member_emails(t: &Value) -> Vec<String> {
    let mut v: Vec<String> = t["members"]
        .as_array()
        .unwrap_or_else(|| panic!("no members: {t}"))
        .iter()
        .map(|m| m["user"]["email"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn managers_manage_members_of_their_own_territories() {
    let app = TestApp::spawn().await;
    let (amer, na_west, emea) = (
        app.fx.gid("Territory", "amer"),
        app.fx.gid("Territory", "na_west"),
        app.fx.gid("Territory", "emea"),
    );
    let cs = user_gid(&app, "cs");
    let count_cs_territories = "{ territories { totalCount } }";
    let body = app.gql_as("cs", count_cs_territories, json!({})).await;
    assert_eq!(data(&body, "territories")["totalCount"], 0);

    let body = app
        .gql_as("manager", ADD_MEMBER, json!({ "t": amer, "u": cs }))
        .await;
    let t = data(&body, "addTerritoryMember");
    assert_eq!(
        member_emails(t),
        [
            "ae@test.example",
            "am@test.example",
            "cs@test.example",
            "sdr@test.example"
        ]
    );
    assert!(
        t["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["roleInTerritory"] == "MEMBER")
    );
    // Membership widens the member's own territories at once.
    let body = app.gql_as("cs", count_cs_territories, json!({})).await;
    assert_eq!(data(&body, "territories")["totalCount"], 2);

    let audits = audit_count(&app).await;
    // Twice is refused.
    let body = app
        .gql_as("manager", ADD_MEMBER, json!({ "t": amer, "u": cs }))
        .await;
    refused(&body, "BAD_USER_INPUT", Some("userId"));
    // Partner users and inactive users cannot be members.
    for who in ["partner", "inactive"] {
        let body = app
            .gql_as(
                "manager",
                ADD_MEMBER,
                json!({ "t": na_west, "u": user_gid(&app, who) }),
            )
            .await;
        refused(&body, "BAD_USER_INPUT", Some("userId"));
    }
    // Not their territory: emea is invisible to the manager, amer to manager2.
    let body = app
        .gql_as("manager", ADD_MEMBER, json!({ "t": emea, "u": cs }))
        .await;
    refused(&body, "NOT_FOUND", None);
    let body = app
        .gql_as("manager2", ADD_MEMBER, json!({ "t": amer, "u": cs }))
        .await;
    refused(&body, "NOT_FOUND", None);
    let body = app
        .gql_as(
            "manager",
            REMOVE_MEMBER,
            json!({ "t": emea, "u": user_gid(&app, "ae2") }),
        )
        .await;
    refused(&body, "NOT_FOUND", None);
    // Other roles may never manage members.
    for who in ["sdr", "ae", "am", "cs"] {
        let body = app
            .gql_as(
                who,
                ADD_MEMBER,
                json!({ "t": amer, "u": user_gid(&app, "am") }),
            )
            .await;
        refused(&body, "FORBIDDEN", None);
    }
    let body = app
        .gql_as("partner", ADD_MEMBER, json!({ "t": amer, "u": cs }))
        .await;
    refused(&body, "FORBIDDEN", None);
    assert_eq!(audit_count(&app).await, audits);
    // A territory the manager can see (as a member) but is not accountable for:
    // forbidden rather than not found.
    let body = app
        .gql_as(
            "director",
            CREATE_TERRITORY,
            json!({ "i": { "name": "Shared", "parentId": emea, "managerId": user_gid(&app, "manager2") } }),
        )
        .await;
    let shared = data(&body, "createTerritory")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = app
        .gql_as(
            "director",
            ADD_MEMBER,
            json!({ "t": shared, "u": user_gid(&app, "manager") }),
        )
        .await;
    data(&body, "addTerritoryMember");
    let body = app
        .gql_as("manager", TERRITORY, json!({ "id": shared }))
        .await;
    assert_eq!(data(&body, "territory")["name"], "Shared");
    let audits = audit_count(&app).await;
    let body = app
        .gql_as("manager", ADD_MEMBER, json!({ "t": shared, "u": cs }))
        .await;
    refused(&body, "FORBIDDEN", None);
    let body = app
        .gql_as(
            "manager",
            REMOVE_MEMBER,
            json!({ "t": shared, "u": user_gid(&app, "manager") }),
        )
        .await;
    refused(&body, "FORBIDDEN", None);
    let body = app
        .gql_as(
            "manager2",
            ADD_MEMBER,
            json!({ "t": shared, "u": user_gid(&app, "ae2") }),
        )
        .await;
    data(&body, "addTerritoryMember");
    assert_eq!(audit_count(&app).await, audits + 1);
    let body = app
        .gql_as("director", TERRITORY, json!({ "id": emea }))
        .await;
    assert_eq!(
        member_emails(data(&body, "territory")),
        ["ae2@test.example"]
    );

    // Removing works once; the second time there is nothing to remove.
    let body = app
        .gql_as("manager", REMOVE_MEMBER, json!({ "t": amer, "u": cs }))
        .await;
    assert!(
        !member_emails(data(&body, "removeTerritoryMember"))
            .contains(&"cs@test.example".to_string())
    );
    let body = app
        .gql_as("manager", REMOVE_MEMBER, json!({ "t": amer, "u": cs }))
        .await;
    refused(&body, "BAD_USER_INPUT", Some("userId"));
    let body = app.gql_as("cs", count_cs_territories, json!({})).await;
    assert_eq!(data(&body, "territories")["totalCount"], 0);
    // The director may manage any territory's members.
    let body = app
        .gql_as("director", ADD_MEMBER, json!({ "t": emea, "u": cs }))
        .await;
    assert!(member_emails(data(&body, "addTerritoryMember")).contains(&"cs@test.example".into()));
    assert_eq!(audit_count(&app).await, audits + 3);
}

#[tokio::test]
async fn territory_filters_and_nested_connections() {
    let app = TestApp::spawn().await;
    let (global, amer, emea) = (
        app.fx.gid("Territory", "global"),
        app.fx.gid("Territory", "amer"),
        app.fx.gid("Territory", "emea"),
    );
    let cases = [
        (json!({}), vec!["AMER", "EMEA", "GLOBAL", "NA_WEST"]),
        (json!({ "rootsOnly": true }), vec!["GLOBAL"]),
        (json!({ "parentId": global }), vec!["AMER", "EMEA"]),
        (json!({ "parentId": amer }), vec!["NA_WEST"]),
        (json!({ "rootId": amer }), vec!["AMER", "NA_WEST"]),
        (json!({ "search": "me" }), vec!["AMER", "EMEA"]),
        (json!({ "search": "NA_" }), vec!["NA_WEST"]),
        (json!({ "search": "_" }), vec!["NA_WEST"]),
        (json!({ "search": "%" }), vec![]),
        (json!({ "parentId": global, "search": "em" }), vec!["EMEA"]),
    ];
    for (f, expected) in &cases {
        let body = app.gql_as("director", SUBTREE, json!({ "f": f })).await;
        let conn = data(&body, "territories");
        assert_eq!(&set(conn, "name"), expected, "{f}");
        assert_eq!(conn["totalCount"], expected.len(), "{f}");
    }
    // A manager sees only their own subtree; filters cannot reach beyond it.
    for (f, expected) in [
        (json!({}), vec!["AMER", "NA_WEST"]),
        (json!({ "rootsOnly": true }), vec![]),
        (json!({ "parentId": global }), vec!["AMER"]),
        (json!({ "rootId": global }), vec![]),
        (json!({ "rootId": emea }), vec![]),
        (json!({ "search": "emea" }), vec![]),
    ] {
        let body = app.gql_as("manager", SUBTREE, json!({ "f": f })).await;
        let conn = data(&body, "territories");
        assert_eq!(set(conn, "name"), expected, "manager {f}");
        assert_eq!(conn["totalCount"], expected.len(), "manager {f}");
    }
    let body = app.gql_as("partner", SUBTREE, json!({})).await;
    refused(&body, "FORBIDDEN", None);
    let body = app
        .gql_as("director", SUBTREE, json!({ "f": { "parentId": "nope" } }))
        .await;
    refused(&body, "BAD_USER_INPUT", Some("parentId"));

    // Nested children and accounts.
    let nested = "query($id: ID!) { territory(id: $id) { name parent { name } accounts { totalCount nodes { name } } children { totalCount nodes { name accounts { totalCount nodes { name } } children { totalCount nodes { name accounts { nodes { name } } } } } } } }";
    let body = app
        .gql_as("director", nested, json!({ "id": global }))
        .await;
    let g = data(&body, "territory");
    assert!(g["parent"].is_null());
    assert_eq!(g["accounts"]["totalCount"], 0);
    assert_eq!(g["children"]["totalCount"], 2);
    let kids: Vec<&Value> = g["children"]["nodes"].as_array().unwrap().iter().collect();
    // Children are listed by name.
    assert_eq!(kids[0]["name"], "AMER");
    assert_eq!(kids[1]["name"], "EMEA");
    assert_eq!(list(&kids[0]["accounts"], "name"), ["INITECH Corp"]);
    assert_eq!(list(&kids[0]["children"], "name"), ["NA_WEST"]);
    assert_eq!(
        list(&kids[0]["children"]["nodes"][0]["accounts"], "name"),
        ["ACME Corp"]
    );
    assert_eq!(
        list(&kids[1]["accounts"], "name"),
        ["GLOBEX Corp", "UMBRELLA Corp"]
    );
    assert_eq!(kids[1]["accounts"]["totalCount"], 2);
    assert_eq!(kids[1]["children"]["totalCount"], 0);
    // Nested lists are scoped: the CS sees only acme (their account) under na_west,
    // and for the manager amer's parent does not exist.
    let body = app.gql_as("manager", nested, json!({ "id": amer })).await;
    let a = data(&body, "territory");
    assert!(a["parent"].is_null(), "{body}");
    assert_eq!(list(&a["accounts"], "name"), ["INITECH Corp"]);
    let body = app
        .gql_as("manager", TERRITORY, json!({ "id": emea }))
        .await;
    refused(&body, "NOT_FOUND", None);
    let body = app
        .gql_as(
            "manager",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": emea }),
        )
        .await;
    refused(&body, "NOT_FOUND", None);
    let body = app
        .gql_as(
            "sdr",
            "query($id: ID!) { territory(id: $id) { accounts { totalCount nodes { name } } } }",
            json!({ "id": app.fx.gid("Territory", "na_west") }),
        )
        .await;
    assert_eq!(
        list(&data(&body, "territory")["accounts"], "name"),
        ["ACME Corp"]
    );

    // Nested connections are batched: a wider tree costs no more statements.
    let token = app.token("director");
    let before = app.statements();
    let body = app.gql(nested, json!({ "id": global }), Some(&token)).await;
    data(&body, "territory");
    let small = app.statements() - before;
    for (name, country) in [("Nordics", "SE"), ("Iberia", "ES"), ("Benelux", "NL")] {
        let body = app
            .gql_as(
                "director",
                CREATE_TERRITORY,
                json!({ "i": { "name": name, "parentId": emea, "criteria": { "countries": [country] } } }),
            )
            .await;
        data(&body, "createTerritory");
        let body = app
            .gql_as(
                "director",
                &create_account_q(),
                json!({ "i": { "name": format!("{name} AB"), "domain": format!("{}.example", name.to_lowercase()), "country": country } }),
            )
            .await;
        assert_eq!(data(&body, "createAccount")["territory"]["name"], name);
    }
    let before = app.statements();
    let body = app.gql(nested, json!({ "id": global }), Some(&token)).await;
    let g = data(&body, "territory");
    let wide = app.statements() - before;
    assert_eq!(
        g["children"]["nodes"][1]["children"]["totalCount"], 3,
        "{body}"
    );
    assert_eq!(
        list(&g["children"]["nodes"][1]["children"], "name"),
        ["Benelux", "Iberia", "Nordics"]
    );
    assert_eq!(
        small, wide,
        "statements: {small} for the small tree, {wide} for the wide one"
    );
}

// ---------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------

const ACCOUNT_FIELDS: &str = "id name domain industry country employeeCount lifecycle arr health contractEndDate territory { name } owner { email } accountManager { email } csm { email }";

fn create_account_q() -> String {
    format!(
        "mutation($i: CreateAccountInput!) {{ createAccount(input: $i) {{ {ACCOUNT_FIELDS} }} }}"
    )
}

fn update_account_q() -> String {
    format!(
        "mutation($id: ID!, $i: UpdateAccountInput!) {{ updateAccount(id: $id, input: $i) {{ {ACCOUNT_FIELDS} }} }}"
    )
}

async fn account_row(app: &TestApp, id: Uuid) -> accounts::Model {
    accounts::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn creating_an_account_defaults_owner_and_normalizes_domain() {
    let app = TestApp::spawn().await;
    let q = create_account_q();
    let input = json!({ "i": {
        "name": "NewCo",
        "domain": "https://www.NewCo.example/x",
        "country": "us",
        "industry": "Software",
        "employeeCount": 120,
        "arr": "1234.5"
    }});
    for who in ["sdr", "cs", "partner"] {
        let body = app.gql_as(who, &q, input.clone()).await;
        refused(&body, "FORBIDDEN", None);
    }
    let accounts_before = accounts::Entity::find().count(&app.db).await.unwrap();
    let audits = audit_count(&app).await;
    let body = app.gql_as("ae", &q, input).await;
    let a = data(&body, "createAccount");
    assert_eq!(a["name"], "NewCo");
    assert_eq!(a["domain"], "newco.example");
    assert_eq!(a["country"], "US");
    assert_eq!(a["owner"]["email"], "ae@test.example");
    assert!(a["accountManager"].is_null());
    assert_eq!(a["lifecycle"], "PROSPECT");
    assert_eq!(a["arr"], "1234.50");
    assert_eq!(a["territory"]["name"], "NA_WEST");
    assert_eq!(audit_count(&app).await, audits + 1);
    let row = account_row(&app, uuid_of(&a["id"])).await;
    assert_eq!(row.domain, "newco.example");
    assert_eq!(row.owner_id, Some(app.user("ae").id));
    assert_eq!(row.arr_cents, 123_450);

    // The domain is unique after normalization; a duplicate is refused and nothing is written.
    for dup in [
        "newco.example",
        "HTTP://NEWCO.EXAMPLE/",
        "www.newco.example.",
        "acme.example",
    ] {
        let body = app
            .gql_as(
                "director",
                &q,
                json!({ "i": { "name": "Dup", "domain": dup } }),
            )
            .await;
        refused(&body, "BAD_USER_INPUT", Some("domain"));
    }
    for (input, f) in [
        (json!({ "name": "Bad", "domain": "not a domain" }), "domain"),
        (json!({ "name": "Bad", "domain": "localhost" }), "domain"),
        (json!({ "name": "  ", "domain": "blank.example" }), "name"),
        (
            json!({ "name": "Bad", "domain": "bad1.example", "country": "USA" }),
            "country",
        ),
        (
            json!({ "name": "Bad", "domain": "bad2.example", "employeeCount": -3 }),
            "employeeCount",
        ),
        (
            json!({ "name": "Bad", "domain": "bad3.example", "arr": "-1" }),
            "arr",
        ),
        (
            json!({ "name": "Bad", "domain": "bad4.example", "arr": "0.001" }),
            "arr",
        ),
    ] {
        let body = app.gql_as("ae", &q, json!({ "i": input })).await;
        refused(&body, "BAD_USER_INPUT", Some(f));
    }
    assert_eq!(
        accounts::Entity::find().count(&app.db).await.unwrap(),
        accounts_before + 1
    );
    assert_eq!(audit_count(&app).await, audits + 1);

    // An account manager's new account is theirs to manage.
    let body = app
        .gql_as(
            "am",
            &q,
            json!({ "i": { "name": "AmCo", "domain": "amco.example", "country": "CA" } }),
        )
        .await;
    let a = data(&body, "createAccount");
    assert_eq!(a["accountManager"]["email"], "am@test.example");
    assert!(a["owner"].is_null());
    assert_eq!(a["territory"]["name"], "AMER");
    // The new accounts are in their creators' lists.
    let body = app
        .gql_as(
            "ae",
            "{ accounts(orderBy: { field: NAME }) { totalCount nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        list(data(&body, "accounts"), "name"),
        ["ACME Corp", "AmCo", "INITECH Corp", "NewCo"]
    );
}

#[tokio::test]
async fn accounts_are_placed_by_territory_criteria() {
    let app = TestApp::spawn().await;
    let q = create_account_q();
    let make = |name: &str, country: &str, industry: Option<&str>| {
        json!({ "i": {
            "name": name,
            "domain": format!("{}.example", name.to_lowercase()),
            "country": country,
            "industry": industry,
        }})
    };
    let territory = |body: &Value| {
        let a = data(body, "createAccount");
        a["territory"]["name"].as_str().map(str::to_string)
    };
    // Most specific wins: US + Software is na_west (both criteria), not amer (country only).
    let body = app
        .gql_as("ae", &q, make("Soft", "US", Some("Software")))
        .await;
    assert_eq!(territory(&body).as_deref(), Some("NA_WEST"), "{body}");
    let body = app
        .gql_as("ae", &q, make("Soft2", "us", Some("software")))
        .await;
    assert_eq!(territory(&body).as_deref(), Some("NA_WEST"), "{body}");
    // US but another industry only matches amer.
    let body = app
        .gql_as("ae", &q, make("Mine", "US", Some("Mining")))
        .await;
    assert_eq!(territory(&body).as_deref(), Some("AMER"), "{body}");
    let body = app.gql_as("ae", &q, make("Maple", "CA", None)).await;
    assert_eq!(territory(&body).as_deref(), Some("AMER"), "{body}");
    // Nothing matches Japan: unassigned.
    let body = app.gql_as("ae", &q, make("Sakura", "JP", None)).await;
    assert_eq!(territory(&body), None, "{body}");
    // No country at all: unassigned too.
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "i": { "name": "Nowhere", "domain": "nowhere.example" } }),
        )
        .await;
    assert_eq!(territory(&body), None, "{body}");

    // Two equally specific territories: the server refuses to guess.
    let global = app.fx.gid("Territory", "global");
    let mut apac = Vec::new();
    for name in ["APAC North", "APAC South"] {
        let body = app
            .gql_as(
                "director",
                CREATE_TERRITORY,
                json!({ "i": { "name": name, "parentId": global, "criteria": { "countries": ["JP"] } } }),
            )
            .await;
        apac.push(
            data(&body, "createTerritory")["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let accounts_before = accounts::Entity::find().count(&app.db).await.unwrap();
    let audits = audit_count(&app).await;
    for who in ["ae", "director"] {
        let body = app.gql_as(who, &q, make("Fuji", "JP", None)).await;
        refused(&body, "BAD_USER_INPUT", Some("territoryId"));
        let msg = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.contains("APAC North") && msg.contains("APAC South"),
            "{msg}"
        );
    }
    assert_eq!(
        accounts::Entity::find().count(&app.db).await.unwrap(),
        accounts_before
    );
    assert_eq!(audit_count(&app).await, audits);
    // An explicit territory wins over the criteria (and settles a tie).
    let mut input = make("Fuji", "JP", None);
    input["i"]["territoryId"] = json!(apac[1]);
    let body = app.gql_as("director", &q, input).await;
    assert_eq!(territory(&body).as_deref(), Some("APAC South"), "{body}");
    let mut input = make("Redwood", "US", Some("Software"));
    input["i"]["territoryId"] = json!(app.fx.gid("Territory", "amer"));
    let body = app.gql_as("ae", &q, input).await;
    assert_eq!(territory(&body).as_deref(), Some("AMER"), "{body}");
    // ... but only a territory the caller can see.
    let mut input = make("Osaka", "JP", None);
    input["i"]["territoryId"] = json!(apac[0]);
    let body = app.gql_as("ae", &q, input).await;
    refused(&body, "BAD_USER_INPUT", Some("territoryId"));
}

#[tokio::test]
async fn updating_accounts_follows_the_reassignment_rules() {
    let app = TestApp::spawn().await;
    let q = update_account_q();
    let acme = app.fx.gid("Account", "acme");
    let initech = app.fx.gid("Account", "initech");
    let acme_id = app.fx.id("Account", "acme");
    let acme_before = account_row(&app, acme_id).await;
    let initech_id = app.fx.id("Account", "initech");
    let initech_before = account_row(&app, initech_id).await;
    let audits = audit_count(&app).await;

    // The AE may edit their account but not reassign it.
    for input in [
        json!({ "ownerId": user_gid(&app, "ae2") }),
        json!({ "accountManagerId": user_gid(&app, "ae") }),
        json!({ "csmId": user_gid(&app, "cs") }),
        json!({ "territoryId": app.fx.gid("Territory", "amer") }),
        json!({ "clear": ["OWNER"] }),
        json!({ "name": "Sneaky", "ownerId": user_gid(&app, "ae2") }),
    ] {
        let body = app
            .gql_as("ae", &q, json!({ "id": acme, "i": input }))
            .await;
        refused(&body, "FORBIDDEN", None);
    }
    // Out of scope is not found.
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "id": app.fx.gid("Account", "globex"), "i": { "name": "Mine" } }),
        )
        .await;
    refused(&body, "NOT_FOUND", None);
    // The sales manager may reassign within the team only.
    let body = app
        .gql_as(
            "manager",
            &q,
            json!({ "id": acme, "i": { "ownerId": user_gid(&app, "ae2") } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("ownerId"));
    let body = app
        .gql_as(
            "manager",
            &q,
            json!({ "id": acme, "i": { "csmId": user_gid(&app, "inactive") } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("csmId"));
    let body = app
        .gql_as(
            "manager",
            &q,
            json!({ "id": acme, "i": { "accountManagerId": user_gid(&app, "partner") } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("accountManagerId"));
    // ... and only into territories they can see.
    let body = app
        .gql_as(
            "manager",
            &q,
            json!({ "id": initech, "i": { "territoryId": app.fx.gid("Territory", "emea") } }),
        )
        .await;
    refused(&body, "BAD_USER_INPUT", Some("territoryId"));
    // Bad values.
    for (input, f) in [
        (json!({ "arr": "-5" }), "arr"),
        (json!({ "arr": "10.001" }), "arr"),
        (json!({ "name": "" }), "name"),
        (json!({ "domain": "globex.example" }), "domain"),
        (json!({ "country": "Germany" }), "country"),
    ] {
        let body = app
            .gql_as("ae", &q, json!({ "id": acme, "i": input }))
            .await;
        refused(&body, "BAD_USER_INPUT", Some(f));
    }
    let body = app
        .gql_as("ae", &q, json!({ "id": acme, "i": { "health": "GREAT" } }))
        .await;
    refused(&body, "BAD_USER_INPUT", None);
    // None of that changed acme or wrote an audit event.
    assert_eq!(account_row(&app, acme_id).await, acme_before);
    assert_eq!(account_row(&app, initech_id).await, initech_before);
    assert_eq!(audit_count(&app).await, audits);

    // What the AE may do: edit fields, set ARR from a decimal string, clear health.
    let body = app
        .gql_as(
            "ae",
            &q,
            json!({ "id": acme, "i": { "name": "Acme Holdings", "arr": "150000.5", "clear": ["HEALTH"], "contractEndDate": "2027-01-31" } }),
        )
        .await;
    let a = data(&body, "updateAccount");
    assert_eq!(a["name"], "Acme Holdings");
    assert_eq!(a["arr"], "150000.50");
    assert!(a["health"].is_null(), "{body}");
    assert_eq!(a["contractEndDate"], "2027-01-31");
    // Untouched fields stay.
    assert_eq!(a["owner"]["email"], "ae@test.example");
    assert_eq!(a["csm"]["email"], "cs@test.example");
    assert_eq!(a["domain"], "acme.example");
    assert_eq!(audit_count(&app).await, audits + 1);
    let row = account_row(&app, acme_id).await;
    assert_eq!(row.arr_cents, 15_000_050);
    assert_eq!(row.health, None);

    // The audit event carries before and after of exactly what changed.
    let ev = audit_events::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "updateAccount")
        .unwrap();
    assert_eq!(ev.entity_id, acme_id);
    assert_eq!(ev.entity_type, "Account");
    assert_eq!(ev.actor_id, Some(app.user("ae").id));
    assert_eq!(ev.changes["name"]["before"], "ACME Corp");
    assert_eq!(ev.changes["name"]["after"], "Acme Holdings");
    assert_eq!(ev.changes["health"]["before"], "HEALTHY");
    assert_eq!(ev.changes["health"]["after"], Value::Null);
    assert_eq!(ev.changes["arrCents"]["before"], 12_000_000);
    assert_eq!(ev.changes["arrCents"]["after"], 15_000_050);
    assert!(ev.changes.get("ownerId").is_none(), "{}", ev.changes);
    assert!(ev.changes.get("domain").is_none(), "{}", ev.changes);

    // The manager reassigns within the team.
    let body = app
        .gql_as(
            "manager",
            &q,
            json!({ "id": initech, "i": { "ownerId": user_gid(&app, "ae"), "accountManagerId": user_gid(&app, "am") } }),
        )
        .await;
    let a = data(&body, "updateAccount");
    assert_eq!(a["owner"]["email"], "ae@test.example");
    assert_eq!(a["accountManager"]["email"], "am@test.example");
    // The director reassigns anyone, anywhere.
    let body = app
        .gql_as(
            "director",
            &q,
            json!({ "id": acme, "i": { "ownerId": user_gid(&app, "ae2"), "territoryId": app.fx.gid("Territory", "emea"), "clear": ["CSM"] } }),
        )
        .await;
    let a = data(&body, "updateAccount");
    assert_eq!(a["owner"]["email"], "ae2@test.example");
    assert_eq!(a["territory"]["name"], "EMEA");
    assert!(a["csm"].is_null());
    // Acme left the AE's territories and hands: it no longer exists for them, and
    // manager2 now sees it through ae2.
    let body = app
        .gql_as(
            "ae",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": acme }),
        )
        .await;
    refused(&body, "NOT_FOUND", None);
    let body = app
        .gql_as(
            "manager2",
            "query($id: ID!) { node(id: $id) { ... on Account { name } } }",
            json!({ "id": acme }),
        )
        .await;
    assert_eq!(data(&body, "node")["name"], "Acme Holdings");
    assert_eq!(audit_count(&app).await, audits + 3);
}

#[tokio::test]
async fn account_filters_and_ordering() {
    let app = TestApp::spawn().await;
    let q = "query($f: AccountFilterInput, $o: AccountOrderInput, $n: Int) { accounts(first: $n, filter: $f, orderBy: $o) { totalCount pageInfo { hasNextPage } nodes { name arr } } }";
    // Give globex and initech some ARR so ordering by it means something.
    for (key, arr) in [("globex", "500"), ("initech", "75.25")] {
        let body = app
            .gql_as(
                "director",
                &update_account_q(),
                json!({ "id": app.fx.gid("Account", key), "i": { "arr": arr } }),
            )
            .await;
        data(&body, "updateAccount");
    }
    let run = |who: &'static str, f: Value, o: Value| {
        let app = &app;
        async move { app.gql_as(who, q, json!({ "f": f, "o": o })).await }
    };
    let body = run("director", json!({ "lifecycle": "CUSTOMER" }), Value::Null).await;
    assert_eq!(list(data(&body, "accounts"), "name"), ["ACME Corp"]);
    let body = run("director", json!({ "lifecycle": "PROSPECT" }), Value::Null).await;
    assert_eq!(data(&body, "accounts")["totalCount"], 3);
    let body = run("director", json!({ "search": "TECH" }), Value::Null).await;
    assert_eq!(list(data(&body, "accounts"), "name"), ["INITECH Corp"]);
    let body = run("director", json!({ "search": "umbrella.ex" }), Value::Null).await;
    assert_eq!(list(data(&body, "accounts"), "name"), ["UMBRELLA Corp"]);
    let body = run("director", json!({ "search": "%" }), Value::Null).await;
    assert_eq!(data(&body, "accounts")["totalCount"], 0);
    let body = run(
        "director",
        json!({ "territoryId": app.fx.gid("Territory", "amer") }),
        json!({ "field": "NAME" }),
    )
    .await;
    assert_eq!(
        list(data(&body, "accounts"), "name"),
        ["ACME Corp", "INITECH Corp"]
    );
    let body = run(
        "director",
        json!({ "territoryId": app.fx.gid("Territory", "na_west") }),
        Value::Null,
    )
    .await;
    assert_eq!(list(data(&body, "accounts"), "name"), ["ACME Corp"]);
    let body = run(
        "director",
        json!({ "territoryId": app.fx.gid("Territory", "global") }),
        Value::Null,
    )
    .await;
    assert_eq!(data(&body, "accounts")["totalCount"], 4);
    let body = run(
        "director",
        json!({ "ownerId": user_gid(&app, "ae2"), "territoryId": app.fx.gid("Territory", "emea") }),
        json!({ "field": "NAME", "direction": "DESC" }),
    )
    .await;
    assert_eq!(
        list(data(&body, "accounts"), "name"),
        ["UMBRELLA Corp", "GLOBEX Corp"]
    );
    // Ordering.
    let body = run("director", Value::Null, json!({ "field": "NAME" })).await;
    assert_eq!(
        list(data(&body, "accounts"), "name"),
        ["ACME Corp", "GLOBEX Corp", "INITECH Corp", "UMBRELLA Corp"]
    );
    let body = run(
        "director",
        Value::Null,
        json!({ "field": "NAME", "direction": "DESC" }),
    )
    .await;
    assert_eq!(
        list(data(&body, "accounts"), "name"),
        ["UMBRELLA Corp", "INITECH Corp", "GLOBEX Corp", "ACME Corp"]
    );
    let body = run(
        "director",
        Value::Null,
        json!({ "field": "ARR", "direction": "DESC" }),
    )
    .await;
    let conn = data(&body, "accounts");
    assert_eq!(
        list(conn, "name"),
        ["ACME Corp", "GLOBEX Corp", "INITECH Corp", "UMBRELLA Corp"]
    );
    assert_eq!(list(conn, "arr"), ["120000.00", "500.00", "75.25", "0.00"]);
    let body = run("director", Value::Null, json!({ "field": "ARR" })).await;
    assert_eq!(
        list(data(&body, "accounts"), "arr"),
        ["0.00", "75.25", "500.00", "120000.00"]
    );
    // Filters never widen scope: the AE asking for emea gets nothing.
    let body = run(
        "ae",
        json!({ "territoryId": app.fx.gid("Territory", "emea") }),
        Value::Null,
    )
    .await;
    assert_eq!(data(&body, "accounts")["totalCount"], 0);
    let body = run("ae", json!({ "search": "globex" }), Value::Null).await;
    assert_eq!(data(&body, "accounts")["totalCount"], 0);
    let body = run(
        "ae",
        Value::Null,
        json!({ "field": "ARR", "direction": "DESC" }),
    )
    .await;
    assert_eq!(
        list(data(&body, "accounts"), "name"),
        ["ACME Corp", "INITECH Corp"]
    );
    // Partner users cannot filter or sort by internal fields.
    let body = run("partner", json!({ "lifecycle": "PROSPECT" }), Value::Null).await;
    refused(&body, "FORBIDDEN", None);
    let body = run("partner", Value::Null, json!({ "field": "ARR" })).await;
    refused(&body, "FORBIDDEN", None);
    // Page size bounds.
    let body = app.gql_as("director", q, json!({ "n": 1000 })).await;
    refused(&body, "BAD_USER_INPUT", Some("first"));
    let body = app
        .gql_as("director", q, json!({ "n": 2, "o": { "field": "NAME" } }))
        .await;
    let conn = data(&body, "accounts");
    assert_eq!(list(conn, "name"), ["ACME Corp", "GLOBEX Corp"]);
    assert_eq!(conn["totalCount"], 4);
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
}

// ---------------------------------------------------------------------------------
// Leads
// ---------------------------------------------------------------------------------

const LEAD_FIELDS: &str = "id companyName domain contactName contactEmail country industry source status disqualifyReason owner { email } territory { name } qualification { budget authority need timeline complete answers { criterion answer answeredBy { email } answeredAt } }";

fn lead_q(op: &str, args: &str) -> String {
    format!("mutation{args} {{ {op} {{ {LEAD_FIELDS} }} }}")
}

async fn lead_row(app: &TestApp, id: Uuid) -> leads::Model {
    leads::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

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
        refused(&body, "FORBIDDEN", None);
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

// ---------------------------------------------------------------------------------
// Opportunities
// ---------------------------------------------------------------------------------

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
    refused(&body, "FORBIDDEN", None);
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
    refused(&body, "FORBIDDEN", None);
}

// ---------------------------------------------------------------------------------
// Activities
// ---------------------------------------------------------------------------------

const LOG: &str = "mutation($i: LogActivityInput!) { logActivity(input: $i) { id kind summary occurredAt actor { email } lead { companyName } account { name } opportunity { name } } }";

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
    for who in ["ae2", "manager2", "partner"] {
        let body = app.gql_as(who, node, json!({ "id": id })).await;
        refused(&body, "NOT_FOUND", None);
    }

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
            "FORBIDDEN",
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
    refused(&body, "FORBIDDEN", None);
}

// ---------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------

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

    // A manager sees their team's actions only.
    let body = app.gql_as("manager", AUDIT, json!({})).await;
    let mine = data(&body, "auditEvents");
    assert_eq!(mine["totalCount"], 2, "{body}");
    let actors = set(
        &json!({ "nodes": mine["nodes"].as_array().unwrap().iter().map(|n| n["actor"].clone()).collect::<Vec<_>>() }),
        "email",
    );
    assert_eq!(actors, ["ae@test.example", "sdr@test.example"]);
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
    assert_eq!(acme_for_manager["totalCount"], 1);
    assert_eq!(
        acme_for_manager["nodes"][0]["actor"]["email"],
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
        refused(&body, "FORBIDDEN", None);
    }
}

// ---------------------------------------------------------------------------------
// Races
// ---------------------------------------------------------------------------------

/// `ok` or the error code of a response, for compact failure messages.
fn outcome(body: &Value) -> String {
    match (body["errors"].is_null(), code(body), field(body)) {
        (true, _, _) => "ok".into(),
        (false, Some(c), Some(f)) => format!("{c} {f}"),
        (false, c, None) => c.unwrap_or("?").into(),
        (false, None, Some(f)) => format!("? {f}"),
    }
}

/// Writers racing each other get the answers they would get one after the other, and
/// leave what a serial order would leave: for one unique value, one wins and the other
/// is told which field is taken (the unique index never surfaces as an internal
/// error); crossing territory moves cannot make a cycle; BANT answers given at once
/// still qualify the lead; a disqualification racing a qualification ends disqualified.
#[tokio::test]
async fn racing_writers_get_the_answers_of_writers_in_turn() {
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let director = app.token("director");
    let manager = app.token("manager");
    let sdr = app.token("sdr");
    // Every race is run; wrong outcomes are collected so one failure shows them all.
    let mut wrong: Vec<String> = Vec::new();

    // One domain, two creators.
    let q = create_account_q();
    for n in 0..10 {
        let domain = format!("race{n}.example");
        let v = json!({ "i": { "name": format!("Race {n}"), "domain": domain } });
        let (a, b) = tokio::join!(
            app.gql(&q, v.clone(), Some(&director)),
            app.gql(&q, v.clone(), Some(&manager))
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let mut got = [oa.as_str(), ob.as_str()];
        got.sort_unstable();
        if got != ["BAD_USER_INPUT domain", "ok"] {
            wrong.push(format!("createAccount {domain}: {oa} / {ob}"));
        }
        // Whatever the answers, the domain stays unique.
        let rows = accounts::Entity::find()
            .filter(accounts::Column::Domain.eq(domain.as_str()))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(rows, 1, "{domain}");
    }

    // One member, added twice at once.
    let na_west = app.fx.gid("Territory", "na_west");
    for who in ["sdr", "ae", "am", "cs"] {
        let v = json!({ "t": na_west, "u": user_gid(&app, who) });
        let (a, b) = tokio::join!(
            app.gql(ADD_MEMBER, v.clone(), Some(&director)),
            app.gql(ADD_MEMBER, v.clone(), Some(&manager))
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let mut got = [oa.as_str(), ob.as_str()];
        got.sort_unstable();
        if got != ["BAD_USER_INPUT userId", "ok"] {
            wrong.push(format!("addTerritoryMember {who}: {oa} / {ob}"));
        }
    }
    let body = app
        .gql_as("director", TERRITORY, json!({ "id": na_west }))
        .await;
    assert_eq!(
        member_emails(data(&body, "territory")),
        [
            "ae@test.example",
            "am@test.example",
            "cs@test.example",
            "sdr@test.example"
        ]
    );

    // Crossing moves: X under Y's child and Y under X's child, at once. One of them
    // must be refused, or the tree has a cycle.
    let create = |name: String, parent: Option<String>| {
        let app = &app;
        async move {
            let body = app
                .gql_as(
                    "director",
                    CREATE_TERRITORY,
                    json!({ "i": { "name": name, "parentId": parent } }),
                )
                .await;
            data(&body, "createTerritory")["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    for n in 0..5 {
        let x = create(format!("X{n}"), None).await;
        let x_child = create(format!("X{n} child"), Some(x.clone())).await;
        let y = create(format!("Y{n}"), None).await;
        let y_child = create(format!("Y{n} child"), Some(y.clone())).await;
        let (a, b) = tokio::join!(
            app.gql(
                MOVE_TERRITORY,
                json!({ "id": x, "p": y_child }),
                Some(&director)
            ),
            app.gql(
                MOVE_TERRITORY,
                json!({ "id": y, "p": x_child }),
                Some(&director)
            )
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let mut got = [oa.as_str(), ob.as_str()];
        got.sort_unstable();
        if got != ["BAD_USER_INPUT parentId", "ok"] && got != ["CONFLICT", "ok"] {
            wrong.push(format!("crossing moves {n}: {oa} / {ob}"));
        }
    }
    for problem in tree_problems(&app).await {
        wrong.push(format!("tree: {problem}"));
    }

    // BANT from two people at once: once all four are answered, the lead is qualified.
    let create_lead = lead_q("createLead(input: $i)", "($i: CreateLeadInput!)");
    let qualify = lead_q(
        "qualifyLead(id: $id, input: $i)",
        "($id: ID!, $i: QualifyLeadInput!)",
    );
    let disqualify = lead_q(
        "disqualifyLead(id: $id, reason: $r)",
        "($id: ID!, $r: String!)",
    );
    let new_lead = |n: String| {
        let (app, create_lead, sdr) = (&app, &create_lead, &sdr);
        async move {
            let body = app
                .gql(
                    create_lead,
                    json!({ "i": { "companyName": n, "contactName": "Casey" } }),
                    Some(sdr),
                )
                .await;
            let id = data(&body, "createLead")["id"].clone();
            (id.as_str().unwrap().to_string(), uuid_of(&id))
        }
    };
    for n in 0..5 {
        let (id, uuid) = new_lead(format!("Bant {n}")).await;
        let (a, b) = tokio::join!(
            app.gql(
                &qualify,
                json!({ "id": id, "i": { "budget": "50k", "need": "CRM" } }),
                Some(&sdr)
            ),
            app.gql(
                &qualify,
                json!({ "id": id, "i": { "authority": "CFO", "timeline": "Q3" } }),
                Some(&manager)
            )
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let row = lead_row(&app, uuid).await;
        let all_four = row.budget.is_some()
            && row.authority.is_some()
            && row.need.is_some()
            && row.timeline.is_some();
        let answers_ok = [&oa, &ob].iter().all(|o| *o == "ok" || *o == "CONFLICT");
        let status_ok = all_four == (row.status == entity::enums::LeadStatus::Qualified);
        if !answers_ok || !status_ok {
            wrong.push(format!(
                "qualify + qualify {n}: {oa} / {ob}; all four answered: {all_four}, status {:?}",
                row.status
            ));
        }
    }

    // Qualifying and disqualifying at once: in either order a disqualification that
    // succeeded leaves the lead disqualified.
    for n in 0..5 {
        let (id, uuid) = new_lead(format!("Dq {n}")).await;
        let body = app
            .gql(
                &qualify,
                json!({ "id": id, "i": { "budget": "50k", "authority": "CFO", "need": "CRM" } }),
                Some(&sdr),
            )
            .await;
        assert_eq!(data(&body, "qualifyLead")["status"], "WORKING");
        let (a, b) = tokio::join!(
            app.gql(
                &qualify,
                json!({ "id": id, "i": { "timeline": "Q3" } }),
                Some(&sdr)
            ),
            app.gql(
                &disqualify,
                json!({ "id": id, "r": "Budget cut" }),
                Some(&manager)
            )
        );
        let (oa, ob) = (outcome(&a), outcome(&b));
        let row = lead_row(&app, uuid).await;
        use entity::enums::LeadStatus::{Disqualified, Qualified};
        let consistent = match (oa.as_str(), ob.as_str()) {
            (_, "ok") => {
                row.status == Disqualified && row.disqualify_reason.as_deref() == Some("Budget cut")
            }
            ("ok", "CONFLICT") => row.status == Qualified && row.disqualify_reason.is_none(),
            _ => false,
        };
        let qualify_ok = ["ok", "CONFLICT", "INVALID_STATE_TRANSITION"].contains(&oa.as_str());
        if !consistent || !qualify_ok {
            wrong.push(format!(
                "qualify + disqualify {n}: {oa} / {ob}; status {:?}, reason {:?}",
                row.status, row.disqualify_reason
            ));
        }
    }

    assert!(
        wrong.is_empty(),
        "{} races ended differently from any serial order:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
