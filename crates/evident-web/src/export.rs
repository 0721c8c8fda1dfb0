//! Exporting a unit's measurements: as CSV through [`crate::render::csv`] (the Swedish
//! spreadsheet convention Excel opens directly and `evident import` reads back), or as a FHIR
//! R4 Bundle of QuestionnaireResponses. Clients appear by pseudonym only. Every export is
//! audited before its first byte is sent.
//!
//! Both are written as they are read, a page of cases at a time (the measurements of a page in
//! one query), so memory stays bounded by a page whatever the size of the unit. What an export
//! holds is fixed when it starts: the measurements that existed then, counted in its audit
//! entry; later ones wait for the next export.

use crate::auth::SignedIn;
use crate::render::csv::{self, CsvWriter};
use crate::service::followup::{InstrumentCache, by_case};
use crate::{AppError, AppState};
use axum::body::{Body, Bytes};
use evident_core::OrgCode;
use evident_core::access::{Action, DataClass};
use evident_core::followup::Measurement;
use evident_core::followup::fhir::{
    collection_bundle_end, collection_bundle_entry, collection_bundle_start, questionnaire_response,
};

/// The formats a unit's measurements export to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// CSV: `;`-separated, decimal commas, UTF-8 with BOM.
    Csv,
    /// A FHIR R4 Bundle of QuestionnaireResponses.
    Fhir,
}

/// Cases per page of an export.
const CASES_PER_PAGE: u32 = 1000;

/// One exported measurement with its context.
struct Row {
    case_id: i64,
    pseudonym: String,
    measurement: Measurement,
}

/// The pages of one export: the unit's cases in the order of its case list, after `after`,
/// with their measurements up to `through`.
struct Pages {
    state: AppState,
    unit: OrgCode,
    /// The highest measurement id when the export began; `None` when there was none.
    through: Option<i64>,
    after: Option<i64>,
    done: bool,
    /// Cases per page: [`CASES_PER_PAGE`], fewer in tests.
    per_page: u32,
}

impl Pages {
    /// Authorizes the export, fixes what it holds and audits it: every client of the unit is
    /// read, measured or not.
    async fn begin(
        state: &AppState,
        user: &SignedIn,
        unit: &OrgCode,
        format: ExportFormat,
    ) -> Result<Self, AppError> {
        user.authorize(
            Action::Read,
            unit,
            DataClass::Identified,
            &format!("unit:{unit}"),
        )
        .await?;
        state.store.get_unit(unit).await?;
        let (count, through) = state.store.unit_measurement_extent(unit).await?;
        let clients = state.store.list_unit_clients(unit).await?;
        crate::service::audit::record_client_accesses(
            state,
            user,
            "export",
            &format!("unit:{unit}"),
            &format!("{count} measurements as {format:?}"),
            clients.into_iter().map(|c| c.pseudonym.to_string()),
        )
        .await?;
        Ok(Self {
            state: state.clone(),
            unit: unit.clone(),
            through,
            after: None,
            done: through.is_none(),
            per_page: CASES_PER_PAGE,
        })
    }

    /// The rows of the next page of cases (perhaps none, when its cases have no
    /// measurements), or `None` after the last page.
    async fn next(&mut self) -> Result<Option<Vec<Row>>, AppError> {
        let Some(through) = self.through.filter(|_| !self.done) else {
            return Ok(None);
        };
        let cases = self
            .state
            .store
            .list_unit_cases_page(&self.unit, self.after, self.per_page)
            .await?;
        let (Some((first, _)), Some((last, _))) = (cases.first(), cases.last()) else {
            self.done = true;
            return Ok(None);
        };
        self.done = cases.len() < self.per_page as usize;
        self.after = Some(last.id);
        let measurements = self
            .state
            .store
            .list_unit_page_measurements(&self.unit, first.id, last.id, through)
            .await?;
        let mut measurements = by_case(measurements, |m| m.case_id);
        let mut rows = Vec::new();
        for (case, client) in cases {
            let pseudonym = client.pseudonym.to_string();
            for measurement in measurements.remove(&case.id).unwrap_or_default() {
                rows.push(Row {
                    case_id: case.id,
                    pseudonym: pseudonym.clone(),
                    measurement,
                });
            }
        }
        Ok(Some(rows))
    }
}

/// A failure after the first byte was sent can only cut the download short: it is logged,
/// and the connection ends without the rest.
fn broken(error: AppError) -> std::io::Error {
    tracing::error!(error = ?error, "export failed while being sent");
    std::io::Error::other("the export could not be completed")
}

