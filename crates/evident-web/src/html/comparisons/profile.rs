//! A municipality's profile against its county, the nation and comparison groups, and its
//! download.

use super::*;
use crate::auth::Viewer;
use crate::error::code_in_path;
use crate::html::{Chrome, render};
use crate::service::comparisons::{self, ProfileParams, format_change};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::indicator::group::ComparisonGroup;
use evident_core::indicator::publish::format_value;
use evident_core::indicator::{CATEGORIES, Definition};
use evident_core::{OrgCode, OrgLevel};
use serde::Deserialize;

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
    /// Whether the period shown has not ended by the as-of date.
    pub preliminary: bool,
    /// The date the values are computed as of.
    pub as_of: String,
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

pub(super) async fn choose_profile(
    Query(choice): Query<ProfileChoice>,
) -> Result<Response, AppError> {
    let code = OrgCode::parse_at("municipality", &choice.municipality, OrgLevel::Municipality)?;
    Ok(Redirect::to(&format!("/orgs/{code}/profile")).into_response())
}

pub(super) async fn show_profile(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    chrome: Chrome,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    Path(code): Path<String>,
    Query(params): Query<ProfileParams>,
) -> Result<Response, AppError> {
    let code = code_in_path(&code)?;
    let Some(user) = user else {
        // A visitor's profile is the same for everyone reading this language (comparison
        // groups are part of the revision).
        let lang = chrome.lang.code();
        let page = profile_page(&state, false, chrome, &code, &params, None);
        return crate::conditional::visitor_page(&state, &headers, &uri.to_string(), lang, page)
            .await;
    };
    let can_create_group =
        evident_core::access::decide_comparison_groups(&user.user.grants).is_allowed();
    profile_page(&state, can_create_group, chrome, &code, &params, None).await
}

impl ProfilePage {
    /// The page for `profile`, offering `groups` to compare with; readers who `can_create_group`
    /// (analysts and admins) are offered the form, and `group_error` says why the last attempt was refused.
    pub fn new(
        chrome: Chrome,
        profile: &comparisons::Profile,
        groups: &[ComparisonGroup],
        can_create_group: bool,
        group_error: Option<String>,
    ) -> Self {
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
        let groups = groups
            .iter()
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
        Self {
            municipality: (
                profile.municipality.code.to_string(),
                profile.municipality.name.clone(),
            ),
            county: (profile.county.code.to_string(), profile.county.name.clone()),
            period: profile.period.to_string(),
            previous: profile.period.previous().to_string(),
            periods: period_choices(t, &profile.periods, profile.period, profile.as_of),
            preliminary: profile.period.status_on(profile.as_of).is_preliminary(),
            as_of: profile.as_of.to_string(),
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
            can_create_group,
            group_error,
            chrome,
        }
    }
}

pub(super) async fn profile_page(
    state: &AppState,
    can_create_group: bool,
    chrome: Chrome,
    code: &OrgCode,
    params: &ProfileParams,
    group_error: Option<String>,
) -> Result<Response, AppError> {
    let profile = comparisons::profile(state, code, params).await?;
    let groups = state.store.list_comparison_groups().await?;
    let page = ProfilePage::new(chrome, &profile, &groups, can_create_group, group_error);
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

pub(super) async fn download_profile(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(code): Path<String>,
    Query(params): Query<ProfileDownloadParams>,
) -> Result<Response, AppError> {
    let code = code_in_path(&code)?;
    let format = table_format(params.format.as_deref())?;
    let profile = comparisons::profile(&state, &code, &params.profile).await?;
    let stem = format!("profile-{}-{}", profile.municipality.code, profile.period);
    let lang = chrome.lang.code();
    state
        .heavy
        .run(move || {
            crate::render::download(comparisons::profile_sheet(&profile, lang), format, &stem)
        })
        .await
}
