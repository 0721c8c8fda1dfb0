//! The organisation tree: nation → county → municipality → unit.
//!
//! Every node has a code, and the code alone says where the node sits: `SE` is the nation, two
//! digits a county (länskod), four digits a municipality (kommunkod, whose first two digits are
//! its county), and a municipality code, a dash and a number a unit (`0180-0007`). So the level
//! and the parent of a node are derived from its code, never stored apart from it.
//!
//! # Layout
//! - this module: [`OrgCode`], [`OrgLevel`], [`OrgNode`], units and their providers.
//! - [`registry`]: Sweden's 21 counties and 290 municipalities, embedded from `data/sweden/`.
//! - [`support`]: regional support structures and their dialog partners.

pub mod registry;
pub mod support;

use crate::DomainError;
use crate::text::Name;
use serde::{Deserialize, Serialize};

/// The code of the root of the tree, Sweden.
pub const NATION_CODE: &str = "SE";

/// The level of a node in the organisation tree, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgLevel {
    /// Sweden as a whole.
    Nation,
    /// A county (län), with its regional support structure.
    County,
    /// A municipality (kommun), the principal of social services.
    Municipality,
    /// A unit (enhet) that delivers interventions, run by the municipality or a private provider.
    Unit,
}

impl OrgLevel {
    /// Every level, from the top of the tree down.
    pub const ALL: [OrgLevel; 4] = [Self::Nation, Self::County, Self::Municipality, Self::Unit];

    /// The level as stored and as written in URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nation => "nation",
            Self::County => "county",
            Self::Municipality => "municipality",
            Self::Unit => "unit",
        }
    }

    /// Parses the stored / URL form of a level.
    ///
    /// # Errors
    /// When `raw` is not one of `nation`, `county`, `municipality`, `unit`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str() == raw)
            .ok_or_else(|| {
                DomainError::new(
                    "level",
                    format!("'{raw}' is not one of nation, county, municipality, unit"),
                )
            })
    }
}

/// The code of a node in the organisation tree; its shape proves its level (see the module
/// documentation).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct OrgCode(String);

/// Most digits a unit's number may have after the dash.
const MAX_UNIT_DIGITS: usize = 6;

impl OrgCode {
    /// The nation's code.
    pub fn nation() -> Self {
        Self(NATION_CODE.to_owned())
    }

