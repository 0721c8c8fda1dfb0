//! Open comparisons as JSON, in the shape Kolada (the Swedish municipal KPI database) users
//! already script against: `/kpi` for metadata, `/data/kpi/{id}/municipality/{m}/year/{p}` for
//! values, `/oudata/kpi/{id}/ou/{unit}/year/{p}` for units; each answer is
//! `{"count", "values"}`, and each value carries a gender breakdown (`T` total, `K` women, `M`
//! men) with a status (`""`, `"Missing"`, `"Suppressed"`, and Evident's `"NotApplicable"` for a
//! breakdown that does not apply, such as children at an elderly-care unit). As in Kolada, ids, organisation
//! codes and periods may be given as comma-separated lists.
//!
//! Differences from Kolada, stated in the OpenAPI document: periods may be quarters
//! (`2025Q3`); organisation ids are Evident's codes (`SE`, county `03`, municipality `0380`);
//! each value also has its 95 % interval and an `age` breakdown; `variant` selects a split by
//! instrument or intervention type. Everything has passed disclosure control: a suppressed cell
//! has no number, and no data is `null` with status `Missing`, never 0. Values are computed as
//! of a date (`as_of` in the metadata): the period holding it is marked `preliminary`, and a
//! period that has not begun is not found (404). So are unknown indicators, organisation codes
//! and periods before an indicator's first data: a typo is never answered as missing data.
//!
//! Comparison groups (user-defined sets of municipalities for profiles) are managed here too.

use crate::AppState;
use crate::api::extract::{ApiJson, ApiQuery};
use crate::auth::{SignedIn, Viewer};
use crate::conditional;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::service::comparisons::{self, SelectionParams, display_number};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use evident_core::indicator::group::{ComparisonGroup, NewComparisonGroup};
use evident_core::indicator::{Better, CATEGORIES, Definition, Period, Published, ValueUnit};
use evident_core::{OrgCode, OrgLevel};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A list answer, as Kolada gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiList {
    /// How many values.
    pub count: usize,
    /// The indicators.
    pub values: Vec<Kpi>,
}

/// An indicator's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct Kpi {
    /// The id (`EVI001`).
    pub id: String,
    /// The Swedish title.
    pub title: String,
    /// The Swedish description.
    pub description: String,
    /// The English title.
    pub title_en: String,
    /// The English description.
    pub description_en: String,
    /// Always 1: every indicator is broken down by sex.
    pub is_divided_by_gender: u8,
    /// Whether unit (`ou`) values exist: always true.
    pub has_ou_data: bool,
    /// `K`, as Kolada marks municipal indicators.
    pub municipality_type: String,
    /// `percent`, `percentage_points`, `days` or `effect_size`.
    pub unit: String,
    /// `higher`, `lower` or `neutral`.
    pub better: String,
    /// The definition's version.
    pub version: u32,
    /// Periods with data, newest first.
    pub periods: Vec<String>,
    /// The day the values are computed as of (`YYYY-MM-DD`): records dated later, and
    /// baselines whose follow-up window is still open on it, are not counted.
    pub as_of: String,
    /// Those of `periods` that have not ended by `as_of`: their values may still change.
    pub preliminary_periods: Vec<String>,
    /// Variants besides `all`.
    pub variants: Vec<String>,
    /// The definition as written in `data/indicators/`.
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
}

async fn kpi(state: &AppState, definition: &Definition) -> Result<Kpi, AppError> {
    let selection = comparisons::select(state, &definition.id, &SelectionParams::default()).await?;
    Ok(Kpi {
        id: definition.id.clone(),
        title: definition.title.sv.clone(),
        description: definition.description.sv.clone(),
        title_en: definition.title.en.clone(),
        description_en: definition.description.en.clone(),
        is_divided_by_gender: 1,
        has_ou_data: true,
        municipality_type: "K".to_owned(),
        unit: definition.unit.as_str().to_owned(),
        better: match definition.better {
            Better::Higher => "higher",
            Better::Lower => "lower",
            Better::Neutral => "neutral",
        }
        .to_owned(),
        version: definition.version,
        periods: selection.periods.iter().map(Period::to_string).collect(),
        as_of: selection.as_of.to_string(),
        preliminary_periods: selection
            .periods
            .iter()
            .filter(|p| p.status_on(selection.as_of).is_preliminary())
            .map(Period::to_string)
            .collect(),
        variants: selection.variants.into_iter().skip(1).collect(),
        definition: definition.raw.clone(),
    })
}

