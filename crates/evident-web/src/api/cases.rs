//! Local follow-up over the API: opening cases (registering clients by personal number),
//! reading a case, interventions, needs and goals, measurements, and a unit's follow-up
//! table. Identified data of a case belongs to its unit: practitioners and unit managers
//! of that unit (or above) may read and write it; every read is audited.

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody, code_in_path, id_in_path};
use crate::service::case_list;
use crate::service::followup::{self, InterventionInput, MeasurementInput};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use evident_core::followup::unit_table::{Cell, FollowUpRow};
use evident_core::followup::{Case, Client, Intervention, Measurement, Need};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A case to open: the client's personal number (turned into a pseudonym at once and never
/// stored), the opening date and the follow-up schedule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCaseBody {
    /// Personal identity or coordination number: YYYYMMDD-XXXX, YYMMDD-XXXX or YYMMDD+XXXX.
    #[schema(example = "19121212-1212")]
    pub personal_number: String,
    /// Opening date, YYYY-MM-DD; today when left out.
    #[serde(default)]
    pub opened_on: Option<String>,
    /// Follow-up months after baseline, e.g. "3, 6, 12" (the default).
    #[serde(default)]
    pub schedule: Option<String>,
}

/// A client, pseudonymous.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientSummary {
    /// Identifier.
    pub id: i64,
    /// The pseudonym (HMAC of the personal number).
    pub pseudonym: String,
    /// Year of birth.
    pub birth_year: i32,
    /// Recorded sex: `female` or `male`.
    pub sex: String,
}

impl From<&Client> for ClientSummary {
    fn from(client: &Client) -> Self {
        Self {
            id: client.id,
            pseudonym: client.pseudonym.to_string(),
            birth_year: client.birth_year,
            sex: client.sex.as_str().to_owned(),
        }
    }
}

/// A case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseSummary {
    /// Identifier.
    pub id: i64,
    /// The client's id.
    pub client_id: i64,
    /// The unit's code.
    pub unit: String,
    /// Opened, YYYY-MM-DD.
    pub opened_on: String,
    /// Closed, if it is.
    pub closed_on: Option<String>,
    /// Follow-up months after baseline.
    pub schedule: Vec<u32>,
}

impl From<&Case> for CaseSummary {
    fn from(case: &Case) -> Self {
        Self {
            id: case.id,
            client_id: case.client_id,
            unit: case.unit.to_string(),
            opened_on: case.opened_on.to_string(),
            closed_on: case.closed_on.map(|d| d.to_string()),
            schedule: case.schedule.clone(),
        }
    }
}

/// An opened case with its client.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenedCase {
    /// The case.
    pub case: CaseSummary,
    /// The client.
    pub client: ClientSummary,
    /// Whether the client was registered now (false: found by their pseudonym).
    pub client_created: bool,
}

/// A case with everything recorded in it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetail {
    /// The case.
    pub case: CaseSummary,
    /// The client.
    pub client: ClientSummary,
    /// Interventions.
    #[schema(value_type = Vec<Object>)]
    pub interventions: Vec<Intervention>,
    /// Needs with their goals.
    #[schema(value_type = Vec<Object>)]
    pub needs: Vec<Need>,
    /// Measurements.
    #[schema(value_type = Vec<Object>)]
    pub measurements: Vec<Measurement>,
    /// The follow-up schedule: month, due date, status (done, due, overdue, upcoming).
    #[schema(value_type = Vec<Object>)]
    pub schedule: Vec<evident_core::followup::progress::ScheduledFollowUp>,
    /// Per instrument: scores over time, baseline, latest, reliable change index and class.
    #[schema(value_type = Vec<Object>)]
    pub progress: Vec<evident_core::followup::progress::InstrumentProgress>,
}

/// A need to record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NeedBody {
    /// Life area: d1–d9 (ICF), housing, employment, finances or health.
    pub life_area: String,
    /// The need.
    pub description: String,
}

