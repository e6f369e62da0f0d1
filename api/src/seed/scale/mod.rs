//! `seed --scale N`: a large, deterministic data set for benchmarks (N opportunities and a
//! proportional organization around them), loaded with multi-row inserts.
//!
//! Every choice and every id comes from SplitMix64 streams with fixed seeds, so two runs
//! with the same N produce the same rows (only the password hash's salt differs).

mod loader;
mod org;
mod rng;
mod rows;

use std::{fmt, time::Duration, time::Instant};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use entity::users;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

use self::loader::Loader;
use self::org::{organization, quota_rows};
pub(super) use self::rng::SplitMix64;
use self::rng::{SEED, T};
use self::rows::{Facts, account, activity, lead, opportunity};
use crate::{
    auth::password::Passwords,
    error::{AppError, AppResult},
};

pub const MAX_SCALE: u64 = 10_000_000;
const SCALE_PASSWORD: &str = "scale-password";

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

pub(super) const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date in the seed data"),
    }
}

pub(super) fn at(date: NaiveDate, hour: u64) -> DateTime<Utc> {
    (date.and_time(NaiveTime::MIN) + TimeDelta::hours(hour as i64)).and_utc()
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

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use chrono::Days;
    use entity::enums::TerritoryRole;
    use entity::{
        accounts, activities, leads, opportunities, partners, quotas, territories,
        territory_members,
    };
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, QueryOrder};
    use uuid::Uuid;

    use super::*;
    use crate::seed::demo::{
        stage_forecast,
        tests::{fresh_db, passwords},
    };

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
