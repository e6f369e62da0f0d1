//! A whole nested read in one statement (PostgreSQL): a planned selection of lists, their
//! rows' fields, the objects they point to and their nested lists becomes one SELECT,
//! each level filtered by its scope from the policy. Which documents can be planned is
//! `graphql::compiled`'s decision; every other document takes the resolvers' path, which
//! answers the same (`tests/api/compiled.rs`).
//!
//! PostgreSQL does what it is fast at: each level's rows come from the same keyset page
//! the resolvers read (`page::ordered`, `page::beyond`, one row more than asked for when
//! `hasNextPage` is selected) as plain records aggregated with `json_agg`, the
//! stored values raw. The server does the rest while it walks the plan (`shape`):
//! Relay's edges and page info, global ids, cursors and money, as the resolvers encode
//! them. (Building all of it in SQL, measured, cost PostgreSQL twice the rows' own
//! work: `json_build_object` per object and base64 per id.) A level's table keeps its
//! own name as its alias, so the scope conditions the policy writes against that table
//! apply unchanged, and a nested level refers to its parent row by the parent's table
//! name, which always names the nearest enclosing level of that table.

use entity::{accounts, opportunities, users};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, SubQueryStatement},
};

use super::{
    page::{Cursor, SortKey, beyond, ordered},
    sql,
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    error::{AppError, AppResult},
};

type GqlValue = async_graphql::Value;

/// The tables a planned read reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Accounts,
    Opportunities,
    Users,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Accounts => "accounts",
            Table::Opportunities => "opportunities",
            Table::Users => "users",
        }
    }

    /// The GraphQL type its rows are, for global ids.
    fn type_name(self) -> &'static str {
        match self {
            Table::Accounts => "Account",
            Table::Opportunities => "Opportunity",
            Table::Users => "User",
        }
    }

    /// The order a list of this table is read in when no `orderBy` is given (the
    /// resolvers' default), which binds its cursors.
    pub fn sort_key(self) -> SortKey {
        match self {
            Table::Accounts => SortKey::of::<accounts::Entity>(accounts::Column::Name, false),
            Table::Opportunities => {
                SortKey::of::<opportunities::Entity>(opportunities::Column::CloseDate, false)
            }
            Table::Users => SortKey::of::<users::Entity>(users::Column::Name, false),
        }
    }

    /// The rows of this table the actor may see.
    fn scope(self, actor: &Actor) -> Condition {
        match self {
            Table::Accounts => policy::account_scope(actor),
            Table::Opportunities => policy::opportunity_scope(actor),
            Table::Users => policy::user_scope(actor),
        }
    }
}

/// A planned read: the root lists, each under its response key.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub roots: Vec<(String, Conn)>,
}

impl Plan {
    /// Whether some row reads an object or a list of its own (what the one statement
    /// saves the resolvers' loaders).
    pub fn nests(&self) -> bool {
        fn obj(o: &Obj) -> bool {
            o.fields.iter().any(|(_, f)| !matches!(f, Field::Scalar(_)))
        }
        self.roots.iter().any(|(_, c)| c.node().is_some_and(obj))
    }
}

/// One page of a list (a Relay connection), paged forward in the default order.
#[derive(Debug, Clone, PartialEq)]
pub struct Conn {
    pub table: Table,
    pub first: u64,
    /// A cursor already checked against `table.sort_key()`.
    pub after: Option<Cursor>,
    pub fields: Vec<(String, ConnField)>,
}

impl Conn {
    /// Whether `pageInfo { hasNextPage }` is selected.
    pub fn wants_has_next(&self) -> bool {
        self.fields.iter().any(|(_, f)| {
            matches!(f, ConnField::PageInfo(info)
                if info.iter().any(|(_, p)| *p == PageInfoField::HasNextPage))
        })
    }

    /// Whether some cursor is selected (`edges { cursor }`, `pageInfo { startCursor
    /// endCursor }`): only then does the statement return each row's sort key and id.
    pub fn wants_cursors(&self) -> bool {
        self.fields.iter().any(|(_, f)| match f {
            ConnField::Edges(edge) => edge.iter().any(|(_, e)| *e == EdgeField::Cursor),
            ConnField::PageInfo(info) => info
                .iter()
                .any(|(_, p)| matches!(p, PageInfoField::StartCursor | PageInfoField::EndCursor)),
            ConnField::Nodes(_) => false,
        })
    }

