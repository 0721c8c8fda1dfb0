//! Agreements and grants in the browser: the list of agreements, an agreement with its
//! findings, money per initiative, decisions, deadlines and history (and, for grant_admin, the
//! form that records a requisition, payment, repayment or report with its reason); one
//! calendar of every deadline; a county's tapering plans; and a performance grant's allocation
//! with its arithmetic. Every table downloads as CSV or Excel exactly as shown.
//!
//! Agreements are public documents: any signed-in user reads them. Recording events needs the
//! grant_admin role ([`grants::authorize_write`]).

use crate::auth::SignedIn;
use crate::error::code_in_path;
use crate::grants::{self, AgreementView, CountyPlan, PerformanceView, authorize_read};
use crate::html::comparisons::Choice;
use crate::html::{Chrome, percent_encode, render};
use crate::i18n::Texts;
use crate::render::{Cell, Sheet, TableFormat};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use evident_core::access::{Action, DataClass};
use evident_core::grants::Ore;
use evident_core::grants::calendar::{Deadline, DeadlineKind, Status};
use evident_core::grants::check::Finding;
use evident_core::grants::document::Agreement;
use evident_core::grants::ledger::{EventKind, Flows, NewGrantEvent};
use evident_core::grants::performance::{Allocation, PerformanceGrant, Split, Target};
use evident_core::indicator::Definition;
use evident_core::indicator::publish::format_value;
use evident_core::{OrgCode, OrgLevel};
use serde::Deserialize;
use std::collections::HashMap;

/// The agreement routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(show_list))
        .route("/agreements/calendar", get(show_calendar))
        .route("/agreements/calendar/download", get(download_calendar))
        .route("/agreements/counties/{code}", get(show_county))
        .route("/agreements/counties/{code}/download", get(download_county))
        .route("/agreements/performance/{id}", get(show_performance))
        .route(
            "/agreements/performance/{id}/download",
            get(download_performance),
        )
        .route("/agreements/{id}", get(show_agreement))
        .route("/agreements/{id}/download", get(download_agreement))
        .route("/agreements/{id}/document", get(agreement_document))
        .route("/agreements/{id}/events", post(record_event))
}

/// Whether `user` may record events (grant_admin on the nation); decides whether the form is
/// shown, without auditing a denial — the post itself is authorised with [`grants::authorize_write`].
fn can_manage(user: &SignedIn) -> bool {
    user.user.grants.iter().any(|g| {
        g.role.allows(Action::ManageGrants, DataClass::Public) && g.org == OrgCode::nation()
    })
}

/// The download format asked for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DownloadParams {
    /// `csv` (the default) or `xlsx`.
    pub format: Option<String>,
}

impl DownloadParams {
    fn format(&self) -> Result<TableFormat, AppError> {
        match self.format.as_deref().unwrap_or("csv") {
            "csv" => Ok(TableFormat::Csv),
            "xlsx" => Ok(TableFormat::Xlsx),
            other => Err(AppError::Invalid(format!(
                "format: '{other}' is not csv or xlsx"
            ))),
        }
    }
}

/// `part` as a share of `whole` in per cent with one decimal, rounded half up in integers;
/// "–" when `whole` is nothing.
fn share(part: Ore, whole: Ore, lang: &str) -> String {
    if whole.0 <= 0 {
        return "–".to_owned();
    }
    let (part, whole) = (i128::from(part.0), i128::from(whole.0));
    let tenths = (part * 1000 + whole / 2).div_euclid(whole);
    let sep = if lang == "en" { '.' } else { ',' };
    format!("{}{sep}{} %", tenths.div_euclid(10), tenths.rem_euclid(10))
}

/// A share as a spreadsheet number (per cent), empty when nothing is decided.
fn share_cell(part: Ore, whole: Ore) -> Cell {
    if whole.0 <= 0 {
        Cell::Empty
    } else {
        Cell::Number(part.0 as f64 / whole.0 as f64 * 100.0)
    }
}

/// An amount in kronor as a spreadsheet number.
fn kr_cell(amount: Ore) -> Cell {
    Cell::Number(amount.0 as f64 / 100.0)
}

fn text_cell(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn header(names: &[&str]) -> Vec<Cell> {
    names.iter().map(|n| text_cell(n)).collect()
}

/// 1234567 → "1 234 567".
fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Kronor as entered — "1 234 567,89", "1234567.89", "1 000 000 kr" — in öre, exactly: the
/// integer and decimal parts are read as integers, never through a float. `None` when empty.
///
/// # Errors
/// A message (without the field name) saying what is wrong.
pub fn parse_kronor(raw: &str) -> Result<Option<i64>, String> {
    let cleaned: String = raw
        .trim()
        .trim_end_matches("kr")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let bad = || {
        format!(
            "'{}' is not an amount in kronor such as 1 234 567,89",
            raw.trim()
        )
    };
    let (whole, decimals) = match cleaned.split_once([',', '.']) {
        Some((whole, decimals)) => (whole, decimals),
        None => (cleaned.as_str(), ""),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || decimals.len() > 2 || (!decimals.is_empty() && !digits(decimals)) {
        return Err(bad());
    }
    if cleaned.contains([',', '.']) && decimals.is_empty() {
        return Err(bad());
    }
    let kronor: i64 = whole.parse().map_err(|_| bad())?;
    let ore: i64 = match decimals.len() {
        0 => 0,
        1 => decimals.parse::<i64>().map_err(|_| bad())? * 10,
        _ => decimals.parse().map_err(|_| bad())?,
    };
    kronor
        .checked_mul(100)
        .and_then(|k| k.checked_add(ore))
        .map(Some)
        .ok_or_else(bad)
}

// ---------------------------------------------------------------------------------------------
// Words for core values.

fn event_kind_label(t: &Texts, kind: EventKind) -> &'static str {
    match kind {
        EventKind::Requisition => t.ag_requisition,
        EventKind::Payment => t.ag_payment,
        EventKind::Repayment => t.ag_repayment,
        EventKind::Report => t.ag_report,
    }
}

fn deadline_kind_label(t: &Texts, kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Report => t.ag_report,
        DeadlineKind::UseBy => t.ag_use_by,
        DeadlineKind::Repayment => t.ag_repayment,
    }
}

