//! Relay connections built from a service's `Paged` result.

use async_graphql::{
    SimpleObject,
    connection::{Connection, CursorType, Edge, EmptyFields},
};

use async_graphql::dataloader::DataLoader;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::loaders::{ChildPage, PageKey, shared};
use crate::services::page::{PageArgs, Paged, decode_cursor, encode_cursor};

/// Extra fields on every connection.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// Rows matching the filter within the caller's scope, across all pages.
    pub total_count: u64,
}

/// An opaque offset cursor.
pub struct Cursor(pub u64);

impl CursorType for Cursor {
    type Error = crate::error::AppError;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        decode_cursor(s, "after").map(Cursor)
    }

    fn encode_cursor(&self) -> String {
        encode_cursor(self.0)
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
    }
}

pub fn to_connection<M, T>(paged: Paged<M>, convert: impl Fn(M) -> T) -> Conn<T>
where
    T: async_graphql::OutputType,
{
    let mut conn = Connection::with_additional_fields(
        paged.window.has_previous,
        paged.window.has_next,
        ConnectionFields {
            total_count: paged.total,
        },
    );
    let offset = paged.window.offset;
    conn.edges.extend(
        paged
            .items
            .into_iter()
            .enumerate()
            .map(|(i, m)| Edge::new(Cursor(offset + i as u64), convert(m))),
    );
    conn
}

/// Nested lists page forward only (`first`, `after`): one windowed query serves every
/// parent at once.
pub fn nested_window(
    first: Option<i32>,
    after: Option<String>,
) -> Result<(u64, u64), crate::error::AppError> {
    let args = PageArgs {
        first,
        after,
        last: None,
        before: None,
    };
    args.validate()?;
    let offset = match args.after.as_deref() {
        Some(c) => decode_cursor(c, "after")? + 1,
        None => 0,
    };
    let limit = first.map_or(crate::services::page::DEFAULT_PAGE, |f| f as u64);
    Ok((offset, limit))
}

/// One page of a nested list through its windowed loader, as a connection.
pub async fn nested<E, T>(
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
    let (offset, limit) = nested_window(first, after)?;
    let rows = loader
        .load_one(PageKey {
            parent,
            offset,
            limit,
        })
        .await
        .map_err(shared)?;
    Ok(child_connection(rows, offset, convert))
}

pub fn child_connection<M, T>(
    rows: Option<crate::graphql::loaders::ChildRows<M>>,
    offset: u64,
    convert: impl Fn(M) -> T,
) -> Conn<T>
where
    T: async_graphql::OutputType,
{
    let (rows, total) = rows.map_or((Vec::new(), 0), |r| (r.rows, r.total));
    let end = offset + rows.len() as u64;
    let mut conn = Connection::with_additional_fields(
        offset > 0 && total > 0,
        end < total,
        ConnectionFields { total_count: total },
    );
    conn.edges.extend(
        rows.into_iter()
            .enumerate()
            .map(|(i, m)| Edge::new(Cursor(offset + i as u64), convert(m))),
    );
    conn
}
