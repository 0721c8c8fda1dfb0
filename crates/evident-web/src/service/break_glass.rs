//! Breaking the glass: a practitioner's emergency access to one client's records at another
//! unit of their own authority, with a stated reason, for [`BREAK_GLASS_HOURS`] hours. Opening
//! one is audited with its reason (`break_glass`); reads it allows name it in their entries;
//! auditors list them all. The client is named by a case or by their pseudonym; a case or a
//! pseudonym outside the caller's authority answers exactly as one that does not exist, so the
//! form cannot be used to probe other municipalities.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_core::access::break_glass::{
    BREAK_GLASS_HOURS, BreakGlass, Reason, expires_at, may_break_glass,
};
use evident_core::access::{Action, DataClass, Role, decide};
use evident_core::followup::{Case, Client};
use evident_core::person::Pseudonym;
use evident_store::NewBreakGlass;
use evident_store::audit::timestamp_text;

/// The detail a read through an emergency access carries, so the client's record and the
/// auditors can tell it from an ordinary read.
pub fn via(glass: &BreakGlass) -> String {
    format!("via break the glass #{}", glass.id)
}

/// Whether an audit entry was written by, or under, an emergency access.
pub fn is_break_glass(action: &str, detail: &str) -> bool {
    action == "break_glass" || detail.starts_with("via break the glass")
}

/// Whom a practitioner names when breaking the glass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The client of this case.
    Case(i64),
    /// The client with this pseudonym at the practitioner's own authority.
    Client(Pseudonym),
}

impl Target {
    /// The client named by a case id or by a pseudonym: exactly one of the two.
    ///
    /// # Errors
    /// [`AppError::Invalid`] when both or neither are given, or the pseudonym is not 64 hex
    /// digits.
    pub fn parse(case_id: Option<i64>, pseudonym: Option<&str>) -> Result<Self, AppError> {
        match (case_id, pseudonym.map(str::trim).filter(|p| !p.is_empty())) {
            (Some(case_id), None) => Ok(Self::Case(case_id)),
            (None, Some(pseudonym)) => Ok(Self::Client(Pseudonym::parse(
                &pseudonym.to_ascii_lowercase(),
            )?)),
            _ => Err(AppError::Invalid(
                "name the client either by case_id or by pseudonym, not both".into(),
            )),
        }
    }

    /// What was named, for the audit trail and error messages.
    fn record(&self) -> String {
        match self {
            Self::Case(id) => format!("case:{id}"),
            Self::Client(pseudonym) => format!("pseudonym:{}", pseudonym.as_str()),
        }
    }
}

/// Opens an emergency access for `user` to the client named by `target`: the client of a case,
/// or the client with a pseudonym, looked up only at the authorities where the user is staff.
/// Reached by pseudonym, it is asked for through the client's most recently opened case at
/// that authority.
///
/// # Errors
/// [`AppError::Invalid`] without a reason of at least a few words (checked first, so it says
/// nothing about the client); [`AppError::Forbidden`] (audited) for a user who is no
/// practitioner anywhere; [`AppError::NotFound`] (audited) for a case or client that does not
/// exist or is outside the user's authority — the same answer for both.
pub async fn open(
    state: &AppState,
    user: &SignedIn,
    target: &Target,
    reason: &str,
) -> Result<BreakGlass, AppError> {
    let reason = Reason::parse(reason)?;
    let record = target.record();
    let staff = user
        .user
        .grants
        .iter()
        .any(|g| matches!(g.role, Role::Practitioner | Role::UnitManager));
    if !staff {
        return deny(
            state,
            user,
            &record,
            "break the glass: only a practitioner or unit manager may",
            AppError::Forbidden(
                "you may not break the glass: this needs the role practitioner or unit_manager"
                    .into(),
            ),
        )
        .await;
    }
    let found = match target {
        Target::Case(case_id) => case_and_client(state, *case_id).await?,
        Target::Client(pseudonym) => client_and_case(state, user, pseudonym).await?,
    };
    let Some((case, client)) = found.filter(|(case, client)| {
        may_break_glass(&user.user.grants, &client.authority)
            && case.unit.authority().as_ref().map(OrgCode::as_str)
                == Some(client.authority.as_str())
    }) else {
        let (detail, missing) = match target {
            Target::Case(case_id) => (
                "break the glass: no such case in the user's authority",
                format!("case {case_id}"),
            ),
            Target::Client(_) => (
                "break the glass: no such client in the user's authority",
                "client".to_owned(),
            ),
        };
        return deny(state, user, &record, detail, AppError::NotFound(missing)).await;
    };
    let now = state.clock.now();
    let new = NewBreakGlass {
        user_id: user.user.id,
        client_id: client.id,
        case_id: case.id,
        authority: client.authority.clone(),
        reason,
        now: timestamp_text(now),
        expires_at: timestamp_text(expires_at(now)),
    };
    tracing::warn!(user = user.user.id, case = case.id, "break the glass");
    Ok(state.store.open_break_glass(&new, &user.actor()).await?)
}

