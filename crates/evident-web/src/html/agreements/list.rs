//! The list of agreements, with the performance grants, tapering plans and counties that lead
//! to the other pages.

use crate::auth::SignedIn;
use crate::href::percent_encode;
use crate::html::{Chrome, render};
use crate::service::grants;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use evident_core::grants::document::Agreement;
use evident_core::grants::performance::PerformanceGrant;
use evident_core::grants::tapering::TaperingPlan;
use evident_core::{OrgLevel, OrgNode};

/// An agreement in the list.
#[derive(Debug, Clone)]
pub struct AgreementItem {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its year.
    pub year: i32,
    /// The stated total in millions.
    pub total: String,
    /// How many findings it and its decisions have.
    pub findings: usize,
}

/// A link with a label and a detail.
#[derive(Debug, Clone)]
pub struct LinkItem {
    /// Where to.
    pub href: String,
    /// The label.
    pub label: String,
    /// A detail (an amount, a code).
    pub detail: String,
}

/// The list of agreements.
#[derive(Template)]
#[template(path = "agreements/list.html")]
pub struct ListPage {
    /// The frame.
    pub chrome: Chrome,
    /// The agreements.
    pub agreements: Vec<AgreementItem>,
    /// The performance grants.
    pub performance: Vec<LinkItem>,
    /// The tapering plans: title and yearly total.
    pub tapering: Vec<(String, String)>,
    /// The counties, each linking to its tapering page.
    pub counties: Vec<LinkItem>,
}

impl ListPage {
    /// The list in words: agreements with their finding counts, performance grants, tapering
    /// plans and counties.
    pub fn new(
        chrome: Chrome,
        agreements: Vec<(Agreement, usize)>,
        performance: Vec<PerformanceGrant>,
        tapering: Vec<TaperingPlan>,
        counties: Vec<OrgNode>,
    ) -> Self {
        Self {
            chrome,
            agreements: agreements
                .into_iter()
                .map(|(agreement, findings)| AgreementItem {
                    total: agreement.total_ore.mnkr(),
                    findings,
                    id: agreement.id,
                    title: agreement.title,
                    year: agreement.year,
                })
                .collect(),
            performance: performance
                .into_iter()
                .map(|g| LinkItem {
                    href: format!("/agreements/performance/{}", percent_encode(&g.id)),
                    detail: format!("{} · {}", g.pool.kr(), g.indicator),
                    label: g.title,
                })
                .collect(),
            tapering: tapering
                .into_iter()
                .map(|p| (p.title, p.annual_ore.kr()))
                .collect(),
            counties: counties
                .into_iter()
                .map(|c| LinkItem {
                    href: format!("/agreements/counties/{}", c.code),
                    detail: c.code.to_string(),
                    label: c.name,
                })
                .collect(),
        }
    }
}

pub(super) async fn show_list(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
) -> Result<Response, AppError> {
    let agreements = grants::agreements_with_findings(&state, &user).await?;
    let performance = grants::performance_grants(&state).await?;
    let tapering = grants::tapering_plans(&state).await?;
    let counties = state.store.list_orgs(OrgLevel::County, None).await?;
    let page = ListPage::new(chrome, agreements, performance, tapering, counties);
    Ok(render(&page)?.into_response())
}
