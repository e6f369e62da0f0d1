//! Short-lived signed links to a report download, so a browser can open the CSV or the
//! printable page without a bearer header. A link is a JWT of its own media type and
//! audience, bound to the user, the report's kind, its root and its period; the user is
//! re-checked (active, same role, not signed out) when it is used.

use entity::{enums::Role, users};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Actor, actor::Caller, jwt::TokenKeys};
use crate::error::AppError;

const LINK_TYP: &str = "report-link+jwt";
const LINK_AUDIENCE: &str = "/reports";
/// Minutes, as the spec asks: long enough to click, short enough not to be shared.
pub const LINK_TTL_SECS: u64 = 300;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkClaims {
    pub sub: Uuid,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    pub iat_ms: i64,
    /// `csv` or `html`.
    pub kind: String,
    /// The root territory's global id and the period, exactly as in the URL.
    pub root: String,
    pub period: String,
    /// The refresh-token family of the token that minted the link: revoking it ends
    /// the link too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<Uuid>,
}

pub struct Link {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

pub fn sign(
    keys: &TokenKeys,
    actor: &Actor,
    kind: &str,
    root: &str,
    period: &str,
) -> Result<Link, AppError> {
    let now = chrono::Utc::now();
    let iat = now.timestamp().max(0) as u64;
    let claims = LinkClaims {
        sub: actor.user_id,
        role: actor.role,
        iss: keys.issuer().to_string(),
        aud: format!("{}{LINK_AUDIENCE}", keys.audience()),
        exp: iat + LINK_TTL_SECS,
        nbf: iat,
        iat,
        iat_ms: now.timestamp_millis(),
        kind: kind.into(),
        root: root.into(),
        period: period.into(),
        fam: actor.family,
    };
    let token = keys.sign_typed(LINK_TYP, &claims)?;
    let expires_at = chrono::DateTime::from_timestamp((iat + LINK_TTL_SECS) as i64, 0)
        .ok_or_else(|| AppError::internal("link expiry out of range"))?;
    Ok(Link { token, expires_at })
}

/// The caller a link stands for, when it is valid for exactly this kind, root and
/// period and its user may still sign in; otherwise a refusal.
pub async fn resolve(
    keys: &TokenKeys,
    db: &DatabaseConnection,
    token: &str,
    kind: &str,
    root: &str,
    period: &str,
) -> Result<Caller, AppError> {
    let refused = || Caller::Refused("this link is invalid or has expired".into());
    let Some(c) = keys.verify_typed::<LinkClaims>(token, LINK_TYP, LINK_AUDIENCE) else {
        return Ok(refused());
    };
    if c.kind != kind || c.root != root || c.period != period {
        return Ok(refused());
    }
    if let Some(family) = c.fam
        && crate::services::auth::family_revoked(db, family).await?
    {
        return Ok(refused());
    }
    let user = users::Entity::find_by_id(c.sub).one(db).await?;
    match user {
        Some(u)
            if u.active
                && u.role == c.role
                && u.tokens_valid_after
                    .is_none_or(|t| c.iat_ms >= t.timestamp_millis()) =>
        {
            Ok(Caller::Authenticated(Box::new(Actor {
                user_id: u.id,
                role: u.role,
                partner_id: u.partner_id,
                manager_id: u.manager_id,
                name: u.name.clone(),
                ids: Default::default(),
                family: c.fam,
                user: u,
            })))
        }
        _ => Ok(refused()),
    }
}
