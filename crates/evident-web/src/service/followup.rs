//! Local follow-up as the API and the pages share it: registering clients into cases,
//! reading a case (an audited read of identified data), adding interventions, needs, goals
//! and measurements, and the unit's follow-up table. Every function asks the access policy
//! first: identified data of a case belongs to the case's unit.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_core::access::break_glass::BreakGlass;
use evident_core::access::{Action, DataClass};
use evident_core::followup::instrument::{Answers, Instrument};
use evident_core::followup::progress::{
    InstrumentProgress, ScheduledFollowUp, follow_up_schedule, instrument_progress,
};
use evident_core::followup::unit_table::{
    DEFAULT_K, FollowUpRow, client_outcomes, follow_up_table,
};
use evident_core::followup::{
    Case, Client, GoalOutcome, Intervention, InterventionDates, LegalBasis, LifeArea, Measurement,
    Need, Respondent, TimePoint, parse_schedule,
};
use evident_core::person::PersonalNumber;
use evident_store::followup::{NewClient, NewIntervention, NewMeasurement};
use std::collections::HashMap;

/// Instrument versions, each loaded from the store once per request.
#[derive(Debug, Default)]
pub struct InstrumentCache(Vec<Instrument>);

impl InstrumentCache {
    /// The instrument `id` at `version`.
    ///
    /// # Errors
    /// When the store has no such version.
    pub async fn get(
        &mut self,
        state: &AppState,
        id: &str,
        version: &str,
    ) -> Result<&Instrument, AppError> {
        let index = match self
            .0
            .iter()
            .position(|i| i.id == id && i.version == version)
        {
            Some(index) => index,
            None => {
                self.0.push(state.store.get_instrument(id, version).await?);
                self.0.len() - 1
            }
        };
        Ok(&self.0[index])
    }

    /// The instrument `id` at `version`, if [`Self::get`] has loaded it.
    pub fn loaded(&self, id: &str, version: &str) -> Option<&Instrument> {
        self.0.iter().find(|i| i.id == id && i.version == version)
    }
}

/// An instrument at `version`, or its newest version when none is named.
///
/// # Errors
/// When the store has no such instrument or version.
pub async fn instrument_version(
    state: &AppState,
    id: &str,
    version: Option<&str>,
) -> Result<Instrument, AppError> {
    Ok(match version {
        Some(version) => state.store.get_instrument(id, version).await?,
        None => state.store.newest_instrument(id).await?,
    })
}

/// Parses an optional date field (`YYYY-MM-DD`; empty means none).
///
/// # Errors
/// [`AppError::Invalid`] naming the field.
pub fn parse_date(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                AppError::Invalid(format!(
                    "{field}: '{text}' is not a date of the form YYYY-MM-DD"
                ))
            }),
    }
}

/// A case with everything the case page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// The case.
    pub case: Case,
    /// Its client.
    pub client: Client,
    /// The unit's name.
    pub unit_name: String,
    /// Interventions.
    pub interventions: Vec<Intervention>,
    /// Needs and goals.
    pub needs: Vec<Need>,
    /// Measurements, by date.
    pub measurements: Vec<Measurement>,
    /// The follow-up schedule and where it stands today.
    pub schedule: Vec<ScheduledFollowUp>,
    /// Per instrument: scores over time and the change.
    pub progress: Vec<(Instrument, InstrumentProgress)>,
}

pub(crate) async fn authorize_case(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    action: Action,
) -> Result<Case, AppError> {
    Ok(authorize_case_via(state, user, case_id, action).await?.0)
}

/// As [`authorize_case`], also naming the emergency access the read goes through, if any.
pub(crate) async fn authorize_case_via(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    action: Action,
) -> Result<(Case, Option<BreakGlass>), AppError> {
    let case = state.store.get_case(case_id).await?;
    let glass = authorize_record(
        state,
        user,
        action,
        &case.unit,
        case.client_id,
        &format!("case:{case_id}"),
        || format!("case {case_id}"),
    )
    .await?;
    Ok((case, glass))
}

/// Asks the access policy whether `user` may act on identified data at `unit` for one
/// client's record; failing that, a read goes through when the user has broken the glass for
/// this client and the access is still open (the answer names it, so the read's entry can).
/// A denial is audited as usual, but answered as the same 404 as a record that does not exist
/// (`not_found` names it): guessing ids must not tell anyone where, or whether, a record exists
/// outside their scope.
///
/// # Errors
/// [`AppError::NotFound`] when the policy denies it.
pub(crate) async fn authorize_record(
    state: &AppState,
    user: &SignedIn,
    action: Action,
    unit: &OrgCode,
    client_id: i64,
    record: &str,
    not_found: impl FnOnce() -> String,
) -> Result<Option<BreakGlass>, AppError> {
    if let Some(glass) =
        crate::service::break_glass::honoured(state, user, action, unit, client_id).await?
    {
        return Ok(Some(glass));
    }
    match user
        .authorize(action, unit, DataClass::Identified, record)
        .await
    {
        Err(AppError::Forbidden(_)) => Err(AppError::NotFound(not_found())),
        other => other.map(|()| None),
    }
}

