//! Facts about a whole document, found in work linear in its size, before anything
//! walks it with fragments expanded.
//!
//! async-graphql's validation visits every operation and every fragment definition
//! with each spread expanded in place, whichever operation the request selects; a
//! chain of fragments that each spread the next twice makes that walk exponential.
//! [`inspect`] computes the same expanded size with each fragment's size memoised
//! (one pass over each fragment body, sizes summed in dependency order, no recursion
//! along fragment chains) and stops counting at the budget, so a document is refused
//! here for what the library's walk would cost, before the library starts it.

use std::collections::HashMap;

use async_graphql::{
    Positioned,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
    },
};

/// Fields a whole document may hold once every fragment spread is expanded, summed over
/// its operations and its fragment definitions (each is validated on its own). A large
/// frontend query is a few hundred; GraphiQL's introspection query about 150.
pub const MAX_EXPANDED_FIELDS: u64 = 10_000;
/// How deep fields and fragment spreads may nest, each spread counting as a level: every
/// walk that expands spreads (ours and the library's) recurses that deep. GraphiQL's
/// introspection query nests 13.
pub const MAX_NESTING: u64 = 64;

/// What [`inspect`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    pub operations: usize,
    /// Fields once spreads are expanded, summed over operations and fragment
    /// definitions; saturates just past the budget.
    pub expanded_fields: u64,
    /// The deepest nesting of fields and spreads, each spread a level; saturates just
    /// past the budget.
    pub nesting: u64,
    /// Whether any selection names `__schema` or `__type`.
    pub introspection: bool,
    /// Selection nodes and fragment edges this inspection visited: linear in the
    /// document, whatever its fragments expand to.
    pub work: u64,
}

/// The body of an operation or fragment: its own fields, and the fragments it spreads
/// (once per spread).
#[derive(Default)]
struct Body<'a> {
    fields: u64,
    /// Each spread with the nesting level it stands at.
    spreads: Vec<(&'a str, u64)>,
    /// The deepest field level, spreads not followed.
    depth: u64,
}

/// A fragment's expanded size and nesting.
#[derive(Clone, Copy, Default)]
struct Expanded {
    size: u64,
    nesting: u64,
}

/// Inspects `doc`, counting expanded fields up to `budget` (past it the count stops
/// just above the budget).
pub fn inspect(doc: &ExecutableDocument, budget: u64) -> Shape {
    let mut shape = Shape {
        operations: doc.operations.iter().count(),
        ..Shape::default()
    };
    let mut fragments: HashMap<&str, Body> = HashMap::with_capacity(doc.fragments.len());
    for (name, frag) in &doc.fragments {
        let mut body = Body::default();
        collect(&frag.node.selection_set.node, 0, &mut body, &mut shape);
        fragments.insert(name.as_str(), body);
    }
    let expanded = expand_fragments(&fragments, budget, &mut shape.work);
    let cap = budget.saturating_add(1);
    let mut total: u64 = 0;
    for e in expanded.values() {
        total = total.saturating_add(e.size);
        shape.nesting = shape.nesting.max(e.nesting);
    }
    for (_, op) in doc.operations.iter() {
        if total > budget {
            break;
        }
        let mut body = Body::default();
        collect(&op.node.selection_set.node, 0, &mut body, &mut shape);
        let e = expand(&body, &expanded, cap);
        total = total.saturating_add(e.size);
        shape.nesting = shape.nesting.max(e.nesting);
    }
    shape.expanded_fields = total.min(cap);
    shape
}

/// A body's size and nesting with its spreads' fragments expanded (`known` holds them).
fn expand(body: &Body, known: &HashMap<&str, Expanded>, cap: u64) -> Expanded {
    let mut e = Expanded {
        size: body.fields,
        nesting: body.depth,
    };
    for (name, level) in &body.spreads {
        let f = known.get(name).copied().unwrap_or_default();
        e.size = e.size.saturating_add(f.size);
        e.nesting = e
            .nesting
            .max(level.saturating_add(1).saturating_add(f.nesting));
    }
    e.size = e.size.min(cap);
    e.nesting = e.nesting.min(cap);
    e
}

