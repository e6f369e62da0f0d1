//! What every request shares: the pool, the settings, the token keys, the hasher, metrics.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{jwt::TokenKeys, password::Passwords},
    clock::Clock,
    config::Config,
    error::AppError,
    events::Hub,
    metrics::Metrics,
    persisted::PersistedDocuments,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub keys: TokenKeys,
    pub passwords: Passwords,
    pub metrics: Arc<Metrics>,
    pub persisted: Arc<PersistedDocuments>,
    /// "Now" for everything computed against it (pacing, SLAs, expiry); tests set it.
    pub clock: Clock,
    /// Live handoff events of this replica.
    pub hub: Hub,
    /// WebSocket slots held on this replica.
    pub sockets: Arc<crate::sockets::Sockets>,
    /// The port `/metrics` is served on instead of the public one, when configured.
    pub metrics_port: Option<u16>,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        metrics: Arc<Metrics>,
    ) -> Result<Self, AppError> {
        let trusted = config
            .trusted_documents
            .as_deref()
            .map(PersistedDocuments::load_trusted)
            .transpose()
            .map_err(|e| AppError::Internal(format!("SALESGRAPH_TRUSTED_DOCUMENTS: {e}")))?;
        let persisted = PersistedDocuments::new(trusted, config.apq_cache_bytes)
            .map_err(|e| AppError::Internal(format!("SALESGRAPH_TRUSTED_DOCUMENTS: {e}")))?;
        let hub = Hub::new(config.live.queue, metrics.clone());
        Ok(Self {
            persisted: Arc::new(persisted),
            keys: TokenKeys::new(&config)?,
            passwords: Passwords::new(&config.argon2)?,
            db,
            config: Arc::new(config),
            metrics,
            clock: Clock::default(),
            hub,
            sockets: Arc::default(),
            metrics_port: None,
        })
    }
}
