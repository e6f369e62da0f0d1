//! The protocol's close codes, the bounded queue, and the HTTP gates on the socket.

use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::{connect, drain, init, recv, send, subscribe, subscribed};
use crate::{
    handoffs::{accept_q, data, qualified_lead, request},
    helpers::TestApp,
};

#[tokio::test]
async fn the_protocol_closes_with_its_codes() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_WS_INIT_TIMEOUT_MS".into(), "300".into());
    })
    .await;
    let addr = app.addr.as_str();
    let mut wrong = Vec::new();
    let mut check = |what: &str, got: Result<Value, u16>, want: u16| {
        if got != Err(want) {
            wrong.push(format!("{what}: {got:?}, want close {want}"));
        }
    };

    let mut ws = connect(addr).await;
    check("no connection_init", recv(&mut ws).await, 4408);

    // connection_init refused: a malformed payload 4400, a token to refresh or replace
    // 4401, a user who may not subscribe 4403, each with its reason.
    let mut expired = crate::tokens::claims(&app, "ae");
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 60);
    let expired = crate::tokens::hs256(&expired);
    let partner = app.token("partner");
    let cases = [
        (
            json!({ "type": "connection_init" }),
            4400,
            "connection_init needs a payload object with a token",
        ),
        (
            json!({ "type": "connection_init", "payload": "token" }),
            4400,
            "connection_init needs a payload object with a token",
        ),
        (
            json!({ "type": "connection_init", "payload": {} }),
            4400,
            "connection_init payload has no token",
        ),
        (
            json!({ "type": "connection_init", "payload": { "token": "nope" } }),
            4401,
            "Unauthorized: token invalid",
        ),
        (
            json!({ "type": "connection_init", "payload": { "token": expired } }),
            4401,
            "Unauthorized: token expired",
        ),
        (
            json!({ "type": "connection_init", "payload": { "token": partner } }),
            4403,
            "Forbidden: partner users have no subscriptions",
        ),
    ];
    for (init_msg, code, reason) in cases {
        let mut ws = connect(addr).await;
        send(&mut ws, init_msg.clone()).await;
        let got = close_of(&mut ws).await;
        if got.as_ref().is_none_or(|(c, r)| *c != code || r != reason) {
            check(
                &format!("{init_msg}: {got:?} ({reason})"),
                Ok(Value::Null),
                code,
            );
        }
    }

    let mut ws = connect(addr).await;
    subscribe(&mut ws, "1").await;
    check("subscribe before ack", recv(&mut ws).await, 4401);

    let token = app.token("ae");
    let mut ws = init(addr, &token).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    check("second connection_init", recv(&mut ws).await, 4429);

    let mut ws = init(addr, &token).await;
    subscribe(&mut ws, "1").await;
    subscribe(&mut ws, "1").await;
    check("duplicate id", recv(&mut ws).await, 4409);

    let mut ws = init(addr, &token).await;
    ws.send(Message::Text("{not json".into())).await.unwrap();
    check("not JSON", recv(&mut ws).await, 4400);

    let mut ws = init(addr, &token).await;
    send(&mut ws, json!({ "type": "shout" })).await;
    check("unknown type", recv(&mut ws).await, 4400);

    // Ping is answered.
    let mut ws = init(addr, &token).await;
    assert_eq!(drain(&mut ws).await, Ok(vec![]));

    // A completed operation frees its id.
    let mut ws = init(addr, &token).await;
    subscribe(&mut ws, "a").await;
    subscribed(&app, 1).await;
    send(&mut ws, json!({ "id": "a", "type": "complete" })).await;
    subscribed(&app, 0).await;
    subscribe(&mut ws, "a").await;
    subscribed(&app, 1).await;

    // The server unharmed: HTTP still answers.
    let body = app.gql_as("ae", "{ me { email } }", json!({})).await;
    assert_eq!(body["data"]["me"]["email"], "ae@test.example");

    // Shutdown closes every socket with 1001.
    app.state.hub.shut_down();
    check("shutdown", recv(&mut ws).await, 1001);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The close frame's code and reason, when the server closes the socket.
async fn close_of(ws: &mut super::Ws) -> Option<(u16, String)> {
    use futures_util::StreamExt;
    loop {
        match ws.next().await? {
            Ok(Message::Close(Some(frame))) => {
                return Some((frame.code.into(), frame.reason.to_string()));
            }
            Ok(Message::Close(None)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

/// A subscriber that stops reading is disconnected once its bounded queue is full,
/// instead of the server buffering for it without limit.
#[tokio::test]
async fn a_slow_subscriber_is_disconnected_not_buffered() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_WS_QUEUE".into(), "1".into());
    })
    .await;
    let u = app.user("director").clone();
    let actor = api::auth::Actor {
        user_id: u.id,
        role: u.role,
        partner_id: u.partner_id,
        manager_id: u.manager_id,
        name: u.name.clone(),
        ids: Default::default(),
        family: None,
        user: u,
    };
    let (close, mut closed) = tokio::sync::mpsc::channel(4);
    // Registered and never read: the queue holds one event.
    let ctl = api::events::SocketCtl {
        close,
        token_issued_ms: 0,
    };
    let _reg = app.state.hub.register(&actor, vec![], None, &ctl);
    let lead = qualified_lead(&app, "na_west", "slow.example").await;
    let h = data(
        &request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await,
        "requestHandoff",
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(closed.try_recv().is_err(), "closed with room in the queue");
    let body = app
        .gql_as("ae", &accept_q(), json!({ "id": h, "v": 1 }))
        .await;
    data(&body, "acceptHandoff");
    let why = tokio::time::timeout(std::time::Duration::from_secs(20), closed.recv())
        .await
        .expect("the slow subscriber was not disconnected");
    assert_eq!(why, Some(api::events::CloseWhy::TooSlow));
}

/// A subscription document goes through the same cost gate as HTTP: refused with an
/// `error` for its id, the socket stays usable.
#[tokio::test]
async fn a_too_deep_subscription_is_refused_like_a_query() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_MAX_DEPTH".into(), "3".into());
    })
    .await;
    let mut ws = init(&app.addr, &app.token("director")).await;
    let deep = "subscription { handoffEvents { handoff { from { manager { id } } } } }";
    send(
        &mut ws,
        json!({ "id": "d", "type": "subscribe", "payload": { "query": deep } }),
    )
    .await;
    let m = recv(&mut ws).await.unwrap();
    assert_eq!(m["type"], "error", "{m}");
    assert_eq!(m["id"], "d", "{m}");
    assert_eq!(
        m["payload"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{m}"
    );
    assert_eq!(app.state.hub.subscribers(), 0);
    assert_eq!(drain(&mut ws).await, Ok(vec![]));
}
