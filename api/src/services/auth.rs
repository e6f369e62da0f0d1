//! Sign-in, refresh-token rotation, sign-out and login throttling.
//!
//! Throttling is keyed on the normalized email whether or not a user has it, lives in
//! the database (so it holds across replicas), and reserves each attempt before the
//! password is checked, so parallel requests, batches or aliases cannot multiply tries.

use std::time::Duration;

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use entity::{login_throttles, refresh_tokens, users};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, Set, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::audit::{self, Changes};
use crate::{
    auth::Actor,
    config::LoginThrottle,
    domain::{Email, text::PASSWORD_MAX},
    error::{AppError, AppResult},
    state::AppState,
};

/// How long an attempt holds its reservation while the password is verified.
const RESERVATION: Duration = Duration::from_secs(10);

pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: chrono::DateTime<Utc>,
    pub user: users::Model,
}

fn invalid_credentials() -> AppError {
    AppError::Unauthenticated("invalid email or password".into())
}

#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, email: &str, password: &str) -> AppResult<Session> {
    let email = Email::parse(email, "email")?;
    if password.is_empty() {
        return Err(AppError::bad_input("password", "password is required"));
    }
    if password.chars().count() > PASSWORD_MAX {
        return Err(AppError::bad_input(
            "password",
            format!("password must be at most {PASSWORD_MAX} characters"),
        ));
    }
    let db = &state.db;
    // A throttled attempt ends here, after one read: no write, no hash.
    reserve_attempt(db, email.as_str()).await?;

    let user = users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let verified = state
        .passwords
        .verify(password, user.as_ref().map(|u| u.password_hash.as_str()))
        .await?;
    let active = match &user {
        Some(u) if verified => u.active && super::partners::organization_active(db, u).await?,
        _ => false,
    };
    let user = match user {
        Some(u) if active => u,
        _ => {
            record_failure(db, email.as_str(), &state.config.throttle).await?;
            return Err(invalid_credentials());
        }
    };

    let txn = crate::db::begin_write(db).await?;
    login_throttles::Entity::delete_by_id(email.as_str().to_string())
        .exec(&txn)
        .await?;
    let session = start_session(state, &txn, user, Uuid::new_v4(), None).await?;
    audit::record(
        &txn,
        Some(session.user.id),
        "login",
        "User",
        session.user.id,
        Changes::new(),
    )
    .await?;
    txn.commit().await?;
    Ok(session)
}

/// How long a failure is remembered once its lock has passed. Without forgetting, the
/// table would keep a row for every email ever tried; with it, an email tried again
/// within a day keeps its count (an active throttle never resets).
pub const THROTTLE_MEMORY: chrono::Duration = chrono::Duration::hours(24);