/// Registers the client with this personal number (or finds them) and opens a case at `unit`.
///
/// # Errors
/// [`AppError::Forbidden`] without write access to identified data at the unit;
/// [`AppError::Invalid`] for a bad number, date or schedule; [`AppError::Unavailable`] when no
/// pseudonym key is configured.
pub async fn open_case(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
    personal_number: &str,
    opened_on: Option<&str>,
    schedule: Option<&str>,
) -> Result<(Case, Client, bool), AppError> {
    user.authorize(
        Action::Write,
        unit,
        DataClass::Identified,
        &format!("unit:{unit}"),
    )
    .await?;
    state.store.get_unit(unit).await?;
    let key = state.config.pseudonym_key.as_ref().ok_or_else(|| {
        AppError::Unavailable(
            "clients cannot be registered: no pseudonym key is configured (EVIDENT_PSEUDONYM_KEY)"
                .into(),
        )
    })?;
    // The client is the unit's authority's: the same person at another municipality is
    // another client under another pseudonym, and nothing here says whether one exists.
    let authority = unit
        .authority()
        .ok_or_else(|| AppError::Invalid(format!("unit: {unit} is not a unit")))?;
    // The number lives only inside this block: what leaves it are the client's keys.
    let new = {
        let number = PersonalNumber::parse(personal_number, state.clock.today())?;
        let keys = key.client_keys(&number, &authority);
        NewClient {
            pseudonym: keys.pseudonym,
            statistical_key: keys.statistical_key,
            authority,
            birth_year: number.birth_year(),
            sex: number.recorded_sex(),
        }
    };
    let opened_on = parse_date("opened_on", opened_on)?.unwrap_or_else(|| state.clock.today());
    let schedule = parse_schedule(schedule.unwrap_or("3, 6, 12"))?;
    let (client, created) = state.store.register_client(&new, &user.actor()).await?;
    let case = state
        .store
        .open_case(client.id, unit, opened_on, &schedule, &user.actor())
        .await?;
    Ok((case, client, created))
}

/// Reads a case with everything on its page; the read is written to the audit trail.
///
/// # Errors
/// [`AppError::Forbidden`] (audited) without read access to identified data at its unit.
pub async fn case_view(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
) -> Result<CaseView, AppError> {
    let (case, glass) = authorize_case_via(state, user, case_id, Action::Read).await?;
    let client = state.store.get_client(case.client_id).await?;
    let mut read = AuditEvent::new(
        &user.actor(),
        "case.read",
        format!("case:{case_id}"),
        Outcome::Allowed,
    );
    if let Some(glass) = &glass {
        read.detail = crate::service::break_glass::via(glass);
    }
    read.client = Some(client.pseudonym.to_string());
    state.store.append_audit(&read).await?;
    let measurements = state.store.list_measurements(case_id).await?;
    let mut instruments = InstrumentCache::default();
    for m in &measurements {
        instruments
            .get(state, &m.instrument_id, &m.instrument_version)
            .await?;
    }
    // The cache holds each version once, in the order the measurements first name them.
    let progress = instruments
        .0
        .into_iter()
        .map(|instrument| {
            let p = instrument_progress(&instrument, &measurements);
            (instrument, p)
        })
        .collect();
    Ok(CaseView {
        unit_name: state.store.get_org(&case.unit).await?.name,
        schedule: follow_up_schedule(&case, &measurements, state.clock.today()),
        interventions: state.store.list_interventions(case_id).await?,
        needs: state.store.list_needs(case_id).await?,
        measurements,
        progress,
        client,
        case,
    })
}

/// Closes a case on `closed_on` (today when not given).
///
/// # Errors
/// [`AppError::Forbidden`] without write access at its unit; [`AppError::Invalid`] for a bad
/// date or one before the case was opened; [`AppError::NotFound`] when it is closed already.
pub async fn close_case(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    closed_on: Option<&str>,
) -> Result<(), AppError> {
    let case = authorize_case(state, user, case_id, Action::Write).await?;
    let closed_on = parse_date("closed_on", closed_on)?.unwrap_or_else(|| state.clock.today());
    if closed_on < case.opened_on {
        return Err(AppError::Invalid(format!(
            "closed_on: {closed_on} comes before the case was opened ({})",
            case.opened_on
        )));
    }
    Ok(state
        .store
        .close_case(case_id, closed_on, &user.actor())
        .await?)
}

