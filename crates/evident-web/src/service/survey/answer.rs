//! The respondent's side of a survey: opening a link and storing one anonymous answer. A
//! publication by link takes one answer per browser (a random nonce cookie, whose digest
//! combined with the publication id is stored apart from the answer) and a few per client
//! address an hour; a publication by codes takes one answer per one-time respondent code, and
//! refuses an address that keeps sending wrong codes. The limits are kept in memory only; the
//! first refusal of a burst is audited (`survey.burst`), without the address.

use super::limit::{RateLimiter, Verdict};
use crate::auth::cookies;
use crate::auth::identity::client_address;
use crate::{AppError, AppState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::access::credentials::{Secret, sha256_hex};
use evident_core::participation::respondent_code::RespondentCode;
use evident_core::participation::survey::{
    IntegrityMode, SurveyAnswers, SurveyDefinition, SurveyPublication,
};
use evident_store::{Admission, Refused};

/// The browser's survey nonce cookie: random, `HttpOnly`, `SameSite=Lax`, only sent to `/q/`
/// and the public survey API.
pub const NONCE_COOKIE: &str = "evident_survey";

/// The cookie for a new nonce: a year, `HttpOnly`, `SameSite=Lax` (a survey link followed
/// from an e-mail is a cross-site navigation), `Secure` over TLS.
pub fn nonce_cookie(value: &str, secure: bool) -> Cookie<'static> {
    cookies::build(
        NONCE_COOKIE,
        value.to_owned(),
        cookies::Attributes {
            max_age: Some(cookies::YEAR),
            http_only: true,
            same_site: SameSite::Lax,
            secure,
        },
    )
}

/// A fresh nonce for a browser that has none.
pub fn new_nonce() -> String {
    Secret::generate("").expose().to_owned()
}

/// Why a survey link cannot be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswerable {
    /// No publication has this token.
    Unknown,
    /// The publication is closed.
    Closed,
    /// This browser has answered already.
    AnsweredAlready,
    /// Too many answers (or wrong codes) from this address just now.
    TooMany,
    /// The publication takes answers with a respondent code, and none was given.
    CodeNeeded,
    /// The code given is not an unused code of this publication.
    CodeNotValid,
}

impl Unanswerable {
    /// The API's error for it.
    pub fn into_error(self) -> AppError {
        match self {
            Self::Unknown => AppError::NotFound("survey link".to_owned()),
            Self::Closed => {
                AppError::Invalid("this survey is closed and takes no more answers".to_owned())
            }
            Self::AnsweredAlready => AppError::Conflict(
                "this browser has answered this survey already; thank you".to_owned(),
            ),
            Self::TooMany => AppError::TooManyRequests(
                "many answers or wrong codes have come from this address just now; try again later"
                    .to_owned(),
            ),
            Self::CodeNeeded => AppError::Invalid(
                "code: this survey takes answers with a respondent code; give the code from \
                 your letter or text message"
                    .to_owned(),
            ),
            Self::CodeNotValid => AppError::Invalid(
                "code: not a respondent code of this survey, or it has been used".to_owned(),
            ),
        }
    }

    /// Whether the respondent can mend it on the form (a code to type again).
    pub fn is_about_the_code(self) -> bool {
        matches!(self, Self::CodeNeeded | Self::CodeNotValid)
    }
}

/// Looks up the publication of `token` (by digest): its definition when it takes answers.
///
/// # Errors
/// A storage error, or a definition that is no longer embedded.
pub async fn open(
    state: &AppState,
    token: &str,
) -> Result<Result<(SurveyPublication, SurveyDefinition), Unanswerable>, AppError> {
    let digest = Secret::presented(token).digest();
    let Some(publication) = state.store.find_survey_publication(&digest).await? else {
        return Ok(Err(Unanswerable::Unknown));
    };
    if !publication.is_open() {
        return Ok(Err(Unanswerable::Closed));
    }
    let definition = super::definition(&publication.survey_id)?;
    Ok(Ok((publication, definition)))
}

/// The digest stored for a browser's nonce: combined with the publication id, so that the
/// same browser's rows in different publications cannot be matched.
fn nonce_digest(publication_id: i64, nonce: &str) -> String {
    sha256_hex(format!("{publication_id}:{nonce}").as_bytes())
}

/// As [`open`], and also [`Unanswerable::AnsweredAlready`] when the browser holding `nonce`
/// has answered this publication by link, so the form is not offered twice. (A publication by
/// codes may be answered many times from one browser: a kiosk at the unit, a shared phone.)
///
/// # Errors
/// As [`open`].
pub async fn open_for(
    state: &AppState,
    token: &str,
    nonce: &str,
) -> Result<Result<(SurveyPublication, SurveyDefinition), Unanswerable>, AppError> {
    let opened = open(state, token).await?;
    if let Ok((publication, _)) = &opened
        && publication.integrity == IntegrityMode::Link
        && state
            .store
            .survey_nonce_used(publication.id, &nonce_digest(publication.id, nonce))
            .await?
    {
        return Ok(Err(Unanswerable::AnsweredAlready));
    }
    Ok(opened)
}

/// The key the code limiter counts wrong codes under when no publication is known yet (a code
/// typed at `/q` alone).
const ANY_PUBLICATION: i64 = 0;

