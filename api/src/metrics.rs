//! Prometheus metrics: requests, latency, errors by code, SQL statements, the pool, live
//! subscriptions and their events.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::error::AppError;

/// Distinct operation names kept as labels before the rest fold into [`OTHER_OPERATIONS`].
pub const MAX_OPERATION_LABELS: usize = 200;
pub const OTHER_OPERATIONS: &str = "_other";
/// The labels of `ws_refusals_total`.
pub const WS_LIMITS: [&str; 3] = [
    "subscriptions_per_socket",
    "sockets_per_user",
    "pending_sockets",
];

/// A GraphQL name of bounded length: `[_A-Za-z][_0-9A-Za-z]*`.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 64
        && chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

pub struct Metrics {
    registry: Registry,
    /// Operation names seen so far; past the cap new names fold into one label.
    operations: std::sync::Mutex<std::collections::HashSet<String>>,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub errors: IntCounterVec,
    pub statements: IntCounter,
    /// How long each SQL statement took, as the driver measured it.
    pub statement_latency: prometheus::Histogram,
    pub pool_size: IntGauge,
    pub pool_idle: IntGauge,
    /// Subscriptions open on this replica.
    pub live_subscriptions: IntGauge,
    /// Events this replica's fan-out handled (committed here or on another replica).
    pub live_events_received: IntCounter,
    /// Events handed to a subscriber's queue.
    pub live_events_delivered: IntCounter,
    /// Events not delivered, by reason: `slow_subscriber` (per subscriber whose queue was
    /// full; it is disconnected), `lagged` and `error` (per event this replica's fan-out
    /// missed or could not load).
    pub live_events_dropped: IntCounterVec,
    /// WebSocket refusals by limit: `subscriptions_per_socket`, `sockets_per_user`,
    /// `pending_sockets`.
    pub ws_refusals: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Self, AppError> {
        let registry =
            Registry::new_custom(Some("salesgraph".into()), None).map_err(AppError::internal)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, GraphQL operation name and status, refused ones included",
            ),
            &["route", "operation", "status"],
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
        let statement_latency = prometheus::Histogram::with_opts(
            HistogramOpts::new(
                "db_statement_duration_seconds",
                "SQL statement latency, from send to the last row",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
            ]),
        )
        .map_err(AppError::internal)?;
        let pool_size = IntGauge::new("db_pool_connections", "Open database connections")
            .map_err(AppError::internal)?;
        let pool_idle = IntGauge::new("db_pool_idle_connections", "Idle database connections")
            .map_err(AppError::internal)?;
        let live_subscriptions = IntGauge::new(
            "live_subscriptions",
            "Live subscriptions (handoffEvents) open on this replica",
        )
        .map_err(AppError::internal)?;
        let live_events_received = IntCounter::new(
            "live_events_received_total",
            "Live events this replica's fan-out handled, committed here or on another replica",
        )
        .map_err(AppError::internal)?;
        let live_events_delivered = IntCounter::new(
            "live_events_delivered_total",
            "Live events handed to a subscriber's queue",
        )
        .map_err(AppError::internal)?;
        let live_events_dropped = IntCounterVec::new(
            Opts::new(
                "live_events_dropped_total",
                "Live events not delivered: to a slow subscriber (which is disconnected), or by this replica's fan-out (lagged, error)",
            ),
            &["reason"],
        )
        .map_err(AppError::internal)?;
        for reason in ["slow_subscriber", "lagged", "error"] {
            live_events_dropped.with_label_values(&[reason]);
        }
        let ws_refusals = IntCounterVec::new(
            Opts::new(
                "ws_refusals_total",
                "WebSocket subscriptions and sockets refused by a per-replica limit",
            ),
            &["limit"],
        )
        .map_err(AppError::internal)?;
        for limit in WS_LIMITS {
            ws_refusals.with_label_values(&[limit]);
        }
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(errors.clone()),
            Box::new(statements.clone()),
            Box::new(statement_latency.clone()),
            // CPU seconds, resident memory, open files, threads of this process.
            Box::new(prometheus::process_collector::ProcessCollector::for_self()),
            Box::new(pool_size.clone()),
            Box::new(pool_idle.clone()),
            Box::new(live_subscriptions.clone()),
            Box::new(live_events_received.clone()),
            Box::new(live_events_delivered.clone()),
            Box::new(live_events_dropped.clone()),
            Box::new(ws_refusals.clone()),
        ] {
            registry.register(c).map_err(AppError::internal)?;
        }
        Ok(Self {
            registry,
            operations: Default::default(),
            requests,
            latency,
            errors,
            statements,
            statement_latency,
            pool_size,
            pool_idle,
            live_subscriptions,
            live_events_received,
            live_events_delivered,
            live_events_dropped,
            ws_refusals,
        })
    }

    /// Counts one HTTP request. Operation names are client input: only well-formed names
    /// become labels, and only the first [`MAX_OPERATION_LABELS`] of them.
    pub fn observe_request(&self, route: &str, operation: Option<&str>, status: &str, secs: f64) {
        let operation = match operation {
            None => "",
            Some(op) if !is_name(op) => OTHER_OPERATIONS,
            Some(op) => {
                let mut seen = self
                    .operations
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if seen.contains(op) || seen.len() < MAX_OPERATION_LABELS {
                    seen.insert(op.to_string());
                    op
                } else {
                    OTHER_OPERATIONS
                }
            }
        };
        self.requests
            .with_label_values(&[route, operation, status])
            .inc();
        self.latency.with_label_values(&[route]).observe(secs);
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "metrics encoding failed");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}
