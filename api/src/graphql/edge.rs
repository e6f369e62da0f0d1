//! Input refused at the edge, before any resolver runs: NUL bytes (PostgreSQL cannot
//! store them in text, so they would fail deep inside a write) and strings longer than
//! any field accepts. Every string counts, in variables and in the document alike.

use std::convert::Infallible;

use async_graphql::{
    Value, Variables,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use crate::error::AppError;

/// Longer than any text field's own limit (the longest is 4000), so a field's own
/// check names its limit; this one stops the rest.
pub const MAX_STRING_CHARS: usize = 10_000;

/// `BAD_USER_INPUT` naming the argument or input field that holds a bad string.
pub fn check_input(doc: &ExecutableDocument, variables: &Variables) -> Result<(), AppError> {
    strings(doc, variables, &mut |field, s| {
        if s.contains('\0') {
            return Err(AppError::bad_input(field, "text may not contain NUL bytes"));
        }
        if s.len() > MAX_STRING_CHARS && s.chars().count() > MAX_STRING_CHARS {
            return Err(AppError::bad_input(
                field,
                format!("is longer than {MAX_STRING_CHARS} characters"),
            ));
        }
        Ok(())
    })
}

/// The argument or input field whose value is the string `text`, if one is: names
/// where a scalar that refused `text` was given.
pub fn field_holding(
    doc: &ExecutableDocument,
    variables: &Variables,
    text: &str,
) -> Option<String> {
    let found = strings(doc, variables, &mut |field, s| {
        if s == text {
            Err(field.to_string())
        } else {
            Ok(())
        }
    });
    found.err()
}

/// Calls `each` with every string of the request and the argument or input field that
/// holds it: arguments first, with the request's variables put in, so the name is the
/// argument or input field; then every variable, used or not.
fn strings<E>(
    doc: &ExecutableDocument,
    variables: &Variables,
    each: &mut dyn FnMut(&str, &str) -> Result<(), E>,
) -> Result<(), E> {
    for (_, op) in doc.operations.iter() {
        check_set(&op.node.selection_set.node, variables, each)?;
        for var in &op.node.variable_definitions {
            if let Some(default) = &var.node.default_value {
                check_value(&default.node, var.node.name.node.as_str(), each)?;
            }
        }
    }
    for frag in doc.fragments.values() {
        check_set(&frag.node.selection_set.node, variables, each)?;
    }
    for (name, value) in variables.iter() {
        check_value(value, name.as_str(), each)?;
    }
    Ok(())
}

fn check_set<E>(
    set: &SelectionSet,
    variables: &Variables,
    each: &mut dyn FnMut(&str, &str) -> Result<(), E>,
) -> Result<(), E> {
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => {
                for (name, value) in &f.node.arguments {
                    let literal = value
                        .node
                        .clone()
                        .into_const_with(|v| {
                            Ok::<_, Infallible>(variables.get(&v).cloned().unwrap_or(Value::Null))
                        })
                        .unwrap_or(Value::Null);
                    check_value(&literal, name.node.as_str(), each)?;
                }
                check_set(&f.node.selection_set.node, variables, each)?;
            }
            Selection::InlineFragment(f) => check_set(&f.node.selection_set.node, variables, each)?,
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn check_value<E>(
    value: &Value,
    field: &str,
    each: &mut dyn FnMut(&str, &str) -> Result<(), E>,
) -> Result<(), E> {
    match value {
        Value::String(s) => each(field, s),
        Value::List(items) => items.iter().try_for_each(|v| check_value(v, field, each)),
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| check_value(v, k.as_str(), each)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;

    fn field_of(q: &str, vars: serde_json::Value) -> Option<String> {
        let doc = parse_query(q).unwrap();
        match check_input(&doc, &Variables::from_json(vars)) {
            Ok(()) => None,
            Err(AppError::BadUserInput { field, .. }) => Some(field),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn nul_bytes_and_huge_strings_are_named() {
        let q = "mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }";
        assert_eq!(
            field_of(q, json!({ "i": { "name": "a\u{0}b" } })).as_deref(),
            Some("name")
        );
        let huge = "x".repeat(MAX_STRING_CHARS + 1);
        assert_eq!(
            field_of(q, json!({ "i": { "domain": huge } })).as_deref(),
            Some("domain")
        );
        assert_eq!(field_of(q, json!({ "i": { "name": "fine" } })), None);
        let literal = "{ accounts(filter: { search: \"a\\u0000\" }) { totalCount } }";
        assert_eq!(field_of(literal, json!({})).as_deref(), Some("search"));
        let in_fragment = "{ ...F } fragment F on QueryRoot { node(id: \"\\u0000\") { id } }";
        assert_eq!(field_of(in_fragment, json!({})).as_deref(), Some("id"));
    }

    #[test]
    fn the_field_holding_a_string_is_found() {
        let q = "query($d: Date) { opportunities(filter: { closeDateTo: $d, search: \"x\" }) { totalCount } }";
        let doc = parse_query(q).unwrap();
        let vars = Variables::from_json(json!({ "d": "-9999-01-01" }));
        assert_eq!(
            field_holding(&doc, &vars, "-9999-01-01").as_deref(),
            Some("closeDateTo")
        );
        assert_eq!(field_holding(&doc, &vars, "x").as_deref(), Some("search"));
        assert_eq!(field_holding(&doc, &vars, "absent"), None);
    }
}
