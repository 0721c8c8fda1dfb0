//! Bulk import of checked CSV files (see `evident_core::followup::import`): all or nothing, in one
//! transaction. What only the database can tell — does the unit exist, is the instrument
//! version stored, does the client have a case for a measurement — is checked inside the same
//! transaction before anything is written; any failure is reported as row errors and nothing
//! is written, not even an audit entry. A successful import writes clients (found or created
//! by pseudonym), cases, interventions and measurements in bulk (`crate::bulk`: COPY on
//! PostgreSQL, multi-row bound inserts on SQLite, keys looked up a few thousand per statement),
//! and one audit entry per file.

use crate::batch::{POSTGRES_PARAMETERS, SQLITE_PARAMETERS, batch_rows, in_list_sql};
use crate::bulk::{Cell, JSON_ROWS, Target, json_rows, json_texts};
use crate::{PgStore, Result, SqliteStore};
use chrono::NaiveDate;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::followup::import::{CaseFile, ImportClient, MeasurementFile, RowErrors};
use evident_core::followup::instrument::Instrument;
use std::collections::{HashMap, HashSet};

/// The files of one import; either or both. When both are given, the measurements' cases may
/// be cases of the cases file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportBatch<'a> {
    /// A checked cases file.
    pub cases: Option<&'a CaseFile>,
    /// A checked measurements file.
    pub measurements: Option<&'a MeasurementFile>,
}

impl ImportBatch<'_> {
    /// How many data rows the files hold (interventions and measurements): the unit of the
    /// write's progress.
    pub fn rows(&self) -> u64 {
        let cases = self.cases.map_or(0, CaseFile::rows);
        let measurements = self.measurements.map_or(0, |m| m.measurements.len());
        (cases + measurements) as u64
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Clients registered by this import.
    pub clients_created: u64,
    /// Clients named in the files who were already registered.
    pub clients_found: u64,
    /// Cases opened by this import.
    pub cases_created: u64,
    /// Cases of the cases file that already existed (same client, unit and opening date);
    /// their interventions were added to them.
    pub cases_found: u64,
    /// Interventions added.
    pub interventions: u64,
    /// Measurements recorded.
    pub measurements: u64,
}

/// Importing checked files.
#[async_trait::async_trait]
pub trait ImportStore {
    /// Every stored instrument version, oldest first within each instrument: what an import
    /// checks measurements against (`evident_core::followup::import::InstrumentLibrary::new`).
    async fn instrument_versions(&self) -> Result<Vec<Instrument>>;

    /// Imports `batch` in one transaction: either everything is written, with one audit entry
    /// per file (`import.cases` / `import.measurements`, the file name as the record, the
    /// counts as the detail), or nothing is. `progress` is called after each written batch
    /// with how many of [`ImportBatch::rows`] are written.
    ///
    /// # Errors
    /// The inner error lists the rows the database refuses — a unit that does not exist, an
    /// instrument version that is not stored, a measurement whose client has no case at the
    /// unit opened on or before its date — and nothing is written. The outer error is a
    /// failure of the database itself, after which nothing is written either.
    async fn import(
        &self,
        batch: ImportBatch<'_>,
        actor: &Actor,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<std::result::Result<ImportSummary, RowErrors>>;

    /// [`ImportStore::import`] without the recompute of the indicators that follows it: they
    /// are left marked stale, for a caller that imports many batches in a row (a national demo)
    /// and recomputes once at the end.
    ///
    /// # Errors
    /// As [`ImportStore::import`].
    async fn import_deferred(
        &self,
        batch: ImportBatch<'_>,
        actor: &Actor,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<std::result::Result<ImportSummary, RowErrors>>;
}

/// The clients and units of both files, each once, with each file's indices mapped to them.
struct Names<'a> {
    clients: Vec<&'a ImportClient>,
    client_index: HashMap<&'a str, usize>,
    units: Vec<&'a str>,
    unit_index: HashMap<&'a str, usize>,
    /// Per file client index, the merged index (cases file, measurements file).
    case_clients: Vec<usize>,
    measurement_clients: Vec<usize>,
    case_units: Vec<usize>,
    measurement_units: Vec<usize>,
}

impl<'a> Names<'a> {
    fn of(batch: &ImportBatch<'a>) -> Self {
        let mut names = Names {
            clients: Vec::new(),
            client_index: HashMap::new(),
            units: Vec::new(),
            unit_index: HashMap::new(),
            case_clients: Vec::new(),
            measurement_clients: Vec::new(),
            case_units: Vec::new(),
            measurement_units: Vec::new(),
        };
        if let Some(cases) = batch.cases {
            names.case_clients = cases.clients.iter().map(|c| names.client(c)).collect();
            names.case_units = cases.units.iter().map(|u| names.unit(u.as_str())).collect();
        }
        if let Some(measurements) = batch.measurements {
            names.measurement_clients = measurements
                .clients
                .iter()
                .map(|c| names.client(c))
                .collect();
            names.measurement_units = measurements
                .units
                .iter()
                .map(|u| names.unit(u.as_str()))
                .collect();
        }
        names
    }

