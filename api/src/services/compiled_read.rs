//! A whole nested read in one statement (PostgreSQL): a planned selection of lists, their
//! rows' fields, the objects they point to and their nested lists becomes one SELECT that
//! builds the response's `data` as JSON, each level filtered by its scope from the
//! policy. Which documents can be planned is `graphql::compiled`'s decision; every other
//! document takes the resolvers' path, which answers the same (`tests/api/compiled.rs`).
//!
//! Each level's rows come from the same keyset page the resolvers read (`page::ordered`,
//! `page::beyond`, one row more than asked for to know whether another page follows),
//! numbered, then aggregated in order. A level's table keeps its own name as its alias,
//! so the scope conditions the policy writes against that table apply unchanged, and a
//! nested level refers to its parent row by the parent's table name, which always names
//! the nearest enclosing level of that table.

use entity::{accounts, opportunities, users};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, SubQueryStatement},
};

use super::page::{Cursor, SortKey, beyond, ordered};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    error::AppResult,
};

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

/// One page of a list (a Relay connection), paged forward in the default order.
#[derive(Debug, Clone, PartialEq)]
pub struct Conn {
    pub table: Table,
    pub first: u64,
    /// A cursor already checked against `table.sort_key()`.
    pub after: Option<Cursor>,
    pub fields: Vec<(String, ConnField)>,
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

/// Runs the plan: the response's `data` as JSON text, or `None` when the actor may not
/// read one of its root lists (the resolvers then answer with the proper error).
#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn run<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    plan: &Plan,
) -> AppResult<Option<String>> {
    let Some(stmt) = statement(actor, plan) else {
        return Ok(None);
    };
    let row = db.query_one_raw(DbBackend::Postgres.build(&stmt)).await?;
    Ok(match row {
        Some(r) => Some(r.try_get_by_index::<String>(0)?),
        None => None,
    })
}

/// The one statement of `plan`, or `None` when a root list is not the actor's to read.
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

/// base64url without padding, as `GlobalId` and `Cursor` encode, of `bytes` (a bytea
/// expression). `replace` rather than `translate`: measured, it costs a third as much.
fn base64url(bytes: &str) -> String {
    format!(
        "rtrim(replace(replace(replace(encode({bytes}, 'base64'), chr(10), ''), '+', '-'), '/', '_'), '=')"
    )
}

fn column(table: Table, col: &str) -> String {
    format!("\"{}\".\"{col}\"", table.name())
}

fn scalar(table: Table, s: Scalar) -> Expr {
    Expr::cust(match s {
        Scalar::Column(c) => column(table, c),
        // `Type:uuid` holds no backslash, so a plain cast to bytea keeps its bytes.
        Scalar::GlobalId => base64url(&format!(
            "CAST('{}:' || CAST({} AS text) AS bytea)",
            table.type_name(),
            column(table, "id")
        )),
        // Integer arithmetic: a cast through numeric costs twice as much.
        Scalar::Money(c) => {
            let c = column(table, c);
            format!(
                "CASE WHEN {c} < 0 THEN '-' ELSE '' END || CAST(abs({c}) / 100 AS text) || '.' \
                 || lpad(CAST(abs({c}) % 100 AS text), 2, '0')"
            )
        }
        // sqlx connects with `DateStyle = ISO`, whose date output is `YYYY-MM-DD`.
        Scalar::Date(c) => format!("CAST({} AS text)", column(table, c)),
    })
}

/// The cursor of the row whose sort key is `key` and id is `id` (SQL expressions), as
/// `Cursor::encode` writes it for the table's default order.
fn cursor_of(table: Table, key: &str, id: &str) -> String {
    let sort = table.sort_key();
    let tag = match sort.column {
        "close_date" => format!("'d:' || CAST({key} AS text)"),
        _ => format!("'s:' || {key}"),
    };
    base64url(&format!(
        "convert_to('k1|{}|{}|a|u:' || CAST({id} AS text) || '|' || {tag}, 'UTF8')",
        sort.list, sort.column,
    ))
}

/// The current row's cursor.
fn cursor(table: Table) -> String {
    cursor_of(
        table,
        &column(table, table.sort_key().column),
        &column(table, "id"),
    )
}

/// The cursor of the first (`last` false) or last row of the page: its key and id are
/// picked by the aggregate, then encoded once.
fn edge_cursor(table: Table, within: &str, last: bool) -> String {
    let dir = if last { " DESC" } else { "" };
    let pick = |c: &str| {
        format!(
            "(array_agg({} ORDER BY \"__rn\"{dir}) {within})[1]",
            column(table, c)
        )
    };
    cursor_of(table, &pick(table.sort_key().column), &pick("id"))
}

