//! Reads answered by one SQL statement (PostgreSQL and SQLite): the documents this module can plan
//! — lists of accounts and opportunities in their default order, their rows' stored
//! fields, the users and accounts they point to, an account's opportunities — run as
//! `services::compiled_read` builds them, instead of through the resolvers, their
//! loaders and one Rust object per field. Anything else in a document (another field,
//! an argument, a fragment, a directive, a bad value) leaves the whole document to the
//! resolvers, which answer the same data and report any error.
//!
//! A planned request still goes through async-graphql's parsing, validation and
//! variable coercion, on a copy of the schema that carries `CompiledReads`: its
//! `execute` hook answers from the statement. That schema serves only planned requests,
//! so no other request pays for an extension (any extension sends every field down
//! async-graphql's slower path).

use std::sync::{Arc, Mutex};

use async_graphql::{
    Name, Positioned, Response, Value as ConstValue, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute},
    parser::types::{
        BaseType, DocumentOperations, ExecutableDocument, Field as GqlField, OperationType,
        Selection, SelectionSet, Type,
    },
};

use super::context::RequestData;
use crate::{
    services::{
        compiled_read::{
            self, Conn, ConnField, EdgeField, Field, MAX_KEYS, Obj, PageInfoField, Plan, Scalar,
            Table,
        },
        page::{Cursor, DEFAULT_PAGE, MAX_PAGE},
    },
    state::AppState,
};

/// What a field of a planned type reads.
#[derive(Clone, Copy)]
enum Spec {
    Scalar(Scalar),
    ToOne(Table, &'static str),
    Children(Table),
}

/// What `field` of `table`'s type reads, from the read model, as far as the planner
/// answers it: stored columns as stored, money and dates (not instants yet), to-one
/// relations and nested lists between the planned tables; a user's relations to users
/// stay with the resolvers.
fn spec(table: Table, field: &str) -> Option<Spec> {
    use crate::read::{Encoding, Field as Declared};
    Some(match table.model().field(field)? {
        Declared::Id => Spec::Scalar(Scalar::GlobalId),
        Declared::Stored { column, encoding } => Spec::Scalar(match encoding {
            Encoding::Plain => Scalar::Column(column),
            Encoding::Money => Scalar::Money(column),
            Encoding::Date => Scalar::Date(column),
            Encoding::Instant => return None,
        }),
        Declared::ToOne { target, key } if table != Table::Users => {
            Spec::ToOne(Table::of(target)?, key)
        }
        Declared::Children { target } => Spec::Children(Table::of(target)?),
        Declared::ToOne { .. } | Declared::Derived { .. } => return None,
    })
}

/// The root lists that can be planned.
fn root(field: &str) -> Option<Table> {
    match field {
        "accounts" => Some(Table::Accounts),
        "opportunities" => Some(Table::Opportunities),
        _ => None,
    }
}

/// The plan of a request's document, or `None` when any part of it is not plannable.
/// `max_fields` is the request's field budget: a plan whose largest possible answer
/// could exceed it is left to the resolvers, which enforce the budget as rows arrive.
pub fn plan(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    max_fields: usize,
) -> Option<Plan> {
    if !doc.fragments.is_empty() {
        return None;
    }
    let op = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), None) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name)?,
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next()?,
        _ => return None,
    };
    let op = &op.node;
    if op.ty != OperationType::Query || !op.directives.is_empty() {
        return None;
    }
    let vars = Vars {
        defs: &op.variable_definitions,
        values: variables,
    };
    let mut roots = Vec::new();
    let mut size = 0usize;
    for (key, field) in fields(&op.selection_set.node)? {
        let table = root(&field.name.node)?;
        let (conn, n) = connection(table, field, &vars)?;
        size = size.checked_add(n)?;
        roots.push((key, conn));
    }
    let plan = Plan { roots };
    // A flat list stays with the resolvers (two statements, rows decoded as they are):
    // planned, its page of 100 cost the server 0.80 ms instead of 1.07 but PostgreSQL
    // 0.83 instead of 0.51 (building the JSON), and the database is the part that does
    // not scale out (bench/results/read-path-flat-page-planned-100k.txt).
    (plan.nests() && size <= max_fields).then_some(plan)
}

/// The request's variables, typed by the operation's definitions.
struct Vars<'a> {
    defs: &'a [Positioned<async_graphql::parser::types::VariableDefinition>],
    values: &'a Variables,
}

