//! Breaking the glass: a practitioner's emergency access to one client's records at another
//! unit of their own authority, with a stated reason, for [`BREAK_GLASS_HOURS`] hours. Opening
//! one is audited with its reason (`break_glass`); reads it allows name it in their entries;
//! auditors list them all. A case outside the caller's authority answers exactly as one that
//! does not exist, so the form cannot be used to probe other municipalities.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_core::access::break_glass::{
    BREAK_GLASS_HOURS, BreakGlass, Reason, expires_at, may_break_glass,
};
use evident_core::access::{Action, DataClass, Role, decide};
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

/// Opens an emergency access for `user` to the client of case `case_id`.
///
/// # Errors
/// [`AppError::Invalid`] without a reason of at least a few words (checked first, so it says
/// nothing about the case); [`AppError::Forbidden`] (audited) for a user who is no
/// practitioner anywhere; [`AppError::NotFound`] (audited) for a case that does not exist or
/// is outside the user's authority — the same answer for both.
pub async fn open(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    reason: &str,
) -> Result<BreakGlass, AppError> {
    let reason = Reason::parse(reason)?;
    let record = format!("case:{case_id}");
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
    let found = match state.store.get_case(case_id).await {
        Ok(case) => Some((case.clone(), state.store.get_client(case.client_id).await?)),
        Err(evident_store::StorageError::NotFound(_)) => None,
        Err(other) => return Err(other.into()),
    };
    let Some((case, client)) = found.filter(|(case, client)| {
        may_break_glass(&user.user.grants, &client.authority)
            && case.unit.authority().as_ref().map(OrgCode::as_str)
                == Some(client.authority.as_str())
    }) else {
        return deny(
            state,
            user,
            &record,
            "break the glass: no such case in the user's authority",
            AppError::NotFound(format!("case {case_id}")),
        )
        .await;
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
