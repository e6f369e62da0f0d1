//! Who receives which event: each role subscribes, events in and out of its scope.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{drain, init, recv, subscribe, subscribed};
use crate::{
    handoffs::{accept_q, data, qualified_lead, request},
    helpers::{TestApp, code},
};

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
