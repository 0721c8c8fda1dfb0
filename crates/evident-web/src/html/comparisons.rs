//! Open comparisons in the browser: the list of indicators, an indicator's ranked table with
//! its funnel plot and drill-down (nation → county → municipality → units where the role
//! allows), a municipality's profile with comparison groups, and downloads of each table as
//! CSV or Excel exactly as shown.
//!
//! Values for the nation, counties and municipalities are open statistics: these pages work
//! without signing in. Units need a role reading aggregate data there.

use crate::auth::{SignedIn, Viewer};
use crate::error::code_in_path;
use crate::href::percent_encode;
use crate::html::{Chrome, render};
use crate::i18n::Texts;
use crate::render::TableFormat;
use crate::render::funnel::{FunnelChart, FunnelPoint};
use crate::service::comparisons::{
    self, ProfileParams, RankedTable, Selection, SelectionParams, format_change,
};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use evident_core::access::{Action, DataClass};
use evident_core::indicator::group::NewComparisonGroup;
use evident_core::indicator::publish::format_value;
use evident_core::indicator::report::Signal;
use evident_core::indicator::{Better, CATEGORIES, Definition, Period, Published};
use evident_core::stats::comparison::Tertile;
use evident_core::{OrgCode, OrgLevel};
use serde::Deserialize;

/// The open-comparison routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(show_indicators))
        .route("/indicators/{id}", get(show_indicator))
        .route("/indicators/{id}/download", get(download_indicator))
        .route("/profile", get(choose_profile))
        .route("/orgs/{code}/profile", get(show_profile))
        .route("/orgs/{code}/profile/download", get(download_profile))
        .route("/comparison-groups", post(create_group))
}

/// One choice in a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The submitted value.
    pub value: String,
    /// The label.
    pub label: String,
    /// Whether it is the current choice.
    pub selected: bool,
}

/// The label of a breakdown category.
fn category_label(t: &Texts, name: &str) -> &'static str {
    match name {
        "female" => t.comparisons.cat_female,
        "male" => t.comparisons.cat_male,
        "age_0_17" => t.comparisons.cat_age_0_17,
        "age_18_29" => t.comparisons.cat_age_18_29,
        "age_30_49" => t.comparisons.cat_age_30_49,
        "age_50_64" => t.comparisons.cat_age_50_64,
        "age_65_plus" => t.comparisons.cat_age_65_plus,
        _ => t.comparisons.cat_all,
    }
}

fn breakdown_choices(t: &Texts, current: usize) -> Vec<Choice> {
    CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, name)| Choice {
            value: (*name).to_owned(),
            label: category_label(t, name).to_owned(),
            selected: i == current,
        })
        .collect()
}

/// A period as people read it, marked when it has not ended.
fn period_label(t: &Texts, period: Period, today: NaiveDate) -> String {
    if comparisons::is_preliminary(period, today) {
        format!("{period} ({})", t.comparisons.preliminary)
    } else {
        period.to_string()
    }
}

fn period_choices(t: &Texts, periods: &[Period], current: Period, today: NaiveDate) -> Vec<Choice> {
    let mut periods = periods.to_vec();
    if !periods.contains(&current) {
        periods.insert(0, current);
    }
    periods
        .iter()
        .map(|p| Choice {
            value: p.to_string(),
            label: period_label(t, *p, today),
            selected: *p == current,
        })
        .collect()
}

/// A published cell in words: the value, or why there is none.
fn shown(t: &Texts, definition: &Definition, cell: &Published, lang: &str) -> String {
    match cell {
        Published::Value { value, .. } => format_value(definition.unit, *value, lang),
        Published::Suppressed => t.comparisons.suppressed.to_owned(),
        Published::NoData => t.comparisons.no_data.to_owned(),
    }
}

fn ci_text(definition: &Definition, cell: &Published, lang: &str) -> String {
    match cell {
        Published::Value {
            ci: Some((low, high)),
            ..
        } => format!(
            "{} – {}",
            format_value(definition.unit, *low, lang),
            format_value(definition.unit, *high, lang)
        ),
        _ => String::new(),
    }
}

