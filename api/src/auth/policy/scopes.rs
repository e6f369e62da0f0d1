//! Question 2: which rows may this actor see or change? Scope functions return a
//! `sea_orm::Condition` that services join into every query, so scope is always applied
//! in SQL. This file holds the building blocks the entity families share (sealing,
//! territory subtrees, a user's team); the scopes themselves live one family per file.

use entity::{territories, territory_members, users};
use sea_orm::{
    Condition,
    sea_query::{
        Alias, BinOper, CommonTableExpression, Expr, ExprTrait, IntoColumnRef, JoinType, Query,
        SelectStatement, SubQueryStatement, UnionType, WithClause, WithQuery,
    },
};
use uuid::Uuid;

use crate::auth::Actor;

mod audit;
mod handoffs;
mod organization;
mod sales;

pub use audit::audit_scope;
pub use handoffs::{
    HandoffAct, covers_territory, handoff_act_scope, handoff_audience, handoff_event_scope,
    handoff_recipients, handoff_scope, redirect_target_scope,
};
pub use organization::{
    assignable_user_scope, manager_candidates, partner_scope, quota_assignee_territories,
    quota_assignee_users, quota_scope, report_root_scope, territory_manager_candidates,
    territory_member_candidate_scope, territory_members_scope, territory_scope, user_scope,
};
pub use sales::{
    account_scope, activity_scope, deal_owner_candidates, deal_registration_scope, lead_scope,
    opportunity_scope, opportunity_source_candidates,
};

/// Scopes are joined into queries with `.filter()`/`.add()`. An `any` condition
/// extended with `.add(filter)` would become `scope OR filter` and widen the scope, so
/// every public scope is sealed inside an `all`.
fn sealed(scope: Condition) -> Condition {
    Condition::all().add(scope)
}

/// A condition that no row meets.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
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
