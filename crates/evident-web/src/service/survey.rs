//! Client surveys, shared by the staff pages, the respondent's pages and the API: unit staff
//! publish a survey for their unit and a period (the link's token is shown once and stored only
//! as a digest) and close it; anyone holding the link answers once per browser, anonymously;
//! results per unit, municipality, county and nation leave this module only after disclosure
//! control ([`evident_core::participation::survey::results`]), for every output (page, JSON, CSV).
//!
//! Ballot stuffing is held back twice, without identifying anyone: a random nonce cookie per
//! browser, whose digest (combined with the publication id) is stored apart from the answer;
//! and an in-memory limit of answers per client address and publication (3 an hour) that is
//! never written anywhere; the first refusal of a burst is audited (`survey.burst`), without
//! the address.

use crate::auth::SignedIn;
use crate::auth::cookies;
use crate::auth::identity::client_address;
use crate::{AppError, AppState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use evident_core::OrgCode;
use evident_core::access::credentials::{Secret, sha256_hex};
use evident_core::access::{Action, DataClass, decide};
use evident_core::org::OrgLevel;
use evident_core::participation::survey::{
    self as core_survey, DEFAULT_K, NodeResult, SurveyAnswers, SurveyDefinition, SurveyPeriod,
    SurveyPublication, TOKEN_PREFIX, embedded_survey,
};
use evident_store::{NewSurveyPublication, Refused};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Counts answers per client address and publication in memory, so that one address cannot
/// pour in answers; nothing of it is stored or logged.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    seen: Mutex<HashMap<(String, i64), Seen>>,
}

/// What the limiter remembers of one address and publication.
#[derive(Debug, Default)]
struct Seen {
    /// When its answers within the window came.
    times: Vec<Instant>,
    /// When it was last refused, so a burst is reported once per window.
    refused: Option<Instant>,
}

/// Whether an answer may be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Yes; it has been counted.
    Allowed,
    /// No: the address has sent its answers for the window. `burst` is true for the first
    /// refusal of a burst (none in the window before), which is worth an audit entry.
    Refused {
        /// The first refusal of this address and publication within the window.
        burst: bool,
    },
}

impl RateLimiter {
    /// At most `limit` answers per `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `address` may send one more answer to `publication` now; counts it if so.
    pub fn allow(&self, address: &str, publication: i64) -> Verdict {
        let now = Instant::now();
        let recent = |t: &Instant| now.duration_since(*t) < self.window;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 10_000 {
            // Forget addresses that have gone quiet, so the map cannot grow without bound.
            seen.retain(|_, s| s.times.last().is_some_and(recent));
        }
        let entry = seen.entry((address.to_owned(), publication)).or_default();
        entry.times.retain(recent);
        if entry.times.len() >= self.limit {
            let burst = !entry.refused.as_ref().is_some_and(recent);
            entry.refused = Some(now);
            Verdict::Refused { burst }
        } else {
            entry.times.push(now);
            Verdict::Allowed
        }
    }
}

/// Answers one address may send to one publication per [`SURVEY_WINDOW`] without a respondent
/// code (people sharing a computer or a home network, at most).
pub const SURVEY_ANSWERS_PER_ADDRESS: usize = 3;

/// The window of [`SURVEY_ANSWERS_PER_ADDRESS`].
pub const SURVEY_WINDOW: Duration = Duration::from_secs(3600);

impl Default for RateLimiter {
    /// [`SURVEY_ANSWERS_PER_ADDRESS`] answers per [`SURVEY_WINDOW`] (an hour).
    fn default() -> Self {
        Self::new(SURVEY_ANSWERS_PER_ADDRESS, SURVEY_WINDOW)
    }
}

/// What staff enter to publish a survey.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PublishRequest {
    /// The survey's id, e.g. `brukarundersokning-2026`.
    pub survey: String,
    /// A year (`2026`) or a quarter (`2026Q4`).
    pub period: String,
}

/// A publication just made, with the token for its link (shown once, never stored).
#[derive(Debug)]
pub struct CreatedPublication {
    /// The publication.
    pub publication: SurveyPublication,
    /// The token for `/q/{token}`.
    pub token: Secret,
}

/// The definition `id`.
///
/// # Errors
/// [`AppError::NotFound`].
pub fn definition(id: &str) -> Result<SurveyDefinition, AppError> {
    embedded_survey(id).ok_or_else(|| AppError::NotFound(format!("survey '{id}'")))
}

/// Parses a unit's code from a path.
///
/// # Errors
/// [`AppError::NotFound`] when it is not a unit's code.
pub fn unit_code(raw: &str) -> Result<OrgCode, AppError> {
    OrgCode::parse(raw)
        .ok()
        .filter(|c| c.level() == OrgLevel::Unit)
        .ok_or_else(|| AppError::NotFound(format!("unit '{raw}'")))
}

