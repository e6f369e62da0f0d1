//! Settings read once from the environment (and `.env`), validated at start.
//!
//! Secrets never appear in `Debug` output or logs: the key ring prints only its key ids.

use std::{collections::HashMap, fmt, net::SocketAddr, time::Duration};

mod keys;
mod origins;

use keys::parse_key_ring;
pub use keys::{KeyRing, MIN_KEY_BYTES};
use origins::{cors_origins, header_names};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_directives: usize,
    pub max_body_bytes: usize,
    pub max_batch: usize,
    /// Cost limits of `graphql::cost` (depth, complexity, aliases above are its too).
    pub max_root_fields: usize,
    pub max_duplicate_fields: usize,
    /// Fields one request may resolve (`graphql::budget`), enforced while loading.
    pub max_fields: usize,
    /// A request answers within this, whatever the backend.
    pub request_timeout: Duration,
    /// Each SQL statement's limit on PostgreSQL (`statement_timeout`).
    pub statement_timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct LoginThrottle {
    /// Failures allowed before delays start.
    pub free_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

#[derive(Debug, Clone)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

/// Handoff settings: the SLA of each kind and the defaults of a lead conversion.
#[derive(Debug, Clone)]
pub struct HandoffSettings {
    pub sla_sdr_to_ae: chrono::TimeDelta,
    pub sla_ae_to_am: chrono::TimeDelta,
    pub sla_ae_to_cs: chrono::TimeDelta,
    pub sla_cs_to_am: chrono::TimeDelta,
    pub sla_am_to_cs: chrono::TimeDelta,
    /// How far ahead the close date of an opportunity created on a handoff lies.
    pub sales_cycle_days: i64,
}

impl HandoffSettings {
    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let hours = |key: &str, default: i64| -> Result<chrono::TimeDelta, ConfigError> {
            Ok(chrono::TimeDelta::hours(num(
                src,
                key,
                default,
                1,
                24 * 365,
            )?))
        };
        Ok(Self {
            sla_sdr_to_ae: hours("SALESGRAPH_HANDOFF_SLA_HOURS_SDR_TO_AE", 24)?,
            sla_ae_to_am: hours("SALESGRAPH_HANDOFF_SLA_HOURS_AE_TO_AM", 48)?,
            sla_ae_to_cs: hours("SALESGRAPH_HANDOFF_SLA_HOURS_AE_TO_CS", 48)?,
            sla_cs_to_am: hours("SALESGRAPH_HANDOFF_SLA_HOURS_CS_TO_AM", 72)?,
            sla_am_to_cs: hours("SALESGRAPH_HANDOFF_SLA_HOURS_AM_TO_CS", 48)?,
            sales_cycle_days: num(src, "SALESGRAPH_SALES_CYCLE_DAYS", 90, 1, 3_650)?,
        })
    }

    pub fn sla(&self, kind: entity::enums::HandoffKind) -> chrono::TimeDelta {
        use entity::enums::HandoffKind as K;
        match kind {
            K::SdrToAe => self.sla_sdr_to_ae,
            K::AeToAm => self.sla_ae_to_am,
            K::AeToCs => self.sla_ae_to_cs,
            K::CsToAm => self.sla_cs_to_am,
            K::AmToCs => self.sla_am_to_cs,
        }
    }
}

/// WebSocket subscriptions.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    /// Events queued per subscription before a slow subscriber is disconnected.
    pub queue: usize,
    /// How long a socket may wait before `connection_init`.
    pub init_timeout: std::time::Duration,
    /// How often the server pings an idle socket.
    pub keepalive: std::time::Duration,
    /// Live subscriptions one socket may hold at once.
    pub max_subscriptions_per_socket: usize,
    /// Sockets one user may hold open on this replica.
    pub max_sockets_per_user: usize,
    /// Sockets that may wait for `connection_init` on this replica at once.
    pub max_pending_sockets: usize,
}

