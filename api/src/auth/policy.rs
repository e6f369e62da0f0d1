//! THE authorization policy. Two questions, answered here and nowhere else:
//!
//! 1. May this role perform this action at all? — [`GRANTS`], a table.
//! 2. Which rows may this actor see? — scope functions returning a `sea_orm::Condition`
//!    that services join into every query, so scope is always applied in SQL.
//!
//! Services call [`require`] before acting and [`scope`] functions when querying;
//! nothing else compares roles.

use entity::{enums::Role, users};
use sea_orm::{
    ColumnTrait, Condition,
    sea_query::{
        Alias, BinOper, CommonTableExpression, Expr, ExprTrait, IntoColumnRef, Query,
        SubQueryStatement, UnionType, WithClause, WithQuery,
    },
};
use uuid::Uuid;

use super::Actor;
use crate::error::AppError;

/// Everything a caller might try. `viewerPermissions` is built from this list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Action {
    /// Read the user directory (scoped by [`user_scope`]).
    ReadUsers,
    CreateUser,
    UpdateUser,
    DeactivateUser,
    ReadAuditLog,
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

/// The grant table: which roles may perform each action.
pub const GRANTS: &[(Action, &[Role])] = &[
    (Action::ReadUsers, ALL),
    (Action::CreateUser, &[Director]),
    (Action::UpdateUser, &[Director]),
    (Action::DeactivateUser, &[Director]),
    (Action::ReadAuditLog, &[SalesManager, Director]),
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

/// Users the actor may see: directors everyone; partner users themselves; every other
/// internal user the directory of active internal users.
pub fn user_scope(actor: &Actor) -> Condition {
    match actor.role {
        Director => Condition::all(),
        Partner => Condition::all().add(users::Column::Id.eq(actor.user_id)),
        _ => Condition::all()
            .add(users::Column::Active.eq(true))
            .add(users::Column::Role.ne(Partner)),
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
        use async_graphql::Enum as _;
        for item in Action::items() {
            assert!(
                GRANTS.iter().any(|(a, _)| *a == item.value),
                "{:?}",
                item.value
            );
        }
    }
}
