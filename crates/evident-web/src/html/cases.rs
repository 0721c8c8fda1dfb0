//! Local follow-up in the browser: a unit's cases and the form that opens one, the case page
//! (schedule, progress charts, interventions, needs and goals, measurements) with its forms,
//! the measurement form for one instrument, and the unit's follow-up table.

use crate::auth::SignedIn;
use crate::error::code_in_path;
use crate::followup::{self, CaseView, InterventionInput, MeasurementInput};
use crate::html::{Chrome, render};
use crate::i18n::Texts;
use crate::render::chart::ScoreChart;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use evident_core::OrgCode;
use evident_core::access::{Action, DataClass, decide};
use evident_core::change::ChangeClass;
use evident_core::followup::{Case, GoalOutcome, LifeArea, Respondent, TimePoint};
use evident_core::instrument::{Answers, Instrument};
use evident_core::progress::FollowUpStatus;
use evident_core::unit_followup::{Cell, FollowUpRow};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The follow-up routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{code}/cases", get(show_unit_cases).post(open_case))
        .route("/orgs/{code}/follow-up", get(show_follow_up))
        .route("/cases/{id}", get(show_case))
        .route("/cases/{id}/close", post(close_case))
        .route("/cases/{id}/interventions", post(add_intervention))
        .route("/cases/{id}/needs", post(add_need))
        .route("/cases/{id}/needs/{need}/goals", post(add_goal))
        .route("/cases/{id}/goals/{goal}", post(follow_up_goal))
        .route("/cases/{id}/measure", get(show_measure))
        .route("/cases/{id}/measurements", post(record_measurement))
}

fn case_id(raw: &str) -> Result<i64, AppError> {
    crate::error::id_in_path("case", raw)
}

/// A choice in a `<select>`, owned.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
}

/// A case in a unit's list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// The case.
    pub id: i64,
    /// The client's short pseudonym.
    pub pseudonym: String,
    /// Opened.
    pub opened_on: String,
}

/// A unit's cases.
#[derive(Template)]
#[template(path = "cases/unit.html")]
pub struct UnitCasesPage {
    /// The frame.
    pub chrome: Chrome,
    /// The unit's code.
    pub unit: String,
    /// The unit's name.
    pub unit_name: String,
    /// Its cases.
    pub cases: Vec<CaseRow>,
    /// Why the form was rejected.
    pub form_error: Option<String>,
}

async fn unit_cases_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    unit: &OrgCode,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    user.authorize(
        Action::Read,
        unit,
        DataClass::Identified,
        &format!("unit:{unit}"),
    )
    .await?;
    let unit_name = state.store.get_unit(unit).await?.name.to_string();
    let mut rows = Vec::new();
    for case in state.store.list_unit_cases(unit).await? {
        let client = state.store.get_client(case.client_id).await?;
        rows.push(CaseRow {
            id: case.id,
            pseudonym: client.pseudonym.short().to_owned(),
            opened_on: case.opened_on.to_string(),
        });
    }
    let event = evident_core::audit::AuditEvent::new(
        &user.actor(),
        "case.list",
        format!("unit:{unit}"),
        evident_core::audit::Outcome::Allowed,
    );
    state.store.append_audit(&event).await?;
    let status = if form_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&UnitCasesPage {
            chrome,
            unit: unit.to_string(),
            unit_name,
            cases: rows,
            form_error,
        })?,
    )
        .into_response())
}

async fn show_unit_cases(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    unit_cases_page(&state, &user, chrome, &code_in_path(&code)?, None).await
}

/// The form that opens a case.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpenCaseForm {
    /// The personal number.
    pub personal_number: String,
    /// Opening date.
    pub opened_on: String,
    /// Schedule.
    pub schedule: String,
}

async fn open_case(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
    Form(form): Form<OpenCaseForm>,
) -> Result<Response, AppError> {
    let unit = code_in_path(&code)?;
    let schedule = Some(form.schedule.as_str()).filter(|s| !s.trim().is_empty());
    match followup::open_case(
        &state,
        &user,
        &unit,
        &form.personal_number,
        Some(&form.opened_on),
        schedule,
    )
    .await
    {
        Ok((case, _, _)) => Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response()),
        Err(AppError::Invalid(problem)) => {
            unit_cases_page(&state, &user, chrome, &unit, Some(problem)).await
        }
        Err(other) => Err(other),
    }
}

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