/// Every indicator's metadata.
#[utoipa::path(
    get,
    path = "/api/v1/kpi",
    tag = "comparisons",
    security(()),
    responses((status = 200, description = "Every indicator", body = KpiList))
)]
pub async fn list_kpis(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> ApiResult<Response> {
    let answer = async {
        let mut values = Vec::new();
        for definition in &evident_store::indicators::indicator_set().definitions {
            values.push(kpi(&state, definition).await?);
        }
        Ok(Json(KpiList {
            count: values.len(),
            values,
        }))
    };
    Ok(conditional::open_answer(&state, &headers, &uri.to_string(), answer).await?)
}

fn list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// One or more indicators' metadata (`EVI001,EVI003`).
#[utoipa::path(
    get,
    path = "/api/v1/kpi/{id}",
    tag = "comparisons",
    security(()),
    params(("id" = String, Path, description = "Indicator ids, comma-separated")),
    responses(
        (status = 200, description = "The indicators", body = KpiList),
        (status = 404, description = "An unknown id", body = ErrorBody)
    )
)]
pub async fn get_kpi(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let answer = async {
        let mut values = Vec::new();
        for id in list(&id) {
            values.push(kpi(&state, comparisons::definition(id)?).await?);
        }
        Ok(Json(KpiList {
            count: values.len(),
            values,
        }))
    };
    Ok(conditional::open_answer(&state, &headers, &uri.to_string(), answer).await?)
}

/// Data answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataList {
    /// How many values.
    pub count: usize,
    /// One per indicator, organisation and period.
    pub values: Vec<DataValue>,
}

/// An indicator's values for one organisation and period.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataValue {
    /// The indicator id.
    pub kpi: String,
    /// The organisation code (`SE`, county, municipality), as Kolada's `municipality`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
    /// The unit code, as Kolada's `ou`, for unit data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ou: Option<String>,
    /// `2025` or `2025Q3`.
    pub period: String,
    /// The period has not ended by the as-of date: the values may still change.
    pub preliminary: bool,
    /// The variant (`all`, `instrument:<id>`, `type:<code>`).
    pub variant: String,
    /// `T` (total), `K` (women), `M` (men).
    pub values: Vec<GenderValue>,
    /// The age bands.
    pub age: Vec<AgeValue>,
}

/// One published cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct GenderValue {
    /// `T`, `K` or `M`.
    pub gender: String,
    /// The individuals it rests on; `null` unless published.
    pub count: Option<u64>,
    /// `""` (published), `"Missing"` (nothing counted), `"Suppressed"` (disclosure control) or
    /// `"NotApplicable"` (the breakdown does not apply here, e.g. an age band a unit never
    /// serves, as the indicator's definition says).
    pub status: String,
    /// The value in the indicator's unit as shown (per cent 0–100); `null` unless published.
    pub value: Option<f64>,
    /// The lower end of the 95 % interval, where one is computed.
    pub ci_low: Option<f64>,
    /// The upper end.
    pub ci_high: Option<f64>,
}

/// One age band's cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgeValue {
    /// `age_0_17`, `age_18_29`, `age_30_49`, `age_50_64` or `age_65_plus`.
    pub band: String,
    /// As in [`GenderValue`].
    pub count: Option<u64>,
    /// As in [`GenderValue`].
    pub status: String,
    /// As in [`GenderValue`].
    pub value: Option<f64>,
}

