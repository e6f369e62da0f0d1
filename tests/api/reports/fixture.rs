//! A hand-built sales subtree for the report tests, with a fiscal year starting in
//! February (so FY2026-Q1 is 1 Feb – 30 Apr 2026). Every figure the tests expect is
//! worked out by hand in `correctness.rs` from the rows inserted here.
//!
//! Tree when the deals were credited: R { A { A1 }, B }; then A1 is moved under B
//! (a realignment), so today's tree is R { A, B { A1 } }.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use entity::{
    enums::*, handoff_events, handoffs, leads, opportunities, quotas, territories,
    territory_members,
};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Creates a territory under `parent` (a fixture territory id), managed by `manager`.
pub async fn territory(app: &TestApp, name: &str, parent: Uuid, manager: Uuid) -> Uuid {
    use sea_orm::EntityTrait;
    let p = territories::Entity::find_by_id(parent)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let id = Uuid::new_v4();
    let now = Utc::now();
    territories::ActiveModel {
        id: Set(id),
        name: Set(name.into()),
        parent_id: Set(Some(parent)),
        path: Set(format!("{}{id}/", p.path)),
        depth: Set(p.depth + 1),
        manager_id: Set(Some(manager)),
        criteria_countries: Set(json!([])),
        criteria_industries: Set(json!([])),
        criteria_min_employees: Set(None),
        criteria_max_employees: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

pub struct Opp {
    pub territory: Uuid,
    pub owner: Uuid,
    pub kind: OpportunityType,
    pub stage: Stage,
    pub cents: i64,
    pub probability: i32,
    pub category: ForecastCategory,
    pub close: NaiveDate,
    pub created: DateTime<Utc>,
    pub sourced_by: Option<Uuid>,
}

pub async fn opportunity(app: &TestApp, o: Opp) -> Uuid {
    let id = Uuid::new_v4();
    opportunities::ActiveModel {
        id: Set(id),
        name: Set(format!("Report deal {id}")),
        account_id: Set(app.fx.accounts["acme"]),
        owner_id: Set(o.owner),
        territory_id: Set(Some(o.territory)),
        opportunity_type: Set(o.kind),
        stage: Set(o.stage),
        amount_cents: Set(o.cents),
        close_date: Set(o.close),
        probability: Set(o.probability),
        forecast_category: Set(o.category),
        sourced_by_id: Set(o.sourced_by),
        partner_id: Set(None),
        lead_id: Set(None),
        lost_reason: Set(None),
        version: Set(1),
        closed_at: Set(None),
        created_at: Set(o.created),
        updated_at: Set(o.created),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

pub async fn lead(
    app: &TestApp,
    territory: Uuid,
    owner: Option<Uuid>,
    status: LeadStatus,
    created: DateTime<Utc>,
) -> Uuid {
    let id = Uuid::new_v4();
    leads::ActiveModel {
        id: Set(id),
        company_name: Set(format!("Report lead {id}")),
        domain: Set(Some(format!("{id}.example"))),
        contact_name: Set("Casey".into()),
        contact_email: Set(None),
        country: Set(None),
        industry: Set(None),
        employee_count: Set(None),
        source: Set(LeadSource::Inbound),
        status: Set(status),
        owner_id: Set(owner),
        territory_id: Set(Some(territory)),
        budget: Set(None),
        budget_by_id: Set(None),
        budget_at: Set(None),
        authority: Set(None),
        authority_by_id: Set(None),
        authority_at: Set(None),
        need: Set(None),
        need_by_id: Set(None),
        need_at: Set(None),
        timeline: Set(None),
        timeline_by_id: Set(None),
        timeline_at: Set(None),
        disqualify_reason: Set(None),
        account_id: Set(None),
        created_at: Set(created),
        updated_at: Set(created),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

/// An `SDR_TO_AE` handoff of `lead` requested at `requested` and decided at `decided`,
/// with its two events.
pub async fn handoff(
    app: &TestApp,
    lead: Uuid,
    requested: DateTime<Utc>,
    outcome: HandoffStatus,
    decided: DateTime<Utc>,
) {
    let (sdr, ae) = (app.user("sdr").id, app.user("ae").id);
    let id = Uuid::new_v4();
    handoffs::ActiveModel {
        id: Set(id),
        kind: Set(HandoffKind::SdrToAe),
        status: Set(outcome),
        from_user_id: Set(sdr),
        to_user_id: Set(ae),
        lead_id: Set(Some(lead)),
        account_id: Set(None),
        opportunity_id: Set(None),
        subject_key: Set(format!("lead:{lead}")),
        note: Set("qualified".into()),
        reason_code: Set((outcome == HandoffStatus::Rejected).then_some(RejectReason::NotAFit)),
        response_note: Set(None),
        due_at: Set(requested + chrono::Duration::hours(48)),
        resolved_at: Set(Some(decided)),
        version: Set(2),
        created_at: Set(requested),
        updated_at: Set(decided),
    }
    .insert(&app.db)
    .await
    .unwrap();
    for (from, to, when, actor) in [
        (None, HandoffStatus::Pending, requested, sdr),
        (Some(HandoffStatus::Pending), outcome, decided, ae),
    ] {
        handoff_events::ActiveModel {
            id: Set(Uuid::new_v4()),
            handoff_id: Set(id),
            at: Set(when),
            actor_id: Set(actor),
            from_status: Set(from),
            to_status: Set(to),
            to_user_id: Set(None),
            reason_code: Set(None),
            note: Set(None),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
}

pub async fn quota(
    app: &TestApp,
    user: Option<Uuid>,
    territory: Option<Uuid>,
    metric: QuotaMetric,
    period: &str,
    units: i64,
) -> Uuid {
    let id = Uuid::new_v4();
    let key = match (user, territory) {
        (Some(u), _) => format!("user:{u}"),
        (None, t) => format!("territory:{}", t.unwrap()),
    };
    let now = Utc::now();
    quotas::ActiveModel {
        id: Set(id),
        user_id: Set(user),
        territory_id: Set(territory),
        assignee_key: Set(key),
        metric: Set(metric),
        period: Set(period.into()),
        target_cents: Set(units),
        set_by_id: Set(app.user("director").id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

/// Territory ids by name (`R`, `A`, `B`, `A1`) and quota ids by name.
pub struct Built {
    pub t: HashMap<&'static str, Uuid>,
    pub q: HashMap<&'static str, Uuid>,
}

/// A server whose fiscal year starts in February.
pub async fn spawn_february() -> TestApp {
    TestApp::spawn_with(|s| {
        s.insert("SALESGRAPH_FISCAL_YEAR_START_MONTH".into(), "2".into());
    })
    .await
}

pub async fn build(app: &TestApp) -> Built {
    use ForecastCategory as F;
    use OpportunityType::*;
    use Stage::*;
    let (ae, ae2, sdr, manager) = (
        app.user("ae").id,
        app.user("ae2").id,
        app.user("sdr").id,
        app.user("manager").id,
    );
    let r = territory(app, "R", app.fx.territories["global"], manager).await;
    let a = territory(app, "A", r, manager).await;
    let b = territory(app, "B", r, manager).await;
    let a1 = territory(app, "A1", a, manager).await;
    territory_members::ActiveModel {
        territory_id: Set(a),
        user_id: Set(sdr),
        role_in_territory: Set(TerritoryRole::Member),
        created_at: Set(Utc::now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let won = |territory, owner, kind, cents, close, created| Opp {
        territory,
        owner,
        kind,
        stage: ClosedWon,
        cents,
        probability: 100,
        category: F::Closed,
        close,
        created,
        sourced_by: None,
    };
    // o1 A: won new business, 37-day cycle.
    opportunity(
        app,
        won(
            a,
            ae,
            NewBusiness,
            10_000_000,
            day(2026, 3, 10),
            at(2026, 2, 1, 10, 0),
        ),
    )
    .await;
    // o2 A1: won expansion on the period's last day, 10-day cycle.
    opportunity(
        app,
        won(
            a1,
            ae,
            OpportunityType::Expansion,
            5_000_000,
            day(2026, 4, 30),
            at(2026, 4, 20, 23, 0),
        ),
    )
    .await;
    // o3 A1: won the day after the period: not counted.
    opportunity(
        app,
        won(
            a1,
            ae2,
            NewBusiness,
            7_000_000,
            day(2026, 5, 1),
            at(2026, 4, 1, 0, 0),
        ),
    )
    .await;
    // o4 B: won renewal (not bookings), 30-day cycle.
    opportunity(
        app,
        won(
            b,
            ae2,
            Renewal,
            3_000_000,
            day(2026, 2, 15),
            at(2026, 1, 16, 12, 0),
        ),
    )
    .await;
    // o5 A: lost.
    opportunity(
        app,
        Opp {
            stage: ClosedLost,
            category: F::Omitted,
            probability: 0,
            ..won(
                a,
                ae,
                NewBusiness,
                2_000_000,
                day(2026, 3, 1),
                at(2026, 2, 2, 0, 0),
            )
        },
    )
    .await;
    // o6 A1: open, commit, 80 %, sourced by the SDR in the period.
    opportunity(
        app,
        Opp {
            stage: Negotiation,
            category: F::Commit,
            probability: 80,
            sourced_by: Some(sdr),
            ..won(
                a1,
                ae,
                NewBusiness,
                4_000_000,
                day(2026, 4, 15),
                at(2026, 3, 1, 0, 0),
            )
        },
    )
    .await;
    // o7 B: open, pipeline, 33 %.
    opportunity(
        app,
        Opp {
            stage: Discovery,
            category: F::Pipeline,
            probability: 33,
            ..won(
                b,
                ae2,
                NewBusiness,
                1_234_567,
                day(2026, 3, 31),
                at(2026, 3, 1, 0, 0),
            )
        },
    )
    .await;
    // o8 B: open but closing after the period.
    opportunity(
        app,
        Opp {
            stage: Proposal,
            category: F::BestCase,
            probability: 50,
            ..won(
                b,
                ae2,
                NewBusiness,
                1_000_000,
                day(2026, 5, 1),
                at(2026, 3, 1, 0, 0),
            )
        },
    )
    .await;
    // o9 R: won on the period's first day, created the same day.
    opportunity(
        app,
        won(
            r,
            ae,
            NewBusiness,
            500_001,
            day(2026, 2, 1),
            at(2026, 2, 1, 9, 0),
        ),
    )
    .await;

    let l1 = lead(
        app,
        a1,
        Some(sdr),
        LeadStatus::Converted,
        at(2026, 2, 10, 0, 0),
    )
    .await;
    let l2 = lead(
        app,
        a1,
        Some(sdr),
        LeadStatus::Working,
        at(2026, 3, 1, 0, 0),
    )
    .await;
    let l3 = lead(
        app,
        b,
        Some(sdr),
        LeadStatus::Converted,
        at(2026, 4, 30, 23, 59),
    )
    .await;
    let l4 = lead(app, b, Some(sdr), LeadStatus::New, at(2026, 5, 1, 0, 0)).await;
    let l5 = lead(app, a, None, LeadStatus::New, at(2026, 2, 20, 0, 0)).await;
    use HandoffStatus::{Accepted, Rejected};
    handoff(
        app,
        l1,
        at(2026, 2, 10, 8, 0),
        Accepted,
        at(2026, 2, 10, 20, 0),
    )
    .await; // 12 h
    handoff(
        app,
        l3,
        at(2026, 4, 1, 0, 0),
        Accepted,
        at(2026, 4, 2, 6, 0),
    )
    .await; // 30 h
    handoff(
        app,
        l2,
        at(2026, 3, 2, 0, 0),
        Rejected,
        at(2026, 3, 3, 0, 0),
    )
    .await;
    handoff(
        app,
        l5,
        at(2026, 3, 5, 0, 0),
        Accepted,
        at(2026, 3, 5, 3, 0),
    )
    .await; // 3 h
    handoff(
        app,
        l4,
        at(2026, 4, 30, 0, 0),
        Accepted,
        at(2026, 5, 1, 1, 0),
    )
    .await; // after

    use QuotaMetric::*;
    let p = "FY2026-Q1";
    let mut q = HashMap::new();
    q.insert(
        "R",
        quota(app, None, Some(r), Bookings, p, 40_000_000).await,
    );
    q.insert(
        "A",
        quota(app, None, Some(a), Bookings, p, 20_000_000).await,
    );
    q.insert("B", quota(app, None, Some(b), Bookings, p, 0).await);
    q.insert(
        "ae",
        quota(app, Some(ae), None, Bookings, p, 15_000_000).await,
    );
    q.insert(
        "sdr",
        quota(app, Some(sdr), None, PipelineSourced, p, 1_000_000).await,
    );
    q.insert(
        "sdr_handoffs",
        quota(app, Some(sdr), None, QualifiedHandoffs, p, 4).await,
    );

    // The realignment: A1 moves under B after its deals were credited.
    let body = app
        .gql_as(
            "director",
            "mutation($id: ID!, $p: ID) { moveTerritory(id: $id, parentId: $p) { id } }",
            json!({ "id": TestApp::gid("Territory", a1), "p": TestApp::gid("Territory", b) }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let t = HashMap::from([("R", r), ("A", a), ("B", b), ("A1", a1)]);
    Built { t, q }
}
