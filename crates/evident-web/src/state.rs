//! The state shared by every handler.

use evident_store::Store;
use std::sync::Arc;

/// How the server treats sign-in and cookies.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Serve as a site reached over HTTPS (the default): cookies are `Secure` with `__Host-`
    /// names, and responses carry `Strict-Transport-Security`. Off only for plain HTTP on the
    /// local machine (`--insecure-cookies`, `evident demo`, tests).
    pub secure_cookies: bool,
    /// How long a session lasts from sign-in, in hours, however active it is.
    pub session_hours: i64,
    /// Sign-in throttling: accounts lock after repeated failures (at most
    /// `throttle.account_cap`); addresses are only slowed down.
    pub throttle: evident_core::access::throttle::ThrottlePolicy,
    /// Most password hashes (Argon2, 19 MiB each) computed at once. About the core count.
    pub password_hash_permits: usize,
    /// How long a sign-in waits for a hashing permit before it is answered 503.
    pub password_hash_wait: std::time::Duration,
    /// Most requests handled at once; more are answered 503 after `request_queue_wait`.
    pub max_concurrent_requests: usize,
    /// How long a request waits for a slot when `max_concurrent_requests` are in flight.
    pub request_queue_wait: std::time::Duration,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers are believed; empty, the peer
    /// address is always the client's.
    pub trusted_proxies: Vec<crate::auth::address::TrustedProxy>,
    /// How long a session lasts without a request, in minutes.
    pub session_idle_minutes: i64,
    /// The key that turns personal numbers into pseudonyms; without it clients cannot be
    /// registered (everything else works).
    pub pseudonym_key: Option<evident_core::person::PseudonymKey>,
    /// Survey answers one client address may send to one publication per hour
    /// ([`crate::service::survey::SURVEY_ANSWERS_PER_ADDRESS`]).
    pub survey_answers_per_address: usize,
    /// Wrong respondent codes one client address may send to one publication (or to the code
    /// page) per hour ([`crate::service::survey::CODE_GUESSES_PER_ADDRESS`]).
    pub survey_code_guesses_per_address: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            session_hours: 8,
            throttle: evident_core::access::throttle::ThrottlePolicy::default(),
            password_hash_permits: default_parallelism(),
            password_hash_wait: std::time::Duration::from_secs(2),
            max_concurrent_requests: 512,
            request_queue_wait: std::time::Duration::from_secs(2),
            trusted_proxies: Vec::new(),
            session_idle_minutes: 30,
            pseudonym_key: None,
            survey_answers_per_address: crate::service::survey::SURVEY_ANSWERS_PER_ADDRESS,
            survey_code_guesses_per_address: crate::service::survey::CODE_GUESSES_PER_ADDRESS,
        }
    }
}

/// The number of cores the process may use (one when unknown).
pub fn default_parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl WebConfig {
    /// The configuration for plain HTTP on the local machine: cookies without `Secure` and
    /// without the `__Host-` prefix, no HSTS. For `evident demo` and tests.
    pub fn insecure() -> Self {
        Self {
            secure_cookies: false,
            ..Self::default()
        }
    }
}

/// What handlers can reach: the store and the configuration. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database, whichever backend it is.
    pub store: Arc<dyn Store>,
    /// Where open comparisons (published tables, their periods, variants and revision) are
    /// read: a read replica when the server was given one (`--read-database-url`), else
    /// [`AppState::store`]. A table and the revision that labels it are read from the same
    /// database, so a replica's lag shows an older revision, never a mislabelled one.
    pub analytics: Arc<dyn Store>,
    /// Sign-in and cookie settings.
    pub config: Arc<WebConfig>,
    /// The intervention catalogue.
    pub catalogue: Arc<evident_core::followup::InterventionCatalogue>,
    /// The one clock: now, and today in Sweden. Tests fix it.
    pub clock: evident_core::clock::Clock,
    /// Survey answers per client address and publication by link, in memory only.
    pub survey_limiter: Arc<crate::service::survey::RateLimiter>,
    /// Wrong respondent codes per client address and publication by codes, in memory only.
    pub survey_code_limiter: Arc<crate::service::survey::RateLimiter>,
    /// The bounded pool every password hash and verification runs on.
    pub passwords: Arc<crate::service::passwords::PasswordWork>,
    /// Published indicator values read once per revision (`service::comparisons::cache`).
    pub published: Arc<crate::service::comparisons::PublishedCache>,
    /// Visitors' pages of open statistics, rendered once per revision.
    pub pages: Arc<crate::conditional::PageCache>,
    /// The bounded pool CPU-heavy work of requests runs on, off the async workers.
    pub heavy: Arc<crate::service::heavy::HeavyWork>,
    /// Units' follow-up tables, kept per unit data version.
    pub follow_up_tables: Arc<crate::service::follow_up_cache::FollowUpCache>,
}

impl AppState {
    /// State around an opened store, with the default configuration.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_config(store, WebConfig::default())
    }

    /// This state with open comparisons read from `analytics` (a read replica).
    #[must_use]
    pub fn with_analytics(mut self, analytics: Arc<dyn Store>) -> Self {
        self.analytics = analytics;
        self
    }

    /// State around an opened store with `config`.
    pub fn with_config(store: Arc<dyn Store>, config: WebConfig) -> Self {
        let passwords = crate::service::passwords::PasswordWork::new(
            config.password_hash_permits,
            config.password_hash_wait,
        );
        let survey_limiter = crate::service::survey::RateLimiter::new(
            config.survey_answers_per_address,
            crate::service::survey::SURVEY_WINDOW,
        );
        let survey_code_limiter = crate::service::survey::RateLimiter::new(
            config.survey_code_guesses_per_address,
            crate::service::survey::SURVEY_WINDOW,
        );
        Self {
            analytics: store.clone(),
            store,
            passwords: Arc::new(passwords),
            config: Arc::new(config),
            catalogue: Arc::new(evident_core::followup::InterventionCatalogue::embedded()),
            clock: evident_core::clock::Clock::system(),
            survey_limiter: Arc::new(survey_limiter),
            survey_code_limiter: Arc::new(survey_code_limiter),
            published: Arc::default(),
            pages: Arc::default(),
            heavy: Arc::new(crate::service::heavy::HeavyWork::new(
                crate::service::heavy::default_permits(),
            )),
            follow_up_tables: Arc::default(),
        }
    }
}
