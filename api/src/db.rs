//! Connecting to SQLite or PostgreSQL, counting statements, applying migrations.

use std::{sync::Arc, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

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
        .sqlx_logging(false);
    if let Some(limit) = settings.statement_timeout {
        let ms = limit.as_millis();
        opts.map_sqlx_postgres_opts(move |pg| pg.options([("statement_timeout", ms)]));
    }
    if memory {
        opts.idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>);
    }
    let mut db = Database::connect(opts)
        .await
        .map_err(|e| AppError::Internal(format!("cannot connect to the database: {e}")))?;
    let counter = metrics.statements.clone();
    let latency = metrics.statement_latency.clone();
    db.set_metric_callback(move |info| {
        counter.inc();
        latency.observe(info.elapsed.as_secs_f64());
        tracing::trace!(target: "salesgraph::sql", elapsed_us = info.elapsed.as_micros() as u64, sql = %info.statement, "statement");
    });
    if db.get_database_backend() == DbBackend::Sqlite && !memory {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), AppError> {
    Migrator::up(db, None)
        .await
        .map_err(|e| AppError::Internal(format!("migration failed: {e}")))
}
