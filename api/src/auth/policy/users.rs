//! The role rules of user administration: what a user of each role must (and must not)
//! be linked to, and the changes nobody makes to their own account. Services ask these
//! instead of comparing a target user's role themselves.

use entity::enums::Role;
use uuid::Uuid;

use super::is_internal;
use crate::{auth::Actor, error::AppError};

/// What a user belongs to, once their role's link rules hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// A partner user: exactly one partner organization (which must exist), no manager.
    Partner { partner_id: Uuid },
    /// An internal user: no partner organization; a manager, if any, must be one of
    /// [`super::manager_candidates`] and outside the user's own team.
    Internal { manager_id: Option<Uuid> },
}

/// The links a user of `role` may have: a partner user needs a partner organization and
/// has no manager; only partner users belong to a partner organization.
/// `BAD_USER_INPUT` on the offending field otherwise.
pub fn user_membership(
    role: Role,
    manager_id: Option<Uuid>,
    partner_id: Option<Uuid>,
) -> Result<Membership, AppError> {
    if is_internal(role) {
        return match partner_id {
            Some(_) => Err(AppError::bad_input(
                "partnerId",
                "only partner users belong to a partner",
            )),
            None => Ok(Membership::Internal { manager_id }),
        };
    }
    let partner_id = partner_id
        .ok_or_else(|| AppError::bad_input("partnerId", "partner users need a partner"))?;
    if manager_id.is_some() {
        return Err(AppError::bad_input(
            "managerId",
            "partner users have no manager",
        ));
    }
    Ok(Membership::Partner { partner_id })
}

/// Nobody deactivates themselves or changes their own role: the last director could
/// otherwise lock everyone out of user administration. `BAD_USER_INPUT` on `id` or
/// `role`.
pub fn require_not_own_lockout(
    actor: &Actor,
    target: Uuid,
    current_role: Role,
    new_role: Option<Role>,
    new_active: Option<bool>,
) -> Result<(), AppError> {
    if target != actor.user_id {
        return Ok(());
    }
    if new_active == Some(false) {
        return Err(AppError::bad_input("id", "you cannot deactivate yourself"));
    }
    if new_role.is_some_and(|r| r != current_role) {
        return Err(AppError::bad_input(
            "role",
            "you cannot change your own role",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<Membership, AppError>) -> String {
        match r {
            Err(AppError::BadUserInput { field, .. }) => field,
            other => panic!("expected BAD_USER_INPUT, got {other:?}"),
        }
    }

    #[test]
    fn partner_users_need_exactly_a_partner_and_no_manager() {
        let (p, m) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(
            user_membership(Role::Partner, None, Some(p)).ok(),
            Some(Membership::Partner { partner_id: p })
        );
        assert_eq!(
            field(user_membership(Role::Partner, None, None)),
            "partnerId"
        );
        assert_eq!(
            field(user_membership(Role::Partner, Some(m), Some(p))),
            "managerId"
        );
    }

    #[test]
    fn internal_users_belong_to_no_partner() {
        let (p, m) = (Uuid::new_v4(), Uuid::new_v4());
        for role in [Role::Sdr, Role::SalesManager, Role::Director] {
            assert_eq!(
                user_membership(role, Some(m), None).ok(),
                Some(Membership::Internal {
                    manager_id: Some(m)
                })
            );
            assert_eq!(field(user_membership(role, None, Some(p))), "partnerId");
        }
    }
}
