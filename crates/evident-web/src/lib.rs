//! Evident's HTTP server: server-rendered HTML pages (Swedish by default, English on request),
//! a JSON API under `/api/v1` described by an OpenAPI 3 document generated from the same
//! route table, and the layers around them (request tracing, security headers).
//!
//! # Layout
//! - [`server`]: [`server::app`] builds the whole router; [`server::serve`] runs it until shutdown;
//!   [`server::spawn_indicator_refresh`] keeps the indicators as of today while it does.
//! - [`state`]: [`AppState`], what every handler can reach.
//! - [`error`]: [`AppError`], one table from failures to HTTP status and message, rendered as a
//!   page for browsers and as `{"error", "detail"}` for the API.
//! - [`i18n`]: the interface languages and every text the pages show.
//! - [`href`]: links within the site — which paths may be redirected to, percent-encoding.
//! - [`service`]: each area's reads and writes behind the access policy, shared by pages and API.
//! - [`render`]: the download formats (CSV, xlsx) and the SVG charts, one writer per format.
//! - [`conditional`]: `ETag`/`304` for open published values, by the indicators' revision.
//! - [`export`]: a unit's measurements as Swedish-Excel CSV or a FHIR Bundle, written as they are read.
//! - [`auth`]: sign-in, sessions, tokens, CSRF, and the gate to the access policy.
//! - [`api`]: the JSON API and its OpenAPI document.
//! - [`html`]: the pages.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod conditional;
pub mod error;
pub mod export;
pub mod href;
pub mod html;
pub mod i18n;
pub mod render;
pub mod server;
pub mod service;
pub mod state;

pub use error::AppError;
pub use state::AppState;
