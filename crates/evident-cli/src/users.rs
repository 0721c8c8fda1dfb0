//! `evident users …`: create users, grant and revoke roles, list users — for the first admin
//! and for scripts. The command line acts with the machine operator's authority (whoever can
//! run it can open the database anyway) and every change is audited as `cli:<user>`.

use crate::{Failure, cli_actor, parse_database_url};
use clap::{Args, Subcommand};
use evident_core::OrgCode;
use evident_core::access::account::NewUser;
use evident_core::access::credentials::{NewPassword, Secret};
use evident_core::access::{Grant, Role};
use evident_core::text::Email;
use evident_store::{DatabaseUrl, StorageError, Store};
use std::io::{BufRead, IsTerminal};

/// Options of `evident users`.
#[derive(Debug, Args)]
pub struct UsersArgs {
    /// What to do with users.
    #[command(subcommand)]
    pub command: UsersCommand,
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url, global = true)]
    pub database_url: DatabaseUrl,
}

/// The `users` subcommands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user with a first role. The password is read from stdin when it is piped in;
    /// otherwise one is generated and printed once.
    Add {
        /// E-mail address (the sign-in name).
        #[arg(long)]
        email: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Role: practitioner, unit_manager, municipality_analyst, regional_leader,
        /// national_analyst, grant_admin, auditor or admin.
        #[arg(long)]
        role: String,
        /// The organisation code the role is granted on (SE, 03, 0380, 0380-0001).
        #[arg(long)]
        org: String,
    },
    /// Grant a role on an organisation node to a user.
    Grant {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// The role.
        #[arg(long)]
        role: String,
        /// The organisation code.
        #[arg(long)]
        org: String,
    },
    /// Revoke a role on an organisation node from a user.
    Revoke {
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// The role.
        #[arg(long)]
        role: String,
        /// The organisation code.
        #[arg(long)]
        org: String,
    },
    /// List users and their roles (disabled users are marked).
    List,
    /// Disable a user: they can no longer sign in, and their sessions end and tokens are
    /// revoked at once. The account and its history stay.
    Disable {
        /// The user's e-mail address.
        email: String,
    },
    /// Enable a disabled user again (their old tokens stay revoked).
    Enable {
        /// The user's e-mail address.
        email: String,
    },
}

fn grant(role: &str, org: &str) -> Result<Grant, Failure> {
    let role = Role::parse(role).map_err(|e| Failure::User(e.to_string()))?;
    let org = OrgCode::parse(org).map_err(|e| Failure::User(format!("org: {}", e.problem)))?;
    Grant::try_new(role, org).map_err(|e| Failure::User(e.to_string()))
}

/// The user with this address.
///
/// # Errors
/// [`Failure::User`] when there is none.
pub async fn user_by_email(
    store: &dyn Store,
    email: &str,
) -> Result<evident_core::access::account::User, Failure> {
    let parsed = Email::parse("email", email).map_err(|e| Failure::User(e.to_string()))?;
    let found = store.find_user_by_email(&parsed).await?;
    found
        .map(|(user, _)| user)
        .ok_or_else(|| Failure::User(format!("no user has the e-mail address {parsed}")))
}

fn storage_to_user(err: StorageError) -> Failure {
    match err {
        StorageError::NotFound(what) => Failure::User(format!("{what} not found")),
        StorageError::Conflict { field } => Failure::User(format!("that {field} already exists")),
        other => other.into(),
    }
}

/// Reads a password from piped stdin, or generates one (returned so it can be printed once).
fn password_from_stdin_or_generated() -> Result<(NewPassword, Option<String>), Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let generated = Secret::generate("").expose()[..20].to_owned();
        let password = NewPassword::parse(&generated).map_err(|e| Failure::User(e.to_string()))?;
        return Ok((password, Some(generated)));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::User(format!("reading the password from stdin: {e}")))?;
    let line = line.trim_end_matches(['\n', '\r']);
    if line.is_empty() {
        let generated = Secret::generate("").expose()[..20].to_owned();
        let password = NewPassword::parse(&generated).map_err(|e| Failure::User(e.to_string()))?;
        return Ok((password, Some(generated)));
    }
    Ok((
        NewPassword::parse(line).map_err(|e| Failure::User(e.to_string()))?,
        None,
    ))
}

impl UsersArgs {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// [`Failure::User`] for bad input, unknown users or nodes, or a taken address.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let store = ctx.open_store(&self.database_url).await?;
        let result = self.command.run(&*store).await;
        store.close().await;
        result
    }
}

impl UsersCommand {
    async fn run(self, store: &dyn Store) -> Result<(), Failure> {
        let actor = cli_actor();
        match self {
            Self::Add {
                email,
                name,
                role,
                org,
            } => {
                let grant = grant(&role, &org)?;
                let (password, generated) = password_from_stdin_or_generated()?;
                let hash = password.hash();
                let new = NewUser::parse(&email, &name, Some(hash))
                    .map_err(|e| Failure::User(e.to_string()))?;
                let user = store
                    .create_user(&new, std::slice::from_ref(&grant), &actor)
                    .await
                    .map_err(storage_to_user)?;
                println!(
                    "Created user {} ({}) with {} on {}.",
                    user.email, user.id, grant.role, grant.org
                );
                if let Some(generated) = generated {
                    println!("Password (shown once, hand it over securely): {generated}");
                }
            }
            Self::Grant { email, role, org } => {
                let user = user_by_email(store, &email).await?;
                let grant = grant(&role, &org)?;
                store
                    .add_grant(user.id, &grant, &actor)
                    .await
                    .map_err(storage_to_user)?;
                println!("Granted {} on {} to {}.", grant.role, grant.org, user.email);
            }
            Self::Revoke { email, role, org } => {
                let user = user_by_email(store, &email).await?;
                let grant = grant(&role, &org)?;
                store
                    .remove_grant(user.id, &grant, &actor)
                    .await
                    .map_err(storage_to_user)?;
                println!(
                    "Revoked {} on {} from {}.",
                    grant.role, grant.org, user.email
                );
            }
            Self::List => {
                for user in store.list_users().await? {
                    let grants: Vec<_> = user
                        .grants
                        .iter()
                        .map(|g| format!("{}@{}", g.role, g.org))
                        .collect();
                    let disabled = if user.disabled { "\t(disabled)" } else { "" };
                    println!(
                        "{}\t{}\t{}\t{}{disabled}",
                        user.id,
                        user.email,
                        user.name,
                        grants.join(" ")
                    );
                }
            }
            Self::Disable { email } => {
                let user = user_by_email(store, &email).await?;
                store
                    .set_user_disabled(user.id, true, &actor)
                    .await
                    .map_err(storage_to_user)?;
                println!(
                    "Disabled {}; their sessions and tokens no longer work.",
                    user.email
                );
            }
            Self::Enable { email } => {
                let user = user_by_email(store, &email).await?;
                store
                    .set_user_disabled(user.id, false, &actor)
                    .await
                    .map_err(storage_to_user)?;
                println!("Enabled {}.", user.email);
            }
        }
        Ok(())
    }
}
