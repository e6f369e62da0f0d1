//! Keyset pagination: every sort key pages forward and backward through ties and NULLs
//! to the same order as one big page, concurrent inserts neither skip nor repeat rows,
//! and cursors only work on the list and order that issued them.

use chrono::{TimeDelta, Utc};
use entity::{accounts, enums::Lifecycle};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::TestApp;

/// Accounts with tied ARR, tied names and missing employee counts, so every key has
/// ties and (where nullable) NULLs.
async fn ties(app: &TestApp) {
    let now = Utc::now();
    let ae = app.user("ae").id;
    for i in 0..7i64 {
        account(
            app,
            &format!("Tie {}", i % 3),
            ae,
            i % 2 * 500_000,
            (i % 3 != 0).then_some(i as i32 % 2 * 10),
            now - TimeDelta::seconds(i % 2),
        )
        .await;
    }
}

async fn account(
    app: &TestApp,
    name: &str,
    owner: Uuid,
    arr: i64,
    employees: Option<i32>,
    at: chrono::DateTime<Utc>,
) -> Uuid {
    accounts::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name.into()),
        domain: Set(format!("{}.example", Uuid::new_v4().simple())),
        industry: Set(None),
        country: Set(None),
        employee_count: Set(employees),
        territory_id: Set(Some(app.fx.territories["na_west"])),
        owner_id: Set(Some(owner)),
        account_manager_id: Set(None),
        csm_id: Set(None),
        partner_id: Set(None),
        lifecycle: Set(Lifecycle::Prospect),
        arr_cents: Set(arr),
        contract_end_date: Set(None),
        health: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&app.db)
    .await
    .unwrap()
    .id
}

/// One page of `list` as `who`; `args` are the page arguments and the order.
async fn page(app: &TestApp, who: &str, list: &str, args: &str, fields: &str) -> Value {
    let q = format!(
        "{{ {list}({args}) {{ pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ id {fields} }} }} }} }}"
    );
    let body = app.gql_as(who, &q, json!({})).await;
    assert!(body["errors"].is_null(), "{q}: {body}");
    body["data"][list].clone()
}

