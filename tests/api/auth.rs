//! Login, refresh rotation, logout, throttling, password rules.

use serde_json::json;

use crate::helpers::{PASSWORD, ROLES, TestApp, code};

#[tokio::test]
async fn every_role_logs_in_and_reads_me() {
    let app = TestApp::spawn().await;
    for key in ROLES {
        let email = app.user(key).email.clone();
        let body = app.login(&email, PASSWORD).await;
        assert!(body["errors"].is_null(), "{key}: {body}");
        let token = body["data"]["login"]["accessToken"].as_str().unwrap();
        let me = app
            .gql("{ me { email role } }", json!({}), Some(token))
            .await;
        assert_eq!(me["data"]["me"]["email"], email.as_str(), "{key}: {me}");
        assert_eq!(
            me["data"]["me"]["role"],
            body["data"]["login"]["user"]["role"]
        );
    }
}

#[tokio::test]
async fn email_is_case_insensitive_and_answers_do_not_reveal_users() {
    let app = TestApp::spawn().await;
    let ok = app.login("  AE@Test.Example ", PASSWORD).await;
    assert!(ok["data"]["login"]["accessToken"].is_string(), "{ok}");
    let wrong = app.login("ae@test.example", "wrong-password-1").await;
    let unknown = app.login("nobody@test.example", "wrong-password-1").await;
    assert_eq!(code(&wrong), Some("UNAUTHENTICATED"));
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    assert_eq!(code(&wrong), code(&unknown));
    let inactive = app.login("gone@test.example", PASSWORD).await;
    assert_eq!(
        inactive["errors"][0]["message"],
        wrong["errors"][0]["message"]
    );
}

