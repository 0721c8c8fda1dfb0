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
    pub async fn run(self) -> Result<(), Failure> {
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
        tracing::info!(database = %self.database_url, "opening database");
        let store = evident_store::open(&self.database_url).await?;
        let config = evident_web::state::WebConfig {
            secure_cookies: !self.insecure_cookies,
            session_idle_minutes: self.session_idle_minutes,
            pseudonym_key,
            ..Default::default()
        };
        let state = evident_web::AppState::with_config(store.clone(), config);
        let result = serve_until_signal(self.addr, state).await;
        store.close().await;
        result
    }
}