/// Publishes a survey for `unit`; needs write access to client data there.
///
/// # Errors
/// [`AppError::Forbidden`] (audited); [`AppError::Invalid`] naming `survey` or `period`.
pub async fn publish(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
    request: &PublishRequest,
) -> Result<CreatedPublication, AppError> {
    user.authorize(
        Action::Write,
        unit,
        DataClass::Identified,
        &format!("unit:{unit}"),
    )
    .await?;
    let definition = embedded_survey(request.survey.trim()).ok_or_else(|| {
        AppError::Invalid(format!(
            "survey: '{}' is not a survey Evident knows",
            request.survey
        ))
    })?;
    let period = SurveyPeriod::parse(&request.period)?;
    let token = Secret::generate(TOKEN_PREFIX);
    let new = NewSurveyPublication {
        survey: (definition.id, definition.version),
        unit: unit.clone(),
        period,
    };
    let publication = state
        .store
        .create_survey_publication(
            &new,
            &token.digest(),
            state.clock.now().timestamp(),
            &user.actor(),
        )
        .await?;
    Ok(CreatedPublication { publication, token })
}

/// A unit's publications with their number of answers, newest first; for unit staff.
///
/// # Errors
/// [`AppError::Forbidden`] (audited).
pub async fn list_publications(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
) -> Result<Vec<(SurveyPublication, u64)>, AppError> {
    user.authorize(
        Action::Read,
        unit,
        DataClass::Identified,
        &format!("unit:{unit}"),
    )
    .await?;
    let mut out = Vec::new();
    for publication in state.store.list_survey_publications(unit).await? {
        let answers = state.store.count_survey_answers(publication.id).await?;
        out.push((publication, answers));
    }
    Ok(out)
}

/// Closes a publication; needs write access at its unit.
///
/// # Errors
/// [`AppError::NotFound`]; [`AppError::Forbidden`] (audited); [`AppError::Invalid`] when closed.
pub async fn close(
    state: &AppState,
    user: &SignedIn,
    id: i64,
) -> Result<SurveyPublication, AppError> {
    let publication = state.store.get_survey_publication(id).await?;
    user.authorize(
        Action::Write,
        &publication.unit,
        DataClass::Identified,
        &format!("survey_publication:{id}"),
    )
    .await?;
    Ok(state
        .store
        .close_survey_publication(id, state.clock.now().timestamp(), &user.actor())
        .await?)
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
    /// Too many answers from this address just now.
    TooMany,
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
                "many answers have come from this address just now; try again later".to_owned(),
            ),
        }
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
    let definition = definition(&publication.survey_id)?;
    Ok(Ok((publication, definition)))
}

/// The digest stored for a browser's nonce: combined with the publication id, so that the
/// same browser's rows in different publications cannot be matched.
fn nonce_digest(publication_id: i64, nonce: &str) -> String {
    sha256_hex(format!("{publication_id}:{nonce}").as_bytes())
}

/// As [`open`], and also [`Unanswerable::AnsweredAlready`] when the browser holding `nonce`
/// has answered this publication, so the form is not offered twice.
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
        && state
            .store
            .survey_nonce_used(publication.id, &nonce_digest(publication.id, nonce))
            .await?
    {
        return Ok(Err(Unanswerable::AnsweredAlready));
    }
    Ok(opened)
}

/// Stores one anonymous answer to `token` from the browser holding `nonce`, coming from
/// `address` (used for the in-memory limit only).
///
/// # Errors
/// [`AppError::Invalid`] naming the missing or bad answers.
pub async fn answer(
    state: &AppState,
    token: &str,
    nonce: &str,
    address: Option<&str>,
    answers: &SurveyAnswers,
) -> Result<Result<(), Unanswerable>, AppError> {
    let (publication, definition) = match open(state, token).await? {
        Ok(found) => found,
        Err(why) => return Ok(Err(why)),
    };
    let checked = definition.check_answers(answers)?;
    let nonce_digest = nonce_digest(publication.id, nonce);
    if let Verdict::Refused { burst } = state
        .survey_limiter
        .allow(address.unwrap_or("unknown"), publication.id)
    {
        if burst {
            // Flagged for staff and auditors, without the address: the limit's memory of
            // addresses is never written anywhere.
            let actor = evident_core::access::audit::Actor {
                user_id: None,
                label: "anonymous".to_owned(),
                address: None,
            };
            let event = evident_core::access::audit::AuditEvent::new(
                &actor,
                "survey.burst",
                format!("survey_publication:{}", publication.id),
                evident_core::access::audit::Outcome::Denied,
            )
            .with_detail(format!(
                "more than {} answers from one address within {} minutes; further answers \
                 from it are refused",
                state.survey_limiter.limit,
                state.survey_limiter.window.as_secs() / 60
            ));
            state.store.append_audit(&event).await?;
        }
        return Ok(Err(Unanswerable::TooMany));
    }
    match state
        .store
        .record_survey_answer(publication.id, &nonce_digest, state.clock.today(), &checked)
        .await?
    {
        Ok(()) => Ok(Ok(())),
        Err(Refused::NonceUsed) => Ok(Err(Unanswerable::AnsweredAlready)),
        Err(Refused::Closed) => Ok(Err(Unanswerable::Closed)),
    }
}

