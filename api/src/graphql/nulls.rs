//! Errors null their field and propagate, as the GraphQL specification says.
//!
//! async-graphql 7.2 leaves an errored field's key out of `data` and never propagates
//! a null out of a non-null position, so clients saw missing keys (Apollo's "Missing
//! field") and types that lied. This step runs over a response that carries errors:
//! for every error path it writes `null` at the path and, while that position is
//! non-null in the schema, moves the null to the enclosing field or list item.

use std::{collections::HashMap, sync::OnceLock};

use async_graphql::{
    Name, PathSegment, Response, Value,
    parser::types::{
        BaseType, ExecutableDocument, OperationType, Selection, SelectionSet, Type, TypeKind,
        TypeSystemDefinition,
    },
};

/// Output types by name: their fields' types.
pub struct TypeMap {
    fields: HashMap<String, HashMap<String, Type>>,
}

impl TypeMap {
    pub fn from_sdl(sdl: &str) -> Option<TypeMap> {
        let doc = async_graphql::parser::parse_schema(sdl).ok()?;
        let mut fields = HashMap::new();
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let list = match &t.node.kind {
                TypeKind::Object(o) => &o.fields,
                TypeKind::Interface(i) => &i.fields,
                _ => continue,
            };
            let map = list
                .iter()
                .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                .collect();
            fields.insert(t.node.name.node.to_string(), map);
        }
        Some(TypeMap { fields })
    }

    /// The served schema's types, read once.
    pub fn served() -> Option<&'static TypeMap> {
        static MAP: OnceLock<Option<TypeMap>> = OnceLock::new();
        MAP.get_or_init(|| TypeMap::from_sdl(&super::export_sdl()))
            .as_ref()
    }

    fn field(&self, parent: &str, name: &str) -> Option<&Type> {
        self.fields.get(parent)?.get(name)
    }
}

/// Where a response key leads: the field's name, the selection sets below it, and the
/// type conditions it was found under (an interface's field may be on an object only).
struct Found<'a> {
    name: &'a str,
    sets: Vec<&'a SelectionSet>,
    conditions: Vec<&'a str>,
}

fn collect<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    key: &str,
    condition: Option<&'a str>,
    found: &mut Option<Found<'a>>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => {
                let f = &f.node;
                if f.response_key().node.as_str() != key {
                    continue;
                }
                let entry = found.get_or_insert_with(|| Found {
                    name: f.name.node.as_str(),
                    sets: Vec::new(),
                    conditions: Vec::new(),
                });
                entry.sets.push(&f.selection_set.node);
                if let Some(c) = condition {
                    entry.conditions.push(c);
                }
            }
            Selection::InlineFragment(frag) => {
                let c = frag
                    .node
                    .type_condition
                    .as_ref()
                    .map(|t| t.node.on.node.as_str())
                    .or(condition);
                collect(doc, &frag.node.selection_set.node, key, c, found, depth + 1);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(frag) = doc.fragments.get(&spread.node.fragment_name.node) {
                    let c = Some(frag.node.type_condition.node.on.node.as_str());
                    collect(doc, &frag.node.selection_set.node, key, c, found, depth + 1);
                }
            }
        }
    }
}

fn named(ty: &Type) -> Option<&str> {
    match &ty.base {
        BaseType::Named(n) => Some(n.as_str()),
        BaseType::List(inner) => named(inner),
    }
}

/// For each segment of `path`, whether the value there may be null; `None` when the
/// path cannot be followed through the document and the schema.
fn nullability(
    types: &TypeMap,
    doc: &ExecutableDocument,
    root: &str,
    root_set: &SelectionSet,
    path: &[PathSegment],
) -> Option<Vec<bool>> {
    let mut out = Vec::with_capacity(path.len());
    let mut parent = root.to_string();
    let mut sets = vec![root_set];
    // The type at the current position while walking into lists.
    let mut current: Option<Type> = None;
    for seg in path {
        match seg {
            PathSegment::Field(key) => {
                let mut found = None;
                for set in &sets {
                    collect(doc, set, key, None, &mut found, 0);
                }
                let found = found?;
                let ty = types.field(&parent, found.name).or_else(|| {
                    found
                        .conditions
                        .iter()
                        .find_map(|c| types.field(c, found.name))
                })?;
                out.push(ty.nullable);
                parent = named(ty)?.to_string();
                sets = found.sets;
                current = Some(ty.clone());
            }
            PathSegment::Index(_) => {
                let BaseType::List(item) = &current.as_ref()?.base else {
                    return None;
                };
                out.push(item.nullable);
                current = Some((**item).clone());
            }
        }
    }
    Some(out)
}

