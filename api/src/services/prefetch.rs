//! Users fetched in the same statement as the rows that name them: a page of accounts
//! or opportunities whose selection asks for `owner` LEFT JOINs the owner (within the
//! caller's user scope, never the password hash), so the owners of a level cost no
//! statement of their own. What the join found — and what it did not (an owner out of
//! scope) — is handed to the request's user loader.

use std::collections::HashMap;

use entity::users;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, IdenStatic, Iterable, JoinType, QueryResult,
    sea_query::{Alias, Expr, ExprTrait, SelectStatement},
};
use uuid::Uuid;

/// Users met while reading a page: `None` for a referenced id the caller may not see.
pub type KnownUsers = Vec<(Uuid, Option<users::Model>)>;

/// Which user to join: the row's foreign-key column and the caller's user scope (from
/// the policy, the same condition the user loader applies).
pub struct JoinUser<C> {
    pub fk: C,
    pub scope: Condition,
}

/// Result columns of the joined user carry this prefix, so they cannot collide with the
/// row's own.
const PREFIX: &str = "u__";

/// Adds `LEFT JOIN users ON users.id = <fk> AND <scope>` and the user's columns (the
/// hash as an empty string) to `stmt`.
pub fn join_user(stmt: &mut SelectStatement, fk: Expr, scope: Condition) {
    stmt.join(
        JoinType::LeftJoin,
        users::Entity,
        Condition::all()
            .add(Expr::col((users::Entity, users::Column::Id)).eq(fk))
            .add(scope),
    );
    for c in users::Column::iter() {
        let alias = Alias::new(format!("{PREFIX}{}", c.as_str()));
        if matches!(c, users::Column::PasswordHash) {
            stmt.expr_as(Expr::val(""), alias);
        } else {
            stmt.expr_as(c.select_as(Expr::col((users::Entity, c))), alias);
        }
    }
}

/// Runs `stmt` (built with `join_user`) and splits each row into the row itself and
/// what the join found for `fk_of(row)`.
pub async fn rows_with_users<M, C>(
    db: &C,
    stmt: &SelectStatement,
    decode: impl Fn(&QueryResult) -> Result<M, DbErr>,
    fk_of: impl Fn(&M) -> Option<Uuid>,
) -> Result<(Vec<M>, KnownUsers), DbErr>
where
    C: ConnectionTrait,
{
    let rows = db
        .query_all_raw(super::sql::select(db.get_database_backend(), stmt))
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut known: HashMap<Uuid, Option<users::Model>> = HashMap::new();
    for row in rows {
        let m = decode(&row)?;
        // A page names few distinct owners: decode each one once.
        if let Some(fk) = fk_of(&m)
            && !known.contains_key(&fk)
        {
            known.insert(fk, user_of(&row)?);
        }
        items.push(m);
    }
    Ok((items, known.into_iter().collect()))
}

fn user_of(row: &QueryResult) -> Result<Option<users::Model>, DbErr> {
    // The joined id is NULL exactly when the join found nobody in scope.
    let Some(id) = row.try_get::<Option<Uuid>>("", "u__id")? else {
        return Ok(None);
    };
    // Read by whole column names: sea-orm's prefixed reads `format!` a name per value.
    Ok(Some(users::Model {
        id,
        email: row.try_get("", "u__email")?,
        name: row.try_get("", "u__name")?,
        role: row.try_get("", "u__role")?,
        manager_id: row.try_get("", "u__manager_id")?,
        partner_id: row.try_get("", "u__partner_id")?,
        active: row.try_get("", "u__active")?,
        password_hash: String::new(),
        created_at: row.try_get("", "u__created_at")?,
        updated_at: row.try_get("", "u__updated_at")?,
        tokens_valid_after: row.try_get("", "u__tokens_valid_after")?,
    }))
}