/// The case `case_id` and its client, if the case exists.
async fn case_and_client(
    state: &AppState,
    case_id: i64,
) -> Result<Option<(Case, Client)>, AppError> {
    match state.store.get_case(case_id).await {
        Ok(case) => {
            let client = state.store.get_client(case.client_id).await?;
            Ok(Some((case, client)))
        }
        Err(evident_store::StorageError::NotFound(_)) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// The client with `pseudonym` at one of the authorities where `user` is staff, and their most
/// recently opened case there. Other authorities are never searched, so a pseudonym of theirs
/// is not found, as one that does not exist.
async fn client_and_case(
    state: &AppState,
    user: &SignedIn,
    pseudonym: &Pseudonym,
) -> Result<Option<(Case, Client)>, AppError> {
    let mut authorities: Vec<OrgCode> = user
        .user
        .grants
        .iter()
        .filter(|g| matches!(g.role, Role::Practitioner | Role::UnitManager))
        .filter_map(|g| g.org.authority())
        .collect();
    authorities.sort_unstable();
    authorities.dedup();
    for authority in &authorities {
        let Some(client) = state
            .store
            .find_client(authority.as_str(), pseudonym)
            .await?
        else {
            continue;
        };
        let cases = state.store.list_client_cases(client.id).await?;
        let newest = cases
            .into_iter()
            .filter(|c| c.unit.authority().as_ref() == Some(authority))
            .max_by_key(|c| (c.opened_on, c.id));
        return Ok(newest.map(|case| (case, client)));
    }
    Ok(None)
}

async fn deny<T>(
    state: &AppState,
    user: &SignedIn,
    record: &str,
    detail: &str,
    error: AppError,
) -> Result<T, AppError> {
    let event =
        AuditEvent::new(&user.actor(), "break_glass", record, Outcome::Denied).with_detail(detail);
    state.store.append_audit(&event).await?;
    Err(error)
}

/// The emergency access that lets `user` read client `client_id` at `unit` now, if any: only
/// for reading, only within the client's authority, only until it expires.
///
/// # Errors
/// A store failure.
pub(crate) async fn honoured(
    state: &AppState,
    user: &SignedIn,
    action: Action,
    unit: &OrgCode,
    client_id: i64,
) -> Result<Option<BreakGlass>, AppError> {
    if action != Action::Read
        || decide(&user.user.grants, action, unit, DataClass::Identified).is_allowed()
    {
        return Ok(None);
    }
    let now = timestamp_text(state.clock.now());
    let glass = state
        .store
        .active_break_glass(user.user.id, client_id, &now)
        .await?;
    Ok(glass
        .filter(|g| unit.authority().as_ref().map(OrgCode::as_str) == Some(g.authority.as_str())))
}

/// How long an access lasts, for the form's text.
pub fn hours() -> i64 {
    BREAK_GLASS_HOURS
}
