//! Persisted operations over HTTP: Apollo's automatic persisted queries (GET and POST)
//! and the trusted-documents mode. Every check runs on the resolved document, so a
//! mutation sent by hash over GET is refused like any other.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

fn sha256(text: &str) -> String {
    api::persisted::sha256_hex(text)
}

fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn get(app: &TestApp, params: &[(&str, String)], token: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .get(format!("{}/graphql", app.addr))
        .query(params);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn apq_registers_then_runs_by_hash_over_post_and_get() {
    let app = TestApp::spawn().await;
    let token = app.token("ae");
    let q = "query Me { me { email } }";
    let h = sha256(q);

    // Hash only, unknown: the protocol's answer, 200 and Apollo's message.
    let body: Value = app
        .post_raw(json!({ "extensions": apq(&h) }), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    // Not an error at a position of the document: no `locations` (they start at 1).
    assert!(body["errors"][0].get("locations").is_none(), "{body}");
    // Hash and text register and run.
    let body: Value = app
        .post_raw(json!({ "query": q, "extensions": apq(&h) }), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["me"]["email"], "ae@test.example", "{body}");
    // Then the hash alone runs, by POST and by GET.
    let body: Value = app
        .post_raw(json!({ "extensions": apq(&h) }), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["me"]["email"], "ae@test.example", "{body}");
    let resp = get(
        &app,
        &[
            ("operationName", "Me".into()),
            ("extensions", apq(&h).to_string()),
        ],
        Some(&token),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["me"]["email"], "ae@test.example", "{body}");

    // A text that does not hash to the hash sent is refused and not stored.
    let body: Value = app
        .post_raw(
            json!({ "query": "{ me { id } }", "extensions": apq(&sha256("{ x }")) }),
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn a_mutation_by_hash_over_get_is_refused_like_any_other() {
    let app = TestApp::spawn().await;
    let token = app.token("ae");
    let m = "mutation { logout }";
    let h = sha256(m);
    // Registered by POST (where it may run)…
    let body: Value = app
        .post_raw(json!({ "query": m, "extensions": apq(&h) }), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert!(body["errors"].is_null(), "{body}");
    // …then sent by hash over GET: refused as a mutation over GET.
    let resp = get(&app, &[("extensions", apq(&h).to_string())], Some(&token)).await;
    assert_eq!(resp.status(), 405);
}

#[tokio::test]
async fn the_alias_limit_applies_to_a_document_sent_by_hash() {
    let app = TestApp::spawn().await; // at most 10 aliases
    let q: String = format!(
        "{{ {} }}",
        (0..11)
            .map(|i| format!("a{i}: __typename "))
            .collect::<String>()
    );
    let h = sha256(&q);
    let body: Value = app
        .post_raw(json!({ "query": q, "extensions": apq(&h) }), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body: Value = app
        .post_raw(json!({ "extensions": apq(&h) }), None)
        .await
        .json()
        .await
        .unwrap();
    // Never stored (refused before), or refused again if it was: never executed.
    assert!(body["data"].is_null(), "{body}");
}

#[tokio::test]
async fn trusted_documents_mode_runs_only_registered_operations() {
    let me = "query Me { me { email } }";
    let file = std::env::temp_dir().join(format!("trusted-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(
        &file,
        json!({ format!("sha256:{}", sha256(me)): me }).to_string(),
    )
    .unwrap();
    let path = file.display().to_string();
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_TRUSTED_DOCUMENTS".into(), path);
    })
    .await;
    let token = app.token("sdr");
    // As documentId (POST and GET) and as APQ's hash.
    let body: Value = app
        .post_raw(
            json!({ "documentId": format!("sha256:{}", sha256(me)) }),
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["me"]["email"], "sdr@test.example", "{body}");
    let body: Value = get(
        &app,
        &[("documentId", format!("sha256:{}", sha256(me)))],
        Some(&token),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["data"]["me"]["email"], "sdr@test.example", "{body}");
    let body: Value = app
        .post_raw(json!({ "extensions": apq(&sha256(me)) }), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["me"]["email"], "sdr@test.example", "{body}");
    // Anything else is refused: free text, and registering a new hash.
    let other = "{ me { id } }";
    for req in [
        json!({ "query": other }),
        json!({ "query": other, "extensions": apq(&sha256(other)) }),
    ] {
        let body: Value = app.post_raw(req, Some(&token)).await.json().await.unwrap();
        assert_eq!(code(&body), Some("FORBIDDEN"), "{body}");
    }
    let body: Value = app
        .post_raw(json!({ "documentId": sha256(other) }), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "{body}");
    std::fs::remove_file(file).unwrap();
}
