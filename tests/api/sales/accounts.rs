//! Accounts: creation defaults, placement by territory criteria, reassignment, filters.

use entity::{accounts, audit_events};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

use super::{
    CREATE_TERRITORY, audit_count, create_account_q, data, forbidden_to, list, refused,
    update_account_q, user_gid, uuid_of,
};

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
        forbidden_to(who, &body);
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
    // Only a caller who sees every tied territory is told their names.
    for who in ["director"] {
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
    // The AE sees neither: naming them would leak, so the account stays unassigned.
    let body = app.gql_as("ae", &q, make("Kyoto", "JP", None)).await;
    assert_eq!(territory(&body), None, "{body}");
    assert!(!body.to_string().contains("APAC"), "{body}");
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
        json!({ "ownerId": null }),
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
            json!({ "id": acme, "i": { "name": "Acme Holdings", "arr": "150000.5", "health": null, "contractEndDate": "2027-01-31" } }),
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
            json!({ "id": acme, "i": { "ownerId": user_gid(&app, "ae2"), "territoryId": app.fx.gid("Territory", "emea"), "csmId": null } }),
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
    refused(&body, "UNKNOWN", None);
    let body = run("partner", Value::Null, json!({ "field": "ARR" })).await;
    refused(&body, "UNKNOWN", None);
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
