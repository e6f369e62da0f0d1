//! Simultaneous actions on one handoff: exactly one wins, on a database with several
//! connections (a SQLite file, or PostgreSQL).

use entity::{handoff_events, opportunities};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use super::{accept_q, outcome};
use crate::helpers::TestApp;

/// Twenty accepts of one pending handoff at once: one success, one opportunity, one
/// accept event; every other answer is `CONFLICT` or `INVALID_STATE_TRANSITION`.
#[tokio::test]
async fn twenty_concurrent_accepts_make_one_conversion() {
    let app = TestApp::spawn_file().await;
    let handoff = entity::handoffs::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let id = TestApp::gid("Handoff", handoff.id);
    // The recipient and the managers above them may all accept.
    let tokens: Vec<String> = ["ae", "manager", "director"]
        .iter()
        .map(|w| app.token(w))
        .collect();
    let q = accept_q();
    let calls = (0..20).map(|n| {
        let (app, q, token, id) = (&app, &q, tokens[n % 3].clone(), id.clone());
        async move { app.gql(q, json!({ "id": id, "v": 1 }), Some(&token)).await }
    });
    let answers = futures_util::future::join_all(calls).await;
    let outcomes: Vec<String> = answers.iter().map(outcome).collect();
    let ok = outcomes.iter().filter(|o| *o == "ok").count();
    let lost = outcomes
        .iter()
        .filter(|o| *o == "CONFLICT" || *o == "INVALID_STATE_TRANSITION")
        .count();
    assert_eq!((ok, lost), (1, 19), "{outcomes:?}");
    let opps = opportunities::Entity::find()
        .filter(opportunities::Column::LeadId.eq(handoff.lead_id.unwrap()))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(opps, 1);
    let accepts = handoff_events::Entity::find()
        .filter(handoff_events::Column::HandoffId.eq(handoff.id))
        .filter(handoff_events::Column::ToStatus.eq(entity::enums::HandoffStatus::Accepted))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(accepts, 1);
}
