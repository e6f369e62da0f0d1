//! A subscription answers each event as a request of its own: the field budget is fresh
//! for every event instead of running out over the socket's life.

use serde_json::json;

use super::{init, recv, subscribe_with, subscribed};
use crate::{
    handoffs::{accept_q, cancel_q, data, request},
    helpers::TestApp,
};

#[tokio::test]
async fn each_event_gets_a_fresh_field_budget() {
    // acme has two opportunities: each event's nested page draws 2 × (edges, cursor,
    // node, id, name, stage, amount, closeDate) = 16 fields. Two events draw 32, over a
    // budget of 30; each alone is within it (and so are the mutations' own answers).
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_MAX_FIELDS".into(), "30".into());
    })
    .await;
    let mut ws = init(&app.addr, &app.token("director")).await;
    subscribe_with(
        &mut ws,
        "h",
        "subscription { handoffEvents { toStatus handoff { account { opportunities(first: 5) { edges { cursor node { id name stage amount closeDate } } } } } } }",
    )
    .await;
    subscribed(&app, 1).await;

    let acme = app.fx.gid("Account", "acme");
    let first = request(&app, "am", "AM_TO_CS", ("accountId", &acme), "cs").await;
    let first = data(&first, "requestHandoff")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    data(
        &app.gql_as("am", &cancel_q(), json!({ "id": first, "v": 1 }))
            .await,
        "cancelHandoff",
    );
    let second = request(&app, "am", "AM_TO_CS", ("accountId", &acme), "cs").await;
    let second = data(&second, "requestHandoff")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    data(
        &app.gql_as("cs", &accept_q(), json!({ "id": second, "v": 1 }))
            .await,
        "acceptHandoff",
    );

    for want in ["PENDING", "CANCELLED", "PENDING", "ACCEPTED"] {
        let m = recv(&mut ws).await.unwrap();
        assert_eq!(m["type"], "next", "{m}");
        assert!(m["payload"]["errors"].is_null(), "event {want}: {m}");
        let event = &m["payload"]["data"]["handoffEvents"];
        assert_eq!(event["toStatus"], want, "{m}");
        let opportunities = &event["handoff"]["account"]["opportunities"]["edges"];
        assert_eq!(opportunities.as_array().map(Vec::len), Some(2), "{m}");
    }
}
