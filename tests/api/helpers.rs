//! `TestApp::spawn()`: a server on port 0 over a fresh database, with one user per role
//! and a token for each.

use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

use api::{
    config::Config,
    db::{self, DbSettings},
    metrics::Metrics,
    startup,
    state::AppState,
};
use entity::users;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

pub use crate::fixture::Fixture;
use crate::fixture::seed_fixture;

pub const PASSWORD: &str = "test-password-123";
/// Test key ring: `k2` signs, `k1` is the previous key and still verifies.
pub const KEY_CURRENT: &[u8] = b"0123456789abcdef0123456789abcdef-current";
pub const KEY_PREVIOUS: &[u8] = b"0123456789abcdef0123456789abcdef-previous";
pub const ISSUER: &str = "salesgraph-test";
pub const AUDIENCE: &str = "salesgraph-test-api";

fn b64(key: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(key)
}

pub fn test_settings() -> HashMap<String, String> {
    HashMap::from([
        ("SALESGRAPH_ENV".into(), "development".into()),
        ("SALESGRAPH_ADDR".into(), "127.0.0.1:0".into()),
        ("SALESGRAPH_SEED_DEMO".into(), "false".into()),
        (
            "SALESGRAPH_JWT_KEYS".into(),
            format!("k2:{},k1:{}", b64(KEY_CURRENT), b64(KEY_PREVIOUS)),
        ),
        ("SALESGRAPH_JWT_ISSUER".into(), ISSUER.into()),
        ("SALESGRAPH_JWT_AUDIENCE".into(), AUDIENCE.into()),
        ("SALESGRAPH_LOGIN_FREE_ATTEMPTS".into(), "3".into()),
        ("SALESGRAPH_LOGIN_BASE_DELAY_MS".into(), "300".into()),
        ("SALESGRAPH_LOGIN_MAX_DELAY_SECS".into(), "2".into()),
        ("SALESGRAPH_MAX_ALIASES".into(), "10".into()),
        ("SALESGRAPH_MAX_BATCH".into(), "3".into()),
        ("SALESGRAPH_MAX_BODY_BYTES".into(), "16384".into()),
        ("SALESGRAPH_MAX_DEPTH".into(), "8".into()),
    ])
}