/// Deletes the rows of emails whose lock has passed and whose last failure (or, for
/// an abandoned reservation, the reservation itself) is older than [`THROTTLE_MEMORY`].
async fn prune_throttles<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    use login_throttles::Column as T;
    let now = Utc::now();
    let cutoff = now - THROTTLE_MEMORY;
    login_throttles::Entity::delete_many()
        .filter(
            Condition::any()
                .add(T::LockedUntil.is_null())
                .add(T::LockedUntil.lt(now)),
        )
        .filter(
            Condition::any().add(T::LastFailureAt.lt(cutoff)).add(
                Condition::all()
                    .add(T::LastFailureAt.is_null())
                    .add(T::LockedUntil.lt(cutoff)),
            ),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Takes the attempt slot for `email`, or answers `RATE_LIMITED` with the wait.
async fn reserve_attempt<C: ConnectionTrait>(db: &C, email: &str) -> AppResult<()> {
    let now = Utc::now();
    let hold = now + RESERVATION;
    let existing = login_throttles::Entity::find_by_id(email.to_string())
        .one(db)
        .await?;
    match existing {
        None => {
            let inserted = login_throttles::Entity::insert(login_throttles::ActiveModel {
                email: Set(email.to_string()),
                failures: Set(0),
                last_failure_at: Set(None),
                locked_until: Set(Some(hold)),
            })
            .exec(db)
            .await;
            // A concurrent attempt inserted first: it holds the slot.
            inserted.map(|_| ()).map_err(|_| rate_limited(RESERVATION))
        }
        Some(row) => {
            if let Some(until) = row.locked_until.filter(|u| *u > now) {
                return Err(rate_limited((until - now).to_std().unwrap_or_default()));
            }
            let taken = login_throttles::Entity::update_many()
                .col_expr(login_throttles::Column::LockedUntil, Expr::value(hold))
                .filter(login_throttles::Column::Email.eq(email))
                .filter(
                    Condition::any()
                        .add(login_throttles::Column::LockedUntil.is_null())
                        .add(login_throttles::Column::LockedUntil.lte(now)),
                )
                .exec(db)
                .await?;
            if taken.rows_affected == 1 {
                Ok(())
            } else {
                Err(rate_limited(RESERVATION))
            }
        }
    }
}

fn rate_limited(wait: Duration) -> AppError {
    AppError::RateLimited {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
    }
}

/// The delay after `failures` consecutive failures: none for the free attempts, then
/// doubling from the base delay up to the maximum.
pub fn delay_after(failures: u32, cfg: &LoginThrottle) -> Option<Duration> {
    let over = failures.checked_sub(cfg.free_attempts)?;
    let factor = 2u32.saturating_pow(over.min(20));
    Some(cfg.base_delay.saturating_mul(factor).min(cfg.max_delay))
}

async fn record_failure<C: ConnectionTrait>(
    db: &C,
    email: &str,
    cfg: &LoginThrottle,
) -> AppResult<()> {
    // Only a failure leaves a row behind (a success deletes its own), so pruning here
    // bounds the table without a write on every throttled attempt.
    prune_throttles(db).await?;
    let now = Utc::now();
    let failures = login_throttles::Entity::find_by_id(email.to_string())
        .one(db)
        .await?
        .map_or(0, |r| r.failures)
        .saturating_add(1);
    let locked_until = delay_after(failures.max(0) as u32, cfg)
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .map(|d| now + d);
    login_throttles::ActiveModel {
        email: Set(email.to_string()),
        failures: Set(failures),
        last_failure_at: Set(Some(now)),
        locked_until: Set(locked_until),
    }
    .update(db)
    .await?;
    tracing::info!(failures, throttled = locked_until.is_some(), "failed login");
    Ok(())
}

/// Issues an access token and a new refresh token in `family`.
async fn start_session<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    user: users::Model,
    family_id: Uuid,
    parent_id: Option<Uuid>,
) -> AppResult<Session> {
    let access = state
        .keys
        .issue_in_family(user.id, user.role, Some(family_id))?;
    let refresh = new_refresh_secret();
    let now = Utc::now();
    let ttl =
        chrono::Duration::from_std(state.config.refresh_token_ttl).map_err(AppError::internal)?;
    refresh_tokens::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user.id),
        family_id: Set(family_id),
        token_hash: Set(hash_secret(&refresh)),
        parent_id: Set(parent_id),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(Session {
        access_token: access.token,
        refresh_token: refresh,
        expires_at: access.expires_at,
        user,
    })
}

