//! What every request shares: the pool, the settings, the token keys, the hasher, metrics.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{jwt::TokenKeys, password::Passwords},
    clock::Clock,
    config::Config,
    error::AppError,
    metrics::Metrics,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub keys: TokenKeys,
    pub passwords: Passwords,
    pub metrics: Arc<Metrics>,
    /// The time every deadline is measured against; tests move it.
    pub clock: Clock,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        metrics: Arc<Metrics>,
    ) -> Result<Self, AppError> {
        Ok(Self {
            keys: TokenKeys::new(&config)?,
            passwords: Passwords::new(&config.argon2)?,
            db,
            config: Arc::new(config),
            metrics,
            clock: Clock::default(),
        })
    }
}
