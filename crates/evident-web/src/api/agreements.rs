//! Agreements and grants: importing agreements and disbursement decisions (interchange JSON,
//! as in `data/agreements/README.md`), reading them back unchanged, recording requisitions,
//! payments, repayments and reports with a reason, the calendar of deadlines, tapering plans per
//! county and performance-grant allocations. Money is in öre; each amount also comes written
//! the Swedish way.

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::auth::SignedIn;
use crate::error::{ApiResult, AppError, ErrorBody, code_in_path};
use crate::service::grants::{self, EnteredAmount, EventEntry};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use evident_core::grants::Ore;
use evident_core::grants::calendar::Deadline;
use evident_core::grants::check::Finding;
use evident_core::grants::ledger::GrantEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A finding: a disagreement inside a document, with both figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingBody {
    /// The agreement or decision it is in.
    pub source: String,
    /// `total_vs_initiatives`, `area_subtotal`, `breakdown`, `funding_vs_total`, `grant_lines`
    /// or `grant_funding`.
    pub kind: String,
    /// What the document states, in öre.
    pub stated_ore: i64,
    /// What its parts add up to, in öre.
    pub sum_ore: i64,
    /// The finding in words.
    pub message: String,
}

fn finding(source: &str, finding: &Finding) -> FindingBody {
    let (stated, sum) = finding.figures();
    let kind = serde_json::to_value(finding)
        .ok()
        .and_then(|v| v["kind"].as_str().map(str::to_owned))
        .unwrap_or_default();
    FindingBody {
        source: source.to_owned(),
        kind,
        stated_ore: stated.0,
        sum_ore: sum.0,
        message: finding.to_string(),
    }
}

/// An agreement in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementSummary {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its year.
    pub year: i32,
    /// The stated total, in öre.
    pub total_ore: i64,
    /// The stated total in words ("104,5 mnkr").
    pub total: String,
    /// How many internal disagreements it and its decisions have.
    pub findings: usize,
}

/// Every agreement.
#[utoipa::path(
    get,
    path = "/api/v1/agreements",
    tag = "grants",
    responses(
        (status = 200, description = "The agreements, by year", body = Vec<AgreementSummary>),
        (status = 401, description = "Not signed in", body = ErrorBody)
    )
)]
pub async fn list_agreements(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<Vec<AgreementSummary>>> {
    let mut out = Vec::new();
    for (agreement, findings) in grants::agreements_with_findings(&state, &user).await? {
        out.push(AgreementSummary {
            id: agreement.id.clone(),
            title: agreement.title.clone(),
            year: agreement.year,
            total_ore: agreement.total_ore.0,
            total: agreement.total_ore.mnkr(),
            findings,
        });
    }
    Ok(Json(out))
}

/// A document to import, with the reason for importing it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ImportBody {
    /// Why it is imported (recorded in the audit trail).
    pub reason: String,
    /// The document in the interchange format.
    #[schema(value_type = Object)]
    pub document: Value,
}

/// What an import found.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// The id stored.
    pub id: String,
    /// Whether the document's own figures agree.
    pub consistent: bool,
    /// Where they do not.
    pub findings: Vec<FindingBody>,
}

/// The answer to an import: 201 with the id and the document's findings.
fn created(id: &str, findings: &[Finding]) -> (StatusCode, Json<ImportReport>) {
    (
        StatusCode::CREATED,
        Json(ImportReport {
            id: id.to_owned(),
            consistent: findings.is_empty(),
            findings: findings.iter().map(|f| finding(id, f)).collect(),
        }),
    )
}

/// Imports an agreement; needs grant_admin. Its internal disagreements are reported, not refused.
#[utoipa::path(
    post,
    path = "/api/v1/agreements",
    tag = "grants",
    request_body = ImportBody,
    responses(
        (status = 201, description = "Imported", body = ImportReport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs grant_admin", body = ErrorBody),
        (status = 409, description = "An agreement has that id", body = ErrorBody),
        (status = 422, description = "A field is wrong; the detail names it", body = ErrorBody)
    )
)]
pub async fn import_agreement(
    State(state): State<AppState>,
    user: SignedIn,
    ApiJson(body): ApiJson<ImportBody>,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    let (agreement, findings) = grants::import_agreement(
        &state,
        &user,
        "document",
        &body.document.to_string(),
        &body.reason,
    )
    .await?;
    Ok(created(&agreement.id, &findings))
}

