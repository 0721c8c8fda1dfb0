//! The whole router, its layers, running it until shutdown, and the background tasks while it
//! runs: keeping its indicators as of today, and pruning expired sessions and stale throttle
//! rows.

use crate::api::{self, API_PREFIX};
use crate::error::{ApiError, AppError};
use crate::{AppState, auth, html};
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::header::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::trace::TraceLayer;

/// The whole application: pages, API, fallbacks and layers. `serve` and the tests both use it.
pub fn app(state: AppState) -> Router {
    let limit = RequestLimit {
        slots: Arc::new(Semaphore::new(state.config.max_concurrent_requests.max(1))),
        wait: state.config.request_queue_wait,
    };
    Router::new()
        .merge(api::router())
        .merge(html::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Layers run outside in, so the request is identified before the CSRF check, which
        // needs the session's own token.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf::protect,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::identity::identify_request,
        ))
        // The request slot is taken before any database work, and the client's address is
        // known before anything else (identification audits with it).
        .layer(middleware::from_fn_with_state(limit, limit_requests))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::address::resolve_client_address,
        ))
        .layer(middleware::from_fn(html::render_error_pages))
        .with_state(state.clone())
        .layer(middleware::from_fn_with_state(state, security_headers))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                // The matched route, not the raw URI: paths carry codes, and a log line per
                // route template is what one wants to count and search.
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("(unmatched)", MatchedPath::as_str);
                tracing::info_span!("request", method = %request.method(), route)
            }),
        )
}

/// The bound on requests in flight: at most as many as `slots` holds permits.
#[derive(Clone)]
struct RequestLimit {
    slots: Arc<Semaphore>,
    wait: Duration,
}

/// Seconds a request turned away by [`limit_requests`] is asked to wait.
const OVERLOADED_RETRY_AFTER_SECONDS: u64 = 1;

/// Middleware: runs a request when a slot is free within the limit's wait, and otherwise
/// answers 503 with `Retry-After` (the API's JSON error under `/api/`, a page elsewhere) rather
/// than queueing without bound.
async fn limit_requests(
    axum::extract::State(limit): axum::extract::State<RequestLimit>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(Ok(_slot)) = tokio::time::timeout(limit.wait, limit.slots.acquire_owned()).await else {
        let busy = AppError::Busy(OVERLOADED_RETRY_AFTER_SECONDS);
        return if request.uri().path().starts_with(&format!("{API_PREFIX}/")) {
            ApiError(busy).into_response()
        } else {
            busy.into_response()
        };
    };
    next.run(request).await
}

/// Unknown paths: the API's JSON error under `/api/`, an error page elsewhere.
async fn not_found(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    if path == API_PREFIX || path.starts_with(&format!("{API_PREFIX}/")) {
        ApiError(AppError::NotFound(format!(
            "API route {} {path}",
            request.method()
        )))
        .into_response()
    } else {
        AppError::NotFound(format!("page {path}")).into_response()
    }
}

/// A known path with an unsupported method: the API's JSON error under `/api/`, an error page
/// elsewhere.
async fn method_not_allowed(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let error =
        AppError::MethodNotAllowed(format!("{} is not supported on {path}", request.method()));
    if path.starts_with(&format!("{API_PREFIX}/")) {
        ApiError(error).into_response()
    } else {
        error.into_response()
    }
}

/// Headers every response carries: a strict Content-Security-Policy (no inline script or
/// style, nothing from other origins, no framing), no MIME sniffing, no referrer leaking
/// paths (which hold organisation codes) to other sites, no powerful browser features, a
/// browsing context of its own, and — served over HTTPS — HSTS.
///
/// Everything but the static assets is `Cache-Control: no-store`: most answers carry
/// personal or non-public data for a signed-in user, and telling those apart per route is a
/// mistake waiting to happen. The one exception is the open published values answered through
/// `conditional` (visitors' pages, the open data API), which a cache may keep and must
/// revalidate.
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let static_asset = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "same-origin");
    set(headers, "x-frame-options", "DENY");
    set(
        headers,
        "permissions-policy",
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), \
         microphone=(), payment=(), usb=()",
    );
    set(headers, "cross-origin-opener-policy", "same-origin");
    // Open published values (`conditional`) keep their revalidation, nothing else.
    let revalidated = headers
        .get(axum::http::header::CACHE_CONTROL)
        .is_some_and(|v| v == crate::conditional::PUBLIC_REVALIDATE);
    if !static_asset && !revalidated {
        set(headers, "cache-control", "no-store");
    }
    if state.config.secure_cookies {
        set(
            headers,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

/// Serves the application on `listener` until `shutdown` completes, then lets requests in
/// flight finish.
///
/// # Errors
/// When accepting connections fails.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "listening on http://{addr}");
    }
    // With the peer address, for login throttling, the audit trail and the survey limit.
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// How often a serving process checks whether the day has rolled over: the indicators are
/// recomputed within this long after midnight in Sweden.
pub const INDICATOR_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Recomputes the indicators as of today (in Sweden, by the state's clock) when the stored
/// rows are as of another day, or not current (an interrupted recompute, or rows from before
/// the as-of rules); otherwise does nothing. Audited as the system. What the background task
/// of [`spawn_indicator_refresh`] runs; tests call it with a fixed clock.
///
/// # Errors
/// When the store fails; the stored rows then stay as they were.
pub async fn refresh_indicators(
    state: &AppState,
) -> Result<Option<evident_store::RecomputeSummary>, evident_store::StorageError> {
    let today = state.clock.today();
    let stored = state.store.indicator_state().await?;
    if stored.current && stored.as_of == today {
        return Ok(None);
    }
    let summary = state
        .store
        .recompute_indicators(today, None, &evident_core::access::audit::Actor::system())
        .await?;
    tracing::info!(
        as_of = %today,
        was = %stored.as_of,
        rows = summary.rows,
        "indicators recomputed as of today"
    );
    Ok(Some(summary))
}

/// Keeps the indicators as of today while a server runs: checks at once (so a server started
/// on a new day catches up) and then every [`INDICATOR_CHECK_EVERY`]. Failures are logged and
/// retried at the next check. Abort the handle when the server stops.
pub fn spawn_indicator_refresh(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(INDICATOR_CHECK_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(error) = refresh_indicators(&state).await {
                tracing::error!(error = ?error, "recomputing the indicators as of today failed");
            }
        }
    })
}

/// How often a serving process deletes expired sessions and stale throttle rows.
pub const PRUNE_EVERY: Duration = Duration::from_secs(15 * 60);

/// A throttle row with no lock ahead and no attempt for this long is deleted.
pub const THROTTLE_STALE_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// Deletes expired sessions and stale throttle rows at once and then every
/// [`PRUNE_EVERY`]; failures are logged and retried at the next round. Abort the handle when the
/// server stops.
pub fn spawn_pruning(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PRUNE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match state
                .store
                .prune_expired(chrono::Utc::now(), THROTTLE_STALE_AFTER)
                .await
            {
                Ok(pruned) => tracing::debug!(
                    sessions = pruned.sessions,
                    throttle_rows = pruned.throttle_rows,
                    "pruned"
                ),
                Err(error) => tracing::error!(error = ?error, "pruning sessions failed"),
            }
        }
    })
}

/// Completes on Ctrl-C or SIGTERM, the signals that ask a server to stop.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
