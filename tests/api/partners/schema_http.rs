//! The HTTP layer serves each caller the schema of its role.

use serde_json::json;

use crate::helpers::{TestApp, unknown_name};

const TYPES: &str = "{ __schema { types { name } queryType { fields { name } } } }";

fn type_names(body: &serde_json::Value) -> Vec<String> {
    body["data"]["__schema"]["types"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn partner_introspection_shows_only_the_partner_schema() {
    let app = TestApp::spawn().await;
    let partner = app.gql_as("partner", TYPES, json!({})).await;
    let director = app.gql_as("director", TYPES, json!({})).await;
    let (p, d) = (type_names(&partner), type_names(&director));
    for t in &p {
        assert!(
            t.starts_with("__") || api::auth::policy::fields::partner_type(t),
            "{t} shown to a partner"
        );
    }
    assert!(!p.iter().any(|t| t == "Territory" || t == "Lead"), "{p:?}");
    assert!(d.iter().any(|t| t == "Territory") && d.len() > p.len());
    let body = app
        .gql_as(
            "partner",
            r#"{ __type(name: "Territory") { name } }"#,
            json!({}),
        )
        .await;
    assert!(body["data"]["__type"].is_null(), "{body}");
    // The same document: internal for the director, unknown for the partner.
    let q = "{ opportunities { edges { node { probability } } } }";
    assert!(app.gql_as("director", q, json!({})).await["errors"].is_null());
    let body = app.gql_as("partner", q, json!({})).await;
    assert!(unknown_name(&body), "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "Unknown field \"probability\" on type \"Opportunity\"."
    );
}
