//! Password hashing and verification, bounded. Argon2 with the default parameters takes
//! 19 MiB and tens of milliseconds of CPU per call; run unbounded on tokio's blocking pool,
//! 64 concurrent wrong passwords took a server from 36 MB to 1.25 GB. Every hash and verify
//! goes through [`PasswordWork`], which runs at most `permits` at once and turns a caller away
//! with [`AppError::Busy`] (503 and `Retry-After`) when no permit frees up within a short wait.

use crate::AppError;
use evident_core::access::credentials::{NewPassword, dummy_password_hash, verify_password};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long a caller turned away by a full [`PasswordWork`] is asked to wait, in seconds.
pub const BUSY_RETRY_AFTER_SECONDS: u64 = 2;

/// The bounded pool that runs Argon2. One per server, shared by every handler.
#[derive(Debug)]
pub struct PasswordWork {
    permits: Arc<Semaphore>,
    wait: Duration,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl PasswordWork {
    /// A pool running at most `permits` (at least one) hashes at once, whose callers wait at
    /// most `wait` for a turn.
    pub fn new(permits: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            wait,
            running: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The most hashes that ever ran at once: a gauge for tests and operators.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Whether `password` matches `hash`; with no hash (no such account, or one without a
    /// password) it is checked against a dummy hash, so that costs the same time.
    ///
    /// # Errors
    /// [`AppError::Busy`] when no permit frees up in time.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move || match hash {
            Some(hash) => verify_password(&password, &hash),
            None => {
                // Checked anyway, for the time it takes; never a match.
                let _ = verify_password(&password, dummy_password_hash());
                false
            }
        })
        .await
    }

    /// The Argon2 hash of a new password.
    ///
    /// # Errors
    /// [`AppError::Busy`] when no permit frees up in time.
    pub async fn hash(&self, password: NewPassword) -> Result<String, AppError> {
        self.run(move || password.hash()).await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy(BUSY_RETRY_AFTER_SECONDS))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the password pool closed: {e}")))?;
        let (running, peak) = (self.running.clone(), self.peak.clone());
        // The permit moves into the blocking task: a client that hangs up does not free it
        // before the hash it started has finished.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let result = work();
            running.fetch_sub(1, Ordering::SeqCst);
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
    }
}
