//! User-defined comparison groups: a named set of municipalities whose published values are
//! averaged on a municipality's profile, next to the automatic group of similar size.

use crate::error::DomainError;
use crate::org::registry::Registry;
use crate::org::{OrgCode, OrgLevel};
use crate::text::Name;
use serde::Serialize;

/// The most members a group may have: every municipality.
const MAX_MEMBERS: usize = 290;

/// A group as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparisonGroup {
    /// Its id.
    pub id: i64,
    /// Its name, unique.
    pub name: Name,
    /// The user who made it (`None` for the system).
    pub created_by: Option<i64>,
    /// Its municipalities, in code order.
    pub members: Vec<OrgCode>,
}

/// A checked new group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComparisonGroup {
    /// Its name.
    pub name: Name,
    /// Its municipalities, in code order, without repeats.
    pub members: Vec<OrgCode>,
}

impl NewComparisonGroup {
    /// Checks a name and a list of municipality codes separated by commas, semicolons or
    /// white space: at least two distinct municipalities, each in the registry.
    ///
    /// # Errors
    /// Names the field (`name` or `members`) and the code that is wrong.
    pub fn parse(name: &str, members: &str) -> Result<Self, DomainError> {
        let name = Name::parse("name", name)?;
        let registry = Registry::sweden();
        let mut codes = Vec::new();
        for raw in members
            .split([',', ';', ' ', '\n', '\r', '\t'])
            .filter(|s| !s.is_empty())
        {
            let code = OrgCode::parse_at("members", raw, OrgLevel::Municipality)?;
            if registry.find(&code).is_none() {
                return Err(DomainError::new(
                    "members",
                    format!("'{raw}' is not a Swedish municipality code"),
                ));
            }
            codes.push(code);
        }
        codes.sort();
        codes.dedup();
        if codes.len() < 2 {
            return Err(DomainError::new(
                "members",
                "a comparison group needs at least two different municipalities",
            ));
        }
        if codes.len() > MAX_MEMBERS {
            return Err(DomainError::new(
                "members",
                "more municipalities than Sweden has",
            ));
        }
        Ok(Self {
            name,
            members: codes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_deduplicated_sorted_and_checked_against_the_registry() {
        let group = NewComparisonGroup::parse("Storstäder", "1480, 0180;1280 0180").unwrap();
        let codes: Vec<&str> = group.members.iter().map(OrgCode::as_str).collect();
        assert_eq!(codes, ["0180", "1280", "1480"]);

        let unknown = NewComparisonGroup::parse("X", "0180,0999").unwrap_err();
        assert_eq!(unknown.field, "members");
        assert!(unknown.problem.contains("0999"), "{}", unknown.problem);

        let county = NewComparisonGroup::parse("X", "0180,03").unwrap_err();
        assert_eq!(county.field, "members");

        let one = NewComparisonGroup::parse("X", "0180, 0180").unwrap_err();
        assert!(one.problem.contains("at least two"));

        assert_eq!(
            NewComparisonGroup::parse(" ", "0180,1480")
                .unwrap_err()
                .field,
            "name"
        );
    }
}
