//! Agreements and grants, shared by the pages, the API and the downloads: an agreement with its
//! decisions, money flows, findings and history; the calendar of every deadline; a county's
//! tapering plans; a performance grant's allocation with its arithmetic; and the writes
//! (imports and events), each authorised as managing grants and carrying a reason.
//!
//! Every function a handler calls takes the signed-in user and authorises first, so a page and
//! its API twin cannot differ in who may do what. Agreements are public documents: any
//! signed-in user may read them. Writes need the grant_admin role on the nation.

use crate::auth::SignedIn;
use crate::service::comparisons;
use crate::{AppError, AppState};
use evident_core::access::{Action, DataClass};
use evident_core::grants::Ore;
use evident_core::grants::calendar::{Deadline, deadlines};
use evident_core::grants::check::{Finding, check_agreement, check_disbursement};
use evident_core::grants::document::{Agreement, Disbursement};
use evident_core::grants::ledger::{
    Flows, GrantEvent, InitiativeRow, NewGrantEvent, RecordedEvent, initiative_rows,
};
use evident_core::grants::performance::{Allocation, PerformanceGrant, Recipient, allocate};
use evident_core::grants::tapering::{CountyTapering, TaperingPlan, county_amounts};
use evident_core::indicator::Period;
use evident_core::org::registry::population;
use evident_core::{OrgCode, OrgLevel};
use evident_store::PlanKind;

/// Checks that `user` may read agreements (public documents, any role).
///
/// # Errors
/// [`AppError::Forbidden`] (audited) for a user without any role.
async fn authorize_read(user: &SignedIn, record: &str) -> Result<(), AppError> {
    user.authorize(Action::Read, &OrgCode::nation(), DataClass::Public, record)
        .await
}

/// Checks that `user` may change agreements and their money: grant_admin on the nation (the
/// same question [`evident_core::access::may_manage_agreements`] answers for showing forms).
///
/// # Errors
/// [`AppError::Forbidden`] (audited) otherwise.
async fn authorize_write(user: &SignedIn, record: &str) -> Result<(), AppError> {
    user.authorize(
        Action::ManageGrants,
        &OrgCode::nation(),
        DataClass::Public,
        record,
    )
    .await
}

/// Everything the agreement page shows.
#[derive(Debug, Clone)]
pub struct AgreementView {
    /// The agreement as written.
    pub agreement: Agreement,
    /// Its disbursement decisions.
    pub decisions: Vec<Disbursement>,
    /// Internal disagreements of the agreement and of each decision (decision id, finding).
    pub findings: Vec<(String, Finding)>,
    /// Initiatives with their money.
    pub rows: Vec<InitiativeRow>,
    /// The totals of the rows.
    pub total: Flows,
    /// Its deadlines.
    pub deadlines: Vec<Deadline>,
    /// Its history: every event, oldest first.
    pub history: Vec<GrantEvent>,
}

/// The agreement `id` as written, for `user`.
///
/// # Errors
/// [`AppError::Forbidden`] for a user without any role; [`AppError::NotFound`] for an unknown
/// agreement.
pub async fn agreement(state: &AppState, user: &SignedIn, id: &str) -> Result<Agreement, AppError> {
    authorize_read(user, &format!("agreement:{id}")).await?;
    Ok(state.store.get_agreement(id).await?)
}

/// The agreement `id` with everything that follows from it, for `user`.
///
/// # Errors
/// [`AppError::Forbidden`] for a user without any role; [`AppError::NotFound`] for an unknown
/// agreement.
pub async fn agreement_view(
    state: &AppState,
    user: &SignedIn,
    id: &str,
) -> Result<AgreementView, AppError> {
    authorize_read(user, &format!("agreement:{id}")).await?;
    let agreement = state.store.get_agreement(id).await?;
    let decisions = state.store.list_disbursements(Some(id)).await?;
    let history = state.store.list_grant_events(Some(id)).await?;
    let events: Vec<RecordedEvent> = history.iter().map(|e| e.event.clone()).collect();
    let mut findings: Vec<(String, Finding)> = check_agreement(&agreement)
        .into_iter()
        .map(|f| (agreement.id.clone(), f))
        .collect();
    for decision in &decisions {
        findings.extend(
            check_disbursement(decision)
                .into_iter()
                .map(|f| (decision.id.clone(), f)),
        );
    }
    let (rows, total) = initiative_rows(&agreement, &decisions, &events);
    let deadlines = deadlines(std::slice::from_ref(&agreement), &decisions, &events);
    Ok(AgreementView {
        agreement,
        decisions,
        findings,
        rows,
        total,
        deadlines,
        history,
    })
}