/// A goal to set.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GoalBody {
    /// The goal.
    pub description: String,
}

/// A goal's outcome at follow-up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GoalOutcomeBody {
    /// `achieved`, `partly_achieved`, `not_achieved` or `not_followed_up`.
    pub outcome: String,
}

/// Something created, by id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Created {
    /// Its identifier.
    pub id: i64,
}

/// One row of a unit's follow-up table; null values are suppressed (fewer than 5 clients).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FollowUpRowSummary {
    /// Intervention type code.
    pub intervention_type: String,
    /// Instrument id.
    pub instrument: String,
    /// Clients.
    pub started: Option<usize>,
    /// Measured at baseline.
    pub with_baseline: Option<usize>,
    /// Followed up.
    pub with_follow_up: Option<usize>,
    /// Share of baseline clients not followed up.
    pub dropout_share: Option<f64>,
    /// Mean change in the instrument's own direction.
    pub mean_change: Option<f64>,
    /// Pre/post effect size, positive = improvement.
    pub effect_size: Option<f64>,
    /// Its 95 % confidence interval.
    pub effect_size_ci: Option<(f64, f64)>,
    /// Share reliably improved.
    pub improved_share: Option<f64>,
    /// Share reliably deteriorated.
    pub deteriorated_share: Option<f64>,
}

impl From<FollowUpRow> for FollowUpRowSummary {
    fn from(row: FollowUpRow) -> Self {
        Self {
            intervention_type: row.intervention_type,
            instrument: row.instrument_id,
            started: row.started.value(),
            with_baseline: row.with_baseline.value(),
            with_follow_up: row.with_follow_up.value(),
            dropout_share: row.dropout_share.value(),
            mean_change: row.mean_change.value(),
            effect_size: row.effect_size.value(),
            effect_size_ci: match row.effect_size_ci {
                Cell::Value(ci) => Some(ci),
                Cell::Suppressed => None,
            },
            improved_share: row.improved_share.value(),
            deteriorated_share: row.deteriorated_share.value(),
        }
    }
}

/// Opens a case at a unit, registering the client by personal number (or finding them).
#[utoipa::path(
    post,
    path = "/api/v1/units/{code}/cases",
    tag = "follow-up",
    params(("code" = String, Path, description = "The unit's code")),
    request_body = NewCaseBody,
    responses(
        (status = 201, description = "The case and its client", body = OpenedCase),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody),
        (status = 422, description = "A bad personal number (says whether the date or the check digit), date or schedule", body = ErrorBody),
        (status = 503, description = "No pseudonym key is configured", body = ErrorBody)
    )
)]
pub async fn open_case(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<NewCaseBody>,
) -> ApiResult<(StatusCode, Json<OpenedCase>)> {
    let unit = code_in_path(&code)?;
    let (case, client, client_created) = followup::open_case(
        &state,
        &user,
        &unit,
        &body.personal_number,
        body.opened_on.as_deref(),
        body.schedule.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(OpenedCase {
            case: (&case).into(),
            client: (&client).into(),
            client_created,
        }),
    ))
}

/// Which page of a unit's cases.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListParams {
    /// Continue after this case: the `next` of the previous page. From the newest when left
    /// out.
    pub after: Option<i64>,
    /// Cases per page, 1 to 1000; 100 when left out.
    pub limit: Option<u32>,
}

/// One page of a unit's cases.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseList {
    /// The cases, newest first (by opening day, then by id).
    pub cases: Vec<CaseSummary>,
    /// The `after` of the next page; `null` on the last page.
    pub next: Option<i64>,
}

