//! `evident import cases|measurements FILE`: all-or-nothing CSV import in the format of
//! `docs/IMPORT.md`. Every bad row is listed on stderr as `file:line: field: problem` and
//! nothing is written; a good file is written in one transaction and the counts go to stdout.
//! Large files get progress bars on stderr when it is a terminal.

use crate::key::KeyArgs;
use crate::{Failure, cli_actor, parse_database_url};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use evident_core::followup::InterventionCatalogue;
use evident_core::followup::import::{
    CaseFile, ImportContext, InstrumentLibrary, LineMeter, MeasurementFile, RowErrors,
    TextEncoding, decode, line_too_long, parse_cases, parse_measurements, sniff_separator,
};
use evident_core::person::PseudonymKey;
use evident_store::import::{ImportBatch, ImportSummary};
use evident_store::{DatabaseUrl, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Files at least this large get progress bars.
const LARGE_FILE_BYTES: usize = 1 << 20;

/// Options of `evident import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What to import.
    #[command(subcommand)]
    pub command: ImportCommand,
}

/// The `import` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import cases and their interventions: one row per intervention (see docs/IMPORT.md).
    Cases(CasesArgs),
    /// Import measurements: one row per measurement, answers per item or a total score.
    Measurements(MeasurementsArgs),
    /// Add an instrument (or a new version of one) from a FHIR R4 Questionnaire JSON file.
    Instrument(InstrumentArgs),
    /// Import an agreement (JSON, see data/agreements/README.md) and print its findings.
    Agreement(crate::agreements::DocumentImportArgs),
    /// Import a disbursement decision after its agreement, and print its findings.
    Disbursement(crate::agreements::DocumentImportArgs),
}

/// Options of `evident import instrument`.
#[derive(Debug, Args)]
pub struct InstrumentArgs {
    /// The Questionnaire (JSON) with Evident's scoring extensions (see data/instruments/).
    pub file: PathBuf,
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
}

impl InstrumentArgs {
    /// Reads, checks and stores the instrument; an existing version is never overwritten.
    ///
    /// # Errors
    /// [`Failure::User`] for an unreadable or unusable file, or a version that exists.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let shown = self.file.display().to_string();
        let text = read_document(&self.file)?;
        let resource: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Failure::User(format!("{shown}: not JSON: {e}")))?;
        let instrument = evident_core::followup::fhir::instrument_from_questionnaire(&resource)
            .map_err(|e| Failure::User(format!("{shown}: {e}")))?;
        let store = ctx.open_store(&self.database_url).await?;
        let result = async {
            if store.get_instrument(&instrument.id, &instrument.version).await.is_ok() {
                return Err(Failure::User(format!(
                    "{} version {} exists already; instruments are versioned, so give the changed one a new version",
                    instrument.id, instrument.version
                )));
            }
            store.save_instrument(&instrument).await?;
            let event = evident_core::access::audit::AuditEvent::new(
                &crate::cli_actor(),
                "instrument.import",
                format!("instrument:{}", instrument.id),
                evident_core::access::audit::Outcome::Allowed,
            )
            .with_detail(format!("version {} from {shown}", instrument.version));
            store.append_audit(&event).await?;
            println!("Added {} version {} ({} items).", instrument.id, instrument.version, instrument.items.len());
            Ok(())
        }
        .await;
        store.close().await;
        result
    }
}

/// Options of `evident import cases`.
#[derive(Debug, Args)]
pub struct CasesArgs {
    /// The cases file: CSV separated by `;`, `,` or tabs, in UTF-8 or Windows-1252.
    pub file: PathBuf,
    /// A measurements file to import in the same transaction; its measurements may belong to
    /// cases of the cases file.
    #[arg(long, value_name = "FILE")]
    pub measurements: Option<PathBuf>,
    /// Where and how to import.
    #[command(flatten)]
    pub options: ImportOptions,
}