    /// Validates `raw` as an organisation code of any level.
    ///
    /// # Errors
    /// When `raw` is not `SE`, two digits, four digits, or four digits, a dash and 1–6 digits.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let valid = raw == NATION_CODE
            || (matches!(raw.len(), 2 | 4) && all_digits(raw))
            || raw.split_once('-').is_some_and(|(municipality, number)| {
                municipality.len() == 4
                    && all_digits(municipality)
                    && number.len() <= MAX_UNIT_DIGITS
                    && all_digits(number)
            });
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::new(
                "code",
                format!(
                    "'{raw}' is not an organisation code (SE, a two-digit county code, \
                     a four-digit municipality code, or a unit code like 0180-0001)"
                ),
            ))
        }
    }

    /// Validates `raw` as a code of the given level.
    ///
    /// # Errors
    /// When `raw` is not a code, or is the code of another level.
    pub fn parse_at(field: &'static str, raw: &str, level: OrgLevel) -> Result<Self, DomainError> {
        let code = Self::parse(raw).map_err(|e| DomainError::new(field, e.problem))?;
        if code.level() == level {
            Ok(code)
        } else {
            Err(DomainError::new(
                field,
                format!(
                    "'{raw}' is a {} code, not a {} code",
                    code.level().as_str(),
                    level.as_str()
                ),
            ))
        }
    }

    /// The code of unit number `number` in `municipality`.
    ///
    /// # Panics
    /// When `municipality` is not a municipality code: that is a programming error.
    pub fn unit(municipality: &OrgCode, number: u32) -> Self {
        assert_eq!(
            municipality.level(),
            OrgLevel::Municipality,
            "units sit under municipalities"
        );
        Self(format!("{}-{number:04}", municipality.0))
    }

    /// The level this code belongs to.
    pub fn level(&self) -> OrgLevel {
        match self.0.len() {
            _ if self.0 == NATION_CODE => OrgLevel::Nation,
            2 => OrgLevel::County,
            4 => OrgLevel::Municipality,
            _ => OrgLevel::Unit,
        }
    }

    /// The code of the node directly above this one; `None` for the nation.
    pub fn parent(&self) -> Option<OrgCode> {
        match self.level() {
            OrgLevel::Nation => None,
            OrgLevel::County => Some(Self::nation()),
            OrgLevel::Municipality => Some(Self(self.0[..2].to_owned())),
            OrgLevel::Unit => Some(Self(self.0[..4].to_owned())),
        }
    }

    /// This code and every code above it, from the nation down to this one.
    pub fn lineage(&self) -> Vec<OrgCode> {
        let mut codes = vec![self.clone()];
        while let Some(parent) = codes.last().and_then(OrgCode::parent) {
            codes.push(parent);
        }
        codes.reverse();
        codes
    }

    /// Whether `self` is `other` or lies below it in the tree.
    pub fn is_within(&self, other: &OrgCode) -> bool {
        self.lineage().contains(other)
    }

    /// The authority (huvudman) whose social services hold the records of a unit or a
    /// municipality: the municipality. Secrecy applies between authorities, so clients are
    /// pseudonymised per authority. `None` above the municipalities.
    pub fn authority(&self) -> Option<OrgCode> {
        match self.level() {
            OrgLevel::Municipality => Some(self.clone()),
            OrgLevel::Unit => Some(Self(self.0[..4].to_owned())),
            OrgLevel::Nation | OrgLevel::County => None,
        }
    }

    /// The number of a unit code (the part after the dash); `None` for other levels.
    pub fn unit_number(&self) -> Option<u32> {
        let (_, number) = self.0.split_once('-')?;
        number.parse().ok()
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrgCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One node of the organisation tree, as listed by the registry and the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgNode {
    /// The node's code.
    pub code: OrgCode,
    /// Its name, e.g. "Uppsala län", "Uppsala", "Hemtjänst Gränby".
    pub name: String,
    /// Its level (always `code.level()`, repeated for readers of JSON).
    pub level: OrgLevel,
    /// The code of the node above; `None` only for the nation.
    pub parent: Option<OrgCode>,
}

impl OrgNode {
    /// Builds a node, deriving level and parent from the code.
    pub fn new(code: OrgCode, name: impl Into<String>) -> Self {
        Self {
            level: code.level(),
            parent: code.parent(),
            name: name.into(),
            code,
        }
    }
}

/// Who runs a unit: the municipality itself, or a private provider (alternativ utförare) that
/// the municipality purchases from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Run by the municipality (kommunal regi).
    Public,
    /// Run by a private company or non-profit, purchased by the municipality.
    Private,
}

impl Provider {
    /// The provider kind as stored and written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }

    /// Parses the stored / JSON form.
    ///
    /// # Errors
    /// When `raw` is neither `public` nor `private`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "public" => Ok(Self::Public),
            "private" => Ok(Self::Private),
            _ => Err(DomainError::new(
                "provider",
                format!("'{raw}' is neither public nor private"),
            )),
        }
    }
}

/// The area of social services a unit works in; the areas follow the way Swedish social
/// services are organised and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitArea {
    /// Äldreomsorg: home help, special housing, day activities for older people.
    ElderlyCare,
    /// Funktionshinder: support under LSS and SoL for people with disabilities.
    Disability,
    /// Individ- och familjeomsorg: adults, substance abuse, financial assistance.
    IndividualFamily,
    /// Barn och unga: children and young people, incl. placements.
    ChildrenYouth,
    /// Anything else.
    Other,
}

impl UnitArea {
    /// Every area, in the order forms and reports list them.
    pub const ALL: [UnitArea; 5] = [
        Self::ElderlyCare,
        Self::Disability,
        Self::IndividualFamily,
        Self::ChildrenYouth,
        Self::Other,
    ];

