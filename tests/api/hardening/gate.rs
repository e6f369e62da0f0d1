//! The one gate before execution holds on every transport: trusted documents and
//! introspection over WebSocket as over HTTP.

use entity::territories;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, code},
    live::{SUBSCRIBE, init, recv, send, subscribe_with, subscribed},
};

fn sha256(text: &str) -> String {
    api::persisted::sha256_hex(text)
}

/// The answer to operation `id`: its `error` payload, or the first other message.
async fn answer(ws: &mut crate::live::Ws, id: &str) -> Value {
    let msg = recv(ws).await.unwrap();
    assert_eq!(msg["id"], id, "{msg}");
    msg
}

#[tokio::test]
async fn trusted_documents_hold_over_websocket() {
    let file = std::env::temp_dir().join(format!("trusted-ws-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(
        &file,
        json!({ format!("sha256:{}", sha256(SUBSCRIBE)): SUBSCRIBE }).to_string(),
    )
    .unwrap();
    let path = file.display().to_string();
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_TRUSTED_DOCUMENTS".into(), path);
    })
    .await;
    let before = territories::Entity::find().count(&app.db).await.unwrap();
    let mut ws = init(&app.addr, &app.token("director")).await;
    let free_text = [
        "{ users { totalCount } }",
        "{ auditEvents(first: 5) { nodes { action } } }",
        r#"mutation { createTerritory(input: { name: "Sneaked in" }) { id } }"#,
        "subscription { handoffEvents { toStatus } }",
    ];
    for (i, q) in free_text.iter().enumerate() {
        let id = format!("free-{i}");
        subscribe_with(&mut ws, &id, q).await;
        let msg = answer(&mut ws, &id).await;
        assert_eq!(msg["type"], "error", "{q}: {msg}");
        assert_eq!(
            msg["payload"][0]["extensions"]["code"], "FORBIDDEN",
            "{q}: {msg}"
        );
    }
    assert_eq!(
        territories::Entity::find().count(&app.db).await.unwrap(),
        before,
        "a free-text mutation over the socket wrote a row"
    );
    // The registered subscription runs, sent by its id.
    send(
        &mut ws,
        json!({ "id": "trusted", "type": "subscribe",
                "payload": { "documentId": format!("sha256:{}", sha256(SUBSCRIBE)) } }),
    )
    .await;
    subscribed(&app, 1).await;
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn introspection_off_is_refused_before_execution_on_every_transport() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_INTROSPECTION".into(), "false".into());
    })
    .await;
    let token = app.token("director");
    let documents = [
        "{ __schema { queryType { name } } }",
        r#"{ __type(name: "User") { fields { name } } }"#,
        "{ me { id } ...F } fragment F on Query { __schema { types { name } } }",
    ];
    for q in documents {
        for (accept, status) in [
            ("application/graphql-response+json", 400),
            ("application/json", 200),
        ] {
            let resp = app
                .client
                .post(format!("{}/graphql", app.addr))
                .header("accept", accept)
                .bearer_auth(&token)
                .json(&json!({ "query": q }))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), status, "{q} as {accept}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(code(&body), Some("FORBIDDEN"), "{q}: {body}");
            assert_eq!(body["errors"][0]["message"], "introspection is disabled");
            assert!(body.get("data").is_none(), "{q}: {body}");
        }
        // The same over GET.
        let resp = app
            .client
            .get(format!("{}/graphql", app.addr))
            .query(&[("query", q)])
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code(&body), Some("FORBIDDEN"), "GET {q}: {body}");
    }
    // `__typename` is not introspection of the schema.
    let body = app
        .gql("{ __typename me { __typename } }", json!({}), Some(&token))
        .await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");

    let mut ws = init(&app.addr, &token).await;
    for (i, q) in documents.iter().enumerate() {
        let id = i.to_string();
        subscribe_with(&mut ws, &id, q).await;
        let msg = answer(&mut ws, &id).await;
        assert_eq!(msg["type"], "error", "{q}: {msg}");
        assert_eq!(
            msg["payload"][0]["extensions"]["code"], "FORBIDDEN",
            "{msg}"
        );
        assert_eq!(msg["payload"][0]["message"], "introspection is disabled");
    }
}

