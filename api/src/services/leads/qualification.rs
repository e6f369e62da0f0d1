//! A lead's BANT qualification, and its disqualification with a reason.

use chrono::Utc;
use entity::{enums::LeadStatus, leads};
use sea_orm::Set;
use uuid::Uuid;

use super::{ANSWER_MAX, for_change, save};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::text,
    error::{AppError, AppResult},
    state::AppState,
};

/// BANT answers; `None` leaves an answer as it is.
#[derive(Default)]
pub struct Qualification {
    pub budget: Option<String>,
    pub authority: Option<String>,
    pub need: Option<String>,
    pub timeline: Option<String>,
}

/// Records BANT answers (who and when, each); the lead is `QUALIFIED` once all four
/// are answered, `WORKING` until then.
#[tracing::instrument(skip_all, fields(actor = %actor.user_id, lead = %id))]
pub async fn qualify(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    q: Qualification,
) -> AppResult<leads::Model> {
    let txn = crate::db::begin_write(&state.db).await?;
    let before = for_change(&txn, actor, id, Action::QualifyLead).await?;
    if before.status == LeadStatus::Disqualified {
        return Err(AppError::InvalidStateTransition(
            "reopen a disqualified lead (status WORKING) before qualifying it".into(),
        ));
    }
    if q.budget.is_none() && q.authority.is_none() && q.need.is_none() && q.timeline.is_none() {
        return Err(AppError::bad_input(
            "input",
            "answer at least one of budget, authority, need, timeline",
        ));
    }
    let now = Utc::now();
    let mut m: leads::ActiveModel = before.clone().into();
    let me = Some(actor.user_id);
    if let Some(a) = &q.budget {
        m.budget = Set(Some(text::required(a, "budget", ANSWER_MAX)?));
        m.budget_by_id = Set(me);
        m.budget_at = Set(Some(now));
    }
    if let Some(a) = &q.authority {
        m.authority = Set(Some(text::required(a, "authority", ANSWER_MAX)?));
        m.authority_by_id = Set(me);
        m.authority_at = Set(Some(now));
    }
    if let Some(a) = &q.need {
        m.need = Set(Some(text::required(a, "need", ANSWER_MAX)?));
        m.need_by_id = Set(me);
        m.need_at = Set(Some(now));
    }
    if let Some(a) = &q.timeline {
        m.timeline = Set(Some(text::required(a, "timeline", ANSWER_MAX)?));
        m.timeline_by_id = Set(me);
        m.timeline_at = Set(Some(now));
    }
    let complete = m.budget.as_ref().is_some()
        && m.authority.as_ref().is_some()
        && m.need.as_ref().is_some()
        && m.timeline.as_ref().is_some();
    m.status = Set(if complete {
        LeadStatus::Qualified
    } else {
        LeadStatus::Working
    });
    let after = save(&txn, actor, before, m, "qualifyLead").await?;
    txn.commit().await?;
    Ok(after)
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, lead = %id))]
pub async fn disqualify(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> AppResult<leads::Model> {
    policy::require(actor, Action::DisqualifyLead)?;
    let reason = text::required(reason, "reason", ANSWER_MAX)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let before = for_change(&txn, actor, id, Action::DisqualifyLead).await?;
    if before.status == LeadStatus::Disqualified {
        return Err(AppError::InvalidStateTransition(
            "the lead is already disqualified".into(),
        ));
    }
    let mut m: leads::ActiveModel = before.clone().into();
    m.status = Set(LeadStatus::Disqualified);
    m.disqualify_reason = Set(Some(reason));
    let after = save(&txn, actor, before, m, "disqualifyLead").await?;
    txn.commit().await?;
    Ok(after)
}
