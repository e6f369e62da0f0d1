//! `seed --scale N`: a large, deterministic data set for benchmarks (N opportunities and a
//! proportional organization around them), loaded with multi-row inserts.
//!
//! Every choice and every id comes from SplitMix64 streams with fixed seeds, so two runs
//! with the same N produce the same rows (only the password hash's salt differs).

use std::{fmt, time::Duration, time::Instant};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use entity::enums::{
    ActivityKind, Health, LeadSource, LeadStatus, Lifecycle, OpportunityType, PartnerStatus,
    PartnerTier, QuotaMetric, Role, Stage, TerritoryRole,
};
use entity::{
    accounts, activities, leads, opportunities, partners, quotas, territories, territory_members,
    users,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, EntityTrait, Iterable, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::demo::stage_forecast;
use crate::{
    auth::password::Passwords,
    error::{AppError, AppResult},
};

pub const MAX_SCALE: u64 = 10_000_000;
const SCALE_PASSWORD: &str = "scale-password";
const SEED: u64 = 0x5ca1_e5ee_d000_2026;
/// Bound parameters per statement: below SQLite's 32766 and PostgreSQL's 65535.
const PARAMS_PER_STATEMENT: usize = 30_000;
/// A transaction is committed after about this many rows, so that neither database holds
/// an unbounded amount of uncommitted work.
const ROWS_PER_TRANSACTION: u64 = 50_000;
/// SQLite page cache while loading (negative: KiB).
const SQLITE_CACHE: &str = "PRAGMA cache_size = -262144";
/// At most this many connections load a PostgreSQL table at once.
const POSTGRES_WRITERS: u32 = 4;
/// Reps per team by role (plus the team's manager).
const TEAM: [(Role, usize); 4] = [
    (Role::Sdr, 2),
    (Role::AccountExecutive, 3),
    (Role::AccountManager, 2),
    (Role::CustomerSuccess, 2),
];

const FY_START: NaiveDate = ymd(2026, 1, 1);
/// "Today" in the generated world, in days after `FY_START` (2026-10-01): deals closed
/// before it, open deals close after it.
const TODAY: u64 = 273;

#[rustfmt::skip]
mod words {
    pub const FIRST: [&str; 16] = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Gina", "Hugo", "Ines", "Jon", "Kira", "Luca", "Maya", "Noah", "Omar", "Pia"];
    pub const LAST: [&str; 16] = ["Adams", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski", "Lopez", "Moreau", "Nguyen", "Okafor", "Patel"];
    pub const WORDS: [&str; 16] = ["Apex", "Blue", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iron", "Juniper", "Kite", "Lumen", "Maple", "Nova", "Orbit", "Pioneer"];
    pub const SUFFIXES: [&str; 6] = ["Systems", "Labs", "Group", "Industries", "Networks", "Holdings"];
    pub const INDUSTRIES: [&str; 8] = ["Software", "Manufacturing", "Healthcare", "Financial Services", "Retail", "Energy", "Logistics", "Media"];
    pub const COUNTRIES: [&str; 20] = ["US", "CA", "MX", "BR", "AR", "GB", "IE", "DE", "FR", "NL", "ES", "IT", "SE", "NO", "PL", "AU", "NZ", "JP", "SG", "IN"];
    pub const PRODUCTS: [&str; 4] = ["Platform", "Analytics", "Integrations", "Support plan"];
    pub const LOST_REASONS: [&str; 4] = ["Chose a competitor", "No budget", "No decision", "Timing: revisit next year"];
}
use words::*;

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for test data.
pub(super) struct SplitMix64(u64);

impl SplitMix64 {
    pub(super) const fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; `n` must be positive).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// A random-looking (version 4 layout) UUID made of the next 128 bits.
    pub(super) fn uuid(&mut self) -> Uuid {
        let bits = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
    }
}

pub(super) const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date in the seed data"),
    }
}

pub(super) fn at(date: NaiveDate, hour: u64) -> DateTime<Utc> {
    (date.and_time(NaiveTime::MIN) + TimeDelta::hours(hour as i64)).and_utc()
}

/// Ids are a function of (table, row number): a row can be referenced without storing ids.
#[derive(Clone, Copy)]
enum T {
    Partner = 1,
    User,
    Territory,
    Account,
    Lead,
    Opportunity,
    Activity,
    Quota,
}

fn row_id(table: T, i: u64) -> Uuid {
    SplitMix64::new(SEED ^ ((table as u64) << 56) ^ i).uuid()
}

