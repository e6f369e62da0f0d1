//! The field budget of one request, enforced while it resolves.
//!
//! The response is built whole before it is sent, so a cap on its bytes would come
//! too late: by then the rows are loaded and the memory spent. Instead every list
//! draws from the request's budget when its rows arrive: `rows × fields per row`,
//! the fields counted from the selection (a nested list inside a row counts once
//! there and draws for its own rows when they load). Past the budget the list that
//! crossed it answers an error, every later list answers the same error before it
//! loads anything, and the HTTP layer replaces the whole response with that one
//! error (`spent`). Singular fields draw nothing: the cost check bounds them.
//!
//! Counting at the lists, not per field, matters for speed: a per-field hook (an
//! async-graphql extension with `resolve`) sends every field of every request down
//! async-graphql's slow path, about a sixth of a nested list's CPU.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{Context, SelectionField};

use crate::error::AppError;

/// One request's budget (one per subscription event on a socket: see `reset`).
#[derive(Debug)]
pub struct FieldBudget {
    max: usize,
    used: AtomicUsize,
}

impl FieldBudget {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            used: AtomicUsize::new(0),
        }
    }

    /// Draws `fields`; the error once the budget is passed, now or earlier.
    pub fn draw(&self, fields: usize) -> Result<(), AppError> {
        // Saturating, so that a spent budget never wraps back to looking unspent.
        let add = |used: usize| Some(used.saturating_add(fields));
        let before = match self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, add)
        {
            Ok(used) | Err(used) => used,
        };
        if before.saturating_add(fields) <= self.max {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// The error, before any SQL, when an earlier list spent the budget.
    pub fn check(&self) -> Result<(), AppError> {
        if self.spent() {
            Err(self.error())
        } else {
            Ok(())
        }
    }

    pub fn spent(&self) -> bool {
        self.used.load(Ordering::Relaxed) > self.max
    }

    /// A fresh budget for the next event of a subscription.
    pub fn reset(&self) {
        self.used.store(0, Ordering::Relaxed);
    }

    pub fn error(&self) -> AppError {
        AppError::TooExpensive(format!(
            "the response would hold more than {} fields; ask for smaller pages",
            self.max
        ))
    }
}

/// Fails before loading when the request's budget is already spent.
pub fn check(ctx: &Context<'_>) -> Result<(), AppError> {
    match super::context::budget(ctx) {
        Some(b) => b.check(),
        None => Ok(()),
    }
}

/// Draws for `rows` rows of the list being resolved (a connection or a plain list).
pub fn draw_rows(ctx: &Context<'_>, rows: usize) -> Result<(), AppError> {
    let Some(budget) = super::context::budget(ctx) else {
        return Ok(());
    };
    if rows == 0 {
        return budget.check();
    }
    budget.draw(rows.saturating_mul(fields_per_row(ctx.field())))
}

/// The fields one row of `list` adds to the response: for a connection its
/// `edges { cursor node { … } }` and `nodes { … }`, for a plain list its selection.
fn fields_per_row(list: SelectionField<'_>) -> usize {
    if !is_connection(list) {
        return 1 + row_fields(list);
    }
    let mut n = 0;
    for f in list.selection_set() {
        match f.name() {
            "edges" => {
                n += 1;
                for e in f.selection_set() {
                    n += 1;
                    if e.name() == "node" {
                        n += row_fields(e);
                    }
                }
            }
            "nodes" => n += 1 + row_fields(f),
            _ => {}
        }
    }
    n.max(1)
}

/// Fields under `field`, descending into single objects; a nested connection counts as
/// one field (its rows draw for themselves when they load).
fn row_fields(field: SelectionField<'_>) -> usize {
    field
        .selection_set()
        .map(|f| 1 + if is_connection(f) { 0 } else { row_fields(f) })
        .sum()
}

fn is_connection(field: SelectionField<'_>) -> bool {
    field
        .selection_set()
        .any(|f| matches!(f.name(), "edges" | "nodes"))
}

#[cfg(test)]
mod tests {
    use super::FieldBudget;

    #[test]
    fn draws_up_to_the_max_then_stays_spent_until_reset() {
        let b = FieldBudget::new(10);
        assert!(b.draw(6).is_ok() && b.draw(4).is_ok() && b.check().is_ok());
        assert!(b.draw(1).is_err());
        assert!(b.spent() && b.check().is_err() && b.draw(0).is_err());
        b.reset();
        assert!(!b.spent() && b.draw(10).is_ok());
        // An overflowing draw is spent too, not wrapped around.
        assert!(b.draw(usize::MAX).is_err() && b.spent());
    }
}
