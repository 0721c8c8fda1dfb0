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
    /// How long a session lasts without a request, in minutes.
    pub session_idle_minutes: i64,
    /// Longest lockout after repeated failed sign-ins for one account, in seconds.
    pub account_lockout_cap_seconds: i64,
    /// Longest lockout after repeated failed sign-ins from one address, in seconds.
    pub address_lockout_cap_seconds: i64,
    /// The key that turns personal numbers into pseudonyms; without it clients cannot be
    /// registered (everything else works).
    pub pseudonym_key: Option<evident_core::person::PseudonymKey>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            session_hours: 8,
            session_idle_minutes: 30,
            account_lockout_cap_seconds: 300,
            address_lockout_cap_seconds: 900,
            pseudonym_key: None,
        }
    }
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
    /// Sign-in and cookie settings.
    pub config: Arc<WebConfig>,
    /// The intervention catalogue.
    pub catalogue: Arc<evident_core::followup::InterventionCatalogue>,
    /// The one clock: now, and today in Sweden. Tests fix it.
    pub clock: evident_core::clock::Clock,
    /// Survey answers per client address and publication, in memory only.
    pub survey_limiter: Arc<crate::service::survey::RateLimiter>,
}

impl AppState {
    /// State around an opened store, with the default configuration.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_config(store, WebConfig::default())
    }

    /// State around an opened store with `config`.
    pub fn with_config(store: Arc<dyn Store>, config: WebConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
            catalogue: Arc::new(evident_core::followup::InterventionCatalogue::embedded()),
            clock: evident_core::clock::Clock::system(),
            survey_limiter: Arc::new(crate::service::survey::RateLimiter::default()),
        }
    }
}
