//! CSRF protection with a token bound to the session. Pages put the token in a hidden `csrf`
//! field of each form (JavaScript sends it in an `X-CSRF-Token` header), and a state-changing
//! request must echo it:
//!
//! - For a signed-in browser session the token is the one stored with the session, made at
//!   sign-in and never sent as a cookie. A cookie planted by a sibling subdomain or a
//!   plain-HTTP response therefore proves nothing, and another user's token is not this
//!   session's.
//! - Before sign-in (the sign-in form) it is a double submit: a random pre-session cookie that
//!   the form must echo. Signing in and out drop that cookie, so its value is worth nothing
//!   afterwards.
//!
//! Together with `SameSite=Strict` on the session cookie this closes cross-site request
//! forgery. Requests authenticated by a bearer token are exempt: a browser never adds one by
//! itself. Anonymous requests other than the sign-in form carry no credentials to abuse.

use crate::AppState;
use crate::auth::cookies;
use crate::auth::identity::{self, Credential};
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

/// A new random CSRF token.
pub fn generate() -> String {
    Secret::generate("").expose().to_owned()
}

/// Middleware (inside [`identity::identify_request`]): refuses a state-changing browser request
/// that does not echo its token — the session's own for a signed-in session, the pre-session
/// cookie's on the sign-in form — and exposes the token for the page's forms to handlers as
/// [`CsrfToken`]. A visitor without a pre-session cookie gets one (lasting until the browser
/// closes).
pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/static/") {
        return next.run(request).await;
    }
    let secure = state.config.secure_cookies;
    let (mut parts, body) = request.into_parts();
    let pre_session = cookies::read(&parts.headers, cookies::csrf_cookie(secure));
    let session_token = identity::signed_in(&parts).and_then(|user| match &user.credential {
        Credential::Session { csrf, .. } => Some(csrf.clone()),
        Credential::Token => None,
    });

    let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = parts.headers.contains_key(AUTHORIZATION);
    let is_login = parts.uri.path() == "/login";
    let is_api = parts.uri.path().starts_with("/api/");
    // What a state-changing request must echo, when it must echo anything.
    let expected = match (&session_token, is_login) {
        (Some(token), _) => Some(Some(token.clone())),
        (None, true) => Some(pre_session.clone()),
        (None, false) => None,
    };
    let mut body = body;
    if unsafe_method
        && !bearer
        && let Some(expected) = expected
    {
        let (echoed, restored) = match echoed_token(&parts, body).await {
            Ok(found) => found,
            Err(response) => return response,
        };
        body = restored;
        let valid = matches!((&expected, &echoed), (Some(wanted), Some(sent)) if constant_time_eq(wanted, sent));
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
    let fresh = (session_token.is_none() && pre_session.is_none()).then(generate);
    let token = session_token
        .or(pre_session)
        .or_else(|| fresh.clone())
        .unwrap_or_default();
    parts.extensions.insert(CsrfToken(token));
    let response = next.run(Request::from_parts(parts, body)).await;
    if let Some(fresh) = fresh {
        let cookie = cookies::secret(cookies::csrf_cookie(secure), &fresh, None, secure);
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
