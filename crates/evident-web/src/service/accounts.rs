//! Managing staff accounts, shared by the API and the pages: which users a manager sees,
//! creating a user with a first role, granting and revoking roles, and the requests for roles
//! that read identified data, which a second person approves. Every step asks the access
//! policy: [`SignedIn::authorize_grant`] for the role and node, [`granting::may_change_account`]
//! for the user whose roles change, [`granting::may_approve_grant`] for an approval.

use crate::auth::SignedIn;
use crate::auth::identity::Credential;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::account::{AccessToken, NewUser, PendingGrant, User};
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_core::access::credentials::{NewPassword, Secret};
use evident_core::access::granting;
use evident_core::access::{Action, DataClass, Grant, Role};

/// The users `viewer` may manage: those whose account the viewer may change
/// ([`granting::may_change_account`]: every role they hold is one the viewer may hand out where
/// it is held), and — for admins — users who hold no role yet. A unit manager thus never sees
/// a colleague who also holds a role above or outside its unit; an admin of the nation sees
/// everyone.
///
/// # Errors
/// [`AppError::Forbidden`] (audited) when the viewer manages no accounts anywhere.
pub async fn visible_users(state: &AppState, viewer: &SignedIn) -> Result<Vec<User>, AppError> {
    require_manager(viewer, "users").await?;
    let users = state.store.list_users().await?;
    Ok(users
        .into_iter()
        .filter(|u| granting::may_change_account(&viewer.user.grants, &u.grants))
        .collect())
}

/// Refuses (audited, naming `record`) a viewer who manages no accounts anywhere.
async fn require_manager(viewer: &SignedIn, record: &str) -> Result<(), AppError> {
    if !granting::manages_any_users(&viewer.user.grants) {
        viewer
            .authorize(
                Action::ManageUsers,
                &OrgCode::nation(),
                DataClass::Public,
                record,
            )
            .await?;
    }
    Ok(())
}

/// Signs `user` out of every other browser session: all but the session this request came
/// in (with a token, all of them). Audited as `logout.others`; returns how many ended.
///
/// # Errors
/// A store failure.
pub async fn end_other_sessions(state: &AppState, user: &SignedIn) -> Result<u64, AppError> {
    let ended = state
        .store
        .delete_other_sessions(user.user.id, user.session_digest(), &user.actor())
        .await?;
    tracing::info!(
        user = user.user.id,
        sessions = ended,
        "other sessions ended"
    );
    Ok(ended)
}

/// Parses a role and a node into a grant that the viewer may hand out.
///
/// # Errors
/// [`AppError::Invalid`] for an unknown role, code or a level the role cannot be granted on;
/// [`AppError::Forbidden`] (audited) when the viewer may not grant it.
pub async fn checked_grant(
    viewer: &SignedIn,
    role: &str,
    org: &str,
    record: &str,
) -> Result<Grant, AppError> {
    let role = Role::parse(role)?;
    let org = OrgCode::parse(org).map_err(|e| AppError::Invalid(format!("org: {}", e.problem)))?;
    viewer.authorize_grant(role, &org, record).await?;
    Ok(Grant::try_new(role, org)?)
}

/// What became of a grant: given at once, or a request waiting for a second person.
#[derive(Debug, Clone)]
pub enum GrantOutcome {
    /// The user holds the role now.
    Granted,
    /// The role reads identified data; someone else must approve the request.
    Requested(PendingGrant),
}

/// Refuses (audited) unless the viewer may change the roles of `target`: every role the target
/// holds must be one the viewer may hand out where it is held, and a user without roles is an
/// admin's. A unit manager thus never touches the national analyst or an admin.
async fn authorize_account(viewer: &SignedIn, target: &User, record: &str) -> Result<(), AppError> {
    if granting::may_change_account(&viewer.user.grants, &target.grants) {
        return Ok(());
    }
    let what = if target.grants.is_empty() {
        "change the account of a user without roles: only an admin may".to_owned()
    } else {
        "change the account of a user who holds roles you may not hand out".to_owned()
    };
    Err(viewer.refuse("manage_users", record, &what).await)
}

