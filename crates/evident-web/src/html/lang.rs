//! The language switch: remembers the choice in a cookie and returns to the page it came from.

use crate::AppError;
use crate::i18n::{LANG_COOKIE, Lang};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::IntoResponse;
use serde::Deserialize;

/// Where to go after switching.
#[derive(Debug, Deserialize)]
pub struct SwitchParams {
    /// The local path to return to; anything else sends the reader home.
    pub next: Option<String>,
}

/// Sets the interface language for a year and goes back to `next`.
pub async fn switch(
    Path(code): Path<String>,
    Query(params): Query<SwitchParams>,
) -> Result<impl IntoResponse, AppError> {
    let lang =
        Lang::from_code(&code).ok_or_else(|| AppError::NotFound(format!("language '{code}'")))?;
    let next = params
        .next
        .filter(|n| crate::href::is_local_path(n))
        .unwrap_or_else(|| "/".to_owned());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    Ok((
        StatusCode::SEE_OTHER,
        [(SET_COOKIE, cookie), (LOCATION, next)],
    ))
}
