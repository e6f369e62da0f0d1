//! The caller of a request, resolved once per request from the bearer token and the
//! user's current row, so that deactivation and role changes bite immediately.

use entity::{enums::Role, refresh_tokens, users};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::{
    jwt::TokenKeys,
    policy::{self, ScopeIds, TEAM_COLUMN, TERRITORIES_COLUMN},
};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
    pub partner_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub name: String,
    /// The row read for this request; `me` answers from it without another query.
    pub user: users::Model,
    /// The team and territories this request's scopes name, read with the row.
    pub ids: ScopeIds,
    /// The refresh-token family of the access token: what a report link it mints and a
    /// socket it opens end with.
    pub family: Option<Uuid>,
}

/// What the request carried: no credentials, a verified actor, or a refusal that is
/// reported only to resolvers that need an actor (so `login` works with a stale header).
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Authenticated(Box<Actor>),
    Refused(String),
}

impl Caller {
    pub fn actor(&self) -> Result<&Actor, AppError> {
        match self {
            Caller::Authenticated(actor) => Ok(actor),
            Caller::Anonymous => Err(AppError::unauthenticated()),
            Caller::Refused(why) => Err(AppError::Unauthenticated(why.clone())),
        }
    }
}

/// Resolves the `Authorization` header value (if any) to a caller.
pub async fn resolve(
    header: Option<&str>,
    keys: &TokenKeys,
    db: &DatabaseConnection,
) -> Result<Caller, AppError> {
    let Some(header) = header else {
        return Ok(Caller::Anonymous);
    };
    let Some(token) = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Ok(Caller::Refused(
            "the Authorization header must be `Bearer <token>`".into(),
        ));
    };
    let claims = match keys.verify(token) {
        Ok(c) => c,
        Err(AppError::Unauthenticated(why)) => return Ok(Caller::Refused(why)),
        Err(e) => return Err(e),
    };
    // One statement: the user's row, unless the token's refresh family was revoked.
    let mut session = users::Entity::find_by_id(claims.sub);
    if let Some(family) = claims.fam {
        session = session.filter(
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(refresh_tokens::Entity)
                    .and_where(Expr::col(refresh_tokens::Column::FamilyId).eq(family))
                    .and_where(Expr::col(refresh_tokens::Column::RevokedAt).is_not_null())
                    .to_owned(),
            )
            .not(),
        );
    }
    // …with the ids the actor's scopes name (their team, their territories), so the
    // request's statements need not derive them again.
    let backend = db.get_database_backend();
    let mut session = session.limit(1).into_query();
    for (expr, name) in policy::scope_id_columns(backend, claims.sub) {
        session.expr_as(expr, Alias::new(name));
    }
    let row = db.query_one_raw(backend.build(&session)).await?;
    let (user, team, territories) = match row {
        Some(r) => (
            Some(users::Model::from_query_result(&r, "")?),
            r.try_get::<Option<String>>("", TEAM_COLUMN)?,
            r.try_get::<Option<String>>("", TERRITORIES_COLUMN)?,
        ),
        None => (None, None, None),
    };
    // A partner user whose organization was suspended loses access like a deactivated one.
    let organization_active = match &user {
        Some(u) => crate::services::partners::organization_active(db, u).await?,
        None => false,
    };
    match user {
        // Tokens issued before the user's last sign-out or password reset are dead.
        Some(u)
            if u.active
                && organization_active
                && u.role == claims.role
                && u.tokens_valid_after
                    .is_none_or(|t| claims.iat_ms >= t.timestamp_millis()) =>
        {
            Ok(Caller::Authenticated(Box::new(Actor {
                user_id: u.id,
                role: u.role,
                partner_id: u.partner_id,
                manager_id: u.manager_id,
                name: u.name.clone(),
                ids: policy::parse_scope_ids(team, territories, u.role),
                family: claims.fam,
                user: u,
            })))
        }
        _ => Ok(Caller::Refused(
            "this session is no longer valid; sign in again".into(),
        )),
    }
}