fn object(actor: &Actor, table: Table, obj: &Obj) -> Expr {
    let keys: Vec<&str> = obj.fields.iter().map(|(k, _)| k.as_str()).collect();
    let values = obj.fields.iter().map(|(_, f)| match f {
        Field::Scalar(s) => scalar(table, *s),
        Field::ToOne {
            table: target,
            fk,
            obj,
        } => {
            let cond = Condition::all()
                .add(
                    Expr::col((Alias::new(target.name()), Alias::new("id")))
                        .equals((Alias::new(table.name()), Alias::new(*fk))),
                )
                .add(target.scope(actor));
            let sub = Query::select()
                .expr(object(actor, *target, obj))
                .from(Alias::new(target.name()))
                .cond_where(cond)
                .to_owned();
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(sub)))
        }
        Field::Children(conn) => connection(actor, conn, Some(table)),
    });
    Expr::cust_with_exprs(object_template(&keys), values)
}

/// The page of `conn`'s table: scope, the parent row when nested, the cursor, the order
/// and one row beyond the page.
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
    let limit = conn.first + 1;
    match conn.table {
        Table::Accounts => keyset::<accounts::Entity>(
            cond,
            accounts::Column::Name,
            accounts::Column::Id,
            conn.after.as_ref(),
            limit,
        ),
        Table::Opportunities => keyset::<opportunities::Entity>(
            cond,
            opportunities::Column::CloseDate,
            opportunities::Column::Id,
            conn.after.as_ref(),
            limit,
        ),
        Table::Users => keyset::<users::Entity>(
            cond,
            users::Column::Name,
            users::Column::Id,
            conn.after.as_ref(),
            limit,
        ),
    }
}

fn keyset<E: EntityTrait>(
    mut cond: Condition,
    key: E::Column,
    id: E::Column,
    after: Option<&Cursor>,
    limit: u64,
) -> SelectStatement
where
    E::Column: ColumnTrait,
{
    if let Some(c) = after {
        cond = cond.add(beyond::<E>(key, id, false, c));
    }
    ordered(E::find().filter(cond), key, id, false)
        .limit(limit)
        .into_query()
}

/// One connection as a JSON object: its page numbered in order, edges and nodes from
/// the first `first` rows, `hasNextPage` from the one beyond.
fn connection(actor: &Actor, conn: &Conn, parent: Option<Table>) -> Expr {
    let table = conn.table;
    let n = conn.first;
    let within = format!("FILTER (WHERE \"__rn\" <= {n})");
    let mut args: Vec<Expr> = Vec::new();
    let arg = |e: Expr, args: &mut Vec<Expr>| {
        args.push(e);
        format!("${}", args.len())
    };
    let mut pairs = Vec::new();
    for (key, field) in &conn.fields {
        let value = match field {
            ConnField::Edges(edge) => {
                let mut edge_pairs = Vec::new();
                for (k, f) in edge {
                    let v = match f {
                        EdgeField::Cursor => cursor(table),
                        EdgeField::Node(obj) => arg(object(actor, table, obj), &mut args),
                    };
                    edge_pairs.push(format!("'{k}', {v}"));
                }
                format!(
                    "coalesce(json_agg(json_build_object({}) ORDER BY \"__rn\") {within}, '[]')",
                    edge_pairs.join(", ")
                )
            }
            ConnField::Nodes(obj) => format!(
                "coalesce(json_agg({} ORDER BY \"__rn\") {within}, '[]')",
                arg(object(actor, table, obj), &mut args)
            ),
            ConnField::PageInfo(info) => {
                let info_pairs: Vec<String> = info
                    .iter()
                    .map(|(k, f)| {
                        let v = match f {
                            PageInfoField::HasNextPage => format!("count(*) > {n}"),
                            PageInfoField::HasPreviousPage => if conn.after.is_some() {
                                "true"
                            } else {
                                "false"
                            }
                            .to_owned(),
                            PageInfoField::StartCursor => edge_cursor(table, &within, false),
                            PageInfoField::EndCursor => edge_cursor(table, &within, true),
                        };
                        format!("'{k}', {v}")
                    })
                    .collect();
                format!("json_build_object({})", info_pairs.join(", "))
            }
        };
        pairs.push(format!("'{key}', {value}"));
    }
    let key = table.sort_key();
    let page = Expr::SubQuery(
        None,
        Box::new(SubQueryStatement::SelectStatement(page(
            actor, conn, parent,
        ))),
    );
    let page_arg = arg(page, &mut args);
    let name = table.name();
    Expr::cust_with_exprs(
        format!(
            "(SELECT json_build_object({}) FROM (SELECT \"__p\".*, row_number() OVER \
             (ORDER BY \"__p\".\"{col}\" ASC NULLS LAST, \"__p\".\"id\" ASC) AS \"__rn\" \
             FROM {page_arg} AS \"__p\") AS \"{name}\")",
            pairs.join(", "),
            col = key.column,
        ),
        args,
    )
}
