//! argon2id hashing on a few dedicated threads that run at the lowest CPU priority: a
//! burst of logins neither stalls the async workers nor takes a core from any other
//! request, since hashing only gets the CPU time everything else leaves.

use std::{
    cell::RefCell,
    panic::AssertUnwindSafe,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::{Output, ParamsString, SaltString, rand_core::OsRng},
};

use crate::{config::Argon2Params, error::AppError};

#[derive(Clone)]
pub struct Passwords {
    params: Params,
    pool: Arc<HashPool>,
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
            pool: Arc::new(HashPool::start(hashing_concurrency())?),
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let params = self.params.clone();
        let password = password.to_owned();
        self.pool.run(move || hash_with(&params, &password)).await?
    }

    /// Verifies against `hash`, or against the dummy hash when there is no user, so
    /// both paths take the same time. Returns false for a missing hash.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AppError> {
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.to_owned();
        let ok = self
            .pool
            .run(move || verify_with(&password, &hash))
            .await??;
        Ok(ok && known)
    }

    /// How many argon2 computations (hashes and verifications) this server has run.
    pub fn computations(&self) -> u64 {
        self.pool.runs.load(Ordering::Relaxed)
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Threads that take jobs from one queue. Their number caps argon2's concurrency (and
/// so its memory: one `m` per thread); further work waits in the queue. The threads
/// end when the last [`Passwords`] clone is dropped (the queue closes).
struct HashPool {
    jobs: mpsc::Sender<Job>,
    runs: Arc<AtomicU64>,
}

impl HashPool {
    fn start(threads: usize) -> Result<Self, AppError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        // A panicking job loses its answer (the caller sees an internal
                        // error), not the thread.
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                })
                .map_err(AppError::internal)?;
        }
        Ok(Self {
            jobs,
            runs: Arc::new(AtomicU64::new(0)),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let runs = self.runs.clone();
        self.jobs
            .send(Box::new(move || {
                // A caller that gave up while queued (deadline, disconnect) costs no hash.
                if !tx.is_closed() {
                    runs.fetch_add(1, Ordering::Relaxed);
                    let _ = tx.send(work());
                }
            }))
            .map_err(|_| AppError::internal("the password hashing threads are gone"))?;
        rx.await.map_err(AppError::internal)
    }
}

/// The nice value of the hashing threads. Linux keeps a nice value per thread, so this
/// leaves the request workers at their own. 10 (about a tenth of a normal thread's
/// share when the CPU is contended), not 19 (about 1.5%): at 19 a login on a machine
/// saturated by other work could wait past the request deadline.
const HASHING_NICE: i32 = 10;

/// Lowers the calling thread's CPU priority, so the scheduler runs every other ready
/// thread first and preempts hashing the moment a request needs the core.
#[cfg(target_os = "linux")]
fn lower_priority() {
    let me = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(me), HASHING_NICE) {
        tracing::warn!(error = %e, "cannot lower the priority of a password hashing thread");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// How many hashes may run at once: one core fewer than the machine has (at least
/// one), so that a storm of logins — each argon2 call is tens of milliseconds of one
/// core — can never hold every core even where priorities are not honoured.
fn hashing_concurrency() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    cores.saturating_sub(1).max(1)
}

thread_local! {
    /// Each hashing thread's argon2 memory (m KiB), kept from one hash to the next:
    /// allocating and zero-filling 19 MiB per attempt cost page faults and, at low
    /// priority, let a preempted hashing thread hold the process's memory map while the
    /// request workers waited for it. Argon2 overwrites every block before reading it,
    /// so what a previous hash left there does not matter.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// argon2 of `password` and `salt` into `out`, in this thread's reused memory.
fn argon2_into(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let blocks = params.block_count();
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
    })
}

/// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) for `password`, freshly
/// salted. Also used synchronously by tools (seeding, tests) outside the server.
pub fn hash_with(params: &Params, password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut raw = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut raw)
        .map_err(AppError::internal)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let hash = Output::init_with(len, |out| {
        argon2_into(&argon, params, password.as_bytes(), salt_bytes, out)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(AppError::internal)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(AppError::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(hash),
    };
    Ok(phc.to_string())
}

fn verify_with(password: &str, hash: &str) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(hash).map_err(AppError::internal)?;
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return Ok(false);
    };
    // The parameters come from the stored hash, so old hashes keep verifying after a cost change.
    let checked = (|| -> argon2::password_hash::Result<bool> {
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        let mut raw = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut raw)?;
        let argon = Argon2::new(algorithm, version, params.clone());
        let actual = Output::init_with(expected.len(), |out| {
            argon2_into(&argon, &params, password.as_bytes(), salt_bytes, out)
                .map_err(|_| argon2::password_hash::Error::Crypto)
        })?;
        // `Output`'s equality is constant-time.
        Ok(actual == expected)
    })();
    Ok(checked.unwrap_or(false))
}

/// The minimum parameters the security spec allows (m = 19 MiB, t = 2, p = 1).
pub fn default_params() -> Result<Params, AppError> {
    Params::new(19_456, 2, 1, None).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passwords() -> Passwords {
        Passwords::new(&Argon2Params {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        })
        .unwrap()
    }

    #[test]
    fn hashing_leaves_a_core_free() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let n = hashing_concurrency();
        assert!(n >= 1 && (n < cores || cores == 1), "{n} of {cores}");
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_cost_and_verify() {
        let pw = passwords();
        let h = pw.hash("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(pw.verify("correct horse battery", Some(&h)).await.unwrap());
        assert!(!pw.verify("wrong horse battery", Some(&h)).await.unwrap());
        assert!(!pw.verify("correct horse battery", None).await.unwrap());
        assert_eq!(pw.computations(), 4);
    }

    #[test]
    fn hashes_interoperate_with_the_argon2_crates_own_encoding() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(8_192, 2, 1, None).unwrap();
        let ours = hash_with(&params, "correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(verify_with("correct horse battery", &theirs).unwrap());
        assert!(!verify_with("correct horse batterz", &theirs).unwrap());
        // Hashes of other costs keep verifying, in the same reused memory.
        let small = hash_with(&Params::new(1_024, 1, 1, None).unwrap(), "pw-small").unwrap();
        assert!(verify_with("pw-small", &small).unwrap());
        assert!(verify_with("correct horse battery", &ours).unwrap());
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_the_lowest_priority_and_only_they_do() {
        use rustix::{process::getpriority_process, thread::gettid};
        let pw = passwords();
        let mine = getpriority_process(Some(gettid())).unwrap();
        let theirs = pw
            .pool
            .run(|| getpriority_process(Some(gettid())))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(theirs, HASHING_NICE);
        assert_eq!(getpriority_process(Some(gettid())).unwrap(), mine);
    }
}
