//! `evident serve`: run the web application and API on a database.

use crate::{Failure, parse_database_url, serve_until_signal};
use clap::Args;
use evident_store::DatabaseUrl;
use std::net::SocketAddr;

/// Options of `evident serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "EVIDENT_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The database: sqlite:PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
    /// A read replica (or any read-only copy) of the database: open comparisons — published
    /// tables, their periods and revision — are read there, case work stays on the primary.
    /// Its schema must be this version's.
    #[arg(long, env = "EVIDENT_READ_DATABASE_URL", value_parser = parse_database_url)]
    pub read_database_url: Option<DatabaseUrl>,
    /// Serve over plain HTTP: cookies without Secure (and without their __Host- names), no
    /// HSTS. Only for trying Evident on this machine; anything reached over a network must be
    /// served over HTTPS, directly or through a proxy that terminates TLS.
    #[arg(long, env = "EVIDENT_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// Ignored, kept so that old scripts still start: cookies are Secure by default.
    #[arg(
        long,
        env = "EVIDENT_SECURE_COOKIES",
        hide = true,
        conflicts_with = "insecure_cookies"
    )]
    pub secure_cookies: bool,
    /// A proxy whose X-Forwarded-For / Forwarded headers are believed (an address or a
    /// network such as 10.0.0.0/8); repeat for several. Without one, the peer address is the
    /// client's, whatever the headers say.
    #[arg(long = "trusted-proxy", env = "EVIDENT_TRUSTED_PROXIES", value_delimiter = ',', value_parser = evident_web::auth::address::TrustedProxy::parse)]
    pub trusted_proxies: Vec<evident_web::auth::address::TrustedProxy>,
    /// Most password hashes computed at once (each takes 19 MiB); default: the core count.
    #[arg(long, env = "EVIDENT_HASH_PERMITS")]
    pub hash_permits: Option<usize>,
    /// Most requests handled at once; more wait up to two seconds, then get 503.
    #[arg(long, env = "EVIDENT_MAX_REQUESTS", default_value_t = 512)]
    pub max_requests: usize,
    /// Minutes without a request after which a session ends (it ends 8 hours after sign-in in
    /// any case).
    #[arg(long, env = "EVIDENT_SESSION_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=480))]
    pub session_idle_minutes: i64,
    /// The pseudonym key.
    #[command(flatten)]
    pub key: crate::key::KeyArgs,
}

impl ServeArgs {
    /// Opens the database (applying migrations) and serves until asked to stop.
    ///
    /// # Errors
    /// When the database cannot be opened or the address cannot be bound.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let pseudonym_key = self.key.load()?;
        if pseudonym_key.is_none() {
            tracing::warn!(
                "no pseudonym key (EVIDENT_PSEUDONYM_KEY): clients cannot be registered"
            );
        }
        if self.secure_cookies {
            tracing::warn!("--secure-cookies is the default now and is ignored");
        }
        if self.insecure_cookies && !self.addr.ip().is_loopback() {
            tracing::warn!(
                addr = %self.addr,
                "--insecure-cookies on an address other machines can reach: sessions travel in clear text unless a proxy in front adds TLS (then drop the flag)"
            );
        }
        let store = ctx.open_store(&self.database_url).await?;
        if let Some(key) = &pseudonym_key {
            rekey_legacy_clients(&*store, key).await?;
        }
        let defaults = evident_web::state::WebConfig::default();
        let config = evident_web::state::WebConfig {
            secure_cookies: !self.insecure_cookies,
            session_idle_minutes: self.session_idle_minutes,
            pseudonym_key,
            trusted_proxies: self.trusted_proxies,
            password_hash_permits: self.hash_permits.unwrap_or(defaults.password_hash_permits),
            max_concurrent_requests: self.max_requests,
            ..defaults
        };
        tracing::info!(
            trusted_proxies = ?config.trusted_proxies,
            hash_permits = config.password_hash_permits,
            max_requests = config.max_concurrent_requests,
            "limits"
        );
        let mut state = evident_web::AppState::with_config(store.clone(), config);
        if let Some(url) = &self.read_database_url {
            let (key, _) = ctx.audit_key()?;
            tracing::info!(database = %url, "open comparisons read from");
            state = state.with_analytics(evident_store::open_read_only(url, &key).await?);
        }
        let analytics = state.analytics.clone();
        let result = serve_until_signal(self.addr, state).await;
        analytics.close().await;
        store.close().await;
        result
    }
}

/// Pseudonymises per authority the clients stored before that was done (a one-time step after
/// an upgrade; it needs the pseudonym key, which only the running server holds).
///
/// # Errors
/// When the store refuses.
pub async fn rekey_legacy_clients(
    store: &dyn evident_store::Store,
    key: &evident_core::person::PseudonymKey,
) -> Result<(), Failure> {
    let done = store
        .rekey_legacy_clients(
            &|digest, authority| key.client_keys_of_digest(digest, authority),
            &evident_core::access::audit::Actor::system(),
        )
        .await?;
    if done.clients > 0 {
        tracing::info!(
            clients = done.clients,
            split = done.split,
            "clients pseudonymised per authority"
        );
    }
    if done.without_cases > 0 {
        tracing::warn!(
            clients = done.without_cases,
            "clients from before pseudonyms were per authority have no case and were left as they were"
        );
    }
    Ok(())
}
