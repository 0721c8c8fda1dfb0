//! The vocabulary of local follow-up: intervention types (a catalogue embedded from
//! `data/interventions/`), legal bases, life areas for needs, goal outcomes, measurement time
//! points and respondents.

use crate::DomainError;
use crate::org::UnitArea;
use chrono::NaiveDate;
use serde::Serialize;

const CATALOGUE_CSV: &str = include_str!("../../../../data/interventions/catalogue.csv");

/// Declares a closed set of codes: an enum with `ALL`, `as_str` and `parse`.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code as stored and sent.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a code.
            ///
            /// # Errors
            /// When `raw` is not one of the codes; the message lists them.
            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw.trim()).ok_or_else(|| {
                    let codes: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    DomainError::new($field, format!("'{raw}' is not one of {}", codes.join(", ")))
                })
            }
        }
    };
}

code_enum!(
    /// The law an intervention is decided under.
    LegalBasis, "legal_basis" {
        /// Socialtjänstlagen (2001:453).
        SoL = "SoL",
        /// Lagen om stöd och service till vissa funktionshindrade (1993:387).
        Lss = "LSS",
        /// Lagen med särskilda bestämmelser om vård av unga (1990:52).
        Lvu = "LVU",
        /// Lagen om vård av missbrukare i vissa fall (1988:870).
        Lvm = "LVM",
        /// Hälso- och sjukvårdslagen (2017:30).
        Hsl = "HSL",
    }
);

code_enum!(
    /// A life area a need is recorded under: the ICF activity and participation chapters
    /// d1–d9, and four areas many units add.
    LifeArea, "life_area" {
        /// d1 Learning and applying knowledge.
        D1 = "d1",
        /// d2 General tasks and demands.
        D2 = "d2",
        /// d3 Communication.
        D3 = "d3",
        /// d4 Mobility.
        D4 = "d4",
        /// d5 Self-care.
        D5 = "d5",
        /// d6 Domestic life.
        D6 = "d6",
        /// d7 Interpersonal interactions and relationships.
        D7 = "d7",
        /// d8 Major life areas (education, work, economic life).
        D8 = "d8",
        /// d9 Community, social and civic life.
        D9 = "d9",
        /// Housing.
        Housing = "housing",
        /// Employment and occupation.
        Employment = "employment",
        /// Finances.
        Finances = "finances",
        /// Health.
        Health = "health",
    }
);

code_enum!(
    /// How a goal turned out at follow-up.
    GoalOutcome, "outcome" {
        /// Achieved.
        Achieved = "achieved",
        /// Partly achieved.
        PartlyAchieved = "partly_achieved",
        /// Not achieved.
        NotAchieved = "not_achieved",
        /// Not followed up.
        NotFollowedUp = "not_followed_up",
    }
);

code_enum!(
    /// When in a case a measurement is taken.
    TimePoint, "time_point" {
        /// Before or at the start of the intervention.
        Baseline = "baseline",
        /// At a scheduled follow-up.
        FollowUp = "follow_up",
        /// When the intervention ends.
        End = "end",
    }
);

code_enum!(
    /// Who answered an instrument.
    Respondent, "respondent" {
        /// The client.
        Client = "client",
        /// A member of staff.
        Staff = "staff",
        /// A relative or other close person.
        Relative = "relative",
    }
);

impl LifeArea {
    /// The area's name in Swedish and English.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::D1 => (
                "Lärande och att tillämpa kunskap",
                "Learning and applying knowledge",
            ),
            Self::D2 => ("Allmänna uppgifter och krav", "General tasks and demands"),
            Self::D3 => ("Kommunikation", "Communication"),
            Self::D4 => ("Förflyttning", "Mobility"),
            Self::D5 => ("Personlig vård", "Self-care"),
            Self::D6 => ("Hemliv", "Domestic life"),
            Self::D7 => (
                "Mellanmänskliga interaktioner och relationer",
                "Interpersonal interactions and relationships",
            ),
            Self::D8 => ("Viktiga livsområden", "Major life areas"),
            Self::D9 => (
                "Samhällsgemenskap, socialt och medborgerligt liv",
                "Community, social and civic life",
            ),
            Self::Housing => ("Boende", "Housing"),
            Self::Employment => ("Sysselsättning", "Employment"),
            Self::Finances => ("Ekonomi", "Finances"),
            Self::Health => ("Hälsa", "Health"),
        }
    }
}

/// A type of intervention from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterventionType {
    /// Stable code, e.g. `hemtjanst`.
    pub code: String,
    /// The area of social services it belongs to.
    pub area: UnitArea,
    /// The laws it can be decided under.
    pub legal_bases: Vec<LegalBasis>,
    /// Swedish name.
    pub name_sv: String,
    /// English name.
    pub name_en: String,
}

/// The catalogue of intervention types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionCatalogue {
    /// The types, in file order.
    pub types: Vec<InterventionType>,
}