    /// The area as stored and written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ElderlyCare => "elderly_care",
            Self::Disability => "disability",
            Self::IndividualFamily => "individual_family",
            Self::ChildrenYouth => "children_youth",
            Self::Other => "other",
        }
    }

    /// Parses the stored / JSON form.
    ///
    /// # Errors
    /// When `raw` is not one of the areas.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == raw)
            .ok_or_else(|| {
                DomainError::new(
                    "area",
                    format!(
                        "'{raw}' is not one of elderly_care, disability, individual_family, \
                     children_youth, other"
                    ),
                )
            })
    }
}

/// A unit as Evident holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// The unit's code, e.g. `0380-0003`.
    pub code: OrgCode,
    /// Its name.
    pub name: Name,
    /// The municipality it sits under: for a private provider, the municipality that
    /// purchases from it.
    pub municipality: OrgCode,
    /// Who runs it.
    pub provider: Provider,
    /// For a private provider, the company or organisation that runs the unit.
    pub operator: Option<Name>,
    /// The area of social services it works in.
    pub area: UnitArea,
}

/// What can be said about a unit, with every rule about how the parts fit together checked:
/// a private unit names its operator, a public one does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitUpdate {
    /// The unit's name.
    pub name: Name,
    /// Who runs it.
    pub provider: Provider,
    /// The private operator; `Some` exactly when `provider` is private.
    pub operator: Option<Name>,
    /// The area it works in.
    pub area: UnitArea,
}

impl UnitUpdate {
    /// Validates the parts of a unit description, as typed in a form or sent as JSON.
    ///
    /// # Errors
    /// When a part is invalid, a private unit has no operator, or a public unit has one.
    pub fn parse(
        name: &str,
        provider: &str,
        operator: Option<&str>,
        area: &str,
    ) -> Result<Self, DomainError> {
        Self::try_new(
            name,
            Provider::parse(provider)?,
            operator,
            UnitArea::parse(area)?,
        )
    }

    /// Validates a unit description whose provider and area are already typed.
    ///
    /// # Errors
    /// As [`UnitUpdate::parse`].
    pub fn try_new(
        name: &str,
        provider: Provider,
        operator: Option<&str>,
        area: UnitArea,
    ) -> Result<Self, DomainError> {
        let name = Name::parse("name", name)?;
        let operator = operator.filter(|o| !o.trim().is_empty());
        let operator = match (provider, operator) {
            (Provider::Private, Some(raw)) => Some(Name::parse("operator", raw)?),
            (Provider::Private, None) => {
                return Err(DomainError::new(
                    "operator",
                    "a private provider unit must name the company or organisation that runs it",
                ));
            }
            (Provider::Public, Some(_)) => {
                return Err(DomainError::new(
                    "operator",
                    "only private provider units have an operator; a public unit is run by its municipality",
                ));
            }
            (Provider::Public, None) => None,
        };
        Ok(Self {
            name,
            provider,
            operator,
            area,
        })
    }
}

/// A unit to create under a municipality; its code is assigned when it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// The municipality the unit sits under (for a private unit: the purchaser).
    pub municipality: OrgCode,
    /// Everything else about the unit.
    pub details: UnitUpdate,
}

