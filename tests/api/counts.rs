//! SQL statement counts: a list resolver's cost does not grow with the page size.

use chrono::Utc;
use entity::{
    accounts,
    enums::{ForecastCategory, Lifecycle, OpportunityType, Stage},
    opportunities,
};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;

/// 60 more accounts with 3 opportunities each, owned by the AE in NA West.
async fn bulk(app: &TestApp) {
    let now = Utc::now();
    let ae = app.user("ae").id;
    let territory = app.fx.territories["na_west"];
    for i in 0..60 {
        let account = accounts::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set(format!("Bulk {i:03}")),
            domain: Set(format!("bulk{i}.example")),
            industry: Set(None),
            country: Set(None),
            employee_count: Set(None),
            territory_id: Set(Some(territory)),
            owner_id: Set(Some(ae)),
            account_manager_id: Set(None),
            csm_id: Set(None),
            partner_id: Set(None),
            lifecycle: Set(Lifecycle::Prospect),
            arr_cents: Set(0),
            contract_end_date: Set(None),
            health: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        for j in 0..3 {
            opportunities::ActiveModel {
                id: Set(Uuid::new_v4()),
                name: Set(format!("Bulk deal {i}-{j}")),
                account_id: Set(account.id),
                owner_id: Set(ae),
                territory_id: Set(Some(territory)),
                opportunity_type: Set(OpportunityType::NewBusiness),
                stage: Set(Stage::Discovery),
                amount_cents: Set(100_000 * (j + 1)),
                close_date: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
                probability: Set(20),
                forecast_category: Set(ForecastCategory::Pipeline),
                sourced_by_id: Set(None),
                partner_id: Set(None),
                lead_id: Set(None),
                lost_reason: Set(None),
                version: Set(1),
                closed_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&app.db)
            .await
            .unwrap();
        }
    }
}

const NESTED: &str = "query($n: Int!) { accounts(first: $n) { totalCount edges { node { name owner { name } territory { name } opportunities(first: 10) { totalCount edges { node { name owner { name } } } } } } } }";

async fn count(app: &TestApp, who: &str, n: i64) -> (u64, usize) {
    let token = app.token(who);
    let before = app.statements();
    let body = app.gql(NESTED, json!({ "n": n }), Some(&token)).await;
    assert!(body["errors"].is_null(), "{who}: {body}");
    let edges = body["data"]["accounts"]["edges"].as_array().unwrap().len();
    (app.statements() - before, edges)
}

#[tokio::test]
async fn nested_accounts_query_costs_the_same_for_5_and_50() {
    let app = TestApp::spawn().await;
    bulk(&app).await;
    for who in ["director", "ae", "sdr", "manager"] {
        let (small, n5) = count(&app, who, 5).await;
        let (large, n50) = count(&app, who, 50).await;
        assert_eq!((n5, n50), (5, 50), "{who}");
        assert_eq!(small, large, "{who}: statements grow with the page size");
        // actor, count, page, owners, territories, opportunity counts and page,
        // opportunity owners
        assert!(large <= 8, "{who}: {large} statements");
    }
}

