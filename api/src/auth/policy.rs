//! THE authorization policy. Two questions, answered here and nowhere else:
//!
//! 1. May this role perform this action at all? — [`GRANTS`], a table.
//! 2. Which rows may this actor see? — scope functions returning a `sea_orm::Condition`
//!    that services join into every query, so scope is always applied in SQL.
//!
//! Services call [`require`] before acting and [`scope`] functions when querying;
//! nothing else compares roles.

use entity::{
    accounts, activities, audit_events, deal_registrations,
    enums::{HandoffKind, HandoffStatus, Role},
    handoff_events, handoffs, leads, opportunities, territories, territory_members, users,
};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{
        Alias, BinOper, CommonTableExpression, Expr, ExprTrait, IntoColumnRef, JoinType, Query,
        SelectStatement, SubQueryStatement, UnionType, WithClause, WithQuery,
    },
};
use uuid::Uuid;

use super::Actor;
use crate::error::AppError;

/// 3. Which parts of the schema exist for a role (the partner allowlist).
pub mod fields;

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

/// Scopes are joined into queries with `.filter()`/`.add()`. An `any` condition
/// extended with `.add(filter)` would become `scope OR filter` and widen the scope, so
/// every public scope is sealed inside an `all`.
fn sealed(scope: Condition) -> Condition {
    Condition::all().add(scope)
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

/// Partner organizations the actor may see: partner users their own, everyone else all.
pub fn partner_scope(actor: &Actor) -> Condition {
    match actor.role {
        Partner => Condition::all()
            .add(entity::partners::Column::Id.eq(actor.partner_id.unwrap_or_default())),
        _ => Condition::all(),
    }
}

/// A condition that no row meets.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// Users the actor may see: directors everyone; partner users themselves; every other
/// internal user the directory of active internal users.
pub fn user_scope(actor: &Actor) -> Condition {
    sealed(user_scope_rule(actor))
}

fn user_scope_rule(actor: &Actor) -> Condition {
    match actor.role {
        Director => Condition::all(),
        Partner => Condition::all().add(users::Column::Id.eq(actor.user_id)),
        _ => Condition::all()
            .add(users::Column::Active.eq(true))
            .add(users::Column::Role.ne(Partner)),
    }
}

/// Users the actor may make owner, account manager or CSM of something: a sales
/// manager their team, a director any active internal user, anyone else themselves.
pub fn assignable_user_scope(actor: &Actor) -> Condition {
    sealed(assignable_user_scope_rule(actor))
}

fn assignable_user_scope_rule(actor: &Actor) -> Condition {
    let base = Condition::all()
        .add(users::Column::Active.eq(true))
        .add(users::Column::Role.ne(Partner));
    match actor.role {
        Director => base,
        SalesManager => base.add(in_team_of(users::Column::Id, actor.user_id)),
        _ => base.add(users::Column::Id.eq(actor.user_id)),
    }
}

/// Users the actor may add to a territory: membership widens a user's scope, so a sales
/// manager adds only active internal users of their team, a director any.
pub fn territory_member_candidate_scope(actor: &Actor) -> Condition {
    sealed(assignable_user_scope_rule(actor))
}

/// The ids of the actor's territories — those they are a member of or accountable
/// for — with their whole subtrees.
pub fn own_territory_ids(user_id: Uuid) -> SelectStatement {
    subtree_ids(
        Condition::any()
            .add(Expr::col((Alias::new("r"), territories::Column::ManagerId)).eq(user_id))
            .add(
                Expr::col((Alias::new("r"), territories::Column::Id)).in_subquery(
                    Query::select()
                        .column(territory_members::Column::TerritoryId)
                        .from(territory_members::Entity)
                        .and_where(Expr::col(territory_members::Column::UserId).eq(user_id))
                        .to_owned(),
                ),
            ),
    )
}

/// The ids of `root` and every territory below it (today's tree).
pub fn subtree_of(root: Uuid) -> SelectStatement {
    subtree_ids(
        Condition::all().add(Expr::col((Alias::new("r"), territories::Column::Id)).eq(root)),
    )
}

/// Territories in the subtrees of the roots `r` that meet `roots`.
fn subtree_ids(roots: Condition) -> SelectStatement {
    let (t, r) = (Alias::new("t"), Alias::new("r"));
    Query::select()
        .column((t.clone(), territories::Column::Id))
        .from_as(territories::Entity, t)
        .join_as(
            JoinType::InnerJoin,
            territories::Entity,
            r,
            // Materialized paths: a descendant's path starts with its ancestor's.
            Expr::cust("t.path LIKE r.path || '%'"),
        )
        .cond_where(roots)
        .to_owned()
}

fn in_own_territories(column: impl IntoColumnRef, actor: &Actor) -> Condition {
    Condition::all().add(Expr::col(column).in_subquery(own_territory_ids(actor.user_id)))
}

/// Territories the actor may read.
pub fn territory_scope(actor: &Actor) -> Condition {
    sealed(territory_scope_rule(actor))
}

fn territory_scope_rule(actor: &Actor) -> Condition {
    match actor.role {
        Director => Condition::all(),
        Partner => nothing(),
        _ => in_own_territories((territories::Entity, territories::Column::Id), actor),
    }
}

/// Territories whose members the actor may manage: a sales manager the subtrees they
/// are accountable for, a director all.
pub fn territory_members_scope(actor: &Actor) -> Condition {
    sealed(territory_members_scope_rule(actor))
}

fn territory_members_scope_rule(actor: &Actor) -> Condition {
    match actor.role {
        Director => Condition::all(),
        SalesManager => {
            let managed = subtree_ids(Condition::all().add(
                Expr::col((Alias::new("r"), territories::Column::ManagerId)).eq(actor.user_id),
            ));
            Condition::all()
                .add(Expr::col((territories::Entity, territories::Column::Id)).in_subquery(managed))
        }
        _ => nothing(),
    }
}

/// Accounts the actor may see. An account counts as owned by its owner, its account
/// manager and its CSM.
pub fn account_scope(actor: &Actor) -> Condition {
    sealed(account_scope_rule(actor))
}

fn account_scope_rule(actor: &Actor) -> Condition {
    use accounts::Column as A;
    let me = actor.user_id;
    let col = |c: A| (accounts::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Sdr => in_own_territories(col(A::TerritoryId), actor),
        AccountExecutive => Condition::any()
            .add(Expr::col(col(A::OwnerId)).eq(me))
            .add(in_own_territories(col(A::TerritoryId), actor)),
        AccountManager => Condition::any()
            .add(Expr::col(col(A::AccountManagerId)).eq(me))
            .add(in_own_territories(col(A::TerritoryId), actor))
            .add(pending_to(col(A::Id), me)),
        CustomerSuccess => Condition::any()
            .add(Expr::col(col(A::CsmId)).eq(me))
            .add(pending_to(col(A::Id), me)),
        SalesManager => Condition::any()
            .add(in_team_of(col(A::OwnerId), me))
            .add(in_team_of(col(A::AccountManagerId), me))
            .add(in_team_of(col(A::CsmId), me))
            .add(in_own_territories(col(A::TerritoryId), actor)),
        Partner => {
            let p = actor.partner_id.unwrap_or_default();
            Condition::any()
                .add(
                    Expr::col(col(A::Id)).in_subquery(
                        Query::select()
                            .column(opportunities::Column::AccountId)
                            .from(opportunities::Entity)
                            .and_where(Expr::col(opportunities::Column::PartnerId).eq(p))
                            .to_owned(),
                    ),
                )
                .add(
                    Expr::col(col(A::Id)).in_subquery(
                        Query::select()
                            .column(deal_registrations::Column::AccountId)
                            .from(deal_registrations::Entity)
                            .and_where(Expr::col(deal_registrations::Column::PartnerId).eq(p))
                            .and_where(
                                Expr::col(deal_registrations::Column::AccountId).is_not_null(),
                            )
                            .to_owned(),
                    ),
                )
        }
    }
}

/// Leads the actor may see.
pub fn lead_scope(actor: &Actor) -> Condition {
    sealed(lead_scope_rule(actor))
}

fn lead_scope_rule(actor: &Actor) -> Condition {
    use leads::Column as L;
    let me = actor.user_id;
    let col = |c: L| (leads::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Sdr => Condition::any().add(Expr::col(col(L::OwnerId)).eq(me)).add(
            Condition::all()
                .add(Expr::col(col(L::OwnerId)).is_null())
                .add(in_own_territories(col(L::TerritoryId), actor)),
        ),
        // Leads handed to them — an SDR → AE handoff to them pending or accepted (a
        // rejected or cancelled one gives nothing) — and any they own.
        AccountExecutive => Condition::any().add(Expr::col(col(L::OwnerId)).eq(me)).add(
            Expr::col(col(L::Id)).in_subquery(
                Query::select()
                    .column(handoffs::Column::LeadId)
                    .from(handoffs::Entity)
                    .and_where(Expr::col(handoffs::Column::ToUserId).eq(me))
                    .and_where(Expr::col(handoffs::Column::Kind).eq(HandoffKind::SdrToAe))
                    .and_where(
                        Expr::col(handoffs::Column::Status)
                            .is_in([HandoffStatus::Pending, HandoffStatus::Accepted]),
                    )
                    .and_where(Expr::col(handoffs::Column::LeadId).is_not_null())
                    .to_owned(),
            ),
        ),
        AccountManager | CustomerSuccess => Condition::all().add(Expr::col(col(L::OwnerId)).eq(me)),
        SalesManager => Condition::any()
            .add(in_team_of(col(L::OwnerId), me))
            .add(in_own_territories(col(L::TerritoryId), actor)),
        Partner => nothing(),
    }
}

/// Opportunities the actor may see; an opportunity lies in the territory it credits.
pub fn opportunity_scope(actor: &Actor) -> Condition {
    sealed(opportunity_scope_rule(actor))
}

fn opportunity_scope_rule(actor: &Actor) -> Condition {
    use opportunities::Column as O;
    let me = actor.user_id;
    let col = |c: O| (opportunities::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Sdr | AccountExecutive | AccountManager | CustomerSuccess => {
            Condition::all().add(Expr::col(col(O::OwnerId)).eq(me))
        }
        SalesManager => Condition::any()
            .add(in_team_of(col(O::OwnerId), me))
            .add(in_own_territories(col(O::TerritoryId), actor)),
        Partner => Condition::all()
            .add(Expr::col(col(O::PartnerId)).eq(actor.partner_id.unwrap_or_default())),
    }
}

/// Activities the actor may see: their own, and those on leads, accounts and
/// opportunities in their scope. Partners see none.
pub fn activity_scope(actor: &Actor) -> Condition {
    sealed(activity_scope_rule(actor))
}

fn activity_scope_rule(actor: &Actor) -> Condition {
    use activities::Column as Ac;
    let col = |c: Ac| (activities::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Partner => nothing(),
        _ => Condition::any()
            .add(Expr::col(col(Ac::ActorId)).eq(actor.user_id))
            .add(
                Expr::col(col(Ac::LeadId)).in_subquery(
                    Query::select()
                        .column(leads::Column::Id)
                        .from(leads::Entity)
                        .cond_where(lead_scope(actor))
                        .to_owned(),
                ),
            )
            .add(
                Expr::col(col(Ac::AccountId)).in_subquery(
                    Query::select()
                        .column(accounts::Column::Id)
                        .from(accounts::Entity)
                        .cond_where(account_scope(actor))
                        .to_owned(),
                ),
            )
            .add(
                Expr::col(col(Ac::OpportunityId)).in_subquery(
                    Query::select()
                        .column(opportunities::Column::Id)
                        .from(opportunities::Entity)
                        .cond_where(opportunity_scope(actor))
                        .to_owned(),
                ),
            ),
    }
}

/// Users who may own the opportunity an approved deal registration creates: active
/// account executives (the territory rule then picks among them).
pub fn deal_owner_candidates() -> Condition {
    Condition::all()
        .add(users::Column::Role.eq(AccountExecutive))
        .add(users::Column::Active.eq(true))
}

/// Deal registrations: partners their organization's, sales managers those placed in
/// their territories (which makes them the reviewers), directors all.
pub fn deal_registration_scope(actor: &Actor) -> Condition {
    sealed(deal_registration_scope_rule(actor))
}

fn deal_registration_scope_rule(actor: &Actor) -> Condition {
    use deal_registrations::Column as D;
    let col = |c: D| (deal_registrations::Entity, c);
    match actor.role {
        Director => Condition::all(),
        SalesManager => in_own_territories(col(D::TerritoryId), actor),
        Partner => Condition::all()
            .add(Expr::col(col(D::PartnerId)).eq(actor.partner_id.unwrap_or_default())),
        _ => nothing(),
    }
}

/// Audit events follow the row scopes (§1): directors read all of them; sales managers
/// the events about rows they may fetch now and about their team's users. An event
/// whose row is gone (deleted) or whose type has no row in [`audit_row_scopes`] is
/// the directors' alone, since nobody else could fetch that row.
pub fn audit_scope(actor: &Actor) -> Condition {
    sealed(audit_scope_rule(actor))
}

fn audit_scope_rule(actor: &Actor) -> Condition {
    match actor.role {
        Director => Condition::all(),
        SalesManager => {
            let e = |c: audit_events::Column| Expr::col((audit_events::Entity, c));
            audit_row_scopes(actor).into_iter().fold(
                Condition::any().add(nothing()),
                |any, (entity_type, rows)| {
                    any.add(
                        Condition::all()
                            .add(e(audit_events::Column::EntityType).eq(entity_type))
                            .add(e(audit_events::Column::EntityId).in_subquery(rows)),
                    )
                },
            )
        }
        _ => nothing(),
    }
}

/// Quotas the actor may read: directors all; sales managers those of their team and of
/// their own territories; every other internal user their own. Partners have none.
pub fn quota_scope(actor: &Actor) -> Condition {
    sealed(quota_scope_rule(actor))
}

fn quota_scope_rule(actor: &Actor) -> Condition {
    use entity::quotas::Column as Q;
    let col = |c: Q| (entity::quotas::Entity, c);
    match actor.role {
        Director => Condition::all(),
        SalesManager => Condition::any()
            .add(in_team_of(col(Q::UserId), actor.user_id))
            .add(in_own_territories(col(Q::TerritoryId), actor)),
        Partner => nothing(),
        _ => Condition::all().add(Expr::col(col(Q::UserId)).eq(actor.user_id)),
    }
}

/// Users the actor may set a quota for: a sales manager their team, a director any
/// internal user; never a partner user, never the actor (see [`require_not_own_quota`]).
pub fn quota_assignee_users(actor: &Actor) -> Condition {
    let base = Condition::all()
        .add(users::Column::Role.ne(Partner))
        .add(users::Column::Id.ne(actor.user_id));
    sealed(match actor.role {
        Director => base,
        SalesManager => base.add(in_team_of(users::Column::Id, actor.user_id)),
        _ => nothing(),
    })
}

/// Territories the actor may set a quota for: directors any.
pub fn quota_assignee_territories(actor: &Actor) -> Condition {
    sealed(match actor.role {
        Director => Condition::all(),
        _ => nothing(),
    })
}

/// Nobody sets their own quota.
pub fn require_not_own_quota(actor: &Actor, user_id: Option<Uuid>) -> Result<(), AppError> {
    if user_id == Some(actor.user_id) {
        Err(AppError::Forbidden("nobody sets their own quota".into()))
    } else {
        Ok(())
    }
}

/// Territories whose subtree report the actor may run: directors any, sales managers
/// those they are accountable for (with their subtrees).
pub fn report_root_scope(actor: &Actor) -> Condition {
    sealed(match actor.role {
        Director => Condition::all(),
        SalesManager => territory_members_scope_rule(actor),
        _ => nothing(),
    })
}

/// The audited entity types a sales manager may read events about, each with the ids
/// of its rows in their scope. A new audited type stays director-only until it gets a
/// row here (deny by default).
fn audit_row_scopes(actor: &Actor) -> Vec<(&'static str, SelectStatement)> {
    fn ids<E: sea_orm::EntityTrait>(id: impl IntoColumnRef, scope: Condition) -> SelectStatement {
        Query::select()
            .column(id)
            .from(E::default())
            .cond_where(scope)
            .to_owned()
    }
    vec![
        (
            "User",
            ids::<users::Entity>(
                users::Column::Id,
                in_team_of((users::Entity, users::Column::Id), actor.user_id),
            ),
        ),
        (
            "Territory",
            ids::<territories::Entity>(territories::Column::Id, territory_scope(actor)),
        ),
        (
            "Account",
            ids::<accounts::Entity>(accounts::Column::Id, account_scope(actor)),
        ),
        (
            "Lead",
            ids::<leads::Entity>(leads::Column::Id, lead_scope(actor)),
        ),
        (
            "Opportunity",
            ids::<opportunities::Entity>(opportunities::Column::Id, opportunity_scope(actor)),
        ),
        (
            "Activity",
            ids::<activities::Entity>(activities::Column::Id, activity_scope(actor)),
        ),
        (
            "Handoff",
            ids::<handoffs::Entity>(handoffs::Column::Id, handoff_scope(actor)),
        ),
        (
            "Quota",
            ids::<entity::quotas::Entity>(entity::quotas::Column::Id, quota_scope(actor)),
        ),
        (
            "DealRegistration",
            ids::<deal_registrations::Entity>(
                deal_registrations::Column::Id,
                deal_registration_scope(actor),
            ),
        ),
    ]
}

/// `account IN (accounts of handoffs pending to user)`: while a handoff is pending its
/// recipient reads the subject, as they must to decide.
fn pending_to(account: impl IntoColumnRef, user_id: Uuid) -> Condition {
    Condition::all().add(
        Expr::col(account).in_subquery(
            Query::select()
                .column(handoffs::Column::AccountId)
                .from(handoffs::Entity)
                .and_where(Expr::col(handoffs::Column::ToUserId).eq(user_id))
                .and_where(Expr::col(handoffs::Column::Status).eq(HandoffStatus::Pending))
                .and_where(Expr::col(handoffs::Column::AccountId).is_not_null())
                .to_owned(),
        ),
    )
}

// ---------------------------------------------------------------------------------
// Handoffs
// ---------------------------------------------------------------------------------

/// The role that sends and the role that receives each kind of handoff.
fn handoff_roles(kind: HandoffKind) -> (Role, Role) {
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

/// Users who may receive a handoff of `kind`: active users of the receiving role.
pub fn handoff_recipients(kind: HandoffKind) -> Condition {
    Condition::all()
        .add(users::Column::Active.eq(true))
        .add(users::Column::Role.eq(handoff_roles(kind).1))
}

/// Users who belong to a territory — member, owner or accountable manager — of
/// `territory` or one of its ancestors ("an AE of the lead's territory").
pub fn covers_territory(territory: Uuid) -> Condition {
    let ancestors = Query::select()
        .column((Alias::new("a"), territories::Column::Id))
        .from_as(territories::Entity, Alias::new("a"))
        .join_as(
            JoinType::InnerJoin,
            territories::Entity,
            Alias::new("t"),
            Expr::cust("t.path LIKE a.path || '%'"),
        )
        .and_where(Expr::col((Alias::new("t"), territories::Column::Id)).eq(territory))
        .to_owned();
    Condition::any()
        .add(
            Expr::col((users::Entity, users::Column::Id)).in_subquery(
                Query::select()
                    .column(territory_members::Column::UserId)
                    .from(territory_members::Entity)
                    .and_where(
                        Expr::col(territory_members::Column::TerritoryId)
                            .in_subquery(ancestors.clone()),
                    )
                    .to_owned(),
            ),
        )
        .add(
            Expr::col((users::Entity, users::Column::Id)).in_subquery(
                Query::select()
                    .column(territories::Column::ManagerId)
                    .from(territories::Entity)
                    .and_where(Expr::col(territories::Column::Id).in_subquery(ancestors))
                    .and_where(Expr::col(territories::Column::ManagerId).is_not_null())
                    .to_owned(),
            ),
        )
}

/// Handoffs the actor may see: their own (sent or received), those of their team for
/// a sales manager (so overdue ones reach the recipient's manager), all for a director,
/// none for partners.
pub fn handoff_scope(actor: &Actor) -> Condition {
    sealed(handoff_scope_rule(actor))
}

fn handoff_scope_rule(actor: &Actor) -> Condition {
    let me = actor.user_id;
    let col = |c: handoffs::Column| (handoffs::Entity, c);
    match actor.role {
        Director => Condition::all(),
        Partner => nothing(),
        SalesManager => Condition::any()
            .add(in_team_of(col(handoffs::Column::FromUserId), me))
            .add(in_team_of(col(handoffs::Column::ToUserId), me)),
        _ => Condition::any()
            .add(Expr::col(col(handoffs::Column::FromUserId)).eq(me))
            .add(Expr::col(col(handoffs::Column::ToUserId)).eq(me)),
    }
}

/// Events of handoffs the actor may see.
pub fn handoff_event_scope(actor: &Actor) -> Condition {
    sealed(
        Condition::all().add(
            Expr::col((handoff_events::Entity, handoff_events::Column::HandoffId)).in_subquery(
                Query::select()
                    .column(handoffs::Column::Id)
                    .from(handoffs::Entity)
                    .cond_where(handoff_scope(actor))
                    .to_owned(),
            ),
        ),
    )
}

/// What a handoff's participants may do to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffAct {
    /// Accept or reject: the recipient, a manager above them, a director.
    Respond,
    /// The sender.
    Cancel,
    /// A manager above the recipient, a director.
    Redirect,
}

/// Handoffs the actor may act on in this way (a subset of [`handoff_scope`]).
pub fn handoff_act_scope(actor: &Actor, act: HandoffAct) -> Condition {
    let me = actor.user_id;
    let to = (handoffs::Entity, handoffs::Column::ToUserId);
    let rule = match (act, actor.role) {
        (_, Partner) => nothing(),
        (HandoffAct::Cancel, _) => {
            Condition::all().add(Expr::col((handoffs::Entity, handoffs::Column::FromUserId)).eq(me))
        }
        (HandoffAct::Respond | HandoffAct::Redirect, Director) => Condition::all(),
        (HandoffAct::Respond | HandoffAct::Redirect, SalesManager) => in_team_of(to, me),
        (HandoffAct::Respond, _) => Condition::all().add(Expr::col(to).eq(me)),
        (HandoffAct::Redirect, _) => nothing(),
    };
    sealed(Condition::all().add(handoff_scope_rule(actor)).add(rule))
}

/// Users a handoff may be redirected to by the actor: a sales manager's team, anyone
/// for a director (the kind's recipient rules apply on top).
pub fn redirect_target_scope(actor: &Actor) -> Condition {
    match actor.role {
        Director => Condition::all(),
        SalesManager => in_team_of((users::Entity, users::Column::Id), actor.user_id),
        _ => nothing(),
    }
}

/// Users entitled to a handoff's events: the same people [`handoff_scope`] lets see
/// the handoff — sender, recipient, sales managers above either, directors — active
/// and internal. A condition on `users`, so one statement answers it for every
/// subscriber of a replica at once.
pub fn handoff_audience(from: Uuid, to: Uuid) -> Condition {
    let id = (users::Entity, users::Column::Id);
    let role = (users::Entity, users::Column::Role);
    Condition::all()
        .add(Expr::col((users::Entity, users::Column::Active)).eq(true))
        .add(
            Condition::any()
                .add(Expr::col(id).is_in([from, to]))
                .add(Expr::col(role).eq(Director))
                .add(Condition::all().add(Expr::col(role).eq(SalesManager)).add(
                    Expr::col(id).binary(
                        BinOper::In,
                        Expr::SubQuery(
                            None,
                            Box::new(SubQueryStatement::WithStatement(managers_above(from, to))),
                        ),
                    ),
                )),
        )
}

/// `WITH RECURSIVE up(id) AS (SELECT manager_id FROM users WHERE id IN (from, to) UNION
/// SELECT u.manager_id FROM users u JOIN up ON u.id = up.id) SELECT id FROM up`: every
/// manager above either user (the people whose team holds them).
fn managers_above(from: Uuid, to: Uuid) -> WithQuery {
    let (up, u) = (Alias::new("up"), Alias::new("u"));
    let mut base = Query::select()
        .column(users::Column::ManagerId)
        .from(users::Entity)
        .and_where(Expr::col(users::Column::Id).is_in([from, to]))
        .to_owned();
    let step = Query::select()
        .column((u.clone(), users::Column::ManagerId))
        .from_as(users::Entity, u.clone())
        .inner_join(
            up.clone(),
            Expr::col((u.clone(), users::Column::Id)).equals((up.clone(), users::Column::Id)),
        )
        .to_owned();
    let cte = CommonTableExpression::new()
        .query(base.union(UnionType::Distinct, step).to_owned())
        .column(users::Column::Id)
        .table_name(up.clone())
        .to_owned();
    let select = Query::select()
        .column(users::Column::Id)
        .from(up)
        .and_where(Expr::col(users::Column::Id).is_not_null())
        .to_owned();
    WithClause::new()
        .recursive(true)
        .cte(cte)
        .to_owned()
        .query(select)
}

/// `column IN (the team of user)`: the user and everyone whose manager chain reaches them.
pub fn in_team_of(column: impl IntoColumnRef, user_id: Uuid) -> Condition {
    Condition::all().add(Expr::col(column).binary(
        BinOper::In,
        Expr::SubQuery(
            None,
            Box::new(SubQueryStatement::WithStatement(team_query(user_id))),
        ),
    ))
}

/// `WITH RECURSIVE team(id) AS (SELECT id FROM users WHERE id = ? UNION SELECT u.id FROM
/// users u JOIN team ON u.manager_id = team.id) SELECT id FROM team` — built with
/// sea-query so placeholders suit SQLite and PostgreSQL alike.
fn team_query(user_id: Uuid) -> WithQuery {
    let (team, member) = (Alias::new("team"), Alias::new("u"));
    let mut base = Query::select()
        .column(users::Column::Id)
        .from(users::Entity)
        .and_where(Expr::col(users::Column::Id).eq(user_id))
        .to_owned();
    let step = Query::select()
        .column((member.clone(), users::Column::Id))
        .from_as(users::Entity, member.clone())
        .inner_join(
            team.clone(),
            Expr::col((member.clone(), users::Column::ManagerId))
                .equals((team.clone(), users::Column::Id)),
        )
        .to_owned();
    let cte = CommonTableExpression::new()
        .query(base.union(UnionType::Distinct, step).to_owned())
        .column(users::Column::Id)
        .table_name(team.clone())
        .to_owned();
    let select = Query::select()
        .column(users::Column::Id)
        .from(team)
        .to_owned();
    WithClause::new()
        .recursive(true)
        .cte(cte)
        .to_owned()
        .query(select)
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
