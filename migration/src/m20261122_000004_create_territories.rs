//! Creates the `territories` table and its indexes: sales territories: a tree (materialized path) with assignment criteria.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Territories::Table)
                    .if_not_exists()
                    .col(uuid(Territories::Id).primary_key())
                    .col(string_len(Territories::Name, 200))
                    .col(uuid_null(Territories::ParentId))
                    .col(string_len(Territories::Path, 2000))
                    .col(integer(Territories::Depth))
                    .col(uuid_null(Territories::ManagerId))
                    .col(json(Territories::CriteriaCountries))
                    .col(json(Territories::CriteriaIndustries))
                    .col(integer_null(Territories::CriteriaMinEmployees))
                    .col(integer_null(Territories::CriteriaMaxEmployees))
                    .col(timestamp_with_time_zone(Territories::CreatedAt))
                    .col(timestamp_with_time_zone(Territories::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_territories_parent_id")
                            .from(Territories::Table, Territories::ParentId)
                            .to(Territories::Table, Territories::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_territories_manager_id")
                            .from(Territories::Table, Territories::ManagerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_territories_parent_id")
                    .table(Territories::Table)
                    .col(Territories::ParentId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_territories_manager_id")
                    .table(Territories::Table)
                    .col(Territories::ManagerId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_territories_path")
                    .table(Territories::Table)
                    .col(Territories::Path)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite's DROP TABLE first deletes every row, and the ON DELETE RESTRICT self-reference
        // would reject deleting a parent before its children: detach them first.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE territories SET parent_id = NULL WHERE parent_id IS NOT NULL",
            )
            .await?;
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(Territories::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Territories {
    Table,
    Id,
    Name,
    ParentId,
    Path,
    Depth,
    ManagerId,
    CriteriaCountries,
    CriteriaIndustries,
    CriteriaMinEmployees,
    CriteriaMaxEmployees,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
