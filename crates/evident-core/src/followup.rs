//! The vocabulary of local follow-up: intervention types (a catalogue embedded from
//! `data/interventions/`), legal bases, life areas for needs, goal outcomes, measurement time
//! points and respondents.

use crate::DomainError;
use crate::org::UnitArea;
use serde::Serialize;

const CATALOGUE_CSV: &str = include_str!("../../../data/interventions/catalogue.csv");

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
