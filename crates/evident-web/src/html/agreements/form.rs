//! The event form on the agreement page: what it offers (every grant line and report
//! obligation of the agreement), and the post that records a requisition, payment, repayment
//! or report — redisplayed with the problem beside its field when something is wrong.

use super::agreement::AgreementPage;
use super::event_kind_label;
use crate::auth::SignedIn;
use crate::href::percent_encode;
use crate::html::comparisons::Choice;
use crate::html::{Chrome, render};
use crate::i18n::Texts;
use crate::service::grants::{self, AgreementView, EnteredAmount, EventEntry};
use crate::{AppError, AppState};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use evident_core::grants::ledger::EventKind;
use serde::Deserialize;

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
    /// The form for the agreement in `view`, filled with what was `entered`, and with the
    /// rejected field and its message when a post was refused.
    pub fn new(
        t: &Texts,
        view: &AgreementView,
        entered: &EventForm,
        problem: Option<(String, String)>,
        today: NaiveDate,
    ) -> Self {
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
        Self {
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
                today.to_string()
            } else {
                entered.occurred_on.clone()
            },
            note: entered.note.clone(),
            reason: entered.reason.clone(),
            problem_field,
            problem,
        }
    }

    /// Whether `field` is the one that was wrong.
    pub fn invalid(&self, field: &str) -> bool {
        self.problem_field == field
    }
}

/// Every grant line and report obligation an event may concern, with readable labels:
/// (grant lines, report obligations). The agreement page labels its history with them too.
pub(super) fn target_choices(view: &AgreementView) -> (Vec<Choice>, Vec<Choice>) {
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
        "kind" => t.agreements.kind,
        "target" => t.agreements.target,
        "amount" => t.agreements.amount_kr,
        "occurred_on" => t.agreements.occurred_on,
        "note" => t.agreements.note,
        "reason" => t.agreements.reason,
        _ => "",
    }
}

pub(super) async fn record_event(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<EventForm>,
) -> Result<Response, AppError> {
    let entry = EventEntry {
        kind: &form.kind,
        target: &form.target,
        amount: EnteredAmount::Kronor(&form.amount),
        occurred_on: &form.occurred_on,
        note: Some(&form.note),
        reason: &form.reason,
    };
    match grants::record_event(&state, &user, &id, entry).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/agreements/{}#history", percent_encode(&id))).into_response(),
        ),
        Err(AppError::Invalid(message)) => {
            // Read only now: a refused post is the one case that shows the page again.
            let view = grants::agreement_view(&state, &user, &id).await?;
            let field = problem_field(&message);
            let label = field_label(chrome.t, field);
            let shown = match message.split_once(':') {
                Some((_, rest)) if !label.is_empty() => format!("{label}:{rest}"),
                _ => message.clone(),
            };
            let today = state.clock.today();
            let problem = Some((field.to_owned(), shown));
            let form = EventFormView::new(chrome.t, &view, &form, problem, today);
            let page = AgreementPage::new(chrome, &view, Some(form), today);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(other) => Err(other),
    }
}
