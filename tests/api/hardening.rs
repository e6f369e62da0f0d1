//! Hostile input that once panicked a worker: it must be refused with a clear code,
//! change nothing, and leave the server answering.

mod database;
mod forged;
mod fuzz;
mod gate;
mod limits;
mod logs;
mod scopes;
mod tokens;

use entity::accounts;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, code};

/// Values near `Decimal::MAX` overflowed the cents conversion, which panicked.
const HUGE: [&str; 3] = [
    "79228162514264337593543950335",
    "10000000000000000000000000000",
    "-79228162514264337593543950335",
];

#[tokio::test]
async fn huge_decimals_are_refused_in_filters_and_inputs_as_any_role() {
    let app = TestApp::spawn().await;
    let filter = "query($v: Decimal!) { opportunities(filter: { amountMin: $v }) { totalCount } }";
    for who in ["partner", "sdr", "director"] {
        for v in HUGE {
            let body = app.gql_as(who, filter, json!({ "v": v })).await;
            assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{who} {v}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "amountMin");
        }
        // The same as a JSON number literal in the document.
        let body = app
            .gql_as(
                who,
                "{ opportunities(filter: { amountMax: 1e28 }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{who}: {body}");
    }

    let before = accounts::Entity::find().count(&app.db).await.unwrap();
    let create = "mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }";
    for v in HUGE {
        let input = json!({ "name": "Huge", "domain": "huge.example", "arr": v });
        let body = app.gql_as("director", create, json!({ "i": input })).await;
        assert_eq!(code(&body), Some("BAD_USER_INPUT"), "{v}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "arr");
    }
    assert_eq!(
        accounts::Entity::find().count(&app.db).await.unwrap(),
        before
    );

    // The worker that parsed them is still serving.
    let body = app.gql_as("partner", "{ me { id } }", json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
}

/// `data` of a response that must not have failed.
#[track_caller]
fn ok(body: &Value) -> &Value {
    assert!(body["errors"].is_null(), "unexpected errors: {body}");
    &body["data"]
}

/// Asserts the first error's code and field, and that nothing was returned.
#[track_caller]
fn refused_with(body: &Value, expected_code: &str, field: &str) {
    assert_eq!(code(body), Some(expected_code), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    assert!(
        body["data"].is_null()
            || body["data"]
                .as_object()
                .is_some_and(|o| o.values().all(Value::is_null)),
        "{body}"
    );
}
