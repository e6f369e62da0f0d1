//! One convention across every update input: an omitted field is unchanged, an explicit
//! `null` clears it, and `null` on a field that cannot be empty is refused by name.

use serde_json::{Value, json};

use crate::helpers::TestApp;

use super::{data, refused};

/// Runs `mutation` as `who` on `id`: `clearable` is (input field, its selection),
/// `required` an input field that must keep a value, `other` some other change.
#[allow(clippy::too_many_arguments)]
async fn check(
    app: &TestApp,
    who: &str,
    mutation: &str,
    input_type: &str,
    id: String,
    clearable: (&str, &str),
    required: &str,
    other: (&str, Value),
) {
    let q = format!(
        "mutation($id: ID!, $i: {input_type}!) {{ {mutation}(id: $id, input: $i) {{ id {} }} }}",
        clearable.1
    );
    let key = clearable.1.split_whitespace().next().unwrap_or_default();
    // Omitted: unchanged (only another field is sent).
    let before = app.gql_as(who, &q, json!({ "id": id, "i": {} })).await;
    let before = data(&before, mutation)[key].clone();
    assert!(
        !before.is_null(),
        "{mutation}: the fixture must have a value to clear"
    );
    let body = app
        .gql_as(who, &q, json!({ "id": id, "i": { other.0: other.1 } }))
        .await;
    assert_eq!(data(&body, mutation)[key], before, "{mutation}: omitted");
    // null: cleared.
    let body = app
        .gql_as(who, &q, json!({ "id": id, "i": { clearable.0: null } }))
        .await;
    assert!(data(&body, mutation)[key].is_null(), "{mutation}: {body}");
    // null on a field that always has a value: refused, naming it.
    let body = app
        .gql_as(who, &q, json!({ "id": id, "i": { required: null } }))
        .await;
    refused(&body, "BAD_USER_INPUT", Some(required));
}

#[tokio::test]
async fn omitted_is_unchanged_and_null_clears_in_every_update() {
    let app = TestApp::spawn().await;
    let acme = app.fx.gid("Account", "acme");
    check(
        &app,
        "director",
        "updateAccount",
        "UpdateAccountInput",
        acme,
        ("csmId", "csm { email }"),
        "name",
        ("industry", json!("Software")),
    )
    .await;
    check(
        &app,
        "director",
        "updateLead",
        "UpdateLeadInput",
        app.fx.gid("Lead", "sdr_own"),
        ("ownerId", "owner { email }"),
        "companyName",
        ("industry", json!("Retail")),
    )
    .await;
    check(
        &app,
        "director",
        "updateTerritory",
        "UpdateTerritoryInput",
        app.fx.gid("Territory", "amer"),
        ("managerId", "manager { email }"),
        "name",
        ("name", json!("Americas")),
    )
    .await;
    check(
        &app,
        "director",
        "updateUser",
        "UpdateUserInput",
        TestApp::gid("User", app.user("ae").id),
        ("managerId", "manager { email }"),
        "email",
        ("name", json!("Ada Exec")),
    )
    .await;
}