impl Vars<'_> {
    /// The value of `field`'s argument `name` (`null` when absent), its variables
    /// resolved; `None` when a variable is not declared as `expected`.
    fn argument(&self, field: &GqlField, name: &str, expected: &str) -> Option<ConstValue> {
        match field.get_argument(name) {
            None => Some(ConstValue::Null),
            Some(v) => v
                .node
                .clone()
                .into_const_with(|n| self.lookup(n, expected))
                .ok(),
        }
    }

    /// The value of variable `name`; `Err` when its declared type is not `expected`
    /// (validation would refuse it, or coerce it in a way not planned for).
    fn lookup(&self, name: Name, expected: &str) -> Result<ConstValue, ()> {
        let def = self
            .defs
            .iter()
            .find(|d| d.node.name.node == name)
            .ok_or(())?;
        let named = |t: &Type| matches!(&t.base, BaseType::Named(n) if n.as_str() == expected);
        if !named(&def.node.var_type.node) || !def.node.directives.is_empty() {
            return Err(());
        }
        Ok(match self.values.get(&name) {
            Some(v) => v.clone(),
            None => def
                .node
                .default_value
                .as_ref()
                .map_or(ConstValue::Null, |d| d.node.clone()),
        })
    }
}

/// The fields of a selection set under their response keys: `None` if it holds a
/// fragment, a directive, an introspection field other than `__typename`, or the same
/// key twice.
fn fields(set: &SelectionSet) -> Option<Vec<(String, &GqlField)>> {
    let mut out: Vec<(String, &GqlField)> = Vec::with_capacity(set.items.len());
    for item in &set.items {
        let Selection::Field(f) = &item.node else {
            return None;
        };
        let f = &f.node;
        let key = f.response_key().node.to_string();
        if !f.directives.is_empty()
            || (f.name.node.starts_with("__") && f.name.node != "__typename")
            || out.iter().any(|(k, _)| *k == key)
        {
            return None;
        }
        out.push((key, f));
    }
    (!out.is_empty() && out.len() <= MAX_KEYS).then_some(out)
}

/// A connection field's plan and the most response fields it can produce.
fn connection(table: Table, field: &GqlField, vars: &Vars<'_>) -> Option<(Conn, usize)> {
    let mut first = DEFAULT_PAGE;
    let mut after = None;
    if field
        .arguments
        .iter()
        .any(|(name, _)| !matches!(name.node.as_str(), "first" | "after"))
    {
        return None;
    }
    match vars.argument(field, "first", "Int")? {
        ConstValue::Null => {}
        ConstValue::Number(n) => {
            first = u64::try_from(n.as_i64()?).ok()?;
            if first > MAX_PAGE {
                return None;
            }
        }
        _ => return None,
    }
    match vars.argument(field, "after", "String")? {
        ConstValue::Null => {}
        ConstValue::String(raw) => {
            let key = table.sort_key();
            after = Some(
                Cursor::decode(&raw, "after")
                    .and_then(|c| c.check(&key, "after"))
                    .ok()?,
            );
        }
        _ => return None,
    }
    let rows = usize::try_from(first).ok()?;
    let mut size = 0usize;
    let mut out = Vec::new();
    for (key, f) in fields(&field.selection_set.node)? {
        let planned = match f.name.node.as_str() {
            "edges" if f.arguments.is_empty() => {
                let mut edge = Vec::new();
                let mut per_row = 1usize;
                for (k, e) in fields(&f.selection_set.node)? {
                    match e.name.node.as_str() {
                        "cursor" if leaf(e) => edge.push((k, EdgeField::Cursor)),
                        "__typename" if leaf(e) => edge.push((k, EdgeField::Typename)),
                        "node" if e.arguments.is_empty() => {
                            let (obj, n) = object(table, e, vars)?;
                            per_row = per_row.checked_add(n)?;
                            edge.push((k, EdgeField::Node(obj)));
                        }
                        _ => return None,
                    }
                    per_row = per_row.checked_add(1)?;
                }
                size = size.checked_add(rows.checked_mul(per_row)?)?;
                ConnField::Edges(edge)
            }
            "nodes" if f.arguments.is_empty() => {
                let (obj, n) = object(table, f, vars)?;
                size = size.checked_add(rows.checked_mul(n.checked_add(1)?)?)?;
                ConnField::Nodes(obj)
            }
            "pageInfo" if f.arguments.is_empty() => {
                let mut info = Vec::new();
                for (k, p) in fields(&f.selection_set.node)? {
                    if !leaf(p) {
                        return None;
                    }
                    info.push((
                        k,
                        match p.name.node.as_str() {
                            "hasNextPage" => PageInfoField::HasNextPage,
                            "hasPreviousPage" => PageInfoField::HasPreviousPage,
                            "startCursor" => PageInfoField::StartCursor,
                            "endCursor" => PageInfoField::EndCursor,
                            "__typename" => PageInfoField::Typename,
                            _ => return None,
                        },
                    ));
                }
                size = size.checked_add(info.len() + 1)?;
                ConnField::PageInfo(info)
            }
            "__typename" if leaf(f) => ConnField::Typename,
            _ => return None,
        };
        size = size.checked_add(1)?;
        out.push((key, planned));
    }
    // One row selection per connection: each row is one record in the statement.
    let rows_selected = out
        .iter()
        .map(|(_, f)| match f {
            ConnField::Edges(edge) => edge
                .iter()
                .filter(|(_, e)| matches!(e, EdgeField::Node(_)))
                .count(),
            ConnField::Nodes(_) => 1,
            ConnField::PageInfo(_) | ConnField::Typename => 0,
        })
        .sum::<usize>();
    if rows_selected > 1 {
        return None;
    }
    Some((
        Conn {
            table,
            first,
            after,
            fields: out,
        },
        size,
    ))
}

