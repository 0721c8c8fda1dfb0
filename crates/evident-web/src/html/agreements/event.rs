//! The post of the agreement page's event form, which records a requisition, payment,
//! repayment or report — redisplayed with the problem beside its field when something is wrong.

use super::agreement::AgreementPage;
use super::form::{EventForm, EventFormView};
use crate::auth::SignedIn;
use crate::href::percent_encode;
use crate::html::{Chrome, render};
use crate::i18n::Texts;
use crate::service::grants::{self, EnteredAmount, EventEntry};
use crate::{AppError, AppState};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

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
