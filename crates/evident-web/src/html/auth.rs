//! Signing in and out, and the signed-in user's own account page: password change, signing
//! out of the other sessions, and personal access tokens.
//!
//! Sign-in is throttled as [`evident_core::access::throttle`] describes: accounts lock,
//! addresses only slow down, and an attempt is counted before its password is checked. A wrong
//! e-mail address, or a disabled account, costs the same time and gets the same answer as a
//! wrong password, so the page never reveals which addresses have (working) accounts. Every
//! password check runs on the bounded [`crate::service::passwords::PasswordWork`].

use crate::auth::cookies;
use crate::auth::identity::client_address;
use crate::auth::{SignedIn, Viewer};
use crate::error::with_retry_after;
use crate::html::{Chrome, render};
use crate::service::accounts::{self, WRONG_PASSWORD, issue_token, password_matches};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use evident_core::access::Grant;
use evident_core::access::account::AccessToken;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::access::credentials::{NewPassword, Secret};
use evident_core::access::throttle::Admission;
use evident_core::text::Email;
use serde::Deserialize;

/// The sign-in and account routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show_login).post(login))
        .route("/logout", post(logout))
        .route("/account", get(show_account))
        .route("/account/password", post(change_password))
        .route("/account/sessions/end-others", post(end_other_sessions))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    /// The frame.
    pub chrome: Chrome,
    /// The address typed, kept after a failure.
    pub email: String,
    /// Where to go after signing in.
    pub next: String,
    /// Why the last attempt failed.
    pub error: Option<&'static str>,
}

/// The query of the sign-in page.
#[derive(Debug, Default, Deserialize)]
pub struct LoginParams {
    /// Where to go after signing in.
    pub next: Option<String>,
}

/// The sign-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    /// E-mail address.
    pub email: String,
    /// Password.
    pub password: String,
    /// Where to go after signing in.
    pub next: String,
}

/// A local path to go to after signing in; anything else goes to the organisation browser.
fn landing(next: &str) -> String {
    if crate::href::is_local_path(next) && !next.starts_with("/login") {
        next.to_owned()
    } else {
        "/orgs".to_owned()
    }
}

async fn show_login(
    chrome: Chrome,
    Query(params): Query<LoginParams>,
) -> Result<Response, AppError> {
    let next = landing(params.next.as_deref().unwrap_or("/orgs"));
    Ok(render(&LoginPage {
        chrome,
        email: String::new(),
        next,
        error: None,
    })?
    .into_response())
}