/// Counts the fields of a selection set (nested sets included, spreads not expanded).
/// Its recursion follows the document's own nesting, which the parser bounds.
fn collect<'a>(set: &'a SelectionSet, level: u64, body: &mut Body<'a>, shape: &mut Shape) {
    for sel in &set.items {
        shape.work += 1;
        match &sel.node {
            Selection::Field(f) => {
                body.fields += 1;
                body.depth = body.depth.max(level + 1);
                let name = f.node.name.node.as_str();
                shape.introspection |= name == "__schema" || name == "__type";
                collect(&f.node.selection_set.node, level + 1, body, shape);
            }
            Selection::InlineFragment(f) => {
                collect(&f.node.selection_set.node, level, body, shape);
            }
            Selection::FragmentSpread(s) => {
                body.spreads
                    .push((s.node.fragment_name.node.as_str(), level));
            }
        }
    }
}

/// Each fragment's expanded size and nesting, capped just past `budget`, computed with an
/// explicit stack (a chain of thousands of fragments must not recurse). A spread of an
/// unknown fragment or one that closes a cycle counts nothing: validation refuses both.
fn expand_fragments<'a>(
    fragments: &HashMap<&'a str, Body<'a>>,
    budget: u64,
    work: &mut u64,
) -> HashMap<&'a str, Expanded> {
    let cap = budget.saturating_add(1);
    let mut sizes: HashMap<&str, Expanded> = HashMap::with_capacity(fragments.len());
    let mut open: std::collections::HashSet<&str> = Default::default();
    for &root in fragments.keys() {
        if sizes.contains_key(root) {
            continue;
        }
        // (fragment, next spread to look at)
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        open.insert(root);
        while let Some((name, next)) = stack.last_mut() {
            let body = &fragments[*name];
            if let Some(&(child, _)) = body.spreads.get(*next) {
                *next += 1;
                *work += 1;
                if fragments.contains_key(child) && !sizes.contains_key(child) && open.insert(child)
                {
                    stack.push((child, 0));
                }
                continue;
            }
            let e = expand(body, &sizes, cap);
            let name = *name;
            open.remove(name);
            sizes.insert(name, e);
            stack.pop();
        }
    }
    sizes
}

/// The operation a request runs, as GraphQL's GetOperation selects it: the one named,
/// or the document's only one.
pub fn operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    }
}

/// Names (fields, aliases, arguments, types, keywords) a document's text may hold
/// before it is parsed at all: parsing costs about a microsecond a name, and a document
/// of this many names is well past what [`MAX_EXPANDED_FIELDS`] admits anyway.
pub const MAX_NAMES: usize = 3 * MAX_EXPANDED_FIELDS as usize;

/// What a scan of a document's text finds, before any parsing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lexed {
    /// Name tokens outside strings and comments.
    pub names: usize,
    /// Operations: top-level selection sets less fragment definitions. Never more than
    /// the document really holds (a valid document may count fewer).
    pub operations: usize,
}

/// Scans `text` once, byte by byte: strings, block strings and comments are skipped,
/// names counted, and top-level selection sets and `fragment` keywords (outside any
/// braces or parentheses) counted to find the operations.
pub fn lex(text: &str) -> Lexed {
    let b = text.as_bytes();
    let (mut i, mut braces, mut parens) = (0usize, 0usize, 0usize);
    let (mut names, mut sets, mut fragments) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += if b[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                names += 1;
                if braces == 0 && parens == 0 && &b[start..i] == b"fragment" {
                    fragments += 1;
                }
                continue;
            }
            b'{' => {
                if braces == 0 && parens == 0 {
                    sets += 1;
                }
                braces += 1;
            }
            b'}' => braces = braces.saturating_sub(1),
            b'(' => parens += 1,
            b')' => parens = parens.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Lexed {
        names,
        operations: sets.saturating_sub(fragments),
    }
}