/// Options of `evident import measurements`.
#[derive(Debug, Args)]
pub struct MeasurementsArgs {
    /// The measurements file: CSV separated by `;`, `,` or tabs, in UTF-8 or Windows-1252.
    pub file: PathBuf,
    /// Where and how to import.
    #[command(flatten)]
    pub options: ImportOptions,
}

/// What every import needs.
#[derive(Debug, Args)]
pub struct ImportOptions {
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
    /// The pseudonym key (required: personal numbers are turned into pseudonyms with it).
    #[command(flatten)]
    pub key: KeyArgs,
}

impl ImportArgs {
    /// Imports the files.
    ///
    /// # Errors
    /// [`Failure::User`] for a missing key or file, or a file with bad rows (which are listed
    /// on stderr first); nothing is written then.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let (cases, measurements, options) = match self.command {
            ImportCommand::Cases(args) => (Some(args.file), args.measurements, args.options),
            ImportCommand::Measurements(args) => (None, Some(args.file), args.options),
            ImportCommand::Instrument(args) => return args.run(ctx).await,
            ImportCommand::Agreement(args) => return args.run_agreement(ctx).await,
            ImportCommand::Disbursement(args) => return args.run_disbursement(ctx).await,
        };
        let key = options.key.load()?.ok_or_else(|| {
            Failure::User(
                "importing needs the pseudonym key: pass --pseudonym-key-file FILE (or set \
                 EVIDENT_PSEUDONYM_KEY_FILE), or set EVIDENT_PSEUDONYM_KEY"
                    .to_owned(),
            )
        })?;
        let cases = cases.as_deref().map(Source::read).transpose()?;
        let measurements = measurements.as_deref().map(Source::read).transpose()?;
        let store = ctx.open_store(&options.database_url).await?;
        let show_progress = std::io::stderr().is_terminal();
        let result = import_sources(
            &*store,
            &key,
            evident_core::clock::Clock::system().today(),
            cases.as_ref(),
            measurements.as_ref(),
            show_progress,
        )
        .await;
        store.close().await;
        let report = result?;
        for (source, file) in [
            (&cases, &report.cases),
            (&measurements, &report.measurements),
        ] {
            if let (Some(source), Some(file)) = (source, file) {
                println!(
                    "{}: {} ({}, separated by {})",
                    source.name,
                    count(file.rows as u64, "row"),
                    file.encoding.as_str(),
                    separator_name(file.separator)
                );
            }
        }
        let s = report.summary;
        let clients = format!(
            "{} ({} new)",
            count(s.clients_created + s.clients_found, "client"),
            s.clients_created
        );
        if report.cases.is_some() {
            println!(
                "Imported {} in {} ({} new) for {clients}.",
                count(s.interventions, "intervention"),
                count(s.cases_created + s.cases_found, "case"),
                s.cases_created
            );
        }
        if report.measurements.is_some() {
            let of = if report.cases.is_some() {
                String::new()
            } else {
                format!(" of {}", count(s.clients_found, "client"))
            };
            println!("Imported {}{of}.", count(s.measurements, "measurement"));
        }
        Ok(())
    }
}

/// `1 row`, `2 rows`.
fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn separator_name(separator: u8) -> &'static str {
    match separator {
        b';' => "';'",
        b'\t' => "tabs",
        _ => "','",
    }
}

/// A file to import: its name as given and its bytes.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name errors are reported under.
    pub name: String,
    /// The content, in whatever encoding.
    pub bytes: Vec<u8>,
}

/// The largest file an import reads, in bytes. Files are checked whole before anything is
/// written, so they are held in memory (about three times their size while they are checked);
/// a larger export is split into several files.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

