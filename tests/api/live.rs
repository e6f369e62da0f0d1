//! Live handoff events over `graphql-transport-ws`: the protocol's close codes, who
//! receives which event, losing access, shutdown, and delivery across replicas.

use std::{collections::BTreeMap, sync::Arc};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest},
};

use crate::{
    handoffs::{accept_q, data, qualified_lead, request},
    helpers::{TestApp, code},
};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const SUBSCRIBE: &str = "subscription { handoffEvents { toStatus handoff { id } } }";

async fn connect(addr: &str) -> Ws {
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

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// The next protocol message, or `Err(close code)` when the server closed.
async fn recv(ws: &mut Ws) -> Result<Value, u16> {
    loop {
        // A lost event fails the test instead of hanging it.
        let next = tokio::time::timeout(std::time::Duration::from_secs(20), ws.next())
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
async fn init(addr: &str, token: &str) -> Ws {
    let mut ws = connect(addr).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "token": token } }),
    )
    .await;
    assert_eq!(recv(&mut ws).await.unwrap()["type"], "connection_ack");
    ws
}

async fn subscribe(ws: &mut Ws, id: &str) {
    send(
        ws,
        json!({ "id": id, "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
    )
    .await;
}

/// Everything queued for the socket before a `ping` arrives before its `pong`.
async fn drain(ws: &mut Ws) -> Result<Vec<Value>, u16> {
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
async fn subscribed(app: &TestApp, n: usize) {
    for _ in 0..500 {
        if app.state.hub.subscribers() == n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{} subscriptions, want {n}", app.state.hub.subscribers());
}

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

    let mut ws = connect(addr).await;
    send(
        &mut ws,
        json!({ "type": "connection_init", "payload": { "token": "nope" } }),
    )
    .await;
    check("bad token", recv(&mut ws).await, 4403);

    let mut ws = connect(addr).await;
    send(&mut ws, json!({ "type": "connection_init" })).await;
    check("missing token", recv(&mut ws).await, 4403);

    // Partner users have no subscriptions: the socket's schema is the internal one.
    for partner in ["partner", "partner2"] {
        let mut ws = connect(addr).await;
        let token = app.token(partner);
        send(
            &mut ws,
            json!({ "type": "connection_init", "payload": { "token": token } }),
        )
        .await;
        check(partner, recv(&mut ws).await, 4403);
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

/// Each role subscribes; events in and out of its scope are caused; exactly the
/// entitled ones arrive. A deactivated subscriber's socket is closed.
#[tokio::test]
async fn each_subscriber_receives_exactly_its_events() {
    let app = TestApp::spawn().await;
    let roles = ["sdr", "ae", "am", "cs", "manager", "manager2", "director"];
    let mut sockets = BTreeMap::new();
    for role in roles {
        let mut ws = init(&app.addr, &app.token(role)).await;
        subscribe(&mut ws, "h").await;
        sockets.insert(role, ws);
    }
    subscribed(&app, roles.len()).await;

    // e1: SDR → AE (team 1). e2: a team-2 handoff accepted by its manager. e3: the AE
    // accepts e1. e4: AM → CS on acme.
    let lead = qualified_lead(&app, "na_west", "live.example").await;
    let h1 = data(
        &request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await,
        "requestHandoff",
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let team2 = crate::handoffs::seed_team2(&app).await;
    let body = app
        .gql_as("manager2", &accept_q(), json!({ "id": team2, "v": 1 }))
        .await;
    data(&body, "acceptHandoff");
    let body = app
        .gql_as("ae", &accept_q(), json!({ "id": h1, "v": 1 }))
        .await;
    data(&body, "acceptHandoff");
    let acme = app.fx.gid("Account", "acme");
    let body = request(&app, "am", "AM_TO_CS", ("accountId", &acme), "cs").await;
    let h4 = data(&body, "requestHandoff")["id"]
        .as_str()
        .unwrap()
        .to_string();

    let tag = |m: &Value| -> String {
        let e = &m["payload"]["data"]["handoffEvents"];
        let h = e["handoff"]["id"].as_str().unwrap_or("?");
        let which = if h == h1 {
            "h1"
        } else if h == team2 {
            "team2"
        } else if h == h4 {
            "h4"
        } else {
            "?"
        };
        format!("{which} {}", e["toStatus"].as_str().unwrap_or("?"))
    };
    // The director receives every event; once it has the last, every queue is filled.
    let director = sockets.get_mut("director").unwrap();
    let mut got_director = Vec::new();
    while got_director.len() < 4 {
        got_director.push(tag(&recv(director).await.unwrap()));
    }
    let expected: &[(&str, &[&str])] = &[
        ("sdr", &["h1 PENDING", "h1 ACCEPTED"]),
        ("ae", &["h1 PENDING", "h1 ACCEPTED"]),
        ("am", &["h4 PENDING"]),
        ("cs", &["h4 PENDING"]),
        ("manager", &["h1 PENDING", "h1 ACCEPTED", "h4 PENDING"]),
        ("manager2", &["team2 ACCEPTED"]),
        (
            "director",
            &["h1 PENDING", "team2 ACCEPTED", "h1 ACCEPTED", "h4 PENDING"],
        ),
    ];
    let mut wrong = Vec::new();
    for (role, want) in expected {
        // Each socket has its own queue and task, so the director's having every event
        // says nothing of the others' timing: wait for each one's entitled events,
        // then a ping/pong round trip shows nothing else is queued behind them.
        let ws = sockets.get_mut(role).unwrap();
        let mut got = if *role == "director" {
            got_director.clone()
        } else {
            Vec::new()
        };
        while got.len() < want.len() {
            match recv(ws).await {
                Ok(m) => got.push(tag(&m)),
                Err(code) => {
                    got.push(format!("closed {code}"));
                    break;
                }
            }
        }
        if let Ok(rest) = drain(ws).await {
            got.extend(rest.iter().map(&tag));
        }
        if got != *want {
            wrong.push(format!("{role}: {got:?}, want {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The CSM is deactivated; the next event closes their socket.
    let body = app
        .gql_as(
            "director",
            "mutation($id: ID!) { deactivateUser(id: $id) { id } }",
            json!({ "id": app.fx.gid("User", "cs") }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app
        .gql_as(
            "am",
            "mutation($id: ID!) { cancelHandoff(id: $id, version: 1) { id } }",
            json!({ "id": h4 }),
        )
        .await;
    assert!(code(&body).is_none(), "{body}");
    let cs = sockets.get_mut("cs").unwrap();
    assert_eq!(recv(cs).await, Err(4403));
    let am = sockets.get_mut("am").unwrap();
    assert_eq!(tag(&recv(am).await.unwrap()), "h4 CANCELLED");
}

/// Two servers on one PostgreSQL database: an event committed through one reaches a
/// subscriber of the other (LISTEN/NOTIFY). SQLite has one process by nature.
#[tokio::test]
async fn events_cross_replicas_on_postgres() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        return;
    }
    let a = TestApp::spawn().await;
    let b = second_replica(&a).await;
    let mut ws = init(&b.0, &a.token("director")).await;
    subscribe(&mut ws, "x").await;
    for _ in 0..500 {
        if b.1.hub.subscribers() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let lead = qualified_lead(&a, "na_west", "replica.example").await;
    let body = request(&a, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await;
    let id = data(&body, "requestHandoff")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = recv(&mut ws).await.unwrap();
    assert_eq!(
        m["payload"]["data"]["handoffEvents"]["handoff"]["id"], id,
        "{m}"
    );
    assert_eq!(m["payload"]["data"]["handoffEvents"]["toStatus"], "PENDING");
}

/// A second server process's worth of state (own pool, own listener) on `a`'s database.
async fn second_replica(a: &TestApp) -> (String, api::state::AppState) {
    let mut settings = crate::helpers::test_settings();
    settings.insert("DATABASE_URL".into(), a.url.clone());
    let config = api::config::Config::from_source(&settings).unwrap();
    let metrics = Arc::new(api::metrics::Metrics::new().unwrap());
    let db = api::db::connect(
        api::db::DbSettings {
            url: &a.url,
            max_connections: 3,
            acquire_timeout: std::time::Duration::from_secs(10),
            statement_timeout: None,
        },
        metrics.clone(),
    )
    .await
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let app = api::startup::build_with(config, db, metrics, listener).unwrap();
    let addr = format!("http://127.0.0.1:{}", app.port);
    tokio::spawn(app.server);
    app.state.hub.ready().await;
    (addr, app.state)
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
        user: u,
    };
    let (close, mut closed) = tokio::sync::mpsc::channel(4);
    // Registered and never read: the queue holds one event.
    let _reg = app.state.hub.register(&actor, vec![], None, close);
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
