//! Delivery across replicas on one PostgreSQL database (LISTEN/NOTIFY): a second
//! server in this process, and the real binary as a second process.

use std::sync::Arc;

use serde_json::json;

use super::{await_sample, drain, init, metrics_of, recv, sample, subscribe};
use crate::{
    handoffs::{accept_q, data, qualified_lead, request},
    helpers::TestApp,
};

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

/// The real binary serving `a`'s database as a second process, killed on drop.
struct Replica {
    child: std::process::Child,
    addr: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Replica {
    /// `salesgraph serve` with the test's settings (so the same JWT keys) on a free
    /// port; returns once `/readyz` says it is ready and listening for live events.
    async fn start(a: &TestApp) -> Replica {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = crate::binary::salesgraph();
        cmd.arg("serve");
        for (k, v) in crate::helpers::test_settings() {
            cmd.env(k, v);
        }
        let child = cmd
            .env("SALESGRAPH_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", &a.url)
            .env("SALESGRAPH_DB_MAX_CONNECTIONS", "3")
            .env("SALESGRAPH_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap();
        let mut replica = Replica {
            child,
            addr: format!("http://127.0.0.1:{port}"),
        };
        let url = format!("{}/readyz", replica.addr);
        for _ in 0..1200 {
            if let Ok(resp) = reqwest::get(&url).await
                && resp.status() == 200
                && resp.json::<serde_json::Value>().await.unwrap()["liveEvents"] == "listening"
            {
                return replica;
            }
            if let Some(status) = replica.child.try_wait().unwrap() {
                panic!("the second process exited: {status}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the second process never became ready");
    }
}

/// Two processes on one PostgreSQL database: events committed through this process
/// reach the entitled subscribers of the other (LISTEN/NOTIFY), and nothing reaches its
/// out-of-scope subscribers; a deactivation here closes the user's socket there.
#[tokio::test]
async fn events_cross_two_processes_on_postgres() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        return;
    }
    let a = TestApp::spawn().await;
    let b = Replica::start(&a).await;
    // Entitled: the director and the SDR. Out of scope: the second team.
    let mut sockets = Vec::new();
    for who in ["director", "sdr", "manager2", "ae2"] {
        let mut ws = init(&b.addr, &a.token(who)).await;
        subscribe(&mut ws, "x").await;
        sockets.push((who, ws));
    }
    await_sample(&b.addr, "salesgraph_live_subscriptions", 4.0).await;

    let lead = qualified_lead(&a, "na_west", "two-processes.example").await;
    let body = request(&a, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await;
    let id = data(&body, "requestHandoff")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = a
        .gql_as("ae", &accept_q(), json!({ "id": id, "v": 1 }))
        .await;
    data(&body, "acceptHandoff");

    let want = [format!("{id} PENDING"), format!("{id} ACCEPTED")];
    for (who, ws) in sockets.iter_mut().take(2) {
        for w in &want {
            let m = recv(ws).await.unwrap();
            let e = &m["payload"]["data"]["handoffEvents"];
            let got = format!(
                "{} {}",
                e["handoff"]["id"].as_str().unwrap_or("?"),
                e["toStatus"].as_str().unwrap_or("?")
            );
            assert_eq!(&got, w, "{who}: {m}");
        }
    }
    // Once the other process has handled both events, it queued exactly those four:
    // nothing for the second team.
    await_sample(&b.addr, "salesgraph_live_events_received_total", 2.0).await;
    let text = metrics_of(&b.addr).await;
    assert_eq!(
        sample(&text, "salesgraph_live_events_delivered_total"),
        Some(4.0),
        "{text}"
    );
    for (who, ws) in sockets.iter_mut().skip(2) {
        assert_eq!(drain(ws).await, Ok(vec![]), "{who}");
    }

    // Deactivated through this process: closed at once over there.
    let body = a
        .gql_as(
            "director",
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": a.fx.gid("User", "sdr") }),
        )
        .await;
    assert_eq!(body["data"]["deactivateUser"]["active"], false, "{body}");
    assert_eq!(recv(&mut sockets[1].1).await, Err(4403));
    await_sample(&b.addr, "salesgraph_live_subscriptions", 3.0).await;
}