pub struct TestApp {
    pub addr: String,
    /// The database URL, for a second server on the same database.
    pub url: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub state: AppState,
    pub fx: Fixture,
    pg_database: Option<String>,
    sqlite_file: Option<std::path::PathBuf>,
}

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// For race tests: on SQLite a temporary database file with several pooled
    /// connections (the in-memory database has one connection, which serializes every
    /// request, so a race there cannot fail), deleted afterwards. On PostgreSQL the
    /// same as `spawn()`.
    pub async fn spawn_file() -> TestApp {
        Self::spawn_inner(true, |_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut HashMap<String, String>)) -> TestApp {
        Self::spawn_inner(false, tweak).await
    }

    async fn spawn_inner(file: bool, tweak: impl FnOnce(&mut HashMap<String, String>)) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            let _ = tracing_subscriber_init();
        }
        let mut settings = test_settings();
        tweak(&mut settings);
        let metrics = Arc::new(Metrics::new().unwrap());
        let mut sqlite_file = None;
        let (url, pg_database) = match std::env::var("TEST_DATABASE_URL") {
            Ok(base) => {
                let name = pg_clone_template(&base).await;
                (replace_db_name(&base, &name), Some(name))
            }
            Err(_) if file => {
                let path =
                    std::env::temp_dir().join(format!("salesgraph-test-{}.db", Uuid::new_v4()));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                sqlite_file = Some(path);
                (url, None)
            }
            Err(_) => ("sqlite::memory:".to_string(), None),
        };
        settings.insert("DATABASE_URL".into(), url.clone());
        let config = Config::from_source(&settings).unwrap();
        let db = db::connect(
            DbSettings {
                url: &url,
                max_connections: if file { 8 } else { 5 },
                acquire_timeout: std::time::Duration::from_secs(10),
                statement_timeout: Some(config.limits.statement_timeout),
            },
            metrics.clone(),
        )
        .await
        .unwrap();
        if pg_database.is_none() {
            db::migrate(&db).await.unwrap();
        }
        let fx = seed_fixture(&db).await;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let app = startup::build_with(config, db.clone(), metrics, listener).unwrap();
        let addr = format!("http://127.0.0.1:{}", app.port);
        tokio::spawn(app.server);
        // Live events committed from here on reach this server's subscribers.
        app.state.hub.ready().await;
        TestApp {
            addr,
            url: url.clone(),
            client: reqwest::Client::new(),
            db,
            state: app.state,
            fx,
            pg_database,
            sqlite_file,
        }
    }

    pub fn user(&self, key: &str) -> &users::Model {
        self.fx
            .users
            .get(key)
            .unwrap_or_else(|| panic!("no fixture user {key}"))
    }

    /// A valid access token for a fixture user, minted with the server's own keys.
    pub fn token(&self, key: &str) -> String {
        let u = self.user(key);
        self.state.keys.issue(u.id, u.role).unwrap().token
    }

    pub fn gid(type_name: &str, id: Uuid) -> String {
        api::domain::GlobalId::encode(type_name, id)
    }

    pub async fn post_raw(&self, body: Value, token: Option<&str>) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.addr))
            .json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Runs a GraphQL operation and returns the JSON body.
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let resp = self
            .post_raw(json!({ "query": query, "variables": variables }), token)
            .await;
        resp.json().await.unwrap()
    }

    /// As `gql`, for the fixture user `who`.
    pub async fn gql_as(&self, who: &str, query: &str, variables: Value) -> Value {
        let token = self.token(who);
        self.gql(query, variables, Some(&token)).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        self.gql(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken expiresAt user { email role } } }",
            json!({ "e": email, "p": password }),
            None,
        )
        .await
    }

    /// Total SQL statements run so far on this app's pool.
    pub fn statements(&self) -> u64 {
        self.state.metrics.statements.get()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(path) = self.sqlite_file.take() {
            // The server task may still hold connections; unlinking is fine on Unix.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        let (Some(name), Ok(base)) = (self.pg_database.take(), std::env::var("TEST_DATABASE_URL"))
        else {
            return;
        };
        // Drop the per-test database on a thread of its own: Drop cannot await.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(admin) = Database::connect(&base).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

fn tracing_subscriber_init() -> Result<(), ()> {
    let mut settings = test_settings();
    settings.insert(
        "SALESGRAPH_LOG".into(),
        std::env::var("TEST_LOG")
            .ok()
            .filter(|v| v.contains('='))
            .unwrap_or_else(|| "debug".into()),
    );
    let _no_export = api::telemetry::init(&Config::from_source(&settings).map_err(|_| ())?);
    Ok(())
}

pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

pub fn base_db_name(url: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    base.rsplit('/').next().unwrap_or("salesgraph").to_string()
}

/// A migrated template per test process; each test gets a clone of it (crates.io's way:
/// `CREATE DATABASE .. TEMPLATE` is far faster than running migrations per test).
async fn pg_clone_template(base_url: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let base = base_db_name(base_url);
    let template = TEMPLATE
        .get_or_init(|| async {
            let name = format!("{base}_tpl_{}", std::process::id());
            let admin = Database::connect(base_url).await.unwrap();
            drop_leftovers(&admin, &base).await;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
            admin.close().await.unwrap();
            let tpl = Database::connect(replace_db_name(base_url, &name))
                .await
                .unwrap();
            api::db::migrate(&tpl).await.unwrap();
            tpl.close().await.unwrap();
            name
        })
        .await
        .clone();
    let n = NEXT_DB.fetch_add(1, Ordering::SeqCst);
    let name = format!("{base}_t{}_{n}", std::process::id());
    let admin = Database::connect(base_url).await.unwrap();
    admin
        .execute_unprepared(&format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        ))
        .await
        .unwrap();
    admin.close().await.unwrap();
    name
}

/// Databases of earlier test processes that died before dropping them (the process id
/// is part of each name; a process that no longer exists left them behind).
async fn drop_leftovers(admin: &DatabaseConnection, base: &str) {
    use sea_orm::{FromQueryResult, JsonValue, Statement};
    let rows = JsonValue::find_by_statement(Statement::from_string(
        admin.get_database_backend(),
        format!("SELECT datname FROM pg_database WHERE datname LIKE '{base}\\_t%'"),
    ))
    .all(admin)
    .await
    .unwrap_or_default();
    for row in rows {
        let Some(name) = row["datname"].as_str() else {
            continue;
        };
        let pid = name[base.len()..]
            .trim_start_matches("_tpl_")
            .trim_start_matches("_t")
            .split('_')
            .next()
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid
            && pid != std::process::id()
            && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

/// The `extensions.code` of the first error, if any.
/// Refused before execution as a name that does not exist is (what partners get for
/// anything off their allowlist): no data, and only unknown-name validation errors.
pub fn unknown_name(body: &Value) -> bool {
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    !errors.is_empty()
        && body["data"].is_null()
        && errors.iter().all(|e| {
            let m = e["message"].as_str().unwrap_or_default();
            e["extensions"]["code"] == "BAD_USER_INPUT"
                && [
                    "Unknown field",
                    "Unknown type",
                    "Unknown argument",
                    "unknown field",
                    "does not contain the value",
                ]
                .iter()
                .any(|p| m.contains(p))
        })
}

pub fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

pub const ROLES: &[&str] = &["sdr", "ae", "am", "cs", "manager", "director", "partner"];
