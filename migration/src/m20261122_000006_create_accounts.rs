//! Creates the `accounts` table and its indexes: companies we sell to (prospects, customers, churned customers).

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
                    .table(Accounts::Table)
                    .if_not_exists()
                    .col(uuid(Accounts::Id).primary_key())
                    .col(string_len(Accounts::Name, 200))
                    .col(string_len(Accounts::Domain, 253))
                    .col(string_len_null(Accounts::Industry, 100))
                    .col(string_len_null(Accounts::Country, 2))
                    .col(integer_null(Accounts::EmployeeCount))
                    .col(uuid_null(Accounts::TerritoryId))
                    .col(uuid_null(Accounts::OwnerId))
                    .col(uuid_null(Accounts::AccountManagerId))
                    .col(uuid_null(Accounts::CsmId))
                    .col(uuid_null(Accounts::PartnerId))
                    .col(string_len(Accounts::Lifecycle, ENUM_LEN))
                    .col(big_integer(Accounts::ArrCents).default(0))
                    .col(date_null(Accounts::ContractEndDate))
                    .col(string_len_null(Accounts::Health, ENUM_LEN))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_territory_id")
                            .from(Accounts::Table, Accounts::TerritoryId)
                            .to(Territories::Table, Territories::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_owner_id")
                            .from(Accounts::Table, Accounts::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_account_manager_id")
                            .from(Accounts::Table, Accounts::AccountManagerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_csm_id")
                            .from(Accounts::Table, Accounts::CsmId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_partner_id")
                            .from(Accounts::Table, Accounts::PartnerId)
                            .to(Partners::Table, Partners::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_accounts_domain")
                    .table(Accounts::Table)
                    .col(Accounts::Domain)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_accounts_territory_id")
                    .table(Accounts::Table)
                    .col(Accounts::TerritoryId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_accounts_owner_id")
                    .table(Accounts::Table)
                    .col(Accounts::OwnerId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_accounts_account_manager_id")
                    .table(Accounts::Table)
                    .col(Accounts::AccountManagerId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_accounts_csm_id")
                    .table(Accounts::Table)
                    .col(Accounts::CsmId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_accounts_partner_id")
                    .table(Accounts::Table)
                    .col(Accounts::PartnerId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_accounts_lifecycle")
                    .table(Accounts::Table)
                    .col(Accounts::Lifecycle)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_accounts_name")
                    .table(Accounts::Table)
                    .col(Accounts::Name)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(Accounts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Name,
    Domain,
    Industry,
    Country,
    EmployeeCount,
    TerritoryId,
    OwnerId,
    AccountManagerId,
    CsmId,
    PartnerId,
    Lifecycle,
    ArrCents,
    ContractEndDate,
    Health,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
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
