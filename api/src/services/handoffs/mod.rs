//! Handoffs: proposing, reading and resolving the transfer of a lead or account from
//! one role to the next. The state machine is `domain::handoff`; who may do what is
//! the policy; what accepting does to the subject is `effects`.

mod effects;
mod request;

use chrono::{DateTime, Utc};
use entity::{
    enums::{HandoffKind, HandoffStatus, RejectReason},
    handoff_events, handoffs,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, Set, sea_query::Expr,
};
use uuid::Uuid;

pub use request::{NewHandoff, request};

use super::{
    audit::{self, Changes},
    page::{PageArgs, Paged, fetch_page},
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action, HandoffAct},
    },
    domain::{handoff::Transition, text},
    error::{AppError, AppResult},
    state::AppState,
};

const NOTE_MAX: usize = 2_000;

/// Which side of a handoff the caller is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum HandoffDirection {
    /// Sent to the caller.
    Incoming,
    /// Sent by the caller.
    Outgoing,
}

#[derive(Debug, Default, Clone)]
pub struct HandoffFilter {
    pub direction: Option<HandoffDirection>,
    pub kind: Vec<HandoffKind>,
    pub status: Vec<HandoffStatus>,
    pub overdue: Option<bool>,
    pub updated_since: Option<DateTime<Utc>>,
    pub lead_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
}

/// What handoff lists can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum HandoffOrderField {
    /// When the handoff was requested (the default, newest first).
    #[default]
    CreatedAt,
    /// When the recipient's answer is due (the SLA).
    DueAt,
    /// When it last changed (requested, redirected, accepted, rejected or cancelled).
    UpdatedAt,
}

fn overdue_condition(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(handoffs::Column::Status.eq(HandoffStatus::Pending))
        .add(handoffs::Column::DueAt.lt(now))
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    now: DateTime<Utc>,
    filter: &HandoffFilter,
    order: (HandoffOrderField, bool),
    page: &PageArgs,
) -> AppResult<Paged<handoffs::Model>> {
    policy::require(actor, Action::ReadHandoffs)?;
    page.validate()?;
    let mut cond = policy::handoff_scope(actor);
    match filter.direction {
        Some(HandoffDirection::Incoming) => {
            cond = cond.add(handoffs::Column::ToUserId.eq(actor.user_id));
        }
        Some(HandoffDirection::Outgoing) => {
            cond = cond.add(handoffs::Column::FromUserId.eq(actor.user_id));
        }
        None => {}
    }
    if !filter.kind.is_empty() {
        cond = cond.add(handoffs::Column::Kind.is_in(filter.kind.iter().copied()));
    }
    if !filter.status.is_empty() {
        cond = cond.add(handoffs::Column::Status.is_in(filter.status.iter().copied()));
    }
    match filter.overdue {
        Some(true) => cond = cond.add(overdue_condition(now)),
        Some(false) => cond = cond.add(overdue_condition(now).not()),
        None => {}
    }
    if let Some(t) = filter.updated_since {
        cond = cond.add(handoffs::Column::UpdatedAt.gte(t));
    }
    if let Some(l) = filter.lead_id {
        cond = cond.add(handoffs::Column::LeadId.eq(l));
    }
    if let Some(a) = filter.account_id {
        cond = cond.add(handoffs::Column::AccountId.eq(a));
    }
    let col = match order.0 {
        HandoffOrderField::CreatedAt => handoffs::Column::CreatedAt,
        HandoffOrderField::DueAt => handoffs::Column::DueAt,
        HandoffOrderField::UpdatedAt => handoffs::Column::UpdatedAt,
    };
    fetch_page(
        db,
        handoffs::Entity::find().filter(cond),
        page,
        col,
        order.1,
        handoffs::Column::Id,
    )
    .await
}

pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> AppResult<handoffs::Model> {
    policy::require(actor, Action::ReadHandoffs)?;
    handoffs::Entity::find_by_id(id)
        .filter(policy::handoff_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Handoff"))
}

pub async fn get_event<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> AppResult<handoff_events::Model> {
    policy::require(actor, Action::ReadHandoffs)?;
    handoff_events::Entity::find_by_id(id)
        .filter(policy::handoff_event_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("HandoffEvent"))
}

/// Appends to the handoff's history; there is no update or delete path for events.
pub(crate) async fn append_event<C: ConnectionTrait>(
    db: &C,
    h: &handoffs::Model,
    actor: &Actor,
    from: Option<HandoffStatus>,
    reason: Option<RejectReason>,
    note: Option<String>,
    at: DateTime<Utc>,
) -> AppResult<Uuid> {
    let id = Uuid::new_v4();
    handoff_events::ActiveModel {
        id: Set(id),
        handoff_id: Set(h.id),
        at: Set(at),
        actor_id: Set(actor.user_id),
        from_status: Set(from),
        to_status: Set(h.status),
        to_user_id: Set(Some(h.to_user_id)),
        reason_code: Set(reason),
        note: Set(note),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Commits a transition and publishes its event to live subscribers (on PostgreSQL the
/// notification is part of the transaction, so a rollback publishes nothing).
pub(crate) async fn commit_and_publish(
    state: &AppState,
    txn: DatabaseTransaction,
    event: Uuid,
) -> AppResult<()> {
    state
        .hub
        .commit(txn, crate::events::Notice::Event(event))
        .await
}

pub(crate) fn changes(before: Option<&handoffs::Model>, after: &handoffs::Model) -> Changes {
    let s = |u: Option<Uuid>| u.map(|u| u.to_string());
    Changes::new()
        .field("kind", before.map(|b| b.kind.as_str()), after.kind.as_str())
        .field(
            "status",
            before.map(|b| b.status.as_str()),
            after.status.as_str(),
        )
        .field(
            "toUserId",
            before.map(|b| b.to_user_id.to_string()),
            after.to_user_id.to_string(),
        )
        .field(
            "leadId",
            before.and_then(|b| s(b.lead_id)),
            s(after.lead_id),
        )
        .field(
            "accountId",
            before.and_then(|b| s(b.account_id)),
            s(after.account_id),
        )
        .field(
            "opportunityId",
            before.and_then(|b| s(b.opportunity_id)),
            s(after.opportunity_id),
        )
        .field(
            "reasonCode",
            before.and_then(|b| b.reason_code.map(|r| r.as_str())),
            after.reason_code.map(|r| r.as_str()),
        )
        .field(
            "responseNote",
            before.and_then(|b| b.response_note.clone()),
            after.response_note.clone(),
        )
}

/// The handoff, locked, if the actor may act on it this way: `NOT_FOUND` when they
/// cannot see it, `FORBIDDEN` when they see it but may not act.
async fn for_act(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    act: HandoffAct,
) -> AppResult<handoffs::Model> {
    let found = handoffs::Entity::find_by_id(id)
        .filter(policy::handoff_act_scope(actor, act))
        .lock_exclusive()
        .one(txn)
        .await?;
    match found {
        Some(h) => Ok(h),
        None => {
            get(txn, actor, id).await?;
            Err(AppError::Forbidden(
                "only the recipient, a manager above them or a director may do this".into(),
            ))
        }
    }
}

/// Saves the new state if nobody else changed the row since it was read: the
/// `version` in the `WHERE` makes two racing writers unable to both win, whatever the
/// database's locking.
async fn save(
    txn: &DatabaseTransaction,
    before: &handoffs::Model,
    after: handoffs::Model,
) -> AppResult<handoffs::Model> {
    let res = handoffs::Entity::update_many()
        .col_expr(handoffs::Column::Status, Expr::value(after.status))
        .col_expr(handoffs::Column::ToUserId, Expr::value(after.to_user_id))
        .col_expr(handoffs::Column::AccountId, Expr::value(after.account_id))
        .col_expr(
            handoffs::Column::OpportunityId,
            Expr::value(after.opportunity_id),
        )
        .col_expr(handoffs::Column::ReasonCode, Expr::value(after.reason_code))
        .col_expr(
            handoffs::Column::ResponseNote,
            Expr::value(after.response_note.clone()),
        )
        .col_expr(handoffs::Column::DueAt, Expr::value(after.due_at))
        .col_expr(handoffs::Column::ResolvedAt, Expr::value(after.resolved_at))
        .col_expr(handoffs::Column::Version, Expr::value(before.version + 1))
        .col_expr(handoffs::Column::UpdatedAt, Expr::value(after.updated_at))
        .filter(handoffs::Column::Id.eq(before.id))
        .filter(handoffs::Column::Version.eq(before.version))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::Conflict(
            "the handoff changed while you acted on it; reload it".into(),
        ));
    }
    Ok(handoffs::Model {
        version: before.version + 1,
        ..after
    })
}

/// What the caller wants to do with a pending handoff.
pub enum Resolve {
    Accept,
    Reject {
        reason: RejectReason,
        note: String,
    },
    Cancel {
        note: Option<String>,
    },
    Redirect {
        to_user_id: Uuid,
        note: Option<String>,
    },
}

impl Resolve {
    fn transition(&self) -> Transition {
        match self {
            Resolve::Accept => Transition::Accept,
            Resolve::Reject { .. } => Transition::Reject,
            Resolve::Cancel { .. } => Transition::Cancel,
            Resolve::Redirect { .. } => Transition::Redirect,
        }
    }

    fn act(&self) -> (Action, HandoffAct) {
        match self {
            Resolve::Accept | Resolve::Reject { .. } => {
                (Action::RespondToHandoff, HandoffAct::Respond)
            }
            Resolve::Cancel { .. } => (Action::CancelHandoff, HandoffAct::Cancel),
            Resolve::Redirect { .. } => (Action::RedirectHandoff, HandoffAct::Redirect),
        }
    }
}

/// Accepts, rejects, cancels or redirects a pending handoff at `version`, with its
/// side effects, its event and its audit entry in one transaction.
#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id, handoff = %id))]
pub async fn resolve(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    version: i32,
    what: Resolve,
) -> AppResult<handoffs::Model> {
    let (action, act) = what.act();
    policy::require(actor, action)?;
    let t = what.transition();
    // Inputs are checked before any lock is taken.
    let (reason, note) = match &what {
        Resolve::Reject { reason, note } => {
            (Some(*reason), Some(text::required(note, "note", NOTE_MAX)?))
        }
        Resolve::Cancel { note } | Resolve::Redirect { note, .. } => (
            None,
            note.as_deref()
                .map(|n| text::required(n, "note", NOTE_MAX))
                .transpose()?,
        ),
        Resolve::Accept => (None, None),
    };
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let before = for_act(&txn, actor, id, act).await?;
    let status = crate::domain::handoff::check(before.status, before.version, version, t)?;
    let mut after = handoffs::Model {
        status,
        updated_at: now,
        ..before.clone()
    };
    match &what {
        Resolve::Accept => {
            after.resolved_at = Some(now);
            effects::on_accept(state, &txn, actor, &mut after, now).await?;
        }
        Resolve::Reject { .. } => {
            after.resolved_at = Some(now);
            after.reason_code = reason;
            after.response_note = note.clone();
            effects::on_reject(&txn, actor, &after).await?;
        }
        Resolve::Cancel { .. } => {
            after.resolved_at = Some(now);
        }
        Resolve::Redirect { to_user_id, .. } => {
            request::check_recipient(&txn, actor, &before, *to_user_id, true).await?;
            after.to_user_id = *to_user_id;
            // The new recipient gets the kind's full SLA from now.
            after.due_at = now + state.config.handoffs.sla(before.kind);
        }
    }
    let after = save(&txn, &before, after).await?;
    let event = append_event(&txn, &after, actor, Some(before.status), reason, note, now).await?;
    audit::record(
        &txn,
        Some(actor.user_id),
        t.action(),
        "Handoff",
        id,
        changes(Some(&before), &after),
    )
    .await?;
    commit_and_publish(state, txn, event).await?;
    Ok(after)
}
