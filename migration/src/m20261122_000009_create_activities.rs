//! Creates the `activities` table and its indexes: logged sales activities (calls, emails, meetings...) on leads, accounts or opportunities.

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
                    .table(Activities::Table)
                    .if_not_exists()
                    .col(uuid(Activities::Id).primary_key())
                    .col(string_len(Activities::Kind, ENUM_LEN))
                    .col(uuid(Activities::ActorId))
                    .col(timestamp_with_time_zone(Activities::OccurredAt))
                    .col(text(Activities::Summary))
                    .col(uuid_null(Activities::LeadId))
                    .col(uuid_null(Activities::AccountId))
                    .col(uuid_null(Activities::OpportunityId))
                    .col(timestamp_with_time_zone(Activities::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activities_actor_id")
                            .from(Activities::Table, Activities::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activities_lead_id")
                            .from(Activities::Table, Activities::LeadId)
                            .to(Leads::Table, Leads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activities_account_id")
                            .from(Activities::Table, Activities::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_activities_opportunity_id")
                            .from(Activities::Table, Activities::OpportunityId)
                            .to(Opportunities::Table, Opportunities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_activities_actor_id")
                    .table(Activities::Table)
                    .col(Activities::ActorId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_activities_lead_id")
                    .table(Activities::Table)
                    .col(Activities::LeadId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_activities_account_id")
                    .table(Activities::Table)
                    .col(Activities::AccountId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_activities_opportunity_id")
                    .table(Activities::Table)
                    .col(Activities::OpportunityId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_activities_occurred_at")
                    .table(Activities::Table)
                    .col(Activities::OccurredAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(Activities::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Activities {
    Table,
    Id,
    Kind,
    ActorId,
    OccurredAt,
    Summary,
    LeadId,
    AccountId,
    OpportunityId,
    CreatedAt,
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
