//! `evident tokens create`: a personal access token for a user's API clients, printed once.

use crate::users::user_by_email;
use crate::{Failure, cli_actor, parse_database_url};
use clap::{Args, Subcommand};
use evident_core::access::credentials::Secret;
use evident_store::DatabaseUrl;

/// Options of `evident tokens`.
#[derive(Debug, Args)]
pub struct TokensArgs {
    /// What to do with tokens.
    #[command(subcommand)]
    pub command: TokensCommand,
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url, global = true)]
    pub database_url: DatabaseUrl,
}

/// The `tokens` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token for a user; it is printed once and stored only as a digest.
    Create {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// Days until it expires (1–365).
        #[arg(long, default_value_t = 90)]
        expires_days: i64,
        /// What the token is for.
        #[arg(long, default_value = "created on the command line")]
        label: String,
    },
}

impl TokensArgs {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// [`Failure::User`] for an unknown user or a lifetime outside 1–365 days.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let TokensCommand::Create {
            email,
            expires_days,
            label,
        } = self.command;
        if !(1..=365).contains(&expires_days) {
            return Err(Failure::User(
                "--expires-days must be between 1 and 365".into(),
            ));
        }
        let store = ctx.open_store(&self.database_url).await?;
        let result = async {
            let user = user_by_email(&*store, &email).await?;
            let secret = Secret::generate("evt_");
            let expires = evident_store::audit::timestamp_text(evident_core::clock::Clock::system().now() + chrono::Duration::days(expires_days));
            store.create_token(user.id, &label, &secret.digest(), &expires, &cli_actor()).await?;
            eprintln!("Token for {} valid until {expires} (shown once; send it as Authorization: Bearer):", user.email);
            println!("{}", secret.expose());
            Ok(())
        }
        .await;
        store.close().await;
        result
    }
}