fn self_report_rows(
    t: &Texts,
    links: &[evident_core::selfreport::SelfReportLink],
) -> Vec<SelfReportRow> {
    use evident_core::selfreport::LinkStatus;
    let now = crate::selfreport::now();
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
                    LinkStatus::Pending => ("status-due", t.sr_status_pending),
                    LinkStatus::Answered => ("status-done", t.sr_status_answered),
                    LinkStatus::Expired => ("status-overdue", t.sr_status_expired),
                    LinkStatus::Revoked => ("status-closed", t.sr_status_revoked),
                },
                pending: status == LinkStatus::Pending,
            }
        })
        .collect()
}

fn status_label(t: &Texts, status: FollowUpStatus) -> (&'static str, &'static str) {
    match status {
        FollowUpStatus::Done => (t.status_done, "done"),
        FollowUpStatus::Due => (t.status_due, "due"),
        FollowUpStatus::Overdue => (t.status_overdue, "overdue"),
        FollowUpStatus::Upcoming => (t.status_upcoming, "upcoming"),
        FollowUpStatus::Closed => (t.status_closed, "closed"),
    }
}

fn class_label(t: &Texts, class: ChangeClass) -> &'static str {
    match class {
        ChangeClass::Recovered => t.class_recovered,
        ChangeClass::ReliablyImproved => t.class_reliably_improved,
        ChangeClass::Unchanged => t.class_unchanged,
        ChangeClass::ReliablyDeteriorated => t.class_reliably_deteriorated,
    }
}

fn time_point_label(t: &Texts, time_point: TimePoint, month: Option<u32>) -> String {
    match time_point {
        TimePoint::Baseline => t.time_baseline.to_owned(),
        TimePoint::FollowUp => format!(
            "{} {}",
            t.time_follow_up,
            month.map(|m| format!("({m} mån)")).unwrap_or_default()
        ),
        TimePoint::End => t.time_end.to_owned(),
    }
}

fn respondent_label(t: &Texts, respondent: Respondent) -> &'static str {
    match respondent {
        Respondent::Client => t.respondent_client,
        Respondent::Staff => t.respondent_staff,
        Respondent::Relative => t.respondent_relative,
    }
}

fn outcome_label(t: &Texts, outcome: GoalOutcome) -> &'static str {
    match outcome {
        GoalOutcome::Achieved => t.outcome_achieved,
        GoalOutcome::PartlyAchieved => t.outcome_partly_achieved,
        GoalOutcome::NotAchieved => t.outcome_not_achieved,
        GoalOutcome::NotFollowedUp => t.outcome_not_followed_up,
    }
}

fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded}");
    if matches!(text.as_str(), "-0") {
        "0".to_owned()
    } else {
        text.replace('.', ",")
    }
}

pub(crate) async fn case_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    id: i64,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    let view: CaseView = followup::case_view(state, user, id).await?;
    let t = chrome.t;
    let sv = chrome.lang == crate::i18n::Lang::Sv;
    let type_name = |code: &str| {
        state.catalogue.find(code).map_or(code.to_owned(), |k| {
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
                .map(|c| format!("{} {}", t.cutoff, number(c)));
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
                    t.rci,
                    number(c.rci)
                ),
                (Some(b), _, _) => format!("{}: {}", t.time_baseline, number(b)),
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
    let instruments = state.store.list_instruments().await?;
    let sex = match view.client.sex {
        evident_core::person::RecordedSex::Female => t.sex_female,
        evident_core::person::RecordedSex::Male => t.sex_male,
    };
    let page = CasePage {
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
                            outcome: g.outcome.map(|o| o.as_str().to_owned()).unwrap_or_default(),
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
                score: m.score.map_or_else(|| t.no_score.to_owned(), number),
            })
            .collect(),
        can_write: decide(
            &user.user.grants,
            Action::Write,
            &view.case.unit,
            DataClass::Identified,
        )
        .is_allowed(),
        types: choices(
            state
                .catalogue
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
        self_report_links: self_report_rows(t, &state.store.list_self_report_links(id).await?),
        form_error,
        chrome,
    };
    let status = if page.form_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

async fn show_case(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    case_page(&state, &user, chrome, case_id(&id)?, None).await
}

/// Turns a rejected form into the case page with the problem shown; other errors pass.
async fn or_case_page(
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

async fn add_intervention(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<InterventionInput>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let result = followup::add_intervention(&state, &user, id, &form)
        .await
        .map(|_| ());
    or_case_page(result, &state, &user, chrome, id).await
}

/// The close form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    /// The closing date.
    pub closed_on: String,
}

async fn close_case(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<CloseForm>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let result = followup::close_case(&state, &user, id, Some(&form.closed_on)).await;
    or_case_page(result, &state, &user, chrome, id).await
}

/// The need form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NeedForm {
    /// Life area code.
    pub life_area: String,
    /// Text.
    pub description: String,
}