fn status(cell: &Published) -> String {
    match cell {
        Published::Value { .. } => "",
        Published::NoData => "Missing",
        Published::Suppressed => "Suppressed",
        Published::NotApplicable => "NotApplicable",
    }
    .to_owned()
}

fn gender_value(unit: ValueUnit, gender: &str, cell: &Published) -> GenderValue {
    let ci = match cell {
        Published::Value { ci, .. } => *ci,
        _ => None,
    };
    GenderValue {
        gender: gender.to_owned(),
        count: cell.n(),
        status: status(cell),
        value: cell.value().map(|v| display_number(unit, v)),
        ci_low: ci.map(|c| display_number(unit, c.0)),
        ci_high: ci.map(|c| display_number(unit, c.1)),
    }
}

fn data_value(
    selection: &comparisons::Selection,
    node: &OrgCode,
    period: Period,
    cells: &[Published],
) -> DataValue {
    let definition = selection.definition;
    let unit = definition.unit;
    let at = |i: usize| cells.get(i).cloned().unwrap_or(Published::NoData);
    DataValue {
        kpi: definition.id.clone(),
        municipality: (node.level() != OrgLevel::Unit).then(|| node.to_string()),
        ou: (node.level() == OrgLevel::Unit).then(|| node.to_string()),
        period: period.to_string(),
        preliminary: period.status_on(selection.as_of).is_preliminary(),
        variant: selection.variant.clone(),
        values: [("T", 0), ("K", 1), ("M", 2)]
            .iter()
            .map(|(g, i)| gender_value(unit, g, &at(*i)))
            .collect(),
        age: (3..CATEGORIES.len())
            .map(|i| {
                let cell = at(i);
                AgeValue {
                    band: CATEGORIES[i].to_owned(),
                    count: cell.n(),
                    status: status(&cell),
                    value: cell.value().map(|v| display_number(unit, v)),
                }
            })
            .collect(),
    }
}

/// The variant of a data request.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VariantParams {
    /// `all` (default), `instrument:<id>` or `type:<code>`.
    pub variant: Option<String>,
}

/// Values for given organisations (`None`: every municipality with data) and periods.
async fn data(
    state: &AppState,
    user: Option<&SignedIn>,
    ids: &str,
    nodes: Option<&str>,
    periods: &str,
    variant: Option<String>,
) -> Result<DataList, AppError> {
    let nodes: Option<Vec<OrgCode>> = nodes
        .map(|raw| {
            list(raw)
                .map(|code| {
                    OrgCode::parse(code).map_err(|_| {
                        AppError::Invalid(format!(
                            "municipality: '{code}' is not an organisation code"
                        ))
                    })
                })
                .collect()
        })
        .transpose()?;
    let periods: Vec<Period> = list(periods)
        .map(comparisons::parse_period)
        .collect::<Result<_, _>>()?;
    if periods.is_empty() {
        return Err(AppError::Invalid(
            "year: give at least one period".to_owned(),
        ));
    }
    let mut values = Vec::new();
    for id in list(ids) {
        let params = SelectionParams {
            variant: variant.clone(),
            ..SelectionParams::default()
        };
        let selection = comparisons::select(state, id, &params).await?;
        let mut units = Vec::new();
        if let Some(nodes) = &nodes {
            for node in nodes {
                comparisons::authorize_node(user, node, id).await?;
                comparisons::known_node(state, node).await?;
                if node.level() == OrgLevel::Unit {
                    units.push((node.clone(), state.store.get_unit(node).await?.area));
                }
            }
        }
        for period in &periods {
            comparisons::known_period(id, *period, &selection.periods, selection.as_of)?;
            let mut cells = comparisons::cells_by_node(
                state,
                selection.revision,
                id,
                &selection.variant,
                *period,
            )
            .await?;
            if !units.is_empty() {
                // A copy of the shared table, only when there are units to mark.
                comparisons::mark_units(
                    selection.definition,
                    std::sync::Arc::make_mut(&mut cells),
                    units.iter().cloned(),
                );
            }
            match &nodes {
                Some(nodes) => {
                    for node in nodes {
                        let row = cells.get(node).map_or(&[][..], Vec::as_slice);
                        values.push(data_value(&selection, node, *period, row));
                    }
                }
                None => {
                    let mut codes: Vec<&OrgCode> = cells
                        .keys()
                        .filter(|c| c.level() == OrgLevel::Municipality)
                        .collect();
                    codes.sort();
                    for code in codes {
                        values.push(data_value(&selection, code, *period, &cells[code]));
                    }
                }
            }
        }
    }
    Ok(DataList {
        count: values.len(),
        values,
    })
}

