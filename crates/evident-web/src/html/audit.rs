//! The auditor's pages: the chain's verdict and a search of the trail by user, client
//! pseudonym, period and action; and the accesses to follow up, with a CSV download.

use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::service::audit::{self, AuditQuery, FOLLOW_UP_KINDS, FollowUpItem, FollowUpQuery};
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use evident_core::access::audit::AuditEntry;

/// The auditor's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(show_audit))
        .route("/audit/follow-up", get(show_follow_up))
        .route("/audit/follow-up.csv", get(download_follow_up))
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

/// The follow-up page: emergency accesses, denials, reads outside the user's units and
/// unusual volumes.
#[derive(Template)]
#[template(path = "audit/follow_up.html")]
pub struct FollowUpPage {
    /// The frame.
    pub chrome: Chrome,
    /// The filters as typed.
    pub query: FollowUpQuery,
    /// The kinds to choose from.
    pub kinds: [&'static str; 4],
    /// The accesses, grouped by kind.
    pub items: Vec<FollowUpItem>,
    /// The same filters, for the CSV link.
    pub csv_query: String,
}

impl FollowUpPage {
    /// A filter's current value, for the form.
    pub fn value(field: &Option<String>) -> &str {
        field.as_deref().unwrap_or("")
    }

    /// Whether `kind` is the chosen one.
    pub fn chosen(&self, kind: &str) -> bool {
        self.query.kind.as_deref() == Some(kind)
    }
}

async fn show_follow_up(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Query(query): Query<FollowUpQuery>,
) -> Result<Response, AppError> {
    let items = audit::follow_up(&state, &user, &query).await?;
    let csv_query = serde_urlencoded::to_string([
        ("from", query.from.clone().unwrap_or_default()),
        ("to", query.to.clone().unwrap_or_default()),
        ("user", query.user.clone().unwrap_or_default()),
        ("kind", query.kind.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    Ok(render(&FollowUpPage {
        chrome,
        query,
        kinds: FOLLOW_UP_KINDS,
        items,
        csv_query,
    })?
    .into_response())
}

async fn download_follow_up(
    State(state): State<AppState>,
    user: SignedIn,
    Query(query): Query<FollowUpQuery>,
) -> Result<Response, AppError> {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    let items = audit::follow_up(&state, &user, &query).await?;
    Ok((
        [
            (CONTENT_TYPE, crate::render::CSV_CONTENT_TYPE),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"audit-follow-up.csv\"",
            ),
        ],
        audit::follow_up_csv(&items),
    )
        .into_response())
}