/// Grants `role` on `org` to the user `user_id`, or — for a role that reads identified data —
/// records a request that someone else must approve. Nobody asks for such a role for
/// themselves.
///
/// # Errors
/// As [`checked_grant`]; [`AppError::NotFound`] for an unknown user; [`AppError::Forbidden`]
/// (audited) for a user the viewer may not change or a self-grant of such a role;
/// [`AppError::Conflict`] when it is held or requested already.
pub async fn add_grant(
    state: &AppState,
    viewer: &SignedIn,
    user_id: i64,
    role: &str,
    org: &str,
) -> Result<GrantOutcome, AppError> {
    let record = format!("user:{user_id}");
    let grant = checked_grant(viewer, role, org, &record).await?;
    let target = state.store.get_user(user_id).await?;
    if !granting::grant_needs_approval(grant.role) {
        authorize_account(viewer, &target, &record).await?;
        state
            .store
            .add_grant(user_id, &grant, &viewer.actor())
            .await?;
        return Ok(GrantOutcome::Granted);
    }
    if target.id == viewer.user.id {
        let what = format!(
            "grant yourself the role {} on {}: a role that reads identified data is granted by someone else",
            grant.role, grant.org
        );
        return Err(viewer.refuse("grant.request", &record, &what).await);
    }
    authorize_account(viewer, &target, &record).await?;
    let pending = state
        .store
        .request_grant(user_id, &grant, &viewer.actor())
        .await?;
    Ok(GrantOutcome::Requested(pending))
}

/// Revokes `role` on `org` from the user `user_id`.
///
/// # Errors
/// As [`checked_grant`]; [`AppError::NotFound`] for an unknown user or a grant not held;
/// [`AppError::Forbidden`] (audited) for a user the viewer may not change.
pub async fn remove_grant(
    state: &AppState,
    viewer: &SignedIn,
    user_id: i64,
    role: &str,
    org: &str,
) -> Result<(), AppError> {
    let record = format!("user:{user_id}");
    let grant = checked_grant(viewer, role, org, &record).await?;
    let target = state.store.get_user(user_id).await?;
    authorize_account(viewer, &target, &record).await?;
    state
        .store
        .remove_grant(user_id, &grant, &viewer.actor())
        .await?;
    Ok(())
}

/// The open grant requests `viewer` may decide, or made themselves.
///
/// # Errors
/// [`AppError::Forbidden`] (audited) when the viewer manages no accounts anywhere.
pub async fn visible_requests(
    state: &AppState,
    viewer: &SignedIn,
) -> Result<Vec<PendingGrant>, AppError> {
    require_manager(viewer, "grant_requests").await?;
    let mut visible = Vec::new();
    for pending in state.store.pending_grants().await? {
        let theirs = state.store.get_user(pending.user_id).await?.grants;
        let decidable =
            granting::may_approve_grant(viewer.user.id, &viewer.user.grants, &pending, &theirs)
                .is_ok();
        if decidable || pending.requested_by == Some(viewer.user.id) {
            visible.push(pending);
        }
    }
    Ok(visible)
}

/// Approves (the role is granted at once) or rejects the open grant request `id`. Approving
/// takes someone other than the requester and the grantee who may grant the role on the node
/// and change the grantee's account; rejecting, the same or the requester (who withdraws it).
///
/// # Errors
/// [`AppError::NotFound`] when no such request is open; [`AppError::Forbidden`] (audited) as
/// above; [`AppError::Conflict`] when the user already holds the role.
pub async fn decide_request(
    state: &AppState,
    viewer: &SignedIn,
    id: i64,
    approve: bool,
) -> Result<PendingGrant, AppError> {
    require_manager(viewer, &format!("grant_request:{id}")).await?;
    let pending = state.store.get_pending_grant(id).await?;
    let theirs = state.store.get_user(pending.user_id).await?.grants;
    let action = if approve {
        "grant.approve"
    } else {
        "grant.reject"
    };
    let withdrawing = !approve && pending.requested_by == Some(viewer.user.id);
    if !withdrawing
        && let Err(refusal) =
            granting::may_approve_grant(viewer.user.id, &viewer.user.grants, &pending, &theirs)
    {
        let record = format!("user:{}", pending.user_id);
        let what = format!(
            "{} (request {id}: {} on {})",
            refusal.as_str(),
            pending.grant.role,
            pending.grant.org
        );
        let what = if approve {
            what
        } else {
            what.replacen("approve", "reject", 1)
        };
        return Err(viewer.refuse(action, &record, &what).await);
    }
    Ok(state
        .store
        .decide_grant_request(id, approve, &viewer.actor())
        .await?)
}

/// Creates a user with a first role; without a password, one is generated and returned once.
/// A role that reads identified data is not granted yet but requested, as in [`add_grant`].
///
/// # Errors
/// As [`checked_grant`]; [`AppError::Invalid`] for a bad e-mail, name or password;
/// [`AppError::Conflict`] when the e-mail address is taken.
pub async fn create_user(
    state: &AppState,
    viewer: &SignedIn,
    email: &str,
    name: &str,
    role: &str,
    org: &str,
    password: Option<&str>,
) -> Result<(User, Option<String>, GrantOutcome), AppError> {
    let grant = checked_grant(viewer, role, org, &format!("user:{email}")).await?;
    let (password, generated) = match password.filter(|p| !p.is_empty()) {
        Some(given) => (NewPassword::parse(given)?, None),
        None => {
            let generated = generate_password();
            (NewPassword::parse(&generated)?, Some(generated))
        }
    };
    let hash = state.passwords.hash(password).await?;
    let new = NewUser::parse(email, name, Some(hash))?;
    if !granting::grant_needs_approval(grant.role) {
        let user = state
            .store
            .create_user(&new, &[grant], &viewer.actor())
            .await?;
        return Ok((user, generated, GrantOutcome::Granted));
    }
    let (user, pending) = state
        .store
        .create_user_requesting(&new, &grant, &viewer.actor())
        .await?;
    Ok((user, generated, GrantOutcome::Requested(pending)))
}

