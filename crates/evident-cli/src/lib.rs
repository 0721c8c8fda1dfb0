//! The `evident` command line: one module per subcommand, each with an args struct and a
//! `run`. Data goes to stdout, logs to stderr; the exit code is 0 on success, 1 when the user
//! can fix the problem (a database that cannot be opened, an address in use), 2 otherwise.
//!
//! # Layout
//! - [`serve`]: `evident serve` — run the web application.
//! - [`demo`]: `evident demo` — create a demo database from a seed, and optionally serve it;
//!   [`demo_grants`] adds the 2011 agreement and its money.
//! - [`key`]: where the pseudonym and audit keys come from (variable, flag or key file).
//! - [`users`]: `evident users add|grant|revoke|list` — staff accounts and roles.
//! - [`tokens`]: `evident tokens create` — personal access tokens for API clients.
//! - [`audit`]: `evident audit verify|checkpoint` — check the audit trail's keyed chain, and
//!   anchor its head outside the database.
//! - [`migrate`]: `evident migrate` — apply pending migrations as the schema's owner.
//! - [`import`]: `evident import cases|measurements|instrument|agreement|disbursement FILE` —
//!   all-or-nothing imports.
//! - [`agreements`]: `evident agreements check FILE` — an agreement document's internal disagreements.
//! - [`indicators`]: `evident indicators compute|check` — recompute indicators, check definitions.
//! - [`disclosure`]: `evident disclosure audit` — check that no hidden cell can be worked out.
//! - [`export`]: `evident export measurements|interventions` — the records indicators count, as CSV.
//! - [`mod@bench`]: `evident bench import` — import rate; [`bench_indicators`]: `evident bench
//!   indicators` — indicator recompute and update times.
#![forbid(unsafe_code)]

pub mod agreements;
pub mod audit;
pub mod bench;
pub mod bench_indicators;
pub mod demo;
pub mod demo_grants;
pub mod disclosure;
pub mod export;
pub mod import;
pub mod indicators;
pub mod key;
pub mod migrate;
pub mod serve;
pub mod tokens;
pub mod users;

use clap::{Parser, Subcommand, ValueEnum};
use evident_core::access::audit::AuditKey;
use evident_store::{DatabaseUrl, StorageError};

/// Evident: an open platform for evidence-based practice in social services.
#[derive(Debug, Parser)]
#[command(
    name = "evident",
    version,
    about = "Evident: an open platform for evidence-based practice in social services",
    long_about = "Evident: an open platform for evidence-based practice in social services.\n\n\
                  Evident helps social services document needs, interventions and results, measure \
                  clients before and after, and compare results from unit to municipality, county \
                  and nation.\n\n\
                  Try it:   evident demo --serve      (demo data in evident-demo.db, then open http://127.0.0.1:8080)\n\
                  Run it:   evident serve             (your data in evident.db, or --database-url postgres://…)\n\n\
                  Every flag can also be set with an environment variable, shown in each command's --help.",
    after_help = "Run `evident <COMMAND> --help` for the options of one command."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// How to write log lines on stderr (filter them with RUST_LOG, e.g. RUST_LOG=debug).
    #[arg(long, env = "EVIDENT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// The file holding the audit key, which seals every audit entry (created with a fresh
    /// random key, readable by its owner only, when it does not exist). Keep it apart from
    /// the database and back it up: without it the trail cannot be verified.
    #[arg(
        long,
        env = "EVIDENT_AUDIT_KEY_FILE",
        default_value = "evident-audit.key",
        global = true
    )]
    pub audit_key_file: std::path::PathBuf,
}

/// What every command shares: where the audit key is.
#[derive(Debug, Clone)]
pub struct Context {
    /// The audit key's file.
    pub audit_key_file: std::path::PathBuf,
}

impl Context {
    /// The audit key, and whether its file was created just now.
    ///
    /// # Errors
    /// [`Failure::User`] when the file cannot be read or written, is readable by others, or
    /// holds no usable key.
    pub fn audit_key(&self) -> Result<(AuditKey, bool), Failure> {
        let (raw, created) = key::read_or_create_key_file(&self.audit_key_file)?;
        let key = AuditKey::parse(&raw)
            .map_err(|e| Failure::User(format!("{}: {e}", self.audit_key_file.display())))?;
        Ok((key, created))
    }

