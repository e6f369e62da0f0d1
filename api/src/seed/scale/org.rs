//! The organization of the scale data set: a director, teams of reps under managers,
//! partners and their users, the territory tree and its members, and everyone's quotas.

use chrono::{DateTime, Days, Utc};
use entity::enums::{PartnerStatus, PartnerTier, QuotaMetric, Role, TerritoryRole};
use entity::{partners, quotas, territories, territory_members, users};
use sea_orm::ActiveValue::Set;
use serde_json::json;
use uuid::Uuid;

use super::rng::{SEED, SplitMix64, T, row_id};
use super::words::{COUNTRIES, FIRST, LAST};
use super::{FY_START, at};

/// Reps per team by role (plus the team's manager).
const TEAM: [(Role, usize); 4] = [
    (Role::Sdr, 2),
    (Role::AccountExecutive, 3),
    (Role::AccountManager, 2),
    (Role::CustomerSuccess, 2),
];

pub(super) struct Team {
    manager: Uuid,
    pub(super) reps: Vec<(Role, Uuid)>,
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

    pub(super) fn pick(&self, role: Role, rng: &mut SplitMix64) -> Uuid {
        self.nth(role, rng.next_u64())
    }
}

pub(super) struct Leaf {
    pub(super) id: Uuid,
    pub(super) team: usize,
    pub(super) country: &'static str,
    pub(super) band: (Option<i32>, Option<i32>),
}

/// The users and territories everything else hangs on, and their rows.
#[derive(Default)]
pub(super) struct Org {
    director: Uuid,
    pub(super) teams: Vec<Team>,
    pub(super) partners: Vec<Uuid>,
    pub(super) leaves: Vec<Leaf>,
    pub(super) partner_rows: Vec<partners::ActiveModel>,
    pub(super) users: Vec<users::ActiveModel>,
    pub(super) territories: Vec<territories::ActiveModel>,
    /// Per territory row: its id, path and depth (for its children).
    paths: Vec<(Uuid, String, i32)>,
    pub(super) members: Vec<territory_members::ActiveModel>,
    emails_per_role: [u32; 7],
}

/// Created before the fiscal year starts.
fn org_created() -> DateTime<Utc> {
    at(FY_START - Days::new(90), 9)
}

/// A director; teams of a manager and reps (see `TEAM`); partners with one user each; a
/// territory tree of a root, regions and leaves, each leaf covered by one team.
pub(super) fn organization(n: u64, hash: &str) -> Org {
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
            tokens_valid_after: Set(None),
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

/// A quota per rep per FY2026 quarter (set by the rep's manager), and a yearly bookings quota
/// per territory (set by the director).
pub(super) fn quota_rows(org: &Org) -> Vec<quotas::ActiveModel> {
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
