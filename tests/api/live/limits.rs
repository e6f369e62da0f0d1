//! What one client may hold on a replica: subscriptions per socket, sockets per user,
//! sockets waiting for `connection_init`; every refusal counted in `/metrics`.

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{Message, client::IntoClientRequest},
};

use super::{SUBSCRIBE, connect, drain, init, metrics_of, recv, send, subscribe, subscribed};
use crate::helpers::TestApp;

/// `salesgraph_ws_refusals_total{limit="…"}`.
fn refusals(metrics: &str, limit: &str) -> f64 {
    let name = format!("salesgraph_ws_refusals_total{{limit=\"{limit}\"}}");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&name)?.trim().parse().ok())
        .unwrap_or(-1.0)
}

#[tokio::test]
async fn a_socket_holds_at_most_its_subscriptions_and_stays_open() {
    let app = TestApp::spawn_with(|s| {
        s.insert(
            "SALESGRAPH_WS_MAX_SUBSCRIPTIONS_PER_SOCKET".into(),
            "3".into(),
        );
    })
    .await;
    let mut ws = init(&app.addr, &app.token("ae")).await;
    for id in ["1", "2", "3"] {
        subscribe(&mut ws, id).await;
    }
    subscribed(&app, 3).await;
    subscribe(&mut ws, "4").await;
    let msg = recv(&mut ws).await.unwrap();
    assert_eq!(msg["id"], "4", "{msg}");
    assert_eq!(msg["type"], "error", "{msg}");
    assert_eq!(
        msg["payload"][0]["extensions"]["code"], "RATE_LIMITED",
        "{msg}"
    );
    assert!(
        msg["payload"][0]["message"]
            .as_str()
            .unwrap()
            .contains("max 3"),
        "{msg}"
    );
    // Still open; completing one makes room.
    assert_eq!(drain(&mut ws).await, Ok(vec![]));
    send(&mut ws, json!({ "id": "2", "type": "complete" })).await;
    subscribed(&app, 2).await;
    subscribe(&mut ws, "5").await;
    subscribed(&app, 3).await;
    assert_eq!(
        refusals(&metrics_of(&app.addr).await, "subscriptions_per_socket"),
        1.0
    );
}

#[tokio::test]
async fn a_user_holds_at_most_their_sockets() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_WS_MAX_SOCKETS_PER_USER".into(), "2".into());
    })
    .await;
    let token = app.token("ae");
    let _a = init(&app.addr, &token).await;
    let _b = init(&app.addr, &token).await;
    let mut c = connect(&app.addr).await;
    send(
        &mut c,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    let close = loop {
        match c.next().await {
            Some(Ok(Message::Close(frame))) => break frame.unwrap(),
            Some(Ok(_)) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    };
    assert_eq!(u16::from(close.code), 4403);
    assert_eq!(close.reason.as_str(), "too many sockets (max 2)");
    // Another user is not affected.
    let mut other = init(&app.addr, &app.token("manager")).await;
    other
        .send(Message::Text(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE } })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    subscribed(&app, 1).await;
    assert_eq!(
        refusals(&metrics_of(&app.addr).await, "sockets_per_user"),
        1.0
    );
}

#[tokio::test]
async fn sockets_waiting_for_init_are_capped() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_WS_MAX_PENDING_SOCKETS".into(), "2".into());
    })
    .await;
    let _a = connect(&app.addr).await;
    let mut b = connect(&app.addr).await;
    let url = format!("{}/graphql", app.addr.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    match connect_async(req.clone()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 503);
        }
        other => panic!(
            "a third pending socket was accepted: {:?}",
            other.map(|_| ())
        ),
    }
    assert_eq!(
        refusals(&metrics_of(&app.addr).await, "pending_sockets"),
        1.0
    );
    // Once one initialises, its place is free.
    send(
        &mut b,
        json!({ "type": "connection_init", "payload": { "token": app.token("ae") } }),
    )
    .await;
    assert_eq!(recv(&mut b).await.unwrap()["type"], "connection_ack");
    assert!(connect_async(req).await.is_ok());
}