fn ids(conn: &Value) -> Vec<String> {
    conn["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Walks `list` two rows at a time forward, then backward, and compares both walks with
/// one page of everything.
async fn walks_like_one_page(app: &TestApp, who: &str, list: &str, order: &str, fields: &str) {
    let all = ids(&page(app, who, list, &format!("first: 100, {order}"), fields).await);
    assert!(all.len() > 4, "{list} {order}: too few rows to page");
    let mut forward = Vec::new();
    let mut after = String::new();
    loop {
        let conn = page(app, who, list, &format!("first: 2{after}, {order}"), fields).await;
        forward.extend(ids(&conn));
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = format!(
            ", after: \"{}\"",
            conn["pageInfo"]["endCursor"].as_str().unwrap()
        );
        assert!(
            forward.len() <= all.len(),
            "{list} {order}: forward walk does not end"
        );
    }
    assert_eq!(forward, all, "{list} {order}: forward walk");
    let mut backward = Vec::new();
    let mut before = String::new();
    loop {
        let conn = page(app, who, list, &format!("last: 2{before}, {order}"), fields).await;
        let mut chunk = ids(&conn);
        chunk.extend(backward);
        backward = chunk;
        if conn["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = format!(
            ", before: \"{}\"",
            conn["pageInfo"]["startCursor"].as_str().unwrap()
        );
        assert!(
            backward.len() <= all.len(),
            "{list} {order}: backward walk does not end"
        );
    }
    assert_eq!(backward, all, "{list} {order}: backward walk");
}

#[tokio::test]
async fn every_order_key_pages_through_ties_and_nulls_both_ways() {
    let app = TestApp::spawn().await;
    ties(&app).await;
    let lists: [(&str, &[&str]); 4] = [
        ("accounts", &["NAME", "CREATED_AT", "ARR", "EMPLOYEE_COUNT"]),
        (
            "opportunities",
            &["CLOSE_DATE", "AMOUNT", "NAME", "CREATED_AT", "PROBABILITY"],
        ),
        ("leads", &["CREATED_AT", "COMPANY_NAME", "STATUS"]),
        ("users", &["NAME", "EMAIL", "CREATED_AT"]),
    ];
    for (list, fields) in lists {
        for field in fields {
            for dir in ["ASC", "DESC"] {
                let order = format!("orderBy: {{ field: {field}, direction: {dir} }}");
                walks_like_one_page(&app, "director", list, &order, "").await;
            }
        }
        walks_like_one_page(&app, "director", list, "", "").await;
    }
}

#[tokio::test]
async fn nulls_sort_last_ascending_and_first_descending() {
    let app = TestApp::spawn().await;
    ties(&app).await;
    for (dir, null_first) in [("ASC", false), ("DESC", true)] {
        let conn = page(
            &app,
            "director",
            "accounts",
            &format!("first: 100, orderBy: {{ field: EMPLOYEE_COUNT, direction: {dir} }}"),
            "employeeCount",
        )
        .await;
        let nulls: Vec<bool> = conn["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["employeeCount"].is_null())
            .collect();
        assert!(nulls.iter().any(|n| *n) && nulls.iter().any(|n| !*n));
        let boundary = nulls.iter().position(|n| *n != null_first).unwrap();
        assert!(
            nulls[boundary..].iter().all(|n| *n != null_first),
            "{dir}: NULLs not grouped at the {} end: {nulls:?}",
            if null_first { "first" } else { "last" }
        );
    }
}

#[tokio::test]
async fn a_row_inserted_between_two_fetches_is_neither_lost_nor_repeated() {
    let app = TestApp::spawn().await;
    ties(&app).await;
    let order = "orderBy: { field: NAME }";
    let before_all = ids(&page(
        &app,
        "director",
        "accounts",
        &format!("first: 100, {order}"),
        "",
    )
    .await);
    let first = page(
        &app,
        "director",
        "accounts",
        &format!("first: 3, {order}"),
        "",
    )
    .await;
    let cursor = first["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    // One row sorting before the cursor (an offset would repeat a row), one after it.
    let ae = app.user("ae").id;
    account(&app, "  first of all", ae, 0, None, Utc::now()).await;
    let late = TestApp::gid(
        "Account",
        account(&app, "zzzz last of all", ae, 0, None, Utc::now()).await,
    );
    let mut seen = ids(&first);
    let mut after = cursor;
    loop {
        let conn = page(
            &app,
            "director",
            "accounts",
            &format!("first: 3, after: \"{after}\", {order}"),
            "",
        )
        .await;
        seen.extend(ids(&conn));
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
    }
    let mut expected = before_all;
    expected.push(late);
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn nested_lists_page_by_cursor() {
    let app = TestApp::spawn().await;
    let q = "query($after: String) { accounts(first: 100) { edges { node { opportunities(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } } } }";
    let body = app.gql_as("director", q, json!({})).await;
    // The account with the most opportunities, walked one at a time.
    let accounts = body["data"]["accounts"]["edges"].as_array().unwrap();
    let index = (0..accounts.len())
        .find(|i| accounts[*i]["node"]["opportunities"]["pageInfo"]["hasNextPage"] == true)
        .expect("an account with two opportunities");
    let full = "query($id: ID!, $after: String) { node(id: $id) { ... on Account { opportunities(first: 100) { edges { node { id } } } one: opportunities(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } } }";
    let id_q = "{ accounts(first: 100) { edges { node { id } } } }";
    let ids_body = app.gql_as("director", id_q, json!({})).await;
    let id = ids_body["data"]["accounts"]["edges"][index]["node"]["id"].clone();
    let body = app.gql_as("director", full, json!({ "id": id })).await;
    let all = ids(&body["data"]["node"]["opportunities"]);
    let mut walked = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app
            .gql_as("director", full, json!({ "id": id, "after": after }))
            .await;
        let one = &body["data"]["node"]["one"];
        walked.extend(ids(one));
        if one["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = one["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(walked, all);
}

#[tokio::test]
async fn bad_cursors_and_sizes_name_their_argument() {
    let app = TestApp::spawn().await;
    let accounts = page(&app, "director", "accounts", "first: 1", "").await;
    let cursor = accounts["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        ("accounts(after: \"garbage\")".to_owned(), "after"),
        ("accounts(last: 1, before: \"garbage\")".to_owned(), "before"),
        // Another list's cursor, another order's cursor.
        (format!("opportunities(after: \"{cursor}\")"), "after"),
        (format!("accounts(after: \"{cursor}\", orderBy: {{ field: CREATED_AT }})"), "after"),
        (format!("accounts(after: \"{cursor}\", orderBy: {{ field: NAME, direction: DESC }})"), "after"),
        (format!("accounts(last: 2, before: \"{cursor}\", orderBy: {{ field: ARR }})"), "before"),
        ("accounts(first: 101)".to_owned(), "first"),
        ("accounts(first: -1)".to_owned(), "first"),
        ("accounts(last: 101)".to_owned(), "last"),
        ("accounts(first: 1) { edges { node { opportunities(after: \"garbage\") { totalCount } } } } x: accounts".to_owned(), "after"),
        (format!("accounts(first: 1) {{ edges {{ node {{ opportunities(after: \"{cursor}\") {{ totalCount }} }} }} }} x: accounts"), "after"),
        ("accounts(first: 1) { edges { node { opportunities(first: 101) { totalCount } } } } x: accounts".to_owned(), "first"),
    ];
    for (field, arg) in cases {
        let q = format!("{{ {field} {{ totalCount }} }}");
        let body = app.gql_as("director", &q, json!({})).await;
        let err = &body["errors"][0];
        assert_eq!(err["extensions"]["code"], "BAD_USER_INPUT", "{q}: {body}");
        assert_eq!(err["extensions"]["field"], arg, "{q}: {body}");
    }
}

/// A page without other values (the director's lists: no scope, no cursor) has its
/// LIMIT written into its statement (`services::sql::select`), so PostgreSQL keeps the
/// statement's plan: a prepared statement without parameters runs its one generic
/// plan, where a bound LIMIT is planned again per execution (the generic plan cannot
/// know how many rows the LIMIT keeps). Run on one connection, where
/// `pg_prepared_statements` shows both; on SQLite, the text and the rows.
#[tokio::test]
async fn a_page_statement_keeps_its_plan() {
    use entity::opportunities;
    use sea_orm::{
        ConnectionTrait, DbBackend, EntityTrait, QueryOrder, QuerySelect, QueryTrait, Statement,
        TransactionTrait,
    };

    let app = TestApp::spawn().await;
    let backend = app.db.get_database_backend();
    let page = opportunities::Entity::find()
        .select_only()
        .column(opportunities::Column::Id)
        .order_by_asc(opportunities::Column::CloseDate)
        .order_by_asc(opportunities::Column::Id)
        .limit(3)
        .into_query();
    let ours = api::services::sql::select(backend, &page);
    assert!(ours.sql.ends_with("LIMIT 3"), "{}", ours.sql);
    let bound = backend.build(&page);
    let txn = app.db.begin().await.unwrap();
    for _ in 0..7 {
        let (a, b) = (
            txn.query_all_raw(ours.clone()).await.unwrap(),
            txn.query_all_raw(bound.clone()).await.unwrap(),
        );
        assert_eq!(a.len(), 3);
        assert_eq!(b.len(), 3);
    }
    if backend != DbBackend::Postgres {
        return;
    }
    let plans = txn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements \
             WHERE statement LIKE '%\"opportunities\"%LIMIT%' \
             AND statement NOT LIKE '%pg_prepared_statements%'",
        ))
        .await
        .unwrap();
    let mut seen = Vec::new();
    for row in plans {
        let sql: String = row.try_get("", "statement").unwrap();
        let generic: i64 = row.try_get("", "generic_plans").unwrap();
        let custom: i64 = row.try_get("", "custom_plans").unwrap();
        seen.push((sql.ends_with("LIMIT 3"), generic, custom));
    }
    seen.sort();
    // Written in: one plan, kept from the first execution. Bound: planned for each of
    // the first five executions at least (on this small table PostgreSQL may then
    // settle on the generic plan; at 100,000 rows it never did, measured).
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[1], (true, 7, 0));
    assert!(!seen[0].0 && seen[0].2 >= 5, "{seen:?}");
}
