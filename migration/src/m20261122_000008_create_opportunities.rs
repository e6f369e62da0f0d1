//! Creates the `opportunities` table and its indexes: deals in the pipeline (optimistic locking via `version`).

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
                    .table(Opportunities::Table)
                    .if_not_exists()
                    .col(uuid(Opportunities::Id).primary_key())
                    .col(string_len(Opportunities::Name, 200))
                    .col(uuid(Opportunities::AccountId))
                    .col(uuid(Opportunities::OwnerId))
                    .col(uuid_null(Opportunities::TerritoryId))
                    .col(string_len(Opportunities::OpportunityType, ENUM_LEN))
                    .col(string_len(Opportunities::Stage, ENUM_LEN))
                    .col(big_integer(Opportunities::AmountCents))
                    .col(date(Opportunities::CloseDate))
                    .col(integer(Opportunities::Probability))
                    .col(string_len(Opportunities::ForecastCategory, ENUM_LEN))
                    .col(uuid_null(Opportunities::SourcedById))
                    .col(uuid_null(Opportunities::PartnerId))
                    .col(uuid_null(Opportunities::LeadId))
                    .col(text_null(Opportunities::LostReason))
                    .col(integer(Opportunities::Version).default(1))
                    .col(timestamp_with_time_zone_null(Opportunities::ClosedAt))
                    .col(timestamp_with_time_zone(Opportunities::CreatedAt))
                    .col(timestamp_with_time_zone(Opportunities::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_opportunities_account_id")
                            .from(Opportunities::Table, Opportunities::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_opportunities_owner_id")
                            .from(Opportunities::Table, Opportunities::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_opportunities_territory_id")
                            .from(Opportunities::Table, Opportunities::TerritoryId)
                            .to(Territories::Table, Territories::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_opportunities_sourced_by_id")
                            .from(Opportunities::Table, Opportunities::SourcedById)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_opportunities_partner_id")
                            .from(Opportunities::Table, Opportunities::PartnerId)
                            .to(Partners::Table, Partners::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_opportunities_lead_id")
                            .from(Opportunities::Table, Opportunities::LeadId)
                            .to(Leads::Table, Leads::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_account_id")
                    .table(Opportunities::Table)
                    .col(Opportunities::AccountId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_owner_id")
                    .table(Opportunities::Table)
                    .col(Opportunities::OwnerId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_territory_id")
                    .table(Opportunities::Table)
                    .col(Opportunities::TerritoryId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_stage")
                    .table(Opportunities::Table)
                    .col(Opportunities::Stage)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_close_date")
                    .table(Opportunities::Table)
                    .col(Opportunities::CloseDate)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_sourced_by_id")
                    .table(Opportunities::Table)
                    .col(Opportunities::SourcedById)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_partner_id")
                    .table(Opportunities::Table)
                    .col(Opportunities::PartnerId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_created_at")
                    .table(Opportunities::Table)
                    .col(Opportunities::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_opportunities_lead_id")
                    .table(Opportunities::Table)
                    .col(Opportunities::LeadId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(Opportunities::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Opportunities {
    Table,
    Id,
    Name,
    AccountId,
    OwnerId,
    TerritoryId,
    OpportunityType,
    Stage,
    AmountCents,
    CloseDate,
    Probability,
    ForecastCategory,
    SourcedById,
    PartnerId,
    LeadId,
    LostReason,
    Version,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Leads {
    Table,
    Id,
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
