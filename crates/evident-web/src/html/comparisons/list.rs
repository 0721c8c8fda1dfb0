//! The list of indicators, each with the national value.

use super::*;
use crate::auth::Viewer;
use crate::html::{Chrome, render};
use crate::service::comparisons::{self, SelectionParams};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use evident_core::{OrgCode, OrgLevel};

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

pub(super) async fn show_indicators(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    chrome: Chrome,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    if user.is_some() {
        return indicators_page(&state, chrome).await;
    }
    // A visitor's list is the same for everyone reading this language.
    let lang = chrome.lang.code();
    let page = indicators_page(&state, chrome);
    crate::conditional::visitor_page(&state, &headers, &uri.to_string(), lang, page).await
}

/// The list of indicators with the nation's newest values.
async fn indicators_page(state: &AppState, chrome: Chrome) -> Result<Response, AppError> {
    let state = state.clone();
    let lang = chrome.lang.code();
    let mut items = Vec::new();
    for definition in &evident_store::indicators::indicator_set().definitions {
        let selection =
            comparisons::select(&state, &definition.id, &SelectionParams::default()).await?;
        let cells = comparisons::cells_by_node(
            &state,
            selection.revision,
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
    let municipalities = comparisons::orgs(&state, OrgLevel::Municipality, None)
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
