//! The checked-in `schema.graphql` is exactly the served schema, and the schema reads
//! well for frontend developers: every element has a description, free of Rust.

use async_graphql::parser::{
    parse_schema,
    types::{InputValueDefinition, TypeKind, TypeSystemDefinition},
};

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

/// Text that belongs to the Rust source, not to a schema reader: generic types, paths,
/// rustdoc links.
const RUST_ISMS: &[&str] = &["<Utc>", "Option<", "Vec<", "[`", "::"];

/// Records `element` when its description is missing, blank or shows Rust.
fn check(problems: &mut Vec<String>, element: String, description: Option<&str>) {
    match description.map(str::trim) {
        None | Some("") => problems.push(format!("{element}: no description")),
        Some(text) => {
            for isms in RUST_ISMS.iter().filter(|r| text.contains(*r)) {
                problems.push(format!("{element}: description shows Rust ({isms})"));
            }
        }
    }
}

fn check_inputs(
    problems: &mut Vec<String>,
    owner: &str,
    inputs: &[async_graphql::Positioned<InputValueDefinition>],
) {
    for input in inputs {
        let input = &input.node;
        check(
            problems,
            format!("{owner}({})", input.name.node),
            input.description.as_ref().map(|d| d.node.as_str()),
        );
    }
}

/// Every type, field, argument, input field and enum value of `sdl` without a
/// description, or with one that shows Rust.
fn undescribed(sdl: &str) -> Vec<String> {
    let doc = match parse_schema(sdl) {
        Ok(doc) => doc,
        Err(e) => return vec![format!("the SDL does not parse: {e}")],
    };
    let mut problems = Vec::new();
    for definition in &doc.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.as_str();
        check(
            &mut problems,
            name.to_string(),
            ty.description.as_ref().map(|d| d.node.as_str()),
        );
        let fields = match &ty.kind {
            TypeKind::Object(o) => &o.fields,
            TypeKind::Interface(i) => &i.fields,
            TypeKind::Enum(e) => {
                for value in &e.values {
                    let value = &value.node;
                    check(
                        &mut problems,
                        format!("{name}.{}", value.value.node),
                        value.description.as_ref().map(|d| d.node.as_str()),
                    );
                }
                continue;
            }
            TypeKind::InputObject(i) => {
                for field in &i.fields {
                    let field = &field.node;
                    check(
                        &mut problems,
                        format!("{name}.{}", field.name.node),
                        field.description.as_ref().map(|d| d.node.as_str()),
                    );
                }
                continue;
            }
            TypeKind::Scalar | TypeKind::Union(_) => continue,
        };
        for field in fields {
            let field = &field.node;
            let element = format!("{name}.{}", field.name.node);
            check(
                &mut problems,
                element.clone(),
                field.description.as_ref().map(|d| d.node.as_str()),
            );
            check_inputs(&mut problems, &element, &field.arguments);
        }
    }
    problems
}

#[test]
fn every_schema_element_has_a_description_without_rust() {
    let mut problems = undescribed(&api::graphql::export_sdl());
    problems.extend(
        undescribed(&api::graphql::export_partner_sdl())
            .into_iter()
            .map(|p| format!("partner schema: {p}")),
    );
    assert!(
        problems.is_empty(),
        "{} schema elements need a description for frontend developers \
         (doc comment, or `#[graphql(desc = ...)]` on an argument):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
