//! Evident's HTTP server: server-rendered HTML pages (Swedish by default, English on request),
//! a JSON API under `/api/v1` described by an OpenAPI 3 document generated from the same
//! route table, and the layers around them (request tracing, security headers).
//!
//! # Layout
//! - [`server`]: [`server::app`] builds the whole router; [`server::serve`] runs it until shutdown.
//! - [`state`]: [`AppState`], what every handler can reach.
//! - [`error`]: [`AppError`], one table from failures to HTTP status and message, rendered as a
//!   page for browsers and as `{"error", "detail"}` for the API.
//! - [`i18n`]: the interface languages and every text the pages show.
//! - [`accounts`]: managing staff accounts, shared by the API and the pages.
//! - [`comparisons`]: open comparisons — ranked tables, funnels, profiles and their downloads.
//! - [`grants`]: agreements and grants — views, calendar, tapering, performance grants, writes.
//! - [`export`]: a unit's measurements as Swedish-Excel CSV or a FHIR Bundle.
//! - [`render`]: the download formats (CSV, xlsx) and the SVG charts, one writer per format.
//! - [`followup`]: local follow-up (clients, cases, measurements), shared by the API and the pages.
//! - [`record`]: a client's own record (registerutdrag): everything held and who accessed it.
//! - [`selfreport`]: self-report links — created by staff, answered once by the client.
//! - [`survey`]: client surveys — published per unit and period, answered anonymously once per
//!   browser, results through disclosure control.
//! - [`auth`]: sign-in, sessions, tokens, CSRF, and the gate to the access policy.
//! - [`api`]: the JSON API and its OpenAPI document.
//! - [`html`]: the pages.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod api;
pub mod auth;
pub mod comparisons;
pub mod error;
pub mod export;
pub mod followup;
pub mod grants;
pub mod html;
pub mod i18n;
pub mod record;
pub mod render;
pub mod selfreport;
pub mod server;
pub mod state;
pub mod survey;

pub use error::AppError;
pub use state::AppState;
