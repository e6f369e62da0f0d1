//! What a query may cost, decided before anything runs: one pure function of the
//! final document (after any persisted-query lookup), its variables and the limits.
//!
//! Fields are counted per use: fragments are expanded at every spread, so a fragment
//! of 10 aliases spread 10 times is 100 aliases. A connection (a field taking
//! `first`/`last`, or selecting `edges`/`nodes`) costs `1 + n × child cost`, where `n`
//! is the page it asks for, so nested connections multiply. Introspection fields
//! (`__schema`, `__type`, `__typename`) cost nothing and add no depth — GraphiQL's
//! standard introspection query passes the default limits — but they still count as
//! duplicated fields, which is what the "field duplication" probe sends.

use std::collections::HashMap;

use async_graphql::{
    Name, Positioned, Value, Variables,
    parser::types::{
        DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
    },
};

/// The page a connection is assumed to return when the query does not say.
pub const DEFAULT_PAGE: u64 = crate::services::page::DEFAULT_PAGE;
/// A larger page is refused by the connection itself, with an error naming `first`.
const MAX_PAGE: u64 = crate::services::page::MAX_PAGE;

/// Expanding fragments is bounded too: a chain of fragments that each spread the next
/// twice would otherwise make the walk itself exponential. `admit` refuses such a
/// document earlier (`document::inspect`); this holds for any other caller.
const MAX_VISITS: usize = super::document::MAX_EXPANDED_FIELDS as usize * 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLimits {
    /// Nesting of fields, introspection excluded.
    pub max_depth: usize,
    /// `first × child cost`, summed over the fields (and over a batch by the caller).
    pub max_complexity: u64,
    /// Aliases, counted at every use.
    pub max_aliases: usize,
    /// Fields selected at the root of one operation.
    pub max_root_fields: usize,
    /// Fields repeated under the same response key in one selection set.
    pub max_duplicate_fields: usize,
}

/// What one document costs; [`check`] compares it with the limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cost {
    pub depth: usize,
    pub complexity: u64,
    pub aliases: usize,
    pub root_fields: usize,
    pub duplicate_fields: usize,
}

/// A limit the document passes; the message names it and the allowed value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CostError(pub String);

/// The cost of the operation `operation_name` (every operation when `None`; the
/// highest of each measure), or the first limit it passes.
pub fn check(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    limits: &CostLimits,
) -> Result<Cost, CostError> {
    let cost = measure(doc, operation_name, variables)?;
    let checks = [
        (
            "nests fields to depth",
            cost.depth as u64,
            limits.max_depth as u64,
        ),
        (
            "selects root fields:",
            cost.root_fields as u64,
            limits.max_root_fields as u64,
        ),
        (
            "uses aliases:",
            cost.aliases as u64,
            limits.max_aliases as u64,
        ),
        (
            "repeats fields:",
            cost.duplicate_fields as u64,
            limits.max_duplicate_fields as u64,
        ),
        ("has complexity", cost.complexity, limits.max_complexity),
    ];
    for (what, got, max) in checks {
        if got > max {
            return Err(CostError(format!(
                "the query {what} {got}; at most {max} allowed"
            )));
        }
    }
    Ok(cost)
}

/// The cost of a document without judging it.
pub fn measure(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Result<Cost, CostError> {
    let ops: Vec<&Positioned<OperationDefinition>> = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => vec![op],
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .filter(|(k, _)| k.as_str() == name)
            .map(|(_, op)| op)
            .collect(),
        (DocumentOperations::Multiple(ops), None) => ops.values().collect(),
    };
    let mut total = Cost::default();
    for op in ops {
        let mut walk = Walk {
            doc,
            op: &op.node,
            variables,
            cost: Cost::default(),
            expanding: Vec::new(),
            visits: 0,
        };
        let mut keys = HashMap::new();
        let complexity = walk.set(&op.node.selection_set.node, 0, &mut keys, true)?;
        let c = walk.cost;
        total.depth = total.depth.max(c.depth);
        total.complexity = total.complexity.max(complexity);
        total.aliases = total.aliases.max(c.aliases);
        total.root_fields = total.root_fields.max(c.root_fields);
        total.duplicate_fields = total.duplicate_fields.max(c.duplicate_fields);
    }
    Ok(total)
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    op: &'a OperationDefinition,
    variables: &'a Variables,
    cost: Cost,
    /// Fragments being expanded, to stop at a cycle (validation refuses it later).
    expanding: Vec<&'a str>,
    visits: usize,
}