/// Values of indicators for organisations (nation `SE`, counties, municipalities) and periods.
/// Open statistics: no sign-in needed.
#[utoipa::path(
    get,
    path = "/api/v1/data/kpi/{id}/municipality/{municipality}/year/{year}",
    tag = "comparisons",
    security(()),
    params(
        ("id" = String, Path, description = "Indicator ids, comma-separated"),
        ("municipality" = String, Path, description = "Organisation codes (SE, county, municipality), comma-separated"),
        ("year" = String, Path, description = "Periods (2025, 2025Q3), comma-separated"),
        VariantParams
    ),
    responses(
        (status = 200, description = "One value per indicator, organisation and period", body = DataList),
        (status = 404, description = "An unknown indicator or organisation, a period before the indicator's data, or one that has not begun", body = ErrorBody),
        (status = 422, description = "A malformed code, period or variant", body = ErrorBody)
    )
)]
pub async fn kpi_municipality_data(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    headers: HeaderMap,
    uri: Uri,
    Path((id, municipality, year)): Path<(String, String, String)>,
    ApiQuery(params): ApiQuery<VariantParams>,
) -> ApiResult<Response> {
    let nodes = list(&municipality).collect::<Vec<_>>().join(",");
    for code in list(&nodes) {
        if OrgCode::parse(code).is_ok_and(|c| c.level() == OrgLevel::Unit) {
            return Err(AppError::Invalid(format!(
                "municipality: {code} is a unit; ask /api/v1/oudata/kpi/{id}/ou/{code}/year/{year}"
            ))
            .into());
        }
    }
    // Open statistics only (units are refused above): the same for everyone.
    let answer = async {
        Ok(Json(
            data(
                &state,
                user.as_ref(),
                &id,
                Some(&nodes),
                &year,
                params.variant,
            )
            .await?,
        ))
    };
    Ok(conditional::open_answer(&state, &headers, &uri.to_string(), answer).await?)
}

/// Values of indicators for every municipality with data in the periods.
#[utoipa::path(
    get,
    path = "/api/v1/data/kpi/{id}/year/{year}",
    tag = "comparisons",
    security(()),
    params(
        ("id" = String, Path, description = "Indicator ids, comma-separated"),
        ("year" = String, Path, description = "Periods (2025, 2025Q3), comma-separated"),
        VariantParams
    ),
    responses(
        (status = 200, description = "One value per indicator, municipality and period", body = DataList),
        (status = 404, description = "An unknown indicator, a period before the indicator's data, or one that has not begun", body = ErrorBody),
        (status = 422, description = "A malformed period or variant", body = ErrorBody)
    )
)]
pub async fn kpi_year_data(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path((id, year)): Path<(String, String)>,
    ApiQuery(params): ApiQuery<VariantParams>,
) -> ApiResult<Response> {
    let answer = async {
        Ok(Json(
            data(&state, None, &id, None, &year, params.variant).await?,
        ))
    };
    Ok(conditional::open_answer(&state, &headers, &uri.to_string(), answer).await?)
}