/// A field without arguments or a selection of its own.
fn leaf(f: &GqlField) -> bool {
    f.arguments.is_empty() && f.selection_set.node.items.is_empty()
}

/// An object's plan (the selection under `field`) and the most fields it can produce.
fn object(table: Table, field: &GqlField, vars: &Vars<'_>) -> Option<(Obj, usize)> {
    let mut out = Vec::new();
    let mut size = 0usize;
    for (key, f) in fields(&field.selection_set.node)? {
        if f.name.node == "__typename" {
            if !leaf(f) {
                return None;
            }
            size = size.checked_add(1)?;
            out.push((key, Field::Typename));
            continue;
        }
        let planned = match spec(table, &f.name.node)? {
            Spec::Scalar(s) if leaf(f) => {
                size = size.checked_add(1)?;
                Field::Scalar(s)
            }
            Spec::ToOne(target, fk) if f.arguments.is_empty() => {
                let (obj, n) = object(target, f, vars)?;
                size = size.checked_add(n.checked_add(1)?)?;
                Field::ToOne {
                    table: target,
                    fk,
                    obj,
                }
            }
            Spec::Children(target) => {
                let (conn, n) = connection(target, f, vars)?;
                size = size.checked_add(n)?;
                Field::Children(conn)
            }
            _ => return None,
        };
        out.push((key, planned));
    }
    Some((Obj { fields: out }, size))
}

/// A planned request's plan, attached to it by the HTTP layer, and where the extension
/// leaves the answer's `data`, written as JSON, for the HTTP layer to send (the
/// response the extension returns then has no `data` of its own).
pub struct Planned {
    plan: Plan,
    written: Arc<Mutex<Option<String>>>,
}

impl Planned {
    /// The request data for `plan`, and where its answer will be.
    pub fn new(plan: Plan) -> (Self, Written) {
        let written = Arc::new(Mutex::new(None));
        (
            Self {
                plan,
                written: written.clone(),
            },
            Written(written),
        )
    }
}

/// A planned request's `data` as JSON, once the extension has answered it.
pub struct Written(Arc<Mutex<Option<String>>>);

impl Written {
    /// The answer's `data`; `None` when the resolvers answered instead.
    pub fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut w| w.take())
    }
}

/// The extension of the schema copy that serves planned requests.
pub struct CompiledReads;

impl ExtensionFactory for CompiledReads {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CompiledReads)
    }
}

#[async_trait::async_trait]
impl Extension for CompiledReads {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(planned) = ctx.data_opt::<Planned>()
            && let Some(data) = answer(ctx, &planned.plan).await
            && let Ok(mut written) = planned.written.lock()
        {
            *written = Some(data);
            return Response::new(ConstValue::Null);
        }
        // Not the caller's to read, or the statement failed: the resolvers answer (with
        // the error, or from a database that is back).
        next.run(ctx, operation_name).await
    }
}

/// The planned request's `data` as JSON, or `None` when the resolvers must answer it.
async fn answer(ctx: &ExtensionContext<'_>, plan: &Plan) -> Option<String> {
    let state = ctx.data_opt::<AppState>()?;
    let actor = ctx.data_opt::<RequestData>()?.caller.actor().ok()?;
    match compiled_read::run(&state.db, actor, plan).await {
        Ok(data) => data,
        Err(e) => {
            // The resolvers answer instead (and report the error if it persists); an
            // operator still sees that the one-statement path failed.
            tracing::warn!(error = ?e, "planned read failed; answering through the resolvers");
            None
        }
    }
}

#[cfg(test)]
mod tests;