impl Source {
    /// Reads `path`, refusing a file larger than [`MAX_FILE_BYTES`] before reading it and one
    /// with a line longer than
    /// [`evident_core::followup::import::MAX_LINE_BYTES`] as soon as that line is read.
    ///
    /// # Errors
    /// [`Failure::User`] naming the file (and the line) when it cannot be read or is too large.
    pub fn read(path: &Path) -> Result<Self, Failure> {
        use std::io::Read as _;
        let name = path.display().to_string();
        let cannot_read = |e: std::io::Error| Failure::User(format!("cannot read {name}: {e}"));
        let too_large = || {
            Failure::User(format!(
                "{name}: the file is larger than {} MiB, the most one import reads: split it \
                 into smaller files",
                MAX_FILE_BYTES >> 20
            ))
        };
        let mut file = std::fs::File::open(path).map_err(cannot_read)?;
        let size = file.metadata().map_err(cannot_read)?.len();
        if size > MAX_FILE_BYTES {
            return Err(too_large());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let mut meter = LineMeter::default();
        let mut chunk = vec![0; 64 * 1024];
        loop {
            let n = file.read(&mut chunk).map_err(cannot_read)?;
            if n == 0 {
                break;
            }
            meter
                .feed(&chunk[..n])
                .map_err(|line| Failure::User(line_too_long(&name, line).to_string()))?;
            bytes.extend_from_slice(&chunk[..n]);
            // The file may have grown since its size was read.
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(too_large());
            }
        }
        Ok(Self { name, bytes })
    }
}

/// The largest JSON document (instrument, agreement, disbursement decision) an import reads,
/// in bytes. The real ones are a few kilobytes; the document is parsed whole in memory.
pub const MAX_DOCUMENT_BYTES: u64 = 16 << 20;

/// Reads the JSON document at `path` as text, refusing one larger than
/// [`MAX_DOCUMENT_BYTES`] before reading it, and never reading more than that (the file may
/// grow, or be a pipe without a length).
///
/// # Errors
/// [`Failure::User`] naming the file when it cannot be read, is not UTF-8 or is too large.
pub fn read_document(path: &Path) -> Result<String, Failure> {
    use std::io::Read as _;
    let name = path.display().to_string();
    let cannot_read = |e: std::io::Error| Failure::User(format!("cannot read {name}: {e}"));
    let too_large = || {
        Failure::User(format!(
            "{name}: the file is larger than {} MiB, the most a JSON document import reads",
            MAX_DOCUMENT_BYTES >> 20
        ))
    };
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if size > MAX_DOCUMENT_BYTES {
        return Err(too_large());
    }
    let mut text = String::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_DOCUMENT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(cannot_read)?;
    if text.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(too_large());
    }
    Ok(text)
}

/// What was read from one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileReport {
    /// Data rows.
    pub rows: usize,
    /// The encoding it was in.
    pub encoding: TextEncoding,
    /// Its separator.
    pub separator: u8,
}

/// What an import did, and how long each part took.
#[derive(Debug, Clone, Copy)]
pub struct ImportReport {
    /// What was written.
    pub summary: ImportSummary,
    /// The cases file, if one was given.
    pub cases: Option<FileReport>,
    /// The measurements file, if one was given.
    pub measurements: Option<FileReport>,
    /// Decoding, parsing and checking every row (and pseudonymising).
    pub parse: Duration,
    /// The database transaction that writes the rows.
    pub write: Duration,
    /// Recomputing the indicators from the new rows, after the write is committed.
    pub recompute: Duration,
}