fn deadline_kind_word(kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Report => "report",
        DeadlineKind::UseBy => "use_by",
        DeadlineKind::Repayment => "repayment",
    }
}

/// The CSS class and label of a status.
fn status_of(t: &Texts, status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Overdue => ("overdue", t.ag_overdue),
        Status::DueSoon => ("due", t.ag_due_soon),
        Status::Upcoming => ("upcoming", t.ag_upcoming),
        Status::Done => ("done", t.ag_done),
    }
}

/// The machine word of a status, as the API writes it.
fn status_word(status: Status) -> &'static str {
    match status {
        Status::Overdue => "overdue",
        Status::DueSoon => "due_soon",
        Status::Upcoming => "upcoming",
        Status::Done => "done",
    }
}

/// A finding in the reader's language, with both figures.
fn finding_text(t: &Texts, finding: &Finding) -> String {
    let (stated, sum) = finding.figures();
    let what = match finding {
        Finding::TotalVsInitiatives { .. } => t.ag_finding_total_vs_initiatives.to_owned(),
        Finding::AreaSubtotal { area, .. } => {
            format!("{} {area}: {}", t.ag_area, t.ag_finding_area_subtotal)
        }
        Finding::Breakdown { initiative, .. } => {
            format!(
                "{} {initiative}: {}",
                t.ag_initiative, t.ag_finding_breakdown
            )
        }
        Finding::FundingVsTotal { .. } => t.ag_finding_funding_vs_total.to_owned(),
        Finding::GrantLines { grant, .. } => {
            format!("{} {grant}: {}", t.ag_grant, t.ag_finding_grant_lines)
        }
        Finding::GrantFunding { grant, .. } => {
            format!("{} {grant}: {}", t.ag_grant, t.ag_finding_grant_funding)
        }
    };
    format!(
        "{what} — {} {}, {} {} ({} {})",
        t.ag_stated,
        stated.kr(),
        t.ag_parts_sum,
        sum.kr(),
        t.ag_difference,
        (sum - stated).kr()
    )
}

// ---------------------------------------------------------------------------------------------
// The list.

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

