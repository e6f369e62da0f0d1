//! What a browser app and an operator see at the HTTP layer: CORS, request ids,
//! compression, metrics of refused requests, and the self-hosted GraphiQL page.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const APP_ORIGIN: &str = "https://app.example.com";

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.addr))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,apollographql-client-name,apollographql-client-version,\
             traceparent,tracestate,baggage,sentry-trace",
        )
        .send()
        .await
        .unwrap()
}

fn allow_origin(resp: &reqwest::Response) -> Option<&str> {
    resp.headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = TestApp::spawn_with(|s| {
        s.insert(
            "SALESGRAPH_CORS_ORIGINS".into(),
            format!("{APP_ORIGIN}, http://localhost:5173"),
        );
    })
    .await;
    let resp = preflight(&app, APP_ORIGIN).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(allow_origin(&resp), Some(APP_ORIGIN));
    let allowed_headers = resp.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed_headers.contains("authorization") && allowed_headers.contains("content-type"),
        "{allowed_headers}"
    );
    // The real request carries the header too, and exposes the request id.
    let resp = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("Origin", APP_ORIGIN)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(allow_origin(&resp), Some(APP_ORIGIN));
    let exposed = resp.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert!(exposed.contains("content-disposition"), "{exposed}");

    // Any other origin gets no CORS headers, so the browser withholds the answer.
    for refused in [
        "https://evil.example",
        "https://app.example.com.evil.example",
    ] {
        let resp = preflight(&app, refused).await;
        assert_eq!(allow_origin(&resp), None, "{refused}");
        let resp = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("Origin", refused)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(allow_origin(&resp), None, "{refused}");
    }
}

#[tokio::test]
async fn more_request_headers_can_be_allowed() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_CORS_ORIGINS".into(), APP_ORIGIN.into());
        s.insert("SALESGRAPH_CORS_ALLOW_HEADERS".into(), "X-Tenant".into());
    })
    .await;
    let ask = |headers: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.addr))
            .header("Origin", APP_ORIGIN)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", headers)
            .send()
    };
    assert_eq!(ask("x-tenant,traceparent").await.unwrap().status(), 200);
    assert_eq!(ask("x-unknown").await.unwrap().status(), 400);
}

#[tokio::test]
async fn no_origin_is_allowed_by_default() {
    let app = TestApp::spawn().await;
    let resp = preflight(&app, APP_ORIGIN).await;
    assert_eq!(allow_origin(&resp), None);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.addr);
    // The client's own id when it is a sane token.
    let resp = app
        .client
        .post(&url)
        .header("x-request-id", "client-abc_123")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "client-abc_123");
    // Otherwise a fresh one, also on early refusals and on other routes.
    let long = "x".repeat(300);
    for (req, what) in [
        (
            app.client
                .post(&url)
                .header("x-request-id", long.as_str())
                .json(&json!({ "query": "{ __typename }" })),
            "oversized id",
        ),
        (
            app.client
                .post(&url)
                .header("x-request-id", "a b;c")
                .json(&json!({ "query": "{ __typename }" })),
            "unsafe id",
        ),
        (
            app.client
                .post(&url)
                .header("Content-Type", "text/plain")
                .body("{ __typename }"),
            "415",
        ),
        (app.client.get(format!("{}/healthz", app.addr)), "healthz"),
        (app.client.get(format!("{}/nope", app.addr)), "404"),
    ] {
        let resp = req.send().await.unwrap();
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_string();
        assert!(
            uuid::Uuid::parse_str(&id).is_ok(),
            "{what}: a fresh id, got {id}"
        );
    }
}

