//! The tracing subscriber: readable in development, JSON in production.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{Config, Environment};

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match config.env {
        Environment::Production => registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init(),
        Environment::Development => registry.with(fmt::layer().compact()).try_init(),
    };
}
