//! The language switch: remembers the choice in a cookie and returns to the page it came from.

use crate::AppError;
use crate::auth::cookies;
use crate::i18n::{LANG_COOKIE, Lang};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::SameSite;
use serde::Deserialize;

/// Where to go after switching.
#[derive(Debug, Deserialize)]
pub struct SwitchParams {
    /// The local path to return to; anything else sends the reader home.
    pub next: Option<String>,
}

/// Sets the interface language for a year and goes back to `next`.
///
/// The cookie is readable by scripts and not `Secure`: a language is no secret, and
/// `SameSite=Lax` keeps it on links into Evident from elsewhere.
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
    let cookie = cookies::build(
        LANG_COOKIE,
        lang.code().to_owned(),
        cookies::Attributes {
            max_age: Some(cookies::YEAR),
            http_only: false,
            same_site: SameSite::Lax,
            secure: false,
        },
    );
    Ok((
        StatusCode::SEE_OTHER,
        cookies::jar([cookie]),
        [(LOCATION, next)],
    ))
}