/// The reported stall: 12,000 operations, each spreading a fragment that doubles 15
/// times, sent anonymously. Refused before any walk expands it.
fn fragment_bomb(operations: usize) -> String {
    let chain: String = (0..15)
        .map(|i| format!("fragment F{i} on Query {{ ...F{n} ...F{n} }} ", n = i + 1))
        .collect();
    let ops: String = (0..operations)
        .map(|i| format!("query a{i}{{...F0}}"))
        .collect();
    format!("{ops} {chain}fragment F15 on Query {{ __typename }}")
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_before_the_library_walks_it() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_MAX_BODY_BYTES".into(), (256 * 1024).to_string());
    })
    .await;
    let bomb = fragment_bomb(12_000);
    assert!(bomb.len() > 200_000 && bomb.len() < 256 * 1024);
    // No operation named: refused for that, before anything is expanded.
    let body: Value = app
        .post_raw(json!({ "query": bomb }), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "operationName");
    assert!(body.get("data").is_none(), "{body}");
    // Named, it is refused for its size before it is even parsed.
    let body: Value = app
        .post_raw(json!({ "query": bomb, "operationName": "a0" }), None)
        .await
        .json()
        .await
        .unwrap();
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("names"), "{body}");
    // A smaller one, one operation named, cheap or not: the whole document's expansion
    // is refused, since validation walks every operation and fragment.
    let mut cheap = fragment_bomb(2_000);
    cheap.push_str(" query cheap { __typename }");
    for name in ["a0", "cheap"] {
        let body: Value = app
            .post_raw(json!({ "query": cheap, "operationName": name }), None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{name}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("expands to more than"), "{name}: {body}");
    }
    // A chain of fragments each spreading the next: few fields, but every walk that
    // expands spreads would recurse 3,000 deep.
    let chain: String = (0..3_000)
        .map(|i| format!("fragment F{i} on Query {{ ...F{} }} ", i + 1))
        .collect();
    let deep = format!("{{ ...F0 }} {chain}fragment F3000 on Query {{ __typename }}");
    let body: Value = app
        .post_raw(json!({ "query": deep }), None)
        .await
        .json()
        .await
        .unwrap();
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("nests fields and fragment spreads"),
        "{body}"
    );
    // The same over a socket.
    let mut ws = init(&app.addr, &app.token("ae")).await;
    subscribe_with(&mut ws, "bomb", &fragment_bomb(2)).await;
    let msg = answer(&mut ws, "bomb").await;
    assert_eq!(msg["type"], "error", "{msg}");
    assert_eq!(msg["payload"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // A small document of many named operations still runs the one it names.
    let q: String = (0..50)
        .map(|i| format!("query q{i} {{ me {{ id }} }} "))
        .collect();
    let body: Value = app
        .post_raw(
            json!({ "query": q, "operationName": "q7" }),
            Some(&app.token("ae")),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(body["data"]["me"]["id"].is_string(), "{body}");
}

#[tokio::test]
async fn socket_errors_carry_codes_and_keep_the_documents_key_order() {
    let app = TestApp::spawn().await;
    let mut ws = init(&app.addr, &app.token("ae")).await;
    subscribe_with(&mut ws, "v", "subscription { handoffEvents { nope } }").await;
    let msg = answer(&mut ws, "v").await;
    assert_eq!(msg["type"], "error", "{msg}");
    assert_eq!(
        msg["payload"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{msg}"
    );
    // A query over the socket: its answer's keys in the document's order, not sorted.
    subscribe_with(&mut ws, "q", "{ zeta: __typename alpha: __typename }").await;
    let raw = loop {
        use futures_util::StreamExt;
        match ws.next().await.unwrap().unwrap() {
            tokio_tungstenite::tungstenite::Message::Text(t) => break t.to_string(),
            _ => continue,
        }
    };
    let (z, a) = (raw.find("zeta").unwrap(), raw.find("alpha").unwrap());
    assert!(z < a, "{raw}");
    // Fields the resolvers complete concurrently come back in the document's order too.
    for run in 0..6 {
        let id = format!("o{run}");
        subscribe_with(
            &mut ws,
            &id,
            "{ accounts(first: 3) { totalCount nodes { csm { id } owner { id } accountManager { id } } } }",
        )
        .await;
        let raw = loop {
            use futures_util::StreamExt;
            match ws.next().await.unwrap().unwrap() {
                tokio_tungstenite::tungstenite::Message::Text(t) if t.contains("\"next\"") => {
                    break t.to_string();
                }
                _ => continue,
            }
        };
        let at = |k: &str| raw.find(k).unwrap_or(usize::MAX);
        assert!(
            at("\"totalCount\"") < at("\"nodes\"")
                && at("\"csm\"") < at("\"owner\"")
                && at("\"owner\"") < at("\"accountManager\""),
            "{raw}"
        );
    }
}

#[tokio::test]
async fn a_database_outage_is_unavailable_with_retry_after() {
    let app = TestApp::spawn().await;
    let token = app.token("ae");
    app.db.clone().close().await.unwrap();
    for (accept, status) in [
        ("application/graphql-response+json", 503),
        ("application/json", 200),
    ] {
        let resp = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("accept", accept)
            .bearer_auth(&token)
            .json(&json!({ "query": "{ me { id } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{accept}");
        assert!(resp.headers().contains_key("retry-after"), "{accept}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code(&body), Some("UNAVAILABLE"), "{body}");
        assert!(body["errors"][0].get("locations").is_none(), "{body}");
    }
}
