//! The cookies Evident sets, and reading them from a request. Every cookie is read with
//! [`read`] and built with [`build`] (or [`secret`], its shape for secrets), both on
//! axum-extra's cookie jar; a handler sets one by returning [`jar`] with it.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The session cookie over plain HTTP: a random secret whose digest finds the session in the
/// store. Over HTTPS it is [`SECURE_SESSION_COOKIE`]; [`session_cookie`] picks.
pub const SESSION_COOKIE: &str = "evident_session";
/// The pre-session CSRF cookie over plain HTTP: a random secret that the sign-in form must
/// echo. Over HTTPS it is [`SECURE_CSRF_COOKIE`]; [`csrf_cookie`] picks.
pub const CSRF_COOKIE: &str = "evident_csrf";
/// The session cookie over HTTPS. Browsers accept a `__Host-` cookie only when it is `Secure`,
/// has `Path=/` and no `Domain`, so neither a sibling subdomain nor a plain-HTTP response can
/// plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-evident_session";
/// The pre-session CSRF cookie over HTTPS (see [`SECURE_SESSION_COOKIE`]).
pub const SECURE_CSRF_COOKIE: &str = "__Host-evident_csrf";

/// The session cookie's name: `__Host-` prefixed when cookies are `secure`.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The pre-session CSRF cookie's name: `__Host-` prefixed when cookies are `secure`.
pub fn csrf_cookie(secure: bool) -> &'static str {
    if secure {
        SECURE_CSRF_COOKIE
    } else {
        CSRF_COOKIE
    }
}

/// A year in seconds: how long a remembered choice or a browser's token lasts.
pub const YEAR: i64 = 365 * 24 * 60 * 60;

/// The attributes of a cookie Evident sets; every cookie is for the whole site (`Path=/`).
#[derive(Debug, Clone, Copy)]
pub struct Attributes {
    /// `Max-Age` in seconds, 0 to delete the cookie; `None` for a cookie that lasts until the
    /// browser closes.
    pub max_age: Option<i64>,
    /// `HttpOnly`: scripts cannot read it.
    pub http_only: bool,
    /// `SameSite`: which cross-site requests carry it.
    pub same_site: SameSite,
    /// `Secure`: only sent over HTTPS (set when Evident is served over TLS).
    pub secure: bool,
}

/// The value of the cookie `name`, if the request carries it with a non-empty value.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|cookie| cookie.value().trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The cookie `name` with `value` and `attributes`, to set with [`jar`].
pub fn build(name: &'static str, value: String, attributes: Attributes) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, value))
        .path("/")
        .http_only(attributes.http_only)
        .same_site(attributes.same_site)
        .secure(attributes.secure)
        .build();
    cookie.set_max_age(attributes.max_age.map(time::Duration::seconds));
    cookie
}

/// A secret cookie (session, CSRF token): `HttpOnly`, `SameSite=Strict`, `Secure` when served
/// over TLS; `max_age` in seconds, 0 to delete it, `None` until the browser closes.
pub fn secret(
    name: &'static str,
    value: &str,
    max_age: Option<i64>,
    secure: bool,
) -> Cookie<'static> {
    build(
        name,
        value.to_owned(),
        Attributes {
            max_age,
            http_only: true,
            same_site: SameSite::Strict,
            secure,
        },
    )
}

/// A jar that sets `cookies` on the response it is returned with (as `Set-Cookie` headers).
pub fn jar(cookies: impl IntoIterator<Item = Cookie<'static>>) -> CookieJar {
    cookies.into_iter().fold(CookieJar::new(), CookieJar::add)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::http::header::COOKIE;
    use axum::response::IntoResponse;

    #[test]
    fn cookies_are_read_by_exact_name_and_written_strict() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("xevident_session=no; evident_session=abc; evident_csrf="),
        );
        assert_eq!(read(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(read(&headers, CSRF_COOKIE), None);
        assert_eq!(read(&headers, "evident_lang"), None);

        let cookie = secret(SESSION_COOKIE, "abc", Some(60), true).to_string();
        for attribute in [
            "evident_session=abc",
            "Path=/",
            "Max-Age=60",
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
        ] {
            assert!(cookie.split("; ").any(|a| a == attribute), "{cookie}");
        }
        assert!(
            !secret(SESSION_COOKIE, "abc", Some(60), false)
                .to_string()
                .contains("Secure")
        );
        assert!(
            secret(SESSION_COOKIE, "", Some(0), false)
                .to_string()
                .contains("Max-Age=0")
        );
        let browser_session = secret(SESSION_COOKIE, "abc", None, true).to_string();
        assert!(
            !browser_session.contains("Max-Age") && !browser_session.contains("Expires"),
            "{browser_session}"
        );
    }

    #[test]
    fn secure_cookies_get_host_prefixed_names() {
        assert_eq!(session_cookie(true), "__Host-evident_session");
        assert_eq!(csrf_cookie(true), "__Host-evident_csrf");
        assert_eq!(session_cookie(false), SESSION_COOKIE);
        assert_eq!(csrf_cookie(false), CSRF_COOKIE);
    }

    #[test]
    fn a_jar_sets_each_cookie_on_the_response() {
        let response = jar([
            secret(SESSION_COOKIE, "abc", Some(60), false),
            secret(CSRF_COOKIE, "def", Some(60), false),
        ])
        .into_response();
        let set: Vec<&str> = response
            .headers()
            .get_all(axum::http::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(set.len(), 2, "{set:?}");
        assert!(set.iter().any(|c| c.starts_with("evident_session=abc;")));
        assert!(set.iter().any(|c| c.starts_with("evident_csrf=def;")));
    }
}
