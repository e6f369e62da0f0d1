//! User administration: only directors, every bad input named by its field, the role
//! link rules of the policy, and an audit trail.

use serde_json::{Value, json};

use crate::helpers::{ROLES, TestApp, code};

const CREATE: &str =
    "mutation($i: CreateUserInput!) { createUser(input: $i) { id email role manager { email } } }";

fn new_user(email: &str) -> Value {
    json!({ "i": { "email": email, "name": "New Person", "role": "SDR", "password": "a-long-password" } })
}

#[tokio::test]
async fn only_directors_administer_users() {
    let app = TestApp::spawn().await;
    // Partners: not in their schema at all (the matrix checks that).
    for who in ROLES
        .iter()
        .filter(|r| **r != "director" && **r != "partner")
    {
        let body = app.gql_as(who, CREATE, new_user("x@test.example")).await;
        assert_eq!(code(&body), Some("FORBIDDEN"), "{who}: {body}");
        let id = TestApp::gid("User", app.user("sdr").id);
        let body = app
            .gql_as(
                who,
                "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(code(&body), Some("FORBIDDEN"), "{who}: {body}");
        let body = app
            .gql_as(
                who,
                "mutation($id: ID!) { updateUser(id: $id, input: { name: \"X\" }) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    let mut vars = new_user(" New@Test.Example ");
    vars["i"]["managerId"] = json!(TestApp::gid("User", app.user("manager").id));
    let body = app.gql_as("director", CREATE, vars).await;
    assert_eq!(
        body["data"]["createUser"]["email"], "new@test.example",
        "{body}"
    );
    assert_eq!(
        body["data"]["createUser"]["manager"]["email"],
        "manager@test.example"
    );
    let login = app.login("new@test.example", "a-long-password").await;
    assert!(login["data"]["login"].is_object(), "{login}");
}

#[tokio::test]
async fn bad_user_input_names_the_field_and_changes_nothing() {
    use entity::{audit_events, users};
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = TestApp::spawn().await;
    let users_before = users::Entity::find().count(&app.db).await.unwrap();
    let audit_before = audit_events::Entity::find().count(&app.db).await.unwrap();
    let manager = TestApp::gid("User", app.user("manager").id);
    let partner = TestApp::gid("Partner", app.fx.partners["p1"].id);
    let cases = [
        (
            json!({ "email": "bad", "name": "N", "role": "SDR", "password": "a-long-password" }),
            "email",
        ),
        (
            json!({ "email": "ae@test.example", "name": "N", "role": "SDR", "password": "a-long-password" }),
            "email",
        ),
        (
            json!({ "email": "n@test.example", "name": "  ", "role": "SDR", "password": "a-long-password" }),
            "name",
        ),
        (
            json!({ "email": "n@test.example", "name": "x".repeat(201), "role": "SDR", "password": "a-long-password" }),
            "name",
        ),
        (
            json!({ "email": "n@test.example", "name": "N", "role": "SDR", "password": "short" }),
            "password",
        ),
        (
            json!({ "email": "n@test.example", "name": "N", "role": "SDR", "password": "x".repeat(129) }),
            "password",
        ),
        (
            json!({ "email": "n@test.example", "name": "N", "role": "SDR", "password": "" }),
            "password",
        ),
        (
            json!({ "email": "n@test.example", "name": "N", "role": "PARTNER", "password": "a-long-password" }),
            "partnerId",
        ),
        (
            json!({ "email": "n@test.example", "name": "N", "role": "SDR", "password": "a-long-password", "partnerId": partner }),
            "partnerId",
        ),
        (
            json!({ "email": "n@test.example", "name": "N", "role": "SDR", "password": "a-long-password", "managerId": "garbage" }),
            "managerId",
        ),
        (
            json!({ "email": "n@test.example", "name": "N", "role": "SDR", "password": "a-long-password", "managerId": partner }),
            "managerId",
        ),
        (
            json!({ "email": "n@test.example", "name": "N", "role": "SDR", "password": "a-long-password", "managerId": TestApp::gid("User", app.user("partner").id) }),
            "managerId",
        ),
    ];
    for (input, field) in cases {
        let body = app.gql_as("director", CREATE, json!({ "i": input })).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{input}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{input}: {body}"
        );
    }
    // Unknown enum values and wrong types are refused by the schema itself.
    let body = app.gql_as("director", CREATE, json!({ "i": { "email": "n@test.example", "name": "N", "role": "KING", "password": "a-long-password" } })).await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
    // A manager may not report to their own report (cycle).
    let body = app
        .gql_as(
            "director",
            "mutation($id: ID!, $m: ID!) { updateUser(id: $id, input: { managerId: $m }) { id } }",
            json!({ "id": manager, "m": TestApp::gid("User", app.user("sdr").id) }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "managerId",
        "{body}"
    );
    assert_eq!(
        users::Entity::find().count(&app.db).await.unwrap(),
        users_before
    );
    assert_eq!(
        audit_events::Entity::find().count(&app.db).await.unwrap(),
        audit_before
    );
}

#[tokio::test]
async fn updates_are_audited_with_before_and_after() {
    use entity::audit_events;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::spawn().await;
    let id = TestApp::gid("User", app.user("ae").id);
    let body = app
        .gql_as(
            "director",
            "mutation($id: ID!) { updateUser(id: $id, input: { name: \"Alexandra Ae\", password: \"another-long-password\" }) { name } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["updateUser"]["name"], "Alexandra Ae", "{body}");
    let ev = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("updateUser"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ev.entity_id, app.user("ae").id);
    assert_eq!(ev.actor_id, Some(app.user("director").id));
    assert_eq!(ev.changes["name"]["before"], "Alex Ae");
    assert_eq!(ev.changes["name"]["after"], "Alexandra Ae");
    assert_eq!(ev.changes["password"]["after"], "[redacted]");
    assert!(!ev.changes.to_string().contains("another-long-password"));
    // Directors cannot lock themselves out.
    let me = TestApp::gid("User", app.user("director").id);
    let body = app
        .gql_as(
            "director",
            "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
            json!({ "id": me }),
        )
        .await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn role_links_and_self_changes_are_refused_on_their_field() {
    let app = TestApp::spawn().await;
    let partner = TestApp::gid("Partner", app.fx.partners["p1"].id);
    let manager = TestApp::gid("User", app.user("manager").id);
    let base = json!({ "email": "p@test.example", "name": "N", "role": "PARTNER", "password": "a-long-password" });
    let with = |extra: Value| {
        let mut i = base.clone();
        i.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "i": i })
    };
    let update =
        "mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { role } }";
    let cases = [
        (
            CREATE,
            with(json!({ "partnerId": partner, "managerId": manager })),
            "managerId",
        ),
        (
            CREATE,
            with(json!({ "partnerId": TestApp::gid("Partner", uuid::Uuid::new_v4()) })),
            "partnerId",
        ),
        (
            CREATE,
            with(
                json!({ "role": "SDR", "managerId": TestApp::gid("User", app.user("inactive").id) }),
            ),
            "managerId",
        ),
        // A partner user made internal keeps their partner: refused, not half-converted.
        (
            update,
            json!({ "id": TestApp::gid("User", app.user("partner").id), "i": { "role": "SDR" } }),
            "partnerId",
        ),
        (
            update,
            json!({ "id": TestApp::gid("User", app.user("director").id), "i": { "role": "SALES_MANAGER" } }),
            "role",
        ),
    ];
    for (doc, vars, field) in cases {
        let body = app.gql_as("director", doc, vars.clone()).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{vars}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], field,
            "{vars}: {body}"
        );
    }
    // Naming one's own unchanged role is no change; a partner user with a partner is fine.
    let id = TestApp::gid("User", app.user("director").id);
    let body = app
        .gql_as(
            "director",
            update,
            json!({ "id": id, "i": { "role": "DIRECTOR" } }),
        )
        .await;
    assert_eq!(body["data"]["updateUser"]["role"], "DIRECTOR", "{body}");
    let body = app
        .gql_as("director", CREATE, with(json!({ "partnerId": partner })))
        .await;
    assert_eq!(body["data"]["createUser"]["role"], "PARTNER", "{body}");
}
