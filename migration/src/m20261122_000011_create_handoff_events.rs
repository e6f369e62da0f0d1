//! Creates the `handoff_events` table and its indexes: append-only history of handoff state changes.

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
                    .table(HandoffEvents::Table)
                    .if_not_exists()
                    .col(uuid(HandoffEvents::Id).primary_key())
                    .col(uuid(HandoffEvents::HandoffId))
                    .col(timestamp_with_time_zone(HandoffEvents::At))
                    .col(uuid(HandoffEvents::ActorId))
                    .col(string_len_null(HandoffEvents::FromStatus, ENUM_LEN))
                    .col(string_len(HandoffEvents::ToStatus, ENUM_LEN))
                    .col(uuid_null(HandoffEvents::ToUserId))
                    .col(string_len_null(HandoffEvents::ReasonCode, ENUM_LEN))
                    .col(text_null(HandoffEvents::Note))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_handoff_events_handoff_id")
                            .from(HandoffEvents::Table, HandoffEvents::HandoffId)
                            .to(Handoffs::Table, Handoffs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_handoff_events_actor_id")
                            .from(HandoffEvents::Table, HandoffEvents::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_handoff_events_to_user_id")
                            .from(HandoffEvents::Table, HandoffEvents::ToUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoff_events_handoff_id")
                    .table(HandoffEvents::Table)
                    .col(HandoffEvents::HandoffId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoff_events_at")
                    .table(HandoffEvents::Table)
                    .col(HandoffEvents::At)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoff_events_actor_id")
                    .table(HandoffEvents::Table)
                    .col(HandoffEvents::ActorId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_handoff_events_to_user_id")
                    .table(HandoffEvents::Table)
                    .col(HandoffEvents::ToUserId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Dropping the table also drops its indexes and foreign keys.
        manager
            .drop_table(Table::drop().table(HandoffEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum HandoffEvents {
    Table,
    Id,
    HandoffId,
    At,
    ActorId,
    FromStatus,
    ToStatus,
    ToUserId,
    ReasonCode,
    Note,
}

#[derive(DeriveIden)]
enum Handoffs {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
