//! Relay pagination over keyset cursors: a page is found through the sort key's index
//! (`(key, id) > (cursor.key, cursor.id)`), so page 500 costs what page 1 costs, and a
//! row inserted between two fetches is neither skipped nor repeated. The total is only
//! counted when a client selects `totalCount` (see `Total`).

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ModelTrait, Order,
    QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, Statement,
    sea_query::{Expr, Func, IntoColumnRef, LikeExpr, NullOrdering},
};
use uuid::Uuid;

pub use super::cursor::{Cursor, SortKey};
use super::{
    narrow::{Decode, narrow},
    prefetch::{JoinUser, KnownUsers, join_user, rows_with_users},
    sql,
};
use crate::error::AppError;

/// Case-insensitive "contains" over any of `columns`, with LIKE wildcards in the search
/// text taken literally. `None` when the search is blank.
pub fn text_search<C: IntoColumnRef + Clone>(
    search: Option<&str>,
    columns: &[C],
) -> Result<Option<Condition>, AppError> {
    // Imported here only: its blanket `min`/`max` would shadow `Ord`'s elsewhere.
    use sea_orm::sea_query::ExprTrait as _;
    let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if search.chars().count() > 100 {
        return Err(AppError::bad_input(
            "search",
            "search is longer than 100 characters",
        ));
    }
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let mut any = Condition::any();
    for col in columns {
        any = any.add(
            Expr::expr(Func::lower(Expr::col(col.clone())))
                .like(LikeExpr::new(pattern.clone()).escape('\\')),
        );
    }
    Ok(Some(any))
}

/// `column` is one of `keys`: on PostgreSQL `= ANY($1)` with one array parameter, so
/// every batch size shares one prepared statement; elsewhere `IN (…)`.
pub fn key_in(backend: DbBackend, column: impl IntoColumnRef, keys: &[Uuid]) -> Condition {
    use sea_orm::sea_query::ExprTrait as _;
    let col = Expr::col(column);
    if backend == DbBackend::Postgres {
        let array = format!(
            "{{{}}}",
            keys.iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        // Written whole: sea-query would parenthesize a bare `ANY(…)` operand. The cast
        // sits in a scalar subquery so it runs once (an InitPlan): text → uuid[] is not
        // folded at plan time, and inline it would be parsed again for every row.
        Condition::all().add(Expr::cust_with_exprs(
            "$1 = ANY(CAST((SELECT CAST($2 AS uuid[])) AS uuid[]))",
            [col, Expr::val(array)],
        ))
    } else {
        Condition::all().add(col.is_in(keys.iter().copied()))
    }
}

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    /// The selection reads each row's owner: join it into the page's statement (lists
    /// whose rows have an owner honour it; others ignore it).
    pub owners: bool,
    /// The columns the selection reads (`services::narrow`); `None` reads them all.
    /// Lists whose entity narrows honour it; others ignore it.
    pub columns: Option<Vec<&'static str>>,
}

/// What a page reports about its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub has_previous: bool,
    pub has_next: bool,
}

/// How many rows the whole list has, computed only when asked for.
#[derive(Clone)]
pub enum Total {
    Known(u64),
    /// A `COUNT` over the scoped, filtered query; run against the request's database
    /// only when `totalCount` is resolved.
    Count(Statement),
    /// A count that comes from elsewhere (a nested list's batched count loader).
    Deferred(Arc<dyn Fn() -> BoxFuture<'static, Result<u64, AppError>> + Send + Sync>),
}

impl Total {
    pub async fn resolve<C: ConnectionTrait>(&self, db: &C) -> Result<u64, AppError> {
        match self {
            Total::Known(n) => Ok(*n),
            Total::Count(stmt) => {
                let row = db.query_one_raw(stmt.clone()).await?;
                let n: i64 = match row {
                    Some(r) => r.try_get_by_index(0)?,
                    None => 0,
                };
                Ok(u64::try_from(n).unwrap_or(0))
            }
            Total::Deferred(f) => f().await,
        }
    }
}

/// One page: its rows, each with its cursor, the neighbours and the (lazy) total.
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Each row's cursor, encoded only if a client asks for it.
    pub cursors: Vec<Cursor>,
    pub total: Total,
    pub window: Window,
    /// Users joined into the page's statement (see `prefetch`), for the user loader.
    pub users: KnownUsers,
}

