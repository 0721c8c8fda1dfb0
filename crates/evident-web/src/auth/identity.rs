//! Who a request comes from: a session cookie or a bearer token resolves to a [`SignedIn`]
//! user; without either the request is anonymous. [`SignedIn::authorize`] is the gate every
//! handler passes before it touches data.

use crate::AppState;
use crate::auth::cookies;
use crate::error::{ApiError, AppError};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::OrgCode;
use evident_core::access::account::User;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::access::credentials::Secret;
use evident_core::access::granting::decide_grant;
use evident_core::access::{Action, DataClass, Decision, Role, decide};
use evident_store::audit::timestamp_text;
use std::net::SocketAddr;

/// How a signed-in request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session; holds the digest of its cookie, to end it, and the CSRF token bound
    /// to it.
    Session {
        /// The stored digest of the session cookie.
        digest: String,
        /// The session's CSRF token: the only one its state-changing requests may echo.
        csrf: String,
    },
    /// A personal access token in `Authorization: Bearer`.
    Token,
}

/// A request from a signed-in user.
#[derive(Clone)]
pub struct SignedIn {
    /// The user, with their grants.
    pub user: User,
    /// How they proved it.
    pub credential: Credential,
    /// The client's address, for the audit trail and throttling.
    pub address: Option<String>,
    store: std::sync::Arc<dyn evident_store::Store>,
}

/// A request that may or may not be signed in (pages that look different for visitors).
#[derive(Debug, Clone)]
pub struct Viewer(pub Option<SignedIn>);

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("user", &self.user.id)
            .field("credential", &self.credential)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl SignedIn {
    /// The digest of the browser session this request came in, if it came in one (not with
    /// a token): the session to keep when the user's other sessions end.
    pub fn session_digest(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { digest, .. } => Some(digest),
            Credential::Token => None,
        }
    }

    /// This user as the actor of audited changes.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            label: self.user.email.to_string(),
            address: self.address.clone(),
        }
    }

    /// Asks the access policy whether this user may perform `action` on data of `class` at
    /// `target`. A denial is written to the audit trail (naming `record`) and becomes a 403
    /// that says which roles would allow it.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] when the policy denies it; a storage error when the denial
    /// cannot be audited.
    pub async fn authorize(
        &self,
        action: Action,
        target: &OrgCode,
        class: DataClass,
        record: &str,
    ) -> Result<(), AppError> {
        let what = format!("{} {} data at {target}", action.as_str(), class.as_str());
        self.enforce(
            decide(&self.user.grants, action, target, class),
            action.as_str(),
            &what,
            target,
            record,
        )
        .await
    }

    /// Asks the access policy whether this user may grant or revoke `role` on `org`; a denial
    /// is audited and becomes a 403, as in [`SignedIn::authorize`].
    ///
    /// # Errors
    /// [`AppError::Forbidden`] when the policy denies it.
    pub async fn authorize_grant(
        &self,
        role: Role,
        org: &OrgCode,
        record: &str,
    ) -> Result<(), AppError> {
        let what = format!("grant the role {role} on {org}");
        self.enforce(
            decide_grant(&self.user.grants, role, org),
            "manage_users",
            &what,
            org,
            record,
        )
        .await
    }

    /// Audits a denial that a rule about the request itself decided (nobody approves their
    /// own request, a target user outside the caller's reach), naming `record`, and answers
    /// the 403 to return. `what` completes "you may not …".
    pub async fn refuse(&self, action: &str, record: &str, what: &str) -> AppError {
        let event =
            AuditEvent::new(&self.actor(), action, record, Outcome::Denied).with_detail(what);
        if let Err(err) = self.store.append_audit(&event).await {
            return err.into();
        }
        tracing::info!(user = self.user.id, action, record, "access denied");
        AppError::Forbidden(format!("you may not {what}"))
    }

    async fn enforce(
        &self,
        decision: Decision,
        action: &str,
        what: &str,
        target: &OrgCode,
        record: &str,
    ) -> Result<(), AppError> {
        let Decision::Deny { roles } = decision else {
            return Ok(());
        };
        let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
        let needed = if names.is_empty() {
            "no role allows this".to_owned()
        } else {
            format!(
                "this needs the role {} on {target} or above",
                names.join(" or ")
            )
        };
        let detail = format!("{what}: {needed}");
        let event =
            AuditEvent::new(&self.actor(), action, record, Outcome::Denied).with_detail(&detail);
        self.store.append_audit(&event).await?;
        tracing::info!(user = self.user.id, action, %target, "access denied");
        Err(AppError::Forbidden(format!("you may not {detail}")))
    }
}

