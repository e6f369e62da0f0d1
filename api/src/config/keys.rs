//! The token signing key ring: `SALESGRAPH_JWT_KEYS`, parsed and judged (strength in
//! production, the public development key refused there). Keys never appear in `Debug`
//! output: the ring prints only its key ids.

use std::{collections::HashMap, fmt};

use base64::Engine as _;

use super::{ConfigError, Environment};

/// Development signing key: public by design, refused in production.
pub(super) const DEV_SIGNING_KEY: &[u8] = b"salesgraph-development-signing-key-not-for-production";
/// HS256 wants at least as many key bytes as the hash has.
pub const MIN_KEY_BYTES: usize = 32;

/// HMAC keys by key id; the first one signs, all of them verify.
#[derive(Clone)]
pub struct KeyRing {
    pub current_kid: String,
    pub keys: HashMap<String, Vec<u8>>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kids: Vec<_> = self.keys.keys().collect();
        kids.sort();
        f.debug_struct("KeyRing")
            .field("current_kid", &self.current_kid)
            .field("kids", &kids)
            .finish()
    }
}

/// `kid:base64key,kid:base64key` — the first entry signs new tokens.
pub(super) fn parse_key_ring(
    raw: Option<String>,
    env: Environment,
) -> Result<KeyRing, ConfigError> {
    let Some(raw) = raw else {
        if env == Environment::Production {
            return Err(ConfigError(
                "SALESGRAPH_JWT_KEYS is required in production (kid:base64-key of at least 32 bytes)"
                    .into(),
            ));
        }
        return Ok(KeyRing {
            current_kid: "dev".into(),
            keys: HashMap::from([("dev".to_string(), DEV_SIGNING_KEY.to_vec())]),
        });
    };
    let mut keys = HashMap::new();
    let mut current_kid = None;
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (kid, b64) = entry.split_once(':').ok_or_else(|| {
            ConfigError("SALESGRAPH_JWT_KEYS entries must look like kid:base64-key".into())
        })?;
        let kid = kid.trim();
        if kid.is_empty()
            || !kid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(ConfigError(format!(
                "SALESGRAPH_JWT_KEYS: key id `{kid}` must be letters, digits, - _ or ."
            )));
        }
        let key = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64.trim()))
            .map_err(|_| ConfigError(format!("SALESGRAPH_JWT_KEYS: key `{kid}` is not base64")))?;
        if key.len() < MIN_KEY_BYTES {
            return Err(ConfigError(format!(
                "SALESGRAPH_JWT_KEYS: key `{kid}` is too weak ({} bytes; at least {MIN_KEY_BYTES})",
                key.len()
            )));
        }
        if env == Environment::Production
            && let Some(why) = crate::auth::key_strength::weakness(&key)
        {
            return Err(ConfigError(format!(
                "SALESGRAPH_JWT_KEYS: key `{kid}` is too weak ({why}); use random bytes, e.g. `openssl rand -base64 48`"
            )));
        }
        if env == Environment::Production && key == DEV_SIGNING_KEY {
            return Err(ConfigError(
                "SALESGRAPH_JWT_KEYS: the development key cannot be used in production".into(),
            ));
        }
        if keys.insert(kid.to_string(), key).is_some() {
            return Err(ConfigError(format!(
                "SALESGRAPH_JWT_KEYS: key id `{kid}` appears twice"
            )));
        }
        current_kid.get_or_insert_with(|| kid.to_string());
    }
    let current_kid =
        current_kid.ok_or_else(|| ConfigError("SALESGRAPH_JWT_KEYS has no keys".into()))?;
    Ok(KeyRing { current_kid, keys })
}
