//! Territories: creating, redesigning and moving the tree, criteria, members, filters.

use entity::territories;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{ROLES, TestApp};

use super::{
    ADD_MEMBER, CREATE_TERRITORY, MOVE_TERRITORY, TERRITORY, audit_count, create_account_q, data,
    forbidden_to, list, member_emails, refused, set, tree_problems, user_gid, uuid_of,
};

const UPDATE_TERRITORY: &str = "mutation($id: ID!, $i: UpdateTerritoryInput!) { updateTerritory(id: $id, input: $i) { id name manager { email } criteria { countries industries minEmployees maxEmployees } } }";

const SUBTREE: &str = "query($f: TerritoryFilterInput) { territories(first: 100, filter: $f) { totalCount edges { node { name depth parent { name } } } } }";

const REMOVE_MEMBER: &str = "mutation($t: ID!, $u: ID!) { removeTerritoryMember(territoryId: $t, userId: $u) { name members { roleInTerritory user { email } } } }";

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
        forbidden_to(who, &body);
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
            json!({ "id": id, "i": { "managerId": null } }),
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
    refused(&body, "UNKNOWN", None);
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
    refused(&body, "UNKNOWN", None);
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
