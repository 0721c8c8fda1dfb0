//! The bodies the API reads and writes. They mirror the domain types but belong to the wire
//! format: they carry OpenAPI schemas and change only with the API's version.

use evident_core::{DialogPartner, OrgLevel, OrgNode, Provider, SupportStructure, Unit, UnitArea};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A level of the organisation tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Sweden.
    Nation,
    /// A county (län).
    County,
    /// A municipality (kommun).
    Municipality,
    /// A unit (enhet).
    Unit,
}

impl From<OrgLevel> for Level {
    fn from(level: OrgLevel) -> Self {
        match level {
            OrgLevel::Nation => Self::Nation,
            OrgLevel::County => Self::County,
            OrgLevel::Municipality => Self::Municipality,
            OrgLevel::Unit => Self::Unit,
        }
    }
}

impl From<Level> for OrgLevel {
    fn from(level: Level) -> Self {
        match level {
            Level::Nation => Self::Nation,
            Level::County => Self::County,
            Level::Municipality => Self::Municipality,
            Level::Unit => Self::Unit,
        }
    }
}

/// Who runs a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// The municipality itself.
    Public,
    /// A private provider purchased by the municipality.
    Private,
}

impl From<Provider> for ProviderKind {
    fn from(provider: Provider) -> Self {
        match provider {
            Provider::Public => Self::Public,
            Provider::Private => Self::Private,
        }
    }
}

impl From<ProviderKind> for Provider {
    fn from(kind: ProviderKind) -> Self {
        match kind {
            ProviderKind::Public => Self::Public,
            ProviderKind::Private => Self::Private,
        }
    }
}

/// The area of social services a unit works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// Äldreomsorg.
    ElderlyCare,
    /// Funktionshinder (LSS and SoL).
    Disability,
    /// Individ- och familjeomsorg.
    IndividualFamily,
    /// Barn och unga.
    ChildrenYouth,
    /// Anything else.
    Other,
}

impl From<UnitArea> for Area {
    fn from(area: UnitArea) -> Self {
        match area {
            UnitArea::ElderlyCare => Self::ElderlyCare,
            UnitArea::Disability => Self::Disability,
            UnitArea::IndividualFamily => Self::IndividualFamily,
            UnitArea::ChildrenYouth => Self::ChildrenYouth,
            UnitArea::Other => Self::Other,
        }
    }
}

impl From<Area> for UnitArea {
    fn from(area: Area) -> Self {
        match area {
            Area::ElderlyCare => Self::ElderlyCare,
            Area::Disability => Self::Disability,
            Area::IndividualFamily => Self::IndividualFamily,
            Area::ChildrenYouth => Self::ChildrenYouth,
            Area::Other => Self::Other,
        }
    }
}

/// A node of the organisation tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrgSummary {
    /// `SE`, a county code (`03`), a municipality code (`0380`) or a unit code (`0380-0001`).
    #[schema(example = "0380")]
    pub code: String,
    /// The node's name.
    #[schema(example = "Uppsala")]
    pub name: String,
    /// The node's level.
    pub level: Level,
    /// The code of the node above; null for the nation.
    #[schema(example = "03")]
    pub parent: Option<String>,
}

impl From<OrgNode> for OrgSummary {
    fn from(node: OrgNode) -> Self {
        Self {
            code: node.code.to_string(),
            name: node.name,
            level: node.level.into(),
            parent: node.parent.map(|p| p.to_string()),
        }
    }
}

/// A node with its place in the tree and, for a unit, its details.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrgDetail {
    /// The node itself.
    #[serde(flatten)]
    pub node: OrgSummary,
    /// Every node above it, from the nation down.
    pub path: Vec<OrgSummary>,
    /// For a unit: who runs it and in what area; null for other levels.
    pub unit: Option<UnitSummary>,
}

/// A unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnitSummary {
    /// The unit's code, assigned by Evident.
    #[schema(example = "0380-0001")]
    pub code: String,
    /// Its name.
    #[schema(example = "Hemtjänst Gränby")]
    pub name: String,
    /// The municipality it sits under; for a private provider, the one that purchases from it.
    #[schema(example = "0380")]
    pub municipality: String,
    /// Who runs it.
    pub provider: ProviderKind,
    /// For a private provider, the company or organisation that runs it.
    pub operator: Option<String>,
    /// The area it works in.
    pub area: Area,
}

impl From<Unit> for UnitSummary {
    fn from(unit: Unit) -> Self {
        Self {
            code: unit.code.to_string(),
            name: unit.name.to_string(),
            municipality: unit.municipality.to_string(),
            provider: unit.provider.into(),
            operator: unit.operator.map(|o| o.to_string()),
            area: unit.area.into(),
        }
    }
}

/// A unit to create. (Its fields repeat [`UnitBody`]'s instead of flattening it, because
/// serde loses the field name of an error inside a flattened struct.)
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewUnitBody {
    /// The municipality the unit sits under (for a private provider: the purchaser).
    #[schema(example = "0380")]
    pub municipality: String,
    /// Its name.
    #[schema(example = "Hemtjänst Gränby")]
    pub name: String,
    /// Who runs it.
    pub provider: ProviderKind,
    /// Required for a private provider, absent for a public unit.
    #[serde(default)]
    pub operator: Option<String>,
    /// The area it works in.
    pub area: Area,
}

impl NewUnitBody {
    /// The unit's description without its municipality.
    pub fn details(&self) -> UnitBody {
        UnitBody {
            name: self.name.clone(),
            provider: self.provider,
            operator: self.operator.clone(),
            area: self.area,
        }
    }
}

/// What can be said about a unit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnitBody {
    /// Its name.
    #[schema(example = "Hemtjänst Gränby")]
    pub name: String,
    /// Who runs it.
    pub provider: ProviderKind,
    /// Required for a private provider, absent for a public unit.
    #[serde(default)]
    pub operator: Option<String>,
    /// The area it works in.
    pub area: Area,
}

/// A county's regional support structure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SupportStructureSummary {
    /// The county it serves.
    #[schema(example = "03")]
    pub county: String,
    /// Its name.
    pub name: String,
    /// Its dialog partners.
    pub partners: Vec<DialogPartnerSummary>,
}

impl From<SupportStructure> for SupportStructureSummary {
    fn from(structure: SupportStructure) -> Self {
        Self {
            county: structure.county.to_string(),
            name: structure.name,
            partners: structure.partners.into_iter().map(Into::into).collect(),
        }
    }
}

/// A dialog partner of a support structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DialogPartnerSummary {
    /// Identifier, for removing the partner.
    pub id: i64,
    /// The person's name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Their e-mail address.
    pub email: String,
}

impl From<DialogPartner> for DialogPartnerSummary {
    fn from(partner: DialogPartner) -> Self {
        Self {
            id: partner.id,
            name: partner.name.to_string(),
            role: partner.role.to_string(),
            email: partner.email.to_string(),
        }
    }
}

/// A dialog partner to add.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewDialogPartnerBody {
    /// The person's name.
    #[schema(example = "Anna Berg")]
    pub name: String,
    /// Their role.
    #[schema(example = "Regional utvecklingsledare")]
    pub role: String,
    /// Their e-mail address.
    #[schema(example = "anna.berg@region.example")]
    pub email: String,
}

/// The answer of the health check.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` when the server and its database answer.
    #[schema(example = "ok")]
    pub status: String,
}
