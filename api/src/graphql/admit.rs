//! The one gate every request passes before it runs, whatever its transport (HTTP POST,
//! GET, a WebSocket `subscribe`): persisted-document resolution (the trusted-documents
//! allowlist included), then checks ordered from cheapest to dearest, each bounded by
//! the document's size — which operation runs, how far its fragments expand,
//! introspection when it is off, cost, and the strings it carries.

use async_graphql::{Request, parser::types::ExecutableDocument};

use super::{cost, document, edge, schema};
use crate::{error::AppError, state::AppState};

/// A request that may run, with its document parsed once for execution to reuse.
pub struct Admitted {
    /// `None` when the text does not parse: execution reports the syntax error.
    pub doc: Option<ExecutableDocument>,
    /// The selected operation's complexity, for a batch's sum.
    pub complexity: u64,
}

/// Resolves `request`'s document and admits it, or says why it may not run. Refusals
/// are request errors: nothing has executed.
pub fn admit(state: &AppState, request: &mut Request) -> Result<Admitted, AppError> {
    state.persisted.resolve(request)?;
    // Parsing costs about a microsecond a name: what the text alone shows is refused
    // before it.
    let lexed = document::lex(&request.query);
    if lexed.operations > 1 && request.operation_name.is_none() {
        return Err(unnamed(lexed.operations));
    }
    if lexed.names > document::MAX_NAMES {
        return Err(AppError::TooExpensive(format!(
            "the document holds more than {} names (fields, aliases, arguments, types)",
            document::MAX_NAMES
        )));
    }
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return Ok(Admitted {
            doc: None,
            complexity: 0,
        });
    };
    let complexity = check(
        &doc,
        request,
        &schema::cost_limits(&state.config.limits),
        state.config.introspection,
    )?;
    Ok(Admitted {
        doc: Some(doc),
        complexity,
    })
}

/// Every check of a parsed document, cheapest first; the complexity when it passes.
pub fn check(
    doc: &ExecutableDocument,
    request: &Request,
    limits: &cost::CostLimits,
    introspection: bool,
) -> Result<u64, AppError> {
    let operations = doc.operations.iter().count();
    if operations > 1 && request.operation_name.is_none() {
        return Err(unnamed(operations));
    }
    let shape = document::inspect(doc, document::MAX_EXPANDED_FIELDS);
    if shape.expanded_fields > document::MAX_EXPANDED_FIELDS {
        return Err(AppError::TooExpensive(format!(
            "the document expands to more than {} fields (operations and fragments, with \
             every spread expanded)",
            document::MAX_EXPANDED_FIELDS
        )));
    }
    if shape.nesting > document::MAX_NESTING {
        return Err(AppError::TooExpensive(format!(
            "the document nests fields and fragment spreads deeper than {}",
            document::MAX_NESTING
        )));
    }
    if shape.introspection && !introspection {
        return Err(AppError::Forbidden("introspection is disabled".into()));
    }
    let cost = cost::check(
        doc,
        request.operation_name.as_deref(),
        &request.variables,
        limits,
    )
    .map_err(|e| AppError::TooExpensive(e.0))?;
    edge::check_input(doc, &request.variables)?;
    Ok(cost.complexity)
}

/// A document of several operations sent without `operationName` (GraphQL's
/// GetOperation has no answer for it).
fn unnamed(operations: usize) -> AppError {
    AppError::bad_input(
        "operationName",
        format!("the document holds {operations} operations; name the one to run"),
    )
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn limits() -> cost::CostLimits {
        cost::CostLimits {
            max_depth: 12,
            max_complexity: 50_000,
            max_aliases: 30,
            max_root_fields: 20,
            max_duplicate_fields: 20,
        }
    }

    fn run(q: &str, name: Option<&str>, introspection: bool) -> Result<u64, AppError> {
        let mut r = Request::new(q);
        if let Some(n) = name {
            r = r.operation_name(n);
        }
        check(&parse_query(q).unwrap(), &r, &limits(), introspection)
    }

    #[test]
    fn several_operations_need_a_name() {
        let q = "query A { me { id } } query B { me { name } }";
        let e = run(q, None, true).unwrap_err();
        assert_eq!(e.code(), "BAD_USER_INPUT");
        assert!(e.to_string().contains("2 operations"), "{e}");
        assert!(run(q, Some("B"), true).is_ok());
    }

    #[test]
    fn a_cheap_operation_beside_expensive_ones_is_refused() {
        let mut q = String::from("query cheap { __typename } ");
        for i in 0..20 {
            q.push_str(&format!("query a{i} {{ ...F0 }} "));
        }
        q.push_str(&document::fragment_chain(15, 2, "__typename"));
        let e = run(&q, Some("cheap"), true).unwrap_err();
        assert!(e.to_string().contains("expands to more than"), "{e}");
    }

    #[test]
    fn introspection_is_refused_when_off_but_typename_passes() {
        let e = run("{ __schema { queryType { name } } }", None, false).unwrap_err();
        assert_eq!(e.code(), "FORBIDDEN");
        assert_eq!(e.to_string(), "introspection is disabled");
        assert!(run("{ __type(name: \"User\") { name } }", None, false).is_err());
        assert!(run("{ __typename }", None, false).is_ok());
        assert!(run("{ __schema { queryType { name } } }", None, true).is_ok());
    }
}