fn size(value: Option<i32>, field: &str) -> Result<Option<u64>, AppError> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(AppError::bad_input(
            field,
            format!("{field} must not be negative"),
        )),
        Some(n) if n as u64 > MAX_PAGE => Err(AppError::bad_input(
            field,
            format!("{field} must be at most {MAX_PAGE}"),
        )),
        Some(n) => Ok(Some(n as u64)),
    }
}

/// Validated page arguments, cursors decoded against the list they must belong to.
pub struct Plan {
    pub first: Option<u64>,
    pub last: Option<u64>,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
}

impl PageArgs {
    /// Validates sizes and the cursors' syntax before any SQL runs. (Whether a cursor
    /// belongs to this list and order is checked by `fetch_page`.)
    pub fn validate(&self) -> Result<(), AppError> {
        size(self.first, "first")?;
        size(self.last, "last")?;
        for (raw, field) in [(&self.after, "after"), (&self.before, "before")] {
            if let Some(raw) = raw {
                Cursor::decode(raw, field)?;
            }
        }
        Ok(())
    }

    /// The sizes and cursors, checked against `key` (the list and its order).
    pub fn plan(&self, key: &SortKey) -> Result<Plan, AppError> {
        let first = size(self.first, "first")?;
        let last = size(self.last, "last")?;
        let decode = |raw: &Option<String>, field: &str| {
            raw.as_deref()
                .map(|r| Cursor::decode(r, field).and_then(|c| c.check(key, field)))
                .transpose()
        };
        let first = if first.is_none() && last.is_none() {
            Some(DEFAULT_PAGE)
        } else {
            first
        };
        Ok(Plan {
            first,
            last,
            after: decode(&self.after, "after")?,
            before: decode(&self.before, "before")?,
        })
    }
}

/// `(key, id)` strictly beyond `cursor` when scanning `descending` or not. NULL keys
/// sort after every value ascending (and so first descending), on both databases.
pub fn beyond<E: EntityTrait>(
    key: E::Column,
    tiebreak: E::Column,
    descending: bool,
    cursor: &Cursor,
) -> Condition {
    use sea_orm::sea_query::ExprTrait as _;
    let k = Expr::col((E::default(), key));
    let id = Expr::col((E::default(), tiebreak));
    // A NOT NULL key needs no NULL branch, which would keep PostgreSQL from answering
    // the row comparison with an index range scan.
    let nullable = key.def().is_null();
    match (cursor.key_is_null(), descending) {
        (false, false) if !nullable => {
            Condition::all().add(Expr::tuple([k, id]).gt(Expr::tuple([
                cursor.key.clone().into(),
                cursor.id.clone().into(),
            ])))
        }
        (false, false) => Condition::any()
            .add(Expr::tuple([k.clone(), id]).gt(Expr::tuple([
                cursor.key.clone().into(),
                cursor.id.clone().into(),
            ])))
            .add(k.is_null()),
        (false, true) => Condition::all().add(Expr::tuple([k, id]).lt(Expr::tuple([
            cursor.key.clone().into(),
            cursor.id.clone().into(),
        ]))),
        (true, false) => Condition::all()
            .add(k.is_null())
            .add(id.gt(cursor.id.clone())),
        (true, true) => Condition::any().add(k.clone().is_not_null()).add(
            Condition::all()
                .add(k.is_null())
                .add(id.lt(cursor.id.clone())),
        ),
    }
}

/// The ORDER BY of a scan: NULL keys last ascending, first descending (PostgreSQL's
/// default, so its indexes serve both directions), spelled out for SQLite.
pub fn ordered<E: EntityTrait>(
    query: Select<E>,
    key: E::Column,
    tiebreak: E::Column,
    descending: bool,
) -> Select<E> {
    let (dir, nulls) = if descending {
        (Order::Desc, NullOrdering::First)
    } else {
        (Order::Asc, NullOrdering::Last)
    };
    query
        .order_by_with_nulls(key, dir.clone(), nulls)
        .order_by(tiebreak, dir)
}

/// The statement that counts the rows of `query` (unordered, so no sort is planned).
pub fn count_statement<E: EntityTrait>(
    backend: sea_orm::DatabaseBackend,
    query: Select<E>,
) -> Statement {
    let counted = query.select_only().expr(Expr::cust("COUNT(*)"));
    backend.build(&counted.into_query())
}

