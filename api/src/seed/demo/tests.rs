//! Tests of the demo organization, and the database and password helpers the scale data
//! set's tests share.

use std::collections::{HashMap, HashSet};

use entity::enums::{HandoffKind as Hk, HandoffStatus as Hs, LeadStatus as Ls, Role};
use entity::{accounts, handoffs, leads, opportunities, territories};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ColumnTrait, Database, PaginatorTrait, QueryFilter, QueryOrder};

use super::*;

pub(crate) async fn fresh_db() -> DatabaseConnection {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    db
}

pub(crate) fn passwords() -> Passwords {
    let params = crate::config::Argon2Params {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };
    Passwords::new(&params).unwrap()
}

#[tokio::test]
async fn seeds_the_demo_organization_once() {
    let (db, pw) = (fresh_db().await, passwords());
    assert!(seed(&db, &pw).await.unwrap());

    let all = users::Entity::find().all(&db).await.unwrap();
    let by_email: HashMap<&str, &users::Model> =
        all.iter().map(|u| (u.email.as_str(), u)).collect();
    let roles = [
        Role::Sdr,
        Role::AccountExecutive,
        Role::AccountManager,
        Role::CustomerSuccess,
        Role::SalesManager,
        Role::Director,
        Role::Partner,
    ];
    for (login, role) in DEMO_LOGINS.iter().zip(roles) {
        let u = by_email[login];
        assert_eq!((u.role, u.active), (role, true), "{login}");
    }
    let manager = by_email["manager@demo.example"];
    for rep in ["sdr", "ae", "am", "cs"] {
        assert_eq!(by_email[email(rep).as_str()].manager_id, Some(manager.id));
    }
    assert_eq!(
        manager.manager_id,
        Some(by_email["director@demo.example"].id)
    );
    assert!(by_email["partner@demo.example"].partner_id.is_some());
    assert_ne!(
        by_email["partner@demo.example"].partner_id,
        by_email["partner2@demo.example"].partner_id
    );
    assert!(all.iter().any(|u| !u.active));
    // One hash for everyone, and it is the demo password's.
    assert_eq!(
        all.iter()
            .map(|u| &u.password_hash)
            .collect::<HashSet<_>>()
            .len(),
        1
    );
    assert!(
        pw.verify(DEMO_PASSWORD, Some(&manager.password_hash))
            .await
            .unwrap()
    );

    let opps = opportunities::Entity::find().all(&db).await.unwrap();
    let stages: HashSet<_> = opps.iter().map(|o| o.stage).collect();
    assert_eq!(stages.len(), 6, "every stage appears");
    assert_eq!(
        opps.iter()
            .map(|o| o.opportunity_type)
            .collect::<HashSet<_>>()
            .len(),
        3
    );
    let accounts: HashMap<Uuid, accounts::Model> = accounts::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    for o in &opps {
        assert_eq!(
            (o.probability, o.forecast_category),
            stage_forecast(o.stage),
            "{}",
            o.name
        );
        assert_eq!(
            o.territory_id, accounts[&o.account_id].territory_id,
            "{}",
            o.name
        );
        let closed = matches!(o.stage, Stage::ClosedWon | Stage::ClosedLost);
        assert_eq!(o.closed_at.is_some(), closed, "{}", o.name);
        assert_eq!(
            o.lost_reason.is_some(),
            o.stage == Stage::ClosedLost,
            "{}",
            o.name
        );
    }

    let leads = leads::Entity::find().all(&db).await.unwrap();
    assert_eq!(
        leads.iter().map(|l| l.status).collect::<HashSet<_>>().len(),
        5
    );
    for l in leads.iter().filter(|l| l.status == Ls::Qualified) {
        assert!(
            l.budget.is_some() && l.authority.is_some() && l.need.is_some() && l.timeline.is_some()
        );
        assert!(l.budget_by_id.is_some() && l.timeline_at.is_some());
    }

    let territories = territories::Entity::find().all(&db).await.unwrap();
    let by_id: HashMap<Uuid, &territories::Model> = territories.iter().map(|t| (t.id, t)).collect();
    assert!(territories.iter().map(|t| t.depth).max().unwrap() >= 2);
    for t in &territories {
        match t.parent_id.map(|p| by_id[&p]) {
            None => assert_eq!((t.path.clone(), t.depth), (format!("/{}/", t.id), 0)),
            Some(p) => assert_eq!(
                (t.path.clone(), t.depth),
                (format!("{}{}/", p.path, t.id), p.depth + 1)
            ),
        }
    }
    let pending = handoffs::Entity::find().filter(handoffs::Column::Status.eq(Hs::Pending));
    assert_eq!(pending.count(&db).await.unwrap(), 4);
    // Every kind and every state is shown.
    let all = handoffs::Entity::find().all(&db).await.unwrap();
    for kind in [Hk::SdrToAe, Hk::AeToAm, Hk::AeToCs, Hk::CsToAm, Hk::AmToCs] {
        assert!(all.iter().any(|h| h.kind == kind), "{kind:?}");
    }
    for status in [Hs::Pending, Hs::Accepted, Hs::Rejected, Hs::Cancelled] {
        assert!(all.iter().any(|h| h.status == status), "{status:?}");
    }
    let now = chrono::Utc::now();
    let overdue = all
        .iter()
        .filter(|h| h.status == Hs::Pending && h.due_at < now);
    assert!(overdue.count() >= 1);
    assert!(
        all.iter()
            .any(|h| h.status == Hs::Pending && h.due_at > now)
    );

    let count = users::Entity::find().count(&db).await.unwrap();
    assert!(
        !seed(&db, &pw).await.unwrap(),
        "a second seed writes nothing"
    );
    assert_eq!(users::Entity::find().count(&db).await.unwrap(), count);
}

#[tokio::test]
async fn the_demo_organization_is_the_same_on_every_run() {
    let pw = passwords();
    let mut runs = Vec::new();
    for _ in 0..2 {
        let db = fresh_db().await;
        assert!(seed(&db, &pw).await.unwrap());
        let opps = opportunities::Entity::find()
            .order_by_asc(opportunities::Column::Id)
            .all(&db)
            .await
            .unwrap();
        runs.push(opps);
    }
    assert_eq!(runs[0], runs[1]);
}

#[test]
fn seeding_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let state: Option<&AppState> = None;
    if let Some(state) = state {
        send(seed_if_empty(state));
    }
}

#[tokio::test]
async fn both_partners_have_registrations_in_every_state_some_in_conflict() {
    use entity::{deal_registrations, enums::DealRegistrationStatus as St};
    let (db, pw) = (fresh_db().await, passwords());
    assert!(seed(&db, &pw).await.unwrap());
    let regs = deal_registrations::Entity::find().all(&db).await.unwrap();
    let partners: HashSet<_> = regs.iter().map(|r| r.partner_id).collect();
    assert_eq!(partners.len(), 2);
    for p in partners {
        let mine: Vec<_> = regs.iter().filter(|r| r.partner_id == p).collect();
        for s in [St::Submitted, St::Approved, St::Rejected, St::Expired] {
            assert!(mine.iter().any(|r| r.status == s), "{p} has no {s:?}");
        }
        let conflicted = mine
            .iter()
            .filter(|r| !crate::domain::deal_registration::conflicts_of(&r.conflicts).is_empty())
            .count();
        assert!(conflicted > 0, "{p} has no registration in conflict");
        // Every registration is placed, so a sales manager or director reviews it.
        assert!(mine.iter().all(|r| r.territory_id.is_some()));
    }
}
