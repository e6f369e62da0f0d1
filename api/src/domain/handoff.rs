//! The handoff state machine and its subject slots, as pure functions.
//!
//! `PENDING → ACCEPTED | REJECTED | CANCELLED`; a redirect keeps it `PENDING` with a
//! new recipient. Nothing leaves a final state.

use chrono::{DateTime, Utc};
use entity::enums::{HandoffKind, HandoffStatus};
use uuid::Uuid;

use crate::error::AppError;

/// What someone does to a pending handoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Accept,
    Reject,
    Cancel,
    Redirect,
}

impl Transition {
    /// The action's name, as the mutation and the audit log call it.
    pub fn action(self) -> &'static str {
        match self {
            Transition::Accept => "acceptHandoff",
            Transition::Reject => "rejectHandoff",
            Transition::Cancel => "cancelHandoff",
            Transition::Redirect => "redirectHandoff",
        }
    }
}

/// The status after `t`, or `INVALID_STATE_TRANSITION` when the handoff is no longer
/// pending.
pub fn next(status: HandoffStatus, t: Transition) -> Result<HandoffStatus, AppError> {
    use HandoffStatus::*;
    match (status, t) {
        (Pending, Transition::Accept) => Ok(Accepted),
        (Pending, Transition::Reject) => Ok(Rejected),
        (Pending, Transition::Cancel) => Ok(Cancelled),
        (Pending, Transition::Redirect) => Ok(Pending),
        (done, t) => Err(AppError::InvalidStateTransition(format!(
            "the handoff is {} and can no longer change ({} needs a pending handoff)",
            done.as_str(),
            t.action()
        ))),
    }
}

/// The state check first (a handoff that is no longer pending says so, whatever
/// version the caller holds), then the optimistic lock.
pub fn check(
    status: HandoffStatus,
    version: i32,
    given: i32,
    t: Transition,
) -> Result<HandoffStatus, AppError> {
    let to = next(status, t)?;
    if version != given {
        return Err(AppError::Conflict(format!(
            "the handoff changed since you read it (version {version}, you sent {given}); reload it"
        )));
    }
    Ok(to)
}

/// What a handoff is about: a lead, or an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Lead,
    Account,
}

pub fn subject(kind: HandoffKind) -> Subject {
    match kind {
        HandoffKind::SdrToAe => Subject::Lead,
        _ => Subject::Account,
    }
}

/// At most one handoff per slot is pending (a unique index on this key among pending
/// handoffs): the lead; an account's account manager, its CSM, its expansion. So an AE
/// can hand a new customer to an AM and to CS at once.
pub fn slot_key(kind: HandoffKind, subject_id: Uuid) -> String {
    match kind {
        HandoffKind::SdrToAe => format!("lead:{subject_id}"),
        HandoffKind::AeToAm => format!("account:{subject_id}:am"),
        HandoffKind::AeToCs | HandoffKind::AmToCs => format!("account:{subject_id}:csm"),
        HandoffKind::CsToAm => format!("account:{subject_id}:expansion"),
    }
}

/// Pending past its deadline.
pub fn overdue(status: HandoffStatus, due_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == HandoffStatus::Pending && due_at < now
}

#[cfg(test)]
mod tests {
    use super::*;
    use HandoffStatus::*;

    const ALL: [Transition; 4] = [
        Transition::Accept,
        Transition::Reject,
        Transition::Cancel,
        Transition::Redirect,
    ];

    #[test]
    fn pending_moves_to_each_outcome() {
        assert_eq!(next(Pending, Transition::Accept).unwrap(), Accepted);
        assert_eq!(next(Pending, Transition::Reject).unwrap(), Rejected);
        assert_eq!(next(Pending, Transition::Cancel).unwrap(), Cancelled);
        assert_eq!(next(Pending, Transition::Redirect).unwrap(), Pending);
    }

    #[test]
    fn final_states_refuse_every_transition() {
        for from in [Accepted, Rejected, Cancelled] {
            for t in ALL {
                let err = next(from, t).unwrap_err();
                assert_eq!(err.code(), "INVALID_STATE_TRANSITION", "{from:?} {t:?}");
            }
        }
    }

    #[test]
    fn a_stale_version_is_a_conflict_but_a_closed_handoff_says_so_first() {
        assert_eq!(
            check(Pending, 2, 1, Transition::Accept).unwrap_err().code(),
            "CONFLICT"
        );
        assert_eq!(
            check(Accepted, 2, 1, Transition::Accept)
                .unwrap_err()
                .code(),
            "INVALID_STATE_TRANSITION"
        );
        assert_eq!(check(Pending, 3, 3, Transition::Cancel).unwrap(), Cancelled);
    }

    #[test]
    fn account_manager_csm_and_expansion_are_separate_slots() {
        let id = Uuid::new_v4();
        let keys: Vec<String> = [
            HandoffKind::AeToAm,
            HandoffKind::AeToCs,
            HandoffKind::CsToAm,
        ]
        .into_iter()
        .map(|k| slot_key(k, id))
        .collect();
        assert_eq!(keys.len(), 3);
        assert!(keys[0] != keys[1] && keys[1] != keys[2] && keys[0] != keys[2]);
        assert_eq!(
            slot_key(HandoffKind::AeToCs, id),
            slot_key(HandoffKind::AmToCs, id)
        );
        assert_eq!(subject(HandoffKind::SdrToAe), Subject::Lead);
    }

    #[test]
    fn only_pending_handoffs_are_overdue() {
        let now = Utc::now();
        let past = now - chrono::TimeDelta::hours(1);
        assert!(overdue(Pending, past, now));
        assert!(!overdue(Pending, now + chrono::TimeDelta::hours(1), now));
        assert!(!overdue(Accepted, past, now));
    }
}
