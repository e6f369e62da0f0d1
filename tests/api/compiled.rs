//! Reads answered by one statement (`graphql::compiled`, on PostgreSQL and SQLite) answer
//! exactly what the resolvers answer. Each query runs twice as each internal role: as
//! written (planned) and with `@include(if: true)` on its root field, which the planner
//! leaves to the resolvers without changing the answer. `SALESGRAPH_COMPILED_READS`
//! turns the path off; one test checks that then nothing is planned.

use entity::{accounts, users};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use crate::{helpers::TestApp, narrow::varied};

const ROLES: &[&str] = &[
    "director", "manager", "manager2", "ae", "ae2", "am", "cs", "sdr",
];

fn compiled_on(settings: &mut std::collections::HashMap<String, String>) {
    settings.insert("SALESGRAPH_COMPILED_READS".into(), "true".into());
}

/// The query with `@include(if: true)` on its first root field: the same answer, by
/// the resolvers.
fn unplanned(query: &str) -> String {
    let open = query.find('{').expect("a selection");
    let root_end = query[open + 1..]
        .find(['(', '{'])
        .map(|i| open + 1 + i)
        .expect("a root field");
    let mut q = query.to_owned();
    let args_end = if q[root_end..].starts_with('(') {
        root_end + q[root_end..].find(')').expect("closing parenthesis") + 1
    } else {
        root_end
    };
    q.insert_str(args_end, " @include(if: true) ");
    q
}

/// Runs `query` both ways as `who`; returns the planned answer and its statement count.
async fn both(app: &TestApp, who: &str, query: &str, vars: Value) -> (Value, u64) {
    let before = app.statements();
    let planned = app.gql_as(who, query, vars.clone()).await;
    let statements = app.statements() - before;
    let resolved = app.gql_as(who, &unplanned(query), vars).await;
    assert!(
        planned.get("errors").is_none(),
        "{who}: {query}\n{planned:#}"
    );
    assert_eq!(planned, resolved, "{who}: {query}");
    // Every query these tests compare is planned: the session check and the one
    // statement. (A planned read that failed would have fallen back to the resolvers,
    // with the same answer and more statements.)
    assert_eq!(statements, 2, "planned: {who}: {query}");
    (planned, statements)
}

/// Data that exercises every planned field: varied rows, an owner who is no longer
/// active (out of every scope but the director's), and a name that needs JSON escaping
/// and more than ASCII in its cursor.
async fn data(app: &TestApp) {
    varied(app).await;
    let all = accounts::Entity::find().all(&app.db).await.unwrap();
    let mut odd = all[0].clone().into_active_model();
    odd.name = Set("Zoë's \"Café\" | 東京 \\ end".into());
    odd.owner_id = Set(Some(app.user("inactive").id));
    odd.update(&app.db).await.unwrap();
    let inactive = users::Entity::find_by_id(app.user("inactive").id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!inactive.active, "the fixture's inactive user");
}

const NESTED: &str = "{ accounts(first: 50) { edges { node { id name owner { name } \
    opportunities(first: 10) { edges { node { id amount stage owner { name } } } } } } } }";

const EVERY_ACCOUNT_FIELD: &str = "{ accounts(first: 4) { \
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } \
    edges { cursor node { id name domain industry country employeeCount lifecycle arr health \
    contractEndDate owner { id name email role active } accountManager { name } csm { id } \
    opportunities(first: 1) { pageInfo { hasNextPage endCursor } nodes { id name } } } } } }";

const EVERY_OPPORTUNITY_FIELD: &str = "{ opportunities(first: 6) { \
    edges { cursor node { id name stage closeDate amount type probability forecastCategory \
    lostReason version owner { name } sourcedBy { name active } \
    account { id name owner { name } opportunities(first: 2) { edges { cursor node { name } } } } } } \
    pageInfo { endCursor hasNextPage } } }";

#[tokio::test]
async fn planned_reads_answer_what_the_resolvers_answer() {
    let app = TestApp::spawn_with(compiled_on).await;
    data(&app).await;
    for who in ROLES {
        for query in [NESTED, EVERY_ACCOUNT_FIELD, EVERY_OPPORTUNITY_FIELD] {
            both(&app, who, query, json!({})).await;
        }
        // Aliases, two roots, an empty page, and the resolvers' default page size.
        both(
            &app,
            who,
            "{ a: accounts(first: 2) { e: edges { n: node { i: id o: owner { n: name } } } } \
             b: opportunities { nodes { id } p: pageInfo { hasNextPage } } \
             c: accounts(first: 0) { edges { cursor } pageInfo { hasNextPage startCursor } } }",
            json!({}),
        )
        .await;
        // `__typename` everywhere, as Apollo Client adds it.
        both(
            &app,
            who,
            "{ accounts(first: 3) { __typename pageInfo { __typename hasNextPage endCursor } \
             edges { __typename cursor node { __typename id name owner { __typename name } \
             opportunities(first: 2) { __typename nodes { __typename id \
             account { __typename name } } } } } } }",
            json!({}),
        )
        .await;
        // A nested list read only for its page info: its rows carry no columns at all.
        both(
            &app,
            who,
            "{ accounts(first: 3) { nodes { name opportunities(first: 1) { \
             pageInfo { hasNextPage hasPreviousPage } } } } }",
            json!({}),
        )
        .await;
    }
}