async fn show_list(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
) -> Result<Response, AppError> {
    authorize_read(&user, "agreements").await?;
    let mut agreements = Vec::new();
    for (agreement, findings) in grants::agreements_with_findings(&state).await? {
        agreements.push(AgreementItem {
            total: agreement.total_ore.mnkr(),
            findings,
            id: agreement.id,
            title: agreement.title,
            year: agreement.year,
        });
    }
    let performance = grants::performance_grants(&state)
        .await?
        .into_iter()
        .map(|g| LinkItem {
            href: format!("/agreements/performance/{}", percent_encode(&g.id)),
            detail: format!("{} · {}", g.pool.kr(), g.indicator),
            label: g.title,
        })
        .collect();
    let tapering = grants::tapering_plans(&state)
        .await?
        .into_iter()
        .map(|p| (p.title, p.annual_ore.kr()))
        .collect();
    let counties = state
        .store
        .list_orgs(OrgLevel::County, None)
        .await?
        .into_iter()
        .map(|c| LinkItem {
            href: format!("/agreements/counties/{}", c.code),
            detail: c.code.to_string(),
            label: c.name,
        })
        .collect();
    Ok(render(&ListPage {
        chrome,
        agreements,
        performance,
        tapering,
        counties,
    })?
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// The agreement.

/// One row of the initiative table, in words.
#[derive(Debug, Clone)]
pub struct MoneyRow {
    /// The initiative's code (empty for the totals).
    pub code: String,
    /// Its title.
    pub title: String,
    /// Its amount in the agreement, or "–".
    pub allocated: String,
    /// Decided.
    pub decided: String,
    /// Requisitioned.
    pub requisitioned: String,
    /// Paid.
    pub paid: String,
    /// Repaid.
    pub repaid: String,
    /// Requisitioned of decided.
    pub requisitioned_share: String,
    /// Paid of decided.
    pub paid_share: String,
}

impl MoneyRow {
    fn new(code: &str, title: &str, allocated: Option<Ore>, flows: &Flows, lang: &str) -> Self {
        Self {
            code: code.to_owned(),
            title: title.to_owned(),
            allocated: allocated.map_or_else(|| "–".to_owned(), Ore::kr),
            decided: flows.decided.kr(),
            requisitioned: flows.requisitioned.kr(),
            paid: flows.paid.kr(),
            repaid: flows.repaid.kr(),
            requisitioned_share: share(flows.requisitioned, flows.decided, lang),
            paid_share: share(flows.paid, flows.decided, lang),
        }
    }
}

/// An area with its initiatives.
#[derive(Debug, Clone)]
pub struct AreaBlock {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its initiatives.
    pub rows: Vec<MoneyRow>,
}

/// A grant of a decision, in words.
#[derive(Debug, Clone)]
pub struct GrantBlock {
    /// Its number, from 1.
    pub number: usize,
    /// What for.
    pub purpose: String,
    /// How much.
    pub amount: String,
    /// Its lines: initiative, title, amount.
    pub lines: Vec<(String, String, String)>,
    /// Its appropriations: appropriation and item, label, amount.
    pub funding: Vec<(String, String, String)>,
    /// Unspent money is repaid by, or empty.
    pub repay_by: String,
    /// The money is used by, or empty.
    pub use_by: String,
    /// Where repayments go.
    pub repay_to: String,
}

/// A disbursement decision, in words.
#[derive(Debug, Clone)]
pub struct DecisionBlock {
    /// Its id.
    pub id: String,
    /// Its reference.
    pub decision_ref: String,
    /// When.
    pub decided_on: String,
    /// Who decided.
    pub decided_by: String,
    /// Who pays.
    pub payer: String,
    /// Who receives.
    pub payee: String,
    /// Whether paid on requisition, in words.
    pub on_requisition: &'static str,
    /// Its grants.
    pub grants: Vec<GrantBlock>,
}

/// A deadline, in words.
#[derive(Debug, Clone)]
pub struct DeadlineLine {
    /// The date.
    pub date: String,
    /// What kind.
    pub kind: &'static str,
    /// What is due.
    pub what: String,
    /// To whom or where.
    pub to: String,
    /// The agreement's id.
    pub agreement: String,
    /// The agreement's title.
    pub agreement_title: String,
    /// The agreement or decision that sets it.
    pub source: String,
    /// The status's CSS class and label.
    pub status: (&'static str, &'static str),
    /// When it was done, or empty.
    pub done_on: String,
}

fn deadline_line(
    t: &Texts,
    d: &Deadline,
    today: NaiveDate,
    titles: &HashMap<String, String>,
) -> DeadlineLine {
    let (class, label) = status_of(t, d.status(today));
    DeadlineLine {
        date: d.date.to_string(),
        kind: deadline_kind_label(t, d.kind),
        what: d.what.clone(),
        to: d.to.clone(),
        agreement_title: titles
            .get(&d.agreement)
            .cloned()
            .unwrap_or_else(|| d.agreement.clone()),
        agreement: d.agreement.clone(),
        source: d.source.clone(),
        status: (class, label),
        done_on: d.done_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// A recorded event, in words.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// When it happened.
    pub occurred_on: String,
    /// What kind.
    pub kind: &'static str,
    /// What it concerns, readably.
    pub target: String,
    /// The stored target.
    pub target_code: String,
    /// How much, or empty.
    pub amount: String,
    /// The note.
    pub note: String,
    /// Why.
    pub reason: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: String,
}

/// The event form as shown: its choices, what was entered, and the problem of a rejected post.
#[derive(Debug, Clone)]
pub struct EventFormView {
    /// The kinds.
    pub kinds: Vec<Choice>,
    /// Grant lines (money).
    pub grant_targets: Vec<Choice>,
    /// Report obligations.
    pub report_targets: Vec<Choice>,
    /// The amount as entered.
    pub amount: String,
    /// The date as entered.
    pub occurred_on: String,
    /// The note as entered.
    pub note: String,
    /// The reason as entered.
    pub reason: String,
    /// The field a rejected post got wrong (`kind`, `target`, `amount`, `occurred_on`,
    /// `note`, `reason`), or empty.
    pub problem_field: String,
    /// What was wrong, in words, or empty.
    pub problem: String,
}

impl EventFormView {
    /// Whether `field` is the one that was wrong.
    pub fn invalid(&self, field: &str) -> bool {
        self.problem_field == field
    }
}

/// The agreement page.
#[derive(Template)]
#[template(path = "agreements/agreement.html")]
pub struct AgreementPage {
    /// The frame.
    pub chrome: Chrome,
    /// The id.
    pub id: String,
    /// The id, encoded for a URL.
    pub href_id: String,
    /// The title.
    pub title: String,
    /// The year.
    pub year: i32,
    /// The parties.
    pub parties: Vec<String>,
    /// The government's decision references.
    pub decision_refs: String,
    /// When it was signed.
    pub signed_on: String,
    /// The stated total in kronor and in millions.
    pub total: (String, String),
    /// The findings, in words: source and message.
    pub findings: Vec<(String, String)>,
    /// The areas with their initiatives.
    pub areas: Vec<AreaBlock>,
    /// The totals row.
    pub totals: MoneyRow,
    /// The decisions.
    pub decisions: Vec<DecisionBlock>,
    /// The deadlines.
    pub deadlines: Vec<DeadlineLine>,
    /// The history, oldest first.
    pub history: Vec<HistoryLine>,
    /// The event form, for grant_admin.
    pub form: Option<EventFormView>,
}

/// Every grant line and report obligation an event may concern, with readable labels:
/// (grant lines, report obligations).
fn target_choices(view: &AgreementView) -> (Vec<Choice>, Vec<Choice>) {
    let choice = |value: String, label: String| Choice {
        value,
        label,
        selected: false,
    };
    let mut money = Vec::new();
    let mut reports = Vec::new();
    let agreement = &view.agreement;
    for (i, o) in agreement.report_obligations.iter().enumerate() {
        reports.push(choice(
            format!("report:{}:{}", agreement.id, i + 1),
            format!("{} {}: {} ({})", o.due, o.what, o.to, agreement.id),
        ));
    }
    for d in &view.decisions {
        for (i, grant) in d.grants.iter().enumerate() {
            let n = i + 1;
            if grant.lines.is_empty() {
                money.push(choice(
                    format!("grant:{}:{n}", d.id),
                    format!(
                        "{} · {n}: {} ({})",
                        d.decision_ref,
                        grant.purpose,
                        grant.amount_ore.kr()
                    ),
                ));
            }
            for line in &grant.lines {
                money.push(choice(
                    format!("grant:{}:{n}:{}", d.id, line.initiative),
                    format!(
                        "{} · {n}: {} {} ({})",
                        d.decision_ref,
                        line.initiative,
                        line.title,
                        line.amount_ore.kr()
                    ),
                ));
            }
        }
        for (i, o) in d.report_obligations.iter().enumerate() {
            reports.push(choice(
                format!("report:{}:{}", d.id, i + 1),
                format!("{} {}: {} ({})", o.due, o.what, o.to, d.decision_ref),
            ));
        }
    }
    (money, reports)
}

/// What the form was given (empty on a fresh page).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EventForm {
    /// `requisition`, `payment`, `repayment` or `report`.
    pub kind: String,
    /// The target's stored form.
    pub target: String,
    /// The amount in kronor.
    pub amount: String,
    /// When it happened.
    pub occurred_on: String,
    /// A note.
    pub note: String,
    /// Why.
    pub reason: String,
}

fn event_form(
    t: &Texts,
    view: &AgreementView,
    entered: &EventForm,
    problem: Option<(String, String)>,
) -> EventFormView {
    let (mut grant_targets, mut report_targets) = target_choices(view);
    for c in grant_targets.iter_mut().chain(report_targets.iter_mut()) {
        c.selected = c.value == entered.target;
    }
    let kind = if entered.kind.is_empty() {
        EventKind::Requisition.as_str()
    } else {
        entered.kind.as_str()
    };
    let (problem_field, problem) = problem.unwrap_or_default();
    EventFormView {
        kinds: EventKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: event_kind_label(t, *k).to_owned(),
                selected: k.as_str() == kind,
            })
            .collect(),
        grant_targets,
        report_targets,
        amount: entered.amount.clone(),
        occurred_on: if entered.occurred_on.is_empty() {
            crate::followup::today().to_string()
        } else {
            entered.occurred_on.clone()
        },
        note: entered.note.clone(),
        reason: entered.reason.clone(),
        problem_field,
        problem,
    }
}

