//! The database shapes of follow-up records and their conversion to domain types.

use crate::Result;
use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::followup::instrument::Instrument;
use evident_core::followup::{
    Case, Client, Goal, GoalOutcome, Intervention, InterventionDates, LegalBasis, LifeArea,
    Measurement, Need, Respondent, TimePoint,
};
use evident_core::person::{Pseudonym, RecordedSex};
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
pub(super) struct ClientRow {
    pub(super) id: i64,
    pub(super) pseudonym: String,
    pub(super) authority: String,
    pub(super) birth_year: i32,
    pub(super) sex: String,
}

impl ClientRow {
    pub(super) fn into_client(self) -> Result<Client> {
        Ok(Client {
            id: self.id,
            pseudonym: Pseudonym::parse(&self.pseudonym)?,
            authority: self.authority,
            birth_year: self.birth_year,
            sex: if self.sex == "male" {
                RecordedSex::Male
            } else {
                RecordedSex::Female
            },
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CaseRow {
    pub(super) id: i64,
    pub(super) client_id: i64,
    pub(super) unit_code: String,
    pub(super) opened_on: NaiveDate,
    pub(super) closed_on: Option<NaiveDate>,
    pub(super) schedule: String,
}

impl CaseRow {
    pub(super) fn into_case(self) -> Result<Case> {
        Ok(Case {
            id: self.id,
            client_id: self.client_id,
            unit: OrgCode::parse(&self.unit_code)?,
            opened_on: self.opened_on,
            closed_on: self.closed_on,
            schedule: evident_core::followup::parse_schedule(&self.schedule)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct InterventionRow {
    pub(super) id: i64,
    pub(super) case_id: i64,
    pub(super) type_code: String,
    pub(super) legal_basis: String,
    pub(super) provider_code: String,
    pub(super) applied_on: Option<NaiveDate>,
    pub(super) decided_on: Option<NaiveDate>,
    pub(super) started_on: Option<NaiveDate>,
    pub(super) ended_on: Option<NaiveDate>,
    pub(super) end_reason: Option<String>,
}

impl InterventionRow {
    pub(super) fn into_intervention(self) -> Result<Intervention> {
        Ok(Intervention {
            id: self.id,
            case_id: self.case_id,
            type_code: self.type_code,
            legal_basis: LegalBasis::parse(&self.legal_basis)?,
            provider: OrgCode::parse(&self.provider_code)?,
            dates: InterventionDates {
                applied_on: self.applied_on,
                decided_on: self.decided_on,
                started_on: self.started_on,
                ended_on: self.ended_on,
            },
            end_reason: self.end_reason,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MeasurementRow {
    pub(super) id: i64,
    pub(super) case_id: i64,
    pub(super) instrument_id: String,
    pub(super) instrument_version: String,
    pub(super) time_point: String,
    pub(super) month: Option<i32>,
    pub(super) measured_on: NaiveDate,
    pub(super) respondent: String,
    pub(super) answers: String,
    pub(super) score: Option<f64>,
}

impl MeasurementRow {
    pub(super) fn into_measurement(self) -> Result<Measurement> {
        Ok(Measurement {
            id: self.id,
            case_id: self.case_id,
            instrument_id: self.instrument_id,
            instrument_version: self.instrument_version,
            time_point: TimePoint::parse(&self.time_point)?,
            month: self.month.map(|m| m as u32),
            measured_on: self.measured_on,
            respondent: Respondent::parse(&self.respondent)?,
            answers: serde_json::from_str(&self.answers)
                .map_err(|e| anyhow::anyhow!("stored answers: {e}"))?,
            score: self.score,
        })
    }
}

pub(super) fn schedule_text(schedule: &[u32]) -> String {
    schedule
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub(super) fn parse_definition(json: &str) -> Result<Instrument> {
    Ok(serde_json::from_str(json)
        .map_err(|e| anyhow::anyhow!("stored instrument definition: {e}"))?)
}

/// A need as stored, before its goals are attached.
pub(super) type NeedRow = (i64, i64, String, String);

/// A goal as stored: id, need, description and outcome.
pub(super) type GoalRow = (i64, i64, String, Option<String>);

/// Needs (`id, case_id, life_area, description`) each with its goals, in the order given;
/// goals keep their order within a need.
pub(super) fn assemble_needs(needs: Vec<NeedRow>, goals: Vec<GoalRow>) -> Result<Vec<Need>> {
    let mut by_need: HashMap<i64, Vec<Goal>> = HashMap::new();
    for (id, need_id, description, outcome) in goals {
        by_need.entry(need_id).or_default().push(Goal {
            id,
            description,
            outcome: outcome.as_deref().map(GoalOutcome::parse).transpose()?,
        });
    }
    needs
        .into_iter()
        .map(|(id, case_id, area, description)| {
            Ok(Need {
                id,
                case_id,
                area: LifeArea::parse(&area)?,
                description,
                goals: by_need.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}
