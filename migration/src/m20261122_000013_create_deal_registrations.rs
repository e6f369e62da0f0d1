//! Creates the `deal_registrations` table and its indexes: partner deal registrations with conflict detection and review.

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
                    .table(DealRegistrations::Table)
                    .if_not_exists()
                    .col(uuid(DealRegistrations::Id).primary_key())
                    .col(uuid(DealRegistrations::PartnerId))
                    .col(uuid(DealRegistrations::SubmittedById))
                    .col(string_len(DealRegistrations::CompanyName, 200))
                    .col(string_len(DealRegistrations::Domain, 253))
                    .col(string_len(DealRegistrations::ContactName, 200))
                    .col(string_len_null(DealRegistrations::ContactEmail, 254))
                    .col(big_integer(DealRegistrations::EstimatedAmountCents))
                    .col(date(DealRegistrations::ExpectedCloseDate))
                    .col(string_len(DealRegistrations::Status, ENUM_LEN))
                    .col(json(DealRegistrations::Conflicts))
                    .col(text_null(DealRegistrations::ReviewNote))
                    .col(uuid_null(DealRegistrations::ReviewedById))
                    .col(timestamp_with_time_zone_null(DealRegistrations::ReviewedAt))
                    .col(timestamp_with_time_zone(DealRegistrations::ExpiresAt))
                    .col(uuid_null(DealRegistrations::AccountId))
                    .col(uuid_null(DealRegistrations::OpportunityId))
                    .col(timestamp_with_time_zone(DealRegistrations::CreatedAt))
                    .col(timestamp_with_time_zone(DealRegistrations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deal_registrations_partner_id")
                            .from(DealRegistrations::Table, DealRegistrations::PartnerId)
                            .to(Partners::Table, Partners::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deal_registrations_submitted_by_id")
                            .from(DealRegistrations::Table, DealRegistrations::SubmittedById)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deal_registrations_reviewed_by_id")
                            .from(DealRegistrations::Table, DealRegistrations::ReviewedById)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deal_registrations_account_id")
                            .from(DealRegistrations::Table, DealRegistrations::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deal_registrations_opportunity_id")
                            .from(DealRegistrations::Table, DealRegistrations::OpportunityId)
                            .to(Opportunities::Table, Opportunities::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deal_registrations_partner_id")
                    .table(DealRegistrations::Table)
                    .col(DealRegistrations::PartnerId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deal_registrations_domain")
                    .table(DealRegistrations::Table)
                    .col(DealRegistrations::Domain)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deal_registrations_status")
                    .table(DealRegistrations::Table)
                    .col(DealRegistrations::Status)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deal_registrations_submitted_by_id")
                    .table(DealRegistrations::Table)
                    .col(DealRegistrations::SubmittedById)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deal_registrations_reviewed_by_id")
                    .table(DealRegistrations::Table)
                    .col(DealRegistrations::ReviewedById)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deal_registrations_account_id")
                    .table(DealRegistrations::Table)
                    .col(DealRegistrations::AccountId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deal_registrations_opportunity_id")
                    .table(DealRegistrations::Table)
                    .col(DealRegistrations::OpportunityId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(DealRegistrations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DealRegistrations {
    Table,
    Id,
    PartnerId,
    SubmittedById,
    CompanyName,
    Domain,
    ContactName,
    ContactEmail,
    EstimatedAmountCents,
    ExpectedCloseDate,
    Status,
    Conflicts,
    ReviewNote,
    ReviewedById,
    ReviewedAt,
    ExpiresAt,
    AccountId,
    OpportunityId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Opportunities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
