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