/// What a new intervention says, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct InterventionInput {
    /// The catalogue code, e.g. `hemtjanst`.
    pub intervention_type: String,
    /// `SoL`, `LSS`, `LVU`, `LVM` or `HSL`.
    pub legal_basis: String,
    /// The providing unit's code (public or private).
    pub provider: String,
    /// Application date, YYYY-MM-DD.
    #[serde(default)]
    pub applied_on: Option<String>,
    /// Decision date.
    #[serde(default)]
    pub decided_on: Option<String>,
    /// Start date.
    #[serde(default)]
    pub started_on: Option<String>,
    /// End date.
    #[serde(default)]
    pub ended_on: Option<String>,
    /// Why it ended.
    #[serde(default)]
    pub end_reason: Option<String>,
}

/// Adds an intervention to a case.
///
/// # Errors
/// [`AppError::Invalid`] for an unknown type, a legal basis the type is not decided under,
/// dates out of order; [`AppError::Forbidden`] without write access at the case's unit.
pub async fn add_intervention(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    input: &InterventionInput,
) -> Result<Intervention, AppError> {
    authorize_case(state, user, case_id, Action::Write).await?;
    let kind = state
        .catalogue
        .find(input.intervention_type.trim())
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "intervention_type: '{}' is not in the catalogue",
                input.intervention_type
            ))
        })?;
    let legal_basis = LegalBasis::parse(&input.legal_basis)?;
    if !kind.legal_bases.contains(&legal_basis) {
        let allowed: Vec<_> = kind.legal_bases.iter().map(|b| b.as_str()).collect();
        return Err(AppError::Invalid(format!(
            "legal_basis: {} is decided under {}, not {}",
            kind.code,
            allowed.join(" or "),
            legal_basis.as_str()
        )));
    }
    let provider = OrgCode::parse_at("provider", &input.provider, evident_core::OrgLevel::Unit)?;
    let dates = InterventionDates {
        applied_on: parse_date("applied_on", input.applied_on.as_deref())?,
        decided_on: parse_date("decided_on", input.decided_on.as_deref())?,
        started_on: parse_date("started_on", input.started_on.as_deref())?,
        ended_on: parse_date("ended_on", input.ended_on.as_deref())?,
    };
    dates.validate()?;
    let end_reason = input
        .end_reason
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let new = NewIntervention {
        type_code: kind.code.clone(),
        legal_basis,
        provider,
        dates,
        end_reason,
    };
    match state
        .store
        .add_intervention(case_id, &new, &user.actor())
        .await
    {
        Err(evident_store::StorageError::NotFound(what)) => {
            Err(AppError::Invalid(format!("provider: {what} not found")))
        }
        other => Ok(other?),
    }
}

/// Records a need in a case.
///
/// # Errors
/// [`AppError::Invalid`] for an unknown life area or an empty description.
pub async fn add_need(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    area: &str,
    description: &str,
) -> Result<i64, AppError> {
    authorize_case(state, user, case_id, Action::Write).await?;
    let area = LifeArea::parse(area)?;
    let description = evident_core::text::Name::parse("description", description)?;
    Ok(state
        .store
        .add_need(case_id, area, description.as_str(), &user.actor())
        .await?)
}

/// Sets a goal for one of a case's needs.
///
/// # Errors
/// [`AppError::NotFound`] when the need is not the case's.
pub async fn add_goal(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    need_id: i64,
    description: &str,
) -> Result<i64, AppError> {
    authorize_case(state, user, case_id, Action::Write).await?;
    if !state
        .store
        .list_needs(case_id)
        .await?
        .iter()
        .any(|n| n.id == need_id)
    {
        return Err(AppError::NotFound(format!(
            "need {need_id} in case {case_id}"
        )));
    }
    let description = evident_core::text::Name::parse("description", description)?;
    Ok(state
        .store
        .add_goal(need_id, description.as_str(), &user.actor())
        .await?)
}

/// Records how one of a case's goals turned out.
///
/// # Errors
/// [`AppError::NotFound`] when the goal is not the case's.
pub async fn follow_up_goal(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    goal_id: i64,
    outcome: &str,
) -> Result<(), AppError> {
    authorize_case(state, user, case_id, Action::Write).await?;
    let outcome = GoalOutcome::parse(outcome)?;
    let owned = state
        .store
        .list_needs(case_id)
        .await?
        .iter()
        .any(|n| n.goals.iter().any(|g| g.id == goal_id));
    if !owned {
        return Err(AppError::NotFound(format!(
            "goal {goal_id} in case {case_id}"
        )));
    }
    Ok(state
        .store
        .set_goal_outcome(goal_id, outcome, &user.actor())
        .await?)
}

