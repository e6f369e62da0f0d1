//! Relay connections built from a service's `Paged` result, top-level or nested: the
//! one keyset connection core (cursors from `services::cursor`, windows from
//! `services::page`, nested pages from `loaders::ChildPage`).

use async_graphql::{
    Context, Object,
    connection::{Connection, CursorType, Edge, EmptyFields},
    dataloader::DataLoader,
};
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{
    context::state,
    loaders::{ChildPage, PageKey, shared},
};
use crate::services::page::{PageArgs, Paged, Total};

/// Extra fields on every connection.
pub struct ConnectionFields {
    total: Total,
}

#[Object]
impl ConnectionFields {
    /// Rows matching the filter within the caller's scope, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        // Counted only here, so a query that does not select it does not pay for it.
        Ok(self.total.resolve(&state(ctx)?.db).await?)
    }
}

/// An opaque keyset cursor: a row's sort key and id, encoded only when a client
/// selects it (most lists are read without their cursors).
pub enum Cursor {
    Row(crate::services::cursor::Cursor),
    Encoded(String),
}

impl CursorType for Cursor {
    type Error = crate::error::AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        Ok(Cursor::Encoded(s.to_owned()))
    }

    fn encode_cursor(&self) -> String {
        match self {
            Cursor::Row(c) => c.encode(),
            Cursor::Encoded(s) => s.clone(),
        }
    }
}

pub type Conn<T> = Connection<Cursor, T, ConnectionFields, EmptyFields>;

pub fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
        owners: false,
        columns: None,
    }
}

/// Whether the selection under this connection field reads its rows' `owner`, so the
/// page's statement should join it (see `services::prefetch`).
pub fn reads_owner(ctx: &Context<'_>) -> bool {
    let look = ctx.look_ahead();
    look.field("edges").field("node").field("owner").exists()
        || look.field("nodes").field("owner").exists()
}

/// `to_connection`, handing the users the page's statement joined to the request's
/// user loader first.
pub fn to_connection_in<M, T>(
    ctx: &Context<'_>,
    mut paged: Paged<M>,
    convert: impl Fn(M) -> T,
) -> async_graphql::Result<Conn<T>>
where
    T: async_graphql::OutputType,
{
    super::context::loaders(ctx)?.know_users(std::mem::take(&mut paged.users));
    to_connection(ctx, paged, convert)
}

/// The page as a connection, its rows drawn from the request's field budget.
pub fn to_connection<M, T>(
    ctx: &Context<'_>,
    paged: Paged<M>,
    convert: impl Fn(M) -> T,
) -> async_graphql::Result<Conn<T>>
where
    T: async_graphql::OutputType,
{
    super::budget::draw_rows(ctx, paged.items.len())?;
    let mut conn = Connection::with_additional_fields(
        paged.window.has_previous,
        paged.window.has_next,
        ConnectionFields { total: paged.total },
    );
    conn.edges.extend(
        paged
            .items
            .into_iter()
            .zip(paged.cursors)
            .map(|(m, c)| Edge::new(Cursor::Row(c), convert(m))),
    );
    Ok(conn)
}

/// One page of a nested list through its windowed loader, as a connection. Nested
/// lists page forward (`first`, `after`); all parents' pages come from one statement.
pub async fn nested<E, T>(
    ctx: &Context<'_>,
    loader: &DataLoader<ChildPage<E>>,
    parent: Uuid,
    first: Option<i32>,
    after: Option<String>,
    convert: impl Fn(E::Model) -> T,
) -> async_graphql::Result<Conn<T>>
where
    E: EntityTrait + Send + Sync,
    E::Model: Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
    T: async_graphql::OutputType,
{
    let page = PageArgs {
        first,
        after,
        last: None,
        before: None,
        owners: reads_owner(ctx),
        columns: None,
    };
    let child = loader.loader();
    let columns = child
        .fields()
        .and_then(|fields| super::projection::wanted(ctx, fields));
    // Checked here, before any SQL, so a bad cursor is the caller's error, named.
    let plan = page.plan(&child.sort_key())?;
    super::budget::check(ctx)?;
    let limit = plan.first.unwrap_or(crate::services::page::DEFAULT_PAGE);
    let rows = loader
        .load_one(PageKey {
            parent,
            after: page.after.clone(),
            limit,
            owners: page.owners,
            columns,
        })
        .await
        .map_err(shared)?
        .unwrap_or_default();
    let paged = Paged {
        items: rows.rows,
        cursors: rows.cursors,
        total: child.total_of(parent),
        window: crate::services::page::Window {
            has_previous: plan.after.is_some(),
            has_next: rows.more,
        },
        users: Vec::new(),
    };
    to_connection(ctx, paged, convert)
}
