//! The case page: schedule, progress charts, interventions, needs and goals, measurements and
//! self-report links, with the forms that add to them.

use super::*;
use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::i18n::Texts;
use crate::render::chart::ScoreChart;
use crate::service::followup::{self, CaseView};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::access::{Action, DataClass, decide};
use evident_core::followup::{GoalOutcome, LifeArea};

/// A scheduled follow-up, with its texts.
#[derive(Debug, Clone)]
pub struct ScheduleRow {
    /// Month.
    pub month: u32,
    /// Date.
    pub due_on: String,
    /// Status label.
    pub status: &'static str,
    /// Status class for styling.
    pub class: &'static str,
}

/// One instrument's progress, with its chart.
#[derive(Debug, Clone)]
pub struct ProgressBlock {
    /// The instrument's title.
    pub title: String,
    /// The SVG chart.
    pub chart: String,
    /// Baseline → latest, as text.
    pub summary: String,
    /// The change class label, if any.
    pub class: Option<&'static str>,
}

/// A row of the interventions table.
#[derive(Debug, Clone)]
pub struct InterventionRow {
    /// The type's name.
    pub name: String,
    /// Legal basis.
    pub legal_basis: &'static str,
    /// Providing unit.
    pub provider: String,
    /// Dates as text (empty when unknown).
    pub dates: [String; 4],
}

/// A measurement row.
#[derive(Debug, Clone)]
pub struct MeasurementRow {
    /// Date.
    pub measured_on: String,
    /// Instrument.
    pub instrument: String,
    /// Time point label.
    pub time_point: String,
    /// Respondent label.
    pub respondent: &'static str,
    /// Score, or why there is none.
    pub score: String,
}

/// A goal row.
#[derive(Debug, Clone)]
pub struct GoalRow {
    /// Id.
    pub id: i64,
    /// Text.
    pub description: String,
    /// Outcome code ("" when none).
    pub outcome: String,
}

/// A need with its goals.
#[derive(Debug, Clone)]
pub struct NeedRow {
    /// Id.
    pub id: i64,
    /// Life area label.
    pub area: String,
    /// Text.
    pub description: String,
    /// Goals.
    pub goals: Vec<GoalRow>,
}