/// The cases at a unit, newest first, a page at a time (identified data: each page is
/// audited for the clients on it).
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/cases",
    tag = "follow-up",
    params(("code" = String, Path, description = "The unit's code"), CaseListParams),
    responses(
        (status = 200, description = "A page of cases", body = CaseList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody),
        (status = 422, description = "A limit outside 1 to 1000, or an `after` that is not a number", body = ErrorBody)
    )
)]
pub async fn list_cases(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    crate::api::extract::ApiQuery(params): crate::api::extract::ApiQuery<CaseListParams>,
) -> ApiResult<Json<CaseList>> {
    let unit = code_in_path(&code)?;
    let page = case_list::unit_cases_page(&state, &user, &unit, params.after, params.limit).await?;
    Ok(Json(CaseList {
        cases: page.cases.iter().map(|(case, _)| case.into()).collect(),
        next: page.next,
    }))
}

/// A case with its interventions, needs, goals, measurements, schedule and change.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case's identifier")),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the case's unit (the denial is audited)", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody)
    )
)]
pub async fn get_case(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseDetail>> {
    let view = followup::case_view(&state, &user, id_in_path("case", &id)?).await?;
    Ok(Json(CaseDetail {
        case: (&view.case).into(),
        client: (&view.client).into(),
        interventions: view.interventions,
        needs: view.needs,
        measurements: view.measurements,
        schedule: view.schedule,
        progress: view.progress.into_iter().map(|(_, p)| p).collect(),
    }))
}

/// Adds an intervention to a case.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/interventions",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case's identifier")),
    request_body = InterventionInput,
    responses(
        (status = 201, description = "Added", body = Created),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the case's unit", body = ErrorBody),
        (status = 422, description = "Unknown type, wrong legal basis, dates out of order", body = ErrorBody)
    )
)]
pub async fn add_intervention(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<InterventionInput>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let added = followup::add_intervention(&state, &user, id_in_path("case", &id)?, &body).await?;
    Ok((StatusCode::CREATED, Json(Created { id: added.id })))
}

/// Records a need in a case.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/needs",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case's identifier")),
    request_body = NeedBody,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the case's unit", body = ErrorBody),
        (status = 422, description = "Unknown life area or empty description", body = ErrorBody)
    )
)]
pub async fn add_need(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NeedBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let need = followup::add_need(
        &state,
        &user,
        id_in_path("case", &id)?,
        &body.life_area,
        &body.description,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: need })))
}

/// Sets a goal for a need of a case.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/needs/{need}/goals",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case"), ("need" = i64, Path, description = "The need")),
    request_body = GoalBody,
    responses(
        (status = 201, description = "Set", body = Created),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the case's unit", body = ErrorBody),
        (status = 404, description = "The need is not the case's", body = ErrorBody)
    )
)]
pub async fn add_goal(
    State(state): State<AppState>,
    user: SignedIn,
    Path((id, need)): Path<(String, String)>,
    ApiJson(body): ApiJson<GoalBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let goal = followup::add_goal(
        &state,
        &user,
        id_in_path("case", &id)?,
        id_in_path("need", &need)?,
        &body.description,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: goal })))
}

/// Records how a goal turned out at follow-up.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/goals/{goal}",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case"), ("goal" = i64, Path, description = "The goal")),
    request_body = GoalOutcomeBody,
    responses(
        (status = 204, description = "Recorded"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the case's unit", body = ErrorBody),
        (status = 404, description = "The goal is not the case's", body = ErrorBody)
    )
)]
pub async fn follow_up_goal(
    State(state): State<AppState>,
    user: SignedIn,
    Path((id, goal)): Path<(String, String)>,
    ApiJson(body): ApiJson<GoalOutcomeBody>,
) -> ApiResult<StatusCode> {
    followup::follow_up_goal(
        &state,
        &user,
        id_in_path("case", &id)?,
        id_in_path("goal", &goal)?,
        &body.outcome,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Scores and records a measurement in a case.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/measurements",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case")),
    request_body = MeasurementInput,
    responses(
        (status = 201, description = "Recorded, with its score (null when too many answers are missing)", body = Object),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the case's unit", body = ErrorBody),
        (status = 422, description = "Unknown instrument, an answer that is not an option, a follow-up without its month", body = ErrorBody)
    )
)]
pub async fn record_measurement(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MeasurementInput>,
) -> ApiResult<(StatusCode, Json<Measurement>)> {
    let measurement =
        followup::record_measurement(&state, &user, id_in_path("case", &id)?, &body).await?;
    Ok((StatusCode::CREATED, Json(measurement)))
}

