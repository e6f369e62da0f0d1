//! What the planner plans, and what it leaves to the resolvers.

use super::*;

fn planned(query: &str, vars: serde_json::Value) -> Option<Plan> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    let vars = Variables::from_json(vars);
    plan(&doc, None, &vars, 20_000)
}

#[test]
fn plans_the_nested_list_and_bounds_its_size() {
    let q = "{ accounts(first: 50) { edges { node { id name owner { name } \
             opportunities(first: 10) { edges { node { id amount stage owner { name } } } } } } } }";
    let p = planned(q, serde_json::json!({})).expect("plannable");
    assert_eq!(p.roots.len(), 1);
    assert_eq!(p.roots[0].1.first, 50);
    // 50 rows of (edge, node, 3 fields, owner's name, a nested page of 10 rows of
    // (edge, node, 4 fields, owner's name)) is more than 20,000 / 100.
    let doc = async_graphql::parser::parse_query(q).unwrap();
    assert!(plan(&doc, None, &Variables::default(), 200).is_none());
}

#[test]
fn plans_typename_at_every_level_without_reading_it() {
    let q = "{ accounts(first: 2) { __typename pageInfo { __typename hasNextPage } \
             edges { __typename node { __typename id owner { __typename } \
             opportunities(first: 1) { nodes { __typename } } } } } }";
    let p = planned(q, serde_json::json!({})).expect("plannable");
    let conn = &p.roots[0].1;
    assert!(matches!(conn.fields[0].1, ConnField::Typename));
    let node = conn.node().expect("a node");
    assert!(matches!(node.fields[0].1, Field::Typename));
    assert!(p.nests());
    // `__typename` alone does not make a list nested.
    assert!(
        planned(
            "{ accounts { nodes { __typename id } } }",
            serde_json::json!({})
        )
        .is_none()
    );
}

#[test]
fn leaves_everything_else_to_the_resolvers() {
    for q in [
        "{ accounts { totalCount } }",
        "{ accounts(last: 2) { nodes { id } } }",
        "{ accounts(orderBy: {field: ARR}) { nodes { id } } }",
        "{ accounts { nodes { id territory { name } } } }",
        "{ accounts { nodes { __type(name: \"User\") { name } owner { name } } } }",
        "{ accounts { nodes { __typename(x: 1) owner { name } } } }",
        "{ accounts { nodes { id id } } }",
        "{ accounts { nodes { ...F } } } fragment F on Account { id }",
        "{ accounts { nodes { ... on Account { id } } } }",
        "{ accounts @skip(if: false) { nodes { id } } }",
        "{ accounts(first: 101) { nodes { id } } }",
        "{ accounts(first: -1) { nodes { id } } }",
        "{ accounts(after: \"nope\") { nodes { id } } }",
        "{ users { nodes { id } } }",
        "{ accounts { nodes { id name } } opportunities { edges { cursor } } }",
        "mutation { logout }",
        "query($n: String) { accounts(first: $n) { nodes { id } } }",
    ] {
        assert!(planned(q, serde_json::json!({ "n": "1" })).is_none(), "{q}");
    }
    let q = "query($n: Int = 3, $c: String) { accounts(first: $n, after: $c) { nodes { id owner { name } } } }";
    let p = planned(q, serde_json::json!({})).expect("defaults");
    assert_eq!(p.roots[0].1.first, 3);
    let p = planned(q, serde_json::json!({ "n": 7, "c": null })).expect("variables");
    assert_eq!(p.roots[0].1.first, 7);
}
