//! The statement of a plan, in the dialect of its database.
//!
//! PostgreSQL aggregates each page's rows with `json_agg` of the row itself and builds
//! objects with `json_build_object`. SQLite builds the same JSON with `json_object` and
//! `json_group_array`, naming each column of a page's row, and differs in three ways
//! the statement spells out: a JSON value that crosses a subquery loses its JSON type
//! (so it is wrapped in `json()` where it is placed), ids are stored as 16-byte blobs
//! (written as hex, which `render` reads as a UUID), and booleans are integers
//! (written as `true`/`false`).

use entity::{accounts, opportunities, users};
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, IdenStatic, Iterable, QueryFilter, QuerySelect,
    QueryTrait,
    sea_query::{Alias, ColumnType, Expr, ExprTrait, Query, SelectStatement, SubQueryStatement},
};

use super::{Conn, Field, Obj, Plan, Scalar, Table};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    services::page::{Cursor, beyond, ordered},
};

/// Which SQL the statement is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    pub fn of(backend: DbBackend) -> Option<Self> {
        match backend {
            DbBackend::Postgres => Some(Dialect::Postgres),
            DbBackend::Sqlite => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    pub fn backend(self) -> DbBackend {
        match self {
            Dialect::Postgres => DbBackend::Postgres,
            Dialect::Sqlite => DbBackend::Sqlite,
        }
    }

    /// A row id as the statement returns it: PostgreSQL's uuid, SQLite's blob as hex
    /// (which `render` reads as a UUID).
    fn id(self, column: Expr) -> Expr {
        match self {
            Dialect::Postgres => column,
            Dialect::Sqlite => Expr::cust_with_exprs("lower(hex(?))", [column]),
        }
    }

    /// An object of `keys` whose values are the expressions given with it, in order
    /// (sea-query's placeholders: `$1, $2, …` for PostgreSQL, `?` for SQLite); `json[i]`
    /// says the value is JSON itself (an object, a list, a boolean written as JSON).
    fn object(self, keys: &[&str], json: &[bool]) -> String {
        let pairs: Vec<String> = keys
            .iter()
            .enumerate()
            .map(
                |(i, k)| match (self, json.get(i).copied().unwrap_or(false)) {
                    (Dialect::Sqlite, true) => format!("'{k}', json(?)"),
                    (Dialect::Sqlite, false) => format!("'{k}', ?"),
                    (Dialect::Postgres, _) => format!("'{k}', ${}", i + 1),
                },
            )
            .collect();
        match self {
            Dialect::Postgres => format!("json_build_object({})", pairs.join(", ")),
            Dialect::Sqlite => format!("json_object({})", pairs.join(", ")),
        }
    }
}

/// The one statement of `plan`, or `None` when a root list is not the actor's to read.
/// It returns, per root list, its page's rows as a JSON array of plain records (the
/// fields' stored values, nested lists and objects inline, and — when the list's cursors
/// are selected — each row's sort key and id as `__k` and `__i`); `render` turns those
/// into the connections the schema serves.
pub fn statement(actor: &Actor, plan: &Plan, dialect: Dialect) -> Option<SelectStatement> {
    let b = Builder { actor, dialect };
    let mut parts = Vec::with_capacity(plan.roots.len());
    for (_, conn) in &plan.roots {
        let action = match conn.table {
            Table::Accounts => Action::ReadAccounts,
            Table::Opportunities => Action::ReadOpportunities,
            Table::Users => return None,
        };
        policy::require(actor, action).ok()?;
        parts.push(b.connection(conn, None));
    }
    // Keys are GraphQL names or aliases (`[_A-Za-z][_0-9A-Za-z]*`): never quoted.
    let keys: Vec<&str> = plan.roots.iter().map(|(k, _)| k.as_str()).collect();
    let object = dialect.object(&keys, &vec![true; keys.len()]);
    let data = Expr::cust_with_exprs(format!("CAST({object} AS text)"), parts);
    Some(Query::select().expr(data).to_owned())
}

/// Whether a field's value is JSON in the statement (and needs `json()` in SQLite
/// where it is placed into an object).
fn is_json(table: Table, field: &Field) -> bool {
    match field {
        Field::ToOne { .. } | Field::Children(_) => true,
        Field::Scalar(Scalar::Column(c)) => is_boolean(table, c),
        Field::Scalar(_) | Field::Typename => false,
    }
}

/// Whether `column` of `table` holds booleans.
fn is_boolean(table: Table, column: &str) -> bool {
    fn of<E: EntityTrait>(column: &str) -> bool {
        E::Column::iter().any(|c| {
            c.as_str() == column && matches!(c.def().get_column_type(), ColumnType::Boolean)
        })
    }
    match table {
        Table::Accounts => of::<accounts::Entity>(column),
        Table::Opportunities => of::<opportunities::Entity>(column),
        Table::Users => of::<users::Entity>(column),
    }
}

/// What every part of the statement is written for: the actor's scopes, the dialect.
struct Builder<'a> {
    actor: &'a Actor,
    dialect: Dialect,
}

