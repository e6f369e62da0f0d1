//! Question 2: which rows may this actor see or change? Scope functions return a
//! `sea_orm::Condition` that services join into every query, so scope is always applied
//! in SQL. This file holds the building blocks the entity families share (sealing,
//! territory subtrees, a user's team); the scopes themselves live one family per file.

use std::sync::Arc;

use entity::{enums::Role, territories, territory_members, users};
use sea_orm::{
    ActiveEnum, Condition, DbBackend,
    sea_query::{
        Alias, BinOper, CommonTableExpression, Expr, ExprTrait, IntoColumnRef, JoinType, Query,
        SelectStatement, SubQueryStatement, UnionType, WithClause, WithQuery,
    },
};
use uuid::Uuid;

use crate::auth::Actor;
use Role::*;

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
    match &actor.ids.territories {
        Some(ids) => among(column, ids),
        None => {
            Condition::all().add(Expr::col(column).in_subquery(own_territory_ids(actor.user_id)))
        }
    }
}

/// `column IN (the actor's team)`: from the ids the request resolved, else in SQL.
fn in_my_team(column: impl IntoColumnRef, actor: &Actor) -> Condition {
    match &actor.ids.team {
        Some(ids) => among(column, ids),
        None => in_team_of(column, actor.user_id),
    }
}

fn among(column: impl IntoColumnRef, ids: &[Uuid]) -> Condition {
    if ids.is_empty() {
        return nothing();
    }
    Condition::all().add(Expr::col(column).is_in(ids.iter().copied()))
}

/// The actor's team and territories, resolved once per request by the session
/// statement (see [`scope_id_columns`]) so that scopes name ids, which PostgreSQL
/// answers from each column's index, instead of re-deriving them as subplans in every
/// statement. `None`: not resolved (the role does not use it, or the actor was built
/// elsewhere); scopes then derive it in SQL as before.
#[derive(Debug, Clone, Default)]
pub struct ScopeIds {
    pub team: Option<Arc<[Uuid]>>,
    pub territories: Option<Arc<[Uuid]>>,
}

/// Result columns of the session statement that carry [`ScopeIds`].
pub const TEAM_COLUMN: &str = "scope_team";
pub const TERRITORIES_COLUMN: &str = "scope_territories";

/// The two expressions the session statement adds for `user_id`: comma-separated ids
/// of the team (sales managers only) and of the territory subtrees (the roles whose
/// scopes use them), NULL for the other roles, so nobody else pays for them.
pub fn scope_id_columns(backend: DbBackend, user_id: Uuid) -> [(Expr, &'static str); 2] {
    let role = |roles: &[Role]| {
        Expr::col((users::Entity, users::Column::Role)).is_in(roles.iter().map(|r| r.to_value()))
    };
    let agg = match backend {
        DbBackend::Postgres => "string_agg(CAST(x.id AS text), ',')",
        // SQLite keeps uuids as 16-byte blobs: hex, which `Uuid::parse_str` reads too.
        _ => "group_concat(hex(x.id), ',')",
    };
    let team = team_with(
        user_id,
        Query::select()
            .expr(Expr::cust(agg))
            .from_as(Alias::new("team"), Alias::new("x"))
            .to_owned(),
    );
    let team = Expr::SubQuery(None, Box::new(SubQueryStatement::WithStatement(team)));
    let territories = Expr::SubQuery(
        None,
        Box::new(SubQueryStatement::SelectStatement(
            Query::select()
                .expr(Expr::cust(agg))
                .from_subquery(own_territory_ids(user_id), Alias::new("x"))
                .to_owned(),
        )),
    );
    [
        (
            Expr::case(role(&[SalesManager]), team)
                .finally(Expr::null())
                .into(),
            TEAM_COLUMN,
        ),
        (
            Expr::case(
                role(&[Sdr, AccountExecutive, AccountManager, SalesManager]),
                territories,
            )
            .finally(Expr::null())
            .into(),
            TERRITORIES_COLUMN,
        ),
    ]
}

/// Reads the ids back; a value that does not parse leaves the set unresolved (scopes
/// fall back to SQL), never widened.
pub fn parse_scope_ids(team: Option<String>, territories: Option<String>, role: Role) -> ScopeIds {
    let parse = |csv: Option<String>, used: bool| -> Option<Arc<[Uuid]>> {
        if !used {
            return None;
        }
        let csv = csv.unwrap_or_default();
        csv.split(',')
            .filter(|s| !s.is_empty())
            .map(|s| Uuid::parse_str(s).ok())
            .collect::<Option<Vec<_>>>()
            .map(Arc::from)
    };
    ScopeIds {
        team: parse(team, role == SalesManager),
        territories: parse(
            territories,
            matches!(role, Sdr | AccountExecutive | AccountManager | SalesManager),
        ),
    }
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
    team_with(
        user_id,
        Query::select()
            .column(users::Column::Id)
            .from(Alias::new("team"))
            .to_owned(),
    )
}

/// The recursive team CTE of `user_id`, then `select` over it (as `team`).
fn team_with(user_id: Uuid, select: SelectStatement) -> WithQuery {
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
    WithClause::new()
        .recursive(true)
        .cte(cte)
        .to_owned()
        .query(select)
}
