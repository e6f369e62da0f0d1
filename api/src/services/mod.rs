//! Use cases, one file per domain. Every public function takes the actor (or is the
//! login itself), applies the policy, and runs its SQL; mutations run in one transaction.

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod auth;
pub mod compiled_read;
pub mod cursor;
pub mod deal_checks;
pub mod deal_registrations;
pub mod deal_review;
pub mod handoffs;
pub mod leads;
pub mod narrow;
pub mod opportunities;
pub mod page;
pub mod partners;
pub mod placement;
pub mod prefetch;
pub mod quota_figures;
pub mod quotas;
pub mod report_sql;
pub mod report_table;
pub mod reports;
pub mod sql;
pub mod teams;
pub mod territories;
pub mod users;

use sea_orm::{
    Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, PrimaryKeyTrait, QueryFilter,
    QuerySelect, SqlErr,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// A row by id within `scope`, or `NOT_FOUND`. With `lock`, the row is locked for the
/// rest of the transaction (`FOR UPDATE` on PostgreSQL; SQLite serializes writers), so
/// two requests changing one row run one after the other on fresh data.
pub(crate) async fn find_scoped<E, C>(
    db: &C,
    id: Uuid,
    scope: Condition,
    lock: bool,
    entity: &'static str,
) -> AppResult<E::Model>
where
    E: EntityTrait,
    C: ConnectionTrait,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    let mut q = E::find_by_id(id).filter(scope);
    if lock {
        q = q.lock_exclusive();
    }
    q.one(db).await?.ok_or_else(|| AppError::not_found(entity))
}

/// Maps a unique-index violation (a concurrent writer won the race between our check
/// and our insert) to the same `BAD_USER_INPUT` the check gives.
pub(crate) fn unique_violation(err: DbErr, field: &str, message: &str) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::bad_input(field, message),
        _ => AppError::from(err),
    }
}

/// Serializes changes to the territory tree: a move checks for cycles against the
/// whole tree, so two crossing moves must not run side by side. PostgreSQL takes a
/// transaction-scoped advisory lock; SQLite already admits one writer at a time.
pub(crate) async fn lock_territory_tree<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("SELECT pg_advisory_xact_lock(7465727269)")
            .await?;
    }
    Ok(())
}
