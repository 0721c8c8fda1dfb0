//! `evident migrate`: apply pending migrations and nothing else. Where the server connects as
//! an application role that owns nothing (see docs/SECURITY.md), this runs as the schema's
//! owner before a new version is started.

use crate::{Context, Failure, parse_database_url};
use clap::Args;
use evident_store::DatabaseUrl;

/// Options of `evident migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database, connected to as the schema's owner.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
}

impl MigrateArgs {
    /// Applies the pending migrations.
    ///
    /// # Errors
    /// [`Failure::User`] when the database cannot be opened or a migration fails.
    pub async fn run(self, ctx: &Context) -> Result<(), Failure> {
        let (key, _) = ctx.audit_key()?;
        let store = evident_store::open_to_verify(&self.database_url, &key).await?;
        store.close().await;
        println!("The database schema is up to date.");
        Ok(())
    }
}