/// Imports a disbursement decision; needs grant_admin. Its lines must name initiatives of its
/// agreement and stay within what remains of them.
#[utoipa::path(
    post,
    path = "/api/v1/disbursements",
    tag = "grants",
    request_body = ImportBody,
    responses(
        (status = 201, description = "Imported", body = ImportReport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs grant_admin", body = ErrorBody),
        (status = 404, description = "Its agreement is unknown", body = ErrorBody),
        (status = 409, description = "A decision has that id", body = ErrorBody),
        (status = 422, description = "A field is wrong or a line exceeds what remains", body = ErrorBody)
    )
)]
pub async fn import_disbursement(
    State(state): State<AppState>,
    user: SignedIn,
    ApiJson(body): ApiJson<ImportBody>,
) -> ApiResult<(StatusCode, Json<ImportReport>)> {
    let (decision, findings) = grants::import_disbursement(
        &state,
        &user,
        "document",
        &body.document.to_string(),
        &body.reason,
    )
    .await?;
    Ok(created(&decision.id, &findings))
}

/// One initiative's money.
#[derive(Debug, Serialize, ToSchema)]
pub struct InitiativeBody {
    /// Its section number.
    pub code: String,
    /// Its area.
    pub area: String,
    /// Its title.
    pub title: String,
    /// Its amount in the agreement (öre), `null` when the agreement gives none.
    pub allocated_ore: Option<i64>,
    /// Decided in disbursement decisions.
    pub decided_ore: i64,
    /// Requisitioned.
    pub requisitioned_ore: i64,
    /// Paid.
    pub paid_ore: i64,
    /// Repaid.
    pub repaid_ore: i64,
}

/// A deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineBody {
    /// The date.
    pub date: String,
    /// `report`, `use_by` or `repayment`.
    pub kind: String,
    /// What is due.
    pub what: String,
    /// To whom or where.
    pub to: String,
    /// The agreement.
    pub agreement: String,
    /// The agreement or decision that sets it.
    pub source: String,
    /// The target to report against (`report:<source>:<n>`), for reports.
    pub target: Option<String>,
    /// `overdue`, `due_soon` (within 30 days), `upcoming` or `done`.
    pub status: String,
    /// When it was done, if it was.
    pub done_on: Option<String>,
}

/// The snake-case name serde writes for a core enum.
fn word<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn deadline(d: &Deadline, today: chrono::NaiveDate) -> DeadlineBody {
    DeadlineBody {
        date: d.date.to_string(),
        kind: word(&d.kind),
        what: d.what.clone(),
        to: d.to.clone(),
        agreement: d.agreement.clone(),
        source: d.source.clone(),
        target: d.target.as_ref().map(ToString::to_string),
        status: word(&d.status(today)),
        done_on: d.done_on.map(|d| d.to_string()),
    }
}

/// A recorded event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventBody {
    /// Its id.
    pub id: i64,
    /// `requisition`, `payment`, `repayment` or `report`.
    pub kind: String,
    /// What it concerns.
    pub target: String,
    /// How much, in öre.
    pub amount_ore: Option<i64>,
    /// When it happened.
    pub occurred_on: String,
    /// A note.
    pub note: Option<String>,
    /// Why.
    pub reason: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: String,
}

impl From<&GrantEvent> for EventBody {
    fn from(e: &GrantEvent) -> Self {
        Self {
            id: e.id,
            kind: e.event.kind.as_str().to_owned(),
            target: e.event.target.to_string(),
            amount_ore: e.event.amount.map(|a| a.0),
            occurred_on: e.event.occurred_on.to_string(),
            note: e.event.note.clone(),
            reason: e.event.reason.clone(),
            recorded_by: e.recorded_by.clone(),
            recorded_at: e.recorded_at.clone(),
        }
    }
}