/// One page of a scoped, filtered query ordered by `order` then `tiebreak` (the id),
/// found by keyset from the cursors: one statement whatever the page's depth. The
/// total is only counted if the client selects it.
pub async fn fetch_page<E, C>(
    db: &C,
    query: Select<E>,
    page: &PageArgs,
    order: E::Column,
    descending: bool,
    tiebreak: E::Column,
) -> Result<Paged<E::Model>, AppError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait,
{
    let reads = Reads {
        owner: None,
        decode: None,
    };
    fetch_page_with(db, query, page, order, descending, tiebreak, reads).await
}

/// What a page reads besides its rows' columns, for lists that can.
pub struct Reads<E: EntityTrait> {
    /// The user behind this foreign key, joined into the page's statement.
    pub owner: Option<JoinUser<E::Column>>,
    /// How the entity's rows decode when `PageArgs::columns` narrows them.
    pub decode: Option<Decode<E::Model>>,
}

/// `fetch_page`, with the user behind `reads.owner` read in the same statement when the
/// selection needs it, and only the columns the selection reads when it can.
pub async fn fetch_page_with<E, C>(
    db: &C,
    query: Select<E>,
    page: &PageArgs,
    order: E::Column,
    descending: bool,
    tiebreak: E::Column,
    reads: Reads<E>,
) -> Result<Paged<E::Model>, AppError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait,
{
    let key = SortKey::of::<E>(order, descending);
    let plan = page.plan(&key)?;
    let total = Total::Count(count_statement(db.get_database_backend(), query.clone()));
    // Backward (`last` without `first`): scan in reverse from `before` (or the end).
    let backward = plan.first.is_none();
    let mut q = query;
    if let Some(a) = &plan.after {
        q = q.filter(beyond::<E>(order, tiebreak, descending, a));
    }
    if let Some(b) = &plan.before {
        q = q.filter(beyond::<E>(order, tiebreak, !descending, b));
    }
    let want = if backward {
        plan.last.unwrap_or(DEFAULT_PAGE)
    } else {
        plan.first.unwrap_or(DEFAULT_PAGE)
    };
    let Reads {
        owner: join,
        decode,
    } = reads;
    // Only the columns the selection reads, and those the page itself needs.
    let mut always = vec![order, tiebreak];
    always.extend(join.as_ref().map(|j| j.fk));
    let (q, rows) = narrow(
        ordered(q, order, tiebreak, descending != backward).limit(want + 1),
        decode,
        page.columns.as_deref(),
        &always,
    );
    let decode_row = |row: &QueryResult| rows.decode(row);
    let (mut items, users) = match join {
        None if rows.is_whole() => {
            let stmt = sql::select(db.get_database_backend(), q.as_query());
            (E::find().from_raw_sql(stmt).all(db).await?, Vec::new())
        }
        None => {
            let rows = db
                .query_all_raw(sql::select(db.get_database_backend(), &q.into_query()))
                .await?;
            let items = rows.iter().map(decode_row).collect::<Result<_, _>>()?;
            (items, Vec::new())
        }
        Some(j) => {
            let mut stmt = q.into_query();
            join_user(&mut stmt, Expr::col((E::default(), j.fk)), j.scope);
            let fk = j.fk;
            rows_with_users(db, &stmt, decode_row, |m: &E::Model| uuid_of(m.get(fk))).await?
        }
    };
    let more = items.len() as u64 > want;
    items.truncate(want as usize);
    let mut window = if backward {
        items.reverse();
        Window {
            has_previous: more,
            has_next: plan.before.is_some(),
        }
    } else {
        Window {
            has_previous: plan.after.is_some(),
            has_next: more,
        }
    };
    // `first` and `last` together: the last `last` of the first `first`.
    if let (false, Some(last)) = (backward, plan.last)
        && (items.len() as u64) > last
    {
        items.drain(..items.len() - last as usize);
        window.has_previous = true;
    }
    let cursors = items
        .iter()
        .map(|m| Cursor::of_row(&key, m.get(order), m.get(tiebreak)))
        .collect();
    Ok(Paged {
        items,
        cursors,
        total,
        window,
        users,
    })
}

/// A foreign-key value read generically off a model.
pub fn uuid_of(v: sea_orm::Value) -> Option<Uuid> {
    match v {
        sea_orm::Value::Uuid(Some(u)) => Some(u),
        _ => None,
    }
}
