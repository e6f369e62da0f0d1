//! Cost limits that mean something: pages multiply, batches add up, fragments count at
//! every spread, duplicated and root fields are capped, introspection is free, and a
//! request that gets past all that still meets a field budget and a deadline.

use serde_json::{Value, json};

use super::ok;
use crate::helpers::{TestApp, code};

#[track_caller]
fn refused_query(body: &Value, says: &str) {
    assert_eq!(code(body), Some("BAD_USER_INPUT"), "{body}");
    let msg = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(says), "expected {says:?}: {body}");
    assert!(body["data"].is_null(), "{body}");
}

/// Posts as `application/json`, where a refused request (a request error of the
/// GraphQL-over-HTTP specification) answers 200 without `data`.
async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let resp = app.post_raw(body, Some(&app.token("director"))).await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn connections_cost_their_page_and_batches_add_up() {
    let app = TestApp::spawn().await;
    // The probe: accounts → opportunities → account → opportunities, 100 each.
    let deep = "{ accounts(first: 100) { nodes { opportunities(first: 100) { nodes { account { opportunities(first: 100) { nodes { id } } } } } } } }";
    let before = app.statements();
    let (status, body) = post(&app, json!({ "query": deep })).await;
    assert_eq!(status, 200);
    refused_query(&body, "complexity");
    assert_eq!(app.statements(), before, "nothing ran");

    // 1 + 100 × (1 + 1 + 100 × 3) = 30201: one passes, two in a batch do not.
    let one =
        "{ accounts(first: 100) { nodes { opportunities(first: 100) { nodes { id name } } } } }";
    let (status, body) = post(&app, json!({ "query": one })).await;
    assert_eq!(status, 200, "{body}");
    ok(&body);
    let (status, body) = post(&app, json!([{ "query": one }, { "query": one }])).await;
    assert_eq!(status, 200);
    refused_query(&body, "batch has complexity 60402");
    // A page size held in a variable counts as much as a literal.
    let (_, body) = post(
        &app,
        json!({ "query": "query($n: Int) { accounts(first: $n) { nodes { opportunities(first: $n) { nodes { account { opportunities(first: $n) { nodes { id } } } } } } } }", "variables": { "n": 100 } }),
    )
    .await;
    refused_query(&body, "complexity");
}

#[tokio::test]
async fn aliases_count_at_every_fragment_spread() {
    let app = TestApp::spawn().await; // at most 10 aliases
    let frag = "fragment F on Query { a: me { id } b: me { id } c: me { id } d: me { id } e: me { id } f: me { id } }";
    let (_, body) = post(&app, json!({ "query": format!("{{ ...F }} {frag}") })).await;
    ok(&body);
    let (status, body) = post(&app, json!({ "query": format!("{{ ...F ...F }} {frag}") })).await;
    assert_eq!(status, 200);
    refused_query(&body, "aliases: 12");
}

#[tokio::test]
async fn duplicated_and_root_fields_are_capped() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_MAX_ALIASES".into(), "100".into());
    })
    .await;
    // graphql-cop's "field duplication" probe, on a data field and on __typename.
    for field in ["id", "__typename"] {
        let q = format!("{{ me {{ {} }} }}", format!("{field} ").repeat(500));
        let (status, body) = post(&app, json!({ "query": q })).await;
        assert_eq!(status, 200, "{field}");
        refused_query(&body, "repeats fields: 499");
    }
    let q = format!("{{ me {{ {} }} }}", "id ".repeat(22));
    let (_, body) = post(&app, json!({ "query": q })).await;
    refused_query(&body, "repeats fields: 21");
    let q = format!("{{ me {{ {} }} }}", "id ".repeat(21));
    ok(&post(&app, json!({ "query": q })).await.1);

    let roots = |n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("m{i}: me {{ id }}")).collect();
        format!("{{ {} }}", fields.join(" "))
    };
    ok(&post(&app, json!({ "query": roots(20) })).await.1);
    let (status, body) = post(&app, json!({ "query": roots(21) })).await;
    assert_eq!(status, 200);
    refused_query(&body, "root fields: 21");
}

/// What GraphiQL and codegen tools send (graphql-js `getIntrospectionQuery`, with the
/// deeper type references newer versions use).
pub(super) fn introspection_query() -> String {
    let type_ref = format!(
        "kind name {}{}",
        "ofType { kind name ".repeat(9),
        "}".repeat(9)
    );
    format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }} subscriptionType {{ name }} \
         types {{ ...FullType }} directives {{ name description locations args {{ ...InputValue }} }} }} }} \
         fragment FullType on __Type {{ kind name description \
           fields(includeDeprecated: true) {{ name description args {{ ...InputValue }} type {{ ...TypeRef }} isDeprecated deprecationReason }} \
           inputFields {{ ...InputValue }} interfaces {{ ...TypeRef }} \
           enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }} \
           possibleTypes {{ ...TypeRef }} }} \
         fragment InputValue on __InputValue {{ name description type {{ ...TypeRef }} defaultValue }} \
         fragment TypeRef on __Type {{ {type_ref} }}"
    )
}

#[tokio::test]
async fn the_standard_introspection_query_passes_the_default_limits() {
    // The harness's tighter limits removed: these are the production defaults.
    let app = TestApp::spawn_with(|s| {
        for k in [
            "SALESGRAPH_MAX_ALIASES",
            "SALESGRAPH_MAX_DEPTH",
            "SALESGRAPH_MAX_BATCH",
        ] {
            s.remove(k);
        }
        s.insert("SALESGRAPH_MAX_BODY_BYTES".into(), "262144".into());
    })
    .await;
    let (status, body) = post(&app, json!({ "query": introspection_query() })).await;
    assert_eq!(status, 200, "{body}");
    let types = ok(&body)["__schema"]["types"].as_array().unwrap();
    assert!(types.len() > 50, "{}", types.len());
}

