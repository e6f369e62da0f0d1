//! Access tokens: HS256 JWTs signed with the current key of a key ring, verified with
//! any key of the ring, the algorithm pinned by the server and every claim required.

use std::{collections::HashMap, time::Duration};

use entity::enums::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{config::Config, error::AppError};

/// RFC 9068's media type for access tokens; refuses ID tokens or other JWTs signed
/// with the same key.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    /// `iat` in milliseconds: sign-out ends tokens issued before it to the millisecond,
    /// where whole seconds would let a token from the same second live on.
    pub iat_ms: i64,
    pub jti: Uuid,
    /// The refresh-token family the token was issued from: revoking the family (reuse,
    /// sign-out, deactivation) ends the token on its next request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<Uuid>,
}

#[derive(Clone)]
pub struct TokenKeys {
    current_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: Duration,
}

pub struct Issued {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl TokenKeys {
    pub fn new(cfg: &Config) -> Result<Self, AppError> {
        let current = cfg
            .keys
            .keys
            .get(&cfg.keys.current_kid)
            .ok_or_else(|| AppError::internal("current signing key missing from key ring"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.validate_exp = true;
        validation.validate_aud = true;
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[&cfg.jwt_issuer]);
        validation.set_audience(&[&cfg.jwt_audience]);
        Ok(Self {
            current_kid: cfg.keys.current_kid.clone(),
            encoding: EncodingKey::from_secret(current),
            decoding: cfg
                .keys
                .keys
                .iter()
                .map(|(kid, key)| (kid.clone(), DecodingKey::from_secret(key)))
                .collect(),
            validation,
            issuer: cfg.jwt_issuer.clone(),
            audience: cfg.jwt_audience.clone(),
            ttl: cfg.access_token_ttl,
        })
    }

    pub fn issue(&self, user_id: Uuid, role: Role) -> Result<Issued, AppError> {
        self.issue_in_family(user_id, role, None)
    }

    /// An access token tied to the refresh-token family of its session.
    pub fn issue_in_family(
        &self,
        user_id: Uuid,
        role: Role,
        family: Option<Uuid>,
    ) -> Result<Issued, AppError> {
        let now = chrono::Utc::now();
        let iat = now.timestamp().max(0) as u64;
        let iat_ms = now.timestamp_millis();
        let exp = iat + self.ttl.as_secs();
        let claims = Claims {
            sub: user_id,
            role,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp,
            nbf: iat,
            iat,
            iat_ms,
            jti: Uuid::new_v4(),
            fam: family,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current_kid.clone());
        header.typ = Some(ACCESS_TOKEN_TYP.into());
        let token =
            jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(AppError::internal)?;
        let expires_at = chrono::DateTime::from_timestamp(exp as i64, 0)
            .ok_or_else(|| AppError::internal("token expiry out of range"))?;
        Ok(Issued { token, expires_at })
    }

    /// Checks shape, `typ`, `kid`, algorithm, signature and every claim. The reason a
    /// token is refused is logged, never told to the caller.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        let refuse = |why: &str| {
            tracing::debug!(reason = why, "access token refused");
            AppError::Unauthenticated("invalid or expired token".into())
        };
        let header = jsonwebtoken::decode_header(token).map_err(|_| refuse("malformed header"))?;
        if header.typ.as_deref() != Some(ACCESS_TOKEN_TYP) {
            return Err(refuse("wrong typ"));
        }
        let kid = header.kid.as_deref().ok_or_else(|| refuse("no kid"))?;
        let key = self
            .decoding
            .get(kid)
            .ok_or_else(|| refuse("unknown kid"))?;
        let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation)
            .map_err(|e| refuse(&e.to_string()))?;
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        if data.claims.iat > now + LEEWAY_SECS {
            return Err(refuse("issued in the future"));
        }
        Ok(data.claims)
    }
}

impl TokenKeys {
    /// Whether `token` is an access token of ours that fails only for having expired:
    /// the client should refresh it, where any other failure calls for a new sign-in.
    pub fn is_expired(&self, token: &str) -> bool {
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return false;
        };
        let Some(key) = header.kid.as_deref().and_then(|k| self.decoding.get(k)) else {
            return false;
        };
        let mut validation = self.validation.clone();
        validation.validate_exp = false;
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        header.typ.as_deref() == Some(ACCESS_TOKEN_TYP)
            && jsonwebtoken::decode::<Claims>(token, key, &validation)
                .is_ok_and(|d| d.claims.exp + LEEWAY_SECS < now)
    }
}

/// Report links (see `report_link.rs`) are JWTs of their own media type and audience,
/// signed with the same key ring, so that neither kind of token passes for the other.
impl TokenKeys {
    pub fn sign_typed<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String, AppError> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current_kid.clone());
        header.typ = Some(typ.into());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(AppError::internal)
    }

    /// Verifies a token of media type `typ` for `audience_suffix` appended to the
    /// server's audience; `None` for any failure (the reason is logged).
    pub fn verify_typed<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        typ: &str,
        audience_suffix: &str,
    ) -> Option<T> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.typ.as_deref() != Some(typ) {
            tracing::debug!("signed link refused: wrong typ");
            return None;
        }
        let key = self.decoding.get(header.kid.as_deref()?)?;
        let mut validation = self.validation.clone();
        validation.set_audience(&[format!("{}{audience_suffix}", self.audience)]);
        match jsonwebtoken::decode::<T>(token, key, &validation) {
            Ok(data) => Some(data.claims),
            Err(e) => {
                tracing::debug!(reason = %e, "signed link refused");
                None
            }
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }
}
