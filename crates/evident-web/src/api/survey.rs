//! Client surveys over the API: unit staff publish a survey for their unit and a period (the
//! token is in the answer once), list and close publications; results per node come after
//! disclosure control. The respondent's side is public and needs only the token: the questions,
//! and one answer per browser (the nonce cookie is set on the first request).

use crate::AppState;
use crate::api::extract::{ApiJson, ApiQuery};
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody};
use crate::service::survey::{self, Nonce, PublishRequest, SurveyResults, Unanswerable};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use evident_core::followup::unit_table::Cell;
use evident_core::participation::survey::{SurveyAnswers, SurveyPublication};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A publication as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicationBody {
    /// Its id.
    pub id: i64,
    /// The survey.
    pub survey: String,
    /// The survey's version.
    pub survey_version: String,
    /// The unit.
    pub unit: String,
    /// The period, e.g. `2026` or `2026Q4`.
    pub period: String,
    /// `open` or `closed`.
    pub status: String,
    /// How many have answered (a count of the unit's own survey, for its staff).
    pub answers: Option<u64>,
    /// Who published it.
    pub created_by: String,
}

impl PublicationBody {
    fn new(p: &SurveyPublication, answers: Option<u64>) -> Self {
        Self {
            id: p.id,
            survey: p.survey_id.clone(),
            survey_version: p.survey_version.clone(),
            unit: p.unit.to_string(),
            period: p.period.to_string(),
            status: if p.is_open() { "open" } else { "closed" }.to_owned(),
            answers,
            created_by: p.created_by.clone(),
        }
    }
}

/// A publication just made: the only time its token is given out.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPublicationBody {
    /// The publication.
    pub publication: PublicationBody,
    /// The token; the respondents' page is `/q/{token}`.
    pub token: String,
    /// The path to hand out.
    pub path: String,
}

/// Publishes a survey for a unit and period; needs practitioner or unit_manager on the unit.
#[utoipa::path(
    post,
    path = "/api/v1/units/{code}/survey-publications",
    tag = "surveys",
    params(("code" = String, Path, description = "The unit")),
    request_body = PublishRequest,
    responses(
        (status = 201, description = "Published; the token is shown only now", body = CreatedPublicationBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody),
        (status = 422, description = "Unknown survey or a bad period", body = ErrorBody)
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<PublishRequest>,
) -> ApiResult<(StatusCode, Json<CreatedPublicationBody>)> {
    let unit = survey::unit_code(&code)?;
    let created = survey::publish(&state, &user, &unit, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedPublicationBody {
            publication: PublicationBody::new(&created.publication, Some(0)),
            path: format!("/q/{}", created.token.expose()),
            token: created.token.expose().to_owned(),
        }),
    ))
}

/// A unit's survey publications, newest first, with their number of answers.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}/survey-publications",
    tag = "surveys",
    params(("code" = String, Path, description = "The unit")),
    responses(
        (status = 200, description = "The publications", body = Vec<PublicationBody>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody)
    )
)]
pub async fn list_publications(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<PublicationBody>>> {
    let unit = survey::unit_code(&code)?;
    let list = survey::list_publications(&state, &user, &unit).await?;
    Ok(Json(
        list.iter()
            .map(|(p, n)| PublicationBody::new(p, Some(*n)))
            .collect(),
    ))
}

/// Closes a survey publication: its link takes no more answers.
#[utoipa::path(
    post,
    path = "/api/v1/survey-publications/{id}/close",
    tag = "surveys",
    params(("id" = i64, Path, description = "The publication")),
    responses(
        (status = 200, description = "Closed", body = PublicationBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody),
        (status = 404, description = "No such publication", body = ErrorBody),
        (status = 422, description = "Closed already", body = ErrorBody)
    )
)]
pub async fn close_publication(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<PublicationBody>> {
    let id = crate::error::id_in_path("survey publication", &id)?;
    let publication = survey::close(&state, &user, id).await?;
    Ok(Json(PublicationBody::new(&publication, None)))
}

/// Which results.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ResultsQuery {
    /// The period, e.g. `2026` or `2026Q4`.
    pub period: String,
    /// The node: `SE`, a county, a municipality or a unit (default `SE`).
    pub node: Option<String>,
}

/// A figure after disclosure control: `null` when withheld.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionResultBody {
    /// The question.
    pub question: String,
    /// How many answered it; `null` when withheld.
    pub answers: Option<u64>,
    /// The share (0–1) answering positively; `null` when withheld.
    pub share_positive: Option<f64>,
    /// Whether the figures are withheld (fewer than five answers, or to protect one that is).
    pub suppressed: bool,
}

/// One node's results.
#[derive(Debug, Serialize, ToSchema)]
pub struct NodeResultBody {
    /// The node's code.
    pub code: String,
    /// How many answered; `null` when withheld.
    pub respondents: Option<u64>,
    /// Whether the respondents are withheld.
    pub suppressed: bool,
    /// Per scale question.
    pub questions: Vec<QuestionResultBody>,
}

/// Results of a survey and period at a node.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsBody {
    /// The survey.
    pub survey: String,
    /// The period.
    pub period: String,
    /// The node asked for.
    pub node: String,
    /// The node's lineage (nation first) and its children, after disclosure control.
    pub rows: Vec<NodeResultBody>,
    /// The unit's free-text answers: only for the unit's own staff, from five answers up.
    pub free_text: Option<Vec<String>>,
}

