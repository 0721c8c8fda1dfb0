//! Exporting a unit's measurements: as CSV in the Swedish spreadsheet convention (UTF-8 with
//! a byte-order mark, `;` between fields, decimal commas — what Excel opens directly in a
//! Swedish locale, and what `evident import` reads back), or as a FHIR R4 Bundle of
//! QuestionnaireResponses. Clients appear by pseudonym only. Every export is audited.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_core::access::{Action, DataClass};
use evident_core::followup::fhir::{collection_bundle, questionnaire_response};
use serde_json::Value;
use std::fmt::Write as _;

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
    for case in state.store.list_unit_cases(unit).await? {
        let pseudonym = state
            .store
            .get_client(case.client_id)
            .await?
            .pseudonym
            .to_string();
        for measurement in state.store.list_measurements(case.id).await? {
            rows.push(Row {
                case_id: case.id,
                pseudonym: pseudonym.clone(),
                measurement,
            });
        }
    }
    let event = AuditEvent::new(
        &user.actor(),
        "export",
        format!("unit:{unit}"),
        Outcome::Allowed,
    )
    .with_detail(format!("{} measurements as {format:?}", rows.len()));
    state.store.append_audit(&event).await?;
    Ok(rows)
}

/// Quotes a CSV field when it holds the separator, a quote or a line break.
pub(crate) fn field(text: &str) -> String {
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
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
    let mut out = String::from(
        "\u{feff}case_id;pseudonym;unit;instrument;instrument_version;time_point;month;measured_on;respondent;score\n",
    );
    for row in rows(state, user, unit, ExportFormat::Csv).await? {
        let m = &row.measurement;
        let _ = writeln!(
            out,
            "{};{};{};{};{};{};{};{};{};{}",
            row.case_id,
            row.pseudonym,
            unit,
            field(&m.instrument_id),
            field(&m.instrument_version),
            m.time_point.as_str(),
            m.month.map(|v| v.to_string()).unwrap_or_default(),
            m.measured_on,
            m.respondent.as_str(),
            m.score
                .map(|s| s.to_string().replace('.', ","))
                .unwrap_or_default(),
        );
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_with_separators_or_quotes_are_quoted() {
        assert_eq!(field("phq-9"), "phq-9");
        assert_eq!(field("a;b"), "\"a;b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