#[tokio::test]
async fn a_request_stops_at_its_field_budget() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_MAX_FIELDS".into(), "25".into());
    })
    .await;
    let (status, body) = post(
        &app,
        json!({ "query": "{ users(first: 50) { nodes { id name email role } } }" }),
    )
    .await;
    assert_eq!(status, 200);
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "one error, not one per field: {body}");
    assert_eq!(errors[0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(errors[0]["extensions"]["field"], "query");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("more than 25 fields"),
        "{body}"
    );
    // Small requests still pass; introspection draws nothing.
    ok(&post(&app, json!({ "query": "{ me { id name } }" })).await.1);
    ok(
        &post(&app, json!({ "query": "{ __schema { types { name } } }" }))
            .await
            .1,
    );
}

/// A list draws `rows × fields per row` when its rows arrive: an `edges { node }` or
/// `nodes` row counts its fields, a nested connection counts once in its parent's row
/// and draws for its own rows. The budget holds exactly at that sum; one field less
/// stops the request with one error and no partial data.
#[tokio::test]
async fn the_field_budget_counts_rows_times_their_fields() {
    let q = "{ accounts(first: 20) { totalCount nodes { id name opportunities(first: 5) { edges { cursor node { id name owner { name } } } } } } }";
    let app = TestApp::spawn().await;
    let (_, body) = post(&app, json!({ "query": q })).await;
    let accounts = ok(&body)["accounts"]["nodes"].as_array().unwrap().clone();
    let opportunities: usize = accounts
        .iter()
        .map(|a| a["opportunities"]["edges"].as_array().unwrap().len())
        .sum();
    assert!(accounts.len() > 3 && opportunities > 3, "{body}");
    // An account row: nodes, id, name, opportunities (4). An opportunity row: edges,
    // cursor, node, id, name, owner, owner.name (7). totalCount is not per row.
    let exact = 4 * accounts.len() + 7 * opportunities;
    for (max, passes) in [(exact, true), (exact - 1, false)] {
        let app = TestApp::spawn_with(|s| {
            s.insert("SALESGRAPH_MAX_FIELDS".into(), max.to_string());
        })
        .await;
        let (status, got) = post(&app, json!({ "query": q })).await;
        assert_eq!(status, 200);
        if passes {
            // Same rows (ids differ between apps: each seeds its own).
            let got = ok(&got)["accounts"]["nodes"].as_array().unwrap().clone();
            let names = |v: &[Value]| v.iter().map(|a| a["name"].clone()).collect::<Vec<_>>();
            assert_eq!(names(&got), names(&accounts), "max {max}");
        } else {
            let errors = got["errors"].as_array().unwrap();
            assert_eq!(errors.len(), 1, "one error, not one per list: {got}");
            assert_eq!(errors[0]["extensions"]["code"], "BAD_USER_INPUT");
            assert_eq!(errors[0]["extensions"]["field"], "query");
            let says = format!("more than {max} fields");
            assert!(
                errors[0]["message"].as_str().unwrap().contains(&says),
                "{got}"
            );
            assert!(got["data"].is_null(), "no partial data: {got}");
        }
    }
}

#[tokio::test]
async fn a_spent_budget_loads_nothing_more() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_MAX_FIELDS".into(), "20".into());
    })
    .await;
    // The accounts page alone passes the budget, so the nested pages never load:
    // the session, the accounts page, and nothing else.
    let q = "{ accounts(first: 50) { nodes { id name owner { name } opportunities(first: 5) { nodes { id } } } } }";
    let before = app.statements();
    let (_, body) = post(&app, json!({ "query": q })).await;
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(app.statements() - before, 2, "{body}");
}

#[tokio::test]
async fn a_request_answers_by_its_deadline() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_REQUEST_TIMEOUT_MS".into(), "1".into());
    })
    .await;
    // A login hashes with argon2 (many milliseconds), far past a 1 ms deadline.
    let body = app
        .login("director@test.example", "wrong-password-123")
        .await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "query", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 1 ms"),
        "{body}"
    );
}

#[tokio::test]
async fn postgres_cancels_a_statement_past_its_timeout() {
    use sea_orm::{ConnectionTrait, DbBackend};
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_STATEMENT_TIMEOUT_MS".into(), "50".into());
    })
    .await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        return; // SQLite has no statement timeout; the request deadline covers it.
    }
    let err = app
        .db
        .execute_unprepared("SELECT pg_sleep(2)")
        .await
        .unwrap_err();
    let err = api::error::AppError::from(err);
    assert_eq!(err.code(), "BAD_USER_INPUT", "{err:?}");
    assert!(err.to_string().contains("took too long"), "{err}");
}

#[tokio::test]
async fn transitive_reports_cost_one_statement_whatever_the_page() {
    let app = TestApp::spawn().await;
    let q = "query($n: Int) { users(first: $n) { nodes { email reports(transitive: true) { email } } } }";
    let mut counts = Vec::new();
    for n in [2, 10] {
        let before = app.statements();
        let body = app.gql_as("director", q, json!({ "n": n })).await;
        ok(&body);
        counts.push(app.statements() - before);
        if n == 10 {
            // The director's team is everyone with a manager chain up to them.
            let nodes = body["data"]["users"]["nodes"].as_array().unwrap();
            let director = nodes
                .iter()
                .find(|u| u["email"] == "director@test.example")
                .unwrap();
            let team: Vec<&str> = director["reports"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap())
                .collect();
            assert!(
                team.contains(&"sdr@test.example") && team.contains(&"ae2@test.example"),
                "{team:?}"
            );
            assert!(!team.contains(&"director@test.example"));
        }
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
}
