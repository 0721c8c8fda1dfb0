//! The server-rendered pages. Each page is one askama template with one struct; every page
//! struct carries a [`Chrome`] (language, texts and current path for the frame around it).
//!
//! # Layout
//! - [`home`]: the home page.
//! - [`orgs`]: the organisation browser — nation, county, municipality and unit pages, and the
//!   forms that create and edit units and dialog partners.
//! - [`lang`]: the language switch.
//! - [`cases`]: local follow-up — a unit's cases, the case page, measurements, the unit table.
//! - [`break_glass`]: the emergency-access form (a case number or a client's pseudonym, and a
//!   reason).
//! - [`comparisons`]: open comparisons — indicator tables with funnel plots, municipality
//!   profiles, comparison groups, CSV/Excel downloads.
//! - [`record`]: a client's own record (registerutdrag), printable and as JSON.
//! - [`selfreport`]: self-report links — created on the case page, answered by the client at `/s/{token}`.
//! - [`survey`]: client surveys — published by unit staff, answered anonymously at `/q/{token}`,
//!   results after disclosure control with a CSV download.
//! - [`auth`]: sign-in, sign-out and the account page (password, signing out other sessions,
//!   access tokens).
//! - [`users`]: user administration.
//! - [`audit`]: the auditor's page.
//! - [`agreements`]: agreements and grants — money per initiative, decisions, the history of
//!   requisitions, payments, repayments and reports (recorded with a reason), the deadline
//!   calendar, county tapering plans and performance-grant allocations, with downloads.

pub mod agreements;
pub mod audit;
pub mod auth;
pub mod break_glass;
pub mod cases;
pub mod comparisons;
pub mod home;
pub mod lang;
pub mod orgs;
pub mod record;
pub mod selfreport;
pub mod survey;
pub mod users;

use crate::error::ErrorForPage;
use crate::i18n::{Lang, Texts};
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::convert::Infallible;

/// The stylesheet, embedded so that the binary is all a user needs.
const STYLESHEET: &str = include_str!("../../static/evident.css");

/// Every page route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/lang/{code}", get(lang::switch))
        .route("/static/evident.css", get(stylesheet))
        .merge(orgs::router())
        .merge(auth::router())
        .merge(cases::router())
        .merge(break_glass::router())
        .merge(selfreport::router())
        .merge(survey::router())
        .merge(record::router())
        .merge(comparisons::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(agreements::router())
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

/// The frame every page shares: the reader's language, its texts, the current path (for
/// the language switch to return to), who is signed in, and the CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The reader's language.
    pub lang: Lang,
    /// Every text in that language.
    pub t: &'static Texts,
    /// The path and query of the current page.
    pub path: String,
    /// The signed-in user's name, if any.
    pub user_name: Option<String>,
    /// Whether the navigation offers user administration.
    pub can_manage_users: bool,
    /// Whether the navigation offers the audit trail.
    pub can_read_audit: bool,
    /// The token every form posts back as `csrf`.
    pub csrf: String,
}

impl Chrome {
    /// The frame for a visitor's page in `lang` at `path`.
    pub fn new(lang: Lang, path: impl Into<String>) -> Self {
        Self {
            lang,
            t: lang.texts(),
            path: path.into(),
            user_name: None,
            can_manage_users: false,
            can_read_audit: false,
            csrf: String::new(),
        }
    }

    /// The URL of the language switch, returning to this page.
    pub fn switch_href(&self) -> String {
        format!(
            "/lang/{}?next={}",
            self.lang.other().code(),
            crate::href::percent_encode(&self.path)
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Chrome {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let mut chrome = Self::new(lang, path);
        if let Some(token) = parts.extensions.get::<crate::auth::csrf::CsrfToken>() {
            chrome.csrf = token.0.clone();
        }
        if let Some(user) = crate::auth::identity::signed_in(parts) {
            use evident_core::access;
            chrome.user_name = Some(user.user.name.to_string());
            chrome.can_manage_users = access::granting::manages_any_users(&user.user.grants);
            chrome.can_read_audit = access::may_read_audit(&user.user.grants);
        }
        Ok(chrome)
    }
}

/// Renders a page as HTML.
///
/// # Errors
/// The base of links handed to clients (survey and self-report links, code slips): the scheme
/// the proxy reports (`X-Forwarded-Proto`), else http, and the host the request was sent to.
pub(crate) fn origin(headers: &axum::http::HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|s| *s == "https" || *s == "http")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// When the template fails to render, which is a bug: an internal error.
pub fn render(page: &impl Template) -> Result<Html<String>, AppError> {
    page.render()
        .map(Html)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering a page: {e}")))
}

/// The page shown for a failed request.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The frame.
    pub chrome: Chrome,
    /// The response status.
    pub status: u16,
    /// The heading, by kind of error.
    pub title: &'static str,
    /// What went wrong.
    pub detail: String,
}

/// Middleware: a page request that failed with an [`AppError`] gets a whole error page in the
/// reader's language instead of the plain-text body the error carries. API responses never
/// carry the marker, so they pass through untouched.
pub async fn render_error_pages(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let chrome = match Chrome::from_request_parts(&mut parts, &()).await {
        Ok(chrome) => chrome,
        Err(never) => match never {},
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(error) = response.extensions().get::<ErrorForPage>().cloned() else {
        return response;
    };
    let t = chrome.t;
    let busy = error.retry_after.is_some() && error.status == StatusCode::SERVICE_UNAVAILABLE;
    let title = match error.status {
        _ if busy => t.errors.busy,
        StatusCode::NOT_FOUND => t.errors.not_found,
        StatusCode::FORBIDDEN => t.errors.forbidden,
        StatusCode::TOO_MANY_REQUESTS => t.errors.too_many,
        s if s.is_client_error() => t.errors.invalid,
        _ => t.errors.other,
    };
    let page = ErrorPage {
        chrome,
        status: error.status.as_u16(),
        title,
        detail: if busy {
            t.errors.busy_detail.to_owned()
        } else {
            error.detail
        },
    };
    match page.render() {
        Ok(html) => crate::error::with_retry_after(
            (error.status, Html(html)).into_response(),
            error.retry_after,
        ),
        Err(_) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_link_carries_the_current_path_encoded() {
        let chrome = Chrome::new(Lang::Sv, "/orgs/03?x=1&y=å");
        assert_eq!(
            chrome.switch_href(),
            "/lang/en?next=/orgs/03%3Fx%3D1%26y%3D%C3%A5"
        );
    }
}