/// Fragment definitions `F0` … `F{levels}` on `Query`, each spreading the next `fan`
/// times and the last ending in `last`: the chains hostile documents are made of.
#[cfg(test)]
pub(crate) fn fragment_chain(levels: usize, fan: usize, last: &str) -> String {
    let mut out = String::new();
    for i in 0..levels {
        let spreads = format!("...F{} ", i + 1).repeat(fan);
        out.push_str(&format!("fragment F{i} on Query {{ {spreads}}} "));
    }
    out.push_str(&format!("fragment F{levels} on Query {{ {last} }}"));
    out
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn shape(q: &str) -> Shape {
        inspect(&parse_query(q).unwrap(), MAX_EXPANDED_FIELDS)
    }

    #[test]
    fn counts_fields_with_spreads_expanded() {
        let s = shape("{ me { id name } ...F ...F } fragment F on Query { users { id } }");
        // Operation: me, id, name + 2 × 2; fragment definition: 2.
        assert_eq!(s.expanded_fields, 3 + 4 + 2);
        assert_eq!(s.operations, 1);
        assert!(!s.introspection);
    }

    #[test]
    fn an_exponential_fragment_chain_is_measured_in_linear_work() {
        let s = shape(&format!(
            "{{ ...F0 }} {}",
            fragment_chain(60, 2, "__typename")
        ));
        assert_eq!(s.expanded_fields, MAX_EXPANDED_FIELDS + 1);
        // 61 bodies of 2 spreads: each selection and each spread edge visited once.
        assert!(s.work <= 2 * 61 * 2 + 1, "work {}", s.work);
    }

    #[test]
    fn a_long_chain_does_not_recurse_and_cycles_end() {
        let s = shape(&format!(
            "{{ ...F0 }} {}",
            fragment_chain(20_000, 1, "...F0")
        ));
        assert_eq!(s.expanded_fields, 0);
        assert!(s.work < 100_000, "work {}", s.work);
    }

    #[test]
    fn nesting_counts_fields_and_spreads() {
        let s = shape("{ me { manager { ...F } } } fragment F on User { manager { id } }");
        // me, manager, the spread, manager, id.
        assert_eq!(s.nesting, 5);
        let s = shape(&format!(
            "{{ ...F0 }} {}",
            fragment_chain(5_000, 1, "__typename")
        ));
        assert!(s.nesting > MAX_NESTING, "{s:?}");
        assert!(s.expanded_fields <= MAX_EXPANDED_FIELDS, "{s:?}");
    }

    #[test]
    fn introspection_is_found_anywhere() {
        assert!(
            shape("{ ...F } fragment F on Query { __schema { types { name } } }").introspection
        );
        assert!(shape("{ a: __type(name: \"User\") { name } }").introspection);
        assert!(!shape("{ __typename me { __typename } }").introspection);
    }

    #[test]
    fn the_text_scan_counts_names_and_operations_outside_strings() {
        let l = lex(
            "query A($f: F = { a: 1 }) @d(x: { y: 2 }) { me { id } } fragment F on Query { me { name } } { __typename }",
        );
        assert_eq!(l.operations, 2);
        let l = lex(r#"{ a(s: "x y { z", b: """ q { r \""" } """) # c { d
            }"#);
        assert_eq!((l.names, l.operations), (3, 1));
        let q: String = (0..40)
            .map(|i| format!("query a{i} {{ me {{ id }} }} "))
            .collect();
        let parsed = inspect(&parse_query(&q).unwrap(), MAX_EXPANDED_FIELDS);
        assert_eq!(lex(&q).operations, parsed.operations);
        // A fragment or operation named `fragment` counts fewer operations, never more.
        assert_eq!(lex("query fragment { me { id } }").operations, 0);
    }

    #[test]
    fn many_operations_are_counted() {
        let q: String = (0..50)
            .map(|i| format!("query a{i} {{ me {{ id }} }} "))
            .collect();
        let s = shape(&q);
        assert_eq!(s.operations, 50);
        assert_eq!(s.expanded_fields, 100);
    }
}
