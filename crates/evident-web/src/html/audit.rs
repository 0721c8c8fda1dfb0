//! The auditor's page: the chain's verdict and a search of the trail by user, client
//! pseudonym, period and action.

use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::service::audit::{self, AuditQuery};
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use evident_core::access::audit::AuditEntry;

/// The auditor's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(show_audit))
}

/// The audit trail page.
#[derive(Template)]
#[template(path = "audit/search.html")]
pub struct AuditPage {
    /// The frame.
    pub chrome: Chrome,
    /// The search as typed.
    pub query: AuditQuery,
    /// Matching entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// `Ok(entries checked)` or `Err(the first break)`.
    pub verdict: Result<usize, String>,
}

impl AuditPage {
    /// A search field's current value, for the form.
    pub fn value(field: &Option<String>) -> &str {
        field.as_deref().unwrap_or("")
    }
}

async fn show_audit(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let entries = audit::search(&state, &user, &query).await?;
    let verdict = audit::verify(&state, &user)
        .await?
        .map_err(|e| e.to_string());
    Ok(render(&AuditPage {
        chrome,
        query,
        entries,
        verdict,
    })?
    .into_response())
}