/// Rows written per table, and how long it took.
#[derive(Debug, Clone)]
pub struct ScaleReport {
    pub tables: Vec<(&'static str, u64)>,
    pub elapsed: Duration,
}

impl ScaleReport {
    pub fn rows(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, n)| n)
            .sum()
    }

    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }

    pub fn rows_per_second(&self) -> f64 {
        self.total_rows() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (table, rows) in &self.tables {
            write!(f, "{table}={rows} ")?;
        }
        write!(
            f,
            "total={} rows in {:.2} s ({:.0} rows/s)",
            self.total_rows(),
            self.elapsed.as_secs_f64(),
            self.rows_per_second()
        )
    }
}

struct Team {
    manager: Uuid,
    reps: Vec<(Role, Uuid)>,
    /// Leaf territories this team covers (indexes into `Org::leaves`).
    leaves: Vec<usize>,
}

impl Team {
    /// The `k`-th rep of `role` (wrapping), or the manager when the team has none.
    fn nth(&self, role: Role, k: u64) -> Uuid {
        let of_role = || self.reps.iter().filter(move |r| r.0 == role).map(|r| r.1);
        let count = of_role().count() as u64;
        of_role()
            .nth((k % count.max(1)) as usize)
            .unwrap_or(self.manager)
    }

    fn pick(&self, role: Role, rng: &mut SplitMix64) -> Uuid {
        self.nth(role, rng.next_u64())
    }
}

struct Leaf {
    id: Uuid,
    team: usize,
    country: &'static str,
    band: (Option<i32>, Option<i32>),
}

/// The users and territories everything else hangs on, and their rows.
#[derive(Default)]
struct Org {
    director: Uuid,
    teams: Vec<Team>,
    partners: Vec<Uuid>,
    leaves: Vec<Leaf>,
    partner_rows: Vec<partners::ActiveModel>,
    users: Vec<users::ActiveModel>,
    territories: Vec<territories::ActiveModel>,
    /// Per territory row: its id, path and depth (for its children).
    paths: Vec<(Uuid, String, i32)>,
    members: Vec<territory_members::ActiveModel>,
    emails_per_role: [u32; 7],
}

/// Loads `n` opportunities and the organization around them into an empty database.
pub async fn seed(
    db: &DatabaseConnection,
    passwords: &Passwords,
    n: u64,
) -> AppResult<ScaleReport> {
    if n == 0 || n > MAX_SCALE {
        return Err(AppError::bad_input(
            "scale",
            format!("must be between 1 and {MAX_SCALE}"),
        ));
    }
    if users::Entity::find().one(db).await?.is_some() {
        return Err(AppError::bad_input(
            "scale",
            "the database already has users; the scale data set is loaded only into an empty database",
        ));
    }
    let started = Instant::now();
    let hash = passwords.hash(SCALE_PASSWORD).await?;
    let org = organization(n, &hash);
    let mut load = Loader::new(db);
    load.rows("partners", org.partner_rows.iter().cloned())
        .await?;
    load.rows("users", org.users.iter().cloned()).await?;
    load.rows("territories", org.territories.iter().cloned())
        .await?;
    load.rows("territory_members", org.members.iter().cloned())
        .await?;

    let account_count = (n / 4).max(1);
    let mut facts = Facts::default();
    let mut rng = SplitMix64::new(SEED ^ T::Account as u64);
    let rows = (0..account_count).map(|i| {
        let (row, leaf, customer) = account(&org, &mut rng, i);
        facts.accounts.push((leaf as u32, customer));
        row
    });
    load.rows("accounts", rows).await?;

    let mut rng = SplitMix64::new(SEED ^ T::Lead as u64);
    let rows = (0..n / 2).map(|i| {
        let (row, team) = lead(&org, &facts.accounts, &mut rng, i);
        facts.lead_teams.push(team as u32);
        row
    });
    load.rows("leads", rows).await?;

    let mut rng = SplitMix64::new(SEED ^ T::Opportunity as u64);
    let rows = (0..n).map(|i| {
        let (row, team) = opportunity(&org, &facts.accounts, &mut rng, i);
        facts.opportunity_teams.push(team as u32);
        row
    });
    load.rows("opportunities", rows).await?;

    let mut rng = SplitMix64::new(SEED ^ T::Activity as u64);
    let rows = (0..n).map(|i| activity(&org, &facts, &mut rng, i));
    load.rows("activities", rows).await?;

    load.rows("quotas", quota_rows(&org)).await?;
    // Fresh planner statistics: without them PostgreSQL plans the scoped lists over a
    // just-loaded table as if it were empty (sequential scans, ten times slower).
    db.execute_unprepared("ANALYZE").await?;

    let report = ScaleReport {
        tables: load.tables,
        elapsed: started.elapsed(),
    };
    tracing::info!(%report, "scale data set loaded");
    Ok(report)
}

