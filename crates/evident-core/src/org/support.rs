//! Regional support structures (regionala stödstrukturer): one per county, the bridge between
//! national knowledge and local practice, each with the dialog partners who speak for it.

use crate::DomainError;
use crate::org::{OrgCode, OrgLevel};
use crate::text::{Email, Name};
use serde::Serialize;

/// The support structure of one county and its dialog partners.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportStructure {
    /// The county it serves.
    pub county: OrgCode,
    /// Its name, e.g. "Regional stödstruktur Uppsala län".
    pub name: String,
    /// The people to contact, in the order they were added.
    pub partners: Vec<DialogPartner>,
}

impl SupportStructure {
    /// The name a county's support structure gets until someone renames it.
    pub fn default_name(county_name: &str) -> String {
        format!("Regional stödstruktur {county_name}")
    }
}

/// A dialog partner (dialogpartner) of a support structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DialogPartner {
    /// Identifier, unique across all support structures.
    pub id: i64,
    /// The person's name.
    pub name: Name,
    /// Their role, e.g. "Regional utvecklingsledare".
    pub role: Name,
    /// Where to reach them.
    pub email: Email,
}

/// A dialog partner to add to a county's support structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDialogPartner {
    /// The county whose support structure the partner belongs to.
    pub county: OrgCode,
    /// The person's name.
    pub name: Name,
    /// Their role.
    pub role: Name,
    /// Where to reach them.
    pub email: Email,
}

impl NewDialogPartner {
    /// Validates a new dialog partner.
    ///
    /// # Errors
    /// When `county` is not a county code or a field is empty or malformed.
    pub fn parse(county: &str, name: &str, role: &str, email: &str) -> Result<Self, DomainError> {
        Ok(Self {
            county: OrgCode::parse_at("county", county, OrgLevel::County)?,
            name: Name::parse("name", name)?,
            role: Name::parse("role", role)?,
            email: Email::parse("email", email)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialog_partner_must_belong_to_a_county_and_have_a_valid_email() {
        assert!(
            NewDialogPartner::parse(
                "03",
                "Anna Berg",
                "Utvecklingsledare",
                "anna@region.example"
            )
            .is_ok()
        );
        let wrong_level = NewDialogPartner::parse(
            "0380",
            "Anna Berg",
            "Utvecklingsledare",
            "anna@region.example",
        );
        assert_eq!(wrong_level.unwrap_err().field, "county");
        let bad_email =
            NewDialogPartner::parse("03", "Anna Berg", "Utvecklingsledare", "anna.region");
        assert_eq!(bad_email.unwrap_err().field, "email");
        assert_eq!(
            NewDialogPartner::parse("03", "Anna", "", "a@b.se")
                .unwrap_err()
                .field,
            "role"
        );
    }
}
