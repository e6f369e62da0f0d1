//! Prometheus metrics: requests, latency, errors by code, SQL statements, the pool.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::error::AppError;

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub errors: IntCounterVec,
    pub statements: IntCounter,
    pub pool_size: IntGauge,
    pub pool_idle: IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Self, AppError> {
        let registry =
            Registry::new_custom(Some("salesgraph".into()), None).map_err(AppError::internal)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status"),
            &["route", "status"],
        )
        .map_err(AppError::internal)?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["route"],
        )
        .map_err(AppError::internal)?;
        let errors = IntCounterVec::new(
            Opts::new("graphql_errors_total", "GraphQL errors by extensions.code"),
            &["code"],
        )
        .map_err(AppError::internal)?;
        let statements = IntCounter::new("db_statements_total", "SQL statements executed")
            .map_err(AppError::internal)?;
        let pool_size = IntGauge::new("db_pool_connections", "Open database connections")
            .map_err(AppError::internal)?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections")
            .map_err(AppError::internal)?;
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(errors.clone()),
            Box::new(statements.clone()),
            Box::new(pool_size.clone()),
            Box::new(pool_idle.clone()),
        ] {
            registry.register(c).map_err(AppError::internal)?;
        }
        Ok(Self {
            registry,
            requests,
            latency,
            errors,
            statements,
            pool_size,
            pool_idle,
        })
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}