/// What later tables need to know about earlier rows, kept instead of the rows themselves.
#[derive(Default)]
struct Facts {
    /// Per account: its leaf territory and whether it is a customer.
    accounts: Vec<(u32, bool)>,
    /// The team owning each lead and each opportunity (their activities are logged by it).
    lead_teams: Vec<u32>,
    opportunity_teams: Vec<u32>,
}

struct Loader<'a> {
    db: &'a DatabaseConnection,
    /// Transactions written to at once, each on its own connection.
    writers: usize,
    tables: Vec<(&'static str, u64)>,
}

impl<'a> Loader<'a> {
    /// PostgreSQL spends most of a load checking foreign keys and updating indexes, work
    /// that several connections share out over the server's cores. SQLite has one writer.
    fn new(db: &'a DatabaseConnection) -> Self {
        let writers = match db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = db
                    .get_postgres_connection_pool()
                    .options()
                    .get_max_connections();
                pool.clamp(1, POSTGRES_WRITERS) as usize
            }
            _ => 1,
        };
        Self {
            db,
            writers,
            tables: Vec::new(),
        }
    }

    async fn begin(&self) -> AppResult<Vec<DatabaseTransaction>> {
        let mut txns = Vec::with_capacity(self.writers);
        for _ in 0..self.writers {
            let txn = self.db.begin().await?;
            if txn.get_database_backend() == DbBackend::Sqlite {
                // With SQLite's default 2 MiB page cache, index pages hit by random UUIDs are
                // written out and read back again and again (1.3 M writes and 1.5 M reads for
                // 100k opportunities). The setting stays with the pool's connections.
                txn.execute_unprepared(SQLITE_CACHE).await?;
            }
            txns.push(txn);
        }
        Ok(txns)
    }

    /// Inserts `rows` in multi-row statements of as many rows as the parameter bound allows,
    /// one statement per writer at a time, committing every `ROWS_PER_TRANSACTION` rows.
    async fn rows<A>(
        &mut self,
        table: &'static str,
        rows: impl IntoIterator<Item = A>,
    ) -> AppResult<()>
    where
        A: ActiveModelTrait + Send,
    {
        let mut rows = rows.into_iter();
        let per_statement =
            PARAMS_PER_STATEMENT / <A::Entity as EntityTrait>::Column::iter().count();
        let (mut done, mut in_transaction) = (0u64, 0u64);
        let mut txns = self.begin().await?;
        loop {
            if in_transaction >= ROWS_PER_TRANSACTION {
                for txn in txns {
                    txn.commit().await?;
                }
                tracing::info!(table, rows = done, "scale seed progress");
                txns = self.begin().await?;
                in_transaction = 0;
            }
            let batches: Vec<Vec<A>> = (0..self.writers)
                .map(|_| rows.by_ref().take(per_statement).collect::<Vec<A>>())
                .filter(|batch| !batch.is_empty())
                .collect();
            if batches.is_empty() {
                break;
            }
            let count: u64 = batches.iter().map(|b| b.len() as u64).sum();
            let inserts = batches
                .into_iter()
                .zip(&txns)
                .map(|(batch, txn)| A::Entity::insert_many(batch).exec_without_returning(txn));
            futures_util::future::try_join_all(inserts).await?;
            done += count;
            in_transaction += count;
        }
        for txn in txns {
            txn.commit().await?;
        }
        tracing::info!(table, rows = done, "scale seed: table loaded");
        self.tables.push((table, done));
        Ok(())
    }
}

fn day_in_fy(rng: &mut SplitMix64, from: u64, to: u64) -> NaiveDate {
    FY_START + Days::new(from + rng.below(to - from))
}

/// Created before the fiscal year starts.
fn org_created() -> DateTime<Utc> {
    at(FY_START - Days::new(90), 9)
}

