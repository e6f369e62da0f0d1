//! Relay-style pagination arguments, validated, and the window they select once the
//! total is known. Cursors are offsets into the ordered, scoped result.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

use sea_orm::{
    Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryOrder, QuerySelect,
    Select,
    sea_query::{Expr, Func, IntoColumnRef, LikeExpr},
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

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// The rows a page covers: `offset .. offset + limit` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    pub limit: u64,
    pub has_previous: bool,
    pub has_next: bool,
}

/// Counts the rows of a scoped, filtered query, then fetches the page `page` selects,
/// ordered by `order` (then `tiebreak`, so equal values keep a stable order). Two
/// statements, whatever the page size.
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
    let total = query.clone().count(db).await?;
    let window = page.window(total)?;
    if window.limit == 0 {
        return Ok(Paged {
            items: Vec::new(),
            total,
            window,
        });
    }
    let dir = if descending { Order::Desc } else { Order::Asc };
    let items = query
        .order_by(order, dir.clone())
        .order_by(tiebreak, dir)
        .offset(window.offset)
        .limit(window.limit)
        .all(db)
        .await?;
    Ok(Paged {
        items,
        total,
        window,
    })
}

pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub window: Window,
}

pub fn encode_cursor(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("o:{offset}"))
}

pub fn decode_cursor(raw: &str, field: &str) -> Result<u64, AppError> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| AppError::bad_input(field, "is not a valid cursor"))
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

impl PageArgs {
    /// Validates sizes and cursors before any SQL runs.
    pub fn validate(&self) -> Result<(), AppError> {
        self.parts().map(|_| ())
    }

    #[allow(clippy::type_complexity)]
    fn parts(&self) -> Result<(Option<u64>, Option<u64>, Option<u64>, Option<u64>), AppError> {
        let first = size(self.first, "first")?;
        let last = size(self.last, "last")?;
        let after = self
            .after
            .as_deref()
            .map(|c| decode_cursor(c, "after"))
            .transpose()?;
        let before = self
            .before
            .as_deref()
            .map(|c| decode_cursor(c, "before"))
            .transpose()?;
        Ok((first, last, after, before))
    }

    /// The window for a result of `total` rows, as the Relay cursor spec slices it.
    pub fn window(&self, total: u64) -> Result<Window, AppError> {
        let (first, last, after, before) = self.parts()?;
        let first = if first.is_none() && last.is_none() {
            Some(DEFAULT_PAGE)
        } else {
            first
        };
        let mut start = after.map_or(0, |a| a + 1).min(total);
        let mut end = before.map_or(total, |b| b.min(total)).max(start);
        if let Some(f) = first {
            end = end.min(start + f);
        }
        if let Some(l) = last {
            start = start.max(end.saturating_sub(l));
        }
        Ok(Window {
            offset: start,
            limit: end - start,
            has_previous: start > 0,
            has_next: end < total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(
        first: Option<i32>,
        after: Option<u64>,
        last: Option<i32>,
        before: Option<u64>,
    ) -> PageArgs {
        PageArgs {
            first,
            after: after.map(encode_cursor),
            last,
            before: before.map(encode_cursor),
        }
    }

    #[test]
    fn slices_like_relay() {
        let w = args(None, None, None, None).window(50).unwrap();
        assert_eq!(
            (w.offset, w.limit, w.has_previous, w.has_next),
            (0, 20, false, true)
        );
        let w = args(Some(10), Some(9), None, None).window(15).unwrap();
        assert_eq!(
            (w.offset, w.limit, w.has_previous, w.has_next),
            (10, 5, true, false)
        );
        let w = args(None, None, Some(3), None).window(10).unwrap();
        assert_eq!((w.offset, w.limit), (7, 3));
        let w = args(None, None, Some(3), Some(5)).window(10).unwrap();
        assert_eq!((w.offset, w.limit, w.has_previous), (2, 3, true));
        let w = args(Some(5), Some(100), None, None).window(10).unwrap();
        assert_eq!(w.limit, 0);
    }

    #[test]
    fn refuses_bad_sizes_and_cursors() {
        assert!(args(Some(101), None, None, None).validate().is_err());
        assert!(args(Some(-1), None, None, None).validate().is_err());
        assert!(args(None, None, Some(1000), None).validate().is_err());
        let bad = PageArgs {
            after: Some("nope".into()),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }
}