    fn client(&mut self, client: &'a ImportClient) -> usize {
        *self
            .client_index
            .entry(client.pseudonym.as_str())
            .or_insert_with(|| {
                self.clients.push(client);
                self.clients.len() - 1
            })
    }

    fn unit(&mut self, code: &'a str) -> usize {
        *self.unit_index.entry(code).or_insert_with(|| {
            self.units.push(code);
            self.units.len() - 1
        })
    }
}

/// The case a measurement (or a case of the cases file) refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum CaseRef {
    /// A case already in the database.
    Stored(i64),
    /// Case number `n` of the cases file, not written yet.
    New(usize),
}

/// Where imported interventions go, in the order of the cells written for each.
const INTERVENTIONS: Target = Target {
    table: "intervention",
    columns: &[
        "case_id",
        "type_code",
        "legal_basis",
        "provider_code",
        "applied_on",
        "decided_on",
        "started_on",
        "ended_on",
        "end_reason",
    ],
};

/// Where imported measurements go, in the order of the cells written for each.
const MEASUREMENTS: Target = Target {
    table: "measurement",
    columns: &[
        "case_id",
        "instrument_id",
        "instrument_version",
        "time_point",
        "month",
        "measured_on",
        "respondent",
        "answers",
        "score",
    ],
};