/// A director; teams of a manager and reps (see `TEAM`); partners with one user each; a
/// territory tree of a root, regions and leaves, each leaf covered by one team.
fn organization(n: u64, hash: &str) -> Org {
    let mut rng = SplitMix64::new(SEED ^ T::User as u64);
    let partner_count = (n / 50_000).max(2);
    let users = (n / 500).max(20);
    let team_count = ((users - 1 - partner_count) / 10).max(2) as usize;
    let territories = (n / 2000).max(10) as usize;
    let region_count = (territories as f64).sqrt().round().max(2.0) as usize;
    let leaf_count = territories.saturating_sub(1 + region_count).max(team_count);

    let mut org = Org::default();
    org.director = org.add_user(Role::Director, None, None, hash, &mut rng);
    for _ in 0..team_count {
        let manager = org.add_user(Role::SalesManager, Some(org.director), None, hash, &mut rng);
        let roles = TEAM
            .iter()
            .flat_map(|&(role, count)| std::iter::repeat_n(role, count));
        let reps = roles
            .map(|role| {
                (
                    role,
                    org.add_user(role, Some(manager), None, hash, &mut rng),
                )
            })
            .collect();
        org.teams.push(Team {
            manager,
            reps,
            leaves: Vec::new(),
        });
    }
    for p in 0..partner_count {
        let id = org.add_partner(p);
        org.add_user(Role::Partner, None, Some(id), hash, &mut rng);
    }

    let root = org.add_territory("Worldwide".into(), None, None, Vec::new(), (None, None));
    for r in 0..region_count {
        let leaves = (0..leaf_count).filter(|l| l % region_count == r);
        let mut countries: Vec<&str> = leaves.map(|l| COUNTRIES[l % COUNTRIES.len()]).collect();
        countries.sort_unstable();
        countries.dedup();
        let manager = Some(org.teams[r % team_count].manager);
        let name = format!("Region {:03}", r + 1);
        org.add_territory(name, Some(root), manager, countries, (None, None));
    }
    for l in 0..leaf_count {
        let (region, team) = (1 + l % region_count, l % team_count);
        let country = COUNTRIES[l % COUNTRIES.len()];
        let band = [(None, None), (Some(1000), None), (None, Some(999))][l % 3];
        let name = format!("Region {:03} {country} {:05}", l % region_count + 1, l + 1);
        let manager = Some(org.teams[team].manager);
        let t = org.add_territory(name, Some(region), manager, vec![country], band);
        let id = org.paths[t].0;
        // Everyone in the team works the leaf; its AEs take turns owning the team's leaves.
        let covered = org.teams[team].leaves.len() as u64;
        let owner = org.teams[team].nth(Role::AccountExecutive, covered);
        for &(_, user) in &org.teams[team].reps {
            org.members.push(territory_members::ActiveModel {
                territory_id: Set(id),
                user_id: Set(user),
                role_in_territory: Set(if user == owner {
                    TerritoryRole::Owner
                } else {
                    TerritoryRole::Member
                }),
                created_at: Set(org_created()),
            });
        }
        org.teams[team].leaves.push(org.leaves.len());
        org.leaves.push(Leaf {
            id,
            team,
            country,
            band,
        });
    }
    org
}

impl Org {
    fn add_user(
        &mut self,
        role: Role,
        manager: Option<Uuid>,
        partner: Option<Uuid>,
        hash: &str,
        rng: &mut SplitMix64,
    ) -> Uuid {
        let id = row_id(T::User, self.users.len() as u64);
        let number = &mut self.emails_per_role[role as usize];
        *number += 1;
        let label = match role {
            Role::Sdr => "sdr",
            Role::AccountExecutive => "ae",
            Role::AccountManager => "am",
            Role::CustomerSuccess => "cs",
            Role::SalesManager => "manager",
            Role::Director => "director",
            Role::Partner => "partner",
        };
        self.users.push(users::ActiveModel {
            id: Set(id),
            email: Set(format!("scale-{label}-{number:05}@scale.example")),
            name: Set(format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST))),
            role: Set(role),
            manager_id: Set(manager),
            partner_id: Set(partner),
            active: Set(true),
            password_hash: Set(hash.to_owned()),
            created_at: Set(org_created()),
            updated_at: Set(org_created()),
        });
        id
    }

    fn add_partner(&mut self, p: u64) -> Uuid {
        let id = row_id(T::Partner, p);
        let tiers = [
            PartnerTier::Registered,
            PartnerTier::Silver,
            PartnerTier::Gold,
            PartnerTier::Platinum,
        ];
        let status = if p % 10 == 9 {
            PartnerStatus::Suspended
        } else {
            PartnerStatus::Active
        };
        self.partners.push(id);
        self.partner_rows.push(partners::ActiveModel {
            id: Set(id),
            name: Set(format!("Scale Partner {:04}", p + 1)),
            tier: Set(tiers[p as usize % tiers.len()]),
            status: Set(status),
            created_at: Set(org_created()),
            updated_at: Set(org_created()),
        });
        id
    }

    /// Adds a territory under `parent` (a territory row index); returns its row index.
    fn add_territory(
        &mut self,
        name: String,
        parent: Option<usize>,
        manager: Option<Uuid>,
        countries: Vec<&str>,
        (min, max): (Option<i32>, Option<i32>),
    ) -> usize {
        let id = row_id(T::Territory, self.territories.len() as u64);
        let parent = parent.and_then(|p| self.paths.get(p));
        let (path, depth) = match parent {
            None => (format!("/{id}/"), 0),
            Some((_, path, depth)) => (format!("{path}{id}/"), depth + 1),
        };
        self.territories.push(territories::ActiveModel {
            id: Set(id),
            name: Set(name),
            parent_id: Set(parent.map(|p| p.0)),
            path: Set(path.clone()),
            depth: Set(depth),
            manager_id: Set(manager),
            criteria_countries: Set(json!(countries)),
            criteria_industries: Set(json!([])),
            criteria_min_employees: Set(min),
            criteria_max_employees: Set(max),
            created_at: Set(org_created()),
            updated_at: Set(org_created()),
        });
        self.paths.push((id, path, depth));
        self.paths.len() - 1
    }
}