/// Every agreement with how many internal disagreements it and its decisions have, for the
/// lists: two reads in all, whatever the number of agreements.
///
/// # Errors
/// [`AppError::Forbidden`] for a user without any role; a storage error.
pub async fn agreements_with_findings(
    state: &AppState,
    user: &SignedIn,
) -> Result<Vec<(Agreement, usize)>, AppError> {
    authorize_read(user, "agreements").await?;
    let decisions = state.store.list_disbursements(None).await?;
    Ok(state
        .store
        .list_agreements()
        .await?
        .into_iter()
        .map(|agreement| {
            let findings = check_agreement(&agreement).len()
                + decisions
                    .iter()
                    .filter(|d| d.agreement == agreement.id)
                    .map(|d| check_disbursement(d).len())
                    .sum::<usize>();
            (agreement, findings)
        })
        .collect())
}

/// Every deadline across all agreements and decisions, by date.
///
/// # Errors
/// [`AppError::Forbidden`] for a user without any role; a storage error.
pub async fn calendar(state: &AppState, user: &SignedIn) -> Result<Vec<Deadline>, AppError> {
    authorize_read(user, "grant-calendar").await?;
    let agreements = state.store.list_agreements().await?;
    let decisions = state.store.list_disbursements(None).await?;
    let events: Vec<RecordedEvent> = state
        .store
        .list_grant_events(None)
        .await?
        .into_iter()
        .map(|e| e.event)
        .collect();
    Ok(deadlines(&agreements, &decisions, &events))
}

/// Imports an agreement from interchange JSON.
///
/// # Errors
/// [`AppError::Forbidden`] without grant_admin; [`AppError::Invalid`] naming the field;
/// [`AppError::Conflict`] for an id already stored.
pub async fn import_agreement(
    state: &AppState,
    user: &SignedIn,
    file: &str,
    json: &str,
    reason: &str,
) -> Result<(Agreement, Vec<Finding>), AppError> {
    authorize_write(user, "agreement:import").await?;
    let reason = required_reason(reason)?;
    let agreement = Agreement::parse(file, json)?;
    state
        .store
        .import_agreement(&agreement, reason, &user.actor())
        .await?;
    let findings = check_agreement(&agreement);
    Ok((agreement, findings))
}

/// Imports a disbursement decision from interchange JSON.
///
/// # Errors
/// As [`import_agreement`], and [`AppError::Invalid`] when a line exceeds what remains.
pub async fn import_disbursement(
    state: &AppState,
    user: &SignedIn,
    file: &str,
    json: &str,
    reason: &str,
) -> Result<(Disbursement, Vec<Finding>), AppError> {
    authorize_write(user, "disbursement:import").await?;
    let reason = required_reason(reason)?;
    let decision = Disbursement::parse(file, json)?;
    state
        .store
        .import_disbursement(&decision, file, reason, &user.actor())
        .await?;
    let findings = check_disbursement(&decision);
    Ok((decision, findings))
}

fn required_reason(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(AppError::Invalid(
            "reason: say why; every change to agreements is documented with a reason".to_owned(),
        ))
    } else {
        Ok(reason)
    }
}

/// A requisition, payment, repayment or report as a form or an API body entered it, before it
/// is checked.
#[derive(Debug, Clone, Copy)]
pub struct EventEntry<'a> {
    /// `requisition`, `payment`, `repayment` or `report`.
    pub kind: &'a str,
    /// The target's stored form (`grant:…` or `report:…`).
    pub target: &'a str,
    /// How much, for money.
    pub amount: EnteredAmount<'a>,
    /// When it happened (YYYY-MM-DD).
    pub occurred_on: &'a str,
    /// A note.
    pub note: Option<&'a str>,
    /// Why.
    pub reason: &'a str,
}

/// An amount as entered: the API sends öre, the page's form kronor as a person types them.
#[derive(Debug, Clone, Copy)]
pub enum EnteredAmount<'a> {
    /// Öre, or none.
    Ore(Option<i64>),
    /// Kronor as typed ("1 234 567,89"); blank for none.
    Kronor(&'a str),
}

/// Records a requisition, payment, repayment or report on agreement `agreement`: authorised
/// first (so a stranger learns nothing from validation messages), then checked, then stored
/// with who recorded it. The one write path for the page's form and the API.
///
/// # Errors
/// [`AppError::Forbidden`] without grant_admin; [`AppError::Invalid`] naming the field;
/// [`AppError::NotFound`] for an unknown agreement.
pub async fn record_event(
    state: &AppState,
    user: &SignedIn,
    agreement: &str,
    entry: EventEntry<'_>,
) -> Result<GrantEvent, AppError> {
    authorize_write(user, &format!("agreement:{agreement}")).await?;
    let amount_ore = match entry.amount {
        EnteredAmount::Ore(ore) => ore,
        EnteredAmount::Kronor(raw) => Ore::parse_kronor(raw)?.map(|a| a.0),
    };
    let event = NewGrantEvent::parse(
        agreement,
        entry.kind,
        entry.target,
        amount_ore,
        entry.occurred_on,
        entry.note,
        entry.reason,
    )?;
    Ok(state
        .store
        .record_grant_event(&event, &user.actor())
        .await?)
}