/// The CSS class and label of a colour.
fn tertile_of(t: &Texts, tertile: Option<Tertile>) -> (&'static str, &'static str) {
    match tertile {
        Some(Tertile::Best) => ("best", t.comparisons.tertile_best),
        Some(Tertile::Middle) => ("middle", t.comparisons.tertile_middle),
        Some(Tertile::Worst) => ("worst", t.comparisons.tertile_worst),
        None => ("", ""),
    }
}

fn signal_label(t: &Texts, signal: Signal) -> &'static str {
    match signal {
        Signal::Within => t.comparisons.signal_within,
        Signal::Above95 => t.comparisons.signal_above_95,
        Signal::Above998 => t.comparisons.signal_above_998,
        Signal::Below95 => t.comparisons.signal_below_95,
        Signal::Below998 => t.comparisons.signal_below_998,
    }
}

fn better_text(t: &Texts, better: Better) -> &'static str {
    match better {
        Better::Higher => t.comparisons.better_higher,
        Better::Lower => t.comparisons.better_lower,
        Better::Neutral => t.comparisons.better_neutral,
    }
}

/// One indicator in the list.
#[derive(Debug, Clone)]
pub struct IndicatorItem {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// The newest year with data.
    pub period: String,
    /// The national value then.
    pub national: String,
}

/// The list of indicators.
#[derive(Template)]
#[template(path = "comparisons/list.html")]
pub struct IndicatorsPage {
    /// The frame.
    pub chrome: Chrome,
    /// The indicators.
    pub items: Vec<IndicatorItem>,
    /// The municipalities, for the profile chooser.
    pub municipalities: Vec<Choice>,
}

async fn show_indicators(
    State(state): State<AppState>,
    chrome: Chrome,
) -> Result<Response, AppError> {
    let lang = chrome.lang.code();
    let mut items = Vec::new();
    for definition in &evident_store::indicators::indicator_set().definitions {
        let selection =
            comparisons::select(&state, &definition.id, &SelectionParams::default()).await?;
        let cells = comparisons::cells_by_node(
            &state,
            &definition.id,
            comparisons::ALL_VARIANT,
            selection.period,
        )
        .await?;
        let national = comparisons::cell(&cells, &OrgCode::nation(), 0);
        items.push(IndicatorItem {
            id: definition.id.clone(),
            title: definition.title.get(lang).to_owned(),
            description: definition.description.get(lang).to_owned(),
            period: selection.period.to_string(),
            national: shown(chrome.t, definition, &national, lang),
        });
    }
    let municipalities = state
        .store
        .list_orgs(OrgLevel::Municipality, None)
        .await?
        .into_iter()
        .map(|m| Choice {
            label: format!("{} ({})", m.name, m.code),
            value: m.code.to_string(),
            selected: false,
        })
        .collect();
    Ok(render(&IndicatorsPage {
        chrome,
        items,
        municipalities,
    })?
    .into_response())
}

/// Which node's children to rank, and at which level.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TableParams {
    /// The indicator choice.
    #[serde(flatten)]
    pub selection: SelectionParams,
    /// The node whose children are ranked (default the nation).
    pub node: Option<String>,
    /// `county` or `municipality` under the nation.
    pub level: Option<String>,
    /// The download format.
    pub format: Option<String>,
}

impl TableParams {
    fn scope(&self) -> Result<OrgCode, AppError> {
        match self.node.as_deref().filter(|n| !n.is_empty()) {
            Some(raw) => OrgCode::parse(raw).map_err(|_| {
                AppError::Invalid(format!("node: '{raw}' is not an organisation code"))
            }),
            None => Ok(OrgCode::nation()),
        }
    }

    fn level(&self) -> Result<Option<OrgLevel>, AppError> {
        self.level
            .as_deref()
            .filter(|l| !l.is_empty())
            .map(|raw| {
                OrgLevel::parse(raw).map_err(|_| {
                    AppError::Invalid(format!(
                        "level: '{raw}' is not one of county, municipality, unit"
                    ))
                })
            })
            .transpose()
    }
}

