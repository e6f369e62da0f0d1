//! `/metrics` counts live subscriptions and the events delivered and dropped.

use serde_json::json;

use super::{await_sample, init, metrics_of, recv, sample, subscribe};
use crate::{
    handoffs::{accept_q, data, qualified_lead, request},
    helpers::TestApp,
};

#[tokio::test]
async fn metrics_count_subscriptions_and_events_delivered_and_dropped() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_WS_QUEUE".into(), "1".into());
    })
    .await;
    let addr = app.addr.as_str();
    let text = metrics_of(addr).await;
    for (name, want) in [
        ("salesgraph_live_subscriptions", 0.0),
        ("salesgraph_live_events_received_total", 0.0),
        ("salesgraph_live_events_delivered_total", 0.0),
    ] {
        assert_eq!(sample(&text, name), Some(want), "{name}: {text}");
    }
    for reason in ["slow_subscriber", "lagged", "error"] {
        let name = format!("salesgraph_live_events_dropped_total{{reason=\"{reason}\"}}");
        assert_eq!(sample(&text, &name), Some(0.0), "{name}: {text}");
    }

    // Two sockets that read, and a registration that never does (its queue holds one).
    let mut sdr = init(addr, &app.token("sdr")).await;
    let mut director = init(addr, &app.token("director")).await;
    subscribe(&mut sdr, "s").await;
    subscribe(&mut director, "s").await;
    let u = app.user("manager").clone();
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
    let (close, _closed) = tokio::sync::mpsc::channel(4);
    let ctl = api::events::SocketCtl {
        close,
        token_issued_ms: chrono::Utc::now().timestamp_millis(),
    };
    let stuck = app.state.hub.register(&actor, vec![], None, &ctl);
    await_sample(addr, "salesgraph_live_subscriptions", 3.0).await;

    // Two events, each entitled to all three: five queued, the stuck one's second
    // dropped. The reading sockets take each event before the next is caused, so
    // their own one-event queues never fill.
    let lead = qualified_lead(&app, "na_west", "metrics.example").await;
    let body = request(&app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await;
    let h = data(&body, "requestHandoff")["id"]
        .as_str()
        .unwrap()
        .to_string();
    for ws in [&mut sdr, &mut director] {
        assert_eq!(recv(ws).await.unwrap()["type"], "next");
    }
    let body = app
        .gql_as("ae", &accept_q(), json!({ "id": h, "v": 1 }))
        .await;
    data(&body, "acceptHandoff");
    for ws in [&mut sdr, &mut director] {
        assert_eq!(recv(ws).await.unwrap()["type"], "next");
    }
    await_sample(addr, "salesgraph_live_events_received_total", 2.0).await;
    let text = metrics_of(addr).await;
    assert_eq!(
        sample(&text, "salesgraph_live_events_delivered_total"),
        Some(5.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "salesgraph_live_events_dropped_total{reason=\"slow_subscriber\"}"
        ),
        Some(1.0),
        "{text}"
    );

    // Closing the sockets and dropping the registration empties the gauge.
    drop(stuck);
    drop((sdr, director));
    await_sample(addr, "salesgraph_live_subscriptions", 0.0).await;
}

/// The fan-out's cost per event does not grow with its subscribers: the event, its
/// handoff and everyone's entitlement are loaded once per replica, and a subscriber
/// selecting the handoff is handed the loaded one.
#[tokio::test]
async fn an_event_costs_the_same_statements_for_one_subscriber_or_many() {
    let app = TestApp::spawn().await;
    let doc = "subscription { handoffEvents { toStatus handoff { id kind status } } }";
    let mut sockets = Vec::new();
    // One request as `sdr`, its statements (the mutation and the fan-out) counted once
    // every subscriber has the event.
    let measure = async |app: &TestApp, sockets: &mut Vec<super::Ws>, domain: &str| {
        let lead = qualified_lead(app, "na_west", domain).await;
        let before = app.statements();
        let events = app.state.metrics.live_events_received.get();
        let body = request(app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await;
        let h = data(&body, "requestHandoff")["id"]
            .as_str()
            .unwrap()
            .to_string();
        for ws in sockets.iter_mut() {
            let m = recv(ws).await.unwrap();
            let got = &m["payload"]["data"]["handoffEvents"]["handoff"];
            assert_eq!(
                (got["id"].as_str(), got["status"].as_str()),
                (Some(h.as_str()), Some("PENDING")),
                "{m}"
            );
        }
        while app.state.metrics.live_events_received.get() == events {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        app.statements() - before
    };
    for who in ["director"] {
        let mut ws = init(&app.addr, &app.token(who)).await;
        super::subscribe_with(&mut ws, "s", doc).await;
        sockets.push(ws);
    }
    super::subscribed(&app, 1).await;
    let one = measure(&app, &mut sockets, "one.example").await;
    for who in ["sdr", "ae", "manager", "director", "sdr"] {
        let mut ws = init(&app.addr, &app.token(who)).await;
        super::subscribe_with(&mut ws, "s", doc).await;
        sockets.push(ws);
    }
    super::subscribed(&app, 6).await;
    let six = measure(&app, &mut sockets, "six.example").await;
    assert_eq!(
        six, one,
        "statements for one subscriber: {one}, for six: {six}"
    );
}
