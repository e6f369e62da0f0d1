//! One pending handoff per subject *slot* instead of per subject: an account's account
//! manager, CSM and expansion handoffs are separate slots, so an AE can hand a new
//! customer to an AM and to CS at once. Rewrites the keys of existing account handoffs
//! and replaces the partial unique index.

use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

const OLD_INDEX: &str = "CREATE UNIQUE INDEX IF NOT EXISTS ux_handoffs_pending_subject ON handoffs (subject_key) WHERE status = 'PENDING'";
const NEW_INDEX: &str = "CREATE UNIQUE INDEX IF NOT EXISTS ux_handoffs_pending_slot ON handoffs (subject_key) WHERE status = 'PENDING'";

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The slot of an account handoff, by kind (the API's `domain::handoff::slot_key`).
fn slot(kind: &str) -> &'static str {
    match kind {
        "AE_TO_AM" => "am",
        "CS_TO_AM" => "expansion",
        _ => "csm",
    }
}

async fn rekey(manager: &SchemaManager<'_>, per_slot: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let select = Query::select()
        .columns([Handoffs::Id, Handoffs::Kind, Handoffs::AccountId])
        .from(Handoffs::Table)
        .and_where(Expr::col(Handoffs::Kind).ne("SDR_TO_AE"))
        .and_where(Expr::col(Handoffs::AccountId).is_not_null())
        .to_owned();
    // Uuids are stored as blobs on SQLite, so the keys are built here rather than by
    // string concatenation in SQL.
    for row in db.query_all(&select).await? {
        let id: Uuid = row.try_get("", "id")?;
        let kind: String = row.try_get("", "kind")?;
        let account: Uuid = row.try_get("", "account_id")?;
        let key = if per_slot {
            format!("account:{account}:{}", slot(&kind))
        } else {
            format!("account:{account}")
        };
        let update = Query::update()
            .table(Handoffs::Table)
            .value(Handoffs::SubjectKey, key)
            .and_where(Expr::col(Handoffs::Id).eq(id))
            .to_owned();
        db.execute(&update).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ux_handoffs_pending_subject")
            .await?;
        rekey(manager, true).await?;
        db.execute_unprepared(NEW_INDEX).await?;
        Ok(())
    }

    /// Fails when an account has two pending handoffs, which the old index forbids.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ux_handoffs_pending_slot")
            .await?;
        rekey(manager, false).await?;
        db.execute_unprepared(OLD_INDEX).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Handoffs {
    Table,
    Id,
    Kind,
    AccountId,
    SubjectKey,
}