/// The query string of a table view.
fn table_query(selection: &Selection, node: &OrgCode, level: Option<OrgLevel>) -> String {
    let mut query = format!(
        "period={}&variant={}&breakdown={}&node={}",
        selection.period,
        percent_encode(&selection.variant),
        selection.category_name(),
        node
    );
    if let Some(level) = level {
        query.push_str("&level=");
        query.push_str(level.as_str());
    }
    query
}

/// A row of the ranked table, in words.
#[derive(Debug, Clone)]
pub struct RankRow {
    /// Its rank, or empty.
    pub rank: String,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Where its name links to (the next level down), if anywhere.
    pub href: Option<String>,
    /// Its profile, for municipalities.
    pub profile: Option<String>,
    /// The value in words.
    pub value: String,
    /// Whether the value is missing (no data or suppressed).
    pub missing: bool,
    /// The interval.
    pub ci: String,
    /// n.
    pub n: String,
    /// The change.
    pub change: String,
    /// The colour's class and label.
    pub colour: (&'static str, &'static str),
    /// The funnel signal's class and label.
    pub signal: (&'static str, &'static str),
}

/// The indicator page.
#[derive(Template)]
#[template(path = "comparisons/indicator.html")]
pub struct IndicatorPage {
    /// The frame.
    pub chrome: Chrome,
    /// Indicator id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Which direction is better, in words.
    pub better: &'static str,
    /// Every indicator, to switch.
    pub indicators: Vec<Choice>,
    /// Periods.
    pub periods: Vec<Choice>,
    /// Variants.
    pub variants: Vec<Choice>,
    /// Breakdowns.
    pub breakdowns: Vec<Choice>,
    /// Row levels to choose under the nation (empty elsewhere).
    pub levels: Vec<Choice>,
    /// The scope's code (hidden in the form).
    pub node: String,
    /// The breadcrumb: link and name.
    pub trail: Vec<(String, String)>,
    /// The scope's name.
    pub scope_name: String,
    /// The scope's value.
    pub scope_value: String,
    /// The national value.
    pub national: String,
    /// The heading of the rows (municipalities, counties, units).
    pub rows_heading: &'static str,
    /// The rows.
    pub rows: Vec<RankRow>,
    /// The previous period, for the change column.
    pub previous: String,
    /// The scope's and the nation's values by year: period, scope, nation.
    pub trend: Vec<(String, String, String)>,
    /// Whether the period shown has not ended.
    pub preliminary: bool,
    /// The funnel plot, if any (trusted SVG built by [`crate::funnel`]).
    pub funnel_svg: Option<String>,
    /// Units hidden by the role.
    pub hidden_units: usize,
    /// Nodes without data, not listed.
    pub without_data: usize,
    /// The query of this view, for the downloads.
    pub query: String,
    /// The minimum count in force.
    pub min_count: u64,
}

async fn ranked(
    state: &AppState,
    user: Option<&SignedIn>,
    id: &str,
    params: &TableParams,
) -> Result<RankedTable, AppError> {
    let selection = comparisons::select(state, id, &params.selection).await?;
    comparisons::ranked_table(state, user, selection, &params.scope()?, params.level()?).await
}

/// Whether `user` holds a role that reads aggregate data somewhere within `node` (so a link
/// to its units leads somewhere).
fn reaches_units(user: Option<&SignedIn>, node: &OrgCode) -> bool {
    user.is_some_and(|user| {
        user.user.grants.iter().any(|g| {
            g.role.allows(Action::Read, DataClass::Aggregate)
                && (node.is_within(&g.org) || g.org.is_within(node))
        })
    })
}

