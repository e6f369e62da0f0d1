//! `TestApp::spawn()`: a server on port 0 over a fresh database, with one user per role
//! and a token for each.

use std::{
    collections::HashMap,
    net::TcpListener,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU32, Ordering},
    },
};

use api::{
    auth::password,
    config::Config,
    db::{self, DbSettings},
    metrics::Metrics,
    startup,
    state::AppState,
};
use chrono::Utc;
use entity::{enums::*, partners, users};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, DatabaseConnection, Set};
use serde_json::{Value, json};
use uuid::Uuid;

pub const PASSWORD: &str = "test-password-123";
/// Test key ring: `k2` signs, `k1` is the previous key and still verifies.
pub const KEY_CURRENT: &[u8] = b"0123456789abcdef0123456789abcdef-current";
pub const KEY_PREVIOUS: &[u8] = b"0123456789abcdef0123456789abcdef-previous";
pub const ISSUER: &str = "salesgraph-test";
pub const AUDIENCE: &str = "salesgraph-test-api";

/// Hashing at the production cost is slow; do it once per test process.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        password::hash_with(&password::default_params().unwrap(), PASSWORD).unwrap()
    })
}

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

/// The fixture organization: keys are short names used by tests.
pub struct Fixture {
    pub users: HashMap<&'static str, users::Model>,
    pub partners: HashMap<&'static str, partners::Model>,
    /// `global`, `amer` (manager's), `na_west` (under amer), `emea` (manager2's).
    pub territories: HashMap<&'static str, Uuid>,
    /// `acme` (ae/am/cs, na_west), `initech` (amer, unowned), `globex` (ae2, emea),
    /// `umbrella` (ae2, emea, registered by partner p1).
    pub accounts: HashMap<&'static str, Uuid>,
    /// `sdr_own` (sdr, amer), `handed` (sdr, qualified, pending handoff to ae),
    /// `unowned_amer` (na_west), `unowned_emea`, `team2` (ae2, emea).
    pub leads: HashMap<&'static str, Uuid>,
    /// `ae` (acme), `am` (acme, expansion), `ae2` (globex), `partner` (umbrella, p1),
    /// `partner2` (globex, p2).
    pub opportunities: HashMap<&'static str, Uuid>,
    /// `acme` (by ae), `globex` (by ae2), `lead` (on sdr_own, by sdr).
    pub activities: HashMap<&'static str, Uuid>,
}

impl Fixture {
    pub fn id(&self, kind: &str, key: &str) -> Uuid {
        let map = match kind {
            "Territory" => &self.territories,
            "Account" => &self.accounts,
            "Lead" => &self.leads,
            "Opportunity" => &self.opportunities,
            "Activity" => &self.activities,
            "User" => return self.users[key].id,
            "Partner" => return self.partners[key].id,
            other => panic!("no fixture kind {other}"),
        };
        *map.get(key)
            .unwrap_or_else(|| panic!("no fixture {kind} {key}"))
    }

    /// The global id of a fixture row.
    pub fn gid(&self, kind: &str, key: &str) -> String {
        api::domain::GlobalId::encode(kind, self.id(kind, key))
    }
}

