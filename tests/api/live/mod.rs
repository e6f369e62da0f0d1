//! Live handoff events over `graphql-transport-ws`: the protocol's close codes, who
//! receives which event, losing access, shutdown, delivery across replicas (in one
//! process and in two), the whole journey live, and the metrics of it all.

mod access;
mod budget;
mod journey;
mod limits;
mod metrics;
mod protocol;
mod replicas;
mod revocation;
mod scope;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest},
};

use crate::helpers::TestApp;

pub type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

pub const SUBSCRIBE: &str = "subscription { handoffEvents { toStatus handoff { id } } }";

pub async fn connect(addr: &str) -> Ws {
    let url = format!("{}/graphql", addr.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (ws, resp) = connect_async(req).await.unwrap();
    assert_eq!(
        resp.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    ws
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// The next protocol message, or `Err(close code)` when the server closed.
pub async fn recv(ws: &mut Ws) -> Result<Value, u16> {
    // A lost event fails the test instead of hanging it: one deadline for the whole
    // wait, since the server's keep-alive pings arrive more often than it.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("no message from the server within 20 s");
        match next {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t).unwrap()),
            Some(Ok(Message::Close(frame))) => {
                return Err(frame.map_or(1005, |f| u16::from(f.code)));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(1006),
        }
    }
}

/// Connected and acknowledged as `token`.
pub async fn init(addr: &str, token: &str) -> Ws {
    let mut ws = connect(addr).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    assert_eq!(recv(&mut ws).await.unwrap()["type"], "connection_ack");
    ws
}

pub async fn subscribe(ws: &mut Ws, id: &str) {
    send(
        ws,
        json!({ "id": id, "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
    )
    .await;
}

/// Everything queued for the socket before a `ping` arrives before its `pong`.
pub async fn drain(ws: &mut Ws) -> Result<Vec<Value>, u16> {
    send(ws, json!({ "type": "ping" })).await;
    let mut got = Vec::new();
    loop {
        let m = recv(ws).await?;
        if m["type"] == "pong" {
            return Ok(got);
        }
        got.push(m);
    }
}

/// Waits until the replica holds `n` subscriptions.
pub async fn subscribed(app: &TestApp, n: usize) {
    for _ in 0..500 {
        if app.state.hub.subscribers() == n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{} subscriptions, want {n}", app.state.hub.subscribers());
}

/// Subscribes operation `id` with a document of its own.
pub async fn subscribe_with(ws: &mut Ws, id: &str, query: &str) {
    send(
        ws,
        json!({ "id": id, "type": "subscribe", "payload": { "query": query } }),
    )
    .await;
}

/// The value of an unlabelled sample in a Prometheus text exposition.
pub fn sample(metrics: &str, name: &str) -> Option<f64> {
    metrics.lines().find_map(|l| {
        let (n, v) = l.split_once(' ')?;
        (n == name).then(|| v.trim().parse().ok()).flatten()
    })
}

/// `GET /metrics` of the server at `addr`.
pub async fn metrics_of(addr: &str) -> String {
    reqwest::get(format!("{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until the server at `addr` reports `value` for `name` in `/metrics`.
pub async fn await_sample(addr: &str, name: &str, value: f64) {
    let mut last = None;
    for _ in 0..1000 {
        last = sample(&metrics_of(addr).await, name);
        if last == Some(value) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{name} is {last:?} at {addr}, want {value}");
}
