//! Builds and runs the actix application. Tests bind port 0 and pass their own database.

use std::{net::TcpListener, sync::Arc};

use actix_cors::Cors;
use actix_web::{
    App, HttpServer,
    dev::Server,
    http::{Method, header},
    middleware::{Compress, from_fn},
    web,
};
use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    db::{self, DbSettings},
    error::AppError,
    graphql::Schemas,
    metrics::Metrics,
    middleware, seed,
    state::AppState,
};

pub struct Application {
    pub port: u16,
    /// The port `/metrics` is served on, when `SALESGRAPH_METRICS_ADDR` is set.
    pub metrics_port: Option<u16>,
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
            statement_timeout: Some(config.limits.statement_timeout),
        },
        metrics.clone(),
    )
    .await?;
    // The port first: a second instance on a busy port stops before it touches the
    // database.
    let listener = TcpListener::bind(config.addr)
        .map_err(|e| AppError::Internal(format!("cannot listen on {}: {e}", config.addr)))?;
    db::migrate(&db).await?;
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
    let url = config.database_url.clone();
    let metrics_listener = config
        .metrics_addr
        .map(|a| {
            TcpListener::bind(a).map_err(|e| {
                AppError::Internal(format!(
                    "cannot listen on {a} (SALESGRAPH_METRICS_ADDR): {e}"
                ))
            })
        })
        .transpose()?;
    let metrics_port = metrics_listener
        .as_ref()
        .map(|l| l.local_addr().map(|a| a.port()))
        .transpose()
        .map_err(AppError::internal)?;
    let mut state = AppState::new(db, config, metrics)?;
    state.metrics_port = metrics_port;
    state.hub.start(state.db.clone(), url);
    let schemas = Schemas::build(
        Some(state.clone()),
        &state.config.limits,
        state.config.introspection,
    );
    let data_state = web::Data::new(state.clone());
    let data_schema = web::Data::new(schemas.internal.clone());
    let data_schemas = web::Data::new(schemas);
    let cors_origins = state.config.cors_origins.clone();
    let cors_headers = state.config.cors_allow_headers.clone();
    let server = HttpServer::new(move || {
        // Wrapped last runs first: ids and logging see everything, CORS answers
        // preflights, and compression leaves small bodies alone.
        App::new()
            .wrap(from_fn(middleware::skip_small_bodies))
            .wrap(Compress::default())
            .wrap(from_fn(middleware::unmark_small_bodies))
            .wrap(cors(&cors_origins, &cors_headers))
            .wrap(from_fn(middleware::observe))
            .wrap(from_fn(middleware::metrics_port_only))
            .app_data(data_state.clone())
            .app_data(data_schema.clone())
            .app_data(data_schemas.clone())
            .configure(crate::http::routes)
            .configure(crate::graphiql::routes)
    })
    .shutdown_timeout(shutdown_timeout)
    .listen(listener)
    .map_err(AppError::internal)?;
    let server = match metrics_listener {
        Some(l) => server.listen(l).map_err(AppError::internal)?,
        None => server,
    }
    .run();
    Ok(Application {
        port,
        metrics_port,
        server,
        state,
    })
}

/// Headers a browser app may send besides the configured ones: the protocol's own,
/// Apollo Client's `clientAwareness`, and W3C trace context and Sentry's tracing, which
/// frontend instrumentation adds to every request.
pub const CORS_ALLOW_HEADERS: [&str; 10] = [
    "authorization",
    "content-type",
    "accept",
    "x-request-id",
    "apollographql-client-name",
    "apollographql-client-version",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
];

/// Browsers on the configured origins may call every route (none by default). A request
/// from any other origin is still served — same-origin pages such as GraphiQL send an
/// `Origin` too — but gets no CORS headers, so the browser withholds the answer.
/// Scripts may read the request id and a download's file name.
fn cors(origins: &[String], extra_headers: &[String]) -> Cors {
    let headers = CORS_ALLOW_HEADERS
        .iter()
        .map(|h| h.to_string())
        .chain(extra_headers.iter().cloned());
    origins
        .iter()
        .fold(Cors::default(), |c, o| c.allowed_origin(o))
        .allowed_methods([Method::GET, Method::POST])
        .allowed_headers(headers.collect::<Vec<_>>())
        .expose_headers([middleware::REQUEST_ID, header::CONTENT_DISPOSITION])
        .max_age(600)
        .block_on_origin_mismatch(false)
}