/// Disables (or enables again) the account `user_id`. The viewer must be allowed to hand out
/// every role the user holds (a unit manager cannot disable a regional leader who also works
/// at the unit), and only an admin may disable a user with no role. Nobody disables
/// themselves. Disabling ends the user's sessions and revokes their tokens at once.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown user; [`AppError::Forbidden`] (audited) as above;
/// [`AppError::Invalid`] for the viewer's own account.
pub async fn set_disabled(
    state: &AppState,
    viewer: &SignedIn,
    user_id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    let target = state.store.get_user(user_id).await?;
    let record = format!("user:{user_id}");
    if target.id == viewer.user.id {
        return Err(AppError::Invalid(
            "user: you cannot disable or enable your own account".into(),
        ));
    }
    if target.grants.is_empty() && !granting::manages_user(&viewer.user.grants, &[]) {
        viewer
            .authorize(
                Action::ManageUsers,
                &OrgCode::nation(),
                DataClass::Public,
                &record,
            )
            .await?;
    }
    for grant in &target.grants {
        viewer
            .authorize_grant(grant.role, &grant.org, &record)
            .await?;
    }
    state
        .store
        .set_user_disabled(user_id, disabled, &viewer.actor())
        .await?;
    Ok(())
}

/// A generated password: 20 hex digits (80 bits), easy to read out and type once.
pub fn generate_password() -> String {
    Secret::generate("").expose()[..20].to_owned()
}

/// Longest life of a personal access token, in days.
pub const MAX_TOKEN_DAYS: i64 = 365;

/// Whether `password` is `user`'s current password (checked on the bounded hashing pool).
///
/// # Errors
/// When the store fails; [`AppError::Busy`] when every hashing permit stays taken.
pub async fn password_matches(
    state: &AppState,
    user: &SignedIn,
    password: &str,
) -> Result<bool, AppError> {
    let hash = state
        .store
        .find_user_by_email(&user.user.email)
        .await?
        .and_then(|(_, hash)| hash);
    // An account without a password still costs a hash, and never matches.
    state.passwords.verify(password.to_owned(), hash).await
}

/// What [`issue_token`] answers for a wrong password, so the account page can show it as a
/// form error in the reader's language.
pub const WRONG_PASSWORD: &str = "password: the password is wrong";

/// Creates a personal access token for `user`, valid for `days`; the secret is returned once.
///
/// Only a signed-in browser session that gives the user's password again may do so: a token
/// that could make tokens would renew itself forever once leaked, and a session left open
/// on a shared computer should not be enough to take a year's access away. Refusals are
/// audited.
///
/// # Errors
/// [`AppError::Forbidden`] when `user` came with a token, or with [`WRONG_PASSWORD`];
/// [`AppError::Invalid`] for an empty label or a lifetime outside 1–365 days.
pub async fn issue_token(
    state: &AppState,
    user: &SignedIn,
    password: &str,
    label: &str,
    days: i64,
) -> Result<(AccessToken, Secret), AppError> {
    let record = format!("user:{}", user.user.id);
    if matches!(user.credential, Credential::Token) {
        let event = AuditEvent::new(&user.actor(), "token.create", &record, Outcome::Denied)
            .with_detail("asked with an access token");
        state.store.append_audit(&event).await?;
        return Err(AppError::Forbidden(
            "an access token cannot create access tokens; create one on the account page, signed in with your password".into(),
        ));
    }
    if !password_matches(state, user, password).await? {
        let event = AuditEvent::new(&user.actor(), "token.create", &record, Outcome::Failed)
            .with_detail("wrong password");
        state.store.append_audit(&event).await?;
        return Err(AppError::Forbidden(WRONG_PASSWORD.into()));
    }
    let label = evident_core::text::Name::parse("label", label)?;
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(AppError::Invalid(format!(
            "expires_days: must be between 1 and {MAX_TOKEN_DAYS}"
        )));
    }
    let secret = Secret::generate("evt_");
    let expires_at =
        evident_store::audit::timestamp_text(state.clock.now() + chrono::Duration::days(days));
    let token = state
        .store
        .create_token(
            user.user.id,
            label.as_str(),
            &secret.digest(),
            &expires_at,
            &user.actor(),
        )
        .await?;
    Ok((token, secret))
}