    /// Opens the database for a command, with the audit key, logging where.
    ///
    /// # Errors
    /// [`Failure::User`] when it cannot be opened, or the key is not the trail's.
    pub async fn open_store(
        &self,
        url: &DatabaseUrl,
    ) -> Result<std::sync::Arc<dyn evident_store::Store>, Failure> {
        let (key, created) = self.audit_key()?;
        tracing::info!(database = %url, audit_key = %key.id(), "opening database");
        match evident_store::open(url, &key).await {
            Ok(store) => {
                if created {
                    tracing::warn!(
                        file = %self.audit_key_file.display(),
                        "created a new audit key: back it up and keep it apart from the database"
                    );
                }
                Ok(store)
            }
            Err(err) => {
                if created {
                    // A key nothing was sealed with is not worth keeping.
                    let _ = std::fs::remove_file(&self.audit_key_file);
                }
                Err(err.into())
            }
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application and its API.
    Serve(serve::ServeArgs),
    /// Create a demo database with synthetic data (and, with --serve, run Evident on it).
    Demo(demo::DemoArgs),
    /// Create users, grant and revoke their roles, list them.
    Users(users::UsersArgs),
    /// Create personal access tokens for the API.
    Tokens(tokens::TokensArgs),
    /// Verify the audit trail.
    Audit(audit::AuditArgs),
    /// Import cases or measurements from CSV files, all or nothing.
    Import(import::ImportArgs),
    /// Check agreements and disbursement decisions (interchange JSON) without writing.
    Agreements(agreements::AgreementsArgs),
    /// Recompute indicators, or check indicator definitions.
    Indicators(indicators::IndicatorsArgs),
    /// Audit disclosure control: can any hidden cell be worked out from what is published?
    Disclosure(disclosure::DisclosureArgs),
    /// Export the records indicators are computed from, as CSV.
    Export(export::ExportArgs),
    /// Measure how fast Evident imports and computes indicators.
    Bench(bench::BenchArgs),
    /// Apply pending database migrations (as the schema's owner, where the server runs as an
    /// application role without DDL rights).
    Migrate(migrate::MigrateArgs),
}

/// Log line formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Installs the log subscriber: stderr, `info` unless `RUST_LOG` says otherwise.
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Runs the command the user asked for.
///
/// # Errors
/// A [`Failure`] saying what went wrong in one sentence.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let ctx = Context {
        audit_key_file: cli.audit_key_file,
    };
    let ctx = &ctx;
    match cli.command {
        Command::Serve(args) => args.run(ctx).await,
        Command::Demo(args) => args.run(ctx).await,
        Command::Users(args) => args.run(ctx).await,
        Command::Tokens(args) => args.run(ctx).await,
        Command::Audit(args) => args.run(ctx).await,
        Command::Import(args) => args.run(ctx).await,
        Command::Agreements(args) => args.run(ctx).await,
        Command::Indicators(args) => args.run(ctx).await,
        Command::Disclosure(args) => args.run(ctx).await,
        Command::Export(args) => args.run(ctx).await,
        Command::Bench(args) => args.run(ctx).await,
        Command::Migrate(args) => args.run(ctx).await,
    }
}

/// Why a command failed, and whose problem it is.
#[derive(Debug)]
pub enum Failure {
    /// Something the user can fix: the message says what.
    User(String),
    /// Something unexpected.
    Unexpected(anyhow::Error),
}

impl Failure {
    /// The process exit code: 1 for the user's problems, 2 for ours.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::User(_) => 1,
            Self::Unexpected(_) => 2,
        }
    }
}

/// The longest line of a failure message, in characters; longer ones are cut with `…`.
const MAX_FAILURE_LINE_CHARS: usize = 2000;

impl std::fmt::Display for Failure {
    /// The message, with the control characters any echoed input holds escaped (an ANSI
    /// escape in a file name or a field shows as `\x1b`, see [`evident_core::text::shown`]);
    /// the message's own line breaks are kept.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = match self {
            Self::User(message) => message.clone(),
            // `{:#}` prints the context chain on one line: "opening …: cause".
            Self::Unexpected(err) => format!("{err:#}"),
        };
        for (i, line) in message.split('\n').enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&evident_core::text::shown(line, MAX_FAILURE_LINE_CHARS))?;
        }
        Ok(())
    }
}

impl From<StorageError> for Failure {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::Unavailable(message) => Self::User(message),
            StorageError::Rejected(problem) => Self::User(problem.to_string()),
            other => Self::Unexpected(anyhow::Error::new(other)),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        Self::Unexpected(err)
    }
}

/// The operator of the command line, as the actor of audited changes.
pub fn cli_actor() -> evident_core::access::audit::Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    evident_core::access::audit::Actor {
        user_id: None,
        label: format!("cli:{who}"),
        address: None,
    }
}

/// Parses a `--database-url` value for clap, so that an unsupported URL is refused with the
/// usage message before anything runs.
pub fn parse_database_url(raw: &str) -> Result<DatabaseUrl, String> {
    DatabaseUrl::parse(raw).map_err(|e| e.to_string())
}

/// Starts the web application on `addr`, keeping its indicators as of today, and serves until
/// Ctrl-C or SIGTERM.
///
/// # Errors
/// [`Failure::User`] when the address cannot be bound.
pub async fn serve_until_signal(
    addr: std::net::SocketAddr,
    state: evident_web::AppState,
) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::User(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(anyhow::Error::from)?;
    println!("Evident is running at http://{local}/ (stop it with Ctrl-C)");
    // Indicators are as of today: recomputed now if the stored ones are of another day, and
    // again whenever the date rolls over while serving.
    let refresh = evident_web::server::spawn_indicator_refresh(state.clone());
    let pruning = evident_web::server::spawn_pruning(state.clone());
    let served =
        evident_web::server::serve(listener, state, evident_web::server::shutdown_signal()).await;
    refresh.abort();
    pruning.abort();
    served.map_err(|e| Failure::Unexpected(anyhow::Error::new(e).context("serving HTTP")))?;
    Ok(())
}