#[tokio::test]
async fn nested_pages_report_their_own_totals() {
    let app = TestApp::spawn().await;
    bulk(&app).await;
    let body = app
        .gql_as(
            "ae",
            "{ accounts(first: 3, filter: { search: \"bulk 00\" }, orderBy: { field: NAME }) { edges { node { name opportunities(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } } } } }",
            json!({}),
        )
        .await;
    let edges = body["data"]["accounts"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 3, "{body}");
    for e in edges {
        let opps = &e["node"]["opportunities"];
        assert_eq!(opps["totalCount"], 3, "{body}");
        assert_eq!(opps["edges"].as_array().unwrap().len(), 2);
        assert_eq!(opps["pageInfo"]["hasNextPage"], true);
    }
    // The second page of one account's opportunities.
    let cursor = edges[0]["node"]["opportunities"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap();
    let q = "query($c: String) { accounts(first: 1, filter: { search: \"bulk 000\" }) { edges { node { opportunities(first: 2, after: $c) { pageInfo { hasNextPage } edges { node { name } } } } } } }";
    let body = app.gql_as("ae", q, json!({ "c": cursor })).await;
    let page2 = &body["data"]["accounts"]["edges"][0]["node"]["opportunities"];
    assert_eq!(page2["edges"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);
}

#[tokio::test]
async fn filters_narrow_a_scope_and_never_widen_it() {
    // The AE's scope is "owns it OR lies in my territories"; a search must narrow both.
    let app = TestApp::spawn().await;
    let body = app
        .gql_as(
            "ae",
            "{ accounts(filter: { search: \"globex\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["accounts"]["totalCount"], 0, "{body}");
    let body = app
        .gql_as(
            "ae",
            "{ accounts(filter: { search: \"acme\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["accounts"]["totalCount"], 1, "{body}");
    let body = app
        .gql_as(
            "sdr",
            "{ leads(filter: { search: \"team2\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["leads"]["totalCount"], 0, "{body}");
}

#[tokio::test]
async fn me_costs_one_statement_the_session_check() {
    let app = TestApp::spawn().await;
    let token = app.token("ae");
    let before = app.statements();
    let body = app
        .gql("{ me { id email } }", json!({}), Some(&token))
        .await;
    assert_eq!(body["data"]["me"]["email"], "ae@test.example", "{body}");
    assert_eq!(app.statements() - before, 1);
}

/// Statements for `query` with `$n`, as `who`.
async fn statements_for(app: &TestApp, who: &str, query: &str, n: i64) -> u64 {
    let token = app.token(who);
    let before = app.statements();
    let body = app.gql(query, json!({ "n": n }), Some(&token)).await;
    assert!(body["errors"].is_null(), "{who}: {body}");
    app.statements() - before
}

#[tokio::test]
async fn nested_list_without_totals_is_three_statements() {
    let app = TestApp::spawn().await;
    bulk(&app).await;
    let lean = "query($n: Int!) { accounts(first: $n) { edges { node { id name opportunities(first: 10) { pageInfo { hasNextPage endCursor } edges { cursor node { id amount stage } } } } } } }";
    let owners = "query($n: Int!) { accounts(first: $n) { edges { node { id name owner { name } opportunities(first: 10) { edges { node { id amount stage owner { name } } } } } } } }";
    let counted = "query($n: Int!) { accounts(first: $n) { totalCount edges { node { opportunities(first: 10) { totalCount edges { node { id } } } } } } }";
    for who in ["director", "manager", "ae", "sdr"] {
        for n in [5, 50] {
            // The session check, the accounts page, every account's opportunities page.
            let lean_n = statements_for(&app, who, lean, n).await;
            assert!(lean_n <= 3, "{who} first: {n}: {lean_n} statements");
            // Owners are joined into each level's statement: no statement of their own.
            let owners_n = statements_for(&app, who, owners, n).await;
            assert!(owners_n <= 3, "{who} first: {n}: {owners_n} statements");
            // Totals cost one statement each, and only when selected.
            let counted_n = statements_for(&app, who, counted, n).await;
            assert!(counted_n <= 5, "{who} first: {n}: {counted_n} statements");
        }
    }
}

/// Owners joined into a page's statement obey the same user scope as the user loader:
/// a deactivated owner is hidden from a sales manager and shown to a director, at both
/// levels of a nested list, and hiding them costs no extra statement.
#[tokio::test]
async fn joined_owners_follow_the_user_scope() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn().await;
    bulk(&app).await;
    let gone = app.user("inactive").id;
    accounts::Entity::update_many()
        .col_expr(accounts::Column::OwnerId, Expr::value(gone))
        .filter(accounts::Column::Name.eq("Bulk 000"))
        .exec(&app.db)
        .await
        .unwrap();
    opportunities::Entity::update_many()
        .col_expr(opportunities::Column::OwnerId, Expr::value(gone))
        .filter(opportunities::Column::Name.eq("Bulk deal 0-0"))
        .exec(&app.db)
        .await
        .unwrap();
    let q = "query($n: Int!) { accounts(first: $n, filter: { search: \"bulk 000\" }) { edges { node { name owner { name } opportunities(first: 5) { edges { node { name owner { name } } } } } } } }";
    for (who, gone_name) in [("director", json!("Gone User")), ("manager", json!(null))] {
        let before = app.statements();
        let body = app.gql_as(who, q, json!({ "n": 5 })).await;
        assert!(body["errors"].is_null(), "{who}: {body}");
        assert!(app.statements() - before <= 3, "{who}");
        let node = &body["data"]["accounts"]["edges"][0]["node"];
        assert_eq!(node["name"], "Bulk 000", "{who}: {body}");
        assert_eq!(node["owner"]["name"], gone_name, "{who}: {body}");
        let opps = node["opportunities"]["edges"].as_array().unwrap();
        assert_eq!(opps.len(), 3, "{who}: {body}");
        for e in opps {
            let expected = if e["node"]["name"] == "Bulk deal 0-0" {
                gone_name.clone()
            } else {
                json!("Alex Ae")
            };
            assert_eq!(e["node"]["owner"]["name"], expected, "{who}: {body}");
        }
    }
}

/// The session statement resolves the ids a role's scopes name (a manager's team and
/// territories, a seller's territories) on both databases, so scopes can use them
/// instead of subplans; roles that do not use them do not pay for them.
#[tokio::test]
async fn the_session_resolves_the_ids_scopes_name() {
    let app = TestApp::spawn().await;
    let resolve = |who: &str| {
        let header = format!("Bearer {}", app.token(who));
        let (keys, db) = (app.state.keys.clone(), app.db.clone());
        async move {
            let caller = api::auth::actor::resolve(Some(&header), &keys, &db)
                .await
                .unwrap();
            caller.actor().unwrap().ids.clone()
        }
    };
    let id = |k: &str| app.user(k).id;
    let t = |k: &str| app.fx.territories[k];

    let ids = resolve("manager").await;
    let team = ids.team.expect("a sales manager's team is resolved");
    for member in ["manager", "sdr", "ae", "am", "cs"] {
        assert!(team.contains(&id(member)), "{member} in {team:?}");
    }
    assert!(!team.contains(&id("ae2")), "another manager's AE: {team:?}");
    let territories = ids
        .territories
        .expect("a manager's territories are resolved");
    for k in ["amer", "na_west"] {
        assert!(territories.contains(&t(k)), "{k} in {territories:?}");
    }
    assert!(!territories.contains(&t("emea")));

    let ids = resolve("sdr").await;
    assert!(ids.team.is_none());
    assert!(ids.territories.is_some_and(|t| !t.is_empty()));

    let ids = resolve("director").await;
    assert!(ids.team.is_none() && ids.territories.is_none());
}
