//! Password hashing and verification, bounded. Argon2 with the default parameters takes
//! 19 MiB and tens of milliseconds of CPU per call; run unbounded on tokio's blocking pool,
//! 64 concurrent wrong passwords took a server from 36 MB to 1.25 GB. Every hash and verify
//! goes through [`PasswordWork`], which runs at most `permits` at once and turns a caller away
//! with [`AppError::Busy`] (503 and `Retry-After`) when no permit frees up within a short wait.
//!
//! The hashes run on `permits` threads of their own, never on tokio's blocking pool: the C
//! allocator keeps freed 19 MiB blocks in the arena of the thread that used them, so hashes
//! spread over the blocking pool's changing threads left hundreds of MiB resident under load
//! (606 MiB in `bench/run_security_load.sh` with two permits). Each hashing thread is fixed
//! and verifies in memory of its own, allocated once, so the memory is `permits` × 19 MiB.

use crate::AppError;
use evident_core::access::credentials::{
    HashMemory, NewPassword, dummy_password_hash, verify_password_in,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long a caller turned away by a full [`PasswordWork`] is asked to wait, in seconds.
pub const BUSY_RETRY_AFTER_SECONDS: u64 = 2;

thread_local! {
    /// Each hashing thread's Argon2 memory, allocated at its first check and reused after.
    static HASH_MEMORY: std::cell::RefCell<HashMemory> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A unit of work for the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// The bounded pool that runs Argon2. One per server, shared by every handler.
#[derive(Debug)]
pub struct PasswordWork {
    permits: Arc<Semaphore>,
    wait: Duration,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    /// The queue of the hashing threads; they end when it is dropped.
    jobs: std::sync::mpsc::Sender<Job>,
}

/// Starts `threads` hashing threads, each running jobs from one queue until it closes.
fn spawn_hashing_threads(threads: usize) -> std::sync::mpsc::Sender<Job> {
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let queue = Arc::new(std::sync::Mutex::new(queue));
    for index in 0..threads {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("evident-argon2-{index}"))
            .spawn(move || {
                loop {
                    // The lock is held only to take one job, not while it runs.
                    let job = queue.lock().map(|q| q.recv());
                    match job {
                        Ok(Ok(job)) => job(),
                        _ => break,
                    }
                }
            })
            .expect("starting a password hashing thread");
    }
    jobs
}

impl PasswordWork {
    /// A pool running at most `permits` (at least one) hashes at once, whose callers wait at
    /// most `wait` for a turn.
    pub fn new(permits: usize, wait: Duration) -> Self {
        let permits = permits.max(1);
        Self {
            permits: Arc::new(Semaphore::new(permits)),
            wait,
            running: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
            jobs: spawn_hashing_threads(permits),
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
        self.run(move || {
            HASH_MEMORY.with_borrow_mut(|memory| match hash {
                Some(hash) => verify_password_in(&password, &hash, memory),
                None => {
                    // Checked anyway, for the time it takes; never a match.
                    let _ = verify_password_in(&password, dummy_password_hash(), memory);
                    false
                }
            })
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
        let (done, result) = tokio::sync::oneshot::channel();
        // The permit moves into the job: a client that hangs up does not free it before the
        // hash it started has finished.
        let job: Job = Box::new(move || {
            let _permit = permit;
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let value = work();
            running.fetch_sub(1, Ordering::SeqCst);
            let _ = done.send(value);
        });
        self.jobs
            .send(job)
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the password threads are gone")))?;
        result
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
    }
}