impl NewUnit {
    /// Validates a new unit.
    ///
    /// # Errors
    /// When `municipality` is not a municipality code, or the details are invalid.
    pub fn parse(municipality: &str, details: UnitUpdate) -> Result<Self, DomainError> {
        let municipality = OrgCode::parse_at("municipality", municipality, OrgLevel::Municipality)?;
        Ok(Self {
            municipality,
            details,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> OrgCode {
        OrgCode::parse(raw).unwrap()
    }

    #[test]
    fn the_shape_of_a_code_gives_its_level_and_parent() {
        let cases = [
            ("SE", OrgLevel::Nation, None),
            ("03", OrgLevel::County, Some("SE")),
            ("0380", OrgLevel::Municipality, Some("03")),
            ("0380-0012", OrgLevel::Unit, Some("0380")),
            ("0380-7", OrgLevel::Unit, Some("0380")),
        ];
        for (raw, level, parent) in cases {
            let c = code(raw);
            assert_eq!(c.level(), level, "{raw}");
            assert_eq!(c.parent().as_ref().map(OrgCode::as_str), parent, "{raw}");
        }
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for bad in [
            "",
            "S",
            "se",
            "3",
            "038",
            "03800",
            "0380-",
            "038-0001",
            "0380-1234567",
            "0380-12a",
            "-0380",
        ] {
            let err = OrgCode::parse(bad).unwrap_err();
            assert_eq!(err.field, "code", "{bad:?}");
        }
    }

    #[test]
    fn a_code_of_the_wrong_level_is_rejected_naming_both_levels() {
        let err = OrgCode::parse_at("municipality", "03", OrgLevel::Municipality).unwrap_err();
        assert_eq!(err.field, "municipality");
        assert!(
            err.problem.contains("county code, not a municipality code"),
            "{err}"
        );
    }

    #[test]
    fn lineage_runs_from_the_nation_down_and_defines_within() {
        let unit = code("0380-0002");
        let lineage: Vec<_> = unit.lineage().iter().map(|c| c.to_string()).collect();
        assert_eq!(lineage, ["SE", "03", "0380", "0380-0002"]);
        assert!(unit.is_within(&code("03")));
        assert!(unit.is_within(&unit));
        assert!(!unit.is_within(&code("0381")));
        assert!(!code("03").is_within(&unit));
    }

    #[test]
    fn unit_codes_are_padded_and_numbered() {
        let c = OrgCode::unit(&code("0180"), 7);
        assert_eq!(c.as_str(), "0180-0007");
        assert_eq!(c.unit_number(), Some(7));
        assert_eq!(
            OrgCode::unit(&code("0180"), 123_456).unit_number(),
            Some(123_456)
        );
        assert_eq!(code("0180").unit_number(), None);
    }

    #[test]
    fn levels_providers_and_areas_round_trip_through_text() {
        for level in OrgLevel::ALL {
            assert_eq!(OrgLevel::parse(level.as_str()), Ok(level));
        }
        for area in UnitArea::ALL {
            assert_eq!(UnitArea::parse(area.as_str()), Ok(area));
        }
        assert_eq!(Provider::parse("private"), Ok(Provider::Private));
        assert_eq!(OrgLevel::parse("region").unwrap_err().field, "level");
        assert_eq!(UnitArea::parse("elderly").unwrap_err().field, "area");
        assert_eq!(Provider::parse("Public").unwrap_err().field, "provider");
    }

    #[test]
    fn a_private_unit_needs_an_operator_and_a_public_one_must_not_have_one() {
        let ok = UnitUpdate::parse(
            "HVB Tallbacken",
            "private",
            Some("Nordvård AB"),
            "children_youth",
        )
        .unwrap();
        assert_eq!(ok.operator.unwrap().as_str(), "Nordvård AB");
        let missing = UnitUpdate::parse("HVB Tallbacken", "private", Some("  "), "children_youth");
        assert_eq!(missing.unwrap_err().field, "operator");
        let extra = UnitUpdate::parse(
            "Hemtjänst Norr",
            "public",
            Some("Nordvård AB"),
            "elderly_care",
        );
        assert_eq!(extra.unwrap_err().field, "operator");
        let public = UnitUpdate::parse("Hemtjänst Norr", "public", None, "elderly_care").unwrap();
        assert_eq!(public.operator, None);
    }

    #[test]
    fn a_new_unit_must_sit_under_a_municipality() {
        let details = UnitUpdate::parse("Hemtjänst Norr", "public", None, "elderly_care").unwrap();
        assert!(NewUnit::parse("0380", details.clone()).is_ok());
        assert_eq!(
            NewUnit::parse("03", details.clone()).unwrap_err().field,
            "municipality"
        );
        assert_eq!(
            NewUnit::parse("x", details).unwrap_err().field,
            "municipality"
        );
    }
}