/// The client's address: as [`crate::auth::address::resolve_client_address`] resolved it
/// (forwarding headers count only from trusted proxies), or else the connection's peer.
pub fn client_address(parts: &Parts) -> Option<String> {
    if let Some(resolved) = parts
        .extensions
        .get::<crate::auth::address::ClientAddress>()
    {
        return Some(resolved.0.to_string());
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_canonical().to_string())
}

/// Why a request could not be identified.
#[derive(Debug)]
pub enum Unidentified {
    /// Neither a session nor a token: sign in first.
    Missing {
        /// Whether the request is for the API (JSON) or a page (redirect to sign-in).
        api: bool,
        /// The page to come back to after signing in.
        next: String,
    },
    /// A bearer token that is unknown, expired or revoked.
    BadToken,
    /// The store failed.
    Failed(AppError),
}

impl IntoResponse for Unidentified {
    fn into_response(self) -> Response {
        match self {
            Self::Missing { api: true, .. } => ApiError(AppError::Unauthorized(
                "sign in, or send a personal access token as Authorization: Bearer".into(),
            ))
            .into_response(),
            Self::Missing { api: false, next } => {
                let next = crate::href::percent_encode(&next);
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
            Self::BadToken => ApiError(AppError::Unauthorized(
                "the access token is unknown, expired or revoked".into(),
            ))
            .into_response(),
            Self::Failed(error) => ApiError(error).into_response(),
        }
    }
}

async fn identify(parts: &Parts, state: &AppState) -> Result<Option<SignedIn>, Unidentified> {
    let address = client_address(parts);
    let make = |user: User, credential: Credential| SignedIn {
        user,
        credential,
        address: address.clone(),
        store: state.store.clone(),
    };
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Unidentified::BadToken)?;
        let digest = Secret::presented(token).digest();
        let user = state
            .store
            .find_token_user(&digest)
            .await
            .map_err(|e| Unidentified::Failed(e.into()))?;
        return user
            .map(|u| Some(make(u, Credential::Token)))
            .ok_or(Unidentified::BadToken);
    }
    let name = cookies::session_cookie(state.config.secure_cookies);
    let Some(cookie) = cookies::read(&parts.headers, name) else {
        return Ok(None);
    };
    let digest = Secret::presented(&cookie).digest();
    let now = state.clock.now();
    let idle_since = now - chrono::Duration::minutes(state.config.session_idle_minutes);
    let failed = |e: evident_store::StorageError| Unidentified::Failed(e.into());
    let Some(session) = state
        .store
        .find_session(&digest, &timestamp_text(now), &timestamp_text(idle_since))
        .await
        .map_err(failed)?
    else {
        return Ok(None);
    };
    // Noting every request would be a write per request; a minute's precision is plenty for
    // an idle timeout counted in tens of minutes.
    if session.last_seen_at <= timestamp_text(now - SEEN_PRECISION) {
        state
            .store
            .touch_session(&digest, &timestamp_text(now))
            .await
            .map_err(failed)?;
    }
    let credential = Credential::Session {
        digest,
        csrf: session.csrf_token,
    };
    Ok(Some(make(session.user, credential)))
}

/// How stale a session's last-seen instant may get before a request updates it.
const SEEN_PRECISION: chrono::Duration = chrono::Duration::minutes(1);

/// What [`identify_request`] found, kept in the request's extensions for the extractors.
#[derive(Clone)]
enum Identified {
    Anonymous,
    User(Box<SignedIn>),
    BadToken,
}

/// Middleware: identifies the request once (one store lookup), for [`SignedIn`], [`Viewer`]
/// and the page frame to read.
pub async fn identify_request(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // Static assets are the same for everyone: no session lookup for each stylesheet fetch.
    if request.uri().path().starts_with("/static/") {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let identified = match identify(&parts, &state).await {
        Ok(Some(user)) => Identified::User(Box::new(user)),
        Ok(None) => Identified::Anonymous,
        Err(Unidentified::BadToken) => Identified::BadToken,
        Err(other) => return other.into_response(),
    };
    parts.extensions.insert(identified);
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// The signed-in user of a request that passed [`identify_request`], if any.
pub fn signed_in(parts: &Parts) -> Option<&SignedIn> {
    match parts.extensions.get::<Identified>() {
        Some(Identified::User(user)) => Some(user),
        _ => None,
    }
}

async fn lookup(parts: &Parts, state: &AppState) -> Result<Option<SignedIn>, Unidentified> {
    match parts.extensions.get::<Identified>() {
        Some(Identified::User(user)) => Ok(Some((**user).clone())),
        Some(Identified::Anonymous) => Ok(None),
        Some(Identified::BadToken) => Err(Unidentified::BadToken),
        None => identify(parts, state).await,
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Unidentified;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        lookup(parts, state)
            .await?
            .ok_or_else(|| Unidentified::Missing {
                api: parts.uri.path().starts_with("/api/"),
                next: parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned(),
            })
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Unidentified;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(lookup(parts, state).await?))
    }
}
