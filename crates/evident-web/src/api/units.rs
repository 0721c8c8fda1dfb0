//! Creating, reading and editing units.

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::api::model::{NewUnitBody, UnitBody, UnitSummary};
use crate::auth::SignedIn;
use crate::error::{ApiResult, AppError, ErrorBody, code_in_path};
use crate::service::orgs;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::IntoResponse;
use evident_core::access::{Action, DataClass};
use evident_core::{OrgCode, OrgLevel, UnitUpdate};

impl UnitBody {
    fn validate(&self) -> Result<UnitUpdate, AppError> {
        Ok(UnitUpdate::try_new(
            &self.name,
            self.provider.into(),
            self.operator.as_deref(),
            self.area.into(),
        )?)
    }
}

/// Creates a unit under a municipality; Evident assigns its code.
#[utoipa::path(
    post,
    path = "/api/v1/units",
    tag = "orgs",
    request_body = NewUnitBody,
    responses(
        (status = 201, description = "The unit was created", body = UnitSummary,
         headers(("Location" = String, description = "The new unit's URL"))),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs admin on the municipality or above", body = ErrorBody),
        (status = 422, description = "A missing or invalid field, named in the detail", body = ErrorBody)
    )
)]
pub async fn create_unit(
    State(state): State<AppState>,
    user: SignedIn,
    ApiJson(body): ApiJson<NewUnitBody>,
) -> ApiResult<impl IntoResponse> {
    let municipality =
        OrgCode::parse_at("municipality", &body.municipality, OrgLevel::Municipality)?;
    let allowed = orgs::authorize_manage_units(&user, &municipality).await?;
    let details = body.details().validate()?;
    let created = match orgs::create_unit(&state, &user, allowed, details).await {
        Err(AppError::NotFound(what)) => {
            return Err(AppError::Invalid(format!("municipality: {what} not found")).into());
        }
        other => other?,
    };
    let location = format!("/api/v1/units/{}", created.code);
    Ok((
        StatusCode::CREATED,
        [(LOCATION, location)],
        Json(UnitSummary::from(created)),
    ))
}

/// Reads a unit.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}",
    tag = "orgs",
    params(("code" = String, Path, description = "The unit's code, e.g. 0380-0001")),
    responses(
        (status = 200, description = "The unit", body = UnitSummary),
        (status = 404, description = "No unit has this code", body = ErrorBody)
    )
)]
pub async fn get_unit(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
) -> ApiResult<Json<UnitSummary>> {
    let code = code_in_path(&code)?;
    user.authorize(
        Action::Read,
        &code,
        DataClass::Public,
        &format!("unit:{code}"),
    )
    .await?;
    Ok(Json(state.store.get_unit(&code).await?.into()))
}

/// Replaces what is said about a unit: name, provider, operator and area.
#[utoipa::path(
    put,
    path = "/api/v1/units/{code}",
    tag = "orgs",
    params(("code" = String, Path, description = "The unit's code")),
    request_body = UnitBody,
    responses(
        (status = 200, description = "The unit as it is now", body = UnitSummary),
        (status = 404, description = "No unit has this code", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs admin on the municipality or above", body = ErrorBody),
        (status = 422, description = "A missing or invalid field, named in the detail", body = ErrorBody)
    )
)]
pub async fn update_unit(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    ApiJson(body): ApiJson<UnitBody>,
) -> ApiResult<Json<UnitSummary>> {
    let code = code_in_path(&code)?;
    let allowed = orgs::authorize_manage_units(&user, &code).await?;
    let updated = orgs::update_unit(&state, &user, &allowed, &body.validate()?).await?;
    Ok(Json(updated.into()))
}