impl LiveSettings {
    fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        Ok(Self {
            queue: num(src, "SALESGRAPH_WS_QUEUE", 64, 1, 10_000)?,
            init_timeout: Duration::from_millis(num(
                src,
                "SALESGRAPH_WS_INIT_TIMEOUT_MS",
                10_000,
                50,
                600_000,
            )?),
            keepalive: secs(src, "SALESGRAPH_WS_KEEPALIVE_SECS", 15, 1, 3_600)?,
            max_subscriptions_per_socket: num(
                src,
                "SALESGRAPH_WS_MAX_SUBSCRIPTIONS_PER_SOCKET",
                100,
                1,
                10_000,
            )?,
            max_sockets_per_user: num(src, "SALESGRAPH_WS_MAX_SOCKETS_PER_USER", 10, 1, 1_000)?,
            max_pending_sockets: num(src, "SALESGRAPH_WS_MAX_PENDING_SOCKETS", 256, 1, 100_000)?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub env: Environment,
    pub addr: SocketAddr,
    /// Where `/metrics` is served instead of `addr`, when set.
    pub metrics_addr: Option<SocketAddr>,
    pub database_url: String,
    pub db_max_connections: u32,
    pub db_acquire_timeout: Duration,
    pub keys: KeyRing,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub throttle: LoginThrottle,
    pub argon2: Argon2Params,
    pub graphiql: bool,
    pub introspection: bool,
    pub seed_demo: bool,
    /// Answer the reads `graphql::compiled` can plan with one statement (PostgreSQL).
    pub compiled_reads: bool,
    pub limits: Limits,
    pub handoffs: HandoffSettings,
    pub live: LiveSettings,
    pub log_filter: String,
    /// How long SIGTERM waits for in-flight requests.
    pub shutdown_timeout_secs: u64,
    /// Browser origins allowed to call the API (CORS); none by default.
    pub cors_origins: Vec<String>,
    /// Request headers browsers may send beyond `startup::CORS_ALLOW_HEADERS`.
    pub cors_allow_headers: Vec<String>,
    /// Trusted-documents mode: only the operations of this file run.
    pub trusted_documents: Option<std::path::PathBuf>,
    /// Memory for automatic persisted queries' documents.
    pub apq_cache_bytes: usize,
    /// OTLP/HTTP collector (`http://host:4318`) for traces; none by default.
    pub otlp_endpoint: Option<String>,
    /// The calendar month (1..=12) fiscal years start in: FY2026 starts in 2026.
    pub fiscal_year_start_month: u32,
    /// Deal registration: exclusivity after approval, and submissions per partner
    /// organization per hour.
    pub deal_registration: DealRegistrationSettings,
}

#[derive(Debug, Clone)]
pub struct DealRegistrationSettings {
    pub exclusivity_days: i64,
    pub max_per_hour: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

/// Where settings come from; a map in tests, the process environment otherwise.
pub trait Source {
    fn get(&self, key: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, key: &str) -> Option<String> {
        std::env::var(key).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for HashMap<String, String> {
    fn get(&self, key: &str) -> Option<String> {
        HashMap::get(self, key).cloned()
    }
}

impl Config {
    /// Reads `.env` (if present, without overriding the real environment) and the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_source(&ProcessEnv)
    }

    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let env = match src.get("SALESGRAPH_ENV").as_deref() {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(ConfigError(format!(
                    "SALESGRAPH_ENV must be `development` or `production`, not `{other}`"
                )));
            }
        };
        let dev = env == Environment::Development;
        let addr_text = src
            .get("SALESGRAPH_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr: SocketAddr = addr_text.parse().map_err(|_| {
            ConfigError(format!(
                "SALESGRAPH_ADDR must be host:port, e.g. 127.0.0.1:8080, not `{addr_text}`"
            ))
        })?;
        if dev && !addr.ip().is_loopback() {
            return Err(ConfigError(format!(
                "SALESGRAPH_ADDR {addr} is not a loopback address: development mode's signing key and demo passwords are public, so it serves only 127.0.0.1 or ::1; set SALESGRAPH_ENV=production (with real keys) to listen on {addr}"
            )));
        }
        let metrics_addr = match src.get("SALESGRAPH_METRICS_ADDR").filter(|v| !v.is_empty()) {
            None => None,
            Some(text) => {
                let a: SocketAddr = text.parse().map_err(|_| {
                    ConfigError(format!(
                        "SALESGRAPH_METRICS_ADDR must be host:port, e.g. 127.0.0.1:9090, not `{text}`"
                    ))
                })?;
                if dev && !a.ip().is_loopback() {
                    return Err(ConfigError(format!(
                        "SALESGRAPH_METRICS_ADDR {a} is not a loopback address: development mode serves only 127.0.0.1 or ::1"
                    )));
                }
                Some(a)
            }
        };
        let database_url = src
            .get("DATABASE_URL")
            .unwrap_or_else(|| "sqlite://salesgraph.db?mode=rwc".into());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(ConfigError(
                "DATABASE_URL must start with sqlite: or postgres://".into(),
            ));
        }
        let keys = parse_key_ring(src.get("SALESGRAPH_JWT_KEYS"), env)?;
        let access_token_ttl = secs(src, "SALESGRAPH_ACCESS_TOKEN_TTL_SECS", 900, 30, 86_400)?;
        let refresh_token_ttl = secs(
            src,
            "SALESGRAPH_REFRESH_TOKEN_TTL_SECS",
            30 * 86_400,
            60,
            365 * 86_400,
        )?;
        let argon2 = Argon2Params {
            memory_kib: num(
                src,
                "SALESGRAPH_ARGON2_MEMORY_KIB",
                19_456,
                19_456,
                4_194_304,
            )?,
            iterations: num(src, "SALESGRAPH_ARGON2_ITERATIONS", 2, 2, 64)?,
            parallelism: num(src, "SALESGRAPH_ARGON2_PARALLELISM", 1, 1, 16)?,
        };
        let throttle = LoginThrottle {
            free_attempts: num(src, "SALESGRAPH_LOGIN_FREE_ATTEMPTS", 5, 1, 100)?,
            base_delay: Duration::from_millis(num(
                src,
                "SALESGRAPH_LOGIN_BASE_DELAY_MS",
                1_000,
                10,
                3_600_000,
            )?),
            max_delay: secs(src, "SALESGRAPH_LOGIN_MAX_DELAY_SECS", 900, 1, 86_400)?,
        };
        let limits = Limits {
            max_depth: num(src, "SALESGRAPH_MAX_DEPTH", 12, 2, 100)?,
            max_complexity: num(src, "SALESGRAPH_MAX_COMPLEXITY", 50_000, 10, 100_000_000)?,
            max_aliases: num(src, "SALESGRAPH_MAX_ALIASES", 30, 1, 1_000)?,
            max_directives: num(src, "SALESGRAPH_MAX_DIRECTIVES", 10, 1, 1_000)?,
            max_body_bytes: num(
                src,
                "SALESGRAPH_MAX_BODY_BYTES",
                256 * 1024,
                1_024,
                64 << 20,
            )?,
            max_batch: num(src, "SALESGRAPH_MAX_BATCH", 10, 1, 100)?,
            max_root_fields: num(src, "SALESGRAPH_MAX_ROOT_FIELDS", 20, 1, 1_000)?,
            max_duplicate_fields: num(src, "SALESGRAPH_MAX_DUPLICATE_FIELDS", 20, 0, 10_000)?,
            max_fields: num(src, "SALESGRAPH_MAX_FIELDS", 20_000, 10, 10_000_000)?,
            request_timeout: Duration::from_millis(num(
                src,
                "SALESGRAPH_REQUEST_TIMEOUT_MS",
                10_000,
                1,
                600_000,
            )?),
            statement_timeout: Duration::from_millis(num(
                src,
                "SALESGRAPH_STATEMENT_TIMEOUT_MS",
                5_000,
                1,
                600_000,
            )?),
        };
        Ok(Config {
            env,
            addr,
            metrics_addr,
            database_url,
            db_max_connections: num(src, "SALESGRAPH_DB_MAX_CONNECTIONS", 10, 1, 1_000)?,
            db_acquire_timeout: secs(src, "SALESGRAPH_DB_ACQUIRE_TIMEOUT_SECS", 3, 1, 120)?,
            keys,
            jwt_issuer: src
                .get("SALESGRAPH_JWT_ISSUER")
                .unwrap_or_else(|| "salesgraph".into()),
            jwt_audience: src
                .get("SALESGRAPH_JWT_AUDIENCE")
                .unwrap_or_else(|| "salesgraph-api".into()),
            access_token_ttl,
            refresh_token_ttl,
            throttle,
            argon2,
            graphiql: flag(src, "SALESGRAPH_GRAPHIQL", dev)?,
            introspection: flag(src, "SALESGRAPH_INTROSPECTION", dev)?,
            seed_demo: flag(src, "SALESGRAPH_SEED_DEMO", dev)?,
            compiled_reads: flag(src, "SALESGRAPH_COMPILED_READS", true)?,
            limits,
            handoffs: HandoffSettings::from_source(src)?,
            live: LiveSettings::from_source(src)?,
            log_filter: src
                .get("SALESGRAPH_LOG")
                .or_else(|| src.get("RUST_LOG"))
                .unwrap_or_else(|| "info".into()),
            shutdown_timeout_secs: num(src, "SALESGRAPH_SHUTDOWN_TIMEOUT_SECS", 30, 0, 3_600)?,
            cors_origins: cors_origins(src.get("SALESGRAPH_CORS_ORIGINS"))?,
            cors_allow_headers: header_names(src.get("SALESGRAPH_CORS_ALLOW_HEADERS"))?,
            trusted_documents: src
                .get("SALESGRAPH_TRUSTED_DOCUMENTS")
                .map(std::path::PathBuf::from),
            otlp_endpoint: match src.get("SALESGRAPH_OTLP_ENDPOINT") {
                Some(e) if e.starts_with("http://") || e.starts_with("https://") => Some(e),
                Some(_) => {
                    return Err(ConfigError(
                        "SALESGRAPH_OTLP_ENDPOINT must be an http:// or https:// URL".into(),
                    ));
                }
                None => None,
            },
            apq_cache_bytes: num(src, "SALESGRAPH_APQ_CACHE_BYTES", 8 << 20, 0, 1 << 30)?,
            fiscal_year_start_month: num(src, "SALESGRAPH_FISCAL_YEAR_START_MONTH", 1, 1, 12)?,
            deal_registration: DealRegistrationSettings {
                exclusivity_days: num(src, "SALESGRAPH_DEAL_EXCLUSIVITY_DAYS", 90, 1, 3_650)?,
                max_per_hour: num(
                    src,
                    "SALESGRAPH_DEAL_REGISTRATIONS_PER_HOUR",
                    30,
                    1,
                    100_000,
                )?,
            },
        })
    }

    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }
}

fn num<T>(src: &dyn Source, key: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    let Some(raw) = src.get(key) else {
        return Ok(default);
    };
    let value: T = raw
        .trim()
        .parse()
        .map_err(|_| ConfigError(format!("{key} must be a whole number, not `{raw}`")))?;
    if value < min || value > max {
        return Err(ConfigError(format!(
            "{key} must be between {min} and {max}, not {value}"
        )));
    }
    Ok(value)
}

fn secs(
    src: &dyn Source,
    key: &str,
    default: u64,
    min: u64,
    max: u64,
) -> Result<Duration, ConfigError> {
    num(src, key, default, min, max).map(Duration::from_secs)
}

fn flag(src: &dyn Source, key: &str, default: bool) -> Result<bool, ConfigError> {
    match src
        .get(key)
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError(format!(
            "{key} must be true or false, not `{other}`"
        ))),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod defaults_test;