#[tokio::test]
async fn large_responses_are_compressed_as_the_client_accepts() {
    let app = TestApp::spawn().await;
    let token = app.token("director");
    // A schema introspection is far above the threshold; `__typename` far below.
    let big = json!({ "query": "{ __schema { types { name fields { name description } } } }" });
    for encoding in ["gzip", "br", "zstd"] {
        let resp = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("Accept-Encoding", encoding)
            .bearer_auth(&token)
            .json(&big)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-encoding"], encoding);
    }
    let resp = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("Accept-Encoding", "gzip")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers().get("content-encoding").is_none(),
        "small bodies go uncompressed: {:?}",
        resp.headers()
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
    // Without Accept-Encoding nothing is compressed.
    let resp = app.post_raw(big, Some(&token)).await;
    assert!(resp.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn refused_requests_are_counted_by_operation_and_status() {
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.addr);
    let refused = app
        .client
        .post(&url)
        .header("Content-Type", "text/plain")
        .body("{ __typename }")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 415);
    let body = app
        .gql("query CountMe { __typename }", json!({}), None)
        .await;
    assert_eq!(body["data"]["__typename"], "Query");
    // Names that are not GraphQL names never become labels.
    app.post_raw(
        json!({ "query": "{ __typename }", "operationName": "bad name\"}" }),
        None,
    )
    .await;
    let metrics = app
        .client
        .get(format!("{}/metrics", app.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = |needle: &str| {
        metrics
            .lines()
            .any(|l| l.starts_with("salesgraph_http_requests_total") && l.contains(needle))
    };
    assert!(line(r#"status="415""#), "{metrics}");
    assert!(line(r#"operation="CountMe""#), "{metrics}");
    assert!(!metrics.contains("bad name"), "{metrics}");
}

/// Walks `path` in `data`; a missing key on the way is the bug this guards against.
fn null_on_path(data: &Value, path: &[Value]) -> Result<(), String> {
    let mut v = data;
    for seg in path {
        if v.is_null() {
            return Ok(());
        }
        v = match seg {
            Value::String(k) => v.get(k).ok_or(format!("key {k} missing"))?,
            Value::Number(i) => &v[i.as_u64().unwrap() as usize],
            other => return Err(format!("bad segment {other}")),
        };
    }
    if v.is_null() {
        Ok(())
    } else {
        Err(format!("value at the error path is {v}"))
    }
}

#[tokio::test]
async fn an_error_nulls_its_field_and_never_drops_the_key() {
    let app = TestApp::spawn().await;
    let unknown = TestApp::gid("Account", uuid::Uuid::new_v4());
    let body = app
        .gql_as(
            "ae",
            "query($id: ID!) { me { email } node(id: $id) { id } territory(id: $id) { id } }",
            json!({ "id": unknown }),
        )
        .await;
    // node(id:) is nullable (Relay): the rest of the response survives.
    assert_eq!(body["data"]["me"]["email"], "ae@test.example", "{body}");
    assert!(body["data"]["node"].is_null());
    assert!(
        body["data"].get("node").is_some(),
        "the key is there: {body}"
    );
    assert!(body["data"].get("territory").is_some(), "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{body}");
    for e in errors {
        null_on_path(&body["data"], e["path"].as_array().unwrap()).unwrap();
    }

    // Every nullable root field alone: `{"data": {"<field>": null}}` with the error,
    // never `{"data": null}`.
    let unknown_territory = TestApp::gid("Territory", uuid::Uuid::new_v4());
    for (q, field, id) in [
        ("query($id: ID!) { node(id: $id) { id } }", "node", &unknown),
        (
            "query($id: ID!) { territory(id: $id) { id } }",
            "territory",
            &unknown_territory,
        ),
    ] {
        let body = app.gql_as("ae", q, json!({ "id": id })).await;
        assert_eq!(body["data"], json!({ field: null }), "{q}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
    }

    // Errors deeper down: every error's path ends in a null, never in a missing key.
    let body = app
        .gql_as(
            "partner",
            "{ me { email } opportunities(first: 5) { edges { node { id probability owner { email } account { arr health } } } } }",
            json!({}),
        )
        .await;
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    for e in &errors {
        if let Some(path) = e["path"].as_array() {
            null_on_path(&body["data"], path).unwrap_or_else(|m| panic!("{m}: {body}"));
        }
    }
}

/// The answer's keys follow the document (fragments in place), whichever path answers
/// and however its fields complete, on every run.
#[tokio::test]
async fn answers_keep_the_documents_key_order() {
    let app = TestApp::spawn().await;
    let token = app.token("director");
    let cases = [
        (
            "{ accounts(first: 1) { edges { cursor } totalCount pageInfo { hasNextPage } } }",
            &["\"edges\"", "\"totalCount\"", "\"pageInfo\""][..],
        ),
        (
            "{ accounts(first: 5) { totalCount nodes { csm { id } ...O accountManager { id } } } } \
             fragment O on Account { owner { id } }",
            &["\"csm\"", "\"owner\"", "\"accountManager\""][..],
        ),
        (
            "{ zz: me { id } aa: accounts(first: 2) { nodes { name } } mm: viewerPermissions { role } }",
            &["\"zz\"", "\"aa\"", "\"mm\""][..],
        ),
    ];
    for (q, keys) in cases {
        for _ in 0..8 {
            let text = app
                .post_raw(json!({ "query": q }), Some(&token))
                .await
                .text()
                .await
                .unwrap();
            assert!(!text.contains("\"errors\""), "{q}: {text}");
            let at: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap_or(0)).collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{q}: {text}");
        }
    }
}

/// With `SALESGRAPH_METRICS_ADDR`, `/metrics` is served there and only there.
#[tokio::test]
async fn metrics_can_move_to_their_own_address() {
    let app = TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_METRICS_ADDR".into(), "127.0.0.1:0".into());
    })
    .await;
    let port = app.state.metrics_port.expect("a metrics port");
    let get = |url: String| {
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    assert_eq!(get(format!("{}/metrics", app.addr)).await.status(), 404);
    let private = get(format!("http://127.0.0.1:{port}/metrics")).await;
    assert_eq!(private.status(), 200);
    assert!(private.text().await.unwrap().contains("salesgraph_"));
    assert_eq!(
        get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .status(),
        404
    );
    assert_eq!(get(format!("{}/healthz", app.addr)).await.status(), 200);
}
