//! The measurement form for one instrument, and recording what it sends.

use super::*;
use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::service::followup::{self, MeasurementInput};
use crate::{AppError, AppState};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use evident_core::access::{Action, DataClass};
use evident_core::followup::Case;
use evident_core::followup::instrument::{Answers, Instrument};
use serde::Deserialize;
use std::collections::BTreeMap;

/// An item of the measurement form.
#[derive(Debug, Clone)]
pub struct ItemField {
    /// linkId.
    pub link_id: String,
    /// Question.
    pub text: String,
    /// Options: code and label.
    pub options: Vec<Choice>,
}

/// The measurement form for one instrument.
#[derive(Template)]
#[template(path = "cases/measure.html")]
pub struct MeasurePage {
    /// The frame.
    pub chrome: Chrome,
    /// The case.
    pub id: i64,
    /// The instrument id and version.
    pub instrument: (String, String),
    /// Its title and copyright.
    pub title: String,
    /// Copyright notice.
    pub copyright: String,
    /// The items.
    pub items: Vec<ItemField>,
    /// The case's follow-up months, for the month select.
    pub months: Vec<u32>,
    /// Today, the default date.
    pub today: String,
}

/// Which instrument to answer.
#[derive(Debug, Default, Deserialize)]
pub struct MeasureParams {
    /// Its id.
    pub instrument: Option<String>,
}

pub(super) async fn show_measure(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Query(params): Query<MeasureParams>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let case: Case = state.store.get_case(id).await?;
    user.authorize(
        Action::Write,
        &case.unit,
        DataClass::Identified,
        &format!("case:{id}"),
    )
    .await?;
    let wanted = params.instrument.unwrap_or_default();
    let instrument: Instrument = followup::instrument_version(&state, &wanted, None).await?;
    let page = MeasurePage {
        id,
        instrument: (instrument.id.clone(), instrument.version.clone()),
        title: instrument.title.clone(),
        copyright: instrument.copyright.clone(),
        items: instrument
            .items
            .iter()
            .map(|item| ItemField {
                link_id: item.link_id.clone(),
                text: item.text.clone(),
                options: item
                    .options
                    .iter()
                    .map(|o| Choice {
                        value: o.code.clone(),
                        label: o.display.clone(),
                    })
                    .collect(),
            })
            .collect(),
        months: case.schedule.clone(),
        today: state.clock.today().to_string(),
        chrome,
    };
    Ok(render(&page)?.into_response())
}

pub(super) async fn record_measurement(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let answers: Answers = fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("item:")
                .map(|link| (link.to_owned(), v.clone()))
        })
        .collect::<BTreeMap<_, _>>();
    let input = MeasurementInput {
        instrument: field("instrument").unwrap_or_default(),
        version: field("version").filter(|v| !v.is_empty()),
        time_point: field("time_point").unwrap_or_default(),
        month: field("month").and_then(|m| m.parse().ok()),
        measured_on: field("measured_on"),
        respondent: field("respondent").unwrap_or_default(),
        answers,
    };
    let result = followup::record_measurement(&state, &user, id, &input)
        .await
        .map(|_| ());
    or_case_page(result, &state, &user, chrome, id).await
}
