//! Client surveys, shared by the staff pages, the respondent's pages and the API: unit staff
//! publish a survey for their unit and a period (the link's token is shown once and stored only
//! as a digest), issue one-time respondent codes for it, and close it; respondents answer
//! anonymously ([`answer`]); results per unit, municipality, county and nation leave this module
//! only after disclosure control ([`evident_core::participation::survey::results`]), for every
//! output (page, JSON, CSV), with the integrity modes their publications used.
//!
//! # Layout
//! - [`answer`]: opening a link and storing an answer, admitted by the publication's mode.
//! - [`limit`]: the in-memory limits per client address.

pub mod answer;
pub mod limit;

pub use answer::{
    NONCE_COOKIE, Nonce, Respondent, Unanswerable, new_nonce, nonce_cookie, open, open_by_code,
    open_for,
};
pub use limit::{
    CODE_GUESSES_PER_ADDRESS, RateLimiter, SURVEY_ANSWERS_PER_ADDRESS, SURVEY_WINDOW, Verdict,
};

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::credentials::Secret;
use evident_core::access::{Action, DataClass, decide};
use evident_core::org::OrgLevel;
use evident_core::participation::respondent_code::{MAX_CODES_PER_BATCH, RespondentCode};
use evident_core::participation::survey::{
    self as core_survey, DEFAULT_K, IntegrityMode, NodeResult, SurveyDefinition, SurveyPeriod,
    SurveyPublication, TOKEN_PREFIX, embedded_survey,
};
use evident_store::NewSurveyPublication;

/// What staff enter to publish a survey.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PublishRequest {
    /// The survey's id, e.g. `brukarundersokning-2026`.
    pub survey: String,
    /// A year (`2026`) or a quarter (`2026Q4`).
    pub period: String,
    /// How the publication keeps one person from answering many times: `codes` (each answer
    /// needs a one-time respondent code, issued afterwards) or `link` (the default: anyone with
    /// the link, once per browser). Recorded, never changed, and shown with the results.
    pub integrity: Option<String>,
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
    let integrity = match request.integrity.as_deref().map(str::trim) {
        None | Some("") => IntegrityMode::Link,
        Some(mode) => IntegrityMode::parse(mode)?,
    };
    let token = Secret::generate(TOKEN_PREFIX);
    let new = NewSurveyPublication {
        survey: (definition.id, definition.version),
        unit: unit.clone(),
        period,
        integrity,
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

/// The publication `id` when `user` may change it (write access at its unit).
async fn writable(
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
    Ok(publication)
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
    writable(state, user, id).await?;
    Ok(state
        .store
        .close_survey_publication(id, state.clock.now().timestamp(), &user.actor())
        .await?)
}

/// Respondent codes just issued: shown once (printed or sent), stored only as digests.
#[derive(Debug)]
pub struct IssuedCodes {
    /// The publication, with its new counts.
    pub publication: SurveyPublication,
    /// The codes.
    pub codes: Vec<RespondentCode>,
}

/// Issues `count` one-time respondent codes for an open publication by codes; needs write
/// access at its unit. The codes are returned once and only their digests are kept.
///
/// # Errors
/// [`AppError::NotFound`]; [`AppError::Forbidden`] (audited); [`AppError::Invalid`] naming
/// `count`, or when the publication is closed or takes answers by link.
pub async fn issue_codes(
    state: &AppState,
    user: &SignedIn,
    id: i64,
    count: usize,
) -> Result<IssuedCodes, AppError> {
    writable(state, user, id).await?;
    if !(1..=MAX_CODES_PER_BATCH).contains(&count) {
        return Err(AppError::Invalid(format!(
            "count: issue between 1 and {MAX_CODES_PER_BATCH} codes at a time (got {count})"
        )));
    }
    // A batch is drawn again in the unlikely case that one of its codes exists already.
    for _ in 0..3 {
        let codes = RespondentCode::generate_many(count);
        let digests: Vec<String> = codes.iter().map(RespondentCode::digest).collect();
        if let Some(publication) = state
            .store
            .issue_respondent_codes(id, &digests, &user.actor())
            .await?
        {
            return Ok(IssuedCodes { publication, codes });
        }
    }
    Err(AppError::Conflict(
        "count: could not draw codes that are not taken; try again".to_owned(),
    ))
}

/// The codes as a CSV file for a mail merge or an SMS service: the code, and the link to the
/// code page (`{origin}/q`) with the code filled in.
pub fn codes_csv(issued: &IssuedCodes, origin: &str) -> String {
    let mut rows = vec![["code", "link"].map(str::to_owned)];
    rows.extend(issued.codes.iter().map(|c| {
        let printed = c.printed();
        let filled = format!("{origin}/q?kod={printed}");
        [printed, filled]
    }));
    crate::render::csv::to_string(rows)
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
    /// The integrity modes of the publications the node's figures rest on, the stronger first.
    pub integrity: Vec<IntegrityMode>,
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
    let answers = state
        .store
        .survey_answers(&definition.id, &period, &IntegrityMode::ALL)
        .await?;
    let mut integrity: Vec<IntegrityMode> = state
        .store
        .survey_integrity(&definition.id, &period)
        .await?
        .into_iter()
        .filter(|(unit, _)| unit.is_within(&node))
        .map(|(_, mode)| mode)
        .collect();
    IntegrityMode::strongest_first(&mut integrity);
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
        integrity,
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
