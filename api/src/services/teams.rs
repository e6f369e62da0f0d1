//! Whole teams (everyone whose manager chain reaches a user) for many managers at once,
//! in one recursive statement, so `reports(transitive: true)` on a page of users costs
//! one statement, not one per user.

use entity::users;
use sea_orm::{
    ConnectionTrait, FromQueryResult, Order,
    sea_query::{
        Alias, Asterisk, CommonTableExpression, Expr, ExprTrait, Query, UnionType, WithClause,
    },
};
use uuid::Uuid;

use crate::{
    auth::{Actor, policy},
    error::AppResult,
};

/// `(manager, member)` for every member of the teams under `managers` that the actor
/// may see, members ordered by name.
pub async fn visible_teams<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    managers: &[Uuid],
) -> AppResult<Vec<(Uuid, users::Model)>> {
    let (chain, u) = (Alias::new("team_chain"), Alias::new("u"));
    let (root, member) = (Alias::new("root"), Alias::new("member"));
    // team_chain(root, member): the direct reports of each manager, then theirs.
    let mut base = Query::select()
        .column(users::Column::ManagerId)
        .column(users::Column::Id)
        .from(users::Entity)
        .and_where(Expr::col(users::Column::ManagerId).is_in(managers.iter().copied()))
        .to_owned();
    let step = Query::select()
        .column((chain.clone(), root.clone()))
        .column((u.clone(), users::Column::Id))
        .from_as(users::Entity, u.clone())
        .inner_join(
            chain.clone(),
            Expr::col((u.clone(), users::Column::ManagerId))
                .equals((chain.clone(), member.clone())),
        )
        .to_owned();
    let cte = CommonTableExpression::new()
        .query(base.union(UnionType::Distinct, step).to_owned())
        .column(root.clone())
        .column(member.clone())
        .table_name(chain.clone())
        .to_owned();
    let select = Query::select()
        .column((users::Entity, Asterisk))
        .expr_as(
            Expr::col((chain.clone(), root.clone())),
            Alias::new("team_root"),
        )
        .from(users::Entity)
        .inner_join(
            chain.clone(),
            Expr::col((users::Entity, users::Column::Id)).equals((chain.clone(), member)),
        )
        // A manager chain has no cycle, but the statement must end even if one slipped in.
        .and_where(Expr::col((users::Entity, users::Column::Id)).ne(Expr::col((chain, root))))
        .cond_where(policy::user_scope(actor))
        .order_by((users::Entity, users::Column::Name), Order::Asc)
        .order_by((users::Entity, users::Column::Id), Order::Asc)
        .to_owned();
    let query = WithClause::new()
        .recursive(true)
        .cte(cte)
        .to_owned()
        .query(select);
    let rows = db.query_all(&query).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let manager: Uuid = row.try_get("", "team_root")?;
        out.push((manager, users::Model::from_query_result(&row, "")?));
    }
    Ok(out)
}
