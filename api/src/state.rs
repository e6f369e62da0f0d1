//! What every request shares: the pool, the settings, the token keys, the hasher, metrics.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{jwt::TokenKeys, password::Passwords},
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
    /// "Now" for everything computed on read (deal registration expiry); tests move it.
    pub clock: Clock,
}

/// The one clock: the system time plus an offset that tests can advance, shared by
/// every clone of the state.
#[derive(Clone, Default)]
pub struct Clock(Arc<std::sync::atomic::AtomicI64>);

impl Clock {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
            + chrono::TimeDelta::seconds(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Moves the clock forward (tests).
    pub fn advance(&self, by: chrono::TimeDelta) {
        self.0
            .fetch_add(by.num_seconds(), std::sync::atomic::Ordering::Relaxed);
    }
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