impl From<SurveyResults> for ResultsBody {
    fn from(r: SurveyResults) -> Self {
        Self {
            survey: r.definition.id.clone(),
            period: r.period.to_string(),
            node: r.node.to_string(),
            rows: r
                .rows
                .iter()
                .map(|row| NodeResultBody {
                    code: row.code.to_string(),
                    respondents: row.respondents.value(),
                    suppressed: row.respondents == Cell::Suppressed,
                    questions: row
                        .questions
                        .iter()
                        .map(|q| QuestionResultBody {
                            question: q.question.clone(),
                            answers: q.answers.value(),
                            share_positive: q.share_positive.value(),
                            suppressed: q.answers == Cell::Suppressed,
                        })
                        .collect(),
                })
                .collect(),
            free_text: r.free_text,
        }
    }
}

/// A survey's results for a period at a node, through disclosure control. A unit's results
/// need aggregate read access to it; higher nodes are published figures.
#[utoipa::path(
    get,
    path = "/api/v1/surveys/{id}/results",
    tag = "surveys",
    params(("id" = String, Path, description = "The survey"), ResultsQuery),
    responses(
        (status = 200, description = "The results", body = ResultsBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No aggregate access to the unit", body = ErrorBody),
        (status = 404, description = "Unknown survey or node", body = ErrorBody),
        (status = 422, description = "A bad period", body = ErrorBody)
    )
)]
pub async fn survey_results(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ResultsQuery>,
) -> ApiResult<Json<ResultsBody>> {
    let node = query.node.as_deref().unwrap_or("SE");
    let results = survey::results(&state, &user, &id, &query.period, node).await?;
    Ok(Json(results.into()))
}

/// One question for the respondent.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyQuestionBody {
    /// The key of its answer.
    pub id: String,
    /// The question (Swedish).
    pub text_sv: String,
    /// The question (English).
    pub text_en: String,
    /// Whether it must be answered.
    pub required: bool,
    /// The options as (code, Swedish label, English label); empty for free text.
    pub options: Vec<(String, String, String)>,
    /// The longest answer, for free text.
    pub max_chars: Option<usize>,
}

/// What a survey token opens.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyFormBody {
    /// The survey.
    pub survey: String,
    /// The title (Swedish).
    pub title_sv: String,
    /// The title (English).
    pub title_en: String,
    /// The questions.
    pub questions: Vec<SurveyQuestionBody>,
}

/// The questions behind a survey token (public: the token is the credential).
#[utoipa::path(
    get,
    path = "/api/v1/q/{token}",
    tag = "surveys",
    security(()),
    params(("token" = String, Path, description = "The survey link's token")),
    responses(
        (status = 200, description = "The questions", body = SurveyFormBody),
        (status = 404, description = "Unknown token", body = ErrorBody),
        (status = 422, description = "The survey is closed", body = ErrorBody)
    )
)]
pub async fn survey_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<SurveyFormBody>> {
    let (_, d) = survey::open(&state, &token)
        .await?
        .map_err(Unanswerable::into_error)?;
    Ok(Json(SurveyFormBody {
        survey: d.id.clone(),
        title_sv: d.title.sv.clone(),
        title_en: d.title.en.clone(),
        questions: d
            .questions
            .iter()
            .map(|q| SurveyQuestionBody {
                id: q.id.clone(),
                text_sv: q.text.sv.clone(),
                text_en: q.text.en.clone(),
                required: q.required,
                options: q
                    .scale
                    .iter()
                    .flat_map(|s| &s.options)
                    .map(|o| (o.code.clone(), o.label.sv.clone(), o.label.en.clone()))
                    .collect(),
                max_chars: q.free_text.map(|f| f.max_chars),
            })
            .collect(),
    }))
}

/// A respondent's answers.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SurveyAnswersBody {
    /// The option code (or free text) per question id.
    pub answers: SurveyAnswers,
}

/// Answers a survey, once per browser (public: the token is the credential). Nothing that
/// identifies the respondent is stored.
#[utoipa::path(
    post,
    path = "/api/v1/q/{token}",
    tag = "surveys",
    security(()),
    params(("token" = String, Path, description = "The survey link's token")),
    request_body = SurveyAnswersBody,
    responses(
        (status = 201, description = "Stored"),
        (status = 404, description = "Unknown token", body = ErrorBody),
        (status = 409, description = "This browser has answered already", body = ErrorBody),
        (status = 422, description = "An answer is missing or not an option, or the survey is closed", body = ErrorBody),
        (status = 429, description = "Too many answers from this address just now", body = ErrorBody)
    )
)]
pub async fn answer_survey(
    State(state): State<AppState>,
    Path(token): Path<String>,
    nonce: Nonce,
    ApiJson(body): ApiJson<SurveyAnswersBody>,
) -> ApiResult<Response> {
    let cookie = nonce.set_cookie(state.config.secure_cookies);
    survey::answer(
        &state,
        &token,
        &nonce.value,
        nonce.address.as_deref(),
        &body.answers,
    )
    .await?
    .map_err(Unanswerable::into_error)?;
    Ok((StatusCode::CREATED, cookie).into_response())
}