fn employees(rng: &mut SplitMix64, band: (Option<i32>, Option<i32>)) -> i32 {
    let (min, max) = (band.0.unwrap_or(10), band.1.unwrap_or(50_000));
    // Skewed towards small companies: the minimum of two uniform draws.
    let span = (max - min + 1) as u64;
    min + rng.below(span).min(rng.below(span)) as i32
}

/// An account, its leaf territory and whether it is a customer.
fn account(org: &Org, rng: &mut SplitMix64, i: u64) -> (accounts::ActiveModel, usize, bool) {
    let l = rng.below(org.leaves.len() as u64) as usize;
    let leaf = &org.leaves[l];
    let team = &org.teams[leaf.team];
    let lifecycle = match rng.below(100) {
        0..55 => Lifecycle::Prospect,
        55..90 => Lifecycle::Customer,
        _ => Lifecycle::Churned,
    };
    let customer = lifecycle == Lifecycle::Customer;
    let served = lifecycle != Lifecycle::Prospect;
    let health = match (lifecycle, rng.below(10)) {
        (Lifecycle::Prospect, _) => None,
        (Lifecycle::Churned, _) | (_, 0) => Some(Health::Critical),
        (_, 1..3) => Some(Health::AtRisk),
        _ => Some(Health::Healthy),
    };
    let created = at(day_in_fy(rng, 0, 180) - Days::new(365), 9);
    let row = accounts::ActiveModel {
        id: Set(row_id(T::Account, i)),
        name: Set(format!(
            "{} {} {} {i}",
            rng.pick(&WORDS),
            rng.pick(&WORDS),
            rng.pick(&SUFFIXES)
        )),
        domain: Set(format!("acct-{i:07}.scale.example")),
        industry: Set(Some(rng.pick(&INDUSTRIES).into())),
        country: Set(Some(leaf.country.into())),
        employee_count: Set(Some(employees(rng, leaf.band))),
        territory_id: Set(Some(leaf.id)),
        owner_id: Set(Some(team.pick(Role::AccountExecutive, rng))),
        account_manager_id: Set(served.then(|| team.pick(Role::AccountManager, rng))),
        csm_id: Set(served.then(|| team.pick(Role::CustomerSuccess, rng))),
        partner_id: Set(rng.percent(10).then(|| rng.pick(&org.partners))),
        lifecycle: Set(lifecycle),
        arr_cents: Set(if customer {
            (10_000 + rng.below(490_000) as i64) * 100
        } else {
            0
        }),
        contract_end_date: Set(served.then(|| day_in_fy(rng, 0, 365) + Days::new(rng.below(365)))),
        health: Set(health),
        created_at: Set(created),
        updated_at: Set(created),
    };
    (row, l, customer)
}

