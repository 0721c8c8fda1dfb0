//! One error type for the server and the single table that maps it to HTTP. Pages render it
//! as an error page ([`crate::html::ErrorPage`]); the API wraps it in [`ApiError`] and renders
//! `{"error": "...", "detail": "..."}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use evident_core::DomainError;
use evident_store::StorageError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist; the message says which.
    #[error("{0} not found")]
    NotFound(String),
    /// The request was understood but its content is invalid; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// The request is not signed in, or its token is not valid.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but the access policy does not allow it; the message says what would.
    #[error("{0}")]
    Forbidden(String),
    /// The path exists but not with this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The request body is larger than the server accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too many attempts; the message says when to try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// The request conflicts with what is stored (e.g. a value that must be unique).
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    /// The server is at its limit (password hashing, or requests in flight); try again after
    /// this many seconds, which the response sends as `Retry-After`.
    #[error("the server is busy; try again in {0} seconds")]
    Busy(u64),
    /// A failure that is ours, not the user's: logged in full, shown as a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unavailable(_) | Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine-readable name of the kind of error, the API's `error` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::Invalid(_) => "invalid",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::TooManyRequests(_) => "too_many_requests",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::Conflict(_) => "conflict",
            // A full server is, to a client, the same as an unreachable one: retry later.
            Self::Unavailable(_) | Self::Busy(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// What the user is told: the message for 4xx errors, a generic sentence for 5xx (whose
    /// details go to the log, never to the client).
    pub fn detail(&self) -> String {
        match self {
            Self::Internal(_) => "something went wrong on our side; it has been logged".to_owned(),
            Self::Unavailable(_) => {
                "the database is not reachable right now; try again shortly".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The seconds to send as `Retry-After`, for errors that pass with time.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Busy(seconds) => Some(*seconds),
            _ => None,
        }
    }

    /// Logs server-side failures in full; called once where the error becomes a response.
    /// Being busy is not a failure: it is logged as a warning without the error chain.
    pub fn log(&self) {
        if let Self::Busy(_) = self {
            tracing::warn!("busy: a request was turned away with 503");
        } else if self.status().is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
    }
}

impl From<StorageError> for AppError {
    fn from(err: StorageError) -> Self {
        match err {
            StorageError::NotFound(what) => Self::NotFound(what),
            StorageError::Conflict { field } => Self::Conflict(format!("{field} already exists")),
            StorageError::Rejected(problem) => Self::Invalid(problem.to_string()),
            StorageError::Unavailable(message) => Self::Unavailable(message),
            StorageError::Other(err) => Self::Internal(err),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(err: DomainError) -> Self {
        Self::Invalid(err.to_string())
    }
}

/// What an [`AppError`] leaves in a response's extensions, so that
/// [`crate::html::render_error_pages`] can turn it into a page in the reader's language.
#[derive(Debug, Clone)]
pub struct ErrorForPage {
    /// The status of the response.
    pub status: StatusCode,
    /// What the user is told.
    pub detail: String,
    /// `Retry-After` in seconds, when the error passes with time.
    pub retry_after: Option<u64>,
}

/// Adds `Retry-After` to `response` when `seconds` is set.
pub fn with_retry_after(mut response: Response, seconds: Option<u64>) -> Response {
    if let Some(seconds) = seconds {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
    }
    response
}

/// A failed page request: plain text, upgraded to a full error page by
/// [`crate::html::render_error_pages`], which knows the reader's language.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let detail = self.detail();
        let retry_after = self.retry_after();
        let mut response = with_retry_after((status, detail.clone()).into_response(), retry_after);
        response.extensions_mut().insert(ErrorForPage {
            status,
            detail,
            retry_after,
        });
        response
    }
}

/// Reads an organisation code from a URL path; a code that cannot exist is simply not found.
///
/// # Errors
/// [`AppError::NotFound`] when `raw` is not an organisation code.
pub fn code_in_path(raw: &str) -> Result<evident_core::OrgCode, AppError> {
    evident_core::OrgCode::parse(raw)
        .map_err(|_| AppError::NotFound(format!("organisation '{raw}'")))
}

/// Parses a numeric id from a path segment; anything else is a 404 naming `what`.
///
/// # Errors
/// [`AppError::NotFound`] when `raw` is not a number.
pub fn id_in_path(what: &str, raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("{what} '{raw}'")))
}

/// An [`AppError`] rendered as the API's JSON error body.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

/// The body of every API error response.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The kind of error: `not_found`, `invalid`, `unauthorized`, `forbidden`,
    /// `too_many_requests`, `method_not_allowed`, `payload_too_large`, `conflict`,
    /// `unavailable` or `internal`.
    pub error: String,
    /// What went wrong, naming the field or record concerned.
    pub detail: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let body = ErrorBody {
            error: self.0.kind().to_owned(),
            detail: self.0.detail(),
        };
        with_retry_after(
            (self.0.status(), axum::Json(body)).into_response(),
            self.0.retry_after(),
        )
    }
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;