async fn add_need(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<NeedForm>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let result = followup::add_need(&state, &user, id, &form.life_area, &form.description)
        .await
        .map(|_| ());
    or_case_page(result, &state, &user, chrome, id).await
}

/// The goal form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GoalForm {
    /// Text.
    pub description: String,
}

async fn add_goal(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path((id, need)): Path<(String, String)>,
    Form(form): Form<GoalForm>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let need = need
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("need '{need}'")))?;
    let result = followup::add_goal(&state, &user, id, need, &form.description)
        .await
        .map(|_| ());
    or_case_page(result, &state, &user, chrome, id).await
}

/// The goal outcome form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    /// Outcome code.
    pub outcome: String,
}

async fn follow_up_goal(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path((id, goal)): Path<(String, String)>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let goal = goal
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("goal '{goal}'")))?;
    let result = followup::follow_up_goal(&state, &user, id, goal, &form.outcome).await;
    or_case_page(result, &state, &user, chrome, id).await
}

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

async fn show_measure(
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
        today: followup::today().to_string(),
        chrome,
    };
    Ok(render(&page)?.into_response())
}

async fn record_measurement(
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

/// A follow-up table row with its texts.
#[derive(Debug, Clone)]
pub struct FollowUpLine {
    /// Intervention name.
    pub intervention: String,
    /// Instrument id.
    pub instrument: String,
    /// The cells, formatted ("–" when suppressed).
    pub cells: Vec<String>,
}

/// A unit's follow-up table.
#[derive(Template)]
#[template(path = "cases/follow_up.html")]
pub struct FollowUpPage {
    /// The frame.
    pub chrome: Chrome,
    /// Unit code and name.
    pub unit: (String, String),
    /// Rows.
    pub rows: Vec<FollowUpLine>,
}

fn cell<T: Copy>(cell: Cell<T>, show: impl Fn(T) -> String) -> String {
    cell.value().map_or_else(|| "–".to_owned(), show)
}

fn percent(share: f64) -> String {
    format!("{} %", (share * 100.0).round())
}

async fn show_follow_up(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = code_in_path(&code)?;
    let rows: Vec<FollowUpRow> = followup::unit_follow_up(&state, &user, &unit).await?;
    let sv = chrome.lang == crate::i18n::Lang::Sv;
    let lines = rows
        .into_iter()
        .map(|r| FollowUpLine {
            intervention: state.catalogue.find(&r.intervention_type).map_or(
                r.intervention_type.clone(),
                |k| {
                    if sv {
                        k.name_sv.clone()
                    } else {
                        k.name_en.clone()
                    }
                },
            ),
            instrument: r.instrument_id.clone(),
            cells: vec![
                cell(r.started, |n| n.to_string()),
                cell(r.with_baseline, |n| n.to_string()),
                cell(r.with_follow_up, |n| n.to_string()),
                cell(r.dropout_share, percent),
                cell(r.mean_change, number),
                match (r.effect_size.value(), r.effect_size_ci.value()) {
                    (Some(d), Some((lo, hi))) => {
                        format!("{} ({} – {})", number(d), number(lo), number(hi))
                    }
                    _ => "–".to_owned(),
                },
                cell(r.improved_share, percent),
                cell(r.deteriorated_share, percent),
            ],
        })
        .collect();
    let name = state.store.get_unit(&unit).await?.name.to_string();
    Ok(render(&FollowUpPage {
        chrome,
        unit: (unit.to_string(), name),
        rows: lines,
    })?
    .into_response())
}