/// An agreement with its decisions, money, findings, deadlines and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementDetail {
    /// The agreement as interchange JSON.
    #[schema(value_type = Object)]
    pub agreement: Value,
    /// Its decisions as interchange JSON.
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<Value>,
    /// Internal disagreements.
    pub findings: Vec<FindingBody>,
    /// Each initiative's money.
    pub initiatives: Vec<InitiativeBody>,
    /// Its deadlines.
    pub deadlines: Vec<DeadlineBody>,
    /// Every event, oldest first.
    pub history: Vec<EventBody>,
}

/// One agreement with everything that follows from it.
#[utoipa::path(
    get,
    path = "/api/v1/agreements/{id}",
    tag = "grants",
    params(("id" = String, Path, description = "The agreement's id")),
    responses(
        (status = 200, description = "The agreement", body = AgreementDetail),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody)
    )
)]
pub async fn get_agreement(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<AgreementDetail>> {
    let view = grants::agreement_view(&state, &user, &id).await?;
    Ok(Json(AgreementDetail {
        agreement: view.agreement.to_json(),
        decisions: view.decisions.iter().map(|d| d.to_json()).collect(),
        findings: view.findings.iter().map(|(s, f)| finding(s, f)).collect(),
        initiatives: view
            .rows
            .iter()
            .map(|r| InitiativeBody {
                code: r.code.clone(),
                area: r.area.clone(),
                title: r.title.clone(),
                allocated_ore: r.allocated.map(|a| a.0),
                decided_ore: r.flows.decided.0,
                requisitioned_ore: r.flows.requisitioned.0,
                paid_ore: r.flows.paid.0,
                repaid_ore: r.flows.repaid.0,
            })
            .collect(),
        deadlines: view
            .deadlines
            .iter()
            .map(|d| deadline(d, state.clock.today()))
            .collect(),
        history: view.history.iter().map(EventBody::from).collect(),
    }))
}

/// The agreement exactly as the interchange format writes it (what import reads back).
#[utoipa::path(
    get,
    path = "/api/v1/agreements/{id}/document",
    tag = "grants",
    params(("id" = String, Path, description = "The agreement's id")),
    responses(
        (status = 200, description = "The interchange JSON"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody)
    )
)]
pub async fn agreement_document(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(grants::agreement(&state, &user, &id).await?.to_json()))
}

/// A requisition, payment, repayment or report to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EventInput {
    /// `requisition`, `payment`, `repayment` or `report`.
    pub kind: String,
    /// `grant:<decision>:<grant number>[:<initiative>]` for money, `report:<agreement or
    /// decision>:<obligation number>` for a report.
    pub target: String,
    /// How much, in öre (money only).
    pub amount_ore: Option<i64>,
    /// When it happened (YYYY-MM-DD).
    pub occurred_on: String,
    /// A note: the report's title, a reference.
    pub note: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// Records a requisition, payment, repayment or submitted report; needs grant_admin. Money
/// stays within what is decided, requisitioned and paid.
#[utoipa::path(
    post,
    path = "/api/v1/agreements/{id}/events",
    tag = "grants",
    params(("id" = String, Path, description = "The agreement's id")),
    request_body = EventInput,
    responses(
        (status = 201, description = "Recorded", body = EventBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs grant_admin", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 422, description = "A field is wrong, or the amount exceeds what the flow allows", body = ErrorBody)
    )
)]
pub async fn record_event(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EventInput>,
) -> ApiResult<(StatusCode, Json<EventBody>)> {
    let entry = EventEntry {
        kind: &body.kind,
        target: &body.target,
        amount: EnteredAmount::Ore(body.amount_ore),
        occurred_on: &body.occurred_on,
        note: body.note.as_deref(),
        reason: &body.reason,
    };
    let stored = grants::record_event(&state, &user, &id, entry).await?;
    Ok((StatusCode::CREATED, Json(EventBody::from(&stored))))
}

