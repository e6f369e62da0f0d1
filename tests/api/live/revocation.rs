//! Revoking a refresh family — a used refresh token presented again, or signing out of
//! that session — ends what its access tokens opened: sockets close with 4401 and
//! report links minted with them stop downloading. Reuse leaves the user's other
//! sessions alone; signing out also ends every access token issued before it.

use serde_json::{Value, json};

use super::{drain, init, recv, subscribe, subscribed};
use crate::helpers::{PASSWORD, TestApp};

const LINK: &str =
    "query($r: ID!) { reportLink(kind: CSV, rootId: $r, period: \"FY2026\") { url } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }";

/// (access token, refresh token) of a fresh session of `email`.
async fn sign_in(app: &TestApp, email: &str) -> (String, String) {
    let body = app.login(email, PASSWORD).await;
    let s = &body["data"]["login"];
    (
        s["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_string(),
        s["refreshToken"].as_str().unwrap().to_string(),
    )
}

async fn link_of(app: &TestApp, access: &str) -> String {
    let root = TestApp::gid("Territory", app.fx.territories["amer"]);
    let body: Value = app.gql(LINK, json!({ "r": root }), Some(access)).await;
    body["data"]["reportLink"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string()
}

async fn download(app: &TestApp, url: &str) -> u16 {
    app.client
        .get(format!("{}{url}", app.addr))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_reused_refresh_token_ends_its_sockets_and_links() {
    let app = TestApp::spawn().await;
    let email = app.user("director").email.clone();
    let (_, refresh1) = sign_in(&app, &email).await;
    let rotated = app.gql(REFRESH, json!({ "t": refresh1 }), None).await;
    let access2 = rotated["data"]["refreshToken"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    // Another session of the same user, untouched by the revocation.
    let (other, _) = sign_in(&app, &email).await;

    let mut revoked_ws = init(&app.addr, &access2).await;
    subscribe(&mut revoked_ws, "1").await;
    let mut other_ws = init(&app.addr, &other).await;
    subscribe(&mut other_ws, "1").await;
    subscribed(&app, 2).await;
    let revoked_link = link_of(&app, &access2).await;
    let other_link = link_of(&app, &other).await;
    assert_eq!(download(&app, &revoked_link).await, 200);

    // The first refresh token again: reuse, so its family is revoked.
    let reuse = app.gql(REFRESH, json!({ "t": refresh1 }), None).await;
    assert_eq!(
        reuse["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{reuse}"
    );

    assert_eq!(recv(&mut revoked_ws).await, Err(4401));
    assert_eq!(download(&app, &revoked_link).await, 401);
    assert_eq!(drain(&mut other_ws).await, Ok(vec![]));
    assert_eq!(download(&app, &other_link).await, 200);
}

#[tokio::test]
async fn signing_out_of_a_session_ends_its_sockets_and_links() {
    let app = TestApp::spawn().await;
    let email = app.user("director").email.clone();
    let (access, refresh) = sign_in(&app, &email).await;
    let (other, _) = sign_in(&app, &email).await;
    let mut ws = init(&app.addr, &access).await;
    subscribe(&mut ws, "1").await;
    subscribed(&app, 1).await;
    let link = link_of(&app, &access).await;
    assert_eq!(download(&app, &link).await, 200);

    let out = app
        .gql(
            "mutation($t: String) { logout(refreshToken: $t) }",
            json!({ "t": refresh }),
            Some(&other),
        )
        .await;
    assert!(out["errors"].is_null(), "{out}");
    assert_eq!(recv(&mut ws).await, Err(4401));
    assert_eq!(download(&app, &link).await, 401);
}

/// A revocation whose notice a replica missed — its LISTEN connection was down — still
/// closes the socket: a replica re-checks every socket when its listener reconnects.
/// (PostgreSQL: SQLite has no listener.)
#[tokio::test]
async fn a_missed_notice_is_caught_up_when_the_listener_reconnects() {
    use sea_orm::ConnectionTrait;
    if std::env::var("TEST_DATABASE_URL").is_err() {
        return;
    }
    let app = TestApp::spawn().await;
    let email = app.user("director").email.clone();
    let (access, _) = sign_in(&app, &email).await;
    let mut ws = init(&app.addr, &access).await;
    subscribe(&mut ws, "1").await;
    subscribed(&app, 1).await;
    // Revoked behind the server's back: no notice is sent.
    let user = app.user("director").id;
    app.db
        .execute_unprepared(&format!(
            "UPDATE refresh_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE user_id = '{user}'"
        ))
        .await
        .unwrap();
    assert_eq!(
        drain(&mut ws).await,
        Ok(vec![]),
        "nothing told the replica yet"
    );
    // The replica's LISTEN connection ends; it reconnects and re-checks its sockets.
    let ended = app
        .db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query ILIKE 'listen%'",
        )
        .await
        .unwrap();
    assert_eq!(ended.rows_affected(), 1, "one listener");
    assert_eq!(recv(&mut ws).await, Err(4401));
}
