//! `User.quotas` over a list of users: a fixed number of statements whatever the number
//! of users, the caller's quota scope applied in the batched statement, and each user
//! given exactly their own rows of the asked period.

use entity::enums::QuotaMetric;
use serde_json::{Value, json};

use super::fixture::quota;
use crate::helpers::TestApp;

const Q4: &str = "FY2026-Q4";

/// A Q4 quota for each internal user below a manager and for the managers, and a Q3
/// one for the AE. Targets in cents, distinct per user.
async fn seed(app: &TestApp) {
    for (i, who) in ["sdr", "ae", "am", "cs", "ae2", "manager", "manager2"]
        .iter()
        .enumerate()
    {
        let units = 100_000 * (i as i64 + 1);
        let user = Some(app.user(who).id);
        quota(app, user, None, QuotaMetric::Bookings, Q4, units).await;
    }
    let ae = Some(app.user("ae").id);
    quota(app, ae, None, QuotaMetric::Bookings, "FY2026-Q3", 77_700).await;
}

/// Statements run for `query` with `vars` as `who`, and the answer.
async fn measured(app: &TestApp, who: &str, query: &str, vars: Value) -> (u64, Value) {
    let token = app.token(who);
    let before = app.statements();
    let body = app.gql(query, vars, Some(&token)).await;
    assert!(body["errors"].is_null(), "{who}: {body}");
    (app.statements() - before, body)
}

/// The users of a `users` answer by email, with their quotas' `field` values.
fn by_email(body: &Value, field: &str, list: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = body["data"]["users"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| {
            let node = &e["node"];
            let values = node[list]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|q| q[field].as_str().unwrap_or_default().to_string())
                .collect();
            (
                node["email"].as_str().unwrap_or_default().to_string(),
                values,
            )
        })
        .collect();
    out.sort();
    out
}

fn quotas_of<'a>(users: &'a [(String, Vec<String>)], who: &str) -> &'a [String] {
    let email = format!("{who}@test.example");
    users
        .iter()
        .find(|(e, _)| *e == email)
        .map(|(_, q)| q.as_slice())
        .unwrap_or_else(|| panic!("{who} is not listed: {users:?}"))
}

const WITH_FIGURES: &str = "query($n: Int!, $f: UserFilterInput) {
  users(first: $n, filter: $f) { edges { node { email
    quotas(period: \"FY2026-Q4\") { target actual attainment reconciliation { ratio } } } } } }";

#[tokio::test]
async fn user_quotas_cost_the_same_for_one_user_and_a_whole_list() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let team = json!({ "managerId": TestApp::gid("User", app.user("manager").id) });
    let (one, body) = measured(&app, "director", WITH_FIGURES, json!({ "n": 1, "f": team })).await;
    assert_eq!(body["data"]["users"]["edges"].as_array().unwrap().len(), 1);
    let (all, body) = measured(&app, "director", WITH_FIGURES, json!({ "n": 50 })).await;
    let users = by_email(&body, "target", "quotas");
    assert!(users.len() >= 8, "{body}");
    assert_eq!(one, all, "1 user vs {} users", users.len());
    // The session check, the users page, every user's quotas, their actuals and their
    // reconciliation.
    assert_eq!(all, 5);
    // Each user got their own Q4 target, and only that (the AE's Q3 one is filtered).
    for (i, who) in ["sdr", "ae", "am", "cs", "ae2", "manager", "manager2"]
        .iter()
        .enumerate()
    {
        let want = format!("{}.00", 1000 * (i + 1));
        assert_eq!(quotas_of(&users, who), [want], "{who}: {body}");
    }
    assert!(quotas_of(&users, "director").is_empty(), "{body}");
}

#[tokio::test]
async fn user_quotas_keep_the_callers_scope_in_the_batch() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let (n, body) = measured(&app, "manager", WITH_FIGURES, json!({ "n": 50 })).await;
    assert_eq!(n, 5, "{body}");
    let users = by_email(&body, "target", "quotas");
    // Their team's quotas and their own; the other team's stay invisible even though
    // its users are listed.
    for who in ["sdr", "ae", "am", "cs", "manager"] {
        assert_eq!(quotas_of(&users, who).len(), 1, "{who}: {body}");
    }
    for who in ["ae2", "manager2"] {
        assert!(quotas_of(&users, who).is_empty(), "{who}: {body}");
    }
    // An AE sees only their own quota, on their own row.
    let (n, body) = measured(&app, "ae", WITH_FIGURES, json!({ "n": 50 })).await;
    let users = by_email(&body, "target", "quotas");
    let with_quotas: Vec<&str> = users
        .iter()
        .filter(|(_, q)| !q.is_empty())
        .map(|(e, _)| e.as_str())
        .collect();
    assert_eq!(with_quotas, ["ae@test.example"], "{body}");
    assert!(n <= 5, "{n} statements");
}

#[tokio::test]
async fn aliased_user_quotas_with_different_periods_cost_a_statement_each() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let q = "query($f: UserFilterInput) { users(first: 50, filter: $f) { edges { node { email
               q4: quotas(period: \"FY2026-Q4\") { period actual }
               every: quotas { period } } } } }";
    let team = json!({ "managerId": TestApp::gid("User", app.user("manager").id) });
    let (n, body) = measured(&app, "director", q, json!({ "f": team })).await;
    let q4 = by_email(&body, "period", "q4");
    let every = by_email(&body, "period", "every");
    assert_eq!(quotas_of(&q4, "ae"), [Q4], "{body}");
    assert_eq!(quotas_of(&every, "ae"), ["FY2026-Q3", Q4], "{body}");
    assert_eq!(quotas_of(&every, "sdr"), [Q4], "{body}");
    // Session, users, one statement per alias for the quotas (each field path has its
    // own loaders, so the count does not depend on timing), actuals (asked by one alias
    // only; no reconciliation asked).
    assert_eq!(n, 5, "{body}");
    // `me.quotas` goes through the same loader.
    let (n, body) = measured(&app, "ae", "{ me { quotas { period target } } }", json!({})).await;
    assert_eq!(
        body["data"]["me"]["quotas"].as_array().unwrap().len(),
        2,
        "{body}"
    );
    assert_eq!(n, 2, "{body}");
}