/// The case page.
#[derive(Template)]
#[template(path = "cases/case.html")]
pub struct CasePage {
    /// The frame.
    pub chrome: Chrome,
    /// The case id.
    pub id: i64,
    /// The unit's code and name.
    pub unit: (String, String),
    /// Opened.
    pub opened_on: String,
    /// Closed, if it is.
    pub closed_on: Option<String>,
    /// The client's pseudonym (short), birth year, sex label.
    pub client: (String, i32, &'static str),
    /// The client's id (for the record extract).
    pub client_id: i64,
    /// The schedule.
    pub schedule: Vec<ScheduleRow>,
    /// Progress per instrument.
    pub progress: Vec<ProgressBlock>,
    /// Interventions.
    pub interventions: Vec<InterventionRow>,
    /// Needs and goals.
    pub needs: Vec<NeedRow>,
    /// Measurements.
    pub measurements: Vec<MeasurementRow>,
    /// Whether the reader may write to the case.
    pub can_write: bool,
    /// Choices for the forms.
    pub types: Vec<Choice>,
    /// Legal bases.
    pub legal_bases: Vec<Choice>,
    /// Life areas.
    pub life_areas: Vec<Choice>,
    /// Goal outcomes.
    pub outcomes: Vec<Choice>,
    /// Instruments.
    pub instruments: Vec<Choice>,
    /// Self-report links, newest first.
    pub self_report_links: Vec<SelfReportRow>,
    /// Why a form was rejected.
    pub form_error: Option<String>,
}

/// A self-report link on the case page.
#[derive(Debug, Clone)]
pub struct SelfReportRow {
    /// Its id.
    pub id: i64,
    /// Instrument and time point.
    pub what: String,
    /// Created (date).
    pub created: String,
    /// Expires (date).
    pub expires: String,
    /// Status class and label.
    pub status: (&'static str, &'static str),
    /// Whether it can be revoked.
    pub pending: bool,
}

pub(super) fn self_report_rows(
    t: &Texts,
    links: &[evident_core::participation::selfreport::SelfReportLink],
    now: i64,
) -> Vec<SelfReportRow> {
    use evident_core::participation::selfreport::LinkStatus;
    let day = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    links
        .iter()
        .map(|link| {
            let status = link.status(now);
            SelfReportRow {
                id: link.id,
                what: match link.month {
                    Some(m) => format!(
                        "{} · {} {m}",
                        link.instrument_id,
                        time_point_label(t, link.time_point, None)
                    ),
                    None => format!(
                        "{} · {}",
                        link.instrument_id,
                        time_point_label(t, link.time_point, None)
                    ),
                },
                created: day(link.created_at),
                expires: day(link.expires_at),
                status: match status {
                    LinkStatus::Pending => ("status-due", t.selfreport.status_pending),
                    LinkStatus::Answered => ("status-done", t.selfreport.status_answered),
                    LinkStatus::Expired => ("status-overdue", t.selfreport.status_expired),
                    LinkStatus::Revoked => ("status-closed", t.selfreport.status_revoked),
                },
                pending: status == LinkStatus::Pending,
            }
        })
        .collect()
}

impl CasePage {
    /// The page for what `input` holds, in `chrome`'s language.
    pub fn new(chrome: Chrome, input: CasePageInput<'_>) -> Self {
        let CasePageInput {
            view,
            catalogue,
            instruments,
            links,
            now,
            can_write,
            form_error,
        } = input;
        let id = view.case.id;
        let t = chrome.t;
        let sv = chrome.lang == crate::i18n::Lang::Sv;
        let type_name = |code: &str| {
            catalogue.find(code).map_or(code.to_owned(), |k| {
                if sv {
                    k.name_sv.clone()
                } else {
                    k.name_en.clone()
                }
            })
        };
        let progress = view
            .progress
            .iter()
            .map(|(instrument, p)| {
                let cutoff_label = instrument
                    .cutoff
                    .map(|c| format!("{} {}", t.followup.cutoff, number(c)));
                let chart_id = format!("chart-{}", instrument.id);
                let chart = ScoreChart {
                    id: &chart_id,
                    title: &instrument.title,
                    points: &p.scores,
                    range: instrument.range,
                    cutoff: instrument.cutoff.zip(cutoff_label.as_deref()),
                }
                .render();
                let summary = match (p.baseline, p.latest, p.change) {
                    (Some(b), Some(l), Some(c)) => format!(
                        "{} → {} · {} {}",
                        number(b),
                        number(l),
                        t.followup.rci,
                        number(c.rci)
                    ),
                    (Some(b), _, _) => format!("{}: {}", t.followup.time_baseline, number(b)),
                    _ => String::new(),
                };
                ProgressBlock {
                    title: instrument.title.clone(),
                    chart,
                    summary,
                    class: p.change.map(|c| class_label(t, c.class)),
                }
            })
            .collect();
        let choices = |pairs: Vec<(String, String)>| {
            pairs
                .into_iter()
                .map(|(value, label)| Choice { value, label })
                .collect::<Vec<_>>()
        };
        let sex = match view.client.sex {
            evident_core::person::RecordedSex::Female => t.cases.sex_female,
            evident_core::person::RecordedSex::Male => t.cases.sex_male,
        };
        Self {
            id,
            unit: (view.case.unit.to_string(), view.unit_name.clone()),
            opened_on: view.case.opened_on.to_string(),
            closed_on: view.case.closed_on.map(|d| d.to_string()),
            client_id: view.client.id,
            client: (
                view.client.pseudonym.short().to_owned(),
                view.client.birth_year,
                sex,
            ),
            schedule: view
                .schedule
                .iter()
                .map(|s| {
                    let (status, class) = status_label(t, s.status);
                    ScheduleRow {
                        month: s.month,
                        due_on: s.due_on.to_string(),
                        status,
                        class,
                    }
                })
                .collect(),
            progress,
            interventions: view
                .interventions
                .iter()
                .map(|i| InterventionRow {
                    name: type_name(&i.type_code),
                    legal_basis: i.legal_basis.as_str(),
                    provider: i.provider.to_string(),
                    dates: [
                        i.dates.applied_on,
                        i.dates.decided_on,
                        i.dates.started_on,
                        i.dates.ended_on,
                    ]
                    .map(|d| d.map(|d| d.to_string()).unwrap_or_default()),
                })
                .collect(),
            needs: view
                .needs
                .iter()
                .map(|n| {
                    let (area_sv, area_en) = n.area.names();
                    NeedRow {
                        id: n.id,
                        area: format!("{} {}", n.area.as_str(), if sv { area_sv } else { area_en }),
                        description: n.description.clone(),
                        goals: n
                            .goals
                            .iter()
                            .map(|g| GoalRow {
                                id: g.id,
                                description: g.description.clone(),
                                outcome: g
                                    .outcome
                                    .map(|o| o.as_str().to_owned())
                                    .unwrap_or_default(),
                            })
                            .collect(),
                    }
                })
                .collect(),
            measurements: view
                .measurements
                .iter()
                .map(|m| MeasurementRow {
                    measured_on: m.measured_on.to_string(),
                    instrument: format!("{} v{}", m.instrument_id, m.instrument_version),
                    time_point: time_point_label(t, m.time_point, m.month),
                    respondent: respondent_label(t, m.respondent),
                    score: m
                        .score
                        .map_or_else(|| t.followup.no_score.to_owned(), number),
                })
                .collect(),
            can_write,
            types: choices(
                catalogue
                    .types
                    .iter()
                    .map(|k| {
                        (
                            k.code.clone(),
                            if sv {
                                k.name_sv.clone()
                            } else {
                                k.name_en.clone()
                            },
                        )
                    })
                    .collect(),
            ),
            legal_bases: choices(
                evident_core::followup::LegalBasis::ALL
                    .iter()
                    .map(|b| (b.as_str().to_owned(), b.as_str().to_owned()))
                    .collect(),
            ),
            life_areas: choices(
                LifeArea::ALL
                    .iter()
                    .map(|a| {
                        let (s, e) = a.names();
                        (
                            a.as_str().to_owned(),
                            format!("{} {}", a.as_str(), if sv { s } else { e }),
                        )
                    })
                    .collect(),
            ),
            outcomes: choices(
                GoalOutcome::ALL
                    .iter()
                    .map(|o| (o.as_str().to_owned(), outcome_label(t, *o).to_owned()))
                    .collect(),
            ),
            instruments: choices(
                instruments
                    .iter()
                    .map(|i| (i.id.clone(), i.title.clone()))
                    .collect(),
            ),
            self_report_links: self_report_rows(t, links, now),
            form_error,
            chrome,
        }
    }
}

/// What the case page shows, read by `case_page` before the page is built.
pub struct CasePageInput<'a> {
    /// The case with its client, schedule, progress and records.
    pub view: &'a CaseView,
    /// The intervention types, for names and the form.
    pub catalogue: &'a evident_core::followup::InterventionCatalogue,
    /// The instruments that can be measured.
    pub instruments: &'a [evident_core::followup::instrument::Instrument],
    /// The case's self-report links.
    pub links: &'a [evident_core::participation::selfreport::SelfReportLink],
    /// Now, in Unix seconds, for the links' status.
    pub now: i64,
    /// Whether the reader may add to the case (decides which forms show).
    pub can_write: bool,
    /// Why a form was rejected.
    pub form_error: Option<String>,
}

/// The case page for `id` as `user` may see it, with `form_error` shown when a form was
/// rejected (status 422).
pub(crate) async fn case_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    id: i64,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    let view: CaseView = followup::case_view(state, user, id).await?;
    let instruments = state.store.list_instruments().await?;
    let links = state.store.list_self_report_links(id).await?;
    let can_write = decide(
        &user.user.grants,
        Action::Write,
        &view.case.unit,
        DataClass::Identified,
    )
    .is_allowed();
    let page = CasePage::new(
        chrome,
        CasePageInput {
            view: &view,
            catalogue: &state.catalogue,
            instruments: &instruments,
            links: &links,
            now: state.clock.now().timestamp(),
            can_write,
            form_error,
        },
    );
    let status = if page.form_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn show_case(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    case_page(&state, &user, chrome, case_id(&id)?, None).await
}

/// Turns a rejected form into the case page with the problem shown; other errors pass.
pub(super) async fn or_case_page(
    result: Result<(), AppError>,
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    id: i64,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(AppError::Invalid(problem)) => case_page(state, user, chrome, id, Some(problem)).await,
        Err(other) => Err(other),
    }
}