/// The schedule as stored: months separated by commas.
fn schedule_text(schedule: &[u32]) -> String {
    schedule
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Implements [`ImportStore`] for a backend.
macro_rules! impl_import_store {
    ($store:ty, $parameters:expr) => {
        impl $store {
            /// Which of `values` the single-column query `{select} in (…)` returns.
            async fn import_existing(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                select: &str,
                values: &[&str],
            ) -> Result<HashSet<String>> {
                let mut found = HashSet::new();
                for chunk in values.chunks(batch_rows($parameters, 1)) {
                    let sql = in_list_sql(select, chunk.len());
                    let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
                    for value in chunk {
                        query = query.bind(*value);
                    }
                    found.extend(query.fetch_all(&mut **tx).await?);
                }
                Ok(found)
            }

            /// Registers the clients that are new and returns every client's id, by merged index.
            async fn import_clients(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                clients: &[&ImportClient],
            ) -> Result<(Vec<i64>, u64)> {
                let mut created = 0;
                let insert = format!(
                    "insert into client (pseudonym, authority, statistical_key, birth_year, sex) {} where true on conflict (pseudonym) do nothing",
                    Self::json_rows_sql(&["text", "text", "text", "integer", "text"])
                );
                let select = format!("select id, pseudonym from client where pseudonym in ({})", Self::JSON_TEXTS_SQL);
                for chunk in clients.chunks(JSON_ROWS) {
                    let rows = json_rows(chunk.iter().map(|client| {
                        [
                            Cell::Text(client.pseudonym.as_str()),
                            Cell::Text(client.authority.as_str()),
                            Cell::Text(client.statistical_key.as_str()),
                            Cell::Int(i64::from(client.birth_year)),
                            Cell::Text(client.sex.as_str()),
                        ]
                    }));
                    created += sqlx::query(sqlx::AssertSqlSafe(insert.as_str())).bind(rows).execute(&mut **tx).await?.rows_affected();
                }
                sqlx::query(crate::followup::ASSIGN_PERSON_IDS).execute(&mut **tx).await?;
                let mut ids: HashMap<String, i64> = HashMap::with_capacity(clients.len());
                for chunk in clients.chunks(JSON_ROWS) {
                    let pseudonyms = json_texts(chunk.iter().map(|c| c.pseudonym.as_str()));
                    let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(select.as_str())).bind(pseudonyms).fetch_all(&mut **tx).await?;
                    ids.extend(rows.into_iter().map(|(id, pseudonym)| (pseudonym, id)));
                }
                let ids = clients
                    .iter()
                    .map(|c| {
                        ids.get(c.pseudonym.as_str()).copied().ok_or_else(|| {
                            crate::StorageError::Other(anyhow::anyhow!("a client just registered cannot be found"))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok((ids, created))
            }
        }

        #[async_trait::async_trait]
        impl ImportStore for $store {
            async fn instrument_versions(&self) -> Result<Vec<Instrument>> {
                let rows: Vec<String> = sqlx::query_scalar(
                    r"
                    select definition
                    from instrument
                    order by id, created_at, version
                    ",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|definition| {
                        serde_json::from_str(definition).map_err(|e| {
                            crate::StorageError::Other(anyhow::anyhow!("stored instrument definition: {e}"))
                        })
                    })
                    .collect()
            }

            async fn import(
                &self,
                batch: ImportBatch<'_>,
                actor: &Actor,
                progress: &(dyn Fn(u64) + Send + Sync),
            ) -> Result<std::result::Result<ImportSummary, RowErrors>> {
                let summary = match self.import_deferred(batch, actor, progress).await? {
                    Ok(summary) => summary,
                    Err(errors) => return Ok(Err(errors)),
                };
                // An import does not change what day it is: the rows stay as of their date.
                let as_of = crate::indicators::IndicatorStore::indicator_state(self).await?.as_of;
                let recomputed = crate::indicators::IndicatorStore::recompute_indicators(self, as_of, None, actor).await?;
                tracing::info!(rows = recomputed.rows, "indicators recomputed after the import");
                Ok(Ok(summary))
            }

            #[tracing::instrument(skip_all, fields(rows = batch.rows()))]
            async fn import_deferred(
                &self,
                batch: ImportBatch<'_>,
                actor: &Actor,
                progress: &(dyn Fn(u64) + Send + Sync),
            ) -> Result<std::result::Result<ImportSummary, RowErrors>> {
                let names = Names::of(&batch);
                let mut tx = self.begin_write().await?;
                Self::bulk_cache(&mut tx, true).await?;
                let mut errors = RowErrors::default();

                // Units and instrument versions exist.
                let units = Self::import_existing(&mut tx, "select code from unit where code", &names.units).await?;
                let unit_known: Vec<bool> = names.units.iter().map(|u| units.contains(*u)).collect();
                if let Some(cases) = batch.cases {
                    for case in &cases.cases {
                        let unit = names.case_units[case.unit];
                        for intervention in &case.interventions {
                            if !unit_known[unit] {
                                errors.add(&cases.file, intervention.line, "unit", format!("there is no unit {} in Evident", names.units[unit]));
                            }
                            let provider = names.case_units[intervention.provider];
                            if !unit_known[provider] {
                                errors.add(&cases.file, intervention.line, "provider_unit", format!("there is no unit {} in Evident", names.units[provider]));
                            }
                        }
                    }
                }
                let mut instrument_known = Vec::new();
                if let Some(measurements) = batch.measurements {
                    for (id, version) in &measurements.instruments {
                        let stored: i64 = sqlx::query_scalar(
                            r"
                            select count(*)
                            from instrument
                            where id = $1
                              and version = $2
                            ",
                        )
                        .bind(id)
                        .bind(version)
                        .fetch_one(&mut *tx)
                        .await?;
                        instrument_known.push(stored > 0);
                    }
                }

                // Every case of these clients at these units, stored or in the cases file.
                let mut candidates: HashMap<(usize, usize), Vec<(NaiveDate, CaseRef)>> = HashMap::new();
                for (unit_index, unit) in names.units.iter().enumerate().filter(|(i, _)| unit_known[*i]) {
                    let rows: Vec<(i64, String, NaiveDate)> = sqlx::query_as(
                        r"
                        select r.id, c.pseudonym, r.opened_on
                        from case_record r
                        join client c on c.id = r.client_id
                        where r.unit_code = $1
                        ",
                    )
                    .bind(*unit)
                    .fetch_all(&mut *tx)
                    .await?;
                    for (id, pseudonym, opened_on) in rows {
                        if let Some(&client) = names.client_index.get(pseudonym.as_str()) {
                            candidates.entry((client, unit_index)).or_default().push((opened_on, CaseRef::Stored(id)));
                        }
                    }
                }
                // Per case of the cases file: the stored case it is (same client, unit and
                // opening date), if any.
                let mut stored_case: Vec<Option<i64>> = Vec::new();
                if let Some(cases) = batch.cases {
                    for (i, case) in cases.cases.iter().enumerate() {
                        let key = (names.case_clients[case.client], names.case_units[case.unit]);
                        let same_day = candidates.get(&key).and_then(|list| {
                            list.iter()
                                .filter_map(|(day, case_ref)| match case_ref {
                                    CaseRef::Stored(id) if *day == case.opened_on => Some(*id),
                                    _ => None,
                                })
                                .max()
                        });
                        if same_day.is_none() {
                            candidates.entry(key).or_default().push((case.opened_on, CaseRef::New(i)));
                        }
                        stored_case.push(same_day);
                    }
                }
                for list in candidates.values_mut() {
                    list.sort_unstable();
                }

                // Each measurement's case: the latest opened on or before its date.
                let mut measurement_cases: Vec<CaseRef> = Vec::new();
                if let Some(measurements) = batch.measurements {
                    measurement_cases.reserve(measurements.measurements.len());
                    for m in &measurements.measurements {
                        let unit = names.measurement_units[m.unit];
                        let mut bad = false;
                        if !unit_known[unit] {
                            errors.add(&measurements.file, m.line, "unit", format!("there is no unit {} in Evident", names.units[unit]));
                            bad = true;
                        }
                        if !instrument_known[m.instrument] {
                            let (id, version) = &measurements.instruments[m.instrument];
                            errors.add(&measurements.file, m.line, "instrument_version", format!("{id} version {version} is not stored"));
                            bad = true;
                        }
                        let key = (names.measurement_clients[m.client], unit);
                        let found = candidates.get(&key).and_then(|list| {
                            let after = list.partition_point(|(day, _)| *day <= m.measured_on);
                            after.checked_sub(1).map(|i| list[i].1)
                        });
                        match found {
                            Some(case_ref) => measurement_cases.push(case_ref),
                            None => {
                                if !bad {
                                    errors.add(
                                        &measurements.file,
                                        m.line,
                                        "case",
                                        format!(
                                            "this client has no case at {} opened on or before {}",
                                            names.units[unit], m.measured_on
                                        ),
                                    );
                                }
                                measurement_cases.push(CaseRef::Stored(0));
                            }
                        }
                    }
                }
                if !errors.is_empty() {
                    Self::bulk_cache(&mut tx, false).await?;
                    tx.rollback().await?;
                    errors.sort();
                    return Ok(Err(errors));
                }

                // Everything checks out: write.
                let mut summary = ImportSummary::default();
                let mut written = 0u64;
                let (client_ids, created) = Self::import_clients(&mut tx, &names.clients).await?;
                summary.clients_created = created;
                summary.clients_found = names.clients.len() as u64 - created;

                let mut case_ids: Vec<i64> = stored_case.iter().map(|id| id.unwrap_or(0)).collect();
                if let Some(cases) = batch.cases {
                    let new: Vec<usize> = (0..cases.cases.len()).filter(|&i| stored_case[i].is_none()).collect();
                    summary.cases_created = new.len() as u64;
                    summary.cases_found = (cases.cases.len() - new.len()) as u64;
                    let insert = format!(
                        "insert into case_record (client_id, unit_code, opened_on, schedule) {} where true returning id, client_id, unit_code, opened_on",
                        Self::json_rows_sql(&["bigint", "text", "date", "text"])
                    );
                    for chunk in new.chunks(JSON_ROWS) {
                        let schedules: Vec<String> = chunk.iter().map(|&i| schedule_text(&cases.cases[i].schedule)).collect();
                        // The rows come back in no promised order: match them up by their key.
                        let mut by_key: HashMap<(i64, &str, NaiveDate), usize> = HashMap::with_capacity(chunk.len());
                        for &i in chunk {
                            let case = &cases.cases[i];
                            by_key.insert((client_ids[names.case_clients[case.client]], names.units[names.case_units[case.unit]], case.opened_on), i);
                        }
                        let rows = json_rows(chunk.iter().zip(&schedules).map(|(&i, schedule)| {
                            let case = &cases.cases[i];
                            [
                                Cell::Int(client_ids[names.case_clients[case.client]]),
                                Cell::Text(names.units[names.case_units[case.unit]]),
                                Cell::Date(case.opened_on),
                                Cell::Text(schedule.as_str()),
                            ]
                        }));
                        let opened: Vec<(i64, i64, String, NaiveDate)> =
                            sqlx::query_as(sqlx::AssertSqlSafe(insert.as_str())).bind(rows).fetch_all(&mut *tx).await?;
                        for (id, client_id, unit, opened_on) in opened {
                            let i = by_key.get(&(client_id, unit.as_str(), opened_on)).ok_or_else(|| {
                                crate::StorageError::Other(anyhow::anyhow!("a case just opened came back changed"))
                            })?;
                            case_ids[*i] = id;
                        }
                    }
                    let interventions: Vec<_> = cases
                        .cases
                        .iter()
                        .enumerate()
                        .flat_map(|(i, case)| case.interventions.iter().map(move |n| (i, n)))
                        .collect();
                    for chunk in interventions.chunks(Self::BULK_ROWS) {
                        let encoded = Self::bulk_encode(chunk.iter().map(|(i, n)| {
                            [
                                Cell::Int(case_ids[*i]),
                                Cell::Text(n.type_code.as_str()),
                                Cell::Text(n.legal_basis.as_str()),
                                Cell::Text(names.units[names.case_units[n.provider]]),
                                Cell::from(n.dates.applied_on),
                                Cell::from(n.dates.decided_on),
                                Cell::from(n.dates.started_on),
                                Cell::from(n.dates.ended_on),
                                Cell::from(n.end_reason.as_deref()),
                            ]
                        }));
                        Self::bulk_write(&mut tx, INTERVENTIONS, &encoded).await?;
                        written += chunk.len() as u64;
                        progress(written);
                    }
                    summary.interventions = interventions.len() as u64;
                    let detail = format!(
                        "{} rows: {} cases ({} new), {} interventions",
                        cases.rows(),
                        cases.cases.len(),
                        summary.cases_created,
                        summary.interventions
                    );
                    let event = AuditEvent::new(actor, "import.cases", cases.file.clone(), Outcome::Allowed).with_detail(detail);
                    self.append_in(&mut tx, &event).await?;
                }

                if let Some(measurements) = batch.measurements {
                    let rows = &measurements.measurements;
                    for (chunk, cases) in rows.chunks(Self::BULK_ROWS).zip(measurement_cases.chunks(Self::BULK_ROWS)) {
                        let answers = chunk
                            .iter()
                            .map(|m| serde_json::to_string(&m.answers))
                            .collect::<std::result::Result<Vec<_>, _>>()
                            .map_err(|e| crate::StorageError::Other(anyhow::anyhow!("serialising answers: {e}")))?;
                        let encoded = Self::bulk_encode(chunk.iter().zip(cases).zip(&answers).map(|((m, case_ref), answers)| {
                            let case_id = match *case_ref {
                                CaseRef::Stored(id) => id,
                                CaseRef::New(i) => case_ids[i],
                            };
                            let (id, version) = &measurements.instruments[m.instrument];
                            [
                                Cell::Int(case_id),
                                Cell::Text(id.as_str()),
                                Cell::Text(version.as_str()),
                                Cell::Text(m.time_point.as_str()),
                                Cell::from(m.month.map(i64::from)),
                                Cell::Date(m.measured_on),
                                Cell::Text(m.respondent.as_str()),
                                Cell::Text(answers),
                                Cell::from(m.score),
                            ]
                        }));
                        Self::bulk_write(&mut tx, MEASUREMENTS, &encoded).await?;
                        written += chunk.len() as u64;
                        progress(written);
                    }
                    summary.measurements = rows.len() as u64;
                    let event = AuditEvent::new(actor, "import.measurements", measurements.file.clone(), Outcome::Allowed)
                        .with_detail(format!("{} rows: {} measurements", rows.len(), rows.len()));
                    self.append_in(&mut tx, &event).await?;
                }
                // The tables computed from the units' cases are out of date.
                for unit in &names.units {
                    sqlx::query("update unit set data_version = data_version + 1 where code = $1")
                        .bind(*unit)
                        .execute(&mut *tx)
                        .await?;
                }
                // The stored indicators no longer reflect the data until they are recomputed,
                // which follows at once; should it fail, they stay marked stale.
                sqlx::query("update indicator_state set current = 0, revision = revision + 1 where id = 1").execute(&mut *tx).await?;
                Self::bulk_cache(&mut tx, false).await?;
                tx.commit().await?;
                tracing::info!(?summary, "import written");
                self.refresh_statistics(&[
                    ("client", summary.clients_created),
                    ("case_record", summary.cases_created),
                    ("intervention", summary.interventions),
                    ("measurement", summary.measurements),
                ])
                .await?;
                Ok(Ok(summary))
            }
        }
    };
}

impl_import_store!(SqliteStore, SQLITE_PARAMETERS);
impl_import_store!(PgStore, POSTGRES_PARAMETERS);