fn agreement_page(
    chrome: Chrome,
    view: &AgreementView,
    form: Option<EventFormView>,
) -> AgreementPage {
    let t = chrome.t;
    let lang = chrome.lang.code();
    let agreement = &view.agreement;
    let areas = agreement
        .areas
        .iter()
        .map(|area| AreaBlock {
            code: area.code.clone(),
            name: area.name.clone(),
            rows: view
                .rows
                .iter()
                .filter(|r| r.area == area.code)
                .map(|r| MoneyRow::new(&r.code, &r.title, r.allocated, &r.flows, lang))
                .collect(),
        })
        .collect();
    let allocated: Ore = view.rows.iter().filter_map(|r| r.allocated).sum();
    let totals = MoneyRow::new("", t.ag_total, Some(allocated), &view.total, lang);
    let decisions = view
        .decisions
        .iter()
        .map(|d| DecisionBlock {
            id: d.id.clone(),
            decision_ref: d.decision_ref.clone(),
            decided_on: d.decided_on.to_string(),
            decided_by: d.decided_by.clone(),
            payer: d.payer.clone(),
            payee: d.payee.clone(),
            on_requisition: if d.paid_on_requisition {
                t.ag_yes
            } else {
                t.ag_no
            },
            grants: d
                .grants
                .iter()
                .enumerate()
                .map(|(i, g)| GrantBlock {
                    number: i + 1,
                    purpose: g.purpose.clone(),
                    amount: g.amount_ore.kr(),
                    lines: g
                        .lines
                        .iter()
                        .map(|l| (l.initiative.clone(), l.title.clone(), l.amount_ore.kr()))
                        .collect(),
                    funding: g
                        .funding
                        .iter()
                        .map(|f| {
                            (
                                format!("{} ap. {}", f.appropriation, f.item),
                                f.label.clone(),
                                f.amount_ore.kr(),
                            )
                        })
                        .collect(),
                    repay_by: g
                        .repay_unspent_by
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    use_by: g.use_by.map(|d| d.to_string()).unwrap_or_default(),
                    repay_to: g.repay_to.clone(),
                })
                .collect(),
        })
        .collect();
    let titles = HashMap::from([(agreement.id.clone(), agreement.title.clone())]);
    let today = crate::followup::today();
    let (grant_targets, report_targets) = target_choices(view);
    let labels: HashMap<String, String> = grant_targets
        .into_iter()
        .chain(report_targets)
        .map(|c| (c.value, c.label))
        .collect();
    let history = view
        .history
        .iter()
        .map(|e| {
            let code = e.event.target.to_string();
            HistoryLine {
                occurred_on: e.event.occurred_on.to_string(),
                kind: event_kind_label(t, e.event.kind),
                target: labels.get(&code).cloned().unwrap_or_else(|| code.clone()),
                target_code: code,
                amount: e.event.amount.map(Ore::kr).unwrap_or_default(),
                note: e.event.note.clone().unwrap_or_default(),
                reason: e.event.reason.clone(),
                recorded_by: e.recorded_by.clone(),
                recorded_at: e.recorded_at.clone(),
            }
        })
        .collect();
    AgreementPage {
        id: agreement.id.clone(),
        href_id: percent_encode(&agreement.id),
        title: agreement.title.clone(),
        year: agreement.year,
        parties: agreement.parties.clone(),
        decision_refs: agreement.decision_refs.join(", "),
        signed_on: agreement.signed_on.to_string(),
        total: (agreement.total_ore.kr(), agreement.total_ore.mnkr()),
        findings: view
            .findings
            .iter()
            .map(|(source, f)| (source.clone(), finding_text(t, f)))
            .collect(),
        areas,
        totals,
        decisions,
        deadlines: view
            .deadlines
            .iter()
            .map(|d| deadline_line(t, d, today, &titles))
            .collect(),
        history,
        form,
        chrome,
    }
}

