//! GraphQL over HTTP: methods, media types, status codes, limits, health.

use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz"] {
        let resp = app
            .client
            .get(format!("{}{path}", app.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    let metrics = app
        .client
        .get(format!("{}/metrics", app.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for family in [
        "salesgraph_db_statements_total",
        "salesgraph_db_statement_duration_seconds_bucket",
        "salesgraph_process_cpu_seconds_total",
        "salesgraph_process_resident_memory_bytes",
        "salesgraph_db_pool_connections",
    ] {
        assert!(metrics.contains(family), "{family} missing: {metrics}");
    }
}

#[tokio::test]
async fn get_serves_queries_but_never_mutations() {
    let app = TestApp::spawn().await;
    let token = app.token("ae");
    let resp = app
        .client
        .get(format!("{}/graphql", app.addr))
        .query(&[("query", "{ me { email } }")])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["me"]["email"], "ae@test.example");
    let resp = app
        .client
        .get(format!("{}/graphql", app.addr))
        .query(&[("query", "mutation { logout }")])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let html = app
        .client
        .get(format!("{}/graphql", app.addr))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status(), 200);
    assert!(html.text().await.unwrap().contains("graphiql"));
}

#[tokio::test]
async fn accept_picks_the_media_type_and_bad_requests_get_400() {
    let app = TestApp::spawn().await;
    let post = |accept: &'static str, body: &'static str| {
        app.client
            .post(format!("{}/graphql", app.addr))
            .header("Content-Type", "application/json")
            .header("Accept", accept)
            .body(body)
            .send()
    };
    let resp = post(
        "application/graphql-response+json",
        r#"{"query":"{ __typename }"}"#,
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/graphql-response+json"
    );
    let resp = post("application/json", r#"{"query":"{ __typename }"}"#)
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "application/json");
    let resp = post("text/plain", r#"{"query":"{ __typename }"}"#)
        .await
        .unwrap();
    assert_eq!(resp.status(), 406);
    // Request errors (GraphQL-over-HTTP): 400 with the GraphQL media type, 200 with
    // plain JSON, and never a `data` key.
    for bad in [
        r#"{"query":"{ me { id "}"#, // does not parse (GraphQL)
        r#"{"query":"{ nope }"}"#,   // does not validate
        r#"{"query":"{ me { password_hash } }"}"#,
        r#"{"query":"query($n: Int!) { __typename }","variables":{"n":"x"}}"#,
    ] {
        for (accept, status) in [
            ("application/graphql-response+json", 400),
            ("application/json", 200),
        ] {
            let resp = post(accept, bad).await.unwrap();
            assert_eq!(resp.status(), status, "{accept} {bad}");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
            assert!(body.get("data").is_none(), "{bad}: {body}");
        }
    }
    // Bodies that are not GraphQL-over-HTTP requests at all: 400 either way.
    for bad in [
        r#"{"query": 42}"#,            // wrong JSON type
        r#"{"query":"{ me { id } }""#, // malformed JSON
        r#"[]"#,                       // empty batch
        r#"["{ me { id } }"]"#,        // an array that is not of requests
    ] {
        let resp = post("application/json", bad).await.unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{bad}: {body}");
    }
    let resp = app
        .client
        .post(format!("{}/graphql", app.addr))
        .header("Content-Type", "text/plain")
        .body("{ me { id } }")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
}

#[tokio::test]
async fn limits_hold() {
    let app = TestApp::spawn().await; // body 16 KiB, batch 3, aliases 10, depth 8
    let big = json!({ "query": format!("{{ __typename }} # {}", "x".repeat(20_000)) });
    let resp = app.post_raw(big, None).await;
    assert_eq!(resp.status(), 413);
    let batch = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }, { "query": "{ __typename }" }, { "query": "{ __typename }" }]);
    let resp = app.post_raw(batch, None).await;
    assert_eq!(resp.status(), 400);
    let ok = app
        .post_raw(
            json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]),
            None,
        )
        .await;
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body.as_array().unwrap().len(), 2);
    let aliases: String = (0..11).map(|i| format!("a{i}: __typename ")).collect();
    let resp = app
        .post_raw(json!({ "query": format!("{{ {aliases} }}") }), None)
        .await;
    assert_eq!(
        resp.status(),
        200,
        "a request error, answered as application/json"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
    let deep = "{ me { manager { manager { manager { manager { manager { manager { manager { id } } } } } } } } }";
    let body = app.gql_as("ae", deep, json!({})).await;
    assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{body}");
}

#[tokio::test]
async fn internal_errors_do_not_leak_database_details() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let token = app.token("director");
    // Break the table under the server's feet.
    app.db
        .execute_unprepared("DROP TABLE audit_events")
        .await
        .unwrap();
    let body = app
        .gql(
            "mutation($id: ID!) { updateUser(id: $id, input: { name: \"Z Z\" }) { name } }",
            json!({ "id": TestApp::gid("User", app.user("sdr").id) }),
            Some(&token),
        )
        .await;
    assert_eq!(code(&body), Some("INTERNAL_SERVER_ERROR"), "{body}");
    let text = body.to_string().to_lowercase();
    assert!(
        !text.contains("audit_events") && !text.contains("sql") && !text.contains("table"),
        "{text}"
    );
    // And the failed mutation left the row as it was.
    let me = app.gql_as("sdr", "{ me { name } }", json!({})).await;
    assert_eq!(me["data"]["me"]["name"], "Sam Sdr");
}
