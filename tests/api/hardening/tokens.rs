//! Revoking a refresh family ends its access tokens on their next request, and the
//! login-throttle table forgets stale emails without resetting active ones.

use chrono::{Duration, Utc};
use entity::login_throttles;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::{Value, json};

use super::ok;
use crate::helpers::{PASSWORD, TestApp, code};

const REFRESH: &str =
    "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }";
const ME: &str = "{ me { email } }";

fn session(body: &Value, key: &str) -> (String, String) {
    let s = &ok(body)[key];
    (
        s["accessToken"].as_str().unwrap().to_string(),
        s["refreshToken"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_access_tokens_of_its_family() {
    let app = TestApp::spawn().await;
    let (a1, r1) = session(&app.login("ae@test.example", PASSWORD).await, "login");
    let (other, _) = session(&app.login("ae@test.example", PASSWORD).await, "login");
    let (a2, _r2) = session(
        &app.gql(REFRESH, json!({ "t": r1 }), None).await,
        "refreshToken",
    );
    // The session check is still one statement with the family folded in.
    let before = app.statements();
    ok(&app.gql(ME, json!({}), Some(&a2)).await);
    assert_eq!(app.statements() - before, 1);

    // r1 again: reuse, so the family is revoked — and with it a1 and a2.
    let body = app.gql(REFRESH, json!({ "t": r1 }), None).await;
    assert_eq!(code(&body), Some("UNAUTHENTICATED"), "{body}");
    for token in [&a1, &a2] {
        let body = app.gql(ME, json!({}), Some(token)).await;
        assert_eq!(code(&body), Some("UNAUTHENTICATED"), "{body}");
    }
    // Another sign-in of the same user is another family and lives on.
    assert_eq!(
        ok(&app.gql(ME, json!({}), Some(&other)).await)["me"]["email"],
        "ae@test.example"
    );
}

#[tokio::test]
async fn stale_throttle_rows_are_pruned_and_active_ones_kept() {
    let app = TestApp::spawn().await;
    let now = Utc::now();
    let row = |email: &str, failures: i32, last: Option<Duration>, locked: Option<Duration>| {
        login_throttles::ActiveModel {
            email: Set(email.into()),
            failures: Set(failures),
            last_failure_at: Set(last.map(|d| now - d)),
            locked_until: Set(locked.map(|d| now + d)),
        }
    };
    for r in [
        row(
            "old@x.example",
            9,
            Some(Duration::days(3)),
            Some(-Duration::days(2)),
        ),
        row("abandoned@x.example", 0, None, Some(-Duration::days(2))),
        row("recent@x.example", 4, Some(Duration::minutes(5)), None),
        row(
            "locked@x.example",
            12,
            Some(Duration::days(2)),
            Some(Duration::hours(1)),
        ),
    ] {
        r.insert(&app.db).await.unwrap();
    }
    let body = app.login("nobody@x.example", "wrong-password-123").await;
    assert_eq!(code(&body), Some("UNAUTHENTICATED"), "{body}");
    let mut left: Vec<(String, i32)> = login_throttles::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.email, r.failures))
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            ("locked@x.example".to_string(), 12),
            ("nobody@x.example".to_string(), 1),
            ("recent@x.example".to_string(), 4),
        ]
    );
}
