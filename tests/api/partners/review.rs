//! Review of deal registrations: choosing the account executive, and two reviewers
//! deciding at once.

use serde_json::json;

use super::registrations::{APPROVE, REJECT, count, deal, register};
use crate::helpers::{TestApp, code};

#[tokio::test]
async fn approval_needs_an_account_executive_and_concurrent_decisions_have_one_winner() {
    let app = TestApp::spawn().await;
    // FR is emea: ae2 is its AE. A named AE outside the territory is refused.
    let id = register(&app, "partner", deal("Echo SA", "echo.example", "FR")).await;
    let ae = app.fx.gid("User", "ae");
    let body = app
        .gql_as(
            "director",
            APPROVE,
            json!({ "id": id, "v": 1, "i": { "ownerId": ae } }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "ownerId",
        "{body}"
    );
    // No territory (no criteria match) and no AE named: a clear refusal.
    let lost = register(&app, "partner", deal("Foxtrot", "foxtrot.example", "JP")).await;
    let body = app
        .gql_as("director", APPROVE, json!({ "id": lost, "v": 1 }))
        .await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("account executive")
    );
    // Two reviewers at once: exactly one wins.
    let before = count(&app).await.1;
    let (x, y) = tokio::join!(
        app.gql_as("director", APPROVE, json!({ "id": id, "v": 1 })),
        app.gql_as(
            "manager2",
            REJECT,
            json!({ "id": id, "v": 1, "i": { "reason": "OTHER", "note": "n" } })
        ),
    );
    let won = [&x, &y].iter().filter(|b| b["errors"].is_null()).count();
    assert_eq!(won, 1, "{x} {y}");
    let loser = if x["errors"].is_null() { &y } else { &x };
    assert!(
        matches!(code(loser), Some("CONFLICT" | "INVALID_STATE_TRANSITION")),
        "{loser}"
    );
    let after = count(&app).await.1;
    assert!(
        after == before + 3 || after == before + 1,
        "{before} → {after}"
    );
}

#[tokio::test]
async fn concurrent_submissions_of_one_domain_register_it_once() {
    let app = TestApp::spawn().await;
    let vars = deal("Juliet", "juliet.example", "US");
    let (a, b) = tokio::join!(
        app.gql_as("partner", super::registrations::REGISTER, vars.clone()),
        app.gql_as("partner", super::registrations::REGISTER, vars.clone()),
    );
    let ok = [&a, &b].iter().filter(|r| r["errors"].is_null()).count();
    assert_eq!(ok, 1, "{a} {b}");
    let refused = if a["errors"].is_null() { &b } else { &a };
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "domain",
        "{refused}"
    );
}
