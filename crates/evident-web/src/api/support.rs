//! Regional support structures and their dialog partners.

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::api::model::{DialogPartnerSummary, NewDialogPartnerBody, SupportStructureSummary};
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody, code_in_path};
use crate::service::orgs;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use evident_core::NewDialogPartner;
use evident_core::access::{Action, DataClass};

/// Reads a county's support structure with its dialog partners.
#[utoipa::path(
    get,
    path = "/api/v1/counties/{code}/support-structure",
    tag = "support",
    params(("code" = String, Path, description = "The county's code, e.g. 03")),
    responses(
        (status = 200, description = "The support structure", body = SupportStructureSummary),
        (status = 404, description = "No county has this code", body = ErrorBody)
    )
)]
pub async fn get_support_structure(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
) -> ApiResult<Json<SupportStructureSummary>> {
    let code = code_in_path(&code)?;
    user.authorize(
        Action::Read,
        &code,
        DataClass::Public,
        &format!("county:{code}"),
    )
    .await?;
    Ok(Json(state.store.get_support_structure(&code).await?.into()))
}

/// Adds a dialog partner to a county's support structure.
#[utoipa::path(
    post,
    path = "/api/v1/counties/{code}/support-structure/partners",
    tag = "support",
    params(("code" = String, Path, description = "The county's code")),
    request_body = NewDialogPartnerBody,
    responses(
        (status = 201, description = "The partner was added", body = DialogPartnerSummary),
        (status = 404, description = "No county has this code", body = ErrorBody),
        (status = 422, description = "A missing or invalid field, named in the detail", body = ErrorBody)
    )
)]
pub async fn add_dialog_partner(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<NewDialogPartnerBody>,
) -> ApiResult<(StatusCode, Json<DialogPartnerSummary>)> {
    let county = code_in_path(&code)?;
    let allowed = orgs::authorize_manage_support(&user, &county).await?;
    let partner = NewDialogPartner::parse(county.as_str(), &body.name, &body.role, &body.email)
        .map_err(|e| {
            if e.field == "county" {
                crate::AppError::NotFound(format!("county {code}"))
            } else {
                e.into()
            }
        })?;
    let added = orgs::add_dialog_partner(&state, &user, &allowed, &partner).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Removes a dialog partner from a county's support structure.
#[utoipa::path(
    delete,
    path = "/api/v1/counties/{code}/support-structure/partners/{id}",
    tag = "support",
    params(
        ("code" = String, Path, description = "The county's code"),
        ("id" = i64, Path, description = "The partner's identifier")
    ),
    responses(
        (status = 204, description = "The partner was removed"),
        (status = 404, description = "The county has no such partner", body = ErrorBody)
    )
)]
pub async fn remove_dialog_partner(
    State(state): State<AppState>,
    user: SignedIn,
    Path((code, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let county = code_in_path(&code)?;
    orgs::remove_dialog_partner(&state, &user, &county, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