impl InterventionCatalogue {
    /// The catalogue embedded in the binary.
    pub fn embedded() -> Self {
        Self::parse("catalogue.csv", CATALOGUE_CSV)
            .expect("the embedded catalogue is checked by the tests")
    }

    /// Parses a catalogue (`code,area,legal_bases,name_sv,name_en`).
    ///
    /// # Errors
    /// Names the file, line and field of the first bad row, or a repeated code.
    pub fn parse(file: &str, text: &str) -> Result<Self, DomainError> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let mut types: Vec<InterventionType> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| DomainError::new("csv", format!("{file}: {e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            let at =
                |e: DomainError| DomainError::new(e.field, format!("{file}:{line}: {}", e.problem));
            if record.len() != 5 {
                return Err(at(DomainError::new(
                    "csv",
                    format!("expected 5 fields, found {}", record.len()),
                )));
            }
            let code = record[0].trim().to_owned();
            if code.is_empty()
                || !code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(at(DomainError::new(
                    "code",
                    format!("'{code}' must be lowercase letters, digits and _"),
                )));
            }
            if types.iter().any(|t| t.code == code) {
                return Err(at(DomainError::new(
                    "code",
                    format!("{code} appears twice"),
                )));
            }
            let area = UnitArea::parse(record[1].trim()).map_err(at)?;
            let legal_bases = record[2]
                .split('|')
                .map(LegalBasis::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(at)?;
            types.push(InterventionType {
                code,
                area,
                legal_bases,
                name_sv: record[3].trim().to_owned(),
                name_en: record[4].trim().to_owned(),
            });
        }
        Ok(Self { types })
    }

    /// The type with this code.
    pub fn find(&self, code: &str) -> Option<&InterventionType> {
        self.types.iter().find(|t| t.code == code)
    }
}

/// A client: pseudonymous, with what breakdowns need and nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    /// Identifier.
    pub id: i64,
    /// The keyed pseudonym of their personal number at the authority.
    pub pseudonym: crate::person::Pseudonym,
    /// The authority (municipality) whose client this is; each authority has its own clients.
    /// Empty only for clients stored before pseudonyms were per authority and not yet rekeyed.
    pub authority: String,
    /// Year of birth.
    pub birth_year: i32,
    /// Recorded sex.
    pub sex: crate::person::RecordedSex,
}

/// A case: a client at a unit, with the follow-up schedule the unit set for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Identifier.
    pub id: i64,
    /// The client.
    pub client_id: i64,
    /// The unit responsible.
    pub unit: crate::OrgCode,
    /// When it was opened.
    pub opened_on: NaiveDate,
    /// When it was closed, if it was.
    pub closed_on: Option<NaiveDate>,
    /// Months after baseline at which follow-up measurements are due, e.g. `[3, 6, 12]`.
    pub schedule: Vec<u32>,
}

/// Parses a follow-up schedule typed as months separated by commas (`3, 6, 12`).
///
/// # Errors
/// When a part is not a whole number of months between 1 and 120, or they are not increasing.
pub fn parse_schedule(raw: &str) -> Result<Vec<u32>, DomainError> {
    let months = raw
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<u32>()
                .ok()
                .filter(|m| (1..=120).contains(m))
                .ok_or_else(|| {
                    DomainError::new(
                        "schedule",
                        format!("'{p}' is not a number of months from 1 to 120"),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if months.windows(2).any(|w| w[0] >= w[1]) {
        return Err(DomainError::new(
            "schedule",
            "the months must increase, e.g. 3, 6, 12",
        ));
    }
    Ok(months)
}

/// An intervention decided in a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Intervention {
    /// Identifier.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// The type's catalogue code.
    pub type_code: String,
    /// The law it was decided under.
    pub legal_basis: LegalBasis,
    /// The unit that provides it (public or private).
    pub provider: crate::OrgCode,
    /// Dates of application, decision, start and end.
    pub dates: InterventionDates,
    /// Why it ended, once it has.
    pub end_reason: Option<String>,
}

/// The dates of an intervention, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InterventionDates {
    /// Application (or the start of the investigation).
    pub applied_on: Option<NaiveDate>,
    /// Decision.
    pub decided_on: Option<NaiveDate>,
    /// Start.
    pub started_on: Option<NaiveDate>,
    /// End.
    pub ended_on: Option<NaiveDate>,
}

impl InterventionDates {
    /// Checks that the dates that are given come in order: applied ≤ decided ≤ started ≤ ended.
    ///
    /// # Errors
    /// Names the first date that comes before the one it must follow.
    pub fn validate(&self) -> Result<(), DomainError> {
        let named: [(&'static str, Option<NaiveDate>); 4] = [
            ("applied_on", self.applied_on),
            ("decided_on", self.decided_on),
            ("started_on", self.started_on),
            ("ended_on", self.ended_on),
        ];
        let mut latest: Option<(&str, NaiveDate)> = None;
        for (field, date) in named {
            let Some(date) = date else { continue };
            if let Some((before, earlier)) = latest
                && date < earlier
            {
                return Err(DomainError::new(
                    field,
                    format!("{date} comes before {before} ({earlier})"),
                ));
            }
            latest = Some((field, date));
        }
        Ok(())
    }
}

/// A need recorded in a case, with its goals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Need {
    /// Identifier.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// The life area.
    pub area: LifeArea,
    /// The need in the practitioner's words.
    pub description: String,
    /// Its goals.
    pub goals: Vec<Goal>,
}

/// A goal for a need, and how it turned out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Goal {
    /// Identifier.
    pub id: i64,
    /// The goal in the practitioner's words.
    pub description: String,
    /// The outcome at follow-up, once followed up.
    pub outcome: Option<GoalOutcome>,
}