/// A unit's follow-up table per intervention type and instrument; cells under 5 clients are null.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/follow-up",
    tag = "follow-up",
    params(("code" = String, Path, description = "The unit's code")),
    responses(
        (status = 200, description = "The table", body = Vec<FollowUpRowSummary>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner, unit_manager or municipality_analyst", body = ErrorBody)
    )
)]
pub async fn unit_follow_up(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<FollowUpRowSummary>>> {
    let unit = code_in_path(&code)?;
    let rows = followup::unit_follow_up(&state, &user, &unit).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// What to export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` (`;`-separated, decimal commas, UTF-8 with BOM) or `fhir` (a Bundle of
    /// QuestionnaireResponses). Default `csv`.
    pub format: Option<crate::export::ExportFormat>,
}

/// Exports a unit's measurements; clients appear by pseudonym only.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/measurements",
    tag = "follow-up",
    params(("code" = String, Path, description = "The unit's code"), ExportParams),
    responses(
        (status = 200, description = "The export (text/csv or application/fhir+json)"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody)
    )
)]
pub async fn export_measurements(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    crate::api::extract::ApiQuery(params): crate::api::extract::ApiQuery<ExportParams>,
) -> ApiResult<axum::response::Response> {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let unit = code_in_path(&code)?;
    Ok(
        match params.format.unwrap_or(crate::export::ExportFormat::Csv) {
            crate::export::ExportFormat::Csv => {
                let csv = crate::export::measurements_csv(&state, &user, &unit).await?;
                let disposition = format!("attachment; filename=\"measurements-{unit}.csv\"");
                (
                    [
                        (CONTENT_TYPE, crate::render::CSV_CONTENT_TYPE.to_owned()),
                        (CONTENT_DISPOSITION, disposition),
                    ],
                    csv,
                )
                    .into_response()
            }
            crate::export::ExportFormat::Fhir => {
                let bundle = crate::export::measurements_bundle(&state, &user, &unit).await?;
                ([(CONTENT_TYPE, "application/fhir+json")], bundle).into_response()
            }
        },
    )
}

/// When a case closed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct CloseCaseBody {
    /// The closing date, YYYY-MM-DD; today when left out.
    #[serde(default)]
    pub closed_on: Option<String>,
}

/// Closes a case; follow-ups that would fall after it are no longer due.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/close",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case")),
    request_body = CloseCaseBody,
    responses(
        (status = 204, description = "Closed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the case's unit", body = ErrorBody),
        (status = 404, description = "No open case with this id", body = ErrorBody),
        (status = 422, description = "A bad date, or one before the case was opened", body = ErrorBody)
    )
)]
pub async fn close_case(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CloseCaseBody>,
) -> ApiResult<StatusCode> {
    followup::close_case(
        &state,
        &user,
        id_in_path("case", &id)?,
        body.closed_on.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything Evident holds about a client, and who accessed it (GDPR art. 15,
/// "registerutdrag"); needs read access to identified data at every unit with a case of the
/// client. The extract itself is recorded in the audit trail.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}/record",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The client")),
    responses(
        (status = 200, description = "The client's record: client, cases (interventions, needs with goals, measurements with answers), accesses"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager at every unit with a case of the client", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody)
    )
)]
pub async fn client_record(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<crate::service::record::ClientRecord>> {
    let id = id_in_path("client", &id)?;
    Ok(Json(
        crate::service::record::client_record(&state, &user, id).await?,
    ))
}