/// A lead and the team that works it.
fn lead(
    org: &Org,
    accounts: &[(u32, bool)],
    rng: &mut SplitMix64,
    i: u64,
) -> (leads::ActiveModel, usize) {
    let status = match rng.below(100) {
        0..20 => LeadStatus::New,
        20..45 => LeadStatus::Working,
        45..55 => LeadStatus::Qualified,
        55..70 => LeadStatus::Disqualified,
        _ => LeadStatus::Converted,
    };
    let converted = (status == LeadStatus::Converted).then(|| rng.below(accounts.len() as u64));
    let l = match converted {
        Some(a) => accounts[a as usize].0 as usize,
        None => rng.below(org.leaves.len() as u64) as usize,
    };
    let leaf = &org.leaves[l];
    let qualified = matches!(status, LeadStatus::Qualified | LeadStatus::Converted);
    let owned = qualified || status == LeadStatus::Disqualified || rng.percent(80);
    let owner = owned.then(|| org.teams[leaf.team].pick(Role::Sdr, rng));
    let created = at(day_in_fy(rng, 0, 260), 8 + rng.below(10));
    let by = Set(owner.filter(|_| qualified));
    let when = Set(qualified.then(|| created + TimeDelta::days(2)));
    let answer = |text: &str| Set(qualified.then(|| text.to_owned()));
    let domain = match converted {
        Some(a) => format!("acct-{a:07}.scale.example"),
        None => format!("lead-{i:07}.scale.example"),
    };
    let (first, last) = (rng.pick(&FIRST), rng.pick(&LAST));
    let row = leads::ActiveModel {
        id: Set(row_id(T::Lead, i)),
        company_name: Set(format!("{} {} {i}", rng.pick(&WORDS), rng.pick(&SUFFIXES))),
        contact_email: Set(Some(format!(
            "{}.{}@{domain}",
            first.to_lowercase(),
            last.to_lowercase()
        ))),
        domain: Set(Some(domain)),
        contact_name: Set(format!("{first} {last}")),
        country: Set(Some(leaf.country.into())),
        industry: Set(Some(rng.pick(&INDUSTRIES).into())),
        employee_count: Set(Some(employees(rng, leaf.band))),
        source: Set(rng.pick(&[
            LeadSource::Inbound,
            LeadSource::Outbound,
            LeadSource::Partner,
            LeadSource::Event,
            LeadSource::Referral,
        ])),
        status: Set(status),
        owner_id: Set(owner),
        territory_id: Set(Some(leaf.id)),
        budget: answer("Budget approved"),
        budget_by_id: by.clone(),
        budget_at: when.clone(),
        authority: answer("Economic buyer identified"),
        authority_by_id: by.clone(),
        authority_at: when.clone(),
        need: answer("Replacing spreadsheets"),
        need_by_id: by.clone(),
        need_at: when.clone(),
        timeline: answer("This quarter"),
        timeline_by_id: by,
        timeline_at: when,
        disqualify_reason: Set((status == LeadStatus::Disqualified).then(|| "No budget".to_owned())),
        account_id: Set(converted.map(|a| row_id(T::Account, a))),
        created_at: Set(created),
        updated_at: Set(created + TimeDelta::days(3)),
    };
    (row, leaf.team)
}

/// An opportunity and the team that owns it.
fn opportunity(
    org: &Org,
    accounts: &[(u32, bool)],
    rng: &mut SplitMix64,
    i: u64,
) -> (opportunities::ActiveModel, usize) {
    let a = rng.below(accounts.len() as u64);
    let (l, customer) = accounts[a as usize];
    let leaf = &org.leaves[l as usize];
    let team = &org.teams[leaf.team];
    let kind = match (customer, rng.below(10)) {
        (true, 0..4) => OpportunityType::Expansion,
        (true, 4..7) => OpportunityType::Renewal,
        _ => OpportunityType::NewBusiness,
    };
    let owner = match kind {
        OpportunityType::NewBusiness => team.pick(Role::AccountExecutive, rng),
        OpportunityType::Expansion => team.pick(Role::AccountManager, rng),
        OpportunityType::Renewal => team.pick(Role::CustomerSuccess, rng),
    };
    let stage = match rng.below(100) {
        0..15 => Stage::Prospecting,
        15..30 => Stage::Discovery,
        30..42 => Stage::Proposal,
        42..50 => Stage::Negotiation,
        50..80 => Stage::ClosedWon,
        _ => Stage::ClosedLost,
    };
    let closed = matches!(stage, Stage::ClosedWon | Stage::ClosedLost);
    // Closed deals closed before today; open ones are due from September on.
    let close = if closed {
        day_in_fy(rng, 0, TODAY)
    } else {
        day_in_fy(rng, 243, 365)
    };
    let (probability, forecast) = stage_forecast(stage);
    let created = at(close - Days::new(14 + rng.below(166)), 9 + rng.below(8));
    let closed_at = closed.then(|| at(close, 17));
    let magnitude = rng.pick(&[5_000_i64, 10_000, 25_000, 50_000, 100_000, 250_000]);
    let amount = magnitude + magnitude * rng.below(100) as i64 / 100;
    let sourced = kind == OpportunityType::NewBusiness && rng.percent(40);
    let row = opportunities::ActiveModel {
        id: Set(row_id(T::Opportunity, i)),
        name: Set(format!(
            "{} {} {i}",
            rng.pick(&PRODUCTS),
            kind.as_str().to_lowercase().replace('_', " ")
        )),
        account_id: Set(row_id(T::Account, a)),
        owner_id: Set(owner),
        territory_id: Set(Some(leaf.id)),
        opportunity_type: Set(kind),
        stage: Set(stage),
        amount_cents: Set(amount * 100),
        close_date: Set(close),
        probability: Set(probability),
        forecast_category: Set(forecast),
        sourced_by_id: Set(sourced.then(|| team.pick(Role::Sdr, rng))),
        partner_id: Set(rng.percent(8).then(|| rng.pick(&org.partners))),
        lead_id: Set(None),
        lost_reason: Set((stage == Stage::ClosedLost).then(|| rng.pick(&LOST_REASONS).to_owned())),
        version: Set(1),
        closed_at: Set(closed_at),
        created_at: Set(created),
        updated_at: Set(closed_at.unwrap_or(created)),
    };
    (row, leaf.team)
}