fn at<'v>(data: &'v mut Value, path: &[PathSegment]) -> Option<&'v mut Value> {
    let mut v = data;
    for seg in path {
        v = match (seg, v) {
            (PathSegment::Field(k), Value::Object(map)) => map.get_mut(k.as_str())?,
            (PathSegment::Index(i), Value::List(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Writes `null` at `path` (inserting an absent key), and returns whether it could.
fn set_null(data: &mut Value, path: &[PathSegment]) -> bool {
    let Some((last, parent)) = path.split_last() else {
        *data = Value::Null;
        return true;
    };
    match (last, at(data, parent)) {
        (PathSegment::Field(k), Some(Value::Object(map))) => {
            map.insert(Name::new(k), Value::Null);
            true
        }
        (PathSegment::Index(i), Some(Value::List(items))) if *i < items.len() => {
            items[*i] = Value::Null;
            true
        }
        _ => false,
    }
}

/// Applies the specification's null propagation to every error of `response`.
pub fn propagate(
    types: &TypeMap,
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    response: &mut Response,
) {
    if response.errors.is_empty() {
        return;
    }
    if response.data == Value::Null {
        // async-graphql leaves out a field whose resolver failed and answers `null` when
        // no field is left; it ran when an error has a path, and then the fields get
        // their nulls like any other (a request refused before execution has none).
        if response.errors.iter().all(|e| e.path.is_empty()) {
            return;
        }
        response.data = Value::Object(Default::default());
    }
    let Some(op) = super::document::operation(doc, operation_name) else {
        return;
    };
    let root = match op.node.ty {
        OperationType::Query => "Query",
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
    };
    let paths: Vec<Vec<PathSegment>> = response
        .errors
        .iter()
        .filter(|e| !e.path.is_empty())
        .map(|e| e.path.clone())
        .collect();
    for path in paths {
        let Some(nullable) = nullability(types, doc, root, &op.node.selection_set.node, &path)
        else {
            // Not followable (should not happen): at least never leave the key out.
            set_null(&mut response.data, &path);
            continue;
        };
        let mut end = path.len();
        if !set_null(&mut response.data, &path[..end]) {
            continue; // an enclosing value is null already
        }
        // A null in a non-null position nulls the enclosing position instead.
        while end > 0 && !nullable[end - 1] {
            end -= 1;
            set_null(&mut response.data, &path[..end]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{ServerError, value};

    const SDL: &str = "
        type Query { me: User!, node(id: ID!): Node, list: [User!], users: UserConn! }
        interface Node { id: ID! }
        type User implements Node { id: ID!, name: String!, arr: Int!, note: String, manager: User }
        type UserConn { edges: [User!]! }
    ";

    fn run(query: &str, data: Value, paths: &[&[PathSegment]]) -> Value {
        let types = TypeMap::from_sdl(SDL).unwrap();
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let mut resp = Response::new(data);
        for p in paths {
            let mut e = ServerError::new("boom", None);
            e.path = p.to_vec();
            resp.errors.push(e);
        }
        propagate(&types, &doc, None, &mut resp);
        resp.data
    }

    fn f(s: &str) -> PathSegment {
        PathSegment::Field(s.to_string())
    }

    #[test]
    fn a_lone_failed_root_field_gets_its_null_and_a_non_null_one_nulls_data() {
        let data = run("{ node(id: 1) { id } }", Value::Null, &[&[f("node")]]);
        assert_eq!(data, value!({ "node": null }));
        let data = run("{ me { id } }", Value::Null, &[&[f("me")]]);
        assert_eq!(data, Value::Null);
    }

    #[test]
    fn a_nullable_field_gets_its_null() {
        let data = run(
            "{ me { id note } }",
            value!({ "me": { "id": "1" } }),
            &[&[f("me"), f("note")]],
        );
        assert_eq!(data, value!({ "me": { "id": "1", "note": null } }));
    }

    #[test]
    fn a_non_null_field_nulls_its_parent_up_to_a_nullable_one() {
        // me.manager.arr is non-null; manager is nullable: manager becomes null.
        let data = run(
            "{ me { id boss: manager { arr } } }",
            value!({ "me": { "id": "1", "boss": {} } }),
            &[&[f("me"), f("boss"), f("arr")]],
        );
        assert_eq!(data, value!({ "me": { "id": "1", "boss": null } }));
        // me is non-null at the root: the whole data becomes null.
        let data = run(
            "{ me { arr } }",
            value!({ "me": {} }),
            &[&[f("me"), f("arr")]],
        );
        assert_eq!(data, Value::Null);
    }

    #[test]
    fn list_items_and_fragments_propagate() {
        // list: [User!] — a null item nulls the (nullable) list.
        let data = run(
            "{ list { ...F } } fragment F on User { arr }",
            value!({ "list": [{ "arr": 1 }, {}] }),
            &[&[f("list"), PathSegment::Index(1), f("arr")]],
        );
        assert_eq!(data, value!({ "list": null }));
        // Through an inline fragment on an interface.
        let data = run(
            "{ node(id: 1) { ... on User { arr } } }",
            value!({ "node": {} }),
            &[&[f("node"), f("arr")]],
        );
        assert_eq!(data, value!({ "node": null }));
    }
}
