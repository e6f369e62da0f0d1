//! Row scopes of the organization itself: users, territories, partner organizations,
//! quotas and the territories a report may start from.

use entity::{enums::Role, territories, users};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{Alias, Expr, ExprTrait},
};

use super::{in_my_team, in_own_territories, nothing, sealed, subtree_ids};
use crate::auth::Actor;

use Role::*;

/// Partner organizations the actor may see: partner users their own, everyone else all.
pub fn partner_scope(actor: &Actor) -> Condition {
    match actor.role {
        Partner => Condition::all()
            .add(entity::partners::Column::Id.eq(actor.partner_id.unwrap_or_default())),
        _ => Condition::all(),
    }
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
        SalesManager => base.add(in_my_team(users::Column::Id, actor)),
        _ => base.add(users::Column::Id.eq(actor.user_id)),
    }
}

/// Users the actor may add to a territory: membership widens a user's scope, so a sales
/// manager adds only active internal users of their team, a director any.
pub fn territory_member_candidate_scope(actor: &Actor) -> Condition {
    sealed(assignable_user_scope_rule(actor))
}

/// Users who may be someone's manager: active internal users (the service adds that
/// nobody reports into their own team).
pub fn manager_candidates() -> Condition {
    Condition::all()
        .add(users::Column::Active.eq(true))
        .add(users::Column::Role.ne(Partner))
}

/// Users who may be accountable for a territory: active sales managers and directors.
pub fn territory_manager_candidates() -> Condition {
    Condition::all()
        .add(users::Column::Active.eq(true))
        .add(users::Column::Role.is_in([SalesManager, Director]))
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
            .add(in_my_team(col(Q::UserId), actor))
            .add(in_own_territories(col(Q::TerritoryId), actor)),
        Partner => nothing(),
        _ => Condition::all().add(Expr::col(col(Q::UserId)).eq(actor.user_id)),
    }
}

/// Users the actor may set a quota for: a sales manager their team, a director any
/// internal user; never a partner user, never the actor (see [`crate::auth::policy::require_not_own_quota`]).
pub fn quota_assignee_users(actor: &Actor) -> Condition {
    let base = Condition::all()
        .add(users::Column::Role.ne(Partner))
        .add(users::Column::Id.ne(actor.user_id));
    sealed(match actor.role {
        Director => base,
        SalesManager => base.add(in_my_team(users::Column::Id, actor)),
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

/// Territories whose subtree report the actor may run: directors any, sales managers
/// those they are accountable for (with their subtrees).
pub fn report_root_scope(actor: &Actor) -> Condition {
    sealed(match actor.role {
        Director => Condition::all(),
        SalesManager => territory_members_scope_rule(actor),
        _ => nothing(),
    })
}
