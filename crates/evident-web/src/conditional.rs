//! Conditional answers for open published values. What the indicators publish changes only
//! with the store's revision (`service::comparisons::cache`), so a public answer carries an
//! `ETag` naming that revision (and the language, where the answer has one) and
//! `Cache-Control: public, no-cache`: browsers, dashboards and proxies may keep it but must ask
//! again, and the question costs one primary-key read — `304 Not Modified` while nothing has
//! changed. Answers that depend on who asks (a signed-in page, a unit's values) get none of it.

use crate::service::comparisons::cache;
use crate::{AppError, AppState};
use axum::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::future::Future;

/// The `Cache-Control` of open published values.
pub const PUBLIC_REVALIDATE: &str = "public, no-cache";

/// The entity tag of published values at `revision`, in `variant` (a language, or empty).
pub fn etag(revision: i64, variant: &str) -> String {
    if variant.is_empty() {
        format!("\"evident-r{revision}\"")
    } else {
        format!("\"evident-r{revision}-{variant}\"")
    }
}

/// Whether `If-None-Match` in `headers` names `tag` (or is `*`); weak tags match too, as
/// RFC 9110 §13.1.2 has it for this comparison.
pub fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == tag)
}

/// Answers a public read of published values: `304` when the client holds the current
/// revision, otherwise what `make` builds, with the `ETag` and `Cache-Control` above and `Vary`
/// naming what else the answer depends on (`vary`, e.g. `Accept-Language, Cookie`, or empty).
///
/// # Errors
/// What `make` returns, or a failure to read the revision.
pub async fn published<T, F>(
    state: &AppState,
    headers: &HeaderMap,
    variant: &str,
    vary: &'static str,
    make: F,
) -> Result<Response, AppError>
where
    T: IntoResponse,
    F: Future<Output = Result<T, AppError>>,
{
    // Read before the values, so a tag never names a revision newer than what it labels.
    let tag = etag(cache::revision(state).await?, variant);
    let mut response = if matches(headers, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        make.await?.into_response()
    };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&tag) {
            headers.insert(ETAG, value);
        }
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_REVALIDATE));
        if !vary.is_empty() {
            headers.insert(VARY, HeaderValue::from_static(vary));
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_tag_matches_itself_in_a_list_weak_or_starred_and_nothing_else() {
        let tag = etag(7, "sv");
        assert_eq!(tag, "\"evident-r7-sv\"");
        assert!(matches(&asking(&tag), &tag));
        assert!(matches(&asking(&format!("\"x\", W/{tag}")), &tag));
        assert!(matches(&asking("*"), &tag));
        assert!(!matches(&asking(&etag(6, "sv")), &tag));
        assert!(!matches(&asking(&etag(7, "en")), &tag));
        assert!(!matches(&asking(&etag(7, "")), &tag));
        assert!(!matches(&HeaderMap::new(), &tag));
    }
}
