//! The cookies Evident sets, and reading them from a request. Every cookie is read with
//! [`read`] and built with [`build`] (or [`secret`], its shape for secrets), both on
//! axum-extra's cookie jar; a handler sets one by returning [`jar`] with it.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The session cookie: a random secret whose digest finds the session in the store.
pub const SESSION_COOKIE: &str = "evident_session";
/// The CSRF cookie: a random secret that state-changing requests must echo.
pub const CSRF_COOKIE: &str = "evident_csrf";

/// A year in seconds: how long a remembered choice or a browser's token lasts.
pub const YEAR: i64 = 365 * 24 * 60 * 60;

/// The attributes of a cookie Evident sets; every cookie is for the whole site (`Path=/`).
#[derive(Debug, Clone, Copy)]
pub struct Attributes {
    /// `Max-Age` in seconds; 0 deletes the cookie.
    pub max_age: i64,
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
    Cookie::build((name, value))
        .path("/")
        .max_age(time::Duration::seconds(attributes.max_age))
        .http_only(attributes.http_only)
        .same_site(attributes.same_site)
        .secure(attributes.secure)
        .build()
}

/// A secret cookie (session, CSRF token): `HttpOnly`, `SameSite=Strict`, `Secure` when served
/// over TLS; `max_age` in seconds, 0 to delete it.
pub fn secret(name: &'static str, value: &str, max_age: i64, secure: bool) -> Cookie<'static> {
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

        let cookie = secret(SESSION_COOKIE, "abc", 60, true).to_string();
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
            !secret(SESSION_COOKIE, "abc", 60, false)
                .to_string()
                .contains("Secure")
        );
        assert!(
            secret(SESSION_COOKIE, "", 0, false)
                .to_string()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn a_jar_sets_each_cookie_on_the_response() {
        let response = jar([
            secret(SESSION_COOKIE, "abc", 60, false),
            secret(CSRF_COOKIE, "def", 60, false),
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
