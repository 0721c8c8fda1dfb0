//! CSRF protection by double submit: every browser gets a random `evident_csrf` cookie, pages
//! put its value in a hidden `csrf` field of each form (or JavaScript in an `X-CSRF-Token`
//! header), and a state-changing request from a browser must echo it. Another site can make a
//! browser send the cookie but cannot read it, so it cannot echo it. Together with
//! `SameSite=Strict` on the session cookie this closes cross-site request forgery.
//!
//! Requests authenticated by a bearer token are exempt: a browser never adds one by itself.

use crate::AppState;
use crate::auth::cookies::{self, CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{ApiError, AppError};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use evident_core::access::credentials::{Secret, constant_time_eq};

/// The header that carries the token on requests that are not form posts.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body the check reads; bigger posts are refused before any handler runs.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// The CSRF token of the current request, for pages to put into their forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Middleware: makes sure every browser has a CSRF cookie (exposing its value to handlers as
/// [`CsrfToken`]), and refuses a state-changing request that carries a session cookie — or
/// posts the sign-in form — without echoing it.
pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let existing = cookies::read(request.headers(), CSRF_COOKIE);
    let token = existing
        .clone()
        .unwrap_or_else(|| Secret::generate("").expose().to_owned());
    let (mut parts, body) = request.into_parts();

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = parts.headers.contains_key(AUTHORIZATION);
    let has_session = cookies::read(&parts.headers, SESSION_COOKIE).is_some();
    let is_login = parts.uri.path() == "/login";
    let is_api = parts.uri.path().starts_with("/api/");
    let mut body = body;
    if unsafe_method && !bearer && (has_session || is_login) {
        let (echoed, restored) = match echoed_token(&parts, body).await {
            Ok(found) => found,
            Err(response) => return response,
        };
        body = restored;
        let valid = matches!((&existing, &echoed), (Some(cookie), Some(sent)) if constant_time_eq(cookie, sent));
        if !valid {
            tracing::warn!(path = %parts.uri.path(), "CSRF token missing or wrong");
            let error = AppError::Forbidden(
                "the form's security token is missing or out of date; reload the page and try again".to_owned(),
            );
            return if is_api {
                ApiError(error).into_response()
            } else {
                error.into_response()
            };
        }
    }
    parts.extensions.insert(CsrfToken(token.clone()));
    let response = next.run(Request::from_parts(parts, body)).await;
    if existing.is_none() {
        let cookie = cookies::secret(
            CSRF_COOKIE,
            &token,
            cookies::YEAR,
            state.config.secure_cookies,
        );
        return (cookies::jar([cookie]), response).into_response();
    }
    response
}

/// The token the request echoes (header first, then a `csrf` form field), and the body to
/// pass on (read and put back, since a form body can only be read once).
async fn echoed_token(
    parts: &axum::http::request::Parts,
    body: Body,
) -> Result<(Option<String>, Body), Response> {
    if let Some(header) = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Ok((Some(header.to_owned()), body));
    }
    let is_form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((None, body));
    }
    let bytes = to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| {
        AppError::Invalid(format!(
            "the form is larger than {} KiB",
            MAX_FORM_BYTES / 1024
        ))
        .into_response()
    })?;
    let field = form_urlencoded_field(&bytes, "csrf");
    Ok((field, Body::from(bytes)))
}

/// The value of `name` in an `application/x-www-form-urlencoded` body.
fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::form_urlencoded_field;

    #[test]
    fn the_csrf_field_is_found_among_others() {
        assert_eq!(
            form_urlencoded_field(b"name=A+B&csrf=abc%3D&x=1", "csrf").as_deref(),
            Some("abc=")
        );
        assert_eq!(form_urlencoded_field(b"name=A", "csrf"), None);
    }
}
