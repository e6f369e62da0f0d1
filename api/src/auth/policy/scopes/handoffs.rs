//! Row scopes of handoffs: who may receive one, who sees it and its events, who may act
//! on it, and who hears about it live.

use entity::{
    enums::{HandoffKind, Role},
    handoff_events, handoffs, territories, territory_members, users,
};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{
        Alias, BinOper, CommonTableExpression, Expr, ExprTrait, JoinType, Query, SubQueryStatement,
        UnionType, WithClause, WithQuery,
    },
};
use uuid::Uuid;

use super::{in_my_team, nothing, sealed};
use crate::auth::{Actor, policy::grants::handoff_roles};

use Role::*;

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
            .add(in_my_team(col(handoffs::Column::FromUserId), actor))
            .add(in_my_team(col(handoffs::Column::ToUserId), actor)),
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
        (HandoffAct::Respond | HandoffAct::Redirect, SalesManager) => in_my_team(to, actor),
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
        SalesManager => in_my_team((users::Entity, users::Column::Id), actor),
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
