//! Which columns a list's selection reads: each narrowing type's table from its GraphQL
//! fields to the columns their resolvers read (see `services::narrow`). A field missing
//! from the table reads every column, so a new field is correct before it is fast;
//! `tests/api/narrow.rs` proves each entry by reading the field alone.

use async_graphql::{Context, SelectionField};

/// `(GraphQL field, columns its resolver reads)`.
pub type FieldColumns = &'static [(&'static str, &'static [&'static str])];

pub const OPPORTUNITY: FieldColumns = &[
    ("id", &["id"]),
    ("name", &["name"]),
    ("stage", &["stage"]),
    ("closeDate", &["close_date"]),
    ("amount", &["amount_cents"]),
    ("ownerName", &["owner_id"]),
    ("account", &["account_id"]),
    ("owner", &["owner_id"]),
    ("territory", &["territory_id"]),
    ("type", &["opportunity_type"]),
    ("probability", &["probability"]),
    ("forecastCategory", &["forecast_category"]),
    ("sourcedBy", &["sourced_by_id"]),
    ("partner", &["partner_id"]),
    ("lostReason", &["lost_reason"]),
    ("version", &["version"]),
    ("closedAt", &["closed_at"]),
    ("createdAt", &["created_at"]),
    ("activities", &["id"]),
];

pub const ACCOUNT: FieldColumns = &[
    ("id", &["id"]),
    ("name", &["name"]),
    ("domain", &["domain"]),
    ("industry", &["industry"]),
    ("country", &["country"]),
    ("employeeCount", &["employee_count"]),
    ("lifecycle", &["lifecycle"]),
    ("arr", &["arr_cents"]),
    ("health", &["health"]),
    ("contractEndDate", &["contract_end_date"]),
    ("createdAt", &["created_at"]),
    ("territory", &["territory_id"]),
    ("owner", &["owner_id"]),
    ("accountManager", &["account_manager_id"]),
    ("csm", &["csm_id"]),
    ("partner", &["partner_id"]),
    ("opportunities", &["id"]),
    ("leads", &["id"]),
    ("handoffs", &["id"]),
    ("activities", &["id"]),
];

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
        let (_, cols) = table.iter().find(|(name, _)| *name == f.name())?;
        columns.extend_from_slice(cols);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use sea_orm::{EntityTrait, IdenStatic, Iterable};

    use super::{ACCOUNT, FieldColumns, OPPORTUNITY};

    fn names_columns<E: EntityTrait>(table: FieldColumns) {
        let columns: Vec<&str> = E::Column::iter().map(|c| c.as_str()).collect();
        for (field, cols) in table {
            for c in *cols {
                assert!(columns.contains(c), "{field}: {c} is not a column");
            }
        }
    }

    #[test]
    fn every_table_entry_names_real_columns() {
        names_columns::<entity::opportunities::Entity>(OPPORTUNITY);
        names_columns::<entity::accounts::Entity>(ACCOUNT);
    }
}
