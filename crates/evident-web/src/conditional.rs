//! Conditional answers for open published values. What the indicators publish changes only
//! with the store's revision (`service::comparisons::cache`), so a public answer carries an
//! `ETag` naming that revision (and the language, where the answer has one) and
//! `Cache-Control: public, no-cache`: browsers, dashboards and proxies may keep it but must ask
//! again, and the question costs one primary-key read — `304 Not Modified` while nothing has
//! changed. Answers that depend on who asks (a signed-in page, a unit's values) get none of it.
//!
//! A visitor's page of open statistics is the same for everyone reading its language, so its
//! rendered body is kept too ([`PageCache`], per revision, a bounded number of pages): the
//! next visitor gets the bytes without the page being built again.

use crate::service::comparisons::cache::{self, Revisioned};
use crate::{AppError, AppState};
use axum::body::Bytes;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Mutex;

/// How many rendered pages a [`PageCache`] holds (a national indicator page is about 190 kB).
pub const MAX_CACHED_PAGES: usize = 64;

/// The largest page body kept.
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;

/// Rendered visitor pages and open API answers by address and language, for one revision of
/// the indicators.
#[derive(Debug, Default)]
pub struct PageCache {
    inner: Mutex<Revisioned<Pages>>,
}

/// The pages kept at one revision, with the order they were kept in for dropping the oldest.
#[derive(Debug, Default)]
struct Pages {
    bodies: HashMap<String, (HeaderValue, Bytes)>,
    order: VecDeque<String>,
}

impl PageCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Revisioned<Pages>> {
        // Only ever a copy: a panic while holding the lock leaves nothing that matters.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, revision: i64, key: &str) -> Option<(HeaderValue, Bytes)> {
        self.lock().at(revision)?.bodies.get(key).cloned()
    }

    fn keep(&self, revision: i64, key: String, content_type: HeaderValue, body: Bytes) {
        let mut guard = self.lock();
        let Some(pages) = guard.at(revision) else {
            return;
        };
        if pages.bodies.contains_key(&key) {
            return;
        }
        pages.order.push_back(key.clone());
        pages.bodies.insert(key, (content_type, body));
        while pages.order.len() > MAX_CACHED_PAGES {
            if let Some(oldest) = pages.order.pop_front() {
                pages.bodies.remove(&oldest);
            }
        }
    }
}

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

/// Answers a visitor's page of published values: `304` when the client holds the current
/// revision's tag, else the page at `address` (path and query) in `lang`, whose body
/// is kept in the state's [`PageCache`] and served from it while the revision holds. `make`
/// must build a page that is the same for every visitor reading `lang` (no CSRF token, no name).
///
/// # Errors
/// What `make` returns, or a failure to read the revision.
pub async fn visitor_page<F>(
    state: &AppState,
    headers: &HeaderMap,
    address: &str,
    lang: &str,
    make: F,
) -> Result<Response, AppError>
where
    F: Future<Output = Result<Response, AppError>>,
{
    shared(state, headers, address, lang, VISITOR_VARY, make).await
}

/// As [`visitor_page`] for an open API answer at `address` that is the same for everyone (no
/// language, no caller), kept in the [`PageCache`] like a visitor's page.
///
/// # Errors
/// What `make` returns, or a failure to read the revision.
pub async fn open_answer<T, F>(
    state: &AppState,
    headers: &HeaderMap,
    address: &str,
    make: F,
) -> Result<Response, AppError>
where
    T: IntoResponse,
    F: Future<Output = Result<T, AppError>>,
{
    let make = async { make.await.map(IntoResponse::into_response) };
    shared(state, headers, address, "", "", make).await
}

/// The answer at `address` in `variant`: `304`, the kept body, or `make`'s, then kept.
async fn shared<F>(
    state: &AppState,
    headers: &HeaderMap,
    address: &str,
    variant: &str,
    vary: &'static str,
    make: F,
) -> Result<Response, AppError>
where
    F: Future<Output = Result<Response, AppError>>,
{
    let revision = cache::revision(state).await?;
    let tag = etag(revision, variant);
    if matches(headers, &tag) {
        return Ok(tagged(StatusCode::NOT_MODIFIED.into_response(), &tag, vary));
    }
    let key = format!("{variant} {address}");
    if let Some((content_type, body)) = state.pages.get(revision, &key) {
        let response = ([(CONTENT_TYPE, content_type)], body).into_response();
        return Ok(tagged(response, &tag, vary));
    }
    let response = make.await?;
    if response.status() != StatusCode::OK {
        return Ok(tagged(response, &tag, vary));
    }
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, MAX_PAGE_BYTES)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("reading a rendered page: {e}")))?;
    if let Some(content_type) = parts.headers.get(CONTENT_TYPE) {
        state
            .pages
            .keep(revision, key, content_type.clone(), body.clone());
    }
    Ok(tagged(
        Response::from_parts(parts, axum::body::Body::from(body)),
        &tag,
        vary,
    ))
}

/// What a visitor's page depends on besides the revision: the language cookie.
pub const VISITOR_VARY: &str = "Cookie";

/// `response` with the entity tag, `Cache-Control` and `Vary` of published values, when it is
/// a success or a `304`.
fn tagged(mut response: Response, tag: &str, vary: &'static str) -> Response {
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(tag) {
            headers.insert(ETAG, value);
        }
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_REVALIDATE));
        if !vary.is_empty() {
            headers.insert(VARY, HeaderValue::from_static(vary));
        }
    }
    response
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
