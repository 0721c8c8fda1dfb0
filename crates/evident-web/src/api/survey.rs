//! Client surveys over the API: unit staff publish a survey for their unit and a period (the
//! token is in the answer once), list and close publications; results per node come after
//! disclosure control. The respondent's side is public and needs only the token: the questions,
//! and one answer per browser (the nonce cookie is set on the first request) or, for a
//! publication by codes, one answer per one-time respondent code.

use crate::AppState;
use crate::api::extract::{ApiJson, ApiQuery};
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody};
use crate::service::survey::{
    self, Nonce, PublishRequest, Respondent, SurveyResults, Unanswerable,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use evident_core::followup::unit_table::Cell;
use evident_core::participation::survey::{
    IntegrityMode, SurveyAnswers, SurveyDefinition, SurveyPublication,
};
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
    /// How it keeps one person from answering many times: `codes` or `link`.
    pub integrity: String,
    /// Respondent codes issued (publications by codes).
    pub codes_issued: u64,
    /// Respondent codes used, each for one answer.
    pub codes_used: u64,
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
            integrity: p.integrity.to_string(),
            codes_issued: p.codes_issued,
            codes_used: p.codes_used,
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

/// How many respondent codes to issue.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueCodesRequest {
    /// From 1 to 5 000.
    pub count: usize,
}

/// Respondent codes just issued: the only time they are given out.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedCodesBody {
    /// The publication, with its new counts.
    pub publication: PublicationBody,
    /// The codes as printed (`7KQ2M-XW4PD`); case, spaces and dashes do not matter when typed.
    pub codes: Vec<String>,
}

/// Issues one-time respondent codes for an open publication by codes: to print on slips or
/// send by SMS, each good for one answer. Only digests are kept; the codes are in this answer
/// once.
#[utoipa::path(
    post,
    path = "/api/v1/survey-publications/{id}/codes",
    tag = "surveys",
    params(("id" = i64, Path, description = "The publication")),
    request_body = IssueCodesRequest,
    responses(
        (status = 201, description = "Issued; the codes are shown only now", body = IssuedCodesBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody),
        (status = 404, description = "No such publication", body = ErrorBody),
        (status = 422, description = "A bad count, or the publication is closed or by link", body = ErrorBody)
    )
)]
pub async fn issue_codes(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<IssueCodesRequest>,
) -> ApiResult<(StatusCode, Json<IssuedCodesBody>)> {
    let id = crate::error::id_in_path("survey publication", &id)?;
    let issued = survey::issue_codes(&state, &user, id, body.count).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCodesBody {
            publication: PublicationBody::new(&issued.publication, None),
            codes: issued.codes.iter().map(|c| c.printed()).collect(),
        }),
    ))
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
    /// The integrity modes (`codes`, `link`) of the publications the figures rest on.
    pub integrity: Vec<String>,
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
            integrity: r.integrity.iter().map(ToString::to_string).collect(),
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
    /// Whether an answer needs a one-time respondent code (`code` in the answer).
    pub needs_code: bool,
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
    let (publication, d) = survey::open(&state, &token)
        .await?
        .map_err(Unanswerable::into_error)?;
    Ok(Json(form_body(&publication, &d)))
}

/// A respondent code typed alone (from a slip or a text message).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeBody {
    /// The code, e.g. `7KQ2M-XW4PD`; case, spaces and dashes do not matter.
    pub code: String,
}

/// The questions of the survey a respondent code belongs to (public: the code is the
/// credential; wrong codes from one address are limited).
#[utoipa::path(
    post,
    path = "/api/v1/q/questions",
    tag = "surveys",
    security(()),
    request_body = CodeBody,
    responses(
        (status = 200, description = "The questions", body = SurveyFormBody),
        (status = 422, description = "Not an unused respondent code, or the survey is closed", body = ErrorBody),
        (status = 429, description = "Too many wrong codes from this address just now", body = ErrorBody)
    )
)]
pub async fn survey_form_by_code(
    State(state): State<AppState>,
    nonce: Nonce,
    ApiJson(body): ApiJson<CodeBody>,
) -> ApiResult<Json<SurveyFormBody>> {
    let (publication, d) = survey::open_by_code(&state, &body.code, nonce.address.as_deref())
        .await?
        .map_err(Unanswerable::into_error)?;
    Ok(Json(form_body(&publication, &d)))
}

fn form_body(publication: &SurveyPublication, d: &SurveyDefinition) -> SurveyFormBody {
    SurveyFormBody {
        survey: d.id.clone(),
        title_sv: d.title.sv.clone(),
        title_en: d.title.en.clone(),
        needs_code: publication.integrity == IntegrityMode::Codes,
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
    }
}

/// A respondent's answers.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SurveyAnswersBody {
    /// The option code (or free text) per question id.
    pub answers: SurveyAnswers,
    /// The one-time respondent code, for a publication by codes.
    #[serde(default)]
    pub code: Option<String>,
}

/// Answers a survey (public: the token is the credential): once per browser for a publication
/// by link, once per respondent code for one by codes. Nothing that identifies the respondent is
/// stored.
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
        (status = 422, description = "An answer is missing or not an option, the survey is closed, or the respondent code is missing, wrong or used", body = ErrorBody),
        (status = 429, description = "Too many answers or wrong codes from this address just now", body = ErrorBody)
    )
)]
pub async fn answer_survey(
    State(state): State<AppState>,
    Path(token): Path<String>,
    nonce: Nonce,
    ApiJson(body): ApiJson<SurveyAnswersBody>,
) -> ApiResult<Response> {
    let cookie = nonce.set_cookie(state.config.secure_cookies);
    let respondent = Respondent {
        nonce: &nonce.value,
        code: body.code.as_deref(),
        address: nonce.address.as_deref(),
    };
    survey::answer::answer(&state, Some(&token), respondent, &body.answers)
        .await?
        .map_err(Unanswerable::into_error)?;
    Ok((StatusCode::CREATED, cookie).into_response())
}

/// Answers the survey a respondent code belongs to, using the code up (public: the code is the
/// credential). Nothing that identifies the respondent is stored.
#[utoipa::path(
    post,
    path = "/api/v1/q",
    tag = "surveys",
    security(()),
    request_body = SurveyAnswersBody,
    responses(
        (status = 201, description = "Stored"),
        (status = 422, description = "An answer is missing or not an option, the survey is closed, or the code is missing, wrong or used", body = ErrorBody),
        (status = 429, description = "Too many wrong codes from this address just now", body = ErrorBody)
    )
)]
pub async fn answer_by_code(
    State(state): State<AppState>,
    nonce: Nonce,
    ApiJson(body): ApiJson<SurveyAnswersBody>,
) -> ApiResult<StatusCode> {
    let respondent = Respondent {
        nonce: &nonce.value,
        code: body.code.as_deref(),
        address: nonce.address.as_deref(),
    };
    survey::answer::answer(&state, None, respondent, &body.answers)
        .await?
        .map_err(Unanswerable::into_error)?;
    Ok(StatusCode::CREATED)
}