/// Every deadline across agreements and decisions, by date, with its status today.
#[utoipa::path(
    get,
    path = "/api/v1/grant-calendar",
    tag = "grants",
    responses(
        (status = 200, description = "The deadlines", body = Vec<DeadlineBody>),
        (status = 401, description = "Not signed in", body = ErrorBody)
    )
)]
pub async fn grant_calendar(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<Vec<DeadlineBody>>> {
    Ok(Json(
        grants::calendar(&state, &user)
            .await?
            .iter()
            .map(|d| deadline(d, state.clock.today()))
            .collect(),
    ))
}

/// A recipient's allocation.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationBody {
    /// The municipality's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its population (SCB 2021), the weight when split by population.
    pub population: u64,
    /// Its published value in the baseline period.
    pub baseline: Option<f64>,
    /// Its published value in the period.
    pub current: Option<f64>,
    /// The value it had to reach.
    pub threshold: Option<f64>,
    /// Whether it qualified.
    pub qualified: bool,
    /// Why, in words.
    pub reason: String,
    /// Its weight in the split.
    pub weight: u64,
    /// Its amount in öre.
    pub amount_ore: i64,
}

/// A performance grant's allocation.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceBody {
    /// The grant as stored.
    #[schema(value_type = Object)]
    pub grant: Value,
    /// The pool in öre.
    pub pool_ore: i64,
    /// What is paid in all (the pool when anyone qualifies).
    pub paid_ore: i64,
    /// Each recipient.
    pub allocations: Vec<AllocationBody>,
}

/// A performance grant: each municipality's values, whether it qualified, and its amount.
#[utoipa::path(
    get,
    path = "/api/v1/performance-grants/{id}",
    tag = "grants",
    params(("id" = String, Path, description = "The grant's id")),
    responses(
        (status = 200, description = "The allocation", body = PerformanceBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such grant", body = ErrorBody)
    )
)]
pub async fn performance_grant(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<PerformanceBody>> {
    let view = grants::performance_view(&state, &user, &id).await?;
    Ok(Json(PerformanceBody {
        grant: serde_json::to_value(&view.grant).map_err(|e| AppError::Internal(e.into()))?,
        pool_ore: view.grant.pool.0,
        paid_ore: view.allocations.iter().map(|a| a.amount).sum::<Ore>().0,
        allocations: view
            .allocations
            .iter()
            .map(|a| AllocationBody {
                code: a.code.clone(),
                name: a.name.clone(),
                population: a.population,
                baseline: a.baseline,
                current: a.current,
                threshold: a.threshold,
                qualified: a.qualified,
                reason: a.reason.clone(),
                weight: a.weight,
                amount_ore: a.amount.0,
            })
            .collect(),
    }))
}

/// A county's year under a tapering plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaperingYear {
    /// The year.
    pub year: i32,
    /// The principals' share in per cent.
    pub principal_percent: u32,
    /// The county's part of the plan's annual total, in öre.
    pub total_ore: i64,
    /// What the principals pay.
    pub principal_ore: i64,
    /// What the state pays.
    pub state_ore: i64,
}

/// A county under one tapering plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountyPlanBody {
    /// The plan's id.
    pub plan: String,
    /// Its title.
    pub title: String,
    /// Year by year.
    pub years: Vec<TaperingYear>,
}

/// What a county receives under each tapering plan, year by year.
#[utoipa::path(
    get,
    path = "/api/v1/counties/{code}/tapering",
    tag = "grants",
    params(("code" = String, Path, description = "The county's code")),
    responses(
        (status = 200, description = "The plans", body = Vec<CountyPlanBody>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Not a county code", body = ErrorBody)
    )
)]
pub async fn county_tapering(
    State(state): State<AppState>,
    user: SignedIn,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<CountyPlanBody>>> {
    let county = code_in_path(&code)?;
    let plans = grants::county_plans(&state, &user, &county).await?;
    Ok(Json(
        plans
            .into_iter()
            .map(|p| CountyPlanBody {
                plan: p.plan.id.clone(),
                title: p.plan.title.clone(),
                years: p
                    .years
                    .iter()
                    .map(|(year, c)| TaperingYear {
                        year: *year,
                        principal_percent: c.principal_percent,
                        total_ore: c.total.0,
                        principal_ore: c.principal.0,
                        state_ore: c.state.0,
                    })
                    .collect(),
            })
            .collect(),
    ))
}