/// What the results pages and downloads show: the survey, the period, and the rows after
/// disclosure control — the node's lineage (nation first) and its children that the reader may
/// see; free-text answers only for the unit's own staff and only from five answers up.
#[derive(Debug)]
pub struct SurveyResults {
    /// The survey.
    pub definition: SurveyDefinition,
    /// The period.
    pub period: SurveyPeriod,
    /// The node asked for.
    pub node: OrgCode,
    /// Its lineage, then its children, each after suppression.
    pub rows: Vec<NodeResult>,
    /// The unit's free-text answers, sorted (not in the order given), when shown.
    pub free_text: Option<Vec<String>>,
}

/// The results of `survey_id` for `period` at `node`. A unit's results are aggregate data of
/// that unit; nodes above units are published figures anyone signed in may read. Units among
/// the children are listed only where the reader may read them.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown survey or node; [`AppError::Invalid`] for a bad
/// period; [`AppError::Forbidden`] (audited) for a unit the reader may not see.
pub async fn results(
    state: &AppState,
    user: &SignedIn,
    survey_id: &str,
    period: &str,
    node: &str,
) -> Result<SurveyResults, AppError> {
    let definition = definition(survey_id)?;
    let period = SurveyPeriod::parse(period)?;
    let node = OrgCode::parse(node).map_err(|_| AppError::NotFound(format!("node '{node}'")))?;
    let class = if node.level() == OrgLevel::Unit {
        DataClass::Aggregate
    } else {
        DataClass::Public
    };
    user.authorize(
        Action::Read,
        &node,
        class,
        &format!("survey:{}:{node}", definition.id),
    )
    .await?;
    state.store.get_org(&node).await?;
    let answers = state.store.survey_answers(&definition.id, &period).await?;
    let all = core_survey::results(&definition, &answers, DEFAULT_K);
    let lineage = node.lineage();
    let may_read = |code: &OrgCode| {
        code.level() != OrgLevel::Unit
            || decide(&user.user.grants, Action::Read, code, DataClass::Aggregate).is_allowed()
    };
    let rows: Vec<NodeResult> = all
        .into_iter()
        .filter(|r| {
            lineage.contains(&r.code)
                || (r.code.parent().as_ref() == Some(&node) && may_read(&r.code))
        })
        .collect();
    let free_text = if node.level() == OrgLevel::Unit
        && decide(
            &user.user.grants,
            Action::Read,
            &node,
            DataClass::Identified,
        )
        .is_allowed()
    {
        answers
            .iter()
            .find(|(unit, _)| *unit == node)
            .filter(|(_, rows)| rows.len() as u64 >= DEFAULT_K)
            .map(|(_, rows)| {
                let free: Vec<&str> = definition
                    .questions
                    .iter()
                    .filter(|q| q.free_text.is_some())
                    .map(|q| q.id.as_str())
                    .collect();
                let mut texts: Vec<String> = rows
                    .iter()
                    .flat_map(|row| free.iter().filter_map(|q| row.get(*q).cloned()))
                    .collect();
                texts.sort();
                texts
            })
    } else {
        None
    };
    Ok(SurveyResults {
        definition,
        period,
        node,
        rows,
        free_text,
    })
}

/// The results as a CSV file (header first): node, question, answers, share positive in per
/// cent; a withheld figure is the text `för få svar`.
pub fn results_csv(results: &SurveyResults) -> String {
    let mut rows =
        vec![["node", "question", "answers", "share_positive_percent"].map(str::to_owned)];
    for row in &results.rows {
        let respondents = match row.respondents.value() {
            Some(n) => n.to_string(),
            None => SUPPRESSED.to_owned(),
        };
        rows.push([
            row.code.to_string(),
            "respondents".to_owned(),
            respondents,
            String::new(),
        ]);
        for q in &row.questions {
            let n = q
                .answers
                .value()
                .map_or(SUPPRESSED.to_owned(), |n| n.to_string());
            let share = q
                .share_positive
                .value()
                .map_or(SUPPRESSED.to_owned(), |s| format!("{:.0}", s * 100.0));
            rows.push([row.code.to_string(), q.question.clone(), n, share]);
        }
    }
    crate::render::csv::to_string(rows)
}

/// How a withheld figure reads in downloads.
pub const SUPPRESSED: &str = "för få svar";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_allows_three_per_address_and_publication_and_reports_a_burst_once() {
        let limiter = RateLimiter::default();
        assert!((0..3).all(|_| limiter.allow("10.0.0.1", 1) == Verdict::Allowed));
        assert_eq!(
            limiter.allow("10.0.0.1", 1),
            Verdict::Refused { burst: true }
        );
        assert_eq!(
            limiter.allow("10.0.0.1", 1),
            Verdict::Refused { burst: false }
        );
        assert_eq!(
            limiter.allow("10.0.0.1", 2),
            Verdict::Allowed,
            "another publication"
        );
        assert_eq!(
            limiter.allow("10.0.0.2", 1),
            Verdict::Allowed,
            "another address"
        );
        let short = RateLimiter::new(1, Duration::from_millis(1));
        assert_eq!(short.allow("a", 1), Verdict::Allowed);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.allow("a", 1), Verdict::Allowed, "the window passes");
    }
}
