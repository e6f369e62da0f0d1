//! `requestHandoff`: the preconditions of each kind and the recipient rules.

use entity::{
    accounts,
    enums::{HandoffKind, HandoffStatus, LeadStatus, Lifecycle, Stage},
    handoffs, leads, opportunities, users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Set,
};
use uuid::Uuid;

use super::{NOTE_MAX, append_event, changes};
use crate::{
    auth::{Actor, policy},
    domain::{
        handoff::{self, Subject},
        text,
    },
    error::{AppError, AppResult},
    services::{audit, find_scoped, unique_violation},
    state::AppState,
};

pub struct NewHandoff {
    pub kind: HandoffKind,
    pub lead_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub to_user_id: Uuid,
    pub note: String,
}

/// The subject of a new handoff, checked against its kind's preconditions.
struct Checked {
    subject_id: Uuid,
    field: &'static str,
    lead_territory: Option<Uuid>,
}

async fn check_lead<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> AppResult<Checked> {
    let lead =
        find_scoped::<leads::Entity, _>(db, id, policy::lead_scope(actor), true, "Lead").await?;
    if lead.status != LeadStatus::Qualified {
        return Err(AppError::bad_input(
            "leadId",
            format!(
                "only a QUALIFIED lead (BANT complete) can be handed to an AE; this one is {}",
                lead.status.as_str()
            ),
        ));
    }
    let Some(territory) = lead.territory_id else {
        return Err(AppError::bad_input(
            "territory",
            "the lead has no territory, so no AE covers it; set its territory first",
        ));
    };
    if lead.domain.is_none() {
        return Err(AppError::bad_input(
            "domain",
            "the lead has no domain, so its account cannot be found or created; set it first",
        ));
    }
    Ok(Checked {
        subject_id: lead.id,
        field: "leadId",
        lead_territory: Some(territory),
    })
}

async fn check_account<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    kind: HandoffKind,
    id: Uuid,
) -> AppResult<Checked> {
    let account =
        find_scoped::<accounts::Entity, _>(db, id, policy::account_scope(actor), true, "Account")
            .await?;
    match kind {
        HandoffKind::AeToAm | HandoffKind::AeToCs => {
            let won = opportunities::Entity::find()
                .filter(opportunities::Column::AccountId.eq(account.id))
                .filter(opportunities::Column::Stage.eq(Stage::ClosedWon))
                .count(db)
                .await?;
            if won == 0 {
                return Err(AppError::bad_input(
                    "accountId",
                    "an AE hands over an account once it has a CLOSED_WON opportunity",
                ));
            }
        }
        _ => {
            if account.lifecycle != Lifecycle::Customer {
                return Err(AppError::bad_input(
                    "accountId",
                    format!("{} handoffs are for CUSTOMER accounts", kind.as_str()),
                ));
            }
        }
    }
    Ok(Checked {
        subject_id: account.id,
        field: "accountId",
        lead_territory: None,
    })
}

/// The recipient of `kind` from `sender`: not the sender, an active user of the
/// receiving role, for `SDR_TO_AE` an AE of the lead's territory (or an ancestor), and
/// within `extra` (a redirecting manager's team).
async fn recipient<C: ConnectionTrait>(
    db: &C,
    kind: HandoffKind,
    sender: Uuid,
    territory: Option<Uuid>,
    to: Uuid,
    extra: Condition,
) -> AppResult<users::Model> {
    if to == sender {
        return Err(AppError::bad_input(
            "toUserId",
            "a handoff goes to someone else than its sender",
        ));
    }
    let base = users::Entity::find_by_id(to).filter(extra);
    let Some(user) = base
        .clone()
        .filter(policy::handoff_recipients(kind))
        .one(db)
        .await?
    else {
        return Err(AppError::bad_input(
            "toUserId",
            format!(
                "the recipient of a {} handoff must be an active user of the receiving role",
                kind.as_str()
            ),
        ));
    };
    if let Some(t) = territory {
        let covered = base.filter(policy::covers_territory(t)).count(db).await?;
        if covered == 0 {
            return Err(AppError::bad_input(
                "toUserId",
                "the recipient must be an AE of the lead's territory or of a territory above it",
            ));
        }
    }
    Ok(user)
}

/// For a redirect: the new recipient meets the kind's rules and is in the
/// redirecting manager's team.
pub(super) async fn check_recipient<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    h: &handoffs::Model,
    to: Uuid,
    _redirect: bool,
) -> AppResult<()> {
    if to == h.to_user_id {
        return Err(AppError::bad_input(
            "toUserId",
            "the handoff already goes to this user",
        ));
    }
    let territory = match h.lead_id {
        Some(l) => leads::Entity::find_by_id(l)
            .one(db)
            .await?
            .and_then(|l| l.territory_id),
        None => None,
    };
    recipient(
        db,
        h.kind,
        h.from_user_id,
        territory,
        to,
        policy::redirect_target_scope(actor),
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn request(
    state: &AppState,
    actor: &Actor,
    input: NewHandoff,
) -> AppResult<handoffs::Model> {
    policy::may_send_handoff(actor, input.kind)?;
    let note = text::required(&input.note, "note", NOTE_MAX)?;
    let kind = input.kind;
    let (lead_id, account_id) = match (handoff::subject(kind), input.lead_id, input.account_id) {
        (Subject::Lead, Some(l), None) => (Some(l), None),
        (Subject::Account, None, Some(a)) => (None, Some(a)),
        (Subject::Lead, _, _) => {
            return Err(AppError::bad_input(
                "leadId",
                "an SDR_TO_AE handoff names a lead (leadId) and no account",
            ));
        }
        (Subject::Account, _, _) => {
            return Err(AppError::bad_input(
                "accountId",
                format!(
                    "a {} handoff names an account (accountId) and no lead",
                    kind.as_str()
                ),
            ));
        }
    };
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let checked = match (lead_id, account_id) {
        (Some(l), _) => check_lead(&txn, actor, l).await?,
        (_, Some(a)) => check_account(&txn, actor, kind, a).await?,
        _ => return Err(AppError::internal("handoff without a subject")),
    };
    recipient(
        &txn,
        kind,
        actor.user_id,
        checked.lead_territory,
        input.to_user_id,
        Condition::all(),
    )
    .await?;
    let key = handoff::slot_key(kind, checked.subject_id);
    let taken = "a handoff of this subject is already pending; resolve or cancel it first";
    let pending = handoffs::Entity::find()
        .filter(handoffs::Column::SubjectKey.eq(key.as_str()))
        .filter(handoffs::Column::Status.eq(HandoffStatus::Pending))
        .count(&txn)
        .await?;
    if pending > 0 {
        return Err(AppError::bad_input(checked.field, taken));
    }
    let h = handoffs::ActiveModel {
        id: Set(Uuid::new_v4()),
        kind: Set(kind),
        status: Set(HandoffStatus::Pending),
        from_user_id: Set(actor.user_id),
        to_user_id: Set(input.to_user_id),
        lead_id: Set(lead_id),
        account_id: Set(account_id),
        opportunity_id: Set(None),
        subject_key: Set(key),
        note: Set(note.clone()),
        reason_code: Set(None),
        response_note: Set(None),
        due_at: Set(now + state.config.handoffs.sla(kind)),
        resolved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_violation(e, checked.field, taken))?;
    let event = append_event(&txn, &h, actor, None, None, Some(note), now).await?;
    audit::record(
        &txn,
        Some(actor.user_id),
        "requestHandoff",
        "Handoff",
        h.id,
        changes(None, &h),
    )
    .await?;
    super::commit_and_publish(state, txn, event).await?;
    Ok(h)
}
