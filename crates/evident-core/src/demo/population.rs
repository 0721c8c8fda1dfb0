//! A synthetic client population for the demo: clients at the demo's units with cases,
//! interventions of the unit's area, and instruments answered at baseline and follow-ups —
//! with effects of realistic size that differ between units, drop-out, and missing answers.
//! The same seed gives the same population. Personal numbers are generated at random (valid
//! date and check digit); they exist only in memory and are turned into pseudonyms by the
//! caller, as any number is.

use crate::followup::instrument::{Answers, Instrument};
use crate::followup::{InterventionCatalogue, LegalBasis, Respondent, TimePoint};
use crate::org::{OrgCode, Unit, UnitArea};
use crate::rng::SplitMix64;
use chrono::{Datelike, Duration, Months, NaiveDate};

/// The date the demo's world stands still on, so that the same seed gives the same data
/// whatever day it is generated.
pub fn reference_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).expect("a valid date")
}

/// One synthetic client with their case.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoClient {
    /// A random valid personal number (never stored: pseudonymised by the caller).
    pub personal_number: String,
    /// The unit of the case.
    pub unit: OrgCode,
    /// When the case was opened.
    pub opened_on: NaiveDate,
    /// Follow-up months.
    pub schedule: Vec<u32>,
    /// Interventions: type code, legal basis, applied, decided, started, ended.
    pub interventions: Vec<DemoIntervention>,
    /// Measurements.
    pub measurements: Vec<DemoMeasurement>,
}

/// A synthetic intervention.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoIntervention {
    /// Catalogue code.
    pub type_code: String,
    /// Legal basis.
    pub legal_basis: LegalBasis,
    /// Application, decision, start and end dates.
    pub dates: [Option<NaiveDate>; 4],
}

/// A synthetic measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoMeasurement {
    /// Index into the instruments given to [`generate`].
    pub instrument: usize,
    /// Baseline or follow-up.
    pub time_point: TimePoint,
    /// Follow-up month.
    pub month: Option<u32>,
    /// Date.
    pub measured_on: NaiveDate,
    /// Who answered.
    pub respondent: Respondent,
    /// Answers (some items missing).
    pub answers: Answers,
}

