//! THE authorization policy. Three questions, answered here and nowhere else, one
//! entry point per question:
//!
//! 1. May this role perform this action at all? — `grants.rs`: [`GRANTS`], a table, and
//!    [`require`].
//! 2. Which rows may this actor see? — `scopes.rs` and `scopes/`: functions returning a
//!    `sea_orm::Condition` that services join into every query, so scope is always
//!    applied in SQL.
//! 3. Which parts of the schema exist for a role? — [`fields`], the partner allowlist.
//!
//! `users.rs` holds the role rules of user administration (what a user of each role is
//! linked to), so that services never compare a target user's role either.
//!
//! Services call [`require`] before acting and scope functions when querying; nothing
//! else compares roles. Everything is re-exported here, so callers name `policy::xyz`
//! whichever file holds it.

pub mod fields;
mod grants;
mod scopes;
mod users;

pub use grants::{
    Action, CreatorSlot, GRANTS, Reach, account_creator_slot, allowed, is_internal,
    lead_creator_slot, may_send_handoff, reach, require, require_not_own_quota,
};
pub use scopes::{
    HandoffAct, ScopeIds, TEAM_COLUMN, TERRITORIES_COLUMN, account_scope, activity_scope,
    assignable_user_scope, audit_scope, covers_territory, deal_owner_candidates,
    deal_registration_scope, handoff_act_scope, handoff_audience, handoff_event_scope,
    handoff_recipients, handoff_scope, in_team_of, lead_scope, manager_candidates, nothing,
    opportunity_scope, opportunity_source_candidates, own_territory_ids, parse_scope_ids,
    partner_scope, quota_assignee_territories, quota_assignee_users, quota_scope,
    redirect_target_scope, report_root_scope, scope_id_columns, subtree_of,
    territory_manager_candidates, territory_member_candidate_scope, territory_members_scope,
    territory_scope, user_scope,
};
pub use users::{Membership, require_not_own_lockout, user_membership};
