//! A county's tapering plans: year by year, the county's part of each plan and how it splits
//! between the principals and the state; and its download.

use super::{DownloadParams, header, kr_cell, text_cell};
use crate::auth::SignedIn;
use crate::error::code_in_path;
use crate::html::{Chrome, render};
use crate::render::{Cell, Sheet};
use crate::service::grants::{self, CountyPlan};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use evident_core::{OrgCode, OrgLevel};

/// One year of a plan for the county.
#[derive(Debug, Clone)]
pub struct TaperingLine {
    /// The year.
    pub year: i32,
    /// The principals' share.
    pub percent: String,
    /// The county's part.
    pub total: String,
    /// What the principals pay.
    pub principal: String,
    /// What the state pays.
    pub state: String,
}

/// A plan for the county.
#[derive(Debug, Clone)]
pub struct TaperingBlock {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The yearly total across all counties.
    pub annual: String,
    /// Year by year.
    pub years: Vec<TaperingLine>,
}

/// A county's tapering page.
#[derive(Template)]
#[template(path = "agreements/county.html")]
pub struct CountyPage {
    /// The frame.
    pub chrome: Chrome,
    /// The county's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The plans.
    pub plans: Vec<TaperingBlock>,
}

impl CountyPage {
    /// The county `county`, called `name`, with its part of each plan in words.
    pub fn new(chrome: Chrome, county: &OrgCode, name: String, plans: Vec<CountyPlan>) -> Self {
        let plans = plans
            .into_iter()
            .map(|p| TaperingBlock {
                id: p.plan.id.clone(),
                title: p.plan.title.clone(),
                annual: p.plan.annual_ore.kr(),
                years: p
                    .years
                    .iter()
                    .map(|(year, c)| TaperingLine {
                        year: *year,
                        percent: format!("{} %", c.principal_percent),
                        total: c.total.kr(),
                        principal: c.principal.kr(),
                        state: c.state.kr(),
                    })
                    .collect(),
            })
            .collect();
        Self {
            chrome,
            code: county.to_string(),
            name,
            plans,
        }
    }
}

async fn county_name(state: &AppState, county: &OrgCode) -> Result<String, AppError> {
    Ok(state
        .store
        .list_orgs(OrgLevel::County, None)
        .await?
        .into_iter()
        .find(|c| &c.code == county)
        .map(|c| c.name)
        .unwrap_or_else(|| county.to_string()))
}

/// The county in the path with its plans; a code that is not a county is a page that does
/// not exist.
async fn county_plans(
    state: &AppState,
    user: &SignedIn,
    code: &str,
) -> Result<(OrgCode, Vec<CountyPlan>), AppError> {
    let county = code_in_path(code)?;
    if county.level() != OrgLevel::County {
        return Err(AppError::NotFound(format!("county '{code}'")));
    }
    let plans = grants::county_plans(state, user, &county).await?;
    Ok((county, plans))
}

pub(super) async fn show_county(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let (county, plans) = county_plans(&state, &user, &code).await?;
    let name = county_name(&state, &county).await?;
    Ok(render(&CountyPage::new(chrome, &county, name, plans))?.into_response())
}

pub(super) async fn download_county(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
    Query(params): Query<DownloadParams>,
) -> Result<Response, AppError> {
    let format = params.format()?;
    let (county, plans) = county_plans(&state, &user, &code).await?;
    let mut rows = vec![header(&[
        "plan",
        "title",
        "year",
        "principal_percent",
        "county_total_kr",
        "principals_kr",
        "state_kr",
    ])];
    for p in &plans {
        for (year, c) in &p.years {
            rows.push(vec![
                text_cell(&p.plan.id),
                text_cell(&p.plan.title),
                Cell::Number(f64::from(*year)),
                Cell::Number(f64::from(c.principal_percent)),
                kr_cell(c.total),
                kr_cell(c.principal),
                kr_cell(c.state),
            ]);
        }
    }
    Ok(crate::render::download(
        Sheet {
            name: format!("tapering {county}"),
            rows,
        },
        format,
        &format!("tapering-{county}"),
    ))
}