/// Finds the open publication a respondent code belongs to (a code typed at `/q` alone, with
/// no link). A wrong code counts against the address like one typed on a survey's form.
///
/// # Errors
/// A storage error, or a definition that is no longer embedded.
pub async fn open_by_code(
    state: &AppState,
    typed: &str,
    address: Option<&str>,
) -> Result<Result<(SurveyPublication, SurveyDefinition), Unanswerable>, AppError> {
    let address = address.unwrap_or("unknown");
    let limiter = &state.survey_code_limiter;
    if let Verdict::Refused { burst } = limiter.check(address, ANY_PUBLICATION) {
        if burst {
            report_burst(state, "survey_code", limiter, "wrong respondent codes").await?;
        }
        return Ok(Err(Unanswerable::TooMany));
    }
    if typed.trim().is_empty() {
        return Ok(Err(Unanswerable::CodeNeeded));
    }
    let found = match RespondentCode::parse(typed) {
        Some(code) => {
            state
                .store
                .find_survey_publication_by_code(&code.digest())
                .await?
        }
        None => None,
    };
    let Some(publication) = found else {
        limiter.count(address, ANY_PUBLICATION);
        return Ok(Err(Unanswerable::CodeNotValid));
    };
    if !publication.is_open() {
        return Ok(Err(Unanswerable::Closed));
    }
    let definition = super::definition(&publication.survey_id)?;
    Ok(Ok((publication, definition)))
}

/// Who answers: the browser's nonce, the respondent code typed (if any) and the client's
/// address (for the in-memory limits only).
#[derive(Debug, Clone, Copy)]
pub struct Respondent<'a> {
    /// The browser's nonce.
    pub nonce: &'a str,
    /// The respondent code as typed.
    pub code: Option<&'a str>,
    /// The client's address.
    pub address: Option<&'a str>,
}

/// Stores one anonymous answer to the publication of `token` or, without a token, of the
/// respondent's code, admitted by the publication's integrity mode.
///
/// # Errors
/// [`AppError::Invalid`] naming the missing or bad answers.
pub async fn answer(
    state: &AppState,
    token: Option<&str>,
    respondent: Respondent<'_>,
    answers: &SurveyAnswers,
) -> Result<Result<(), Unanswerable>, AppError> {
    let opened = match (token, respondent.code) {
        (Some(token), _) => open(state, token).await?,
        (None, Some(code)) => open_by_code(state, code, respondent.address).await?,
        (None, None) => Err(Unanswerable::CodeNeeded),
    };
    let (publication, definition) = match opened {
        Ok(found) => found,
        Err(why) => return Ok(Err(why)),
    };
    let checked = definition.check_answers(answers)?;
    let address = respondent.address.unwrap_or("unknown");
    let admission = match publication.integrity {
        IntegrityMode::Link => {
            if let Verdict::Refused { burst } = state.survey_limiter.allow(address, publication.id)
            {
                if burst {
                    let target = format!("survey_publication:{}", publication.id);
                    report_burst(state, &target, &state.survey_limiter, "answers").await?;
                }
                return Ok(Err(Unanswerable::TooMany));
            }
            Admission::Nonce(nonce_digest(publication.id, respondent.nonce))
        }
        IntegrityMode::Codes => {
            let limiter = &state.survey_code_limiter;
            if let Verdict::Refused { burst } = limiter.check(address, publication.id) {
                if burst {
                    let target = format!("survey_publication:{}", publication.id);
                    report_burst(state, &target, limiter, "wrong respondent codes").await?;
                }
                return Ok(Err(Unanswerable::TooMany));
            }
            let Some(typed) = respondent.code.filter(|c| !c.trim().is_empty()) else {
                return Ok(Err(Unanswerable::CodeNeeded));
            };
            let Some(code) = RespondentCode::parse(typed) else {
                limiter.count(address, publication.id);
                return Ok(Err(Unanswerable::CodeNotValid));
            };
            Admission::Code(code.digest())
        }
    };
    let stored = state
        .store
        .record_survey_answer(publication.id, &admission, state.clock.today(), &checked)
        .await?;
    Ok(match stored {
        Ok(()) => Ok(()),
        Err(Refused::NonceUsed) => Err(Unanswerable::AnsweredAlready),
        Err(Refused::Closed) => Err(Unanswerable::Closed),
        Err(Refused::CodeNeeded) => Err(Unanswerable::CodeNeeded),
        Err(Refused::CodeNotValid) => {
            state.survey_code_limiter.count(address, publication.id);
            Err(Unanswerable::CodeNotValid)
        }
    })
}

/// Audits the first refusal of a burst at `target`, for staff and auditors, without the
/// address: the limit's memory of addresses is never written anywhere.
async fn report_burst(
    state: &AppState,
    target: &str,
    limiter: &RateLimiter,
    what: &str,
) -> Result<(), AppError> {
    let actor = Actor {
        user_id: None,
        label: "anonymous".to_owned(),
        address: None,
    };
    let event =
        AuditEvent::new(&actor, "survey.burst", target, Outcome::Denied).with_detail(format!(
            "more than {} {what} from one address within {} minutes; further answers from it are \
         refused",
            limiter.limit(),
            limiter.window_minutes()
        ));
    state.store.append_audit(&event).await?;
    Ok(())
}

/// The browser's nonce, from its cookie, or a new one to set.
pub struct Nonce {
    /// The value.
    pub value: String,
    /// Whether it is new (and must be set in the response).
    pub fresh: bool,
    /// The client's address, for the in-memory limit.
    pub address: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Nonce {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let address = client_address(parts);
        Ok(match cookies::read(&parts.headers, NONCE_COOKIE) {
            Some(value) if value.len() <= 128 => Self {
                value,
                fresh: false,
                address,
            },
            _ => Self {
                value: new_nonce(),
                fresh: true,
                address,
            },
        })
    }
}

impl Nonce {
    /// Sets the cookie of a fresh nonce on the response it is returned with (nothing for a
    /// nonce the browser already has).
    pub fn set_cookie(&self, secure: bool) -> CookieJar {
        cookies::jar(self.fresh.then(|| nonce_cookie(&self.value, secure)))
    }
}
