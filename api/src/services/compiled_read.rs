//! A whole nested read in one statement (PostgreSQL): a planned selection of lists, their
//! rows' fields, the objects they point to and their nested lists becomes one SELECT,
//! each level filtered by its scope from the policy. Which documents can be planned is
//! `graphql::compiled`'s decision; every other document takes the resolvers' path, which
//! answers the same (`tests/api/compiled.rs`).
//!
//! PostgreSQL does what it is fast at: each level's rows come from the same keyset page
//! the resolvers read (`page::ordered`, `page::beyond`, one row more than asked for when
//! `hasNextPage` is selected) as plain records aggregated with `json_agg`, the
//! stored values raw. The server does the rest while it reads the statement's JSON
//! (`render`): Relay's edges and page info, global ids, cursors and money, as the
//! resolvers encode them, written straight into the answer's JSON. (Building all of it
//! in SQL, measured, cost PostgreSQL twice the rows' own work: `json_build_object` per
//! object and base64 per id.) The statement's LIMITs are written into its text
//! (`sql::select`), so PostgreSQL keeps its plan. A level's table keeps its
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
    read::{TypeModel, model},
};

/// The tables a planned read reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Accounts,
    Opportunities,
    Users,
}

impl Table {
    /// The read model's declaration of the table's type.
    pub fn model(self) -> &'static TypeModel {
        match self {
            Table::Accounts => &model::ACCOUNT,
            Table::Opportunities => &model::OPPORTUNITY,
            Table::Users => &model::USER,
        }
    }

    /// The planned table of GraphQL type `name`, if it is one.
    pub fn of(name: &str) -> Option<Self> {
        [Table::Accounts, Table::Opportunities, Table::Users]
            .into_iter()
            .find(|t| t.model().name == name)
    }

    fn table_name(self) -> &'static str {
        self.model().table
    }

    /// The GraphQL type its rows are, for global ids and `__typename`.
    fn type_name(self) -> &'static str {
        self.model().name
    }

    /// The types of a list of its rows and of that list's edges, for `__typename`.
    fn connection_types(self) -> (&'static str, &'static str) {
        match self {
            Table::Accounts => ("AccountConnection", "AccountEdge"),
            Table::Opportunities => ("OpportunityConnection", "OpportunityEdge"),
            Table::Users => ("UserConnection", "UserEdge"),
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
            o.fields
                .iter()
                .any(|(_, f)| matches!(f, Field::ToOne { .. } | Field::Children(_)))
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
            ConnField::Nodes(_) | ConnField::Typename => false,
        })
    }

    /// The rows' selected fields: under `edges { node }` or `nodes` (the planner allows
    /// one of them per connection).
    pub fn node(&self) -> Option<&Obj> {
        self.fields.iter().find_map(|(_, f)| match f {
            ConnField::Edges(edge) => edge.iter().find_map(|(_, e)| match e {
                EdgeField::Node(obj) => Some(obj),
                EdgeField::Cursor | EdgeField::Typename => None,
            }),
            ConnField::Nodes(obj) => Some(obj),
            ConnField::PageInfo(_) | ConnField::Typename => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnField {
    Edges(Vec<(String, EdgeField)>),
    Nodes(Obj),
    PageInfo(Vec<(String, PageInfoField)>),
    /// `__typename` (what clients such as Apollo's add to every selection): written by
    /// the server, never read from the statement, as in `EdgeField`, `PageInfoField`
    /// and `Field`.
    Typename,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EdgeField {
    Cursor,
    Node(Obj),
    Typename,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageInfoField {
    HasNextPage,
    HasPreviousPage,
    StartCursor,
    EndCursor,
    Typename,
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
    /// `__typename`: the table's type.
    Typename,
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
    let Some(row) = db
        .query_one_raw(sql::select(DbBackend::Postgres, &stmt))
        .await?
    else {
        return Ok(None);
    };
    let text: String = row.try_get_by_index(0)?;
    render::data(plan, &text).map(Some).map_err(|e| {
        AppError::internal(format!("a planned read's rows did not match its plan: {e}"))
    })
}

/// The one statement of `plan`, or `None` when a root list is not the actor's to read.
/// It returns, per root list, its page's rows as a JSON array of plain records (the
/// fields' stored values, nested lists and objects inline, and — when the list's cursors
/// are selected — each row's sort key and id as `__k` and `__i`); `render` turns those
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

/// A field's stored value (ids, cents and dates raw: `render` encodes them), the object
/// it points to, or its nested list.
fn value(actor: &Actor, table: Table, field: &Field) -> Expr {
    let column = |c: &str| Expr::col((Alias::new(table.table_name()), Alias::new(c)));
    match field {
        Field::Scalar(Scalar::GlobalId) => column("id"),
        Field::Scalar(Scalar::Column(c) | Scalar::Money(c) | Scalar::Date(c)) => column(c),
        Field::ToOne {
            table: target,
            fk,
            obj,
        } => {
            let read = read_fields(actor, *target, obj);
            let keys: Vec<&str> = read.iter().map(|(k, _)| *k).collect();
            let values = read.into_iter().map(|(_, v)| v);
            let cond = Condition::all()
                .add(
                    Expr::col((Alias::new(target.table_name()), Alias::new("id")))
                        .equals((Alias::new(table.table_name()), Alias::new(*fk))),
                )
                .add(target.scope(actor));
            let sub = Query::select()
                .expr(Expr::cust_with_exprs(object_template(&keys), values))
                .from(Alias::new(target.table_name()))
                .cond_where(cond)
                .to_owned();
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(sub)))
        }
        Field::Children(conn) => connection(actor, conn, Some(table)),
        // Never read (`read_fields` leaves it out); a constant keeps this total.
        Field::Typename => Expr::cust("NULL"),
    }
}

/// The fields of `obj` the statement reads, in order, with their expressions: all but
/// `__typename`, which the server writes.
fn read_fields<'o>(actor: &Actor, table: Table, obj: &'o Obj) -> Vec<(&'o str, Expr)> {
    obj.fields
        .iter()
        .filter(|(_, f)| !matches!(f, Field::Typename))
        .map(|(k, f)| (k.as_str(), value(actor, table, f)))
        .collect()
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
        .map(|obj| read_fields(actor, conn.table, obj))
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

/// From the statement's rows to the response's `data`, as JSON text: connections with
/// their edges, cursors and page info, global ids and money encoded as the resolvers
/// encode them. It reads the statement's JSON once, walking the plan alongside, and
/// writes the answer as it goes: the stored values the answer shows unchanged (names,
/// enums, numbers, dates) are copied as the JSON text PostgreSQL wrote, so no value
/// tree is built, neither of the rows nor of the answer (the resolvers' path builds
/// one and async-graphql serializes it).
mod render {
    use std::fmt;

    use chrono::NaiveDate;
    use serde::de::{
        self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
    };
    use serde_json::value::RawValue;
    use uuid::Uuid;

    use super::{Conn, ConnField, EdgeField, Field, Obj, PageInfoField, Plan, Scalar, Table};
    use crate::{
        domain::{GlobalId, money},
        services::page::Cursor,
    };

    pub(super) fn data(plan: &Plan, text: &str) -> Result<String, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let mut out = String::with_capacity(text.len() + text.len() / 2);
        Root {
            plan,
            out: &mut out,
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok(out)
    }

    /// The next key of a record, which must be `expected`: PostgreSQL writes a record's
    /// keys in the order of its SELECT list, which is the plan's order.
    fn key<'de, A: MapAccess<'de>>(map: &mut A, expected: &str) -> Result<(), A::Error> {
        match map.next_key::<&str>()? {
            Some(k) if k == expected => Ok(()),
            found => Err(de::Error::custom(format_args!(
                "expected the key {expected}, found {found:?}"
            ))),
        }
    }

    /// `"key":` (keys are GraphQL names and aliases: nothing to escape).
    fn push_key(out: &mut String, first: bool, k: &str) {
        if !first {
            out.push(',');
        }
        out.push('"');
        out.push_str(k);
        out.push_str("\":");
    }

    /// A string that needs no escaping (base64url, decimals).
    fn push_plain_str(out: &mut String, s: &str) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }

    /// The statement's one object: each root list under its response key.
    struct Root<'p, 'o> {
        plan: &'p Plan,
        out: &'o mut String,
    }

    impl<'de> DeserializeSeed<'de> for Root<'_, '_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Root<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("the planned lists")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            self.out.push('{');
            for (i, (k, conn)) in self.plan.roots.iter().enumerate() {
                key(&mut map, k)?;
                let rows = map.next_value_seed(Rows { conn })?;
                push_key(self.out, i == 0, k);
                connection(self.out, conn, rows).map_err(de::Error::custom)?;
            }
            self.out.push('}');
            no_more(map)
        }
    }

    fn no_more<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
        match map.next_key::<IgnoredAny>()? {
            None => Ok(()),
            Some(_) => Err(de::Error::custom("a key the plan does not have")),
        }
    }

    /// A row as written into the answer, and what its cursor is made of (when a cursor
    /// is selected).
    struct Row {
        node: String,
        cursor: Option<(Option<String>, Uuid)>,
    }

    /// A page's rows (a JSON array of records).
    struct Rows<'p> {
        conn: &'p Conn,
    }

    impl<'de> DeserializeSeed<'de> for Rows<'_> {
        type Value = Vec<Row>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Row>, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for Rows<'_> {
        type Value = Vec<Row>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a page of rows")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Row>, A::Error> {
            let seed = Record {
                table: self.conn.table,
                obj: self.conn.node(),
                cursor: self.conn.wants_cursors(),
            };
            let mut rows = Vec::with_capacity(usize::try_from(self.conn.first).unwrap_or(0) + 1);
            while let Some(row) = seq.next_element_seed(seed)? {
                rows.push(row);
            }
            Ok(rows)
        }
    }

    /// One record: the selected fields of `obj` in order, then (for a list's row whose
    /// cursors are selected) its sort key `__k` and id `__i`.
    #[derive(Clone, Copy)]
    struct Record<'p> {
        table: Table,
        obj: Option<&'p Obj>,
        cursor: bool,
    }

    impl<'de> DeserializeSeed<'de> for Record<'_> {
        type Value = Row;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Row, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Record<'_> {
        type Value = Row;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a row")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
            let mut node = String::with_capacity(160);
            node.push('{');
            let fields = self.obj.map_or(&[][..], |o| &o.fields[..]);
            for (i, (k, f)) in fields.iter().enumerate() {
                push_key(&mut node, i == 0, k);
                if matches!(f, Field::Typename) {
                    push_plain_str(&mut node, self.table.type_name());
                    continue;
                }
                key(&mut map, k)?;
                match f {
                    Field::Scalar(Scalar::Column(_) | Scalar::Date(_)) => {
                        node.push_str(map.next_value::<&RawValue>()?.get());
                    }
                    Field::Scalar(Scalar::GlobalId) => {
                        let id = uuid(&mut map)?;
                        push_plain_str(&mut node, &GlobalId::encode(self.table.type_name(), id));
                    }
                    Field::Scalar(Scalar::Money(_)) => match map.next_value::<Option<i64>>()? {
                        Some(cents) => {
                            push_plain_str(&mut node, &money::to_decimal(cents).to_string())
                        }
                        None => node.push_str("null"),
                    },
                    Field::ToOne { table, obj, .. } => {
                        let seed = Record {
                            table: *table,
                            obj: Some(obj),
                            cursor: false,
                        };
                        match map.next_value_seed(Nullable(seed))? {
                            Some(row) => node.push_str(&row.node),
                            None => node.push_str("null"),
                        }
                    }
                    Field::Children(conn) => {
                        let rows = map.next_value_seed(Rows { conn })?;
                        connection(&mut node, conn, rows).map_err(de::Error::custom)?;
                    }
                    Field::Typename => {}
                }
            }
            node.push('}');
            let cursor = if self.cursor {
                key(&mut map, "__k")?;
                let k = map.next_value::<Option<String>>()?;
                key(&mut map, "__i")?;
                let id = uuid(&mut map)?;
                Some((k, id))
            } else {
                None
            };
            no_more(map)?;
            Ok(Row { node, cursor })
        }
    }

    /// The next value, a row id as PostgreSQL writes a uuid.
    fn uuid<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Uuid, A::Error> {
        Uuid::parse_str(map.next_value::<&str>()?).map_err(de::Error::custom)
    }

    /// `null`, or what `seed` reads.
    struct Nullable<S>(S);

    impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
        type Value = Option<S::Value>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_option(self)
        }
    }

    impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
        type Value = Option<S::Value>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("null or a row")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            self.0.deserialize(d).map(Some)
        }
    }

    /// Writes the connection the schema serves from a page's rows (one more than the
    /// page when `hasNextPage` is selected).
    fn connection(out: &mut String, conn: &Conn, mut rows: Vec<Row>) -> Result<(), String> {
        let first = usize::try_from(conn.first).map_err(|e| e.to_string())?;
        let has_next = rows.len() > first;
        rows.truncate(first);
        let cursors: Vec<String> = if conn.wants_cursors() {
            rows.iter()
                .map(|r| cursor(conn.table, r))
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        let cursor_or_null = |c: Option<&String>| match c {
            Some(c) => format!("\"{c}\""),
            None => "null".to_owned(),
        };
        out.push('{');
        for (i, (k, f)) in conn.fields.iter().enumerate() {
            push_key(out, i == 0, k);
            match f {
                ConnField::Edges(edge) => {
                    out.push('[');
                    for (j, row) in rows.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        out.push('{');
                        for (m, (ek, ef)) in edge.iter().enumerate() {
                            push_key(out, m == 0, ek);
                            match ef {
                                EdgeField::Cursor => {
                                    push_plain_str(out, cursors.get(j).ok_or("no cursor")?)
                                }
                                EdgeField::Node(_) => out.push_str(&row.node),
                                EdgeField::Typename => {
                                    push_plain_str(out, conn.table.connection_types().1)
                                }
                            }
                        }
                        out.push('}');
                    }
                    out.push(']');
                }
                ConnField::Nodes(_) => {
                    out.push('[');
                    for (j, row) in rows.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        out.push_str(&row.node);
                    }
                    out.push(']');
                }
                ConnField::PageInfo(info) => {
                    out.push('{');
                    for (m, (pk, pf)) in info.iter().enumerate() {
                        push_key(out, m == 0, pk);
                        match pf {
                            PageInfoField::HasNextPage => out.push_str(bool_text(has_next)),
                            PageInfoField::HasPreviousPage => {
                                out.push_str(bool_text(conn.after.is_some()))
                            }
                            PageInfoField::StartCursor => {
                                out.push_str(&cursor_or_null(cursors.first()))
                            }
                            PageInfoField::EndCursor => {
                                out.push_str(&cursor_or_null(cursors.last()))
                            }
                            PageInfoField::Typename => push_plain_str(out, "PageInfo"),
                        }
                    }
                    out.push('}');
                }
                ConnField::Typename => push_plain_str(out, conn.table.connection_types().0),
            }
        }
        out.push('}');
        Ok(())
    }

    fn bool_text(b: bool) -> &'static str {
        if b { "true" } else { "false" }
    }

    /// The cursor the resolvers give this row (its sort key and id, in the list's
    /// default order).
    fn cursor(table: Table, row: &Row) -> Result<String, String> {
        let (k, id) = row.cursor.as_ref().ok_or("a row without its cursor")?;
        let key = table.sort_key();
        let value = match (key.column, k) {
            ("close_date", Some(d)) => sea_orm::Value::ChronoDate(Some(
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| e.to_string())?,
            )),
            ("close_date", None) => sea_orm::Value::ChronoDate(None),
            (_, k) => sea_orm::Value::String(k.clone()),
        };
        Ok(Cursor::of_row(&key, value, sea_orm::Value::Uuid(Some(*id))).encode())
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Variables;
    use serde_json::{Value, json};
    use uuid::Uuid;

    use super::{Plan, Table, render};
    use crate::{domain::GlobalId, services::page::Cursor};

    fn plan_of(query: &str) -> Plan {
        let doc = async_graphql::parser::parse_query(query).expect("a query");
        crate::graphql::compiled::plan(&doc, None, &Variables::default(), 100_000)
            .expect("plannable")
    }

    const QUERY: &str = "{ a: accounts(first: 1) { __typename pageInfo { hasNextPage endCursor } \
        edges { node { id t: __typename name arr owner { name __typename } csm { name } \
        opportunities(first: 2) { nodes { amount closeDate } } } } } }";
    const ID: &str = "54d0f6fa-c44e-4a3e-8879-02ff3fd23c0a";

    /// The records the statement returns for `QUERY`: the page's row and the look-ahead
    /// row, keys in SELECT order.
    fn records(first_keys: &str) -> String {
        format!(
            r#"{{"a": [{{{first_keys}, "owner": {{"name": "Jon"}}, "csm": null,
                "opportunities": [{{"amount": 12345, "closeDate": "2026-03-01"}}],
                "__k": "Zo\u00eb \"Q\" \\ |", "__i": "{ID}"}},
              {{"id": "{ID}", "name": "B", "arr": 1, "owner": null, "csm": null,
                "opportunities": [], "__k": "B", "__i": "{ID}"}}]}}"#
        )
    }

    #[test]
    fn writes_the_answer_from_the_records() {
        let text = records(&format!(
            r#""id": "{ID}", "name": "Zo\u00eb \"Q\" \\ |", "arr": null"#
        ));
        let out = render::data(&plan_of(QUERY), &text).expect("rendered");
        let out: Value = serde_json::from_str(&out).expect("JSON");
        let uuid = Uuid::parse_str(ID).unwrap();
        let name = "Zoë \"Q\" \\ |";
        let cursor = Cursor::of_row(
            &Table::Accounts.sort_key(),
            sea_orm::Value::String(Some(name.into())),
            sea_orm::Value::Uuid(Some(uuid)),
        )
        .encode();
        assert_eq!(
            out,
            json!({ "a": {
                "__typename": "AccountConnection",
                "pageInfo": { "hasNextPage": true, "endCursor": cursor },
                "edges": [{ "node": {
                    "id": GlobalId::encode("Account", uuid),
                    "t": "Account",
                    "name": name,
                    "arr": null,
                    "owner": { "name": "Jon", "__typename": "User" },
                    "csm": null,
                    "opportunities": { "nodes": [{ "amount": "123.45", "closeDate": "2026-03-01" }] },
                } }],
            } })
        );
    }

    #[test]
    fn refuses_records_that_do_not_match_the_plan() {
        let plan = plan_of(QUERY);
        for first_keys in [
            // Out of order, missing, one too many, not an id.
            format!(r#""name": "A", "id": "{ID}", "arr": 1"#),
            format!(r#""id": "{ID}", "arr": 1"#),
            format!(r#""id": "{ID}", "name": "A", "arr": 1, "extra": 1"#),
            r#""id": "nope", "name": "A", "arr": 1"#.to_owned(),
            format!(r#""id": "{ID}", "name": "A", "arr": "1""#),
        ] {
            let text = records(&first_keys);
            assert!(render::data(&plan, &text).is_err(), "{first_keys}");
        }
        assert!(render::data(&plan, r#"{"a": []} trailing"#).is_err());
        assert!(render::data(&plan, r#"{"b": []}"#).is_err());
    }
}
