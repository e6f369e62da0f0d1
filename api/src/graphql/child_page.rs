//! Nested connections (an account's opportunities, …) for many parents at once: one
//! keyset-windowed statement per level (`ROW_NUMBER() OVER (PARTITION BY parent)` over
//! the rows beyond the cursor), and a grouped count only when `totalCount` is selected.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{
    Condition, ConnectionTrait, EntityTrait, IdenStatic, Iterable, ModelTrait, QueryFilter,
    QueryResult, QuerySelect, QueryTrait,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::{
    loaders::{Scope, ScopeFn, key_in, shared},
    projection::FieldColumns,
};
use crate::{
    error::AppError,
    services::{
        narrow::{Decode, narrow},
        page::{Cursor, SortKey, Total, beyond, uuid_of},
        prefetch::{join_user, rows_with_users},
    },
};

/// One page of a nested list: `parent`'s children after the cursor `after`, at most
/// `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub parent: Uuid,
    pub after: Option<String>,
    pub limit: u64,
    /// The selection reads the children's owner: join it (if the list has one).
    pub owners: bool,
    /// The columns the selection reads, if the list narrows (`services::narrow`).
    pub columns: Option<Vec<&'static str>>,
}

/// A page of children, their cursors, and whether more follow.
#[derive(Debug, Clone)]
pub struct ChildRows<M> {
    pub rows: Vec<M>,
    pub cursors: Vec<Cursor>,
    pub more: bool,
}

impl<M> Default for ChildRows<M> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            cursors: Vec::new(),
            more: false,
        }
    }
}

pub struct ChildPage<E: EntityTrait> {
    scope: Arc<Scope>,
    parent: E::Column,
    parent_of: fn(&E::Model) -> Option<Uuid>,
    condition: ScopeFn,
    key: E::Column,
    descending: bool,
    id: E::Column,
    /// The children's owner column, joined when a page's selection reads `owner`.
    owner: Option<E::Column>,
    /// How the children's pages narrow to the columns their selection reads.
    narrow: Option<(Decode<E::Model>, FieldColumns)>,
    counts: Arc<DataLoader<ChildCount<E>>>,
}

fn column_named<E: EntityTrait>(name: &str) -> Option<E::Column> {
    E::Column::iter().find(|c| c.as_str() == name)
}

impl<E> ChildPage<E>
where
    E: EntityTrait + Send + Sync,
    E::Column: Send + Sync,
{
    /// `order_sql` names the sort: `"close_date, id"` or `"occurred_at DESC, id"` (the
    /// key column, its direction, then the id as the tiebreak in the same direction).
    pub fn new(
        scope: &Arc<Scope>,
        parent: E::Column,
        parent_of: fn(&E::Model) -> Option<Uuid>,
        condition: ScopeFn,
        order_sql: &'static str,
    ) -> Self {
        let mut first = order_sql
            .split(',')
            .next()
            .unwrap_or_default()
            .split_whitespace();
        let key_name = first.next().unwrap_or("id");
        let descending = first.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
        let Some(id) = column_named::<E>("id").or_else(|| E::Column::iter().next()) else {
            unreachable!("an entity without columns")
        };
        let key = column_named::<E>(key_name).unwrap_or(id);
        Self {
            scope: scope.clone(),
            parent,
            parent_of,
            condition,
            key,
            descending,
            id,
            owner: None,
            narrow: None,
            counts: Arc::new(DataLoader::new(
                ChildCount {
                    scope: scope.clone(),
                    parent,
                    condition,
                },
                super::loaders::spawn_after_yields,
            )),
        }
    }

    /// Joins the owner (`column`) into pages whose selection reads it.
    pub fn with_owner(mut self, column: E::Column) -> Self {
        self.owner = Some(column);
        self
    }

    /// Reads only the columns the selection needs (`fields` maps the GraphQL fields of
    /// the child type to them).
    pub fn narrowed(mut self, decode: Decode<E::Model>, fields: FieldColumns) -> Self {
        self.narrow = Some((decode, fields));
        self
    }

    /// The field table of a narrowing list.
    pub fn fields(&self) -> Option<FieldColumns> {
        self.narrow.map(|(_, f)| f)
    }

    /// The list and order this loader's cursors are bound to.
    pub fn sort_key(&self) -> SortKey {
        SortKey::of::<E>(self.key, self.descending)
    }

    /// `parent`'s total, counted (for all parents of the level at once) only if asked.
    pub fn total_of(&self, parent: Uuid) -> Total {
        let counts = self.counts.clone();
        Total::Deferred(Arc::new(move || {
            let counts = counts.clone();
            Box::pin(async move { Ok(counts.load_one(parent).await.map_err(shared)?.unwrap_or(0)) })
        }))
    }
}

