//! Links within the site, shared by the pages and the sign-in redirects: which paths may be
//! sent to, and a path or id made safe to put in a URL.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but the unreserved characters (RFC 3986) and `/`.
const NOT_PATH_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// A path on this site to send the reader to: it starts with one `/`, so `//evil.example` and
/// `/\evil.example` (which browsers treat as other hosts) are refused, and it holds no control
/// characters — browsers drop tabs and line breaks from URLs, which would turn `/\t/evil` into
/// `//evil`, and a line break would end the `Location` header.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control())
}

/// Escapes everything but unreserved characters and `/`, for a path inside a query string or
/// an id inside a path.
pub fn percent_encode(raw: &str) -> String {
    utf8_percent_encode(raw, NOT_PATH_SAFE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_and_slashes_stay_as_they_are() {
        assert_eq!(percent_encode("/orgs/0380-0001"), "/orgs/0380-0001");
        assert_eq!(percent_encode("a b&c=d?e#f"), "a%20b%26c%3Dd%3Fe%23f");
        assert_eq!(percent_encode("Å~_."), "%C3%85~_.");
    }

    #[test]
    fn only_local_paths_without_control_characters_are_followed() {
        assert!(is_local_path("/orgs/03?x=1"));
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "orgs",
            "/\t/evil.example",
            "/\t\\evil.example",
            "/a\r\nSet-Cookie: x",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }
}