#[tokio::test]
async fn planned_pages_walk_like_the_resolvers_pages() {
    let app = TestApp::spawn_with(compiled_on).await;
    data(&app).await;
    let query = "query($n: Int, $c: String) { opportunities(first: $n, after: $c) { \
        edges { cursor node { id name closeDate owner { name } } } \
        pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let nested = "query($c: String) { accounts(first: 3, after: $c) { \
        edges { node { name opportunities(first: 1) { edges { node { id } } pageInfo { hasNextPage } } } } \
        pageInfo { hasNextPage endCursor } } }";
    for who in ["director", "manager", "ae"] {
        for (q, list) in [(query, "opportunities"), (nested, "accounts")] {
            let mut after = Value::Null;
            let mut pages = 0;
            loop {
                let (page, _) = both(&app, who, q, json!({ "n": 2, "c": after })).await;
                pages += 1;
                let info = &page["data"][list]["pageInfo"];
                if info["hasNextPage"] != json!(true) {
                    break;
                }
                after = info["endCursor"].clone();
                assert!(pages < 50, "{who}: the walk ends");
            }
            if who == "director" {
                assert!(pages > 2, "{who} walks several pages of {list}");
            }
        }
    }
}

#[tokio::test]
async fn a_planned_read_is_one_statement_after_the_session() {
    let app = TestApp::spawn_with(compiled_on).await;
    data(&app).await;
    for who in ["director", "manager", "sdr"] {
        let (_, statements) = both(&app, who, NESTED, json!({})).await;
        // The session check, then one statement, on both databases.
        assert_eq!(statements, 2, "{who}");
    }
    // Off, the resolvers answer on both databases.
    let off = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_COMPILED_READS".into(), "false".into());
    })
    .await;
    let before = off.statements();
    let body = off.gql_as("director", NESTED, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(off.statements() - before, 3);
}

#[tokio::test]
async fn what_the_planner_cannot_read_gets_the_resolvers_answer_and_errors() {
    let app = TestApp::spawn_with(compiled_on).await;
    data(&app).await;
    // Bad arguments are the resolvers' errors, named, whatever the path.
    for (vars, field) in [
        (json!({ "n": 101 }), "first"),
        (json!({ "n": -1 }), "first"),
        (json!({ "c": "garbage" }), "after"),
    ] {
        let body = app
            .gql_as(
                "director",
                "query($n: Int, $c: String) { accounts(first: $n, after: $c) { edges { node { id } } } }",
                vars,
            )
            .await;
        assert_eq!(
            crate::helpers::code(&body),
            Some("BAD_USER_INPUT"),
            "{body}"
        );
        assert!(body.to_string().contains(field), "{body}");
    }
    // A cursor of another list is refused, not answered with a wrong page.
    let accounts = app
        .gql_as(
            "director",
            "{ accounts(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = accounts["data"]["accounts"]["pageInfo"]["endCursor"].clone();
    let body = app
        .gql_as(
            "director",
            "query($c: String) { opportunities(after: $c) { edges { node { id } } } }",
            json!({ "c": cursor }),
        )
        .await;
    assert_eq!(
        crate::helpers::code(&body),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    // A variable of the wrong type fails validation, as it does without the planner.
    let body = app
        .gql_as(
            "director",
            "query($n: String) { accounts(first: $n) { edges { node { id } } } }",
            json!({ "n": "5" }),
        )
        .await;
    assert!(body["errors"].is_array(), "{body}");
    assert!(
        body.get("data").is_none() || body["data"].is_null(),
        "{body}"
    );
    // A partner is never planned: the partner schema answers. A plannable document that
    // names an internal field fails its validation (planned, it would run on the
    // internal schema and answer), and an allowed one answers as the resolvers do.
    let internal = "{ opportunities(first: 5) { nodes { id probability account { name } } } }";
    let body = app.gql_as("partner", internal, json!({})).await;
    assert!(crate::helpers::unknown_name(&body), "{body}");
    let query = "{ opportunities(first: 5) { nodes { id name account { name } } } }";
    let body = app.gql_as("partner", query, json!({})).await;
    let resolved = app.gql_as("partner", &unplanned(query), json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(
        body["data"]["opportunities"]["nodes"][0]["account"]["name"].is_string(),
        "{body}"
    );
    assert_eq!(body, resolved);
}