    /// The rows' selected fields: under `edges { node }` or `nodes` (the planner allows
    /// one of them per connection).
    pub fn node(&self) -> Option<&Obj> {
        self.fields.iter().find_map(|(_, f)| match f {
            ConnField::Edges(edge) => edge.iter().find_map(|(_, e)| match e {
                EdgeField::Node(obj) => Some(obj),
                EdgeField::Cursor => None,
            }),
            ConnField::Nodes(obj) => Some(obj),
            ConnField::PageInfo(_) => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnField {
    Edges(Vec<(String, EdgeField)>),
    Nodes(Obj),
    PageInfo(Vec<(String, PageInfoField)>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum EdgeField {
    Cursor,
    Node(Obj),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageInfoField {
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
}

/// An object's selected fields, in response order.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj {
    pub fields: Vec<(String, Field)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Scalar(Scalar),
    /// The row of `table` this row's `fk` column points to, `null` when out of scope.
    ToOne {
        table: Table,
        fk: &'static str,
        obj: Obj,
    },
    /// This row's children in `conn.table` (a nested list).
    Children(Conn),
}

/// How a column becomes its GraphQL value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// As stored: text, enum names, integers, booleans.
    Column(&'static str),
    /// The row's Relay global id.
    GlobalId,
    /// Cents as a decimal string with two places (`Decimal::new(cents, 2)`).
    Money(&'static str),
    /// An ISO 8601 date.
    Date(&'static str),
}

/// The most keys one `json_build_object` call takes (PostgreSQL passes at most 100
/// arguments to a function); the planner leaves larger objects to the resolvers.
pub const MAX_KEYS: usize = 50;

/// Runs the plan: the response's `data`, or `None` when the actor may not read one of
/// its root lists (the resolvers then answer with the proper error).
#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn run<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    plan: &Plan,
) -> AppResult<Option<GqlValue>> {
    let Some(stmt) = statement(actor, plan) else {
        return Ok(None);
    };
    let Some(row) = db
        .query_one_raw(sql::select(DbBackend::Postgres, &stmt))
        .await?
    else {
        return Ok(None);
    };
    let text: String = row.try_get_by_index(0)?;
    let raw: GqlValue = serde_json::from_str(&text).map_err(AppError::internal)?;
    shape::data(plan, raw)
        .map(Some)
        .ok_or_else(|| AppError::internal("a planned read's rows did not match its plan"))
}

/// The one statement of `plan`, or `None` when a root list is not the actor's to read.
/// It returns, per root list, its page's rows as a JSON array of plain records (the
/// fields' stored values, nested lists and objects inline, and — when the list's cursors
/// are selected — each row's sort key and id as `__k` and `__i`); `shape` turns those
/// into the connections the schema serves.
pub fn statement(actor: &Actor, plan: &Plan) -> Option<SelectStatement> {
    let mut parts = Vec::with_capacity(plan.roots.len());
    for (_, conn) in &plan.roots {
        let action = match conn.table {
            Table::Accounts => Action::ReadAccounts,
            Table::Opportunities => Action::ReadOpportunities,
            Table::Users => return None,
        };
        policy::require(actor, action).ok()?;
        parts.push(connection(actor, conn, None));
    }
    let keys: Vec<&str> = plan.roots.iter().map(|(k, _)| k.as_str()).collect();
    let data = Expr::cust_with_exprs(format!("CAST({} AS text)", object_template(&keys)), parts);
    Some(Query::select().expr(data).to_owned())
}

/// `json_build_object('k1', $1, 'k2', $2, …)`. Keys are GraphQL names or aliases
/// (`[_A-Za-z][_0-9A-Za-z]*`), so they never need quoting.
fn object_template(keys: &[&str]) -> String {
    let pairs: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("'{k}', ${}", i + 1))
        .collect();
    format!("json_build_object({})", pairs.join(", "))
}

/// A field's stored value (ids, cents and dates raw: `shape` encodes them), the object
/// it points to, or its nested list.
fn value(actor: &Actor, table: Table, field: &Field) -> Expr {
    let column = |c: &str| Expr::col((Alias::new(table.name()), Alias::new(c)));
    match field {
        Field::Scalar(Scalar::GlobalId) => column("id"),
        Field::Scalar(Scalar::Column(c) | Scalar::Money(c) | Scalar::Date(c)) => column(c),
        Field::ToOne {
            table: target,
            fk,
            obj,
        } => {
            let keys: Vec<&str> = obj.fields.iter().map(|(k, _)| k.as_str()).collect();
            let values = obj.fields.iter().map(|(_, f)| value(actor, *target, f));
            let cond = Condition::all()
                .add(
                    Expr::col((Alias::new(target.name()), Alias::new("id")))
                        .equals((Alias::new(table.name()), Alias::new(*fk))),
                )
                .add(target.scope(actor));
            let sub = Query::select()
                .expr(Expr::cust_with_exprs(object_template(&keys), values))
                .from(Alias::new(target.name()))
                .cond_where(cond)
                .to_owned();
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(sub)))
        }
        Field::Children(conn) => connection(actor, conn, Some(table)),
    }
}

/// The page of `conn`'s table as plain records: scope, the parent row when nested, the
/// cursor, the order, and one row beyond the page when `hasNextPage` is selected.
fn page(actor: &Actor, conn: &Conn, parent: Option<Table>) -> SelectStatement {
    let mut cond = conn.table.scope(actor);
    match (conn.table, parent) {
        (Table::Opportunities, Some(Table::Accounts)) => {
            cond = cond.add(
                Expr::col((opportunities::Entity, opportunities::Column::AccountId))
                    .equals((Alias::new("accounts"), Alias::new("id"))),
            );
        }
        // The planner nests no other pairs; an unknown pair reads nothing.
        (_, Some(_)) => cond = cond.add(policy::nothing()),
        (_, None) => {}
    }
    let fields: Vec<(&str, Expr)> = conn
        .node()
        .map(|obj| {
            obj.fields
                .iter()
                .map(|(k, f)| (k.as_str(), value(actor, conn.table, f)))
                .collect()
        })
        .unwrap_or_default();
    // One row beyond the page tells whether another follows; only when that is asked:
    // the extra row would also read its own nested lists.
    let window = Window {
        after: conn.after.as_ref(),
        limit: conn.first + u64::from(conn.wants_has_next()),
        cursors: conn.wants_cursors(),
    };
    match conn.table {
        Table::Accounts => keyset::<accounts::Entity>(
            cond,
            (accounts::Column::Name, accounts::Column::Id),
            fields,
            window,
        ),
        Table::Opportunities => keyset::<opportunities::Entity>(
            cond,
            (opportunities::Column::CloseDate, opportunities::Column::Id),
            fields,
            window,
        ),
        Table::Users => keyset::<users::Entity>(
            cond,
            (users::Column::Name, users::Column::Id),
            fields,
            window,
        ),
    }
}

/// Where a page starts, how many rows it reads, and whether its rows carry what their
/// cursors are made of.
struct Window<'a> {
    after: Option<&'a Cursor>,
    limit: u64,
    /// Each row's sort key and id as `__k` and `__i`. Nobody asked for a cursor in most
    /// reads, and the two values per row cost PostgreSQL a third of the nested read's
    /// statement (pgbench: about 1,100 transactions/s with them, 1,630 without).
    cursors: bool,
}

fn keyset<E: EntityTrait>(
    mut cond: Condition,
    (key, id): (E::Column, E::Column),
    fields: Vec<(&str, Expr)>,
    window: Window<'_>,
) -> SelectStatement
where
    E::Column: ColumnTrait,
{
    if let Some(c) = window.after {
        cond = cond.add(beyond::<E>(key, id, false, c));
    }
    let mut q = E::find().select_only();
    for (alias, expr) in fields {
        q = q.expr_as(expr, alias);
    }
    if window.cursors {
        q = q.column_as(key, "__k").column_as(id, "__i");
    }
    ordered(q.filter(cond), key, id, false)
        .limit(window.limit)
        .into_query()
}

/// One connection's rows as a JSON array, in the page's order.
fn connection(actor: &Actor, conn: &Conn, parent: Option<Table>) -> Expr {
    let page = Expr::SubQuery(
        None,
        Box::new(SubQueryStatement::SelectStatement(page(
            actor, conn, parent,
        ))),
    );
    // The page's own ORDER BY … LIMIT sits directly under the aggregate, which reads
    // its rows in that order (PostgreSQL's documentation: feeding an aggregate from a
    // sorted subquery "will usually work"; `tests/api/compiled.rs` compares every page
    // with the resolvers'). An ORDER BY inside `json_agg` would sort each page again,
    // one sort per parent row: a fifth of the statement's cost, measured.
    Expr::cust_with_exprs(
        "(SELECT coalesce(json_agg(\"__r\"), '[]') FROM $1 AS \"__r\")",
        [page],
    )
}

/// From the statement's rows to the schema's answer: connections with their edges,
/// cursors and page info, global ids and money encoded as the resolvers encode them.
mod shape {
    use async_graphql::{Name, Value, indexmap::IndexMap};
    use chrono::NaiveDate;
    use uuid::Uuid;

    use super::{Conn, ConnField, EdgeField, Field, Obj, PageInfoField, Plan, Scalar, Table};
    use crate::{
        domain::{GlobalId, money},
        services::page::{Cursor, SortKey},
    };

    pub(super) fn data(plan: &Plan, raw: Value) -> Option<Value> {
        let Value::Object(mut lists) = raw else {
            return None;
        };
        let mut out = IndexMap::with_capacity(plan.roots.len());
        for (key, conn) in &plan.roots {
            let rows = lists.swap_remove(key.as_str())?;
            out.insert(Name::new(key), connection(conn, rows)?);
        }
        Some(Value::Object(out))
    }

    fn connection(conn: &Conn, rows: Value) -> Option<Value> {
        let Value::List(mut rows) = rows else {
            return None;
        };
        let first = usize::try_from(conn.first).ok()?;
        let has_next = rows.len() > first;
        rows.truncate(first);
        // The rows carry their sort keys and ids only when some cursor is selected.
        let cursors: Vec<Value> = if conn.wants_cursors() {
            let key = conn.table.sort_key();
            rows.iter()
                .map(|row| cursor(&key, row).map(Value::String))
                .collect::<Option<_>>()?
        } else {
            Vec::new()
        };
        let start = cursors.first().cloned().unwrap_or(Value::Null);
        let end = cursors.last().cloned().unwrap_or(Value::Null);
        let mut nodes: Vec<Value> = match conn.node() {
            Some(obj) => rows
                .into_iter()
                .map(|r| object(conn.table, obj, r))
                .collect::<Option<_>>()?,
            None => vec![Value::Null; rows.len()],
        };
        let mut out = IndexMap::with_capacity(conn.fields.len());
        for (k, f) in &conn.fields {
            let v = match f {
                ConnField::Edges(edge) => Value::List(
                    (0..nodes.len())
                        .map(|i| {
                            let mut e = IndexMap::with_capacity(edge.len());
                            for (ek, ef) in edge {
                                let v = match ef {
                                    EdgeField::Cursor => cursors[i].clone(),
                                    EdgeField::Node(_) => std::mem::take(&mut nodes[i]),
                                };
                                e.insert(Name::new(ek), v);
                            }
                            Value::Object(e)
                        })
                        .collect(),
                ),
                ConnField::Nodes(_) => Value::List(std::mem::take(&mut nodes)),
                ConnField::PageInfo(info) => {
                    let mut p = IndexMap::with_capacity(info.len());
                    for (pk, pf) in info {
                        let v = match pf {
                            PageInfoField::HasNextPage => Value::Boolean(has_next),
                            PageInfoField::HasPreviousPage => Value::Boolean(conn.after.is_some()),
                            PageInfoField::StartCursor => start.clone(),
                            PageInfoField::EndCursor => end.clone(),
                        };
                        p.insert(Name::new(pk), v);
                    }
                    Value::Object(p)
                }
            };
            out.insert(Name::new(k), v);
        }
        Some(Value::Object(out))
    }

    /// The cursor the resolvers give a row with this sort key (`__k`) and id (`__i`).
    fn cursor(key: &SortKey, row: &Value) -> Option<String> {
        let Value::Object(m) = row else {
            return None;
        };
        let Value::String(id) = m.get("__i")? else {
            return None;
        };
        let id = sea_orm::Value::Uuid(Some(Uuid::parse_str(id).ok()?));
        let value = match (key.column, m.get("__k")?) {
            ("close_date", Value::String(d)) => {
                sea_orm::Value::ChronoDate(Some(NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?))
            }
            (_, Value::String(s)) => sea_orm::Value::String(Some(s.clone())),
            _ => return None,
        };
        Some(Cursor::of_row(key, value, id).encode())
    }

    fn object(table: Table, obj: &Obj, row: Value) -> Option<Value> {
        let Value::Object(mut m) = row else {
            return None;
        };
        let mut out = IndexMap::with_capacity(obj.fields.len());
        for (k, f) in &obj.fields {
            let v = m.swap_remove(k.as_str())?;
            let v = match (f, v) {
                (Field::Scalar(Scalar::GlobalId), Value::String(id)) => Value::String(
                    GlobalId::encode(table.type_name(), Uuid::parse_str(&id).ok()?),
                ),
                (Field::Scalar(Scalar::Money(_)), Value::Number(n)) => {
                    Value::String(money::to_decimal(n.as_i64()?).to_string())
                }
                (Field::Scalar(Scalar::GlobalId | Scalar::Money(_)), _) => return None,
                (Field::Scalar(_), v) => v,
                (Field::ToOne { .. }, Value::Null) => Value::Null,
                (Field::ToOne { table, obj, .. }, v) => object(*table, obj, v)?,
                (Field::Children(conn), v) => connection(conn, v)?,
            };
            out.insert(Name::new(k), v);
        }
        Some(Value::Object(out))
    }
}