/// Values of indicators for units (`ou`); needs a role reading aggregate data at each unit.
#[utoipa::path(
    get,
    path = "/api/v1/oudata/kpi/{id}/ou/{ou}/year/{year}",
    tag = "comparisons",
    params(
        ("id" = String, Path, description = "Indicator ids, comma-separated"),
        ("ou" = String, Path, description = "Unit codes (0380-0001), comma-separated"),
        ("year" = String, Path, description = "Periods (2025, 2025Q3), comma-separated"),
        VariantParams
    ),
    responses(
        (status = 200, description = "One value per indicator, unit and period", body = DataList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "No role reading aggregate data at a unit", body = ErrorBody),
        (status = 404, description = "An unknown indicator or unit, a period before the indicator's data, or one that has not begun", body = ErrorBody),
        (status = 422, description = "A code that is not a unit, or a malformed period", body = ErrorBody)
    )
)]
pub async fn kpi_unit_data(
    State(state): State<AppState>,
    user: SignedIn,
    Path((id, ou, year)): Path<(String, String, String)>,
    ApiQuery(params): ApiQuery<VariantParams>,
) -> ApiResult<Json<DataList>> {
    for code in list(&ou) {
        if !OrgCode::parse(code).is_ok_and(|c| c.level() == OrgLevel::Unit) {
            return Err(AppError::Invalid(format!("ou: '{code}' is not a unit code")).into());
        }
    }
    Ok(Json(
        data(&state, Some(&user), &id, Some(&ou), &year, params.variant).await?,
    ))
}

/// A comparison group. Who made it is not shown: the list is public.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupBody {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its municipality codes.
    pub members: Vec<String>,
}

impl From<ComparisonGroup> for GroupBody {
    fn from(group: ComparisonGroup) -> Self {
        Self {
            id: group.id,
            name: group.name.to_string(),
            members: group.members.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A new comparison group.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGroupBody {
    /// Its name, unique.
    pub name: String,
    /// At least two municipality codes.
    pub members: Vec<String>,
}

/// Every comparison group.
#[utoipa::path(
    get,
    path = "/api/v1/comparison-groups",
    tag = "comparisons",
    security(()),
    responses((status = 200, description = "The groups, by name", body = Vec<GroupBody>))
)]
pub async fn list_groups(State(state): State<AppState>) -> ApiResult<Json<Vec<GroupBody>>> {
    let groups = state.store.list_comparison_groups().await?;
    Ok(Json(groups.into_iter().map(Into::into).collect()))
}

/// Creates a comparison group: analysts (municipality_analyst, regional_leader,
/// national_analyst) and admins may.
#[utoipa::path(
    post,
    path = "/api/v1/comparison-groups",
    tag = "comparisons",
    request_body = NewGroupBody,
    responses(
        (status = 201, description = "Created", body = GroupBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs municipality_analyst, regional_leader, national_analyst or admin", body = ErrorBody),
        (status = 409, description = "A group has that name", body = ErrorBody),
        (status = 422, description = "A bad name or member", body = ErrorBody)
    )
)]
pub async fn create_group(
    State(state): State<AppState>,
    user: SignedIn,
    ApiJson(body): ApiJson<NewGroupBody>,
) -> ApiResult<(StatusCode, Json<GroupBody>)> {
    comparisons::authorize_group_maker(&user).await?;
    let group = NewComparisonGroup::parse(&body.name, &body.members.join(","))?;
    let group = comparisons::create_group(&state, &user, &group).await?;
    Ok((StatusCode::CREATED, Json(group.into())))
}

/// Removes a comparison group: its creator (while still an analyst or admin) or an admin may.
#[utoipa::path(
    delete,
    path = "/api/v1/comparison-groups/{id}",
    tag = "comparisons",
    params(("id" = i64, Path, description = "The group's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither its creator nor an admin", body = ErrorBody),
        (status = 404, description = "No such group", body = ErrorBody)
    )
)]
pub async fn delete_group(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = crate::error::id_in_path("comparison group", &id)?;
    comparisons::delete_group(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