async fn login(
    State(state): State<AppState>,
    chrome: Chrome,
    request: Request,
) -> Result<Response, AppError> {
    let (parts, body) = request.into_parts();
    let address = client_address(&parts);
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(|_| AppError::Invalid("the sign-in form is too large".into()))?;
    let form: LoginForm = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let typed = form.email.trim().to_lowercase();
    let account_key = format!("account:{typed}");
    let address_key = format!("address:{}", address.as_deref().unwrap_or("unknown"));
    let config = &state.config;
    let page = |error, status, retry_after: Option<u64>| -> Result<Response, AppError> {
        let page = LoginPage {
            chrome: chrome.clone(),
            email: form.email.clone(),
            next: landing(&form.next),
            error: Some(error),
        };
        Ok(with_retry_after(
            (status, render(&page)?).into_response(),
            retry_after,
        ))
    };
    let anonymous = Actor {
        user_id: None,
        label: typed.chars().take(254).collect(),
        address: address.clone(),
    };
    let refused = |why: &str, count: Option<i64>| {
        // One entry per key and minute at most, counting the refusals it stands for.
        count.map(|n| {
            AuditEvent::new(&anonymous, "login", "session", Outcome::Failed)
                .with_detail(format!("throttled ({why}): {n} attempts refused"))
        })
    };

    let admission = state
        .store
        .admit_login(&account_key, &address_key, &config.throttle)
        .await?;
    match admission {
        Admission::Proceed { wait } => {
            if let Ok(wait) = wait.to_std() {
                tokio::time::sleep(wait).await;
            }
        }
        Admission::Locked { until, audit } => {
            if let Some(event) = refused("account locked", audit) {
                state.store.append_audit(&event).await?;
            }
            let seconds = (until - chrono::Utc::now()).num_seconds().max(1);
            return page(
                chrome.t.auth.login_throttled,
                StatusCode::TOO_MANY_REQUESTS,
                u64::try_from(seconds).ok(),
            );
        }
        Admission::Busy { retry_after, audit } => {
            if let Some(event) = refused("address busy", audit) {
                state.store.append_audit(&event).await?;
            }
            let seconds = retry_after.num_seconds().max(1);
            return page(
                chrome.t.auth.login_throttled,
                StatusCode::TOO_MANY_REQUESTS,
                u64::try_from(seconds).ok(),
            );
        }
    }
    let account = match Email::parse("email", &typed) {
        Ok(email) => state.store.find_user_by_email(&email).await?,
        Err(_) => None,
    };
    let hash = account.as_ref().and_then(|(_, hash)| hash.clone());
    let matches = match state.passwords.verify(form.password.clone(), hash).await {
        Ok(matches) => matches,
        Err(AppError::Busy(seconds)) => {
            return page(
                chrome.t.auth.login_busy,
                StatusCode::SERVICE_UNAVAILABLE,
                Some(seconds),
            );
        }
        Err(other) => return Err(other),
    };
    let user = match (account, matches) {
        (Some((user, Some(_))), true) if !user.disabled => user,
        (account, matches) => {
            // The attempt was counted when it was admitted; only the audit entry is left.
            let detail = match account {
                Some((user, _)) if user.disabled && matches => "account disabled",
                _ => "wrong e-mail address or password",
            };
            let event = AuditEvent::new(&anonymous, "login", "session", Outcome::Failed)
                .with_detail(detail);
            state.store.append_audit(&event).await?;
            return page(chrome.t.auth.login_failed, StatusCode::UNAUTHORIZED, None);
        }
    };
    let unreported = state
        .store
        .login_succeeded(&account_key, &address_key)
        .await?;
    let secret = Secret::generate("");
    let now = state.clock.now();
    let expires = now + chrono::Duration::hours(config.session_hours);
    // A new token for the session, never the pre-session one the form echoed: that one sat
    // in a cookie that someone else may have planted.
    state
        .store
        .create_session(
            user.id,
            &secret.digest(),
            &crate::auth::csrf::generate(),
            &evident_store::audit::timestamp_text(expires),
            &evident_store::audit::timestamp_text(now),
        )
        .await?;
    let actor = Actor {
        user_id: Some(user.id),
        label: user.email.to_string(),
        address,
    };
    let mut event = AuditEvent::new(&actor, "login", "session", Outcome::Allowed);
    if unreported > 0 {
        event = event.with_detail(format!(
            "after {unreported} more attempts refused while the account was locked"
        ));
    }
    state.store.append_audit(&event).await?;
    tracing::info!(user = user.id, "signed in");
    // A browser-session cookie (no Max-Age): closing the browser ends it; the server ends it
    // after `session_hours` or `session_idle_minutes` without use, whichever comes first.
    let secure = config.secure_cookies;
    let session = cookies::secret(
        cookies::session_cookie(secure),
        secret.expose(),
        None,
        secure,
    );
    let pre_session_dropped = cookies::secret(cookies::csrf_cookie(secure), "", Some(0), secure);
    Ok((
        StatusCode::SEE_OTHER,
        cookies::jar([session, pre_session_dropped]),
        [(LOCATION, landing(&form.next))],
    )
        .into_response())
}

async fn logout(State(state): State<AppState>, Viewer(user): Viewer) -> Result<Response, AppError> {
    if let Some(user) = user
        && let Some(digest) = user.session_digest()
    {
        state.store.delete_session(digest).await?;
        state
            .store
            .append_audit(&AuditEvent::new(
                &user.actor(),
                "logout",
                "session",
                Outcome::Allowed,
            ))
            .await?;
    }
    let secure = state.config.secure_cookies;
    let dropped = [
        cookies::session_cookie(secure),
        cookies::csrf_cookie(secure),
    ]
    .map(|name| cookies::secret(name, "", Some(0), secure));
    Ok((
        StatusCode::SEE_OTHER,
        cookies::jar(dropped),
        [(LOCATION, "/".to_owned())],
    )
        .into_response())
}

/// A grant with its texts resolved.
#[derive(Debug, Clone)]
pub struct GrantRow {
    /// The role's name in the reader's language.
    pub role: &'static str,
    /// The role's code.
    pub role_code: &'static str,
    /// The node's code.
    pub org: String,
    /// The node's name.
    pub org_name: String,
}

