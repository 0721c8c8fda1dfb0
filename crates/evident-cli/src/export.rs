//! `evident export measurements|interventions --format csv`: the records indicators are
//! computed from, one row per measurement or intervention, for analysis elsewhere (and for
//! the DuckDB comparison in `bench/`). Rows carry the case number, unit, sex and birth year —
//! never a pseudonym or personal number. The file comes out of the same CSV writer as every
//! download ([`evident_web::render::csv`]); numbers keep a decimal point, since the readers are
//! programs rather than a Swedish Excel. Rows are written as they are read, a page of cases at
//! a time, so memory stays bounded whatever the size of the database.

use crate::{Failure, parse_database_url};
use clap::{Args, ValueEnum};
use evident_core::indicator::CaseFacts;
use evident_store::DatabaseUrl;
use evident_web::render::csv::CsvWriter;
use std::io::Write;

/// Options of `evident export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export.
    pub what: ExportWhat,
    /// The file format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
}

/// The exportable tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    /// One row per measurement.
    Measurements,
    /// One row per intervention.
    Interventions,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// `;`-separated, UTF-8 with a byte-order mark, CRLF, header row, ISO dates, decimal
    /// points, empty for missing.
    Csv,
}

/// `value` written into `buffer`, which is cleared first: a field's text without an
/// allocation per row.
fn text(buffer: &mut String, value: impl std::fmt::Display) -> &str {
    use std::fmt::Write as _;
    buffer.clear();
    let _ = write!(buffer, "{value}");
    buffer
}

/// `d` written into `buffer`, or empty when there is no date.
fn date(buffer: &mut String, d: Option<chrono::NaiveDate>) -> &str {
    match d {
        Some(d) => text(buffer, d),
        None => "",
    }
}

/// The text of one row's fields that change from row to row, reused for every row.
#[derive(Default)]
struct RowText {
    measured_on: String,
    score: String,
    applied_on: String,
    decided_on: String,
    started_on: String,
}

fn write_case(
    out: &mut CsvWriter<impl Write>,
    what: ExportWhat,
    id: i64,
    case: &CaseFacts,
    row: &mut RowText,
) -> std::io::Result<()> {
    let id = id.to_string();
    let unit = case.unit.as_str();
    let female = if case.client.female { "1" } else { "0" };
    let birth_year = case.client.birth_year.to_string();
    match what {
        ExportWhat::Measurements => {
            let opened_on = case.opened_on.to_string();
            let month = case
                .first_follow_up_month
                .map(|m| m.to_string())
                .unwrap_or_default();
            let case_type = case
                .interventions
                .first()
                .map_or("", |i| i.type_code.as_str());
            for m in &case.measurements {
                let score = match m.score {
                    Some(score) => text(&mut row.score, score),
                    None => "",
                };
                out.row([
                    id.as_str(),
                    unit,
                    female,
                    &birth_year,
                    &opened_on,
                    &month,
                    case_type,
                    &m.instrument,
                    if m.baseline { "baseline" } else { "follow_up" },
                    text(&mut row.measured_on, m.measured_on),
                    score,
                ])?;
            }
        }
        ExportWhat::Interventions => {
            for i in &case.interventions {
                out.row([
                    id.as_str(),
                    unit,
                    female,
                    &birth_year,
                    &i.type_code,
                    date(&mut row.applied_on, i.applied_on),
                    date(&mut row.decided_on, i.decided_on),
                    date(&mut row.started_on, i.started_on),
                    if i.private_provider { "1" } else { "0" },
                ])?;
            }
        }
    }
    Ok(())
}

impl ExportArgs {
    /// Writes the export to stdout.
    ///
    /// # Errors
    /// When the database cannot be read or stdout cannot be written.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let store = ctx.open_store(&self.database_url).await?;
        let stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
        let mut out = CsvWriter::new(stdout).map_err(anyhow::Error::from)?;
        let header: &[&str] = match self.what {
            ExportWhat::Measurements => &[
                "case_id",
                "unit_code",
                "female",
                "birth_year",
                "opened_on",
                "first_follow_up_month",
                "case_type",
                "instrument_id",
                "time_point",
                "measured_on",
                "score",
            ],
            ExportWhat::Interventions => &[
                "case_id",
                "unit_code",
                "female",
                "birth_year",
                "type_code",
                "applied_on",
                "decided_on",
                "started_on",
                "private_provider",
            ],
        };
        out.row(header).map_err(anyhow::Error::from)?;
        let mut failed: Option<std::io::Error> = None;
        let what = self.what;
        let mut row = RowText::default();
        let result = store
            .for_each_case_facts(&mut |id, case| {
                if failed.is_none()
                    && let Err(e) = write_case(&mut out, what, id, case, &mut row)
                {
                    failed = Some(e);
                }
            })
            .await;
        store.close().await;
        result?;
        if let Some(e) = failed {
            return Err(Failure::User(format!("cannot write the export: {e}")));
        }
        out.finish()
            .and_then(|mut stdout| stdout.flush())
            .map_err(anyhow::Error::from)?;
        Ok(())
    }
}
