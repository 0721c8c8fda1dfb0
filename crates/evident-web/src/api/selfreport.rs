//! Self-report links over the API: staff create a link for a case's client (the token is in
//! the answer once, never again), list the case's links with their status, and revoke one. The
//! client's side is public and needs only the token: the questions, and one submission of the
//! answers.

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::auth::SignedIn;
use crate::error::{ApiResult, AppError, ErrorBody, id_in_path};
use crate::service::selfreport::{self, LinkRequest, Opened};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use evident_core::followup::instrument::Answers;
use evident_core::participation::selfreport::{LinkStatus, SelfReportLink};
use evident_store::Unusable;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A link as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkBody {
    /// Its id.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// The instrument and version.
    pub instrument: String,
    /// The version.
    pub instrument_version: String,
    /// `baseline`, `follow_up` or `end`.
    pub time_point: String,
    /// The follow-up month.
    pub month: Option<u32>,
    /// `pending`, `answered`, `expired` or `revoked`.
    pub status: String,
    /// When it expires (Unix seconds).
    pub expires_at: i64,
    /// The measurement the answer became.
    pub measurement_id: Option<i64>,
    /// Who created it.
    pub created_by: String,
}

impl LinkBody {
    /// The link as the API shows it, with its status at `now` (Unix seconds).
    fn new(link: &SelfReportLink, now: i64) -> Self {
        Self {
            id: link.id,
            case_id: link.case_id,
            instrument: link.instrument_id.clone(),
            instrument_version: link.instrument_version.clone(),
            time_point: link.time_point.as_str().to_owned(),
            month: link.month,
            status: link.status(now).as_str().to_owned(),
            expires_at: link.expires_at,
            measurement_id: link.measurement_id,
            created_by: link.created_by.clone(),
        }
    }
}

/// A link just created: the only time its token is given out.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedLinkBody {
    /// The link.
    pub link: LinkBody,
    /// The token; the client's page is `/s/{token}`.
    pub token: String,
    /// The path to give the client.
    pub path: String,
}

/// Creates a self-report link for a case's client; needs practitioner or unit_manager on the
/// case's unit.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/self-report-links",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case")),
    request_body = LinkRequest,
    responses(
        (status = 201, description = "Created; the token is shown only now", body = CreatedLinkBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody),
        (status = 422, description = "A field is wrong", body = ErrorBody)
    )
)]
pub async fn create_link(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case): Path<String>,
    ApiJson(body): ApiJson<LinkRequest>,
) -> ApiResult<(StatusCode, Json<CreatedLinkBody>)> {
    let created = selfreport::create_link(&state, &user, id_in_path("case", &case)?, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedLinkBody {
            link: LinkBody::new(&created.link, state.clock.now().timestamp()),
            path: format!("/s/{}", created.token.expose()),
            token: created.token.expose().to_owned(),
        }),
    ))
}

/// A case's self-report links, newest first, with their status.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/self-report-links",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case")),
    responses(
        (status = 200, description = "The links", body = Vec<LinkBody>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody)
    )
)]
pub async fn list_links(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case): Path<String>,
) -> ApiResult<Json<Vec<LinkBody>>> {
    let links = selfreport::list_links(&state, &user, id_in_path("case", &case)?).await?;
    let now = state.clock.now().timestamp();
    Ok(Json(links.iter().map(|l| LinkBody::new(l, now)).collect()))
}

/// Revokes a pending self-report link.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/self-report-links/{link}/revoke",
    tag = "follow-up",
    params(("id" = i64, Path, description = "The case"), ("link" = i64, Path, description = "The link")),
    responses(
        (status = 200, description = "Revoked", body = LinkBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager on the unit", body = ErrorBody),
        (status = 404, description = "No such link in this case", body = ErrorBody),
        (status = 422, description = "The link is not pending", body = ErrorBody)
    )
)]
pub async fn revoke_link(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case, link)): Path<(String, String)>,
) -> ApiResult<Json<LinkBody>> {
    let link = selfreport::revoke_link(
        &state,
        &user,
        id_in_path("case", &case)?,
        id_in_path("link", &link)?,
    )
    .await?;
    Ok(Json(LinkBody::new(&link, state.clock.now().timestamp())))
}

/// One question for the client.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionBody {
    /// The item's linkId, the key of its answer.
    pub link_id: String,
    /// The question.
    pub text: String,
    /// The options: code and label.
    pub options: Vec<(String, String)>,
}

/// What a token opens.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfReportForm {
    /// The instrument's title.
    pub title: String,
    /// Every question; all must be answered.
    pub questions: Vec<QuestionBody>,
}

fn unusable(why: Unusable) -> AppError {
    match why {
        Unusable::Unknown => AppError::NotFound("self-report link".to_owned()),
        Unusable::Not(LinkStatus::Answered) => AppError::Conflict(
            "this link has been answered already; it can be used once".to_owned(),
        ),
        Unusable::Not(LinkStatus::Expired) => AppError::Invalid(
            "this link has expired; ask the person who sent it for a new one".to_owned(),
        ),
        Unusable::Not(_) => AppError::Invalid(
            "this link has been withdrawn; ask the person who sent it for a new one".to_owned(),
        ),
    }
}

/// The questions behind a self-report token (public: the token is the credential).
#[utoipa::path(
    get,
    path = "/api/v1/self-report/{token}",
    tag = "follow-up",
    security(()),
    params(("token" = String, Path, description = "The link's token")),
    responses(
        (status = 200, description = "The questions", body = SelfReportForm),
        (status = 404, description = "Unknown token", body = ErrorBody),
        (status = 409, description = "Answered already", body = ErrorBody),
        (status = 422, description = "Expired or withdrawn", body = ErrorBody)
    )
)]
pub async fn self_report_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<SelfReportForm>> {
    match selfreport::open(&state, &token).await? {
        Opened::Ready { instrument, .. } => Ok(Json(SelfReportForm {
            title: instrument.title.clone(),
            questions: instrument
                .items
                .iter()
                .map(|item| QuestionBody {
                    link_id: item.link_id.clone(),
                    text: item.text.clone(),
                    options: item
                        .options
                        .iter()
                        .map(|o| (o.code.clone(), o.display.clone()))
                        .collect(),
                })
                .collect(),
        })),
        Opened::Unusable(why) => Err(unusable(why).into()),
    }
}

/// The client's answers.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswersBody {
    /// The chosen option code per question `link_id`.
    pub answers: Answers,
}

/// Submits the answers behind a self-report token, once (public: the token is the credential).
#[utoipa::path(
    post,
    path = "/api/v1/self-report/{token}",
    tag = "follow-up",
    security(()),
    params(("token" = String, Path, description = "The link's token")),
    request_body = AnswersBody,
    responses(
        (status = 201, description = "Stored as a measurement with respondent client"),
        (status = 404, description = "Unknown token", body = ErrorBody),
        (status = 409, description = "Answered already: nothing is stored twice", body = ErrorBody),
        (status = 422, description = "An answer is missing or not an option, or the link expired", body = ErrorBody)
    )
)]
pub async fn answer_self_report(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<AnswersBody>,
) -> ApiResult<StatusCode> {
    match selfreport::answer(&state, &token, &body.answers).await? {
        Ok(_) => Ok(StatusCode::CREATED),
        Err(why) => Err(unusable(why).into()),
    }
}
