//! Adds what deal registration review needs to `deal_registrations`: the territory the
//! criteria placed it in (which decides its reviewers), the facts placement used, the
//! partner's notes, a version for optimistic locking and the partner-facing reason code
//! of a rejection.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn columns() -> Vec<ColumnDef> {
    vec![
        uuid_null(DealRegistrations::TerritoryId),
        string_len_null(DealRegistrations::Country, 2),
        string_len_null(DealRegistrations::Industry, 100),
        integer_null(DealRegistrations::EmployeeCount),
        text_null(DealRegistrations::Notes),
        integer(DealRegistrations::Version).default(1).to_owned(),
        string_len_null(DealRegistrations::RejectionReason, 32),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for mut col in columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table(DealRegistrations::Table)
                        .add_column(&mut col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_deal_registrations_territory_id")
                    .table(DealRegistrations::Table)
                    .col(DealRegistrations::TerritoryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_deal_registrations_territory_id")
                    .table(DealRegistrations::Table)
                    .to_owned(),
            )
            .await?;
        for col in [
            DealRegistrations::TerritoryId,
            DealRegistrations::Country,
            DealRegistrations::Industry,
            DealRegistrations::EmployeeCount,
            DealRegistrations::Notes,
            DealRegistrations::Version,
            DealRegistrations::RejectionReason,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(DealRegistrations::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum DealRegistrations {
    Table,
    TerritoryId,
    Country,
    Industry,
    EmployeeCount,
    Notes,
    Version,
    RejectionReason,
}