impl<E> Loader<PageKey> for ChildPage<E>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    type Value = ChildRows<E::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[PageKey]) -> Result<HashMap<PageKey, Self::Value>, Self::Error> {
        let actor = self.scope.actor()?;
        let db = &self.scope.db;
        let backend = db.get_database_backend();
        let err = |e: sea_orm::DbErr| Arc::new(AppError::from(e));
        let sort = self.sort_key();
        // Keys normally share one cursor and size; each distinct pair costs one query.
        type Window = (Option<String>, u64, bool, Option<Vec<&'static str>>);
        let mut windows: Vec<Window> = keys
            .iter()
            .map(|k| (k.after.clone(), k.limit, k.owners, k.columns.clone()))
            .collect();
        windows.sort_unstable();
        windows.dedup();
        let mut out = HashMap::new();
        for (after, limit, owners, columns) in windows {
            let wanted: Vec<Uuid> = keys
                .iter()
                .filter(|k| {
                    k.after == after
                        && k.limit == limit
                        && k.owners == owners
                        && k.columns == columns
                })
                .map(|k| k.parent)
                .collect();
            let mut cond = Condition::all()
                .add(key_in(backend, (E::default(), self.parent), &wanted))
                .add((self.condition)(actor));
            if let Some(raw) = &after {
                let cursor = Cursor::decode(raw, "after")
                    .and_then(|c| c.check(&sort, "after"))
                    .map_err(Arc::new)?;
                cond = cond.add(beyond::<E>(self.key, self.id, self.descending, &cursor));
            }
            let (dir, nulls) = if self.descending {
                ("DESC", "FIRST")
            } else {
                ("ASC", "LAST")
            };
            // Only the columns the selection reads, and those the page itself needs.
            let owner = self.owner.filter(|_| owners);
            let mut always = vec![self.parent, self.key, self.id];
            always.extend(owner);
            let (inner, rows) = narrow(
                E::find().filter(cond),
                self.narrow.map(|(decode, _)| decode),
                columns.as_deref(),
                &always,
            );
            let mut inner = inner.into_query();
            inner.expr_as(
                Expr::cust(format!(
                    "ROW_NUMBER() OVER (PARTITION BY {} ORDER BY {} {dir} NULLS {nulls}, {} {dir})",
                    self.parent.as_str(),
                    self.key.as_str(),
                    self.id.as_str(),
                )),
                Alias::new("rn"),
            );
            // One row beyond the page tells whether another page follows.
            let w = Alias::new("w");
            let mut outer = Query::select()
                .column((w.clone(), Asterisk))
                .from_subquery(inner, w.clone())
                .and_where(Expr::col((w.clone(), Alias::new("rn"))).lte((limit + 1) as i64))
                .order_by((w.clone(), Alias::new("rn")), sea_orm::Order::Asc)
                .to_owned();
            let decode_row = |row: &QueryResult| rows.decode(row);
            let rows = match owner {
                None => db
                    .query_all_raw(backend.build(&outer))
                    .await
                    .map_err(err)?
                    .iter()
                    .map(decode_row)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(err)?,
                Some(col) => {
                    join_user(
                        &mut outer,
                        Expr::col((w.clone(), Alias::new(col.as_str()))),
                        crate::auth::policy::user_scope(actor),
                    );
                    let (rows, users) =
                        rows_with_users(db, &outer, decode_row, |m: &E::Model| uuid_of(m.get(col)))
                            .await
                            .map_err(err)?;
                    self.scope.know_users(users);
                    rows
                }
            };
            let mut grouped: HashMap<Uuid, ChildRows<E::Model>> = HashMap::new();
            for row in rows {
                let Some(p) = (self.parent_of)(&row) else {
                    continue;
                };
                let page = grouped.entry(p).or_default();
                if page.rows.len() as u64 >= limit {
                    page.more = true;
                    continue;
                }
                page.cursors
                    .push(Cursor::of_row(&sort, row.get(self.key), row.get(self.id)));
                page.rows.push(row);
            }
            for parent in wanted {
                let key = PageKey {
                    parent,
                    after: after.clone(),
                    limit,
                    owners,
                    columns: columns.clone(),
                };
                out.insert(key, grouped.remove(&parent).unwrap_or_default());
            }
        }
        Ok(out)
    }
}

/// How many children each parent has within scope: one grouped count per level, run
/// only when some nested `totalCount` is selected.
pub struct ChildCount<E: EntityTrait> {
    scope: Arc<Scope>,
    parent: E::Column,
    condition: ScopeFn,
}

impl<E> Loader<Uuid> for ChildCount<E>
where
    E: EntityTrait + Send + Sync,
    E::Column: Send + Sync,
{
    type Value = u64;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, u64>, Self::Error> {
        let actor = self.scope.actor()?;
        let db = &self.scope.db;
        let counts: Vec<(Uuid, i64)> = E::find()
            .select_only()
            .column(self.parent)
            .column_as(Expr::col(self.parent).count(), "n")
            .filter(key_in(
                db.get_database_backend(),
                (E::default(), self.parent),
                keys,
            ))
            .filter((self.condition)(actor))
            .group_by(self.parent)
            .into_tuple()
            .all(db)
            .await
            .map_err(|e| Arc::new(AppError::from(e)))?;
        Ok(counts
            .into_iter()
            .map(|(p, n)| (p, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}
