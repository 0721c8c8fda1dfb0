//! An indicator's ranked table with its funnel plot, drill-down and download.

use super::*;
use crate::auth::{SignedIn, Viewer};
use crate::href::percent_encode;
use crate::html::{Chrome, render};
use crate::render::funnel::{FunnelChart, FunnelPoint};
use crate::service::comparisons::{self, RankedTable, Selection, SelectionParams, format_change};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use evident_core::access::{Action, DataClass};
use evident_core::indicator::Published;
use evident_core::indicator::publish::format_value;
use evident_core::indicator::report::Signal;
use evident_core::{OrgCode, OrgLevel};
use serde::Deserialize;

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
pub(super) fn table_query(
    selection: &Selection,
    node: &OrgCode,
    level: Option<OrgLevel>,
) -> String {
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
    /// Whether the period shown has not ended by the as-of date.
    pub preliminary: bool,
    /// The date the values are computed as of.
    pub as_of: String,
    /// The funnel plot, if any (trusted SVG built by [`crate::render::funnel`]).
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

pub(super) async fn ranked(
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
pub(super) fn reaches_units(user: Option<&SignedIn>, node: &OrgCode) -> bool {
    user.is_some_and(|user| {
        user.user.grants.iter().any(|g| {
            g.role.allows(Action::Read, DataClass::Aggregate)
                && (node.is_within(&g.org) || g.org.is_within(node))
        })
    })
}

impl IndicatorPage {
    /// The page for `table` as `user` sees it (`level_param`: the level asked for, kept in links), with
    /// the minimum count values rest on.
    pub fn new(
        chrome: Chrome,
        table: &RankedTable,
        user: Option<&SignedIn>,
        level_param: Option<OrgLevel>,
        min_count: u64,
    ) -> Self {
        let t = chrome.t;
        let lang = chrome.lang.code();
        let selection = &table.selection;
        let definition = selection.definition;
        let rows: Vec<RankRow> = table
            .entries
            .iter()
            .map(|entry| {
                let drill = match entry.code.level() {
                    OrgLevel::County => true,
                    OrgLevel::Municipality => reaches_units(user, &entry.code),
                    _ => false,
                };
                RankRow {
                    rank: entry.rank.map(|r| r.to_string()).unwrap_or_default(),
                    code: entry.code.to_string(),
                    name: entry.name.clone(),
                    href: drill.then(|| {
                        format!(
                            "/indicators/{}?{}",
                            definition.id,
                            table_query(selection, &entry.code, None)
                        )
                    }),
                    profile: (entry.code.level() == OrgLevel::Municipality).then(|| {
                        format!("/orgs/{}/profile?period={}", entry.code, selection.period)
                    }),
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
                        "/indicators/{}?{}",
                        definition.id,
                        table_query(selection, &node.code, None)
                    ),
                    node.name.clone(),
                )
            })
            .collect();
        Self {
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
            periods: period_choices(t, &selection.periods, selection.period, selection.as_of),
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
                        period_label(t, *period, selection.as_of),
                        shown(t, definition, scope, lang),
                        shown(t, definition, nation, lang),
                    )
                })
                .collect(),
            preliminary: selection.preliminary(),
            as_of: selection.as_of.to_string(),
            funnel_svg,
            hidden_units: table.hidden_units,
            without_data: table.without_data,
            query: table_query(selection, &table.scope.code, level_param),
            min_count,
            chrome,
        }
    }
}

pub(super) async fn show_indicator(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    chrome: Chrome,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    Query(params): Query<TableParams>,
) -> Result<Response, AppError> {
    let lang = chrome.lang.code();
    let page = async {
        let table = ranked(&state, user.as_ref(), &id, &params).await?;
        let min_count = table.selection.min_count;
        let level = params.level().ok().flatten();
        let page = IndicatorPage::new(chrome, &table, user.as_ref(), level, min_count);
        Ok(render(&page)?.into_response())
    };
    match &user {
        // A visitor sees open statistics only, the same for everyone reading this language.
        None => {
            crate::conditional::visitor_page(&state, &headers, &uri.to_string(), lang, page).await
        }
        Some(_) => page.await,
    }
}

pub(super) async fn download_indicator(
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
    // A workbook of 290 municipalities is written on the heavy pool, off the async workers.
    state
        .heavy
        .run(move || crate::render::download(comparisons::table_sheet(&table), format, &stem))
        .await
}
