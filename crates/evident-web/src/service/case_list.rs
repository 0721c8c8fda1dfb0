//! A unit's case list in keyset pages, as the page and the API both read it: newest first,
//! a page of cases after a given case, and the cursor of the next page. Listing reads
//! identified data, so each page is audited: one entry naming the clients on it.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::audit::AuditEvent;
use evident_core::access::{Action, DataClass};
use evident_core::followup::{Case, Client};

/// Cases per page when the caller names no limit.
pub const DEFAULT_LIMIT: u32 = 100;

/// The most cases one page holds.
pub const MAX_LIMIT: u32 = 1000;

/// One page of a unit's cases.
#[derive(Debug, Clone)]
pub struct CasePage {
    /// The cases with their clients, newest first.
    pub cases: Vec<(Case, Client)>,
    /// The case to continue after for the next page; `None` on the last page.
    pub next: Option<i64>,
}

/// A requested page size, checked: 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when not given.
///
/// # Errors
/// [`AppError::Invalid`] naming `limit` when it is outside those bounds.
fn page_limit(limit: Option<u32>) -> Result<u32, AppError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        Some(limit) => Err(AppError::Invalid(format!(
            "limit: {limit} is not between 1 and {MAX_LIMIT}"
        ))),
    }
}

/// Up to `limit` (1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when `None`) of the unit's cases after
/// case `after` (from the newest when `None`), in one query however many cases the unit has;
/// the read is audited as one `case.list` entry naming each client on the page, which a search
/// of the trail by any of them finds.
///
/// # Errors
/// [`AppError::Forbidden`] (audited) without read access to identified data at the unit;
/// [`AppError::Invalid`] for a limit out of bounds.
pub async fn unit_cases_page(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
    after: Option<i64>,
    limit: Option<u32>,
) -> Result<CasePage, AppError> {
    user.authorize(
        Action::Read,
        unit,
        DataClass::Identified,
        &format!("unit:{unit}"),
    )
    .await?;
    let limit = page_limit(limit)?;
    // One more than asked says whether another page follows.
    let mut cases = state
        .store
        .list_unit_cases_page(unit, after, limit.saturating_add(1))
        .await?;
    let next = if cases.len() > limit as usize {
        cases.truncate(limit as usize);
        cases.last().map(|(case, _)| case.id)
    } else {
        None
    };
    let listing = AuditEvent::listing(
        &user.actor(),
        format!("unit:{unit}"),
        cases.len(),
        cases.iter().map(|(_, client)| client.pseudonym.to_string()),
    );
    state.store.append_audit(&listing).await?;
    Ok(CasePage { cases, next })
}