impl GrantRow {
    /// A row for `grant`, looking up its node's name.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn load(state: &AppState, chrome: &Chrome, grant: &Grant) -> Result<Self, AppError> {
        Ok(Self {
            role: chrome.t.role_name(grant.role),
            role_code: grant.role.as_str(),
            org: grant.org.to_string(),
            org_name: state.store.get_org(&grant.org).await?.name,
        })
    }
}

/// The signed-in user's account page.
#[derive(Template)]
#[template(path = "auth/account.html")]
pub struct AccountPage {
    /// The frame.
    pub chrome: Chrome,
    /// The user's name.
    pub name: String,
    /// The user's e-mail address.
    pub email: String,
    /// Their roles.
    pub grants: Vec<GrantRow>,
    /// Their tokens.
    pub tokens: Vec<AccessToken>,
    /// A token just created, shown once.
    pub new_token: Option<String>,
    /// A message after a successful change.
    pub notice: Option<&'static str>,
    /// Why a form was rejected.
    pub form_error: Option<String>,
}

/// Query of the account page.
#[derive(Debug, Default, Deserialize)]
pub struct AccountParams {
    /// Set after a successful password change.
    pub saved: Option<String>,
    /// Set after the user's other sessions were ended.
    pub ended: Option<String>,
}

async fn account_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    new_token: Option<String>,
    notice: Option<&'static str>,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    let mut grants = Vec::new();
    for grant in &user.user.grants {
        grants.push(GrantRow::load(state, &chrome, grant).await?);
    }
    let status = if form_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AccountPage {
        chrome,
        name: user.user.name.to_string(),
        email: user.user.email.to_string(),
        grants,
        tokens: state.store.list_tokens(user.user.id).await?,
        new_token,
        notice,
        form_error,
    };
    Ok((status, render(&page)?).into_response())
}

async fn show_account(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Query(params): Query<AccountParams>,
) -> Result<Response, AppError> {
    let notice = if params.saved.is_some() {
        Some(chrome.t.auth.password_changed)
    } else {
        params
            .ended
            .is_some()
            .then_some(chrome.t.auth.other_sessions_ended)
    };
    account_page(&state, &user, chrome, None, notice, None).await
}

/// The password change form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    /// The current password.
    pub current: String,
    /// The new password.
    pub new: String,
    /// The new password again.
    pub confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let current_ok = password_matches(&state, &user, &form.current).await?;
    let problem = if !current_ok {
        Some(chrome.t.auth.wrong_current_password.to_owned())
    } else if form.new != form.confirm {
        Some(chrome.t.auth.passwords_differ.to_owned())
    } else {
        NewPassword::parse(&form.new).err().map(|e| e.to_string())
    };
    if let Some(problem) = problem {
        return account_page(&state, &user, chrome, None, None, Some(problem)).await;
    }
    let hash = state.passwords.hash(NewPassword::parse(&form.new)?).await?;
    // Whoever knew the old password may have made tokens or sessions with it: all of them
    // end, except the session that is changing it.
    let ended = state
        .store
        .set_password(user.user.id, &hash, user.session_digest(), &user.actor())
        .await?;
    tracing::info!(
        user = user.user.id,
        tokens = ended.tokens,
        sessions = ended.sessions,
        "password changed"
    );
    Ok(Redirect::to("/account?saved=1").into_response())
}

async fn end_other_sessions(
    State(state): State<AppState>,
    user: SignedIn,
) -> Result<Response, AppError> {
    accounts::end_other_sessions(&state, &user).await?;
    Ok(Redirect::to("/account?ended=1#sessions").into_response())
}

/// The token form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    /// What the token is for.
    pub label: String,
    /// Days until it expires.
    pub days: String,
    /// The user's password again.
    pub password: String,
}

async fn create_token(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let days = form.days.trim().parse::<i64>().unwrap_or(90);
    match issue_token(&state, &user, &form.password, &form.label, days).await {
        Ok((_, secret)) => {
            account_page(
                &state,
                &user,
                chrome,
                Some(secret.expose().to_owned()),
                None,
                None,
            )
            .await
        }
        Err(AppError::Invalid(problem)) => {
            account_page(&state, &user, chrome, None, None, Some(problem)).await
        }
        Err(AppError::Forbidden(problem)) if problem == WRONG_PASSWORD => {
            let problem = chrome.t.auth.wrong_current_password.to_owned();
            account_page(&state, &user, chrome, None, None, Some(problem)).await
        }
        Err(other) => Err(other),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("token '{id}'")))?;
    state
        .store
        .revoke_token(user.user.id, id, &user.actor())
        .await?;
    Ok(Redirect::to("/account#tokens").into_response())
}
