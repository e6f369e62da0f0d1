//! Losing access on an open socket: the token expires (4401, timed against the app's
//! clock), the session is ended by a sign-out (4401), the user is deactivated or changes
//! role (4403, at once, without waiting for an event), and a team that moves to another
//! manager takes its events with it.

use serde_json::{Value, json};

use super::{drain, init, recv, subscribe, subscribed};
use crate::{
    handoffs::{cancel_q, data, qualified_lead, request},
    helpers::{TestApp, code},
};

/// Requests an SDR → AE handoff of a new qualified lead; its global id.
async fn hand_off(app: &TestApp, domain: &str) -> String {
    let lead = qualified_lead(app, "na_west", domain).await;
    let body = request(app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await;
    data(&body, "requestHandoff")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn handoff_of(m: &Value) -> &str {
    m["payload"]["data"]["handoffEvents"]["handoff"]["id"]
        .as_str()
        .unwrap_or("?")
}

/// The socket closes with 4401 the moment the token's `exp` passes on the app's clock.
#[tokio::test]
async fn an_expired_token_ends_the_subscription_with_4401() {
    let app = TestApp::spawn().await;
    let mut ws = init(&app.addr, &app.token("ae")).await;
    subscribe(&mut ws, "s").await;
    subscribed(&app, 1).await;
    // Live before expiry.
    let h = hand_off(&app, "expiry.example").await;
    assert_eq!(handoff_of(&recv(&mut ws).await.unwrap()), h);

    // A minute short of expiry the socket stays open.
    let ttl = chrono::TimeDelta::from_std(app.state.config.access_token_ttl).unwrap();
    app.state.clock.advance(ttl - chrono::TimeDelta::minutes(1));
    assert_eq!(drain(&mut ws).await, Ok(vec![]));
    app.state.clock.advance(chrono::TimeDelta::minutes(2));
    assert_eq!(recv(&mut ws).await, Err(4401));
    app.state.clock.set(None);
    subscribed(&app, 0).await;
}

/// Signing out ends every access token issued before it, the socket's included: it
/// closes at once with 4401. A socket opened with a token issued afterwards stays.
#[tokio::test]
async fn signing_out_closes_the_sockets_of_the_ended_tokens() {
    let app = TestApp::spawn().await;
    let mut before = init(&app.addr, &app.token("sdr")).await;
    subscribe(&mut before, "s").await;
    subscribed(&app, 1).await;
    let body = app.gql_as("sdr", "mutation { logout }", json!({})).await;
    assert_eq!(body["data"]["logout"], true, "{body}");
    assert_eq!(recv(&mut before).await, Err(4401));

    // Tokens are timed to the millisecond: one issued after the sign-out is valid.
    let mut after = init(&app.addr, &app.token("sdr")).await;
    subscribe(&mut after, "s").await;
    subscribed(&app, 1).await;
    let h = hand_off(&app, "signed-out.example").await;
    assert_eq!(handoff_of(&recv(&mut after).await.unwrap()), h);
}

/// Deactivation and a role change close the user's sockets with 4403 at once — no
/// handoff event is needed to notice — and leave everyone else's open.
#[tokio::test]
async fn deactivation_and_a_role_change_close_sockets_at_once() {
    let app = TestApp::spawn().await;
    let mut sockets = Vec::new();
    for who in ["cs", "am", "director"] {
        let mut ws = init(&app.addr, &app.token(who)).await;
        subscribe(&mut ws, "s").await;
        sockets.push(ws);
    }
    subscribed(&app, 3).await;
    let (cs, rest) = sockets.split_first_mut().unwrap();
    let (am, director) = rest.split_first_mut().unwrap();
    let director = &mut director[0];

    let body = app
        .gql_as(
            "director",
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": app.fx.gid("User", "cs") }),
        )
        .await;
    assert_eq!(body["data"]["deactivateUser"]["active"], false, "{body}");
    assert_eq!(recv(cs).await, Err(4403));

    let body = app
        .gql_as(
            "director",
            "mutation($id: ID!) { updateUser(id: $id, input: { role: CUSTOMER_SUCCESS }) { role } }",
            json!({ "id": app.fx.gid("User", "am") }),
        )
        .await;
    assert!(code(&body).is_none(), "{body}");
    assert_eq!(recv(am).await, Err(4403));

    // The director's socket is untouched and still live.
    assert_eq!(drain(director).await, Ok(vec![]));
    let h = hand_off(&app, "still-live.example").await;
    assert_eq!(handoff_of(&recv(director).await.unwrap()), h);
    subscribed(&app, 1).await;
}

/// Scope is re-checked per event: once the SDR and the AE move to the second team, the
/// first team's manager stops receiving their events and the second's starts.
#[tokio::test]
async fn a_reassigned_team_takes_its_events_to_the_new_manager() {
    let app = TestApp::spawn().await;
    let mut manager = init(&app.addr, &app.token("manager")).await;
    let mut manager2 = init(&app.addr, &app.token("manager2")).await;
    subscribe(&mut manager, "s").await;
    subscribe(&mut manager2, "s").await;
    subscribed(&app, 2).await;
    let tag = |m: &Value| {
        let e = &m["payload"]["data"]["handoffEvents"];
        format!(
            "{} {}",
            handoff_of(m),
            e["toStatus"].as_str().unwrap_or("?")
        )
    };

    let h1 = hand_off(&app, "before-move.example").await;
    assert_eq!(
        tag(&recv(&mut manager).await.unwrap()),
        format!("{h1} PENDING")
    );

    for who in ["sdr", "ae"] {
        let body = app
            .gql_as(
                "director",
                "mutation($id: ID!, $m: ID!) { updateUser(id: $id, input: { managerId: $m }) { id } }",
                json!({ "id": app.fx.gid("User", who), "m": app.fx.gid("User", "manager2") }),
            )
            .await;
        assert!(code(&body).is_none(), "{body}");
    }
    // The same handoff's next event goes to the new manager only.
    let body = app
        .gql_as("sdr", &cancel_q(), json!({ "id": h1, "v": 1 }))
        .await;
    data(&body, "cancelHandoff");
    assert_eq!(
        tag(&recv(&mut manager2).await.unwrap()),
        format!("{h1} CANCELLED")
    );
    // A first-team event after it: the old manager's next message is this one, so the
    // cancellation never reached them.
    let acme = app.fx.gid("Account", "acme");
    let body = request(&app, "am", "AM_TO_CS", ("accountId", &acme), "cs").await;
    let h2 = data(&body, "requestHandoff")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        tag(&recv(&mut manager).await.unwrap()),
        format!("{h2} PENDING")
    );
    // And a second-team one: the new manager's next message, so the first-team event
    // never reached them.
    let h3 = hand_off(&app, "after-move.example").await;
    assert_eq!(
        tag(&recv(&mut manager2).await.unwrap()),
        format!("{h3} PENDING")
    );
}