async fn show_indicator(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    chrome: Chrome,
    Path(id): Path<String>,
    Query(params): Query<TableParams>,
) -> Result<Response, AppError> {
    let table = ranked(&state, user.as_ref(), &id, &params).await?;
    let t = chrome.t;
    let lang = chrome.lang.code();
    let selection = &table.selection;
    let definition = selection.definition;
    let level_param = params.level().ok().flatten();
    let rows: Vec<RankRow> = table
        .entries
        .iter()
        .map(|entry| {
            let drill = match entry.code.level() {
                OrgLevel::County => true,
                OrgLevel::Municipality => reaches_units(user.as_ref(), &entry.code),
                _ => false,
            };
            RankRow {
                rank: entry.rank.map(|r| r.to_string()).unwrap_or_default(),
                code: entry.code.to_string(),
                name: entry.name.clone(),
                href: drill.then(|| {
                    format!(
                        "/indicators/{id}?{}",
                        table_query(selection, &entry.code, None)
                    )
                }),
                profile: (entry.code.level() == OrgLevel::Municipality)
                    .then(|| format!("/orgs/{}/profile?period={}", entry.code, selection.period)),
                value: shown(t, definition, &entry.current, lang),
                missing: entry.current.value().is_none(),
                ci: ci_text(definition, &entry.current, lang),
                n: entry.current.n().map(|n| n.to_string()).unwrap_or_default(),
                change: entry
                    .change
                    .map(|c| format_change(definition.unit, c, lang))
                    .unwrap_or_default(),
                colour: tertile_of(t, entry.tertile),
                signal: entry
                    .signal
                    .map_or(("", ""), |s| (s.as_str(), signal_label(t, s))),
            }
        })
        .collect();
    let funnel_svg = table.funnel.map(|funnel| {
        let points: Vec<FunnelPoint> = table
            .entries
            .iter()
            .filter_map(|entry| match entry.current {
                Published::Value { value, n, .. } => Some(FunnelPoint {
                    label: format!(
                        "{} ({}): {} (n = {n})",
                        entry.name,
                        entry.code,
                        format_value(definition.unit, value, lang)
                    ),
                    n,
                    value,
                    signal: entry.signal.unwrap_or(Signal::Within),
                }),
                _ => None,
            })
            .collect();
        let format = |v: f64| format_value(definition.unit, v, lang);
        FunnelChart {
            title: t.comparisons.funnel_title,
            funnel,
            points: &points,
            axes: (t.comparisons.funnel_x, definition.title.get(lang)),
            format: &format,
        }
        .render()
    });
    let levels = if table.scope.code.level() == OrgLevel::Nation {
        [
            (OrgLevel::Municipality, t.comparisons.rows_municipalities),
            (OrgLevel::County, t.comparisons.rows_counties),
        ]
        .into_iter()
        .map(|(level, label)| Choice {
            value: level.as_str().to_owned(),
            label: label.to_owned(),
            selected: level == table.level,
        })
        .collect()
    } else {
        Vec::new()
    };
    let trail = table
        .lineage
        .iter()
        .map(|node| {
            (
                format!(
                    "/indicators/{id}?{}",
                    table_query(selection, &node.code, None)
                ),
                node.name.clone(),
            )
        })
        .collect();
    let page = IndicatorPage {
        id: definition.id.clone(),
        title: definition.title.get(lang).to_owned(),
        description: definition.description.get(lang).to_owned(),
        better: better_text(t, definition.better),
        indicators: evident_store::indicators::indicator_set()
            .definitions
            .iter()
            .map(|d| Choice {
                value: d.id.clone(),
                label: format!("{} {}", d.id, d.title.get(lang)),
                selected: d.id == definition.id,
            })
            .collect(),
        periods: period_choices(t, &selection.periods, selection.period, selection.today),
        variants: selection
            .variants
            .iter()
            .map(|v| Choice {
                value: v.clone(),
                label: if v == comparisons::ALL_VARIANT {
                    t.comparisons.variant_all.to_owned()
                } else {
                    v.clone()
                },
                selected: *v == selection.variant,
            })
            .collect(),
        breakdowns: breakdown_choices(t, selection.category),
        levels,
        node: table.scope.code.to_string(),
        trail,
        scope_name: table.scope.name.clone(),
        scope_value: shown(t, definition, &table.scope_value, lang),
        national: shown(t, definition, &table.national, lang),
        rows_heading: match table.level {
            OrgLevel::County => t.comparisons.rows_counties,
            OrgLevel::Unit => t.comparisons.rows_units,
            _ => t.comparisons.rows_municipalities,
        },
        rows,
        previous: selection.period.previous().to_string(),
        trend: table
            .trend
            .iter()
            .map(|(period, scope, nation)| {
                (
                    period_label(t, *period, selection.today),
                    shown(t, definition, scope, lang),
                    shown(t, definition, nation, lang),
                )
            })
            .collect(),
        preliminary: comparisons::is_preliminary(selection.period, selection.today),
        funnel_svg,
        hidden_units: table.hidden_units,
        without_data: table.without_data,
        query: table_query(selection, &table.scope.code, level_param),
        min_count: state.store.indicator_state().await?.min_count,
        chrome,
    };
    Ok(render(&page)?.into_response())
}

