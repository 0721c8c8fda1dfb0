//! Local follow-up in the database: clients (by pseudonym only), cases, interventions, needs
//! and goals, instruments (versioned) and measurements. Every change is audited, naming the
//! client's pseudonym so the client's own access log can be produced.

pub mod lists;
pub mod rekey;
mod rows;

/// Names the person of every client that has none yet: the lowest id among the clients with
/// the same statistical key, so a person with clients at several authorities counts once (a
/// client not yet rekeyed, without a statistical key, is its own person).
pub(crate) const ASSIGN_PERSON_IDS: &str = r"
    update client
    set person_id = case
        when statistical_key = '' then id
        else (
            select min(p.id)
            from client p
            where p.statistical_key = client.statistical_key
        )
    end
    where person_id is null
";
mod sql;

use crate::Result;
use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::access::audit::Actor;
use evident_core::followup::instrument::Instrument;
use evident_core::followup::{
    Case, Client, GoalOutcome, Intervention, InterventionDates, LegalBasis, LifeArea, Measurement,
    Need, Respondent, TimePoint,
};
use evident_core::person::{Pseudonym, RecordedSex};

/// A client to register: what is kept of a personal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    /// The pseudonym at the authority.
    pub pseudonym: Pseudonym,
    /// The key that counts the person once across authorities.
    pub statistical_key: evident_core::person::StatisticalKey,
    /// The authority (municipality) whose client this is.
    pub authority: evident_core::OrgCode,
    /// Year of birth.
    pub birth_year: i32,
    /// Recorded sex.
    pub sex: RecordedSex,
}

/// An intervention to add to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntervention {
    /// The catalogue code.
    pub type_code: String,
    /// The law.
    pub legal_basis: LegalBasis,
    /// The providing unit.
    pub provider: OrgCode,
    /// Its dates (checked to be in order).
    pub dates: InterventionDates,
    /// Why it ended.
    pub end_reason: Option<String>,
}

/// A measurement to record (already scored).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMeasurement {
    /// The instrument's id and version.
    pub instrument: (String, String),
    /// Baseline, follow-up or end.
    pub time_point: TimePoint,
    /// The schedule month of a follow-up.
    pub month: Option<u32>,
    /// When it was answered.
    pub measured_on: NaiveDate,
    /// Who answered.
    pub respondent: Respondent,
    /// The answers.
    pub answers: evident_core::followup::instrument::Answers,
    /// The computed score.
    pub score: Option<f64>,
}

/// Reading and writing the follow-up of clients.
#[async_trait::async_trait]
pub trait FollowUpStore {
    /// Registers a client, or finds the one with the same pseudonym (the same person at the
    /// same authority). Returns the client and whether it was new. Audited as
    /// `client.register` (or `client.find`).
    async fn register_client(&self, client: &NewClient, actor: &Actor) -> Result<(Client, bool)>;

    /// The client with this id.
    async fn get_client(&self, id: i64) -> Result<Client>;

    /// The client of `authority` with this pseudonym, if there is one. A client of another
    /// authority is never found, whatever its pseudonym.
    async fn find_client(&self, authority: &str, pseudonym: &Pseudonym) -> Result<Option<Client>>;

    /// Opens a case for a client at a unit.
    async fn open_case(
        &self,
        client_id: i64,
        unit: &OrgCode,
        opened_on: NaiveDate,
        schedule: &[u32],
        actor: &Actor,
    ) -> Result<Case>;

    /// The case with this id.
    async fn get_case(&self, id: i64) -> Result<Case>;

    /// Closes an open case on `closed_on`; audited as `case.close`.
    ///
    /// # Errors
    /// [`crate::StorageError::NotFound`] when there is no open case with this id.
    async fn close_case(&self, id: i64, closed_on: NaiveDate, actor: &Actor) -> Result<()>;

    /// The cases of a client, oldest first.
    async fn list_client_cases(&self, client_id: i64) -> Result<Vec<Case>>;

    /// The cases at a unit, newest first.
    async fn list_unit_cases(&self, unit: &OrgCode) -> Result<Vec<Case>>;

    /// Adds an intervention to a case.
    async fn add_intervention(
        &self,
        case_id: i64,
        intervention: &NewIntervention,
        actor: &Actor,
    ) -> Result<Intervention>;

    /// The interventions of a case.
    async fn list_interventions(&self, case_id: i64) -> Result<Vec<Intervention>>;

    /// Records a need in a case.
    async fn add_need(
        &self,
        case_id: i64,
        area: LifeArea,
        description: &str,
        actor: &Actor,
    ) -> Result<i64>;

    /// Sets a goal for a need.
    async fn add_goal(&self, need_id: i64, description: &str, actor: &Actor) -> Result<i64>;

    /// Records how a goal turned out.
    async fn set_goal_outcome(
        &self,
        goal_id: i64,
        outcome: GoalOutcome,
        actor: &Actor,
    ) -> Result<()>;

    /// The needs of a case with their goals.
    async fn list_needs(&self, case_id: i64) -> Result<Vec<Need>>;

    /// Stores an instrument version; storing the same id and version again changes nothing.
    ///
    /// # Errors
    /// [`crate::StorageError::Rejected`] for an id that `instrument::check_id` refuses.
    async fn save_instrument(&self, instrument: &Instrument) -> Result<()>;

    /// One version of an instrument.
    async fn get_instrument(&self, id: &str, version: &str) -> Result<Instrument>;

    /// The newest version of one instrument.
    ///
    /// # Errors
    /// [`crate::StorageError::NotFound`] when no version of `id` is stored.
    async fn newest_instrument(&self, id: &str) -> Result<Instrument>;

    /// The newest version of every instrument.
    async fn list_instruments(&self) -> Result<Vec<Instrument>>;

    /// Records a measurement in a case.
    async fn record_measurement(
        &self,
        case_id: i64,
        measurement: &NewMeasurement,
        actor: &Actor,
    ) -> Result<Measurement>;

    /// The measurements of a case, by date.
    async fn list_measurements(&self, case_id: i64) -> Result<Vec<Measurement>>;
}
