//! The organisation tree: listing nodes by level and reading one node.

use crate::AppState;
use crate::api::extract::ApiQuery;
use crate::api::model::{Level, OrgDetail, OrgSummary};
use crate::auth::SignedIn;
use crate::error::{ApiResult, AppError, ErrorBody, code_in_path};
use axum::Json;
use axum::extract::{Path, State};
use evident_core::access::{Action, DataClass};
use evident_core::{OrgCode, OrgLevel};
use serde::Deserialize;
use utoipa::IntoParams;

/// Which nodes to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgListParams {
    /// The level to list. Defaults to the level just below `parent`, or to counties.
    pub level: Option<Level>,
    /// Only nodes within this node's subtree (its children, or deeper: `level=unit&parent=03`
    /// lists every unit in county 03).
    pub parent: Option<String>,
}

/// Lists the nodes of one level of the organisation tree, in code order.
#[utoipa::path(
    get,
    path = "/api/v1/orgs",
    tag = "orgs",
    params(OrgListParams),
    responses(
        (status = 200, description = "The nodes", body = Vec<OrgSummary>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "The parent does not exist", body = ErrorBody),
        (status = 422, description = "A level or parent that cannot be listed", body = ErrorBody)
    )
)]
pub async fn list_orgs(
    State(state): State<AppState>,
    user: SignedIn,
    ApiQuery(params): ApiQuery<OrgListParams>,
) -> ApiResult<Json<Vec<OrgSummary>>> {
    let parent = params
        .parent
        .as_deref()
        .map(|raw| {
            OrgCode::parse(raw).map_err(|e| AppError::Invalid(format!("parent: {}", e.problem)))
        })
        .transpose()?;
    let scope = parent.clone().unwrap_or_else(OrgCode::nation);
    user.authorize(
        Action::Read,
        &scope,
        DataClass::Public,
        &format!("org:{scope}"),
    )
    .await?;
    if let Some(parent) = &parent {
        state.store.get_org(parent).await?;
    }
    let level = match (params.level, &parent) {
        (Some(level), _) => OrgLevel::from(level),
        (None, Some(parent)) => child_level(parent.level()).ok_or_else(|| {
            AppError::Invalid(format!(
                "parent: {parent} is a unit, which has nothing below it"
            ))
        })?,
        (None, None) => OrgLevel::County,
    };
    if let Some(parent) = &parent
        && level <= parent.level()
    {
        return Err(AppError::Invalid(format!(
            "level: {} is not below {parent}, a {}",
            level.as_str(),
            parent.level().as_str()
        ))
        .into());
    }
    let nodes = state.store.list_orgs(level, parent.as_ref()).await?;
    Ok(Json(nodes.into_iter().map(OrgSummary::from).collect()))
}

/// Reads one node: its place in the tree and, for a unit, who runs it.
#[utoipa::path(
    get,
    path = "/api/v1/orgs/{code}",
    tag = "orgs",
    params(("code" = String, Path, description = "The node's code, e.g. 03, 0380 or 0380-0001")),
    responses(
        (status = 200, description = "The node", body = OrgDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No node has this code", body = ErrorBody)
    )
)]
pub async fn get_org(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
) -> ApiResult<Json<OrgDetail>> {
    let code = code_in_path(&code)?;
    user.authorize(
        Action::Read,
        &code,
        DataClass::Public,
        &format!("org:{code}"),
    )
    .await?;
    let node = state.store.get_org(&code).await?;
    let mut path = Vec::new();
    for ancestor in code.lineage().iter().filter(|c| **c != code) {
        path.push(state.store.get_org(ancestor).await?.into());
    }
    let unit = match code.level() {
        OrgLevel::Unit => Some(state.store.get_unit(&code).await?.into()),
        _ => None,
    };
    Ok(Json(OrgDetail {
        node: node.into(),
        path,
        unit,
    }))
}

fn child_level(level: OrgLevel) -> Option<OrgLevel> {
    match level {
        OrgLevel::Nation => Some(OrgLevel::County),
        OrgLevel::County => Some(OrgLevel::Municipality),
        OrgLevel::Municipality => Some(OrgLevel::Unit),
        OrgLevel::Unit => None,
    }
}
