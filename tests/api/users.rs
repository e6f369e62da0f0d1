//! The user directory and its administration, under the policy.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

const LIST: &str = "query($f: UserFilterInput) { users(first: 100, filter: $f) { totalCount edges { node { email role active } } } }";

fn emails(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["data"]["users"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"]["email"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn directory_scope_per_role() {
    let app = TestApp::spawn().await;
    let all = app.gql_as("director", LIST, json!({})).await;
    assert_eq!(all["data"]["users"]["totalCount"], 11, "{all}");
    assert!(emails(&all).contains(&"gone@test.example".to_string()));
    assert!(emails(&all).contains(&"partner2@test.example".to_string()));
    for who in ["sdr", "ae", "am", "cs", "manager"] {
        let body = app.gql_as(who, LIST, json!({})).await;
        let seen = emails(&body);
        assert_eq!(body["data"]["users"]["totalCount"], 8, "{who}: {body}");
        assert_eq!(seen.len(), 8);
        assert!(
            !seen
                .iter()
                .any(|e| e.starts_with("partner") || e.starts_with("gone")),
            "{who}: {seen:?}"
        );
    }
    // Partners have no directory: only `me`.
    let partner = app.gql_as("partner", LIST, json!({})).await;
    assert!(crate::helpers::unknown_name(&partner), "{partner}");
    // Filters cannot widen scope: asking for partners or inactive users finds none.
    let body = app
        .gql_as("ae", LIST, json!({ "f": { "role": "PARTNER" } }))
        .await;
    assert_eq!(body["data"]["users"]["totalCount"], 0);
    let body = app
        .gql_as("ae", LIST, json!({ "f": { "active": false } }))
        .await;
    assert_eq!(body["data"]["users"]["totalCount"], 0);
    let anon = app.gql(LIST, json!({}), None).await;
    assert_eq!(code(&anon), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn node_answers_not_found_outside_scope() {
    let app = TestApp::spawn().await;
    let q = "query($id: ID!) { node(id: $id) { id ... on User { email } } }";
    let partner_id = TestApp::gid("User", app.user("partner").id);
    let inactive_id = TestApp::gid("User", app.user("inactive").id);
    let ae_id = TestApp::gid("User", app.user("ae").id);
    let body = app.gql_as("director", q, json!({ "id": partner_id })).await;
    assert_eq!(body["data"]["node"]["email"], "partner@test.example");
    for (who, id) in [
        ("ae", &partner_id),
        ("ae", &inactive_id),
        ("partner", &ae_id),
        ("partner2", &partner_id),
    ] {
        let body = app.gql_as(who, q, json!({ "id": id })).await;
        assert_eq!(code(&body), Some("NOT_FOUND"), "{who}: {body}");
    }
    for bad in ["", "nope", "VXNlcjp4"] {
        let body = app.gql_as("ae", q, json!({ "id": bad })).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
    }
}

#[tokio::test]
async fn reports_list_the_team_and_managers_resolve_in_scope() {
    let app = TestApp::spawn().await;
    let q =
        "{ me { manager { email } reports { email } team: reports(transitive: true) { email } } }";
    let body = app.gql_as("director", q, json!({})).await;
    let direct: Vec<_> = body["data"]["me"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(direct, ["manager@test.example", "manager2@test.example"]); // by name
    let team = body["data"]["me"]["team"].as_array().unwrap();
    assert_eq!(team.len(), 8, "{body}"); // both managers, their 5 active reps and the inactive one
    let body = app.gql_as("manager", q, json!({})).await;
    assert_eq!(
        body["data"]["me"]["manager"]["email"],
        "director@test.example"
    );
    // The inactive report is hidden from a manager's directory.
    assert_eq!(
        body["data"]["me"]["reports"].as_array().unwrap().len(),
        4,
        "{body}"
    );
    let body = app
        .gql_as("partner", "{ me { partner { name } } }", json!({}))
        .await;
    assert_eq!(body["data"]["me"]["partner"]["name"], "Northwind Resellers");
}

#[tokio::test]
async fn pagination_follows_relay() {
    let app = TestApp::spawn().await;
    let q = "query($a: String) { users(first: 5, after: $a, orderBy: { field: EMAIL }) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { email } } } }";
    let mut after: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let body = app.gql_as("director", q, json!({ "a": after })).await;
        let conn = &body["data"]["users"];
        seen.extend(
            conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["email"].as_str().unwrap().to_string()),
        );
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.len(), 11);
    let last = app.gql_as("director", "{ users(last: 2, orderBy: { field: EMAIL }) { pageInfo { hasPreviousPage } edges { node { email } } } }", json!({})).await;
    let tail: Vec<_> = last["data"]["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(tail, &sorted[9..]);
    for bad in [
        "{ users(first: 1000) { totalCount } }",
        "{ users(first: -1) { totalCount } }",
        "{ users(after: \"zzz\") { totalCount } }",
    ] {
        let body = app.gql_as("director", bad, json!({})).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
    }
    let body = app
        .gql_as(
            "director",
            "{ users(first: 1000) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");
}

#[tokio::test]
async fn list_statement_count_does_not_grow_with_page_size() {
    let app = TestApp::spawn().await;
    let token = app.token("director");
    let q = "query($n: Int) { users(first: $n) { edges { node { manager { email } partner { name } reports { email } } } } }";
    let mut counts = Vec::new();
    for n in [9, 12] {
        let before = app.statements();
        let body = app.gql(q, json!({ "n": n }), Some(&token)).await;
        assert!(body["errors"].is_null(), "{body}");
        counts.push(app.statements() - before);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    // actor + page + managers + partners + reports (no count: totalCount not selected)
    assert_eq!(counts[0], 5, "{counts:?}");
}

mod administration;