fn activity(org: &Org, facts: &Facts, rng: &mut SplitMix64, i: u64) -> activities::ActiveModel {
    let (mut lead_id, mut account_id, mut opportunity_id) = (None, None, None);
    let target = rng.below(100);
    let team = if target < 45 {
        let o = rng.below(facts.opportunity_teams.len() as u64);
        opportunity_id = Some(row_id(T::Opportunity, o));
        facts.opportunity_teams[o as usize]
    } else if target < 75 || facts.lead_teams.is_empty() {
        let a = rng.below(facts.accounts.len() as u64);
        account_id = Some(row_id(T::Account, a));
        org.leaves[facts.accounts[a as usize].0 as usize].team as u32
    } else {
        let l = rng.below(facts.lead_teams.len() as u64);
        lead_id = Some(row_id(T::Lead, l));
        facts.lead_teams[l as usize]
    };
    let team = &org.teams[team as usize];
    let (kind, summary) = rng.pick(&[
        (ActivityKind::Call, "Call"),
        (ActivityKind::Email, "Email"),
        (ActivityKind::Meeting, "Meeting"),
        (ActivityKind::Demo, "Demo"),
        (ActivityKind::Note, "Note"),
    ]);
    let occurred = at(day_in_fy(rng, 0, TODAY), 8 + rng.below(10));
    activities::ActiveModel {
        id: Set(row_id(T::Activity, i)),
        kind: Set(kind),
        actor_id: Set(team.reps[rng.below(team.reps.len() as u64) as usize].1),
        occurred_at: Set(occurred),
        summary: Set(format!("{summary} #{i}")),
        lead_id: Set(lead_id),
        account_id: Set(account_id),
        opportunity_id: Set(opportunity_id),
        created_at: Set(occurred),
    }
}