/// An instrument answered at a time point of a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    /// Identifier.
    pub id: i64,
    /// The case.
    pub case_id: i64,
    /// The instrument's id.
    pub instrument_id: String,
    /// The instrument version the score was computed with.
    pub instrument_version: String,
    /// Baseline, follow-up or end.
    pub time_point: TimePoint,
    /// For a follow-up, the month of the schedule it answers.
    pub month: Option<u32>,
    /// When it was answered.
    pub measured_on: NaiveDate,
    /// Who answered.
    pub respondent: Respondent,
    /// The answers, by item.
    pub answers: crate::followup::instrument::Answers,
    /// The total score; `None` when too many answers were missing.
    pub score: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_covers_every_area_and_the_named_types() {
        let catalogue = InterventionCatalogue::embedded();
        for area in [
            UnitArea::ElderlyCare,
            UnitArea::Disability,
            UnitArea::IndividualFamily,
            UnitArea::ChildrenYouth,
        ] {
            assert!(
                catalogue.types.iter().filter(|t| t.area == area).count() >= 5,
                "{area:?}"
            );
        }
        for code in [
            "hemtjanst",
            "sarskilt_boende",
            "personlig_assistans",
            "kontaktperson_barn",
            "familjehem",
            "hvb_barn",
            "oppenvard_missbruk",
        ] {
            assert!(catalogue.find(code).is_some(), "{code}");
        }
        assert_eq!(
            catalogue.find("familjehem").unwrap().legal_bases,
            vec![LegalBasis::SoL, LegalBasis::Lvu]
        );
        assert_eq!(
            catalogue.find("daglig_verksamhet").unwrap().legal_bases,
            vec![LegalBasis::Lss]
        );
    }

    #[test]
    fn a_bad_catalogue_row_is_named_by_file_line_and_field() {
        let err = InterventionCatalogue::parse(
            "local.csv",
            "code,area,legal_bases,name_sv,name_en\nx,elderly_care,SoL,X,X\ny,elderly,SoL,Y,Y\n",
        )
        .unwrap_err();
        assert_eq!(err.field, "area");
        assert!(err.problem.starts_with("local.csv:3:"), "{err}");
        let err = InterventionCatalogue::parse(
            "local.csv",
            "code,area,legal_bases,name_sv,name_en\nx,other,SoL|BBIC,X,X\n",
        )
        .unwrap_err();
        assert_eq!(err.field, "legal_basis");
        let err = InterventionCatalogue::parse(
            "local.csv",
            "code,area,legal_bases,name_sv,name_en\nx,other,SoL,X,X\nx,other,SoL,X,X\n",
        )
        .unwrap_err();
        assert!(err.problem.contains("x appears twice"), "{err}");
    }

    #[test]
    fn schedules_are_increasing_months() {
        assert_eq!(parse_schedule("3, 6,12").unwrap(), vec![3, 6, 12]);
        assert_eq!(parse_schedule("").unwrap(), Vec::<u32>::new());
        assert!(
            parse_schedule("6, 3")
                .unwrap_err()
                .problem
                .contains("increase")
        );
        assert!(parse_schedule("0").unwrap_err().problem.contains("'0'"));
        assert!(parse_schedule("three").is_err());
    }

    #[test]
    fn intervention_dates_must_come_in_order() {
        let d = |s: &str| Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let ok = InterventionDates {
            applied_on: d("2026-01-05"),
            decided_on: d("2026-01-20"),
            started_on: None,
            ended_on: d("2026-06-01"),
        };
        assert!(ok.validate().is_ok());
        let bad = InterventionDates {
            applied_on: d("2026-01-05"),
            decided_on: d("2026-01-02"),
            started_on: None,
            ended_on: None,
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(err.field, "decided_on");
        assert!(
            err.problem
                .contains("2026-01-02 comes before applied_on (2026-01-05)"),
            "{err}"
        );
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_list_the_choices() {
        for area in LifeArea::ALL {
            assert_eq!(LifeArea::parse(area.as_str()), Ok(*area));
        }
        assert_eq!(TimePoint::parse("follow_up"), Ok(TimePoint::FollowUp));
        let err = GoalOutcome::parse("done").unwrap_err();
        assert_eq!(err.field, "outcome");
        assert!(err.problem.contains("achieved, partly_achieved"), "{err}");
        assert_eq!(Respondent::parse(" staff "), Ok(Respondent::Staff));
    }
}
