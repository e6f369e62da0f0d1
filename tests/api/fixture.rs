//! The fixture organization every test starts from: two teams under one director, two
//! partner organizations, an inactive user, and a small sales graph (territories,
//! accounts, leads, opportunities, activities, a pending handoff).

use std::{collections::HashMap, sync::OnceLock};

use api::auth::password;
use chrono::Utc;
use entity::{enums::*, partners, users};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::PASSWORD;

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

/// Hashing at the production cost is slow; do it once per test process.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        password::hash_with(&password::default_params().unwrap(), PASSWORD).unwrap()
    })
}

pub(crate) async fn insert_user(
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
        tokens_valid_after: Set(None),
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
pub async fn seed_fixture(db: &DatabaseConnection) -> Fixture {
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
