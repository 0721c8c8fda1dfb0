//! A municipality's profile: every indicator against its county, the nation, municipalities of
//! similar size and a comparison group.

use super::*;
use crate::{AppError, AppState};
use evident_core::indicator::group::ComparisonGroup;
use evident_core::indicator::report::{PopulationBand, Subject, change, group_mean, rank};
use evident_core::indicator::{Definition, Period, Published};
use evident_core::org::registry::population;
use evident_core::stats::comparison::Tertile;
use evident_core::{OrgCode, OrgLevel, OrgNode};
use serde::Deserialize;

/// One indicator on a municipality's profile.
#[derive(Debug, Clone)]
pub struct ProfileRow {
    /// The indicator.
    pub definition: &'static Definition,
    /// The municipality's value.
    pub own: Published,
    /// Its change since the previous period.
    pub change: Option<f64>,
    /// Its colour among all municipalities.
    pub tertile: Option<Tertile>,
    /// Its rank among the municipalities with a value, and how many there are.
    pub rank: Option<(usize, usize)>,
    /// The county's value.
    pub county: Published,
    /// The nation's value.
    pub nation: Published,
    /// The mean of the other municipalities of similar size, and how many it rests on.
    pub similar: Option<(f64, usize)>,
    /// The mean of the chosen group's other members, and how many it rests on.
    pub group: Option<(f64, usize)>,
}

/// A municipality's profile: every indicator against its county, the nation and groups.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The municipality.
    pub municipality: OrgNode,
    /// Its county.
    pub county: OrgNode,
    /// The period shown.
    pub period: Period,
    /// Periods with data in any indicator, newest first.
    pub periods: Vec<Period>,
    /// The day the published values are computed as of, which decides what is preliminary.
    pub as_of: chrono::NaiveDate,
    /// The breakdown category shown.
    pub category: usize,
    /// Its population and size band, when known.
    pub band: Option<(u64, PopulationBand)>,
    /// How many other municipalities share the band.
    pub similar_members: usize,
    /// The user-defined group compared with, if one was chosen.
    pub group: Option<ComparisonGroup>,
    /// One row per indicator, in definition order.
    pub rows: Vec<ProfileRow>,
}

/// What a profile can be asked for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ProfileParams {
    /// `2025` or `2025Q3`; default the newest year with data.
    pub period: Option<String>,
    /// A breakdown category, as for the indicator table.
    pub breakdown: Option<String>,
    /// A comparison group id.
    pub group: Option<String>,
}

/// The profile of `municipality`.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown municipality or group; [`AppError::Invalid`] naming
/// `period`, `breakdown` or `group`.
pub async fn profile(
    state: &AppState,
    municipality: &OrgCode,
    params: &ProfileParams,
) -> Result<Profile, AppError> {
    if municipality.level() != OrgLevel::Municipality {
        return Err(AppError::Invalid(format!(
            "municipality: {municipality} is not a municipality code"
        )));
    }
    let node = org(state, municipality).await?;
    let county_code = municipality
        .parent()
        .expect("a municipality has a county above it");
    let county = org(state, &county_code).await?;
    let set = evident_store::indicators::indicator_set();
    let indicators = state.analytics.indicator_state().await?;
    let mut periods = Vec::new();
    for definition in &set.definitions {
        for period in super::cache::periods(state, indicators.revision, &definition.id)
            .await?
            .iter()
        {
            if !periods.contains(period) {
                periods.push(*period);
            }
        }
    }
    Period::sort_newest_first(&mut periods);
    let as_of = indicators.as_of;
    let period = chosen_period(
        "the open comparisons",
        params.period.as_deref(),
        &periods,
        as_of,
    )?;
    let category = parse_breakdown(params.breakdown.as_deref())?;
    let group = match params.group.as_deref().filter(|g| !g.is_empty()) {
        Some(raw) => {
            let id: i64 = raw.parse().map_err(|_| {
                AppError::Invalid(format!("group: '{raw}' is not a comparison group id"))
            })?;
            Some(state.store.get_comparison_group(id).await?)
        }
        None => None,
    };
    let municipalities = orgs(state, OrgLevel::Municipality, None).await?;
    let band = population(municipality).map(|p| (p, PopulationBand::of(p)));
    let similar: Vec<&OrgNode> = municipalities
        .iter()
        .filter(|m| {
            m.code != *municipality
                && band.is_some()
                && population(&m.code).map(PopulationBand::of) == band.map(|b| b.1)
        })
        .collect();
    let mut rows = Vec::new();
    for definition in &set.definitions {
        let id = definition.id.as_str();
        let revision = indicators.revision;
        let current = cells_by_node(state, revision, id, ALL_VARIANT, period).await?;
        let previous = cells_by_node(state, revision, id, ALL_VARIANT, period.previous()).await?;
        let own = cell(&current, municipality, category);
        let subjects: Vec<Subject> = municipalities
            .iter()
            .map(|m| Subject {
                code: m.code.clone(),
                name: m.name.clone(),
                current: cell(&current, &m.code, category),
                previous: Published::NoData,
            })
            .collect();
        let ranked = rank(definition, subjects, None);
        let with_value = ranked
            .iter()
            .filter(|e| e.current.value().is_some())
            .count();
        let mine = ranked.iter().find(|e| &e.code == municipality);
        let similar_cells: Vec<Published> = similar
            .iter()
            .map(|m| cell(&current, &m.code, category))
            .collect();
        let group_cells: Vec<Published> = group
            .iter()
            .flat_map(|g| &g.members)
            .filter(|m| *m != municipality)
            .map(|m| cell(&current, m, category))
            .collect();
        rows.push(ProfileRow {
            definition,
            change: change(&own, &cell(&previous, municipality, category)),
            tertile: mine.and_then(|e| e.tertile),
            rank: mine.and_then(|e| e.rank).map(|r| (r, with_value)),
            own,
            county: cell(&current, &county_code, category),
            nation: cell(&current, &OrgCode::nation(), category),
            similar: group_mean(&similar_cells),
            group: group.as_ref().and_then(|_| group_mean(&group_cells)),
        });
    }
    Ok(Profile {
        municipality: node,
        county,
        period,
        periods,
        category,
        band,
        similar_members: similar.len(),
        group,
        rows,
        as_of,
    })
}
