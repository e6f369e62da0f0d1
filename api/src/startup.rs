//! Builds and runs the actix application. Tests bind port 0 and pass their own database.

use std::{net::TcpListener, sync::Arc};

use actix_web::{App, HttpServer, dev::Server, web};
use sea_orm::DatabaseConnection;
use tracing_actix_web::TracingLogger;

use crate::{
    config::Config,
    db::{self, DbSettings},
    error::AppError,
    graphql::Schemas,
    metrics::Metrics,
    seed,
    state::AppState,
};

pub struct Application {
    pub port: u16,
    pub server: Server,
    pub state: AppState,
}

/// Connects, migrates, seeds the demo organization in development when the database is
/// empty, and binds `config.addr`.
pub async fn build(config: Config) -> Result<Application, AppError> {
    let metrics = Arc::new(Metrics::new()?);
    let db = db::connect(
        DbSettings {
            url: &config.database_url,
            max_connections: config.db_max_connections,
            acquire_timeout: config.db_acquire_timeout,
        },
        metrics.clone(),
    )
    .await?;
    db::migrate(&db).await?;
    let listener = TcpListener::bind(config.addr)
        .map_err(|e| AppError::Internal(format!("cannot listen on {}: {e}", config.addr)))?;
    let seed_demo = config.seed_demo;
    let app = build_with(config, db, metrics, listener)?;
    if seed_demo && seed::demo::seed_if_empty(&app.state).await? {
        tracing::info!("seeded the demo organization");
    }
    Ok(app)
}

/// Serves on `listener` with an already migrated database.
pub fn build_with(
    config: Config,
    db: DatabaseConnection,
    metrics: Arc<Metrics>,
    listener: TcpListener,
) -> Result<Application, AppError> {
    let port = listener.local_addr().map_err(AppError::internal)?.port();
    let shutdown_timeout = config.shutdown_timeout_secs;
    let state = AppState::new(db, config, metrics)?;
    let schemas = Schemas::build(
        Some(state.clone()),
        &state.config.limits,
        state.config.introspection,
    );
    let data_state = web::Data::new(state.clone());
    let data_schema = web::Data::new(schemas.internal.clone());
    let data_schemas = web::Data::new(schemas);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(TracingLogger::default())
            .app_data(data_state.clone())
            .app_data(data_schema.clone())
            .app_data(data_schemas.clone())
            .configure(crate::http::routes)
    })
    .shutdown_timeout(shutdown_timeout)
    .listen(listener)
    .map_err(AppError::internal)?
    .run();
    Ok(Application {
        port,
        server,
        state,
    })
}
