//! Exporting a unit's measurements: as CSV through [`crate::render::csv`] (the Swedish
//! spreadsheet convention Excel opens directly and `evident import` reads back), or as a FHIR
//! R4 Bundle of QuestionnaireResponses. Clients appear by pseudonym only. Every export is
//! audited.

use crate::auth::SignedIn;
use crate::render::csv;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::{Action, DataClass};
use evident_core::followup::fhir::{collection_bundle, questionnaire_response};
use serde_json::Value;

/// The formats a unit's measurements export to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// CSV: `;`-separated, decimal commas, UTF-8 with BOM.
    Csv,
    /// A FHIR R4 Bundle of QuestionnaireResponses.
    Fhir,
}

/// One exported measurement with its context.
struct Row {
    case_id: i64,
    pseudonym: String,
    measurement: evident_core::followup::Measurement,
}

async fn rows(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
    format: ExportFormat,
) -> Result<Vec<Row>, AppError> {
    user.authorize(
        Action::Read,
        unit,
        DataClass::Identified,
        &format!("unit:{unit}"),
    )
    .await?;
    state.store.get_unit(unit).await?;
    let mut rows = Vec::new();
    let mut pseudonyms = Vec::new();
    for case in state.store.list_unit_cases(unit).await? {
        let pseudonym = state
            .store
            .get_client(case.client_id)
            .await?
            .pseudonym
            .to_string();
        pseudonyms.push(pseudonym.clone());
        for measurement in state.store.list_measurements(case.id).await? {
            rows.push(Row {
                case_id: case.id,
                pseudonym: pseudonym.clone(),
                measurement,
            });
        }
    }
    // Every client of the unit was read, measured or not.
    crate::service::audit::record_client_accesses(
        state,
        user,
        "export",
        &format!("unit:{unit}"),
        &format!("{} measurements as {format:?}", rows.len()),
        pseudonyms,
    )
    .await?;
    Ok(rows)
}

/// The unit's measurements as CSV.
///
/// # Errors
/// [`AppError::Forbidden`] (audited) without read access to identified data at the unit.
pub async fn measurements_csv(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
) -> Result<String, AppError> {
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
    ]
    .map(str::to_owned);
    let rows = rows(state, user, unit, ExportFormat::Csv).await?;
    let lines = rows.into_iter().map(|row| {
        let m = row.measurement;
        [
            row.case_id.to_string(),
            row.pseudonym,
            unit.to_string(),
            m.instrument_id,
            m.instrument_version,
            m.time_point.as_str().to_owned(),
            m.month.map(|v| v.to_string()).unwrap_or_default(),
            m.measured_on.to_string(),
            m.respondent.as_str().to_owned(),
            m.score.map(csv::decimal).unwrap_or_default(),
        ]
    });
    Ok(csv::to_string(std::iter::once(header).chain(lines)))
}

/// The unit's measurements as a FHIR Bundle of QuestionnaireResponses.
///
/// # Errors
/// As [`measurements_csv`].
pub async fn measurements_bundle(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
) -> Result<Value, AppError> {
    let mut resources = Vec::new();
    let mut instruments = crate::service::followup::InstrumentCache::default();
    for row in rows(state, user, unit, ExportFormat::Fhir).await? {
        let m = &row.measurement;
        let instrument = instruments
            .get(state, &m.instrument_id, &m.instrument_version)
            .await?;
        resources.push(questionnaire_response(
            instrument,
            &m.answers,
            &m.measured_on.to_string(),
            &row.pseudonym,
            &format!("measurement-{}", m.id),
        ));
    }
    Ok(collection_bundle(
        &format!("unit-{unit}-measurements"),
        resources,
    ))
}
