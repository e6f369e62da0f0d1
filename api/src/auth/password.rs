//! argon2id hashing, run on the blocking pool behind a semaphore so that a burst of
//! logins neither stalls the async workers nor allocates unbounded memory.

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use tokio::sync::Semaphore;

use crate::{config::Argon2Params, error::AppError};

#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
    /// A real hash of a random password: unknown emails are verified against it
    /// so that they cost the same time as a wrong password.
    dummy_hash: Arc<String>,
}

impl Passwords {
    pub fn new(cfg: &Argon2Params) -> Result<Self, AppError> {
        let params = Params::new(cfg.memory_kib, cfg.iterations, cfg.parallelism, None)
            .map_err(AppError::internal)?;
        let dummy_hash = hash_with(&params, &uuid::Uuid::new_v4().to_string())?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(hashing_concurrency())),
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let params = self.params.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_with(&params, &password))
            .await
            .map_err(AppError::internal)?
    }

    /// Verifies against `hash`, or against the dummy hash when there is no user, so
    /// both paths take the same time. Returns false for a missing hash.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AppError> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_with(&password, &hash))
            .await
            .map_err(AppError::internal)??;
        Ok(ok && known)
    }
}

/// How many hashes may run at once: one core fewer than the machine has (at least
/// one), so that a storm of logins — each argon2 call is tens of milliseconds of one
/// core — always leaves a core for every other request. Further logins queue.
fn hashing_concurrency() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    cores.saturating_sub(1).max(1)
}

/// Synchronous hashing for tools (seeding, tests) that run outside the server.
pub fn hash_with(params: &Params, password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

fn verify_with(password: &str, hash: &str) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(hash).map_err(AppError::internal)?;
    // The parameters come from the stored hash, so old hashes keep verifying after a cost change.
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// The minimum parameters the security spec allows (m = 19 MiB, t = 2, p = 1).
pub fn default_params() -> Result<Params, AppError> {
    Params::new(19_456, 2, 1, None).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_leaves_a_core_free() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let n = hashing_concurrency();
        assert!(n >= 1 && (n < cores || cores == 1), "{n} of {cores}");
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_cost_and_verify() {
        let pw = Passwords::new(&Argon2Params {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        })
        .unwrap();
        let h = pw.hash("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(pw.verify("correct horse battery", Some(&h)).await.unwrap());
        assert!(!pw.verify("wrong horse battery", Some(&h)).await.unwrap());
        assert!(!pw.verify("correct horse battery", None).await.unwrap());
    }
}