/// The stored tapering plans.
///
/// # Errors
/// A storage error, or a stored plan that no longer parses.
pub async fn tapering_plans(state: &AppState) -> Result<Vec<TaperingPlan>, AppError> {
    state
        .store
        .list_grant_plans(PlanKind::Tapering)
        .await?
        .into_iter()
        .map(|(id, doc)| {
            serde_json::from_value(doc)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("stored tapering plan {id}: {e}")))
        })
        .collect()
}

/// The stored performance grants.
///
/// # Errors
/// A storage error, or a stored grant that no longer parses.
pub async fn performance_grants(state: &AppState) -> Result<Vec<PerformanceGrant>, AppError> {
    state
        .store
        .list_grant_plans(PlanKind::Performance)
        .await?
        .into_iter()
        .map(|(id, doc)| {
            serde_json::from_value(doc).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("stored performance grant {id}: {e}"))
            })
        })
        .collect()
}

/// A county's part of each tapering plan, year by year (from each plan's first year to one
/// year after its last share).
#[derive(Debug, Clone)]
pub struct CountyPlan {
    /// The plan.
    pub plan: TaperingPlan,
    /// The county's amounts per year.
    pub years: Vec<(i32, CountyTapering)>,
}

/// What `county` receives under each tapering plan, for `user`.
///
/// # Errors
/// [`AppError::Forbidden`] for a user without any role; [`AppError::Invalid`] when `county`
/// is not a county.
pub async fn county_plans(
    state: &AppState,
    user: &SignedIn,
    county: &OrgCode,
) -> Result<Vec<CountyPlan>, AppError> {
    authorize_read(user, &format!("tapering:{county}")).await?;
    if county.level() != OrgLevel::County {
        return Err(AppError::Invalid(format!(
            "county: {county} is not a county code"
        )));
    }
    let counties = county_populations(state).await?;
    let mut out = Vec::new();
    for plan in tapering_plans(state).await? {
        let (Some(first), Some(last)) = (plan.shares.first(), plan.shares.last()) else {
            continue;
        };
        let years = (first.year..=last.year + 1)
            .filter_map(|year| {
                county_amounts(&plan, year, &counties)
                    .into_iter()
                    .find(|c| c.code == county.as_str())
                    .map(|c| (year, c))
            })
            .collect();
        out.push(CountyPlan { plan, years });
    }
    Ok(out)
}

/// Every county with its population (the sum of its municipalities', SCB 2021).
async fn county_populations(state: &AppState) -> Result<Vec<(String, String, u64)>, AppError> {
    let municipalities = state.store.list_orgs(OrgLevel::Municipality, None).await?;
    let counties = state.store.list_orgs(OrgLevel::County, None).await?;
    Ok(counties
        .into_iter()
        .map(|c| {
            let people = municipalities
                .iter()
                .filter(|m| m.code.parent().as_ref() == Some(&c.code))
                .filter_map(|m| population(&m.code))
                .sum();
            (c.code.to_string(), c.name, people)
        })
        .collect())
}

/// A performance grant with each recipient's values and amount.
#[derive(Debug, Clone)]
pub struct PerformanceView {
    /// The grant.
    pub grant: PerformanceGrant,
    /// One allocation per municipality with a published value in either period, by code.
    pub allocations: Vec<Allocation>,
}

/// The performance grant `id`, allocated on the published indicator values of its periods,
/// for `user`.
///
/// # Errors
/// [`AppError::Forbidden`] for a user without any role; [`AppError::NotFound`] for an unknown
/// grant; [`AppError::Invalid`] for a stored period that does not parse.
pub async fn performance_view(
    state: &AppState,
    user: &SignedIn,
    id: &str,
) -> Result<PerformanceView, AppError> {
    authorize_read(user, &format!("performance_grant:{id}")).await?;
    let grant = performance_grants(state)
        .await?
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| AppError::NotFound(format!("performance grant '{id}'")))?;
    let baseline_period = comparisons::parse_period(&grant.baseline_period)?;
    let period: Period = comparisons::parse_period(&grant.period)?;
    let revision = comparisons::cache::revision(state).await?;
    let baseline = comparisons::cells_by_node(
        state,
        revision,
        &grant.indicator,
        comparisons::ALL_VARIANT,
        baseline_period,
    )
    .await?;
    let current = comparisons::cells_by_node(
        state,
        revision,
        &grant.indicator,
        comparisons::ALL_VARIANT,
        period,
    )
    .await?;
    let municipalities = state.store.list_orgs(OrgLevel::Municipality, None).await?;
    let recipients: Vec<Recipient> = municipalities
        .into_iter()
        .filter(|m| baseline.contains_key(&m.code) || current.contains_key(&m.code))
        .map(|m| Recipient {
            baseline: comparisons::cell(&baseline, &m.code, 0).value(),
            current: comparisons::cell(&current, &m.code, 0).value(),
            population: population(&m.code).unwrap_or(0),
            code: m.code.to_string(),
            name: m.name,
        })
        .collect();
    let allocations = allocate(&grant, &recipients);
    Ok(PerformanceView { grant, allocations })
}
