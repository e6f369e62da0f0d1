//! Creates the `partners` table and its indexes: reseller / referral partners (partner companies whose users register deals).

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
                    .table(Partners::Table)
                    .if_not_exists()
                    .col(uuid(Partners::Id).primary_key())
                    .col(string_len(Partners::Name, 200))
                    .col(string_len(Partners::Tier, ENUM_LEN))
                    .col(string_len(Partners::Status, ENUM_LEN))
                    .col(timestamp_with_time_zone(Partners::CreatedAt))
                    .col(timestamp_with_time_zone(Partners::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_partners_name")
                    .table(Partners::Table)
                    .col(Partners::Name)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(Partners::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
    Name,
    Tier,
    Status,
    CreatedAt,
    UpdatedAt,
}
