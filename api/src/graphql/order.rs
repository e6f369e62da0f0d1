//! The answer's keys in the document's order, as GraphQL's execution specifies
//! (CollectFields: each response key where it first appears, fragments expanded in
//! place). async-graphql resolves an object's fields concurrently and inserts each as it
//! completes, so without this `owner` may come after `csm` on one run and before it on
//! the next. The one-statement planner writes its answers in order already.

use async_graphql::{
    Name, Positioned, Value, Variables,
    parser::types::{Directive, ExecutableDocument, Selection, SelectionSet},
};

/// Puts every object of `data` in the order of the selected operation's document.
pub fn reorder(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    data: &mut Value,
) {
    let Some(op) = super::document::operation(doc, operation_name) else {
        return;
    };
    let walk = Walk { doc, variables };
    walk.value(&[&op.node.selection_set.node], data);
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    variables: &'a Variables,
}

/// Response keys in order of first appearance, each with the selection sets of every
/// field under that key (merged, as execution merges them).
type Keys<'a> = Vec<(&'a str, Vec<&'a SelectionSet>)>;

impl<'a> Walk<'a> {
    fn value(&self, sets: &[&'a SelectionSet], value: &mut Value) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.value(sets, item);
                }
            }
            Value::Object(map) => {
                let mut keys: Keys<'a> = Vec::new();
                for set in sets {
                    self.collect(set, &mut keys);
                }
                let mut old = std::mem::take(map);
                for (key, subsets) in &keys {
                    if let Some(mut v) = old.shift_remove(*key) {
                        self.value(subsets, &mut v);
                        map.insert(Name::new(key), v);
                    }
                }
                // Nothing the document did not select should remain; keep it if it does.
                map.extend(old);
            }
            _ => {}
        }
    }

    fn collect(&self, set: &'a SelectionSet, keys: &mut Keys<'a>) {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => {
                    if self.skipped(&f.node.directives) {
                        continue;
                    }
                    let key = f.node.alias.as_ref().unwrap_or(&f.node.name).node.as_str();
                    let sub = &f.node.selection_set.node;
                    match keys.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, subs)) => subs.push(sub),
                        None => keys.push((key, vec![sub])),
                    }
                }
                Selection::InlineFragment(f) => {
                    if !self.skipped(&f.node.directives) {
                        self.collect(&f.node.selection_set.node, keys);
                    }
                }
                Selection::FragmentSpread(s) => {
                    let frag = self.doc.fragments.get(&s.node.fragment_name.node);
                    if let Some(frag) = frag.filter(|_| !self.skipped(&s.node.directives)) {
                        self.collect(&frag.node.selection_set.node, keys);
                    }
                }
            }
        }
    }

    /// `@skip(if: true)` or `@include(if: false)`, with variables put in.
    fn skipped(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().any(|d| {
            let on = d.node.get_argument("if").and_then(|v| {
                v.node
                    .clone()
                    .into_const_with(|n| self.variables.get(&n).cloned().ok_or(()))
                    .ok()
            });
            matches!(
                (d.node.name.node.as_str(), on),
                ("skip", Some(Value::Boolean(true))) | ("include", Some(Value::Boolean(false)))
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::value;

    use super::*;

    fn run(query: &str, vars: serde_json::Value, mut data: Value) -> String {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        reorder(&doc, None, &Variables::from_json(vars), &mut data);
        serde_json::to_string(&data).unwrap()
    }

    #[test]
    fn keys_follow_the_document_fragments_in_place() {
        let data = value!({
            "accounts": { "totalCount": 3, "pageInfo": { "hasNextPage": false },
                          "edges": [{ "node": { "csm": null, "owner": { "name": "A" }, "id": "1" } }] },
            "me": { "id": "u" },
        });
        let q = "{ me { id } accounts(first: 1) { edges { node { id ...F csm } } totalCount \
                 pageInfo { hasNextPage } } } fragment F on Account { owner { name } }";
        assert_eq!(
            run(q, serde_json::json!({}), data),
            r#"{"me":{"id":"u"},"accounts":{"edges":[{"node":{"id":"1","owner":{"name":"A"},"csm":null}}],"totalCount":3,"pageInfo":{"hasNextPage":false}}}"#
        );
    }

    #[test]
    fn skipped_fields_do_not_take_a_place() {
        let data = value!({ "b": 2, "a": 1 });
        let q = "query($s: Boolean!) { a @skip(if: $s) b a }";
        assert_eq!(
            run(q, serde_json::json!({ "s": true }), data),
            r#"{"b":2,"a":1}"#
        );
    }
}
