//! Health and the OpenAPI document.

use crate::AppState;
use crate::api::model::Health;
use crate::error::{ApiResult, ErrorBody};
use axum::extract::State;
use axum::{Extension, Json};
use evident_core::OrgCode;
use std::sync::Arc;

/// Whether the server and its database answer.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "system",
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = ErrorBody)
    )
)]
pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.get_org(&OrgCode::nation()).await?;
    Ok(Json(Health {
        status: "ok".to_owned(),
    }))
}

/// This API's OpenAPI 3 document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "system",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"))
)]
pub async fn openapi_json(
    Extension(document): Extension<Arc<utoipa::openapi::OpenApi>>,
) -> Json<utoipa::openapi::OpenApi> {
    Json((*document).clone())
}