/// The unit's measurements as a CSV body, written a page of cases at a time.
///
/// # Errors
/// [`AppError::Forbidden`] (audited) without read access to identified data at the unit;
/// [`AppError::NotFound`] for an unknown unit.
pub async fn measurements_csv(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
) -> Result<Body, AppError> {
    let pages = Pages::begin(state, user, unit, ExportFormat::Csv).await?;
    let header = [
        "case_id",
        "pseudonym",
        "unit",
        "instrument",
        "instrument_version",
        "time_point",
        "month",
        "measured_on",
        "respondent",
        "score",
    ];
    let mut start = CsvWriter::new(Vec::new()).expect("writing to a Vec cannot fail");
    start.row(header).expect("writing to a Vec cannot fail");
    let start = start.finish().expect("writing to a Vec cannot fail");
    let unit = unit.to_string();
    let rest = futures_util::stream::try_unfold(pages, move |mut pages| {
        let unit = unit.clone();
        async move {
            let Some(rows) = pages.next().await.map_err(broken)? else {
                return Ok(None);
            };
            let mut out = CsvWriter::continuing(Vec::new());
            for row in rows {
                let m = row.measurement;
                out.row([
                    row.case_id.to_string(),
                    row.pseudonym,
                    unit.clone(),
                    m.instrument_id,
                    m.instrument_version,
                    m.time_point.as_str().to_owned(),
                    m.month.map(|v| v.to_string()).unwrap_or_default(),
                    m.measured_on.to_string(),
                    m.respondent.as_str().to_owned(),
                    m.score.map(csv::decimal).unwrap_or_default(),
                ])?;
            }
            Ok::<_, std::io::Error>(Some((Bytes::from(out.finish()?), pages)))
        }
    });
    let start =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(start)) });
    Ok(Body::from_stream(futures_util::StreamExt::chain(
        start, rest,
    )))
}

/// Where a bundle being written stands: its pages, the instruments read so far, how many
/// entries it has, and whether its end is written.
struct BundleState {
    pages: Pages,
    instruments: InstrumentCache,
    written: usize,
    ended: bool,
}

/// The unit's measurements as a FHIR Bundle of QuestionnaireResponses, written a page of
/// cases at a time.
///
/// # Errors
/// As [`measurements_csv`].
pub async fn measurements_bundle(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
) -> Result<Body, AppError> {
    let pages = Pages::begin(state, user, unit, ExportFormat::Fhir).await?;
    let start = collection_bundle_start(&format!("unit-{unit}-measurements"));
    let bundle = BundleState {
        pages,
        instruments: InstrumentCache::default(),
        written: 0,
        ended: false,
    };
    let rest = futures_util::stream::try_unfold(bundle, |mut bundle| async move {
        if bundle.ended {
            return Ok(None);
        }
        let Some(rows) = bundle.pages.next().await.map_err(broken)? else {
            bundle.ended = true;
            return Ok(Some((
                Bytes::from(collection_bundle_end(bundle.written)),
                bundle,
            )));
        };
        let mut text = String::new();
        for row in rows {
            let m = &row.measurement;
            let instrument = bundle
                .instruments
                .get(&bundle.pages.state, &m.instrument_id, &m.instrument_version)
                .await
                .map_err(broken)?;
            let resource = questionnaire_response(
                instrument,
                &m.answers,
                &m.measured_on.to_string(),
                &row.pseudonym,
                &format!("measurement-{}", m.id),
            );
            text.push_str(&collection_bundle_entry(resource, bundle.written == 0));
            bundle.written += 1;
        }
        Ok::<_, std::io::Error>(Some((Bytes::from(text), bundle)))
    });
    let start =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(start)) });
    Ok(Body::from_stream(futures_util::StreamExt::chain(
        start, rest,
    )))
}

#[cfg(test)]
mod tests {
    use super::Pages;
    use crate::AppState;
    use evident_core::followup::{Respondent, TimePoint};
    use evident_core::rng::SplitMix64;
    use evident_store::followup::NewMeasurement;
    use evident_store::testing::{ClientBuilder, Seed, TestDb, day, toy_instrument};

    #[tokio::test]
    async fn pages_of_any_size_export_every_measurement_once_in_list_order() {
        // arrange: five cases, four with measurements, opened on days out of id order
        let db = TestDb::sqlite().await;
        let seed = Seed::new(&*db.store);
        seed.instrument(&toy_instrument("1", "Toy")).await;
        let unit = seed.unit("0380", "Norr").await;
        let mut rng = SplitMix64::new(3);
        for (i, opened_on) in [
            "2025-02-01",
            "2025-01-01",
            "2025-02-01",
            "2025-03-01",
            "2024-01-01",
        ]
        .into_iter()
        .enumerate()
        {
            let mut client = ClientBuilder::new(&unit)
                .synthetic_number(&mut rng, 1970 + i as i32)
                .opened_on(day(opened_on));
            for score in 0..i {
                client = client.measurement(NewMeasurement {
                    instrument: ("toy".into(), "1".into()),
                    time_point: TimePoint::Baseline,
                    month: None,
                    measured_on: day(opened_on),
                    respondent: Respondent::Client,
                    answers: Default::default(),
                    score: Some(score as f64),
                });
            }
            client.create(&seed).await;
        }
        let mut expected = Vec::new();
        for case in db.store.list_unit_cases(&unit).await.unwrap() {
            for m in db.store.list_measurements(case.id).await.unwrap() {
                expected.push((case.id, m.id));
            }
        }
        assert_eq!(expected.len(), 10);
        let (_, through) = db.store.unit_measurement_extent(&unit).await.unwrap();
        for per_page in [1, 2, 3, 4, 5, 6] {
            let mut pages = Pages {
                state: AppState::new(db.store.clone()),
                unit: unit.clone(),
                through,
                after: None,
                done: false,
                per_page,
            };
            // act
            let mut exported = Vec::new();
            while let Some(rows) = pages.next().await.unwrap() {
                exported.extend(rows.into_iter().map(|r| (r.case_id, r.measurement.id)));
            }
            // assert: the order of the whole export as it was read before it was paged
            assert_eq!(exported, expected, "pages of {per_page}");
        }
    }
}
