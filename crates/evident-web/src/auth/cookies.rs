//! The cookies Evident sets, and reading them from a request.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// The session cookie: a random secret whose digest finds the session in the store.
pub const SESSION_COOKIE: &str = "evident_session";
/// The CSRF cookie: a random secret that state-changing requests must echo.
pub const CSRF_COOKIE: &str = "evident_csrf";

/// The value of the cookie `name`, if the request carries it.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value for a secret cookie: `HttpOnly`, `SameSite=Strict`, the whole site,
/// `Secure` when served over TLS; `max_age` in seconds, 0 to delete it.
pub fn secret(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_read_by_exact_name_and_written_strict() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("xevident_session=no; evident_session=abc; evident_csrf="),
        );
        assert_eq!(read(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(read(&headers, CSRF_COOKIE), None);
        let cookie = secret(SESSION_COOKIE, "abc", 60, true);
        assert_eq!(
            cookie,
            "evident_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        assert!(!secret(SESSION_COOKIE, "abc", 60, false).contains("Secure"));
    }
}