fn table_format(raw: Option<&str>) -> Result<TableFormat, AppError> {
    match raw.unwrap_or("csv") {
        "csv" => Ok(TableFormat::Csv),
        "xlsx" => Ok(TableFormat::Xlsx),
        other => Err(AppError::Invalid(format!(
            "format: '{other}' is not csv or xlsx"
        ))),
    }
}

async fn download_indicator(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    Path(id): Path<String>,
    Query(params): Query<TableParams>,
) -> Result<Response, AppError> {
    let format = table_format(params.format.as_deref())?;
    let table = ranked(&state, user.as_ref(), &id, &params).await?;
    let stem = format!(
        "{}-{}-{}-{}",
        table.selection.definition.id,
        table.scope.code,
        table.selection.period,
        table.selection.category_name()
    );
    Ok(crate::render::download(
        comparisons::table_sheet(&table),
        format,
        &stem,
    ))
}

/// A row of the profile, in words.
#[derive(Debug, Clone)]
pub struct ProfileLine {
    /// The indicator's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The municipality's value.
    pub value: String,
    /// Whether it is missing.
    pub missing: bool,
    /// n.
    pub n: String,
    /// The change.
    pub change: String,
    /// The colour.
    pub colour: (&'static str, &'static str),
    /// "3 av 10".
    pub rank: String,
    /// County, nation, similar and group values.
    pub county: String,
    /// The nation.
    pub nation: String,
    /// Similar municipalities.
    pub similar: String,
    /// The chosen group.
    pub group: String,
}

/// The municipality profile.
#[derive(Template)]
#[template(path = "comparisons/profile.html")]
pub struct ProfilePage {
    /// The frame.
    pub chrome: Chrome,
    /// The municipality's code and name.
    pub municipality: (String, String),
    /// The county's code and name.
    pub county: (String, String),
    /// The period.
    pub period: String,
    /// The period before it, for the change column.
    pub previous: String,
    /// Periods.
    pub periods: Vec<Choice>,
    /// Breakdowns.
    pub breakdowns: Vec<Choice>,
    /// Groups.
    pub groups: Vec<Choice>,
    /// The chosen group's name and members, if any.
    pub group: Option<(String, String)>,
    /// The size band in words and how many others share it.
    pub band: Option<(String, usize)>,
    /// The rows.
    pub rows: Vec<ProfileLine>,
    /// The query, for downloads.
    pub query: String,
    /// Whether the reader may create groups (signed in).
    pub can_create_group: bool,
    /// A rejected group form's problem.
    pub group_error: Option<String>,
}

/// The municipality chosen on the list page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileChoice {
    /// Its code.
    pub municipality: String,
}

async fn choose_profile(Query(choice): Query<ProfileChoice>) -> Result<Response, AppError> {
    let code = OrgCode::parse_at("municipality", &choice.municipality, OrgLevel::Municipality)?;
    Ok(Redirect::to(&format!("/orgs/{code}/profile")).into_response())
}

async fn show_profile(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    chrome: Chrome,
    Path(code): Path<String>,
    Query(params): Query<ProfileParams>,
) -> Result<Response, AppError> {
    let code = code_in_path(&code)?;
    profile_page(&state, user.is_some(), chrome, &code, &params, None).await
}

