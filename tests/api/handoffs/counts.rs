//! SQL statement counts of the handoff list: its cost does not grow with the page size.

use chrono::Utc;
use entity::{
    enums::{HandoffKind, HandoffStatus, LeadSource, LeadStatus},
    handoff_events, handoffs, leads,
};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::TestApp;

/// 40 pending handoffs of SDR leads to the AE, each with its request event.
async fn bulk(app: &TestApp) {
    let now = Utc::now();
    let (sdr, ae) = (app.user("sdr").id, app.user("ae").id);
    for i in 0..40 {
        let lead = leads::ActiveModel {
            id: Set(Uuid::new_v4()),
            company_name: Set(format!("Bulk lead {i:02}")),
            domain: Set(Some(format!("bulk-lead{i}.example"))),
            contact_name: Set("Casey".into()),
            source: Set(LeadSource::Inbound),
            status: Set(LeadStatus::Qualified),
            owner_id: Set(Some(sdr)),
            territory_id: Set(Some(app.fx.territories["amer"])),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
        let h = handoffs::ActiveModel {
            id: Set(Uuid::new_v4()),
            kind: Set(HandoffKind::SdrToAe),
            status: Set(HandoffStatus::Pending),
            from_user_id: Set(sdr),
            to_user_id: Set(ae),
            lead_id: Set(Some(lead.id)),
            account_id: Set(None),
            opportunity_id: Set(None),
            subject_key: Set(api::domain::handoff::slot_key(
                HandoffKind::SdrToAe,
                lead.id,
            )),
            note: Set("bulk".into()),
            reason_code: Set(None),
            response_note: Set(None),
            due_at: Set(now + chrono::TimeDelta::hours(24)),
            resolved_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&app.db)
        .await
        .unwrap();
        handoff_events::ActiveModel {
            id: Set(Uuid::new_v4()),
            handoff_id: Set(h.id),
            at: Set(now),
            actor_id: Set(sdr),
            from_status: Set(None),
            to_status: Set(HandoffStatus::Pending),
            to_user_id: Set(Some(ae)),
            reason_code: Set(None),
            note: Set(Some("bulk".into())),
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
}

const NESTED: &str = "query($n: Int!) { handoffs(first: $n) { totalCount edges { node { kind overdue from { name } to { name } lead { companyName } account { name } opportunity { name } events(first: 5) { totalCount nodes { toStatus actor { name } } } } } } }";

#[tokio::test]
async fn the_handoff_list_costs_the_same_for_5_and_40() {
    let app = TestApp::spawn().await;
    bulk(&app).await;
    for who in ["director", "manager", "ae", "sdr"] {
        let token = app.token(who);
        let mut costs = Vec::new();
        for n in [5, 40] {
            let before = app.statements();
            let body = app.gql(NESTED, json!({ "n": n }), Some(&token)).await;
            assert!(body["errors"].is_null(), "{who}: {body}");
            let edges = body["data"]["handoffs"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), n as usize, "{who}");
            assert_eq!(edges[0]["node"]["events"]["totalCount"], 1, "{who}");
            costs.push(app.statements() - before);
        }
        assert_eq!(
            costs[0], costs[1],
            "{who}: statements grow with the page size"
        );
        assert!(costs[1] <= 12, "{who}: {} statements", costs[1]);
    }
}
