//! Question 1: may this actor perform this action at all? The role grant table and the
//! few per-role rules that refine it (who sends which handoff, nobody sets their own
//! quota, which slot a new row gives its creator).

use entity::enums::{HandoffKind, Role};
use uuid::Uuid;

use crate::{auth::Actor, error::AppError};

/// Everything a caller might try. `viewerPermissions` is built from this list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Action {
    /// Read the user directory (the users the caller's role may see).
    ReadUsers,
    /// Create users.
    CreateUser,
    /// Change users' details or role.
    UpdateUser,
    /// Deactivate users.
    DeactivateUser,
    /// Read the audit log.
    ReadAuditLog,
    /// Read territories.
    ReadTerritories,
    /// Create, rename, re-criteria and move territories.
    DesignTerritories,
    /// Add and remove territory members.
    ManageTerritoryMembers,
    /// Read accounts.
    ReadAccounts,
    /// Create accounts.
    CreateAccount,
    /// Change accounts.
    UpdateAccount,
    /// Change an account's owner, account manager or CSM.
    ReassignAccount,
    /// Read leads.
    ReadLeads,
    /// Create leads.
    CreateLead,
    /// Change leads.
    UpdateLead,
    /// Record BANT answers on leads.
    QualifyLead,
    /// Disqualify leads.
    DisqualifyLead,
    /// Read opportunities.
    ReadOpportunities,
    /// Create opportunities.
    CreateOpportunity,
    /// Change open opportunities.
    UpdateOpportunity,
    /// Close opportunities as won or lost.
    CloseOpportunity,
    /// Give an opportunity to another owner.
    ReassignOpportunity,
    /// Read activities.
    ReadActivities,
    /// Log activities.
    LogActivity,
    /// Read quotas (own, the team's, or all, by role).
    ReadQuotas,
    /// Set or delete quotas (for the caller's team, or anyone for directors; never one's own).
    SetQuotas,
    /// Run territory reports (on the territories the caller may report on).
    ReadTerritoryReports,
    /// List partner organizations.
    ReadPartners,
    /// Create partner organizations, rename, re-tier, suspend or reactivate them.
    ManagePartners,
    /// Register a deal for the actor's partner organization.
    RegisterDeal,
    /// Read deal registrations (partner users: their organization's only).
    ReadDealRegistrations,
    /// Approve or reject a submitted registration.
    ReviewDealRegistrations,
    /// Read handoffs: one's own (sent or received), a manager's team's, all for directors.
    ReadHandoffs,
    /// Propose a handoff of a lead or account (each sender role has its kinds).
    RequestHandoff,
    /// Accept or reject a handoff sent to the actor or to someone in their team.
    RespondToHandoff,
    /// Withdraw a handoff the actor sent.
    CancelHandoff,
    /// Give a pending handoff to another recipient.
    RedirectHandoff,
}

use Role::*;

const INTERNAL: &[Role] = &[
    Sdr,
    AccountExecutive,
    AccountManager,
    CustomerSuccess,
    SalesManager,
    Director,
];
const ALL: &[Role] = &[
    Sdr,
    AccountExecutive,
    AccountManager,
    CustomerSuccess,
    SalesManager,
    Director,
    Partner,
];
const MANAGERS: &[Role] = &[SalesManager, Director];
const SELLERS: &[Role] = &[
    AccountExecutive,
    AccountManager,
    CustomerSuccess,
    SalesManager,
    Director,
];

const HANDOFF_SENDERS: &[Role] = &[Sdr, AccountExecutive, AccountManager, CustomerSuccess];

/// The grant table: which roles may perform each action. Row scopes below decide on
/// which rows.
pub const GRANTS: &[(Action, &[Role])] = &[
    (Action::ReadUsers, ALL),
    (Action::CreateUser, &[Director]),
    (Action::UpdateUser, &[Director]),
    (Action::DeactivateUser, &[Director]),
    (Action::ReadAuditLog, MANAGERS),
    (Action::ReadTerritories, INTERNAL),
    (Action::DesignTerritories, &[Director]),
    (Action::ManageTerritoryMembers, MANAGERS),
    (Action::ReadAccounts, ALL),
    (
        Action::CreateAccount,
        &[AccountExecutive, AccountManager, SalesManager, Director],
    ),
    (Action::UpdateAccount, SELLERS),
    (Action::ReassignAccount, MANAGERS),
    (Action::ReadLeads, INTERNAL),
    (
        Action::CreateLead,
        &[Sdr, AccountExecutive, SalesManager, Director],
    ),
    (
        Action::UpdateLead,
        &[Sdr, AccountExecutive, SalesManager, Director],
    ),
    (
        Action::QualifyLead,
        &[Sdr, AccountExecutive, SalesManager, Director],
    ),
    (
        Action::DisqualifyLead,
        &[Sdr, AccountExecutive, SalesManager, Director],
    ),
    (Action::ReadOpportunities, ALL),
    (Action::CreateOpportunity, SELLERS),
    (Action::UpdateOpportunity, SELLERS),
    (Action::CloseOpportunity, SELLERS),
    (Action::ReassignOpportunity, MANAGERS),
    (Action::ReadActivities, INTERNAL),
    (Action::LogActivity, INTERNAL),
    (Action::ReadQuotas, INTERNAL),
    (Action::SetQuotas, MANAGERS),
    (Action::ReadTerritoryReports, MANAGERS),
    (Action::ReadPartners, &[Director]),
    (Action::ManagePartners, &[Director]),
    (Action::RegisterDeal, &[Partner]),
    (
        Action::ReadDealRegistrations,
        &[SalesManager, Director, Partner],
    ),
    (Action::ReviewDealRegistrations, MANAGERS),
    (Action::ReadHandoffs, INTERNAL),
    (Action::RequestHandoff, HANDOFF_SENDERS),
    (
        Action::RespondToHandoff,
        &[
            AccountExecutive,
            AccountManager,
            CustomerSuccess,
            SalesManager,
            Director,
        ],
    ),
    (Action::CancelHandoff, HANDOFF_SENDERS),
    (Action::RedirectHandoff, MANAGERS),
];