/// The instruments a unit of `area` uses, by id, in order of preference.
fn instruments_for(area: UnitArea) -> &'static [&'static str] {
    match area {
        UnitArea::IndividualFamily => &["audit", "phq-9", "k10"],
        UnitArea::ChildrenYouth => &["gad-7", "phq-9"],
        UnitArea::ElderlyCare | UnitArea::Disability | UnitArea::Other => &["who-5"],
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut SplitMix64) -> f64 {
    let u1 = rng.unit_f64().max(f64::MIN_POSITIVE);
    let u2 = rng.unit_f64();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A random valid personal number for someone born in `year`.
pub fn synthetic_personal_number(rng: &mut SplitMix64, year: i32) -> String {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("valid");
    let birth = start + Duration::days(rng.below(365) as i64);
    let serial = rng.below(1000) as u32;
    crate::person::synthetic_number_text(birth, serial)
}

/// Answers whose score lands near `target` (each item nudged at random, a few left blank).
fn answers_near(rng: &mut SplitMix64, instrument: &Instrument, target: f64) -> Answers {
    let (lo, hi) = instrument.range;
    let fraction = if hi > lo {
        ((target - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let mut answers = Answers::new();
    for item in &instrument.items {
        if rng.unit_f64() < 0.03 {
            continue;
        }
        let mut options: Vec<_> = item.options.iter().collect();
        options.sort_by(|a, b| a.score.total_cmp(&b.score));
        if item.reverse {
            options.reverse();
        }
        let last = (options.len() - 1) as f64;
        let index = (fraction * last + 0.6 * normal(rng))
            .round()
            .clamp(0.0, last) as usize;
        answers.insert(item.link_id.clone(), options[index].code.clone());
    }
    answers
}

/// A population of about `clients` clients spread over `units`, measured with those of
/// `instruments` that suit each unit's area, with cases opened within `opened_within_days`
/// (at least 31) before the reference date.
pub fn generate(
    seed: u64,
    units: &[Unit],
    instruments: &[Instrument],
    catalogue: &InterventionCatalogue,
    clients: usize,
    opened_within_days: u64,
) -> Vec<DemoClient> {
    let mut rng = SplitMix64::new(seed ^ 0x5EED_0FC1_1E47);
    let today = reference_date();
    // Each unit gets its own true effect (in SDs of improvement) and drop-out rate, so that
    // units differ the way real ones do.
    let unit_profiles: Vec<(f64, f64)> = units
        .iter()
        .map(|_| (0.15 + 0.7 * rng.unit_f64(), 0.1 + 0.3 * rng.unit_f64()))
        .collect();
    let mut population = Vec::with_capacity(clients);
    for n in 0..clients {
        let u = n % units.len().max(1);
        let Some(unit) = units.get(u) else { break };
        let (effect, dropout) = unit_profiles[u];
        let types: Vec<_> = catalogue
            .types
            .iter()
            .filter(|t| t.area == unit.area)
            .collect();
        let wanted = instruments_for(unit.area);
        let used: Vec<usize> = wanted
            .iter()
            .filter_map(|id| instruments.iter().position(|i| i.id == *id))
            .take(2)
            .collect();
        let age = match unit.area {
            UnitArea::ElderlyCare => 68 + rng.below(30) as i32,
            UnitArea::ChildrenYouth => 6 + rng.below(12) as i32,
            _ => 19 + rng.below(60) as i32,
        };
        let personal_number = synthetic_personal_number(&mut rng, today.year() - age);
        let opened_on =
            today - Duration::days(30 + rng.below(opened_within_days.max(31) - 30) as i64);
        let schedule = vec![3, 6, 12];
        let mut interventions = Vec::new();
        let how_many = 1 + usize::from(rng.unit_f64() < 0.3);
        for kind in rng.sample(&types, how_many) {
            let applied = opened_on - Duration::days(rng.below(20) as i64);
            let decided = applied + Duration::days(3 + rng.below(40) as i64);
            let started = decided + Duration::days(rng.below(30) as i64);
            let ended = (rng.unit_f64() < 0.4)
                .then(|| started + Duration::days(60 + rng.below(400) as i64));
            // Nothing happens after the reference date: later steps simply have not yet.
            let happened = |d: NaiveDate| (d <= today).then_some(d);
            let decided = happened(decided);
            let started = decided.and(happened(started));
            let ended = started.and(ended.and_then(happened));
            interventions.push(DemoIntervention {
                type_code: kind.code.clone(),
                legal_basis: kind.legal_bases[0],
                dates: [Some(applied), decided, started, ended],
            });
        }
        let mut measurements = Vec::new();
        let respondent = if unit.area == UnitArea::ElderlyCare && rng.unit_f64() < 0.3 {
            Respondent::Staff
        } else {
            Respondent::Client
        };
        for &index in &used {
            let instrument = &instruments[index];
            let sd = instrument.normative_sd;
            let better = if instrument.higher_is_better {
                1.0
            } else {
                -1.0
            };
            let clinical_start = instrument
                .cutoff
                .unwrap_or((instrument.range.0 + instrument.range.1) / 2.0);
            let baseline_score = clinical_start - better * (0.3 * sd) + 0.8 * sd * normal(&mut rng);
            let baseline_on = opened_on + Duration::days(rng.below(14) as i64);
            measurements.push(DemoMeasurement {
                instrument: index,
                time_point: TimePoint::Baseline,
                month: None,
                measured_on: baseline_on,
                respondent,
                answers: answers_near(&mut rng, instrument, baseline_score),
            });
            let client_effect = effect + 0.6 * normal(&mut rng);
            for (k, &month) in schedule.iter().enumerate() {
                let due = baseline_on
                    .checked_add_months(Months::new(month))
                    .unwrap_or(today);
                if due > today || rng.unit_f64() < dropout {
                    break;
                }
                let progress = (k + 1) as f64 / schedule.len() as f64;
                let score = baseline_score
                    + better * sd * client_effect * progress.sqrt()
                    + 0.3 * sd * normal(&mut rng);
                measurements.push(DemoMeasurement {
                    instrument: index,
                    time_point: TimePoint::FollowUp,
                    month: Some(month),
                    measured_on: (due + Duration::days(rng.below(21) as i64 - 10)).min(today),
                    respondent,
                    answers: answers_near(&mut rng, instrument, score),
                });
            }
        }
        population.push(DemoClient {
            personal_number,
            unit: unit.code.clone(),
            opened_on,
            schedule,
            interventions,
            measurements,
        });
    }
    population
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followup::instrument::ScoringMethod;
    use crate::followup::instrument::tests::toy;
    use crate::person::PersonalNumber;
    use crate::text::Name;

    fn units() -> Vec<Unit> {
        [
            ("0380-0001", UnitArea::IndividualFamily),
            ("0380-0002", UnitArea::ElderlyCare),
        ]
        .into_iter()
        .map(|(code, area)| Unit {
            code: OrgCode::parse(code).unwrap(),
            name: Name::parse("name", "Enhet").unwrap(),
            municipality: OrgCode::parse("0380").unwrap(),
            provider: crate::Provider::Public,
            operator: None,
            area,
        })
        .collect()
    }

    fn instruments() -> Vec<Instrument> {
        let mut audit = toy(false, ScoringMethod::Sum);
        audit.id = "audit".into();
        let mut who = toy(true, ScoringMethod::Sum);
        who.id = "who-5".into();
        vec![audit, who]
    }

    #[test]
    fn the_same_seed_gives_the_same_population() {
        let catalogue = InterventionCatalogue::embedded();
        let a = generate(7, &units(), &instruments(), &catalogue, 50, 930);
        assert_eq!(
            a,
            generate(7, &units(), &instruments(), &catalogue, 50, 930)
        );
        assert_ne!(
            a,
            generate(8, &units(), &instruments(), &catalogue, 50, 930)
        );
    }

    #[test]
    fn clients_have_valid_numbers_fitting_interventions_and_scorable_measurements() {
        let catalogue = InterventionCatalogue::embedded();
        let instruments = instruments();
        let population = generate(1, &units(), &instruments, &catalogue, 400, 930);
        assert_eq!(population.len(), 400);
        let mut followed = 0;
        for client in &population {
            let number = PersonalNumber::parse(&client.personal_number, reference_date()).unwrap();
            assert!(number.birth_year() < 2026);
            let area = units()
                .into_iter()
                .find(|u| u.code == client.unit)
                .unwrap()
                .area;
            for i in &client.interventions {
                assert_eq!(catalogue.find(&i.type_code).unwrap().area, area);
                assert!(i.dates.windows(2).all(|w| match (w[0], w[1]) {
                    (Some(a), Some(b)) => a <= b,
                    _ => true,
                }));
            }
            for m in &client.measurements {
                assert!(m.measured_on <= reference_date());
                instruments[m.instrument].score(&m.answers).unwrap();
            }
            assert!(
                client
                    .measurements
                    .iter()
                    .any(|m| m.time_point == TimePoint::Baseline)
            );
            followed += usize::from(
                client
                    .measurements
                    .iter()
                    .any(|m| m.time_point == TimePoint::FollowUp),
            );
        }
        assert!(
            (100..390).contains(&followed),
            "drop-out happens, but not for everyone: {followed}"
        );
    }

    #[test]
    fn synthetic_numbers_validate() {
        let mut rng = SplitMix64::new(3);
        for year in [1930, 1985, 2010] {
            for _ in 0..50 {
                let number = synthetic_personal_number(&mut rng, year);
                assert_eq!(
                    PersonalNumber::parse(&number, reference_date())
                        .unwrap()
                        .birth_year(),
                    year,
                    "{number}"
                );
            }
        }
    }
}
