//! Creates the `quotas` table and its indexes: quota targets per user or territory, metric and period.

use sea_orm_migration::{prelude::*, schema::*};

/// Enum columns are stored as strings of at most this length.
const ENUM_LEN: u32 = 32;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Quotas::Table)
                    .if_not_exists()
                    .col(uuid(Quotas::Id).primary_key())
                    .col(uuid_null(Quotas::UserId))
                    .col(uuid_null(Quotas::TerritoryId))
                    .col(string_len(Quotas::AssigneeKey, 100))
                    .col(string_len(Quotas::Metric, ENUM_LEN))
                    .col(string_len(Quotas::Period, 16))
                    .col(big_integer(Quotas::TargetCents))
                    .col(uuid(Quotas::SetById))
                    .col(timestamp_with_time_zone(Quotas::CreatedAt))
                    .col(timestamp_with_time_zone(Quotas::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quotas_user_id")
                            .from(Quotas::Table, Quotas::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quotas_territory_id")
                            .from(Quotas::Table, Quotas::TerritoryId)
                            .to(Territories::Table, Territories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_quotas_set_by_id")
                            .from(Quotas::Table, Quotas::SetById)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_quotas_assignee_key_metric_period")
                    .table(Quotas::Table)
                    .col(Quotas::AssigneeKey)
                    .col(Quotas::Metric)
                    .col(Quotas::Period)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_quotas_user_id")
                    .table(Quotas::Table)
                    .col(Quotas::UserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_quotas_territory_id")
                    .table(Quotas::Table)
                    .col(Quotas::TerritoryId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_quotas_period")
                    .table(Quotas::Table)
                    .col(Quotas::Period)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_quotas_set_by_id")
                    .table(Quotas::Table)
                    .col(Quotas::SetById)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(Quotas::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Quotas {
    Table,
    Id,
    UserId,
    TerritoryId,
    AssigneeKey,
    Metric,
    Period,
    TargetCents,
    SetById,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Territories {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
