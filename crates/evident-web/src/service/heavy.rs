//! CPU-heavy work of a request (workbooks, large tables, survey results), run off the async
//! workers. The server has as many async workers as cores; a request that computes for a
//! second on one of them delays every other request queued behind it — a caseworker's case
//! page waited 82 s behind two county funnels. [`HeavyWork::run`] moves such work onto tokio's
//! blocking threads, at most `permits` at once, so the async workers keep answering and a
//! burst of heavy requests waits its turn (or gets 503 with `Retry-After`) instead of taking
//! every core.

use crate::AppError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How long heavy work waits for a turn before the caller is told to come back.
pub const HEAVY_WAIT: Duration = Duration::from_secs(30);

/// How long a caller turned away is asked to wait, in seconds.
pub const HEAVY_RETRY_AFTER_SECONDS: u64 = 5;

/// Heavy work at once by default: one core's worth less than the machine has, and at least
/// one, so the async workers always keep a core.
pub fn default_permits() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get().saturating_sub(1))
        .max(1)
}

/// The bounded pool for heavy work; one per server, on the `AppState`.
#[derive(Debug)]
pub struct HeavyWork {
    permits: Arc<Semaphore>,
}

impl HeavyWork {
    /// A pool running at most `permits` (at least one) jobs at once.
    pub fn new(permits: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
        }
    }

    /// Runs `work` on a blocking thread when a permit is free and returns its result.
    ///
    /// # Errors
    /// [`AppError::Busy`] when no permit frees up within [`HEAVY_WAIT`];
    /// [`AppError::Internal`] when the work panics.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        self.run_after(async { Ok(()) }, move |()| work()).await
    }

    /// Reads what heavy work needs (`read`, on the async worker: database reads wait, they do
    /// not compute) and then runs `work` on it on a blocking thread, both within one turn: so
    /// the number of such requests reading at once is bounded too, and with it the memory
    /// their rows take (64 concurrent unit follow-up tables held 130 MB of scores).
    ///
    /// # Errors
    /// As [`Self::run`], and the error of `read`.
    pub async fn run_after<R: Send + 'static, T: Send + 'static>(
        &self,
        read: impl std::future::Future<Output = Result<R, AppError>>,
        work: impl FnOnce(R) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = tokio::time::timeout(HEAVY_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy(HEAVY_RETRY_AFTER_SECONDS))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("the heavy work pool closed: {e}")))?;
        let input = read.await?;
        tokio::task::spawn_blocking(move || {
            // Held until the work ends, even when the caller has hung up.
            let _permit = permit;
            work(input)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("heavy work failed: {e}")))
    }

    /// Permits free now (for tests).
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_the_permits_run_at_once() {
        let pool = Arc::new(HeavyWork::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut jobs = Vec::new();
        for _ in 0..6 {
            let (pool, running, peak) = (pool.clone(), running.clone(), peak.clone());
            jobs.push(tokio::spawn(async move {
                pool.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(50));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        for job in jobs {
            job.await.unwrap().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(pool.available(), 2);
    }

    /// The reads of heavy work take a turn too: with one permit, a second request does not
    /// start reading while the first is reading or computing; a failed read frees its turn.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_wait_for_a_turn_and_a_failed_read_frees_it() {
        let pool = Arc::new(HeavyWork::new(1));
        let reading = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut jobs = Vec::new();
        for _ in 0..4 {
            let (pool, reading, peak) = (pool.clone(), reading.clone(), peak.clone());
            jobs.push(tokio::spawn(async move {
                let counter = reading.clone();
                let read = async move {
                    let now = counter.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Ok(now)
                };
                pool.run_after(read, move |_| {
                    std::thread::sleep(Duration::from_millis(20));
                    reading.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        for job in jobs {
            job.await.unwrap().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 1);
        let failed = pool
            .run_after(
                async { Err::<(), _>(AppError::Invalid("no".into())) },
                |()| (),
            )
            .await;
        assert!(matches!(failed, Err(AppError::Invalid(_))));
        assert_eq!(pool.available(), 1);
    }

    #[tokio::test]
    async fn a_panic_in_the_work_is_an_internal_error_and_frees_its_permit() {
        let pool = HeavyWork::new(1);
        let result = pool.run(|| panic!("boom")).await;
        assert!(matches!(result, Err(AppError::Internal(_))));
        assert_eq!(pool.available(), 1);
    }
}
