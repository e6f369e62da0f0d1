use async_graphql::Variables;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Plan, Table, render};
use crate::{domain::GlobalId, services::page::Cursor};

fn plan_of(query: &str) -> Plan {
    let doc = async_graphql::parser::parse_query(query).expect("a query");
    crate::graphql::compiled::plan(&doc, None, &Variables::default(), 100_000).expect("plannable")
}

const QUERY: &str = "{ a: accounts(first: 1) { __typename pageInfo { hasNextPage endCursor } \
    edges { node { id t: __typename name arr owner { name __typename } csm { name } \
    opportunities(first: 2) { nodes { amount closeDate } } } } } }";
const ID: &str = "54d0f6fa-c44e-4a3e-8879-02ff3fd23c0a";

/// The records the statement returns for `QUERY`: the page's row and the look-ahead
/// row, keys in SELECT order.
fn records(first_keys: &str) -> String {
    format!(
        r#"{{"a": [{{{first_keys}, "owner": {{"name": "Jon"}}, "csm": null,
            "opportunities": [{{"amount": 12345, "closeDate": "2026-03-01"}}],
            "__k": "Zo\u00eb \"Q\" \\ |", "__i": "{ID}"}},
          {{"id": "{ID}", "name": "B", "arr": 1, "owner": null, "csm": null,
            "opportunities": [], "__k": "B", "__i": "{ID}"}}]}}"#
    )
}

#[test]
fn writes_the_answer_from_the_records() {
    let text = records(&format!(
        r#""id": "{ID}", "name": "Zo\u00eb \"Q\" \\ |", "arr": null"#
    ));
    let out = render::data(&plan_of(QUERY), &text).expect("rendered");
    let out: Value = serde_json::from_str(&out).expect("JSON");
    let uuid = Uuid::parse_str(ID).unwrap();
    let name = "Zoë \"Q\" \\ |";
    let cursor = Cursor::of_row(
        &Table::Accounts.sort_key(),
        sea_orm::Value::String(Some(name.into())),
        sea_orm::Value::Uuid(Some(uuid)),
    )
    .encode();
    assert_eq!(
        out,
        json!({ "a": {
            "__typename": "AccountConnection",
            "pageInfo": { "hasNextPage": true, "endCursor": cursor },
            "edges": [{ "node": {
                "id": GlobalId::encode("Account", uuid),
                "t": "Account",
                "name": name,
                "arr": null,
                "owner": { "name": "Jon", "__typename": "User" },
                "csm": null,
                "opportunities": { "nodes": [{ "amount": "123.45", "closeDate": "2026-03-01" }] },
            } }],
        } })
    );
}

#[test]
fn refuses_records_that_do_not_match_the_plan() {
    let plan = plan_of(QUERY);
    for first_keys in [
        // Out of order, missing, one too many, not an id.
        format!(r#""name": "A", "id": "{ID}", "arr": 1"#),
        format!(r#""id": "{ID}", "arr": 1"#),
        format!(r#""id": "{ID}", "name": "A", "arr": 1, "extra": 1"#),
        r#""id": "nope", "name": "A", "arr": 1"#.to_owned(),
        format!(r#""id": "{ID}", "name": "A", "arr": "1""#),
    ] {
        let text = records(&first_keys);
        assert!(render::data(&plan, &text).is_err(), "{first_keys}");
    }
    assert!(render::data(&plan, r#"{"a": []} trailing"#).is_err());
    assert!(render::data(&plan, r#"{"b": []}"#).is_err());
}