#[tokio::test]
async fn bad_login_input_is_refused_without_counting() {
    let app = TestApp::spawn().await;
    for (email, pw, field) in [
        ("not-an-email", PASSWORD, "email"),
        ("", PASSWORD, "email"),
        ("ae@test.example", "", "password"),
    ] {
        let body = app.login(email, pw).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    let long = "x".repeat(129);
    let body = app.login("ae@test.example", &long).await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"));
    // None of it counted as a failed attempt.
    let ok = app.login("ae@test.example", PASSWORD).await;
    assert!(ok["data"]["login"].is_object(), "{ok}");
}

#[tokio::test]
async fn throttling_kicks_in_for_known_and_unknown_emails_and_releases() {
    let app = TestApp::spawn().await; // 3 free failures, then 300 ms doubling
    for email in ["ae@test.example", "ghost@test.example"] {
        for _ in 0..3 {
            let body = app.login(email, "wrong-password-1").await;
            assert_eq!(code(&body), Some("UNAUTHENTICATED"), "{body}");
        }
        // Even the right password is not checked while throttled: the attempt costs
        // one read, and no argon2 work at all (a storm of them cannot take the CPU).
        let (hashes, statements) = (app.state.passwords.computations(), app.statements());
        let body = app.login(email, PASSWORD).await;
        assert_eq!(code(&body), Some("RATE_LIMITED"), "{email}: {body}");
        assert_eq!(app.state.passwords.computations(), hashes, "{email}");
        assert_eq!(app.statements() - statements, 1, "{email}");
        assert!(
            body["errors"][0]["extensions"]["retryAfter"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    // Another email is unaffected.
    let other = app.login("am@test.example", PASSWORD).await;
    assert!(other["data"]["login"].is_object(), "{other}");
    // The delay passes: the right password works again and resets the counter.
    let mut released = None;
    for _ in 0..40 {
        let body = app.login("ae@test.example", PASSWORD).await;
        if code(&body) != Some("RATE_LIMITED") {
            released = Some(body);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let body = released.expect("throttle never released");
    assert!(body["data"]["login"].is_object(), "{body}");
}

#[tokio::test]
async fn aliases_and_batches_cannot_multiply_attempts() {
    let app = TestApp::spawn().await;
    let aliased = r#"mutation { a: login(email: "sdr@test.example", password: "wrong-password-1") { accessToken }
        b: login(email: "sdr@test.example", password: "wrong-password-2") { accessToken }
        c: login(email: "sdr@test.example", password: "wrong-password-3") { accessToken }
        d: login(email: "sdr@test.example", password: "wrong-password-4") { accessToken }
        e: login(email: "sdr@test.example", password: "wrong-password-5") { accessToken } }"#;
    let body = app.gql(aliased, json!({}), None).await;
    let codes: Vec<_> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["extensions"]["code"].as_str().unwrap().to_string())
        .collect();
    // Three free attempts are checked, then the email is throttled within the same request.
    assert_eq!(
        codes,
        [
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "UNAUTHENTICATED",
            "RATE_LIMITED",
            "RATE_LIMITED"
        ]
    );
    let body = app.login("sdr@test.example", PASSWORD).await;
    assert_eq!(code(&body), Some("RATE_LIMITED"));
}

#[tokio::test]
async fn a_batch_cannot_multiply_attempts_either() {
    let app = TestApp::spawn().await; // batches of at most 3, 3 free failures
    let wrong = |n: u8| {
        json!({
            "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            "variables": { "e": "cs@test.example", "p": format!("wrong-password-{n}") }
        })
    };
    let resp = app
        .post_raw(json!([wrong(1), wrong(2), wrong(3)]), None)
        .await;
    let bodies: Vec<serde_json::Value> = resp.json().await.unwrap();
    let codes: Vec<_> = bodies
        .iter()
        .map(|b| code(b).unwrap_or("none").to_string())
        .collect();
    assert_eq!(
        codes,
        ["UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED"]
    );
    // The three failures in one batch counted like three requests: the email is throttled.
    let body = app.login("cs@test.example", PASSWORD).await;
    assert_eq!(code(&body), Some("RATE_LIMITED"), "{body}");
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let first = app.login("ae@test.example", PASSWORD).await;
    let r1 = first["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let q = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken user { email } } }";
    let second = app.gql(q, json!({ "t": r1 }), None).await;
    let r2 = second["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(r1, r2);
    assert_eq!(
        second["data"]["refreshToken"]["user"]["email"],
        "ae@test.example"
    );
    // r1 again: reuse. It fails and takes r2 (same family) down with it.
    let reuse = app.gql(q, json!({ "t": r1 }), None).await;
    assert_eq!(code(&reuse), Some("UNAUTHENTICATED"));
    let after = app.gql(q, json!({ "t": r2 }), None).await;
    assert_eq!(
        code(&after),
        Some("UNAUTHENTICATED"),
        "family not revoked: {after}"
    );
    // Garbage is refused the same way.
    let junk = app.gql(q, json!({ "t": "not-a-token" }), None).await;
    assert_eq!(code(&junk), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn logout_ends_refresh_and_a_stale_header_does_not_block_login() {
    let app = TestApp::spawn().await;
    let s = app.login("am@test.example", PASSWORD).await;
    let access = s["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let refresh = s["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    let out = app
        .gql("mutation { logout }", json!({}), Some(&access))
        .await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    // The access token used to sign out is dead too, not only the refresh token.
    let me = app.gql("{ me { id } }", json!({}), Some(&access)).await;
    assert_eq!(code(&me), Some("UNAUTHENTICATED"), "{me}");
    // A new sign-in works at once.
    let again = app.login("am@test.example", PASSWORD).await;
    let fresh = again["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let me = app.gql("{ me { id } }", json!({}), Some(&fresh)).await;
    assert!(me["data"]["me"]["id"].is_string(), "{me}");
    let q = "mutation($t: String!) { refreshToken(token: $t) { accessToken } }";
    let r = app.gql(q, json!({ "t": refresh }), None).await;
    assert_eq!(code(&r), Some("UNAUTHENTICATED"));
    let anon = app.gql("mutation { logout }", json!({}), None).await;
    assert_eq!(code(&anon), Some("UNAUTHENTICATED"));
    // A garbage bearer header only matters to operations that need a user.
    let body = app
        .gql(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            json!({ "e": "am@test.example", "p": PASSWORD }),
            Some("garbage"),
        )
        .await;
    assert!(body["data"]["login"]["accessToken"].is_string(), "{body}");
}

#[tokio::test]
async fn login_writes_an_audit_event_and_deactivation_bites_immediately() {
    use entity::audit_events;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let app = TestApp::spawn().await;
    let before = audit_events::Entity::find().count(&app.db).await.unwrap();
    let s = app.login("cs@test.example", PASSWORD).await;
    let token = s["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        audit_events::Entity::find().count(&app.db).await.unwrap(),
        before + 1
    );
    let id = TestApp::gid("User", app.user("cs").id);
    let d = app
        .gql_as(
            "director",
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(d["data"]["deactivateUser"]["active"], false, "{d}");
    let me = app.gql("{ me { id } }", json!({}), Some(&token)).await;
    assert_eq!(code(&me), Some("UNAUTHENTICATED"), "{me}");
    let refresh = s["data"]["login"]["refreshToken"].as_str().unwrap();
    let r = app
        .gql(
            "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
            json!({ "t": refresh }),
            None,
        )
        .await;
    assert_eq!(code(&r), Some("UNAUTHENTICATED"));
}
