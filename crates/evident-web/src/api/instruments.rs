//! The instrument library and the intervention catalogue: reading them, and importing an
//! instrument as a FHIR R4 Questionnaire.

use crate::AppState;
use crate::api::extract::{ApiJson, ApiQuery};
use crate::auth::SignedIn;
use crate::error::{ApiResult, AppError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use evident_core::OrgCode;
use evident_core::access::{Action, DataClass};
use evident_core::followup::fhir::{instrument_from_questionnaire, questionnaire_from_instrument};
use evident_core::followup::instrument::Instrument;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An instrument as listed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InstrumentSummary {
    /// Identifier, e.g. `phq-9`.
    pub id: String,
    /// Newest version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Number of scored items.
    pub items: usize,
    /// Lowest and highest total.
    pub range: (f64, f64),
    /// Whether a higher score is better.
    pub higher_is_better: bool,
    /// Clinical cut-off.
    pub cutoff: Option<f64>,
    /// Reliability coefficient used for reliable change.
    pub reliability: f64,
    /// Normative SD used for reliable change.
    pub normative_sd: f64,
}

impl From<&Instrument> for InstrumentSummary {
    fn from(i: &Instrument) -> Self {
        Self {
            id: i.id.clone(),
            version: i.version.clone(),
            title: i.title.clone(),
            items: i.items.len(),
            range: i.range,
            higher_is_better: i.higher_is_better,
            cutoff: i.cutoff,
            reliability: i.reliability,
            normative_sd: i.normative_sd,
        }
    }
}

/// An intervention type of the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InterventionTypeSummary {
    /// Code.
    pub code: String,
    /// Area of social services.
    pub area: String,
    /// Laws it is decided under.
    pub legal_bases: Vec<String>,
    /// Swedish name.
    pub name_sv: String,
    /// English name.
    pub name_en: String,
}

/// Which version to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParams {
    /// A version; the newest when left out.
    pub version: Option<String>,
}

/// The newest version of every instrument in the library.
#[utoipa::path(
    get,
    path = "/api/v1/instruments",
    tag = "follow-up",
    responses(
        (status = 200, description = "The library", body = Vec<InstrumentSummary>),
        (status = 401, description = "Not signed in", body = ErrorBody)
    )
)]
pub async fn list_instruments(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<Vec<InstrumentSummary>>> {
    user.authorize(
        Action::Read,
        &OrgCode::nation(),
        DataClass::Public,
        "instruments",
    )
    .await?;
    Ok(Json(
        state
            .store
            .list_instruments()
            .await?
            .iter()
            .map(Into::into)
            .collect(),
    ))
}

/// An instrument as a FHIR R4 Questionnaire.
#[utoipa::path(
    get,
    path = "/api/v1/instruments/{id}",
    tag = "follow-up",
    params(("id" = String, Path, description = "The instrument's id"), VersionParams),
    responses(
        (status = 200, description = "The Questionnaire", body = Object),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such instrument or version", body = ErrorBody)
    )
)]
pub async fn get_instrument(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<VersionParams>,
) -> ApiResult<Json<serde_json::Value>> {
    user.authorize(
        Action::Read,
        &OrgCode::nation(),
        DataClass::Public,
        "instruments",
    )
    .await?;
    let instrument =
        crate::service::followup::instrument_version(&state, &id, params.version.as_deref())
            .await?;
    Ok(Json(questionnaire_from_instrument(&instrument)))
}

/// Adds an instrument (a new id, or a new version of one) from a FHIR R4 Questionnaire.
#[utoipa::path(
    post,
    path = "/api/v1/instruments",
    tag = "follow-up",
    request_body(content = Object, description = "A FHIR R4 Questionnaire with Evident's scoring extensions"),
    responses(
        (status = 201, description = "Added", body = InstrumentSummary),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs admin on SE", body = ErrorBody),
        (status = 409, description = "That version exists: instruments are versioned, give the change a new version", body = ErrorBody),
        (status = 422, description = "Not a usable Questionnaire; the detail says what is missing", body = ErrorBody)
    )
)]
pub async fn import_instrument(
    State(state): State<AppState>,
    user: SignedIn,
    ApiJson(resource): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<InstrumentSummary>)> {
    user.authorize(
        Action::ManageOrganisation,
        &OrgCode::nation(),
        DataClass::Public,
        "instruments",
    )
    .await?;
    let instrument = instrument_from_questionnaire(&resource)?;
    if state
        .store
        .get_instrument(&instrument.id, &instrument.version)
        .await
        .is_ok()
    {
        return Err(AppError::Conflict(format!(
            "{} version {} exists; instruments are versioned, so give the changed one a new version",
            instrument.id, instrument.version
        ))
        .into());
    }
    state.store.save_instrument(&instrument).await?;
    let event = evident_core::access::audit::AuditEvent::new(
        &user.actor(),
        "instrument.import",
        format!("instrument:{}", instrument.id),
        evident_core::access::audit::Outcome::Allowed,
    )
    .with_detail(format!("version {}", instrument.version));
    state.store.append_audit(&event).await?;
    Ok((StatusCode::CREATED, Json((&instrument).into())))
}

/// The catalogue of intervention types.
#[utoipa::path(
    get,
    path = "/api/v1/interventions",
    tag = "follow-up",
    responses(
        (status = 200, description = "The catalogue", body = Vec<InterventionTypeSummary>),
        (status = 401, description = "Not signed in", body = ErrorBody)
    )
)]
pub async fn list_intervention_types(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<Vec<InterventionTypeSummary>>> {
    user.authorize(
        Action::Read,
        &OrgCode::nation(),
        DataClass::Public,
        "interventions",
    )
    .await?;
    Ok(Json(
        state
            .catalogue
            .types
            .iter()
            .map(|t| InterventionTypeSummary {
                code: t.code.clone(),
                area: t.area.as_str().to_owned(),
                legal_bases: t
                    .legal_bases
                    .iter()
                    .map(|b| b.as_str().to_owned())
                    .collect(),
                name_sv: t.name_sv.clone(),
                name_en: t.name_en.clone(),
            })
            .collect(),
    ))
}