pub struct TestApp {
    pub addr: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub state: AppState,
    pub fx: Fixture,
    pg_database: Option<String>,
}

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut HashMap<String, String>)) -> TestApp {
        if std::env::var("TEST_LOG").is_ok() {
            let _ = tracing_subscriber_init();
        }
        let mut settings = test_settings();
        tweak(&mut settings);
        let metrics = Arc::new(Metrics::new().unwrap());
        let (url, pg_database) = match std::env::var("TEST_DATABASE_URL") {
            Ok(base) => {
                let name = pg_clone_template(&base).await;
                (replace_db_name(&base, &name), Some(name))
            }
            Err(_) => ("sqlite::memory:".to_string(), None),
        };
        settings.insert("DATABASE_URL".into(), url.clone());
        let config = Config::from_source(&settings).unwrap();
        let db = db::connect(
            DbSettings {
                url: &url,
                max_connections: 5,
                acquire_timeout: std::time::Duration::from_secs(10),
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
        TestApp {
            addr,
            client: reqwest::Client::new(),
            db,
            state: app.state,
            fx,
            pg_database,
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
    api::telemetry::init(&Config::from_source(&settings).map_err(|_| ())?);
    Ok(())
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

fn base_db_name(url: &str) -> String {
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
            migration::Migrator::up(&tpl, None).await.unwrap();
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

use migration::MigratorTrait as _;

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

async fn insert_user(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    role: Role,
    manager: Option<Uuid>,
    partner: Option<Uuid>,
    active: bool,
) -> users::Model {
    let now = Utc::now();
    users::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.into()),
        name: Set(name.into()),
        role: Set(role),
        manager_id: Set(manager),
        partner_id: Set(partner),
        active: Set(active),
        password_hash: Set(password_hash().to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap()
}

async fn insert_partner(db: &DatabaseConnection, name: &str) -> partners::Model {
    let now = Utc::now();
    partners::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name.into()),
        tier: Set(PartnerTier::Gold),
        status: Set(PartnerStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap()
}

/// Two teams under one director, two partner organizations, an inactive user.
async fn seed_fixture(db: &DatabaseConnection) -> Fixture {
    let mut users = HashMap::new();
    let mut partners = HashMap::new();
    let p1 = insert_partner(db, "Northwind Resellers").await;
    let p2 = insert_partner(db, "Contoso Channel").await;
    let director = insert_user(
        db,
        "director@test.example",
        "Dana Director",
        Role::Director,
        None,
        None,
        true,
    )
    .await;
    let manager = insert_user(
        db,
        "manager@test.example",
        "Max Manager",
        Role::SalesManager,
        Some(director.id),
        None,
        true,
    )
    .await;
    let manager2 = insert_user(
        db,
        "manager2@test.example",
        "Mia Manager",
        Role::SalesManager,
        Some(director.id),
        None,
        true,
    )
    .await;
    let m = Some(manager.id);
    for (key, email, name, role, mgr) in [
        ("sdr", "sdr@test.example", "Sam Sdr", Role::Sdr, m),
        (
            "ae",
            "ae@test.example",
            "Alex Ae",
            Role::AccountExecutive,
            m,
        ),
        ("am", "am@test.example", "Amy Am", Role::AccountManager, m),
        (
            "cs",
            "cs@test.example",
            "Chris Cs",
            Role::CustomerSuccess,
            m,
        ),
        (
            "ae2",
            "ae2@test.example",
            "Erin Ae",
            Role::AccountExecutive,
            Some(manager2.id),
        ),
    ] {
        users.insert(
            key,
            insert_user(db, email, name, role, mgr, None, true).await,
        );
    }
    users.insert(
        "inactive",
        insert_user(
            db,
            "gone@test.example",
            "Gone User",
            Role::Sdr,
            m,
            None,
            false,
        )
        .await,
    );
    users.insert(
        "partner",
        insert_user(
            db,
            "partner@test.example",
            "Pat Partner",
            Role::Partner,
            None,
            Some(p1.id),
            true,
        )
        .await,
    );
    users.insert(
        "partner2",
        insert_user(
            db,
            "partner2@test.example",
            "Quinn Partner",
            Role::Partner,
            None,
            Some(p2.id),
            true,
        )
        .await,
    );
    users.insert("director", director);
    users.insert("manager", manager);
    users.insert("manager2", manager2);
    partners.insert("p1", p1);
    partners.insert("p2", p2);
    let sales = seed_sales(db, &users, &partners).await;
    Fixture {
        users,
        partners,
        ..sales
    }
}

/// The `extensions.code` of the first error, if any.
pub fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

pub const ROLES: &[&str] = &["sdr", "ae", "am", "cs", "manager", "director", "partner"];

/// The sales graph of the fixture: territories, accounts, leads, opportunities,
/// activities and one pending handoff. See `Fixture` for what each key is.
async fn seed_sales(
    db: &DatabaseConnection,
    users: &HashMap<&'static str, users::Model>,
    partners: &HashMap<&'static str, partners::Model>,
) -> Fixture {
    use entity::{
        accounts, activities, handoffs, leads, opportunities, territories, territory_members,
    };
    let now = Utc::now();
    let u = |k: &str| users[k].id;
    let mut territories_map = HashMap::new();
    let mut parent_path: HashMap<&str, (String, i32)> = HashMap::new();
    for (key, parent, manager, countries, industries) in [
        ("global", None, "director", vec![], vec![]),
        ("amer", Some("global"), "manager", vec!["US", "CA"], vec![]),
        (
            "emea",
            Some("global"),
            "manager2",
            vec!["GB", "DE", "FR"],
            vec![],
        ),
        (
            "na_west",
            Some("amer"),
            "manager",
            vec!["US"],
            vec!["Software"],
        ),
    ] {
        let id = Uuid::new_v4();
        let (path, depth) = match parent {
            Some(p) => {
                let (pp, pd) = &parent_path[p];
                (format!("{pp}{id}/"), pd + 1)
            }
            None => (format!("/{id}/"), 0),
        };
        territories::ActiveModel {
            id: Set(id),
            name: Set(key.to_uppercase()),
            parent_id: Set(parent.map(|p| territories_map[p])),
            path: Set(path.clone()),
            depth: Set(depth),
            manager_id: Set(Some(u(manager))),
            criteria_countries: Set(json!(countries)),
            criteria_industries: Set(json!(industries)),
            criteria_min_employees: Set(None),
            criteria_max_employees: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
        parent_path.insert(key, (path, depth));
        territories_map.insert(key, id);
    }
    for (t, who) in [
        ("amer", "sdr"),
        ("amer", "ae"),
        ("amer", "am"),
        ("emea", "ae2"),
    ] {
        territory_members::ActiveModel {
            territory_id: Set(territories_map[t]),
            user_id: Set(u(who)),
            role_in_territory: Set(TerritoryRole::Member),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
    }
    let t = |k: &str| Some(territories_map[k]);
    let mut accounts_map = HashMap::new();
    for (key, territory, owner, am, csm, lifecycle, arr) in [
        (
            "acme",
            "na_west",
            Some("ae"),
            Some("am"),
            Some("cs"),
            Lifecycle::Customer,
            12_000_000,
        ),
        ("initech", "amer", None, None, None, Lifecycle::Prospect, 0),
        (
            "globex",
            "emea",
            Some("ae2"),
            None,
            None,
            Lifecycle::Prospect,
            0,
        ),
        (
            "umbrella",
            "emea",
            Some("ae2"),
            None,
            None,
            Lifecycle::Prospect,
            0,
        ),
    ] {
        let id = Uuid::new_v4();
        accounts::ActiveModel {
            id: Set(id),
            name: Set(format!("{} Corp", key.to_uppercase())),
            domain: Set(format!("{key}.example")),
            industry: Set(Some("Software".into())),
            country: Set(Some("US".into())),
            employee_count: Set(Some(500)),
            territory_id: Set(t(territory)),
            owner_id: Set(owner.map(u)),
            account_manager_id: Set(am.map(u)),
            csm_id: Set(csm.map(u)),
            partner_id: Set(None),
            lifecycle: Set(lifecycle),
            arr_cents: Set(arr),
            contract_end_date: Set(None),
            health: Set(Some(Health::Healthy)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
        accounts_map.insert(key, id);
    }
    let mut leads_map = HashMap::new();
    for (key, owner, territory, status) in [
        ("sdr_own", Some("sdr"), "amer", LeadStatus::Working),
        ("handed", Some("sdr"), "amer", LeadStatus::Qualified),
        ("unowned_amer", None, "na_west", LeadStatus::New),
        ("unowned_emea", None, "emea", LeadStatus::New),
        ("team2", Some("ae2"), "emea", LeadStatus::Working),
    ] {
        let id = Uuid::new_v4();
        let answered = status == LeadStatus::Qualified;
        let ans = |a: &str| answered.then(|| a.to_string());
        let by = answered.then(|| u("sdr"));
        let at = answered.then_some(now);
        leads::ActiveModel {
            id: Set(id),
            company_name: Set(format!("Lead {key}")),
            domain: Set(Some(format!("lead-{key}.example").replace('_', "-"))),
            contact_name: Set("Casey Contact".into()),
            contact_email: Set(Some("casey@contact.example".into())),
            country: Set(Some("US".into())),
            industry: Set(None),
            employee_count: Set(None),
            source: Set(LeadSource::Inbound),
            status: Set(status),
            owner_id: Set(owner.map(u)),
            territory_id: Set(t(territory)),
            budget: Set(ans("50k")),
            budget_by_id: Set(by),
            budget_at: Set(at),
            authority: Set(ans("CFO")),
            authority_by_id: Set(by),
            authority_at: Set(at),
            need: Set(ans("CRM")),
            need_by_id: Set(by),
            need_at: Set(at),
            timeline: Set(ans("Q3")),
            timeline_by_id: Set(by),
            timeline_at: Set(at),
            disqualify_reason: Set(None),
            account_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
        leads_map.insert(key, id);
    }
    handoffs::ActiveModel {
        id: Set(Uuid::new_v4()),
        kind: Set(HandoffKind::SdrToAe),
        status: Set(HandoffStatus::Pending),
        from_user_id: Set(u("sdr")),
        to_user_id: Set(u("ae")),
        lead_id: Set(Some(leads_map["handed"])),
        account_id: Set(None),
        opportunity_id: Set(None),
        subject_key: Set(format!("lead:{}", leads_map["handed"])),
        note: Set("Ready for discovery".into()),
        reason_code: Set(None),
        response_note: Set(None),
        due_at: Set(now + chrono::Duration::hours(24)),
        resolved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();
    let mut opps_map = HashMap::new();
    for (key, account, owner, kind, stage, amount, partner) in [
        (
            "ae",
            "acme",
            "ae",
            OpportunityType::NewBusiness,
            Stage::Negotiation,
            5_000_000,
            None,
        ),
        (
            "am",
            "acme",
            "am",
            OpportunityType::Expansion,
            Stage::Proposal,
            2_000_000,
            None,
        ),
        (
            "ae2",
            "globex",
            "ae2",
            OpportunityType::NewBusiness,
            Stage::Discovery,
            3_000_000,
            None,
        ),
        (
            "partner",
            "umbrella",
            "ae2",
            OpportunityType::NewBusiness,
            Stage::Proposal,
            4_000_000,
            Some("p1"),
        ),
        (
            "partner2",
            "globex",
            "ae2",
            OpportunityType::NewBusiness,
            Stage::Prospecting,
            1_000_000,
            Some("p2"),
        ),
    ] {
        let id = Uuid::new_v4();
        let (p, fc) = match stage {
            Stage::Prospecting => (10, ForecastCategory::Pipeline),
            Stage::Discovery => (20, ForecastCategory::Pipeline),
            Stage::Proposal => (50, ForecastCategory::BestCase),
            _ => (80, ForecastCategory::Commit),
        };
        let territory = if account == "acme" { "na_west" } else { "emea" };
        opportunities::ActiveModel {
            id: Set(id),
            name: Set(format!("Deal {key}")),
            account_id: Set(accounts_map[account]),
            owner_id: Set(u(owner)),
            territory_id: Set(t(territory)),
            opportunity_type: Set(kind),
            stage: Set(stage),
            amount_cents: Set(amount),
            close_date: Set(chrono::NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()),
            probability: Set(p),
            forecast_category: Set(fc),
            sourced_by_id: Set(None),
            partner_id: Set(partner.map(|k| partners[k].id)),
            lead_id: Set(None),
            lost_reason: Set(None),
            version: Set(1),
            closed_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
        opps_map.insert(key, id);
    }
    let mut activities_map = HashMap::new();
    for (key, actor, lead, account) in [
        ("acme", "ae", None, Some("acme")),
        ("globex", "ae2", None, Some("globex")),
        ("lead", "sdr", Some("sdr_own"), None),
    ] {
        let id = Uuid::new_v4();
        activities::ActiveModel {
            id: Set(id),
            kind: Set(ActivityKind::Call),
            actor_id: Set(u(actor)),
            occurred_at: Set(now),
            summary: Set(format!("Call about {key}")),
            lead_id: Set(lead.map(|l| leads_map[l])),
            account_id: Set(account.map(|a| accounts_map[a])),
            opportunity_id: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
        activities_map.insert(key, id);
    }
    Fixture {
        users: HashMap::new(),
        partners: HashMap::new(),
        territories: territories_map,
        accounts: accounts_map,
        leads: leads_map,
        opportunities: opps_map,
        activities: activities_map,
    }
}