impl<'a> Walk<'a> {
    /// The complexity of a selection set; `keys` counts the response keys of the set
    /// it belongs to (fragments merge into their parent's set).
    fn set(
        &mut self,
        set: &'a SelectionSet,
        depth: usize,
        keys: &mut HashMap<&'a str, usize>,
        root: bool,
    ) -> Result<u64, CostError> {
        let mut total: u64 = 0;
        for sel in &set.items {
            self.visits += 1;
            if self.visits > MAX_VISITS {
                return Err(CostError(
                    "the query expands to too many fields".to_string(),
                ));
            }
            match &sel.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let key = f.alias.as_ref().unwrap_or(&f.name).node.as_str();
                    let seen = keys.entry(key).or_insert(0);
                    *seen += 1;
                    if *seen > 1 {
                        self.cost.duplicate_fields += 1;
                    }
                    if f.alias.is_some() {
                        self.cost.aliases += 1;
                    }
                    if f.name.node.starts_with("__") {
                        continue;
                    }
                    if root {
                        self.cost.root_fields += 1;
                    }
                    self.cost.depth = self.cost.depth.max(depth + 1);
                    let mut child_keys = HashMap::new();
                    let child =
                        self.set(&f.selection_set.node, depth + 1, &mut child_keys, false)?;
                    let page = f
                        .arguments
                        .iter()
                        .find(|(n, _)| n.node == "first" || n.node == "last")
                        .map(|(_, v)| {
                            v.node
                                .clone()
                                .into_const_with(|name| self.variable(&name).ok_or(()))
                                .ok()
                                .and_then(|c| match c {
                                    Value::Number(n) => n.as_u64(),
                                    _ => None,
                                })
                        });
                    let is_connection = page.is_some()
                        || f.selection_set.node.items.iter().any(|s| {
                            matches!(&s.node, Selection::Field(c)
                                if c.node.name.node == "edges" || c.node.name.node == "nodes")
                        });
                    let n = if is_connection {
                        page.flatten().unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE)
                    } else {
                        1
                    };
                    total = total.saturating_add(1u64.saturating_add(n.saturating_mul(child)));
                }
                Selection::InlineFragment(f) => {
                    total = total.saturating_add(self.set(
                        &f.node.selection_set.node,
                        depth,
                        keys,
                        root,
                    )?);
                }
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    if self.expanding.contains(&name) {
                        continue;
                    }
                    let Some(frag) = self.doc.fragments.get(&Name::new(name)) else {
                        continue;
                    };
                    self.expanding.push(name);
                    let c = self.set(&frag.node.selection_set.node, depth, keys, root);
                    self.expanding.pop();
                    total = total.saturating_add(c?);
                }
            }
        }
        Ok(total)
    }

    /// A variable's value in the request, else its default in the operation.
    fn variable(&self, name: &Name) -> Option<Value> {
        self.variables.get(name).cloned().or_else(|| {
            self.op
                .variable_definitions
                .iter()
                .find(|d| d.node.name.node == *name)
                .and_then(|d| d.node.default_value.as_ref().map(|d| d.node.clone()))
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn cost(q: &str) -> Cost {
        measure(&parse_query(q).unwrap(), None, &Variables::default()).unwrap()
    }

    #[test]
    fn connections_multiply_by_their_page() {
        let c = cost(
            "{ accounts(first: 50) { nodes { id opportunities(first: 10) { nodes { id name } } } } }",
        );
        // nodes(1 + 2) inside opportunities: 10 × 3; account node: id 1 + opps (1 + 30) + nodes 1.
        assert_eq!(c.complexity, 1 + 50 * (1 + 1 + (1 + 10 * (1 + 2))));
        let default_page = cost("{ accounts { nodes { id } } }");
        assert_eq!(default_page.complexity, 1 + DEFAULT_PAGE * 2);
    }

    #[test]
    fn page_sizes_come_from_variables_and_their_defaults() {
        let doc =
            parse_query("query($n: Int = 7) { accounts(first: $n) { nodes { id } } }").unwrap();
        let c = measure(&doc, None, &Variables::default()).unwrap();
        assert_eq!(c.complexity, 1 + 7 * 2);
        let vars = Variables::from_json(serde_json::json!({ "n": 40 }));
        assert_eq!(measure(&doc, None, &vars).unwrap().complexity, 1 + 40 * 2);
    }

    #[test]
    fn aliases_count_at_every_spread() {
        let c = cost("{ ...F ...F ...F } fragment F on QueryRoot { a: me { id } b: me { id } }");
        assert_eq!(c.aliases, 6);
        assert_eq!(c.root_fields, 6);
    }

    #[test]
    fn duplicated_fields_are_counted_introspection_too() {
        let many = format!("{{ {} }}", "__typename ".repeat(500));
        assert_eq!(cost(&many).duplicate_fields, 499);
        assert_eq!(cost(&many).complexity, 0);
    }

    #[test]
    fn introspection_adds_no_depth_or_complexity() {
        let nested = format!("{}name{}", "ofType { ".repeat(8), " }".repeat(8));
        let c = cost(&format!(
            "{{ __schema {{ types {{ fields {{ type {{ {nested} }} }} }} }} }}"
        ));
        assert_eq!(c, Cost::default());
    }

    #[test]
    fn fragment_cycles_and_blowups_end() {
        assert!(
            measure(
                &parse_query(
                    "{ ...A } fragment A on Q { ...B } fragment B on Q { ...A me { id } }"
                )
                .unwrap(),
                None,
                &Variables::default()
            )
            .is_ok()
        );
        let q = format!(
            "{{ ...F0 }} {}",
            super::super::document::fragment_chain(30, 2, "me { id }")
        );
        let err = measure(&parse_query(&q).unwrap(), None, &Variables::default()).unwrap_err();
        assert!(err.0.contains("too many"), "{err}");
    }

    #[test]
    fn check_names_the_limit() {
        let limits = CostLimits {
            max_depth: 3,
            max_complexity: 100,
            max_aliases: 2,
            max_root_fields: 2,
            max_duplicate_fields: 1,
        };
        let run = |q: &str| {
            check(
                &parse_query(q).unwrap(),
                None,
                &Variables::default(),
                &limits,
            )
        };
        assert!(run("{ me { id } }").is_ok());
        assert!(
            run("{ a { b { c { d } } } }")
                .unwrap_err()
                .0
                .contains("depth 4")
        );
        assert!(run("{ a b c }").unwrap_err().0.contains("root fields: 3"));
        assert!(
            run("{ me { a: id b: id c: id } }")
                .unwrap_err()
                .0
                .contains("aliases: 3")
        );
        assert!(
            run("{ me { id id id } }")
                .unwrap_err()
                .0
                .contains("repeats fields: 2")
        );
        assert!(
            run("{ accounts(first: 100) { nodes { id } } }")
                .unwrap_err()
                .0
                .contains("complexity 201")
        );
    }
}
