//! The home page: what Evident is, and where to start.

use crate::AppError;
use crate::html::{Chrome, render};
use askama::Template;
use axum::response::Html;

/// The home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// The frame.
    pub chrome: Chrome,
}

/// Shows the home page.
pub async fn show(chrome: Chrome) -> Result<Html<String>, AppError> {
    render(&HomePage { chrome })
}
