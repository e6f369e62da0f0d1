//! Indexes every list's sort order: `(sort key, id)` for each `orderBy` field, and
//! `(account_id, close_date, id)` for an account's nested opportunities. A keyset page
//! is then an index range scan that stops after `first + 1` rows, so page 1 and page
//! 500 cost the same at any table size; with the key alone indexed, PostgreSQL had to
//! sort every tie of the key by id. Single-column indexes that a new one starts with
//! are dropped (the composite serves their lookups too) and restored by `down`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(table, sort columns, the single-column index it replaces)`; `id` ends every key.
const SORT_KEYS: &[(&str, &[&str], Option<&str>)] = &[
    (
        "opportunities",
        &["close_date"],
        Some("ix_opportunities_close_date"),
    ),
    ("opportunities", &["amount_cents"], None),
    ("opportunities", &["name"], None),
    (
        "opportunities",
        &["created_at"],
        Some("ix_opportunities_created_at"),
    ),
    ("opportunities", &["probability"], None),
    (
        "opportunities",
        &["account_id", "close_date"],
        Some("ix_opportunities_account_id"),
    ),
    ("accounts", &["name"], Some("ix_accounts_name")),
    ("accounts", &["created_at"], None),
    ("accounts", &["arr_cents"], None),
    ("accounts", &["employee_count"], None),
    ("leads", &["created_at"], Some("ix_leads_created_at")),
    ("leads", &["company_name"], None),
    ("leads", &["status"], Some("ix_leads_status")),
    ("users", &["name"], None),
    ("users", &["created_at"], None),
    ("handoffs", &["created_at"], None),
    ("handoffs", &["due_at"], Some("ix_handoffs_due_at")),
    ("handoffs", &["updated_at"], None),
    (
        "activities",
        &["occurred_at"],
        Some("ix_activities_occurred_at"),
    ),
    ("audit_events", &["at"], Some("ix_audit_events_at")),
    ("quotas", &["period"], Some("ix_quotas_period")),
    ("territories", &["path"], Some("ix_territories_path")),
    ("deal_registrations", &["created_at"], None),
    ("deal_registrations", &["expected_close_date"], None),
    ("deal_registrations", &["estimated_amount_cents"], None),
    ("deal_registrations", &["company_name"], None),
];

fn name(table: &str, cols: &[&str]) -> String {
    format!("ix_{table}_sort_{}", cols.join("_"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols, replaces) in SORT_KEYS {
            let mut index = Index::create();
            index.name(name(table, cols)).table(Alias::new(*table));
            for c in cols.iter().chain(&["id"]) {
                index.col(Alias::new(*c));
            }
            manager.create_index(index.to_owned()).await?;
            if let Some(old) = replaces {
                manager
                    .drop_index(
                        Index::drop()
                            .name(*old)
                            .table(Alias::new(*table))
                            .to_owned(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols, replaces) in SORT_KEYS {
            if let Some(old) = replaces {
                manager
                    .create_index(
                        Index::create()
                            .name(*old)
                            .table(Alias::new(*table))
                            .col(Alias::new(cols[0]))
                            .to_owned(),
                    )
                    .await?;
            }
            manager
                .drop_index(
                    Index::drop()
                        .name(name(table, cols))
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