fn new_refresh_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Refresh tokens are stored as SHA-256: they are 256-bit random, so a fast hash suffices.
fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rotates a refresh token. Presenting a token that was already used (or revoked)
/// revokes its whole family: either the legitimate client or a thief holds a copy.
#[tracing::instrument(skip_all)]
pub async fn refresh(state: &AppState, token: &str) -> AppResult<Session> {
    let refused = || AppError::Unauthenticated("invalid or expired refresh token".into());
    if token.is_empty() || token.len() > 256 {
        return Err(refused());
    }
    let db = &state.db;
    let Some(row) = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(hash_secret(token)))
        .one(db)
        .await?
    else {
        return Err(refused());
    };
    let now = Utc::now();
    if row.used_at.is_some() || row.revoked_at.is_some() {
        tracing::warn!(family = %row.family_id, "refresh token reuse; revoking the family");
        revoke_reused(state, &row).await?;
        return Err(refused());
    }
    if row.expires_at <= now {
        return Err(refused());
    }
    let txn = crate::db::begin_write(db).await?;
    let claimed = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
        .filter(refresh_tokens::Column::Id.eq(row.id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        // Lost a race with another use of the same token: that is reuse too.
        txn.rollback().await?;
        revoke_reused(state, &row).await?;
        return Err(refused());
    }
    let user = users::Entity::find_by_id(row.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or_else(refused)?;
    if !super::partners::organization_active(&txn, &user).await? {
        return Err(refused());
    }
    let session = start_session(state, &txn, user, row.family_id, Some(row.id)).await?;
    txn.commit().await?;
    Ok(session)
}

/// Revokes a reused token's family and tells every replica, whose sockets opened with
/// a token of that family then close (as at sign-out).
async fn revoke_reused(state: &AppState, row: &refresh_tokens::Model) -> AppResult<()> {
    let txn = crate::db::begin_write(&state.db).await?;
    revoke_family(&txn, row.family_id).await?;
    state
        .hub
        .commit(txn, crate::events::Notice::SessionsEnded(row.user_id))
        .await
}

/// Whether refresh-token family `family` was revoked (reuse, sign-out, deactivation).
pub async fn family_revoked<C: ConnectionTrait>(db: &C, family: Uuid) -> AppResult<bool> {
    let revoked = refresh_tokens::Entity::find()
        .select_only()
        .column(refresh_tokens::Column::Id)
        .filter(refresh_tokens::Column::FamilyId.eq(family))
        .filter(refresh_tokens::Column::RevokedAt.is_not_null())
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    Ok(revoked.is_some())
}

async fn revoke_family<C: ConnectionTrait>(db: &C, family_id: Uuid) -> AppResult<()> {
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Refuses every access token of `user_id` issued until now.
pub async fn end_access_tokens<C: ConnectionTrait>(db: &C, user_id: Uuid) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::TokensValidAfter, Expr::value(Utc::now()))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every refresh token of `user_id` (sign out everywhere, deactivation).
pub async fn revoke_all<C: ConnectionTrait>(db: &C, user_id: Uuid) -> AppResult<u64> {
    let res = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_tokens::Column::UserId.eq(user_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Signs the actor out: the given refresh token's family, or every session.
#[tracing::instrument(skip_all)]
pub async fn logout(
    state: &AppState,
    actor: &Actor,
    refresh_token: Option<&str>,
) -> AppResult<bool> {
    let txn = crate::db::begin_write(&state.db).await?;
    let revoked = match refresh_token {
        Some(token) => {
            let row = refresh_tokens::Entity::find()
                .filter(refresh_tokens::Column::TokenHash.eq(hash_secret(token)))
                .filter(refresh_tokens::Column::UserId.eq(actor.user_id))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input("refreshToken", "is not one of your sessions")
                })?;
            revoke_family(&txn, row.family_id).await?;
            1
        }
        None => revoke_all(&txn, actor.user_id).await?,
    };
    end_access_tokens(&txn, actor.user_id).await?;
    audit::record(
        &txn,
        Some(actor.user_id),
        "logout",
        "User",
        actor.user_id,
        Changes::new().field("sessionsRevoked", 0, revoked),
    )
    .await?;
    // Sockets opened with the ended tokens close too.
    state
        .hub
        .commit(txn, crate::events::Notice::SessionsEnded(actor.user_id))
        .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_attempts_and_grow() {
        let cfg = LoginThrottle {
            free_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        };
        assert_eq!(delay_after(4, &cfg), None);
        assert_eq!(delay_after(5, &cfg), Some(Duration::from_secs(1)));
        assert_eq!(delay_after(6, &cfg), Some(Duration::from_secs(2)));
        assert_eq!(delay_after(8, &cfg), Some(Duration::from_secs(8)));
        assert_eq!(delay_after(40, &cfg), Some(Duration::from_secs(60)));
    }
}
