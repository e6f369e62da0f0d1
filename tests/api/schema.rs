//! The checked-in `schema.graphql` is exactly the served schema.

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let served = api::graphql::export_sdl();
    assert!(
        checked_in == served,
        "schema.graphql is stale: run `cargo run -- export-schema -o schema.graphql`"
    );
}
