//! Partner organizations: the directors' list and administration, partner users, and
//! suspension ending access on the next request.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, code, unknown_name};

const LIST: &str = "query($f: PartnerFilterInput) { partners(first: 100, filter: $f) { totalCount edges { node { id name tier status } } } }";
const CREATE: &str =
    "mutation($i: CreatePartnerInput!) { createPartner(input: $i) { id name tier status } }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdatePartnerInput!) { updatePartner(id: $id, input: $i) { id name tier status } }";
const CREATE_USER: &str =
    "mutation($i: CreateUserInput!) { createUser(input: $i) { id role partner { name } } }";

fn names(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["data"]["partners"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn directors_list_create_and_update_partners() {
    let app = TestApp::spawn().await;
    let body = app.gql_as("director", LIST, json!({})).await;
    assert_eq!(body["data"]["partners"]["totalCount"], 2, "{body}");
    for who in ["sdr", "ae", "am", "cs", "manager", "manager2"] {
        let body = app.gql_as(who, LIST, json!({})).await;
        assert_eq!(code(&body), Some("FORBIDDEN"), "{who}: {body}");
        let body = app
            .gql_as(who, CREATE, json!({ "i": { "name": "Nope" } }))
            .await;
        assert_eq!(code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    for who in ["partner", "partner2"] {
        assert!(unknown_name(&app.gql_as(who, LIST, json!({})).await));
    }
    let body = app
        .gql_as(
            "director",
            CREATE,
            json!({ "i": { "name": "  Acme Channel  ", "tier": "SILVER" } }),
        )
        .await;
    let created = &body["data"]["createPartner"];
    assert_eq!(created["name"], "Acme Channel", "{body}");
    assert_eq!(created["status"], "ACTIVE");
    // Names are unique case-insensitively, and required.
    for (name, field) in [("acme channel", "name"), ("   ", "name")] {
        let body = app
            .gql_as("director", CREATE, json!({ "i": { "name": name } }))
            .await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    let id = created["id"].as_str().unwrap();
    let body = app
        .gql_as(
            "director",
            UPDATE,
            json!({ "id": id, "i": { "tier": "PLATINUM" } }),
        )
        .await;
    assert_eq!(body["data"]["updatePartner"]["tier"], "PLATINUM", "{body}");
    let body = app
        .gql_as("director", LIST, json!({ "f": { "search": "acme" } }))
        .await;
    assert_eq!(names(&body), ["Acme Channel"]);
    // A random id is NOT_FOUND.
    let random = TestApp::gid("Partner", uuid::Uuid::new_v4());
    let body = app
        .gql_as(
            "director",
            UPDATE,
            json!({ "id": random, "i": { "tier": "GOLD" } }),
        )
        .await;
    assert_eq!(code(&body), Some("NOT_FOUND"), "{body}");
}

#[tokio::test]
async fn partner_users_need_a_partner_organization() {
    let app = TestApp::spawn().await;
    let user = |partner: Option<String>| {
        json!({ "i": { "email": "new.partner@test.example", "name": "New Partner",
            "role": "PARTNER", "password": PASSWORD, "partnerId": partner } })
    };
    let body = app.gql_as("director", CREATE_USER, user(None)).await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "partnerId");
    let p1 = app.fx.gid("Partner", "p1");
    let body = app.gql_as("director", CREATE_USER, user(Some(p1))).await;
    assert_eq!(body["data"]["createUser"]["role"], "PARTNER", "{body}");
    let login = app.login("new.partner@test.example", PASSWORD).await;
    let token = login["data"]["login"]["accessToken"].as_str().unwrap();
    let me = app
        .gql("{ me { name partner { name } } }", json!({}), Some(token))
        .await;
    assert_eq!(
        me["data"]["me"]["partner"]["name"], "Northwind Resellers",
        "{me}"
    );
}

#[tokio::test]
async fn suspending_an_organization_ends_its_users_access_on_the_next_request() {
    let app = TestApp::spawn().await;
    let me = "{ me { name } }";
    assert!(app.gql_as("partner", me, json!({})).await["errors"].is_null());
    let p1 = app.fx.gid("Partner", "p1");
    let body = app
        .gql_as(
            "director",
            UPDATE,
            json!({ "id": p1, "i": { "status": "SUSPENDED" } }),
        )
        .await;
    assert_eq!(
        body["data"]["updatePartner"]["status"], "SUSPENDED",
        "{body}"
    );
    let body = app.gql_as("partner", me, json!({})).await;
    assert_eq!(code(&body), Some("UNAUTHENTICATED"), "{body}");
    // Nor can they sign in again; the other organization is untouched.
    let login = app
        .login(&app.user("partner").email.clone(), PASSWORD)
        .await;
    assert!(
        login["data"].is_null() || login["data"]["login"].is_null(),
        "{login}"
    );
    assert!(app.gql_as("partner2", me, json!({})).await["errors"].is_null());
    // Reactivated: the same token works again.
    app.gql_as(
        "director",
        UPDATE,
        json!({ "id": p1, "i": { "status": "ACTIVE" } }),
    )
    .await;
    assert!(app.gql_as("partner", me, json!({})).await["errors"].is_null());
}