/// A measurement as typed or sent.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct MeasurementInput {
    /// The instrument's id, e.g. `phq-9`.
    pub instrument: String,
    /// Its version; the newest when left out.
    #[serde(default)]
    pub version: Option<String>,
    /// `baseline`, `follow_up` or `end`.
    pub time_point: String,
    /// For a follow-up, the month of the schedule it answers.
    #[serde(default)]
    pub month: Option<u32>,
    /// When it was answered, YYYY-MM-DD (today when left out).
    #[serde(default)]
    pub measured_on: Option<String>,
    /// `client`, `staff` or `relative`.
    pub respondent: String,
    /// The chosen option code per item `linkId`.
    pub answers: Answers,
}

/// Scores and records a measurement in a case.
///
/// # Errors
/// [`AppError::Invalid`] for an unknown instrument, time point, respondent, an answer that is
/// not an option of its item, or a follow-up without its month.
pub async fn record_measurement(
    state: &AppState,
    user: &SignedIn,
    case_id: i64,
    input: &MeasurementInput,
) -> Result<Measurement, AppError> {
    authorize_case(state, user, case_id, Action::Write).await?;
    let instrument = instrument_version(state, &input.instrument, input.version.as_deref())
        .await
        .map_err(|_| {
            AppError::Invalid(format!(
                "instrument: '{}' is not in the library",
                input.instrument
            ))
        })?;
    let time_point = TimePoint::parse(&input.time_point)?;
    if time_point == TimePoint::FollowUp && input.month.is_none() {
        return Err(AppError::Invalid(
            "month: a follow-up names the month of the schedule it answers".into(),
        ));
    }
    let respondent = Respondent::parse(&input.respondent)?;
    let score = instrument.score(&input.answers)?;
    let new = NewMeasurement {
        instrument: (instrument.id.clone(), instrument.version.clone()),
        time_point,
        month: if time_point == TimePoint::FollowUp {
            input.month
        } else {
            None
        },
        measured_on: parse_date("measured_on", input.measured_on.as_deref())?
            .unwrap_or_else(|| state.clock.today()),
        respondent,
        answers: input.answers.clone(),
        score: score.total,
    };
    Ok(state
        .store
        .record_measurement(case_id, &new, &user.actor())
        .await?)
}

/// The unit's follow-up table (pseudonymous data: unit staff and municipal analysts).
///
/// # Errors
/// [`AppError::Forbidden`] without read access to pseudonymous data at the unit.
pub async fn unit_follow_up(
    state: &AppState,
    user: &SignedIn,
    unit: &OrgCode,
) -> Result<Vec<FollowUpRow>, AppError> {
    user.authorize(
        Action::Read,
        unit,
        DataClass::Pseudonymous,
        &format!("unit:{unit}"),
    )
    .await?;
    // Read before the scores: a table kept at this version shows at least this data.
    let version = state.store.unit_data_version(unit).await?;
    if let Some(table) = state.follow_up_tables.get(unit, version) {
        return Ok(table.as_ref().clone());
    }
    // Two reads for the whole unit, of the scores and started types alone (no answers), rather
    // than whole records per case; a heavy request, so a bounded number at once. Another
    // request for the same table may have kept it while this one waited for its turn.
    let read = async {
        if let Some(kept) = state.follow_up_tables.get(unit, version) {
            return Ok(Err(kept));
        }
        let scores = state.store.list_unit_scores(unit).await?;
        let started = state.store.list_unit_started_types(unit).await?;
        let mut instruments = InstrumentCache::default();
        for score in &scores {
            instruments
                .get(state, &score.instrument_id, &score.instrument_version)
                .await?;
        }
        Ok(Ok((scores, started, instruments)))
    };
    let computed = state
        .heavy
        .run_after(read, |input| {
            input.map(|(scores, started, instruments)| {
                let outcomes = client_outcomes(&scores, &started, |id, version| {
                    instruments.loaded(id, version)
                });
                std::sync::Arc::new(follow_up_table(&outcomes, DEFAULT_K))
            })
        })
        .await?;
    let table = match computed {
        Ok(table) => {
            state
                .follow_up_tables
                .put(unit, version, std::sync::Arc::clone(&table));
            table
        }
        Err(kept) => kept,
    };
    Ok(table.as_ref().clone())
}

/// Records grouped by their case id, each group in the order given.
pub(crate) fn by_case<T>(records: Vec<T>, case_id: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut grouped: HashMap<i64, Vec<T>> = HashMap::new();
    for record in records {
        grouped.entry(case_id(&record)).or_default().push(record);
    }
    grouped
}