async fn profile_page(
    state: &AppState,
    signed_in: bool,
    chrome: Chrome,
    code: &OrgCode,
    params: &ProfileParams,
    group_error: Option<String>,
) -> Result<Response, AppError> {
    let profile = comparisons::profile(state, code, params).await?;
    let t = chrome.t;
    let lang = chrome.lang.code();
    let mean = |definition: &Definition, m: Option<(f64, usize)>| {
        m.map(|(v, n)| format!("{} ({n})", format_value(definition.unit, v, lang)))
            .unwrap_or_else(|| t.comparisons.no_data.to_owned())
    };
    let rows = profile
        .rows
        .iter()
        .map(|row| {
            let d = row.definition;
            ProfileLine {
                id: d.id.clone(),
                title: d.title.get(lang).to_owned(),
                value: shown(t, d, &row.own, lang),
                missing: row.own.value().is_none(),
                n: row.own.n().map(|n| n.to_string()).unwrap_or_default(),
                change: row
                    .change
                    .map(|c| format_change(d.unit, c, lang))
                    .unwrap_or_default(),
                colour: tertile_of(t, row.tertile),
                rank: row
                    .rank
                    .map(|(r, of)| format!("{r} {} {of}", t.comparisons.rank_of))
                    .unwrap_or_default(),
                county: shown(t, d, &row.county, lang),
                nation: shown(t, d, &row.nation, lang),
                similar: mean(d, row.similar),
                group: mean(d, row.group),
            }
        })
        .collect();
    let groups = state
        .store
        .list_comparison_groups()
        .await?
        .into_iter()
        .map(|g| Choice {
            value: g.id.to_string(),
            selected: profile.group.as_ref().is_some_and(|c| c.id == g.id),
            label: g.name.to_string(),
        })
        .collect();
    let mut query = format!(
        "period={}&breakdown={}",
        profile.period, CATEGORIES[profile.category]
    );
    if let Some(group) = &profile.group {
        query.push_str(&format!("&group={}", group.id));
    }
    let page = ProfilePage {
        municipality: (
            profile.municipality.code.to_string(),
            profile.municipality.name.clone(),
        ),
        county: (profile.county.code.to_string(), profile.county.name.clone()),
        period: profile.period.to_string(),
        previous: profile.period.previous().to_string(),
        periods: period_choices(t, &profile.periods, profile.period, profile.today),
        breakdowns: breakdown_choices(t, profile.category),
        groups,
        group: profile.group.as_ref().map(|g| {
            (
                g.name.to_string(),
                g.members
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }),
        band: profile
            .band
            .map(|(_, band)| (band.label(lang).to_owned(), profile.similar_members)),
        rows,
        query,
        can_create_group: signed_in,
        group_error,
        chrome,
    };
    let status = if page.group_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

/// The download query of a profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProfileDownloadParams {
    /// What the profile shows.
    #[serde(flatten)]
    pub profile: ProfileParams,
    /// `csv` or `xlsx`.
    pub format: Option<String>,
}

async fn download_profile(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(code): Path<String>,
    Query(params): Query<ProfileDownloadParams>,
) -> Result<Response, AppError> {
    let code = code_in_path(&code)?;
    let format = table_format(params.format.as_deref())?;
    let profile = comparisons::profile(&state, &code, &params.profile).await?;
    let stem = format!("profile-{}-{}", profile.municipality.code, profile.period);
    Ok(crate::render::download(
        comparisons::profile_sheet(&profile, chrome.lang.code()),
        format,
        &stem,
    ))
}

/// The form that creates a comparison group from a profile page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    /// The group's name.
    pub name: String,
    /// Municipality codes.
    pub members: String,
    /// The municipality whose profile the form was on.
    pub back: String,
}

async fn create_group(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Form(form): Form<GroupForm>,
) -> Result<Response, AppError> {
    let back = OrgCode::parse_at("back", &form.back, OrgLevel::Municipality)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let failed = |problem: String| async {
        profile_page(
            &state,
            true,
            chrome.clone(),
            &back,
            &ProfileParams::default(),
            Some(problem),
        )
        .await
    };
    let group = match NewComparisonGroup::parse(&form.name, &form.members) {
        Ok(group) => group,
        Err(problem) => return failed(problem.to_string()).await,
    };
    match state
        .store
        .create_comparison_group(&group, &user.actor())
        .await
    {
        Ok(group) => {
            Ok(Redirect::to(&format!("/orgs/{back}/profile?group={}", group.id)).into_response())
        }
        Err(evident_store::StorageError::Conflict { .. }) => {
            failed(format!(
                "name: a group called '{}' already exists",
                group.name
            ))
            .await
        }
        Err(other) => Err(other.into()),
    }
}
