//! The JSON API under `/api/v1`.
//!
//! Every route is registered through [`utoipa_axum`]'s `routes!`, which takes the path and
//! method from the handler's `#[utoipa::path]`: the router and the OpenAPI document are built
//! from one list, so the document cannot miss a route (a test also scans this module for
//! routes registered any other way).
//!
//! # Layout
//! - [`extract`]: JSON body and query extractors whose rejections use the API's error shape.
//! - [`model`]: the request and response bodies, with their OpenAPI schemas.
//! - [`system`]: health and the OpenAPI document itself.
//! - [`orgs`]: the organisation tree.
//! - [`units`]: creating, reading and editing units.
//! - [`support`]: support structures and dialog partners.
//! - [`agreements`]: agreements, disbursement decisions, money events, the deadline calendar,
//!   tapering plans and performance grants.
//! - [`account`]: the caller, their personal access tokens, signing out their other sessions.
//! - [`users`]: managing staff accounts and their roles.
//! - [`audit`]: searching and verifying the audit trail.
//! - [`cases`]: local follow-up — cases, interventions, needs, goals, measurements, the unit table.
//! - [`kpi`]: open comparisons in Kolada's shape (`/kpi`, `/data/kpi/…`, `/oudata/kpi/…`) and
//!   comparison groups.
//! - [`selfreport`]: self-report links for staff, and the client's token-only questions and answers.
//! - [`survey`]: client surveys — publications for unit staff, results through disclosure
//!   control, and the respondent's token-only questions and answer.
//! - [`instruments`]: the instrument library (FHIR Questionnaires) and the intervention catalogue.

pub mod account;
pub mod agreements;
pub mod audit;
pub mod break_glass;
pub mod cases;
pub mod extract;
pub mod instruments;
pub mod kpi;
pub mod model;
pub mod orgs;
pub mod selfreport;
pub mod support;
pub mod survey;
pub mod system;
pub mod units;
pub mod users;

use crate::AppState;
use axum::{Extension, Router};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Evident API",
        description = "Evident: an open platform for evidence-based practice in social services. \
                       Every error response has the body {\"error\": kind, \"detail\": message}.",
        license(name = "EUPL-1.2")
    ),
    tags(
        (name = "system", description = "Health and this document"),
        (name = "orgs", description = "The organisation tree: nation, counties, municipalities, units"),
        (name = "support", description = "Regional support structures and their dialog partners"),
        (name = "account", description = "The caller, their personal access tokens and their other sessions"),
        (name = "users", description = "Staff accounts and their roles"),
        (name = "audit", description = "The audit trail"),
        (name = "follow-up", description = "Clients, cases, interventions, needs, goals, instruments and measurements"),
        (name = "surveys", description = "Client surveys (brukarundersökningar): publications per unit and period, anonymous answers once per browser or per one-time respondent code, results through disclosure control"),
        (name = "grants", description = "State agreements and grants: import, money flows with reasons, deadlines, tapering plans, performance-based grants. Money in öre."),
        (name = "comparisons", description = "Open comparisons in the shape of Kolada's API (kpi, data, oudata): indicator metadata and values after disclosure control, with gender (T/K/M) and age breakdowns; comparison groups")
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = []))
)]
struct ApiDoc;

/// Declares how API clients authenticate: a personal access token as a bearer token, or the
/// browser's session cookie (whose state-changing requests must echo the CSRF token in the
/// `X-CSRF-Token` header).
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("evt_…")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::cookies::SESSION_COOKIE,
            ))),
        );
    }
}

/// The API routes together with the OpenAPI document describing them.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::health))
        .routes(routes!(system::openapi_json))
        .routes(routes!(orgs::list_orgs))
        .routes(routes!(orgs::get_org))
        .routes(routes!(units::create_unit))
        .routes(routes!(units::get_unit, units::update_unit))
        .routes(routes!(support::get_support_structure))
        .routes(routes!(support::add_dialog_partner))
        .routes(routes!(support::remove_dialog_partner))
        .routes(routes!(account::me))
        .routes(routes!(account::list_tokens, account::create_token))
        .routes(routes!(account::revoke_token))
        .routes(routes!(account::end_other_sessions))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::add_grant))
        .routes(routes!(users::remove_grant))
        .routes(routes!(users::disable_user))
        .routes(routes!(users::enable_user))
        .routes(routes!(users::list_grant_requests))
        .routes(routes!(users::approve_grant_request))
        .routes(routes!(users::reject_grant_request))
        .routes(routes!(audit::search_audit))
        .routes(routes!(audit::verify_audit))
        .routes(routes!(audit::follow_up))
        .routes(routes!(cases::open_case, cases::list_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::close_case))
        .routes(routes!(cases::add_intervention))
        .routes(routes!(cases::add_need))
        .routes(routes!(cases::add_goal))
        .routes(routes!(cases::follow_up_goal))
        .routes(routes!(cases::record_measurement))
        .routes(routes!(cases::unit_follow_up))
        .routes(routes!(cases::export_measurements))
        .routes(routes!(selfreport::list_links, selfreport::create_link))
        .routes(routes!(selfreport::revoke_link))
        .routes(routes!(cases::client_record))
        .routes(routes!(break_glass::break_glass))
        .routes(routes!(
            selfreport::self_report_form,
            selfreport::answer_self_report
        ))
        .routes(routes!(survey::list_publications, survey::publish))
        .routes(routes!(survey::close_publication))
        .routes(routes!(survey::issue_codes))
        .routes(routes!(survey::survey_results))
        .routes(routes!(survey::survey_form, survey::answer_survey))
        .routes(routes!(survey::answer_by_code))
        .routes(routes!(survey::survey_form_by_code))
        .routes(routes!(
            instruments::list_instruments,
            instruments::import_instrument
        ))
        .routes(routes!(instruments::get_instrument))
        .routes(routes!(instruments::list_intervention_types))
        .routes(routes!(kpi::list_kpis))
        .routes(routes!(kpi::get_kpi))
        .routes(routes!(kpi::kpi_municipality_data))
        .routes(routes!(kpi::kpi_year_data))
        .routes(routes!(kpi::kpi_unit_data))
        .routes(routes!(kpi::list_groups, kpi::create_group))
        .routes(routes!(kpi::delete_group))
        .routes(routes!(
            agreements::list_agreements,
            agreements::import_agreement
        ))
        .routes(routes!(agreements::get_agreement))
        .routes(routes!(agreements::agreement_document))
        .routes(routes!(agreements::import_disbursement))
        .routes(routes!(agreements::record_event))
        .routes(routes!(agreements::grant_calendar))
        .routes(routes!(agreements::performance_grant))
        .routes(routes!(agreements::county_tapering))
}

/// The API router, serving its own OpenAPI document at `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (router, document) = routes().split_for_parts();
    router.layer(Extension(Arc::new(document)))
}

/// The OpenAPI document of the whole API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().split_for_parts().1
}