/// A quota per rep per FY2026 quarter (set by the rep's manager), and a yearly bookings quota
/// per territory (set by the director).
fn quota_rows(org: &Org) -> Vec<quotas::ActiveModel> {
    let created = at(FY_START - Days::new(30), 9);
    let mut rows = Vec::new();
    let mut push =
        |user: Option<Uuid>, territory: Option<Uuid>, metric, period: &str, target: i64, set_by| {
            let key = match (user, territory) {
                (Some(u), _) => format!("user:{u}"),
                (None, t) => format!("territory:{}", t.unwrap_or_default()),
            };
            rows.push(quotas::ActiveModel {
                id: Set(row_id(T::Quota, rows.len() as u64)),
                user_id: Set(user),
                territory_id: Set(territory),
                assignee_key: Set(key),
                metric: Set(metric),
                period: Set(period.to_owned()),
                target_cents: Set(target * 100),
                set_by_id: Set(set_by),
                created_at: Set(created),
                updated_at: Set(created),
            });
        };
    for team in &org.teams {
        for &(role, user) in &team.reps {
            let (metric, target) = match role {
                Role::Sdr => (QuotaMetric::PipelineSourced, 400_000),
                Role::AccountManager => (QuotaMetric::Expansion, 60_000),
                Role::CustomerSuccess => (QuotaMetric::Renewals, 200_000),
                _ => (QuotaMetric::Bookings, 250_000),
            };
            for q in 1..=4 {
                push(
                    Some(user),
                    None,
                    metric,
                    &format!("FY2026-Q{q}"),
                    target,
                    team.manager,
                );
            }
        }
    }
    for leaf in &org.leaves {
        push(
            None,
            Some(leaf.id),
            QuotaMetric::Bookings,
            "FY2026",
            1_000_000,
            org.director,
        );
    }
    rows
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder};

    use super::*;
    use crate::seed::demo::tests::{fresh_db, passwords};

    async fn opportunities_of(db: &DatabaseConnection) -> Vec<(Uuid, i64, Uuid, Uuid)> {
        let all = opportunities::Entity::find()
            .order_by_asc(opportunities::Column::Id)
            .all(db)
            .await
            .unwrap();
        all.into_iter()
            .map(|o| (o.id, o.amount_cents, o.account_id, o.owner_id))
            .collect()
    }

    #[tokio::test]
    async fn loads_n_opportunities_and_a_proportional_organization() {
        let (db, pw) = (fresh_db().await, passwords());
        let report = seed(&db, &pw, 2000).await.unwrap();
        assert_eq!(
            opportunities::Entity::find().count(&db).await.unwrap(),
            2000
        );
        assert_eq!(accounts::Entity::find().count(&db).await.unwrap(), 500);
        assert_eq!(leads::Entity::find().count(&db).await.unwrap(), 1000);
        assert_eq!(activities::Entity::find().count(&db).await.unwrap(), 2000);
        assert_eq!(report.rows("opportunities"), 2000);
        let counted: u64 = [
            partners::Entity::find().count(&db).await.unwrap(),
            users::Entity::find().count(&db).await.unwrap(),
            territories::Entity::find().count(&db).await.unwrap(),
            territory_members::Entity::find().count(&db).await.unwrap(),
            quotas::Entity::find().count(&db).await.unwrap(),
        ]
        .iter()
        .sum();
        assert_eq!(report.total_rows(), counted + 2000 + 500 + 1000 + 2000);
        assert!(
            report.to_string().contains("opportunities=2000"),
            "{report}"
        );

        let users = users::Entity::find().all(&db).await.unwrap();
        assert!(users.len() >= 20);
        assert_eq!(
            users
                .iter()
                .map(|u| &u.password_hash)
                .collect::<HashSet<_>>()
                .len(),
            1
        );
        assert_eq!(
            users.iter().map(|u| u.role).collect::<HashSet<_>>().len(),
            7
        );
        assert!(
            users
                .iter()
                .any(|u| u.email == "scale-ae-00001@scale.example")
        );

        let territories = territories::Entity::find().all(&db).await.unwrap();
        assert!(territories.len() >= 10);
        let by_id: HashMap<Uuid, &territories::Model> =
            territories.iter().map(|t| (t.id, t)).collect();
        assert_eq!(territories.iter().map(|t| t.depth).max(), Some(2));
        for t in &territories {
            let expected = match t.parent_id.map(|p| by_id[&p]) {
                None => (format!("/{}/", t.id), 0),
                Some(p) => (format!("{}{}/", p.path, t.id), p.depth + 1),
            };
            assert_eq!((t.path.clone(), t.depth), expected);
        }
        let owners = territory_members::Entity::find()
            .filter(territory_members::Column::RoleInTerritory.eq(TerritoryRole::Owner))
            .all(&db)
            .await
            .unwrap();
        let leaves = territories.iter().filter(|t| t.depth == 2).count();
        let owned: HashSet<Uuid> = owners.iter().map(|m| m.territory_id).collect();
        assert_eq!(
            (owners.len(), owned.len()),
            (leaves, leaves),
            "one owner per leaf"
        );
        assert_eq!(FY_START + Days::new(TODAY), ymd(2026, 10, 1));
        for o in opportunities::Entity::find().all(&db).await.unwrap() {
            assert_eq!(
                (o.probability, o.forecast_category),
                stage_forecast(o.stage)
            );
        }
    }

    #[tokio::test]
    async fn two_runs_produce_the_same_data() {
        let pw = passwords();
        let (a, b) = (fresh_db().await, fresh_db().await);
        seed(&a, &pw, 2000).await.unwrap();
        seed(&b, &pw, 2000).await.unwrap();
        let (first, second) = (opportunities_of(&a).await, opportunities_of(&b).await);
        assert_eq!(first.len(), 2000);
        assert_eq!(first, second);
    }

    #[tokio::test]
    async fn refuses_bad_sizes_and_databases_with_users() {
        let (db, pw) = (fresh_db().await, passwords());
        for n in [0, MAX_SCALE + 1] {
            let err = seed(&db, &pw, n).await.unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT");
        }
        assert!(crate::seed::demo::seed(&db, &pw).await.unwrap());
        let err = seed(&db, &pw, 10).await.unwrap_err();
        assert!(
            matches!(err, AppError::BadUserInput { ref field, .. } if field == "scale"),
            "{err:?}"
        );
        assert_eq!(opportunities::Entity::find().count(&db).await.unwrap(), 32);
    }
}
