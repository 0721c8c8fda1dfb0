//! Extractors for API input whose rejections are [`ApiError`]s: a malformed body or query
//! gets the API's JSON error shape, status 422, and a detail naming the field.

use crate::error::{ApiError, AppError};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON request body.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError(json_problem(&rejection))),
        }
    }
}

fn json_problem(rejection: &JsonRejection) -> AppError {
    let text = rejection.body_text();
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::PayloadTooLarge(
            "the request body is larger than the server accepts (2 MB)".to_owned(),
        );
    }
    AppError::Invalid(match rejection {
        JsonRejection::JsonDataError(_) => {
            format!("the JSON body does not fit: {}", after_prefix(&text))
        }
        JsonRejection::JsonSyntaxError(_) => {
            format!("the body is not valid JSON: {}", after_prefix(&text))
        }
        JsonRejection::MissingJsonContentType(_) => {
            "the body must be JSON, sent with Content-Type: application/json".to_owned()
        }
        _ => text,
    })
}

/// axum's message without its generic opening ("Failed to deserialize …: "), keeping serde's
/// part, which names the field (`provider: unknown variant …`, `missing field `name``).
fn after_prefix(text: &str) -> &str {
    text.split_once(": ").map_or(text, |(_, rest)| rest)
}

/// A query string.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection @ QueryRejection::FailedToDeserializeQueryString(_)) => {
                Err(ApiError(AppError::Invalid(format!(
                    "the query string does not fit: {}",
                    after_prefix(&rejection.body_text())
                ))))
            }
            Err(other) => Err(ApiError(AppError::Invalid(other.body_text()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::after_prefix;

    #[test]
    fn the_generic_prefix_is_dropped_and_the_field_kept() {
        assert_eq!(
            after_prefix(
                "Failed to deserialize the JSON body into the target type: provider: unknown variant"
            ),
            "provider: unknown variant"
        );
        assert_eq!(after_prefix("no prefix"), "no prefix");
    }
}
