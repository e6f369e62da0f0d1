//! Creates the `territory_members` table and its indexes: membership of users in territories (composite primary key).

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
                    .table(TerritoryMembers::Table)
                    .if_not_exists()
                    .col(uuid(TerritoryMembers::TerritoryId))
                    .col(uuid(TerritoryMembers::UserId))
                    .col(string_len(TerritoryMembers::RoleInTerritory, ENUM_LEN))
                    .col(timestamp_with_time_zone(TerritoryMembers::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(TerritoryMembers::TerritoryId)
                            .col(TerritoryMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_territory_members_territory_id")
                            .from(TerritoryMembers::Table, TerritoryMembers::TerritoryId)
                            .to(Territories::Table, Territories::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_territory_members_user_id")
                            .from(TerritoryMembers::Table, TerritoryMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_territory_members_user_id")
                    .table(TerritoryMembers::Table)
                    .col(TerritoryMembers::UserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(TerritoryMembers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum TerritoryMembers {
    Table,
    TerritoryId,
    UserId,
    RoleInTerritory,
    CreatedAt,
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
