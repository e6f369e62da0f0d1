//! Which columns a list's selection reads, from the read model's declaration of the
//! listed type (see `services::narrow`). A field the model does not declare reads every
//! column, so a new field is correct before it is fast; `tests/api/narrow.rs` proves
//! each declaration by reading the field alone.

use async_graphql::{Context, SelectionField};

/// The type whose rows a list holds, as the read model declares it.
pub type FieldColumns = &'static TypeModel;

pub const ACCOUNT: FieldColumns = &model::ACCOUNT;
pub const OPPORTUNITY: FieldColumns = &model::OPPORTUNITY;

use crate::read::{TypeModel, model};

/// The columns the rows of the connection being resolved need, or `None` for all of
/// them (a field the table does not know).
pub fn wanted(ctx: &Context<'_>, table: FieldColumns) -> Option<Vec<&'static str>> {
    let mut columns = Vec::new();
    for f in ctx.field().selection_set() {
        match f.name() {
            "edges" => {
                for e in f.selection_set().filter(|e| e.name() == "node") {
                    add(e, table, &mut columns)?;
                }
            }
            "nodes" => add(f, table, &mut columns)?,
            _ => {}
        }
    }
    columns.sort_unstable();
    columns.dedup();
    Some(columns)
}

fn add(
    node: SelectionField<'_>,
    table: FieldColumns,
    columns: &mut Vec<&'static str>,
) -> Option<()> {
    for f in node.selection_set() {
        if f.name() == "__typename" {
            continue;
        }
        columns.extend_from_slice(table.columns(f.name())?);
    }
    Some(())
}