async fn show_agreement(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize_read(&user, &format!("agreement:{id}")).await?;
    let view = grants::agreement_view(&state, &id).await?;
    let form = can_manage(&user).then(|| event_form(chrome.t, &view, &EventForm::default(), None));
    Ok(render(&agreement_page(chrome, &view, form))?.into_response())
}

/// The field a problem message names (`field: problem`), mapped to the form's fields.
fn problem_field(message: &str) -> &'static str {
    match message.split_once(':').map(|(f, _)| f.trim()) {
        Some("kind") => "kind",
        Some("target") => "target",
        Some("amount" | "amount_ore") => "amount",
        Some("occurred_on") => "occurred_on",
        Some("note") => "note",
        Some("reason") => "reason",
        _ => "",
    }
}

fn field_label(t: &Texts, field: &str) -> &'static str {
    match field {
        "kind" => t.ag_kind,
        "target" => t.ag_target,
        "amount" => t.ag_amount_kr,
        "occurred_on" => t.ag_occurred_on,
        "note" => t.ag_note,
        "reason" => t.ag_reason,
        _ => "",
    }
}

async fn record_event(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<EventForm>,
) -> Result<Response, AppError> {
    grants::authorize_write(&user, &format!("agreement:{id}")).await?;
    let view = grants::agreement_view(&state, &id).await?;
    let outcome = match parse_kronor(&form.amount) {
        Err(problem) => Err(AppError::Invalid(format!("amount: {problem}"))),
        Ok(amount) => match NewGrantEvent::parse(
            &id,
            &form.kind,
            &form.target,
            amount,
            &form.occurred_on,
            Some(&form.note),
            &form.reason,
        ) {
            Ok(event) => grants::record_event(&state, &user, &event)
                .await
                .map(|_| ()),
            Err(problem) => Err(problem.into()),
        },
    };
    match outcome {
        Ok(()) => Ok(
            Redirect::to(&format!("/agreements/{}#history", percent_encode(&id))).into_response(),
        ),
        Err(AppError::Invalid(message)) => {
            let field = problem_field(&message);
            let label = field_label(chrome.t, field);
            let shown = match message.split_once(':') {
                Some((_, rest)) if !label.is_empty() => format!("{label}:{rest}"),
                _ => message.clone(),
            };
            let form = event_form(chrome.t, &view, &form, Some((field.to_owned(), shown)));
            let page = agreement_page(chrome, &view, Some(form));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}

/// The initiative table as a sheet, rows as shown.
fn agreement_sheet(view: &AgreementView) -> Sheet {
    let mut rows = vec![header(&[
        "area",
        "code",
        "title",
        "allocated_kr",
        "decided_kr",
        "requisitioned_kr",
        "paid_kr",
        "repaid_kr",
        "requisitioned_of_decided_percent",
        "paid_of_decided_percent",
    ])];
    let line = |area: &str, code: &str, title: &str, allocated: Option<Ore>, f: &Flows| {
        vec![
            text_cell(area),
            text_cell(code),
            text_cell(title),
            allocated.map_or(Cell::Empty, kr_cell),
            kr_cell(f.decided),
            kr_cell(f.requisitioned),
            kr_cell(f.paid),
            kr_cell(f.repaid),
            share_cell(f.requisitioned, f.decided),
            share_cell(f.paid, f.decided),
        ]
    };
    for area in &view.agreement.areas {
        for r in view.rows.iter().filter(|r| r.area == area.code) {
            rows.push(line(&area.code, &r.code, &r.title, r.allocated, &r.flows));
        }
    }
    let allocated: Ore = view.rows.iter().filter_map(|r| r.allocated).sum();
    rows.push(line("", "", "total", Some(allocated), &view.total));
    Sheet {
        name: view.agreement.id.clone(),
        rows,
    }
}

async fn download_agreement(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(params): Query<DownloadParams>,
) -> Result<Response, AppError> {
    let format = params.format()?;
    authorize_read(&user, &format!("agreement:{id}")).await?;
    let view = grants::agreement_view(&state, &id).await?;
    Ok(crate::render::download(
        agreement_sheet(&view),
        format,
        &format!("{id}-initiatives"),
    ))
}

/// A file name made of the characters every system accepts.
fn safe_stem(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

async fn agreement_document(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize_read(&user, &format!("agreement:{id}")).await?;
    let agreement: Agreement = state.store.get_agreement(&id).await?;
    let json = serde_json::to_string_pretty(&agreement.to_json())
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (CONTENT_TYPE, "application/json; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.json\"", safe_stem(&agreement.id)),
            ),
        ],
        json,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The calendar.

/// One section of the calendar.
#[derive(Debug, Clone)]
pub struct CalendarSection {
    /// Its anchor.
    pub anchor: &'static str,
    /// Its heading.
    pub heading: &'static str,
    /// Its deadlines.
    pub deadlines: Vec<DeadlineLine>,
}

/// The calendar.
#[derive(Template)]
#[template(path = "agreements/calendar.html")]
pub struct CalendarPage {
    /// The frame.
    pub chrome: Chrome,
    /// Today.
    pub today: String,
    /// Overdue, due soon, later, done.
    pub sections: Vec<CalendarSection>,
}

async fn agreement_titles(state: &AppState) -> Result<HashMap<String, String>, AppError> {
    Ok(state
        .store
        .list_agreements()
        .await?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect())
}

async fn show_calendar(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
) -> Result<Response, AppError> {
    authorize_read(&user, "grant-calendar").await?;
    let t = chrome.t;
    let today = crate::followup::today();
    let titles = agreement_titles(&state).await?;
    let all = grants::calendar(&state).await?;
    let sections = [
        (Status::Overdue, "overdue", t.ag_overdue_heading),
        (Status::DueSoon, "due-soon", t.ag_due_soon_heading),
        (Status::Upcoming, "later", t.ag_later_heading),
        (Status::Done, "done", t.ag_done_heading),
    ]
    .into_iter()
    .map(|(status, anchor, heading)| CalendarSection {
        anchor,
        heading,
        deadlines: all
            .iter()
            .filter(|d| d.status(today) == status)
            .map(|d| deadline_line(t, d, today, &titles))
            .collect(),
    })
    .collect();
    Ok(render(&CalendarPage {
        chrome,
        today: today.to_string(),
        sections,
    })?
    .into_response())
}

async fn download_calendar(
    State(state): State<AppState>,
    user: SignedIn,
    Query(params): Query<DownloadParams>,
) -> Result<Response, AppError> {
    let format = params.format()?;
    authorize_read(&user, "grant-calendar").await?;
    let today = crate::followup::today();
    let mut rows = vec![header(&[
        "date",
        "status",
        "kind",
        "what",
        "to",
        "agreement",
        "source",
        "done_on",
    ])];
    for d in grants::calendar(&state).await? {
        rows.push(vec![
            text_cell(&d.date.to_string()),
            text_cell(status_word(d.status(today))),
            text_cell(deadline_kind_word(d.kind)),
            text_cell(&d.what),
            text_cell(&d.to),
            text_cell(&d.agreement),
            text_cell(&d.source),
            d.done_on
                .map_or(Cell::Empty, |day| text_cell(&day.to_string())),
        ]);
    }
    Ok(crate::render::download(
        Sheet {
            name: format!("deadlines {today}"),
            rows,
        },
        format,
        &format!("grant-calendar-{today}"),
    ))
}

// ---------------------------------------------------------------------------------------------
// A county's tapering plans.

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

async fn county_plans(
    state: &AppState,
    user: &SignedIn,
    code: &str,
) -> Result<(OrgCode, Vec<CountyPlan>), AppError> {
    let county = code_in_path(code)?;
    if county.level() != OrgLevel::County {
        return Err(AppError::NotFound(format!("county '{code}'")));
    }
    authorize_read(user, &format!("tapering:{county}")).await?;
    let plans = grants::county_plans(state, &county).await?;
    Ok((county, plans))
}

async fn show_county(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let (county, plans) = county_plans(&state, &user, &code).await?;
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
    Ok(render(&CountyPage {
        name: county_name(&state, &county).await?,
        code: county.to_string(),
        plans,
        chrome,
    })?
    .into_response())
}

async fn download_county(
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

// ---------------------------------------------------------------------------------------------
// A performance grant.

/// One recipient, in words, with the arithmetic of its share.
#[derive(Debug, Clone)]
pub struct AllocationLine {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its population.
    pub population: String,
    /// The baseline value.
    pub baseline: String,
    /// The current value.
    pub current: String,
    /// The threshold.
    pub threshold: String,
    /// Whether it qualified.
    pub qualified: bool,
    /// Why, in words.
    pub reason: String,
    /// Its weight.
    pub weight: String,
    /// Its share: weight / total weight, and in per cent (empty when it gets nothing).
    pub share: String,
    /// Pool × share before rounding (empty when it gets nothing).
    pub exact: String,
    /// The öre added by the largest remainder rule, or empty.
    pub extra: String,
    /// Its amount.
    pub amount: String,
}

/// The arithmetic of one recipient's share, exactly: floor öre, remainder, total weight.
struct ShareArithmetic {
    floor: i128,
    remainder: i128,
    total_weight: i128,
}

fn arithmetic(pool: Ore, weight: u64, total_weight: u64) -> Option<ShareArithmetic> {
    if weight == 0 || total_weight == 0 {
        return None;
    }
    let numerator = i128::from(pool.0) * i128::from(weight);
    let total_weight = i128::from(total_weight);
    Some(ShareArithmetic {
        floor: numerator.div_euclid(total_weight),
        remainder: numerator.rem_euclid(total_weight),
        total_weight,
    })
}

/// A plain number in the reader's language, up to four decimals.
fn plain_number(value: f64, lang: &str) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let text = if lang == "en" {
        text.to_owned()
    } else {
        text.replace('.', ",")
    };
    text.replace('-', "−")
}

/// A performance grant's page.
#[derive(Template)]
#[template(path = "agreements/performance.html")]
pub struct PerformancePage {
    /// The frame.
    pub chrome: Chrome,
    /// The grant's id.
    pub id: String,
    /// The id, encoded for a URL.
    pub href_id: String,
    /// Its title.
    pub title: String,
    /// The rule, term by term: label and words.
    pub rule: Vec<(&'static str, String)>,
    /// The indicator's id, for the link.
    pub indicator: String,
    /// The recipients.
    pub rows: Vec<AllocationLine>,
    /// The total weight of those who qualify.
    pub total_weight: String,
    /// How many qualify.
    pub qualified: usize,
    /// The sum of the floors.
    pub floors: String,
    /// The öre left after the floors, handed out one each.
    pub leftover: String,
    /// What is paid in all.
    pub paid: String,
    /// The pool.
    pub pool: String,
    /// Whether the amounts add up to the pool.
    pub adds_up: bool,
}

fn indicator_definition(id: &str) -> Option<&'static Definition> {
    evident_store::indicators::indicator_set().get(id)
}

fn show_value(
    definition: Option<&Definition>,
    value: Option<f64>,
    t: &Texts,
    lang: &str,
) -> String {
    match (definition, value.filter(|v| v.is_finite())) {
        (Some(d), Some(v)) => format_value(d.unit, v, lang),
        (None, Some(v)) => plain_number(v, lang),
        (_, None) => t.no_data.to_owned(),
    }
}

/// Why a recipient qualified or not, in the reader's language (the decision itself is core's).
fn reason_text(
    t: &Texts,
    grant: &PerformanceGrant,
    a: &Allocation,
    show: &dyn Fn(Option<f64>) -> String,
) -> String {
    let relative = matches!(grant.target, Target::Relative { .. });
    let mut missing = Vec::new();
    if relative && !a.baseline.is_some_and(f64::is_finite) {
        missing.push(format!(
            "{} ({})",
            t.ag_baseline_period, grant.baseline_period
        ));
    }
    if !a.current.is_some_and(f64::is_finite) {
        missing.push(format!("{} ({})", t.ag_judged_period, grant.period));
    }
    if !missing.is_empty() {
        return format!("{} {}", t.ag_no_published_value, missing.join(" / "));
    }
    let verb = if a.qualified {
        t.ag_reaches
    } else {
        t.ag_does_not_reach
    };
    format!("{} {verb} {}", show(a.current), show(a.threshold))
}

fn rule_words(
    t: &Texts,
    grant: &PerformanceGrant,
    definition: Option<&Definition>,
    lang: &str,
) -> Vec<(&'static str, String)> {
    let level = |v: f64| show_value(definition, Some(v), t, lang);
    let indicator = match definition {
        Some(d) => format!("{} {}", d.id, d.title.get(lang)),
        None => grant.indicator.clone(),
    };
    let target = match grant.target {
        Target::Absolute { level: l } if grant.higher_is_better => {
            format!("{} {}", t.ag_target_at_least, level(l))
        }
        Target::Absolute { level: l } => format!("{} {}", t.ag_target_at_most, level(l)),
        Target::Relative { improvement } => format!(
            "{} {} % {}",
            t.ag_target_relative_a,
            plain_number(improvement * 100.0, lang),
            t.ag_target_relative_b
        ),
    };
    vec![
        (t.indicator, indicator),
        (
            t.ag_direction,
            if grant.higher_is_better {
                t.better_higher
            } else {
                t.better_lower
            }
            .to_owned(),
        ),
        (t.ag_baseline_period, grant.baseline_period.clone()),
        (t.ag_judged_period, grant.period.clone()),
        (t.ag_target_rule, target),
        (
            t.ag_split,
            match grant.split {
                Split::ByPopulation => t.ag_split_population,
                Split::Equally => t.ag_split_equally,
            }
            .to_owned(),
        ),
        (t.ag_pool, grant.pool.kr()),
        (t.ag_rounding, t.ag_rounding_rule.to_owned()),
    ]
}

async fn performance(
    state: &AppState,
    user: &SignedIn,
    id: &str,
) -> Result<PerformanceView, AppError> {
    authorize_read(user, &format!("performance_grant:{id}")).await?;
    grants::performance_view(state, id).await
}

async fn show_performance(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let view = performance(&state, &user, &id).await?;
    let t = chrome.t;
    let lang = chrome.lang.code();
    let grant = &view.grant;
    let definition = indicator_definition(&grant.indicator);
    let show = |v: Option<f64>| show_value(definition, v, t, lang);
    let total_weight: u64 = view.allocations.iter().map(|a| a.weight).sum();
    let mut floors: i128 = 0;
    let rows = view
        .allocations
        .iter()
        .map(|a| {
            let math = arithmetic(grant.pool, a.weight, total_weight);
            if let Some(m) = &math {
                floors += m.floor;
            }
            let (share, exact, extra) = match &math {
                Some(m) => {
                    let percent = plain_number(a.weight as f64 / total_weight as f64 * 100.0, lang);
                    let floor = Ore(i64::try_from(m.floor).expect("at most the pool"));
                    let exact = if m.remainder == 0 {
                        floor.kr()
                    } else {
                        format!(
                            "{} + {}/{} öre",
                            floor.kr(),
                            grouped(m.remainder.unsigned_abs()),
                            grouped(m.total_weight.unsigned_abs())
                        )
                    };
                    let added = i128::from(a.amount.0) - m.floor;
                    (
                        format!(
                            "{} / {} = {percent} %",
                            grouped(u128::from(a.weight)),
                            grouped(u128::from(total_weight))
                        ),
                        exact,
                        if added == 0 {
                            String::new()
                        } else {
                            format!("+{added} öre")
                        },
                    )
                }
                None => (String::new(), String::new(), String::new()),
            };
            AllocationLine {
                code: a.code.clone(),
                name: a.name.clone(),
                population: grouped(u128::from(a.population)),
                baseline: show(a.baseline),
                current: show(a.current),
                threshold: a.threshold.map_or_else(String::new, |v| show(Some(v))),
                qualified: a.qualified,
                reason: reason_text(t, grant, a, &show),
                weight: grouped(u128::from(a.weight)),
                share,
                exact,
                extra,
                amount: a.amount.kr(),
            }
        })
        .collect();
    let paid: Ore = view.allocations.iter().map(|a| a.amount).sum();
    let floors = Ore(i64::try_from(floors).expect("at most the pool"));
    let page = PerformancePage {
        id: grant.id.clone(),
        href_id: percent_encode(&grant.id),
        title: grant.title.clone(),
        rule: rule_words(t, grant, definition, lang),
        indicator: grant.indicator.clone(),
        rows,
        total_weight: grouped(u128::from(total_weight)),
        qualified: view.allocations.iter().filter(|a| a.qualified).count(),
        leftover: if total_weight == 0 {
            Ore::ZERO.kr()
        } else {
            format!("{} öre", (grant.pool - floors).0)
        },
        floors: floors.kr(),
        paid: paid.kr(),
        pool: grant.pool.kr(),
        adds_up: paid == grant.pool,
        chrome,
    };
    Ok(render(&page)?.into_response())
}

async fn download_performance(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(params): Query<DownloadParams>,
) -> Result<Response, AppError> {
    let format = params.format()?;
    let view = performance(&state, &user, &id).await?;
    let grant = &view.grant;
    let total_weight: u64 = view.allocations.iter().map(|a| a.weight).sum();
    let number = |v: Option<f64>| {
        v.filter(|v| v.is_finite())
            .map_or(Cell::Empty, Cell::Number)
    };
    let mut rows = vec![header(&[
        "code",
        "name",
        "population",
        "baseline",
        "current",
        "threshold",
        "qualified",
        "weight",
        "share",
        "pool_times_share_ore",
        "amount_kr",
        "reason",
    ])];
    for a in &view.allocations {
        let math = arithmetic(grant.pool, a.weight, total_weight);
        rows.push(vec![
            text_cell(&a.code),
            text_cell(&a.name),
            Cell::Number(a.population as f64),
            number(a.baseline),
            number(a.current),
            number(a.threshold),
            text_cell(if a.qualified { "yes" } else { "no" }),
            Cell::Number(a.weight as f64),
            math.as_ref().map_or(Cell::Empty, |_| {
                Cell::Number(a.weight as f64 / total_weight as f64)
            }),
            math.as_ref().map_or(Cell::Empty, |m| {
                Cell::Number(m.floor as f64 + m.remainder as f64 / m.total_weight as f64)
            }),
            kr_cell(a.amount),
            text_cell(&a.reason),
        ]);
    }
    let paid: Ore = view.allocations.iter().map(|a| a.amount).sum();
    rows.push(vec![
        text_cell("total"),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Number(total_weight as f64),
        Cell::Empty,
        Cell::Empty,
        kr_cell(paid),
        text_cell(&format!("pool {}", grant.pool.kr())),
    ]);
    Ok(crate::render::download(
        Sheet {
            name: grant.id.clone(),
            rows,
        },
        format,
        &format!("performance-{}-{}", grant.id, grant.period),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kronor_are_read_exactly_in_either_notation() {
        assert_eq!(parse_kronor("1 234 567,89"), Ok(Some(123_456_789)));
        assert_eq!(parse_kronor("1234567.89"), Ok(Some(123_456_789)));
        assert_eq!(parse_kronor("1 000 000"), Ok(Some(100_000_000)));
        assert_eq!(
            parse_kronor("1\u{a0}000\u{202f}000 kr"),
            Ok(Some(100_000_000))
        );
        assert_eq!(parse_kronor("0,5"), Ok(Some(50)));
        assert_eq!(parse_kronor("0.05"), Ok(Some(5)));
        assert_eq!(parse_kronor("  "), Ok(None));
        for bad in [
            "1,234,567.89",
            "1,234",
            "12,",
            "-5",
            "1e6",
            "abc",
            "1.2.3",
            ",5",
        ] {
            assert!(parse_kronor(bad).is_err(), "{bad}");
        }
        assert!(parse_kronor("99999999999999999999").is_err());
    }

    #[test]
    fn shares_round_half_up_and_say_dash_for_nothing_decided() {
        assert_eq!(share(Ore(1), Ore(3), "sv"), "33,3 %");
        assert_eq!(share(Ore(2), Ore(3), "en"), "66.7 %");
        assert_eq!(share(Ore(1), Ore(0), "sv"), "–");
        assert_eq!(share(Ore(1), Ore(8), "sv"), "12,5 %");
    }

    #[test]
    fn the_arithmetic_of_a_share_is_exact() {
        let m = arithmetic(Ore(100), 1, 3).unwrap();
        assert_eq!((m.floor, m.remainder, m.total_weight), (33, 1, 3));
        assert!(arithmetic(Ore(100), 0, 3).is_none());
    }
}
