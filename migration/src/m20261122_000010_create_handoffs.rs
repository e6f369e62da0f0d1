//! Creates the `handoffs` table and its indexes: handoffs of a lead or account between teams (SDR to AE, AE to AM, ...). Also the partial unique index allowing one PENDING handoff per subject.

use sea_orm_migration::{prelude::*, schema::*};

/// Enum columns are stored as strings of at most this length.
const ENUM_LEN: u32 = 32;

const PENDING_SUBJECT_INDEX: &str = "CREATE UNIQUE INDEX IF NOT EXISTS ux_handoffs_pending_subject ON handoffs (subject_key) WHERE status = 'PENDING'";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Handoffs::Table)
                    .if_not_exists()
                    .col(uuid(Handoffs::Id).primary_key())
                    .col(string_len(Handoffs::Kind, ENUM_LEN))
                    .col(string_len(Handoffs::Status, ENUM_LEN))
                    .col(uuid(Handoffs::FromUserId))
                    .col(uuid(Handoffs::ToUserId))
                    .col(uuid_null(Handoffs::LeadId))
                    .col(uuid_null(Handoffs::AccountId))
                    .col(uuid_null(Handoffs::OpportunityId))
                    .col(string_len(Handoffs::SubjectKey, 100))
                    .col(text(Handoffs::Note))
                    .col(string_len_null(Handoffs::ReasonCode, ENUM_LEN))
                    .col(text_null(Handoffs::ResponseNote))
                    .col(timestamp_with_time_zone(Handoffs::DueAt))
                    .col(timestamp_with_time_zone_null(Handoffs::ResolvedAt))
                    .col(integer(Handoffs::Version).default(1))
                    .col(timestamp_with_time_zone(Handoffs::CreatedAt))
                    .col(timestamp_with_time_zone(Handoffs::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_handoffs_from_user_id")
                            .from(Handoffs::Table, Handoffs::FromUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_handoffs_to_user_id")
                            .from(Handoffs::Table, Handoffs::ToUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_handoffs_lead_id")
                            .from(Handoffs::Table, Handoffs::LeadId)
                            .to(Leads::Table, Leads::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_handoffs_account_id")
                            .from(Handoffs::Table, Handoffs::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_handoffs_opportunity_id")
                            .from(Handoffs::Table, Handoffs::OpportunityId)
                            .to(Opportunities::Table, Opportunities::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoffs_from_user_id")
                    .table(Handoffs::Table)
                    .col(Handoffs::FromUserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoffs_to_user_id")
                    .table(Handoffs::Table)
                    .col(Handoffs::ToUserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoffs_lead_id")
                    .table(Handoffs::Table)
                    .col(Handoffs::LeadId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoffs_account_id")
                    .table(Handoffs::Table)
                    .col(Handoffs::AccountId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoffs_status")
                    .table(Handoffs::Table)
                    .col(Handoffs::Status)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoffs_due_at")
                    .table(Handoffs::Table)
                    .col(Handoffs::DueAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoffs_opportunity_id")
                    .table(Handoffs::Table)
                    .col(Handoffs::OpportunityId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(PENDING_SUBJECT_INDEX)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ux_handoffs_pending_subject")
            .await?;
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(Handoffs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Handoffs {
    Table,
    Id,
    Kind,
    Status,
    FromUserId,
    ToUserId,
    LeadId,
    AccountId,
    OpportunityId,
    SubjectKey,
    Note,
    ReasonCode,
    ResponseNote,
    DueAt,
    ResolvedAt,
    Version,
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
enum Opportunities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