impl Builder<'_> {
    /// A field's stored value (ids, cents and dates raw: `render` encodes them), the object
    /// it points to, or its nested list.
    fn value(&self, table: Table, field: &Field) -> Expr {
        let actor = self.actor;
        let column = |c: &str| Expr::col((Alias::new(table.table_name()), Alias::new(c)));
        match field {
            Field::Scalar(Scalar::GlobalId) => self.dialect.id(column("id")),
            Field::Scalar(Scalar::Column(c))
                if self.dialect == Dialect::Sqlite && is_boolean(table, c) =>
            {
                Expr::cust_with_exprs(
                    "json(CASE WHEN ? THEN 'true' ELSE 'false' END)",
                    [column(c)],
                )
            }
            Field::Scalar(Scalar::Column(c) | Scalar::Money(c) | Scalar::Date(c)) => column(c),
            Field::ToOne {
                table: target,
                fk,
                obj,
            } => {
                let read = self.read_fields(*target, obj);
                let keys: Vec<&str> = read.iter().map(|(k, _, _)| *k).collect();
                let json: Vec<bool> = read.iter().map(|(_, _, j)| *j).collect();
                let values = read.into_iter().map(|(_, v, _)| v);
                let cond = Condition::all()
                    .add(
                        Expr::col((Alias::new(target.table_name()), Alias::new("id")))
                            .equals((Alias::new(table.table_name()), Alias::new(*fk))),
                    )
                    .add(target.scope(actor));
                let sub = Query::select()
                    .expr(Expr::cust_with_exprs(
                        self.dialect.object(&keys, &json),
                        values,
                    ))
                    .from(Alias::new(target.table_name()))
                    .cond_where(cond)
                    .to_owned();
                Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(sub)))
            }
            Field::Children(conn) => self.connection(conn, Some(table)),
            // Never read (`read_fields` leaves it out); a constant keeps this total.
            Field::Typename => Expr::cust("NULL"),
        }
    }

    /// The fields of `obj` the statement reads, in order, with their expressions and
    /// whether each is JSON: all but `__typename`, which the server writes.
    fn read_fields<'o>(&self, table: Table, obj: &'o Obj) -> Vec<(&'o str, Expr, bool)> {
        obj.fields
            .iter()
            .filter(|(_, f)| !matches!(f, Field::Typename))
            .map(|(k, f)| (k.as_str(), self.value(table, f), is_json(table, f)))
            .collect()
    }

    /// The page of `conn`'s table as plain records: scope, the parent row when nested, the
    /// cursor, the order, and one row beyond the page when `hasNextPage` is selected.
    fn page(&self, conn: &Conn, parent: Option<Table>) -> SelectStatement {
        let mut cond = conn.table.scope(self.actor);
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
            .map(|obj| self.read_fields(conn.table, obj))
            .unwrap_or_default()
            .into_iter()
            .map(|(k, e, _)| (k, e))
            .collect();
        // One row beyond the page tells whether another follows; only when that is asked:
        // the extra row would also read its own nested lists.
        let window = Window {
            after: conn.after.as_ref(),
            limit: conn.first + u64::from(conn.wants_has_next()),
            cursors: conn.wants_cursors(),
            dialect: self.dialect,
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
    dialect: Dialect,
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
    // A page read only for its count of rows (`pageInfo` alone) selects no field;
    // SQLite, unlike PostgreSQL, has no SELECT of no columns.
    if fields.is_empty() && !window.cursors && window.dialect == Dialect::Sqlite {
        q = q.expr_as(Expr::val(1), "__row");
    }
    for (alias, expr) in fields {
        q = q.expr_as(expr, alias);
    }
    if window.cursors {
        q = q
            .column_as(key, "__k")
            .expr_as(window.dialect.id(Expr::col(id)), "__i");
    }
    ordered(q.filter(cond), key, id, false)
        .limit(window.limit)
        .into_query()
}

impl Builder<'_> {
    /// One connection's rows as a JSON array, in the page's order.
    fn connection(&self, conn: &Conn, parent: Option<Table>) -> Expr {
        let page = Expr::SubQuery(
            None,
            Box::new(SubQueryStatement::SelectStatement(self.page(conn, parent))),
        );
        if self.dialect == Dialect::Sqlite {
            return self.sqlite_rows(conn, page);
        }
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

    /// SQLite's array of a page's rows: an object per row, naming its columns (the row
    /// itself cannot be made JSON), its JSON columns wrapped again since they crossed the
    /// page's subquery. The aggregate reads the page in its order, as the tests check.
    fn sqlite_rows(&self, conn: &Conn, page: Expr) -> Expr {
        let mut keys: Vec<&str> = Vec::new();
        let mut json: Vec<bool> = Vec::new();
        if let Some(obj) = conn.node() {
            for (k, f) in obj
                .fields
                .iter()
                .filter(|(_, f)| !matches!(f, Field::Typename))
            {
                keys.push(k);
                json.push(is_json(conn.table, f));
            }
        }
        if conn.wants_cursors() {
            keys.extend(["__k", "__i"]);
            json.extend([false, false]);
        }
        let columns: Vec<Expr> = keys
            .iter()
            .map(|k| Expr::col((Alias::new("__r"), Alias::new(*k))))
            .collect();
        let row = Expr::cust_with_exprs(self.dialect.object(&keys, &json), columns);
        Expr::cust_with_exprs(
            "(SELECT coalesce(json_group_array(?), '[]') FROM ? AS \"__r\")",
            [row, page],
        )
    }
}
