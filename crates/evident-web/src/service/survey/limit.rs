//! In-memory limits on what one client address may send to one survey publication: answers
//! to a publication by link, wrong respondent codes to one by codes. Nothing of it is stored or
//! logged; the first refusal of a burst is worth an audit entry, without the address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts answers per client address and publication in memory, so that one address cannot
/// pour in answers; nothing of it is stored or logged.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    seen: Mutex<HashMap<(String, i64), Seen>>,
}

/// What the limiter remembers of one address and publication.
#[derive(Debug, Default)]
struct Seen {
    /// When its answers within the window came.
    times: Vec<Instant>,
    /// When it was last refused, so a burst is reported once per window.
    refused: Option<Instant>,
}

/// Whether one more may be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Yes; it has been counted.
    Allowed,
    /// No: the address has sent its answers for the window. `burst` is true for the first
    /// refusal of a burst (none in the window before), which is worth an audit entry.
    Refused {
        /// The first refusal of this address and publication within the window.
        burst: bool,
    },
}

impl RateLimiter {
    /// At most `limit` counted events per `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The most events counted per window.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The window, in minutes.
    pub fn window_minutes(&self) -> u64 {
        self.window.as_secs() / 60
    }

    /// Whether `address` may send one more answer to `publication` now; counts it if so.
    pub fn allow(&self, address: &str, publication: i64) -> Verdict {
        self.judge(address, publication, true)
    }

    /// Whether `address` is still within its limit for `publication`, counting nothing when
    /// it is: for limits on failures, which [`RateLimiter::count`] counts once they happen.
    pub fn check(&self, address: &str, publication: i64) -> Verdict {
        self.judge(address, publication, false)
    }

    /// Counts one event (a failure) of `address` at `publication`.
    pub fn count(&self, address: &str, publication: i64) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.entry((address.to_owned(), publication))
            .or_default()
            .times
            .push(Instant::now());
    }

    fn judge(&self, address: &str, publication: i64, count: bool) -> Verdict {
        let now = Instant::now();
        let recent = |t: &Instant| now.duration_since(*t) < self.window;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 10_000 {
            // Forget addresses that have gone quiet, so the map cannot grow without bound.
            seen.retain(|_, s| s.times.last().is_some_and(recent));
        }
        let entry = seen.entry((address.to_owned(), publication)).or_default();
        entry.times.retain(recent);
        if entry.times.len() >= self.limit {
            let burst = !entry.refused.as_ref().is_some_and(recent);
            entry.refused = Some(now);
            Verdict::Refused { burst }
        } else {
            if count {
                entry.times.push(now);
            }
            Verdict::Allowed
        }
    }
}

/// Answers one address may send to one publication per [`SURVEY_WINDOW`] without a respondent
/// code (people sharing a computer or a home network, at most).
pub const SURVEY_ANSWERS_PER_ADDRESS: usize = 3;

/// The window of [`SURVEY_ANSWERS_PER_ADDRESS`].
pub const SURVEY_WINDOW: Duration = Duration::from_secs(3600);

/// Wrong respondent codes one address may send to one publication per [`SURVEY_WINDOW`]:
/// enough for typing mistakes, far too few to guess a code (one in 2^50 per try).
pub const CODE_GUESSES_PER_ADDRESS: usize = 10;

impl Default for RateLimiter {
    /// [`SURVEY_ANSWERS_PER_ADDRESS`] answers per [`SURVEY_WINDOW`] (an hour).
    fn default() -> Self {
        Self::new(SURVEY_ANSWERS_PER_ADDRESS, SURVEY_WINDOW)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_allows_three_per_address_and_publication_and_reports_a_burst_once() {
        let limiter = RateLimiter::default();
        assert!((0..3).all(|_| limiter.allow("10.0.0.1", 1) == Verdict::Allowed));
        assert_eq!(
            limiter.allow("10.0.0.1", 1),
            Verdict::Refused { burst: true }
        );
        assert_eq!(
            limiter.allow("10.0.0.1", 1),
            Verdict::Refused { burst: false }
        );
        assert_eq!(
            limiter.allow("10.0.0.1", 2),
            Verdict::Allowed,
            "another publication"
        );
        assert_eq!(
            limiter.allow("10.0.0.2", 1),
            Verdict::Allowed,
            "another address"
        );
        let short = RateLimiter::new(1, Duration::from_millis(1));
        assert_eq!(short.allow("a", 1), Verdict::Allowed);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.allow("a", 1), Verdict::Allowed, "the window passes");
    }

    #[test]
    fn failures_are_counted_only_when_they_happen() {
        let limiter = RateLimiter::new(2, SURVEY_WINDOW);
        assert!((0..5).all(|_| limiter.check("10.0.0.1", 1) == Verdict::Allowed));
        limiter.count("10.0.0.1", 1);
        assert_eq!(limiter.check("10.0.0.1", 1), Verdict::Allowed);
        limiter.count("10.0.0.1", 1);
        assert_eq!(
            limiter.check("10.0.0.1", 1),
            Verdict::Refused { burst: true }
        );
        assert_eq!(
            limiter.check("10.0.0.1", 1),
            Verdict::Refused { burst: false }
        );
        assert_eq!(limiter.check("10.0.0.1", 2), Verdict::Allowed);
    }
}
