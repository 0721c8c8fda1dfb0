//! The whole router, its layers, and running it until shutdown.

use crate::api::{self, API_PREFIX};
use crate::error::{ApiError, AppError};
use crate::{AppState, auth, html};
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::header::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// The whole application: pages, API, fallbacks and layers. `serve` and the tests both use it.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(api::router())
        .merge(html::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::identity::identify_request,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::csrf::protect,
        ))
        .layer(middleware::from_fn(html::render_error_pages))
        .with_state(state)
        .layer(middleware::from_fn(security_headers))
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
/// style, nothing from other origins, no framing), no MIME sniffing, and no referrer leaking
/// paths (which hold organisation codes) to other sites.
async fn security_headers(request: Request, next: Next) -> Response {
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
