//! Creates the `leads` table and its indexes: inbound/outbound leads with BANT qualification, converted into accounts.

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
                    .table(Leads::Table)
                    .if_not_exists()
                    .col(uuid(Leads::Id).primary_key())
                    .col(string_len(Leads::CompanyName, 200))
                    .col(string_len_null(Leads::Domain, 253))
                    .col(string_len(Leads::ContactName, 200))
                    .col(string_len_null(Leads::ContactEmail, 254))
                    .col(string_len_null(Leads::Country, 2))
                    .col(string_len_null(Leads::Industry, 100))
                    .col(integer_null(Leads::EmployeeCount))
                    .col(string_len(Leads::Source, ENUM_LEN))
                    .col(string_len(Leads::Status, ENUM_LEN))
                    .col(uuid_null(Leads::OwnerId))
                    .col(uuid_null(Leads::TerritoryId))
                    .col(text_null(Leads::Budget))
                    .col(uuid_null(Leads::BudgetById))
                    .col(timestamp_with_time_zone_null(Leads::BudgetAt))
                    .col(text_null(Leads::Authority))
                    .col(uuid_null(Leads::AuthorityById))
                    .col(timestamp_with_time_zone_null(Leads::AuthorityAt))
                    .col(text_null(Leads::Need))
                    .col(uuid_null(Leads::NeedById))
                    .col(timestamp_with_time_zone_null(Leads::NeedAt))
                    .col(text_null(Leads::Timeline))
                    .col(uuid_null(Leads::TimelineById))
                    .col(timestamp_with_time_zone_null(Leads::TimelineAt))
                    .col(text_null(Leads::DisqualifyReason))
                    .col(uuid_null(Leads::AccountId))
                    .col(timestamp_with_time_zone(Leads::CreatedAt))
                    .col(timestamp_with_time_zone(Leads::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leads_owner_id")
                            .from(Leads::Table, Leads::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leads_territory_id")
                            .from(Leads::Table, Leads::TerritoryId)
                            .to(Territories::Table, Territories::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leads_budget_by_id")
                            .from(Leads::Table, Leads::BudgetById)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leads_authority_by_id")
                            .from(Leads::Table, Leads::AuthorityById)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leads_need_by_id")
                            .from(Leads::Table, Leads::NeedById)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leads_timeline_by_id")
                            .from(Leads::Table, Leads::TimelineById)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_leads_account_id")
                            .from(Leads::Table, Leads::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_owner_id")
                    .table(Leads::Table)
                    .col(Leads::OwnerId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_territory_id")
                    .table(Leads::Table)
                    .col(Leads::TerritoryId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_status")
                    .table(Leads::Table)
                    .col(Leads::Status)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_domain")
                    .table(Leads::Table)
                    .col(Leads::Domain)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_account_id")
                    .table(Leads::Table)
                    .col(Leads::AccountId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_created_at")
                    .table(Leads::Table)
                    .col(Leads::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_budget_by_id")
                    .table(Leads::Table)
                    .col(Leads::BudgetById)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_authority_by_id")
                    .table(Leads::Table)
                    .col(Leads::AuthorityById)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_need_by_id")
                    .table(Leads::Table)
                    .col(Leads::NeedById)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_leads_timeline_by_id")
                    .table(Leads::Table)
                    .col(Leads::TimelineById)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(Leads::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Leads {
    Table,
    Id,
    CompanyName,
    Domain,
    ContactName,
    ContactEmail,
    Country,
    Industry,
    EmployeeCount,
    Source,
    Status,
    OwnerId,
    TerritoryId,
    Budget,
    BudgetById,
    BudgetAt,
    Authority,
    AuthorityById,
    AuthorityAt,
    Need,
    NeedById,
    NeedAt,
    Timeline,
    TimelineById,
    TimelineAt,
    DisqualifyReason,
    AccountId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
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
