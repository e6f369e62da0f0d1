//! Sign-in, token refresh and sign-out.

use async_graphql::{Context, Object, SimpleObject};

use super::{
    context::{actor, state},
    users::User,
};
use crate::services::auth::{self as svc, Session};

/// A signed-in session: a short-lived access token and a single-use refresh token.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived bearer token: send it as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Long-lived token to get a new access token with `refreshToken`; each use replaces it, so keep only the newest.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: super::scalars::DateTime,
    /// The signed-in user.
    pub user: User,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            expires_at: s.expires_at.into(),
            user: s.user.into(),
        }
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Signs in. Failed attempts are throttled per email with growing delays.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's email address.")] email: String,
        #[graphql(desc = "The user's password.")] password: String,
    ) -> async_graphql::Result<AuthPayload> {
        Ok(svc::login(state(ctx)?, &email, &password).await?.into())
    }

    /// Exchanges a refresh token for a new session; each refresh token works once.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The newest refresh token you hold.")] token: String,
    ) -> async_graphql::Result<AuthPayload> {
        Ok(svc::refresh(state(ctx)?, &token).await?.into())
    }

    /// Ends the session of `refreshToken`, or every session of the caller when omitted.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The refresh token whose session ends; omitted, every session of the caller ends."
        )]
        refresh_token: Option<String>,
    ) -> async_graphql::Result<bool> {
        let actor = actor(ctx)?;
        Ok(svc::logout(state(ctx)?, actor, refresh_token.as_deref()).await?)
    }
}
