//! Connecting to SQLite or PostgreSQL, counting statements, applying migrations.

use std::{sync::Arc, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait, sqlx::sqlite::SqliteJournalMode,
};

use crate::{error::AppError, metrics::Metrics};

pub struct DbSettings<'a> {
    pub url: &'a str,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// PostgreSQL cancels any statement running longer (`statement_timeout`), so one
    /// request cannot hold a connection and its locks for long. `None`: no limit
    /// (migrations and seeding from the command line).
    pub statement_timeout: Option<Duration>,
}

/// Opens the pool and counts every statement it runs into `metrics`.
/// How long a pooled connection may sit idle before it is pinged on checkout.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(10);

pub async fn connect(
    settings: DbSettings<'_>,
    metrics: Arc<Metrics>,
) -> Result<DatabaseConnection, AppError> {
    let memory = settings.url.contains(":memory:") || settings.url.contains("mode=memory");
    let mut opts = ConnectOptions::new(settings.url.to_string());
    // An in-memory SQLite database lives only as long as its one connection.
    let max = if memory { 1 } else { settings.max_connections };
    opts.max_connections(max)
        .min_connections(if memory { 1 } else { 0 })
        .acquire_timeout(settings.acquire_timeout)
        .connect_timeout(settings.acquire_timeout)
        // Ping a pooled connection only after it sat idle: a ping on every checkout is
        // one more round trip per statement (three per nested list), which PostgreSQL
        // pays as a wake-up each. A connection that died while busy fails its next
        // statement once (answered UNAVAILABLE) and is replaced.
        .test_before_acquire_if_idle_for(IDLE_BEFORE_PING)
        .sqlx_logging(false);
    if let Some(limit) = settings.statement_timeout {
        let ms = limit.as_millis();
        opts.map_sqlx_postgres_opts(move |pg| pg.options([("statement_timeout", ms)]));
    }
    if memory {
        opts.idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>);
    } else {
        // Set on the connect options, so every pooled connection gets them when it
        // opens (sea-orm's `after_connect` runs once for the whole pool, not per
        // connection). A writer waits this long for another writer instead of failing
        // at once with "database is locked"; WAL lets readers run beside the writer.
        let busy = settings.acquire_timeout;
        opts.map_sqlx_sqlite_opts(move |o| {
            o.busy_timeout(busy).journal_mode(SqliteJournalMode::Wal)
        });
    }
    let mut db = Database::connect(opts)
        .await
        .map_err(|e| AppError::Internal(connect_failure(settings.url, &e)))?;
    let counter = metrics.statements.clone();
    let latency = metrics.statement_latency.clone();
    db.set_metric_callback(move |info| {
        counter.inc();
        latency.observe(info.elapsed.as_secs_f64());
        tracing::trace!(target: "salesgraph::sql", elapsed_us = info.elapsed.as_micros() as u64, sql = %info.statement, "statement");
    });
    Ok(db)
}

/// Why the database at `url` could not be reached, naming what was tried (never a
/// password) and the fix.
fn connect_failure(url: &str, err: &DbErr) -> String {
    use std::str::FromStr;

    use sea_orm::sqlx::{postgres::PgConnectOptions, sqlite::SqliteConnectOptions};
    let cause = err.to_string();
    // The driver's text, without the source position sea-orm appends to it.
    let cause = cause
        .split(" at line ")
        .next()
        .unwrap_or(&cause)
        .to_string();
    if url.starts_with("sqlite:") {
        let file = SqliteConnectOptions::from_str(url)
            .map(|o| o.get_filename().display().to_string())
            .unwrap_or_else(|_| url.to_string());
        return format!(
            "cannot open the SQLite database file `{file}` ({cause}); its folder must exist, \
             and DATABASE_URL must end in `?mode=rwc` for the file to be created \
             (e.g. sqlite://salesgraph.db?mode=rwc)"
        );
    }
    let Ok(pg) = PgConnectOptions::from_str(url) else {
        return format!("DATABASE_URL is not a database URL ({cause})");
    };
    let (host, port) = (pg.get_host().to_string(), pg.get_port());
    let database = pg
        .get_database()
        .unwrap_or("(the user's default)")
        .to_string();
    let user = pg.get_username().to_string();
    let missing_database = matches!(err, DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e))
        if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("3D000"));
    if missing_database {
        format!(
            "PostgreSQL at {host}:{port} has no database `{database}`: create it \
             (createdb -h {host} -p {port} -U {user} {database}) or fix DATABASE_URL"
        )
    } else {
        format!(
            "cannot connect to PostgreSQL at {host}:{port} (database `{database}`, user \
             `{user}`): {cause}. Is it running and reachable? Check DATABASE_URL"
        )
    }
}

/// Opens a transaction for a use case that writes. Every service that changes data
/// starts here, never with a bare `begin()`.
///
/// SQLite: `BEGIN IMMEDIATE` takes the write lock up front. A deferred transaction that
/// reads and then writes fails with "database is locked" when another connection wrote
/// in between (SQLite cannot upgrade it, and the busy timeout does not help), so two
/// racing writers would end in an internal error; taken up front, the second simply
/// waits for the first (busy timeout) and then reads fresh data. PostgreSQL: an
/// ordinary transaction (the mode is ignored there); rows are locked `FOR UPDATE`.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    })
    .await
}

/// The advisory lock key replicas migrating at once take on PostgreSQL (any constant
/// the application owns; this one spells "sgmigr").
const MIGRATION_LOCK: i64 = 0x7367_6d69_6772;

/// Applies the pending migrations. On PostgreSQL they run in one transaction holding
/// an advisory lock, since sea-orm-migration takes none: replicas starting together
/// queue on the lock, and each after the first finds nothing left to do (PostgreSQL's
/// DDL is transactional, so a failed migration leaves nothing half done).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), AppError> {
    let failed = |e: sea_orm::DbErr| AppError::Internal(format!("migration failed: {e}"));
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Migrator::up(db, None).await.map_err(failed);
    }
    let txn = db.begin().await.map_err(failed)?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await
        .map_err(failed)?;
    Migrator::up(&txn, None).await.map_err(failed)?;
    txn.commit().await.map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    fn pragma(name: &str) -> Statement {
        Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {name}"))
    }

    /// Every pooled connection of a file database carries the busy timeout, not only
    /// the first one: four transactions held at once use four different connections.
    #[tokio::test]
    async fn every_sqlite_connection_waits_for_the_writer() {
        let path = std::env::temp_dir().join(format!("sg-busy-{}.db", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let metrics = Arc::new(Metrics::new().unwrap());
        let settings = DbSettings {
            url: &url,
            max_connections: 4,
            acquire_timeout: Duration::from_millis(4321),
            statement_timeout: None,
        };
        let db = connect(settings, metrics).await.unwrap();
        let mut txns = Vec::new();
        for _ in 0..4 {
            txns.push(db.begin().await.unwrap());
        }
        for txn in &txns {
            let row = txn
                .query_one_raw(pragma("busy_timeout"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), 4321);
            let row = txn
                .query_one_raw(pragma("journal_mode"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "wal");
        }
        drop(txns);
        db.close().await.unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