pub fn allowed(role: Role, action: Action) -> bool {
    GRANTS
        .iter()
        .any(|(a, roles)| *a == action && roles.contains(&role))
}

/// `FORBIDDEN` unless the actor's role holds the grant.
pub fn require(actor: &Actor, action: Action) -> Result<(), AppError> {
    if allowed(actor.role, action) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

pub fn is_internal(role: Role) -> bool {
    INTERNAL.contains(&role)
}

/// How far an actor's rows reach for an action, as `viewerPermissions` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum Reach {
    /// Every row.
    All,
    /// Rows owned by the actor's team or lying in the actor's territories.
    Team,
    /// Rows owned by the actor or lying in the actor's territories.
    Own,
    /// Rows of the actor's partner organization.
    PartnerOrganization,
    /// Nothing: the action is not allowed.
    None,
}

pub fn reach(actor: &Actor, action: Action) -> Reach {
    if !allowed(actor.role, action) {
        return Reach::None;
    }
    match (actor.role, action) {
        (Director, _) => Reach::All,
        (_, Action::ReadUsers) if actor.role != Partner => Reach::All,
        (Partner, _) => Reach::PartnerOrganization,
        (SalesManager, _) => Reach::Team,
        _ => Reach::Own,
    }
}

/// The slot a new row gives its creator when the input names nobody: sellers own what
/// they create (an AE the accounts and leads, an account manager the accounts they
/// manage, an SDR the leads), so the row is in their scope the moment it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatorSlot {
    AccountOwner,
    AccountManager,
    LeadOwner,
    None,
}

pub fn account_creator_slot(actor: &Actor) -> CreatorSlot {
    match actor.role {
        AccountExecutive => CreatorSlot::AccountOwner,
        AccountManager => CreatorSlot::AccountManager,
        _ => CreatorSlot::None,
    }
}

pub fn lead_creator_slot(actor: &Actor) -> CreatorSlot {
    match actor.role {
        Sdr | AccountExecutive => CreatorSlot::LeadOwner,
        _ => CreatorSlot::None,
    }
}

/// Nobody sets their own quota.
pub fn require_not_own_quota(actor: &Actor, user_id: Option<Uuid>) -> Result<(), AppError> {
    if user_id == Some(actor.user_id) {
        Err(AppError::Forbidden("nobody sets their own quota".into()))
    } else {
        Ok(())
    }
}

/// The role that sends and the role that receives each kind of handoff.
pub(super) fn handoff_roles(kind: HandoffKind) -> (Role, Role) {
    match kind {
        HandoffKind::SdrToAe => (Sdr, AccountExecutive),
        HandoffKind::AeToAm => (AccountExecutive, AccountManager),
        HandoffKind::AeToCs => (AccountExecutive, CustomerSuccess),
        HandoffKind::CsToAm => (CustomerSuccess, AccountManager),
        HandoffKind::AmToCs => (AccountManager, CustomerSuccess),
    }
}

/// Each kind is sent by its own role (an SDR hands leads to AEs, …): `FORBIDDEN` for a
/// role that sends no handoffs, `BAD_USER_INPUT` on `kind` for a kind another role sends.
pub fn may_send_handoff(actor: &Actor, kind: HandoffKind) -> Result<(), AppError> {
    require(actor, Action::RequestHandoff)?;
    if handoff_roles(kind).0 == actor.role {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "kind",
            format!("{} handoffs are sent by another role", kind.as_str()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_directors_manage_users() {
        for role in ALL {
            assert_eq!(
                allowed(*role, Action::CreateUser),
                *role == Director,
                "{role:?}"
            );
            assert_eq!(allowed(*role, Action::DeactivateUser), *role == Director);
            assert!(allowed(*role, Action::ReadUsers));
        }
    }

    #[test]
    fn every_action_has_a_grant_row() {
        use async_graphql::resolver_utils::EnumType;
        for item in Action::items() {
            assert!(
                GRANTS.iter().any(|(a, _)| *a == item.value),
                "{:?}",
                item.value
            );
        }
    }
}
