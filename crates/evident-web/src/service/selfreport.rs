//! Self-report links, shared by the staff pages, the client's pages and the API: staff create
//! a link for one client, instrument and time point (the token is shown once and stored only as
//! a digest), see which are pending, answered or expired, and revoke one; the client opens the
//! link without an account and answers, and the answer becomes a measurement with respondent
//! = client. A token is used once: the claim is one conditional update in the store.

use crate::auth::SignedIn;
use crate::service::followup::{authorize_case, instrument_version};
use crate::{AppError, AppState};
use evident_core::access::Action;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::access::credentials::Secret;
use evident_core::followup::instrument::{Answers, Instrument};
use evident_core::followup::{Measurement, Respondent};
use evident_core::participation::selfreport::{NewSelfReportLink, SelfReportLink, TOKEN_PREFIX};
use evident_store::Unusable;
use evident_store::followup::NewMeasurement;

/// A link just created, with the token its client needs (shown once, never stored).
#[derive(Debug)]
pub struct CreatedLink {
    /// The link.
    pub link: SelfReportLink,
    /// The token for the URL `/s/{token}`.
    pub token: Secret,
}

/// What staff enter to create a link.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LinkRequest {
    /// The instrument's id (its newest version is used).
    pub instrument: String,
    /// `baseline`, `follow_up` or `end`.
    pub time_point: String,
    /// The follow-up month, for follow-ups.
    pub month: Option<String>,
    /// Days until it expires (default 14, at most 90).
    pub expiry_days: Option<String>,
}

/// Creates a link for case `case_id`; needs write access to the case's client data.
///
/// # Errors
/// [`AppError::Forbidden`] (audited); [`AppError::Invalid`] naming the field.
pub async fn create_link(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    request: &LinkRequest,
) -> Result<CreatedLink, AppError> {
    authorize_case(state, user, case_id, Action::Write).await?;
    let instrument = instrument_version(state, &request.instrument, None)
        .await
        .map_err(|_| {
            AppError::Invalid(format!(
                "instrument: '{}' is not in the library",
                request.instrument
            ))
        })?;
    let new = NewSelfReportLink::parse(
        case_id,
        (instrument.id.clone(), instrument.version.clone()),
        &request.time_point,
        request.month.as_deref(),
        request.expiry_days.as_deref(),
    )?;
    let token = Secret::generate(TOKEN_PREFIX);
    let link = state
        .store
        .create_self_report_link(
            &new,
            &token.digest(),
            state.clock.now().timestamp(),
            &user.actor(),
        )
        .await?;
    Ok(CreatedLink { link, token })
}

/// A case's links, newest first; needs read access to the case.
///
/// # Errors
/// [`AppError::Forbidden`] (audited).
pub async fn list_links(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
) -> Result<Vec<SelfReportLink>, AppError> {
    let case = authorize_case(state, user, case_id, Action::Read).await?;
    let links = state.store.list_self_report_links(case_id).await?;
    let client = state.store.get_client(case.client_id).await?;
    let mut listed = AuditEvent::new(
        &user.actor(),
        "selfreport.list",
        format!("case:{case_id}"),
        Outcome::Allowed,
    )
    .with_detail(format!("{} links", links.len()));
    listed.client = Some(client.pseudonym.to_string());
    state.store.append_audit(&listed).await?;
    Ok(links)
}

/// Revokes a pending link of case `case_id`.
///
/// # Errors
/// [`AppError::NotFound`] for a link of another case; [`AppError::Invalid`] when it is not pending.
pub async fn revoke_link(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    link_id: i64,
) -> Result<SelfReportLink, AppError> {
    authorize_case(state, user, case_id, Action::Write).await?;
    let link = state.store.get_self_report_link(link_id).await?;
    if link.case_id != case_id {
        return Err(AppError::NotFound(format!("self-report link {link_id}")));
    }
    Ok(state
        .store
        .revoke_self_report_link(link_id, state.clock.now().timestamp(), &user.actor())
        .await?)
}

/// A token as the client's browser presents it: what it opens.
#[derive(Debug)]
pub enum Opened {
    /// Ready to answer.
    Ready {
        /// The link.
        link: SelfReportLink,
        /// Its instrument.
        instrument: Box<Instrument>,
    },
    /// It cannot be used, and why.
    Unusable(Unusable),
}

/// Looks up the link of `token` (by digest) and whether it can be answered now.
///
/// # Errors
/// A storage error, or an instrument that vanished.
pub async fn open(state: &AppState, token: &str) -> Result<Opened, AppError> {
    let digest = Secret::presented(token).digest();
    let Some(link) = state.store.find_self_report_link(&digest).await? else {
        return Ok(Opened::Unusable(Unusable::Unknown));
    };
    let status = link.status(state.clock.now().timestamp());
    if status != evident_core::participation::selfreport::LinkStatus::Pending {
        return Ok(Opened::Unusable(Unusable::Not(status)));
    }
    let instrument =
        instrument_version(state, &link.instrument_id, Some(&link.instrument_version)).await?;
    Ok(Opened::Ready {
        link,
        instrument: Box::new(instrument),
    })
}

/// Stores the client's answers for `token`: every item must be answered with one of its
/// options. Returns the measurement, or why the token cannot be used (a second submission of
/// the same token is refused here, and nothing is stored twice).
///
/// # Errors
/// [`AppError::Invalid`] naming the unanswered items or the bad answer.
pub async fn answer(
    state: &AppState,
    token: &str,
    answers: &Answers,
) -> Result<Result<Measurement, Unusable>, AppError> {
    let instrument = match open(state, token).await? {
        Opened::Ready { instrument, .. } => instrument,
        Opened::Unusable(why) => return Ok(Err(why)),
    };
    let missing: Vec<&str> = instrument
        .items
        .iter()
        .filter(|item| !answers.contains_key(&item.link_id))
        .map(|item| item.link_id.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Invalid(format!(
            "answers: question {} {} not answered",
            missing.join(", "),
            if missing.len() == 1 { "is" } else { "are" }
        )));
    }
    let score = instrument.score(answers)?;
    let digest = Secret::presented(token).digest();
    let link = match state
        .store
        .claim_self_report_link(&digest, state.clock.now().timestamp())
        .await?
    {
        Ok(link) => link,
        Err(why) => return Ok(Err(why)),
    };
    let actor = Actor {
        user_id: None,
        label: format!("client via self-report link {}", link.id),
        address: None,
    };
    let new = NewMeasurement {
        instrument: (instrument.id.clone(), instrument.version.clone()),
        time_point: link.time_point,
        month: link.month,
        measured_on: state.clock.today(),
        respondent: Respondent::Client,
        answers: answers.clone(),
        score: score.total,
    };
    match state
        .store
        .record_measurement(link.case_id, &new, &actor)
        .await
    {
        Ok(measurement) => {
            state
                .store
                .complete_self_report_link(link.id, measurement.id)
                .await?;
            Ok(Ok(measurement))
        }
        Err(err) => {
            state.store.release_self_report_link(link.id).await?;
            Err(err.into())
        }
    }
}