/// Checks and imports the files; the bad rows of either go to stderr.
///
/// # Errors
/// [`Failure::User`] when any row is bad (in the files or against the database); nothing is
/// written then.
pub async fn import_sources(
    store: &dyn Store,
    key: &PseudonymKey,
    today: NaiveDate,
    cases: Option<&Source>,
    measurements: Option<&Source>,
    show_progress: bool,
) -> Result<ImportReport, Failure> {
    let started = Instant::now();
    let catalogue = InterventionCatalogue::embedded();
    let library = InstrumentLibrary::new(store.instrument_versions().await?);
    let ctx = ImportContext {
        today,
        key,
        catalogue: &catalogue,
        instruments: &library,
    };
    let mut errors = RowErrors::default();
    let mut case_file: Option<(CaseFile, FileReport)> = None;
    let mut measurement_file: Option<(MeasurementFile, FileReport)> = None;
    if let Some(source) = cases {
        match parse_source(source, &ctx, show_progress, parse_cases) {
            Ok((file, report)) => {
                let report = FileReport {
                    rows: file.rows(),
                    ..report
                };
                case_file = Some((file, report));
            }
            Err(e) => errors.extend(e),
        }
    }
    if let Some(source) = measurements {
        match parse_source(source, &ctx, show_progress, parse_measurements) {
            Ok((file, report)) => {
                let report = FileReport {
                    rows: file.measurements.len(),
                    ..report
                };
                measurement_file = Some((file, report));
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(refused(&errors));
    }
    let parse = started.elapsed();

    let started = Instant::now();
    let batch = ImportBatch {
        cases: case_file.as_ref().map(|(f, _)| f),
        measurements: measurement_file.as_ref().map(|(f, _)| f),
    };
    let large = cases
        .iter()
        .chain(measurements.iter())
        .map(|s| s.bytes.len())
        .sum::<usize>()
        >= LARGE_FILE_BYTES;
    let bar = progress_bar(batch.rows(), "writing", show_progress && large, "rows");
    let written = store
        .import_deferred(batch, &cli_actor(), &|n| bar.set_position(n))
        .await;
    bar.finish_and_clear();
    let summary = written?.map_err(|errors| refused(&errors))?;
    let write = started.elapsed();

    // The rows are committed; the indicators follow them (an import does not change what day
    // it is, so they stay as of their date). Should this fail, they stay marked stale and the
    // next recompute catches up.
    let started = Instant::now();
    let as_of = store.indicator_state().await?.as_of;
    store
        .recompute_indicators(as_of, None, &cli_actor())
        .await?;
    Ok(ImportReport {
        summary,
        cases: case_file.map(|(_, r)| r),
        measurements: measurement_file.map(|(_, r)| r),
        parse,
        write,
        recompute: started.elapsed(),
    })
}

/// Lists the bad rows on stderr and says that nothing was imported.
fn refused(errors: &RowErrors) -> Failure {
    eprintln!("{errors}");
    let rows = if errors.total() == 1 {
        "problem"
    } else {
        "problems"
    };
    Failure::User(format!(
        "{} {rows} found; nothing was imported",
        errors.total()
    ))
}

/// `parse_cases` or `parse_measurements`.
type ParseFn<T> = fn(&str, &str, &ImportContext<'_>, &mut dyn FnMut(u64)) -> Result<T, RowErrors>;

/// Decodes and parses one file, with a progress bar for a large one.
fn parse_source<T>(
    source: &Source,
    ctx: &ImportContext<'_>,
    show_progress: bool,
    parse: ParseFn<T>,
) -> Result<(T, FileReport), RowErrors> {
    let (text, encoding) = decode(&source.bytes);
    let separator = sniff_separator(&text);
    let bar = progress_bar(
        text.len() as u64,
        "checking",
        show_progress && source.bytes.len() >= LARGE_FILE_BYTES,
        "bytes",
    );
    let parsed = parse(&source.name, &text, ctx, &mut |done| bar.set_position(done));
    bar.finish_and_clear();
    parsed.map(|file| {
        (
            file,
            FileReport {
                rows: 0,
                encoding,
                separator,
            },
        )
    })
}

/// A progress bar on stderr counting `unit` (`bytes`, `rows`, `clients`), or a hidden one.
pub(crate) fn progress_bar(len: u64, message: &'static str, show: bool, unit: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let template = if unit == "bytes" {
        "{msg:9} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)".to_owned()
    } else {
        format!(
            "{{msg:9}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{per_sec}}, {{eta}} left)"
        )
    };
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&template)
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}
