//! Access control: roles granted on nodes of the organisation tree, and the one policy
//! function, [`decide`], that says whether a user may do something. Every handler asks it;
//! nothing else decides. Deny is the default: access exists only where a rule below grants it.
//!
//! A grant holds for its node and everything below it. What a role allows:
//!
//! | role | read | write | manage |
//! |---|---|---|---|
//! | practitioner | identified, pseudonymous, aggregate | identified client data | — |
//! | unit_manager | identified, pseudonymous, aggregate | identified client data | users (practitioner, unit_manager) |
//! | municipality_analyst | pseudonymous, aggregate | — | — |
//! | regional_leader | aggregate | — | support structure |
//! | national_analyst | aggregate | — | — |
//! | grant_admin | aggregate | — | agreements and grants |
//! | auditor | — | — | reads the audit trail |
//! | admin | — | — | users (any role), organisation registry, support structures |
//!
//! Every role may read public data (the organisation registry) anywhere.
//!
//! # Layout
//! - this module: [`Role`], [`Grant`], [`Action`], [`DataClass`] and [`decide`].
//! - [`account`]: staff users, sessions and personal access tokens.
//! - [`credentials`]: password hashing (Argon2id) and random secrets stored only as digests.
//! - [`granting`]: who may hand out which role to whom: [`granting::decide_grant`], the
//!   accounts a manager may change, and the second person's approval ("four eyes").
//! - [`audit`]: audit events and the hash chain that makes the trail tamper-evident.
//! - [`throttle`]: sign-in throttling: accounts lock, addresses slow down.

pub mod account;
pub mod audit;
pub mod break_glass;
pub mod credentials;
pub mod granting;
pub mod throttle;

use crate::DomainError;
use crate::org::{OrgCode, OrgLevel};
use serde::Serialize;

/// A role, granted on a node of the organisation tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Caseworker: identified client data of the units granted.
    Practitioner,
    /// As practitioner, plus the unit's results and its users.
    UnitManager,
    /// Pseudonymous, unit-level results within a municipality; never identified data.
    MunicipalityAnalyst,
    /// Aggregates for a county and its municipalities; the county's support structure.
    RegionalLeader,
    /// Aggregates only, after disclosure control.
    NationalAnalyst,
    /// Agreements and grants.
    GrantAdmin,
    /// The audit trail.
    Auditor,
    /// Users and the organisation registry.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 8] = [
        Self::Practitioner,
        Self::UnitManager,
        Self::MunicipalityAnalyst,
        Self::RegionalLeader,
        Self::NationalAnalyst,
        Self::GrantAdmin,
        Self::Auditor,
        Self::Admin,
    ];

    /// The role's name as stored, typed on the command line and shown in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Practitioner => "practitioner",
            Self::UnitManager => "unit_manager",
            Self::MunicipalityAnalyst => "municipality_analyst",
            Self::RegionalLeader => "regional_leader",
            Self::NationalAnalyst => "national_analyst",
            Self::GrantAdmin => "grant_admin",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    /// Parses a role's name.
    ///
    /// # Errors
    /// When `raw` names no role; the message lists them.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|r| r.as_str()).collect();
                DomainError::new(
                    "role",
                    format!("'{raw}' is not a role; the roles are {}", names.join(", ")),
                )
            })
    }

    /// The levels of the tree this role can be granted on.
    pub fn grantable_levels(self) -> &'static [OrgLevel] {
        use OrgLevel::*;
        match self {
            Self::Practitioner | Self::UnitManager => &[Unit, Municipality],
            Self::MunicipalityAnalyst => &[Municipality],
            Self::RegionalLeader => &[County],
            Self::NationalAnalyst => &[Nation],
            Self::GrantAdmin => &[Nation, County, Municipality],
            // The trail is not partitioned by organisation, so only the whole of it can be granted.
            Self::Auditor => &[Nation],
            Self::Admin => &[Nation, County, Municipality, Unit],
        }
    }

    /// Whether this role, on a node covering the target, allows `action` on data of `class`.
    pub fn allows(self, action: Action, class: DataClass) -> bool {
        use Action::*;
        use DataClass::*;
        use Role::*;
        match (action, class) {
            (Read, Public) => true,
            (Read, Identified) | (Write, Identified) => matches!(self, Practitioner | UnitManager),
            (Read, Pseudonymous) => {
                matches!(self, Practitioner | UnitManager | MunicipalityAnalyst)
            }
            (Read, Aggregate) => matches!(
                self,
                Practitioner
                    | UnitManager
                    | MunicipalityAnalyst
                    | RegionalLeader
                    | NationalAnalyst
                    | GrantAdmin
            ),
            (Write, _) => false,
            (ManageOrganisation, _) => self == Admin,
            (ManageSupportStructure, _) => matches!(self, Admin | RegionalLeader),
            (ManageUsers, _) => matches!(self, Admin | UnitManager),
            (ManageGrants, _) => self == GrantAdmin,
            (ReadAudit, _) => self == Auditor,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role on a node: valid for the node and its whole subtree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The node it is granted on.
    pub org: OrgCode,
}

impl Grant {
    /// A grant, checked for a level the role can be granted on.
    ///
    /// # Errors
    /// When the role cannot be granted at the node's level (a regional leader on a unit).
    pub fn try_new(role: Role, org: OrgCode) -> Result<Self, DomainError> {
        if role.grantable_levels().contains(&org.level()) {
            Ok(Self { role, org })
        } else {
            let levels: Vec<_> = role.grantable_levels().iter().map(|l| l.as_str()).collect();
            Err(DomainError::new(
                "org",
                format!(
                    "{role} is granted on a {}, not on a {} ({org})",
                    levels.join(" or "),
                    org.level().as_str()
                ),
            ))
        }
    }
}

/// What someone wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read data of a class.
    Read,
    /// Create or change data of a class (client data is the only writable class).
    Write,
    /// Create and edit units and the registry.
    ManageOrganisation,
    /// Edit a county's support structure and its dialog partners.
    ManageSupportStructure,
    /// Create users and grant or revoke their roles.
    ManageUsers,
    /// Agreements, allocations, payments.
    ManageGrants,
    /// Read the audit trail.
    ReadAudit,
}

impl Action {
    /// The action's name, for messages and the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::ManageOrganisation => "manage_organisation",
            Self::ManageSupportStructure => "manage_support_structure",
            Self::ManageUsers => "manage_users",
            Self::ManageGrants => "manage_grants",
            Self::ReadAudit => "read_audit",
        }
    }
}

/// How sensitive the data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataClass {
    /// About an identifiable client (pseudonym, cases, measurements).
    Identified,
    /// Per unit or per client without identity (unit-level results).
    Pseudonymous,
    /// Aggregates after disclosure control.
    Aggregate,
    /// Public information: the organisation registry, units, support structures.
    Public,
}

impl DataClass {
    /// The class's name, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identified => "identified",
            Self::Pseudonymous => "pseudonymous",
            Self::Aggregate => "aggregate",
            Self::Public => "public",
        }
    }
}

/// The answer of [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// No grant allows it. `roles` are the roles that would, if granted on the target or above.
    Deny {
        /// Roles that would allow the access.
        roles: Vec<Role>,
    },
}

impl Decision {
    /// Whether access is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Self::Allow)
    }
}

/// Decides whether a user holding `grants` may perform `action` on data of `class` that
/// belongs to the node `target`. The single place where access is decided.
pub fn decide(grants: &[Grant], action: Action, target: &OrgCode, class: DataClass) -> Decision {
    let public_read = action == Action::Read && class == DataClass::Public;
    let allowed = grants.iter().any(|grant| {
        grant.role.allows(action, class) && (public_read || target.is_within(&grant.org))
    });
    if allowed {
        Decision::Allow
    } else {
        Decision::Deny {
            roles: Role::ALL
                .into_iter()
                .filter(|r| r.allows(action, class))
                .collect(),
        }
    }
}

/// Whether a user holding `grants` may change agreements and their money (import documents,
/// record requisitions, payments, repayments and reports): grant_admin on the nation. Pages use
/// it to decide whether to offer the forms; the writes themselves still go through [`decide`]
/// with the same question, so the two cannot drift apart.
pub fn may_manage_agreements(grants: &[Grant]) -> bool {
    decide(
        grants,
        Action::ManageGrants,
        &OrgCode::nation(),
        DataClass::Public,
    )
    .is_allowed()
}

/// Whether a user holding `grants` may read the audit trail (it is not partitioned by
/// organisation, so this is a grant on the nation).
pub fn may_read_audit(grants: &[Grant]) -> bool {
    decide(
        grants,
        Action::ReadAudit,
        &OrgCode::nation(),
        DataClass::Public,
    )
    .is_allowed()
}

/// The roles that make and remove comparison groups: the analysts, from municipality level
/// up, and admins. A group is a named set of municipalities shown to everyone next to each
/// profile, so it is not for auditors (who only read the trail), grant administrators, or
/// unit staff.
const GROUP_MAKERS: [Role; 4] = [
    Role::MunicipalityAnalyst,
    Role::RegionalLeader,
    Role::NationalAnalyst,
    Role::Admin,
];

/// Decides whether a user holding `grants` may create comparison groups. Groups are public and
/// not tied to a node, so a maker's role counts wherever it is granted.
pub fn decide_comparison_groups(grants: &[Grant]) -> Decision {
    if grants.iter().any(|g| GROUP_MAKERS.contains(&g.role)) {
        Decision::Allow
    } else {
        Decision::Deny {
            roles: GROUP_MAKERS.to_vec(),
        }
    }
}

/// Whether the user `user_id`, holding `grants`, may delete a comparison group made by
/// `created_by`: its creator while they still may make groups, or an admin.
pub fn may_delete_comparison_group(
    grants: &[Grant],
    user_id: i64,
    created_by: Option<i64>,
) -> bool {
    (created_by == Some(user_id) && decide_comparison_groups(grants).is_allowed())
        || grants.iter().any(|g| g.role == Role::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use DataClass::*;
    use Role::*;

    /// Where the target sits relative to the node a role is granted on.
    #[derive(Debug, Clone, Copy)]
    enum Place {
        Same,
        Sibling,
        Parent,
        OtherCounty,
    }

    const PLACES: [Place; 4] = [
        Place::Same,
        Place::Sibling,
        Place::Parent,
        Place::OtherCounty,
    ];

    /// The node each role is granted on in the matrix, and the targets around it.
    fn granted_on(role: Role) -> &'static str {
        match role {
            Practitioner | UnitManager => "0380-0001",
            MunicipalityAnalyst | GrantAdmin | Admin => "0380",
            RegionalLeader => "03",
            NationalAnalyst | Auditor => "SE",
        }
    }

    fn target(granted: &str, place: Place) -> &'static str {
        match (granted, place) {
            ("0380-0001", Place::Same) => "0380-0001",
            ("0380-0001", Place::Sibling) => "0380-0002",
            ("0380-0001", Place::Parent) => "0380",
            ("0380", Place::Same) => "0380-0001", // a unit of the municipality
            ("0380", Place::Sibling) => "0381-0001",
            ("0380", Place::Parent) => "03",
            ("03", Place::Same) => "0380-0001",
            ("03", Place::Sibling) => "0480-0001",
            ("03", Place::Parent) => "SE",
            ("SE", Place::Same | Place::Sibling | Place::Parent) => "0380-0001",
            (_, Place::OtherCounty) => "1480-0001",
            _ => unreachable!(),
        }
    }

    /// The expected answer for every role × (action, class) × place. `S` = allowed only on
    /// the granted subtree (same), `A` = allowed everywhere, `-` = denied everywhere.
    /// Columns: Read Identified, Read Pseudonymous, Read Aggregate, Read Public, Write
    /// Identified, ManageOrganisation, ManageSupportStructure, ManageUsers, ManageGrants,
    /// ReadAudit.
    const MATRIX: [(Role, &str); 8] = [
        (Practitioner, "SSSA S-----"),
        (UnitManager, "SSSA S--S--"),
        (MunicipalityAnalyst, "-SSA ------"),
        (RegionalLeader, "--SA --S---"),
        (NationalAnalyst, "--AA ------"),
        (GrantAdmin, "--SA ----S-"),
        (Auditor, "---A -----A"),
        (Admin, "---A -SSS--"),
    ];

    const COLUMNS: [(Action, DataClass); 10] = [
        (Read, Identified),
        (Read, Pseudonymous),
        (Read, Aggregate),
        (Read, Public),
        (Write, Identified),
        (ManageOrganisation, Public),
        (ManageSupportStructure, Public),
        (ManageUsers, Public),
        (ManageGrants, Public),
        (ReadAudit, Public),
    ];

    fn code(raw: &str) -> OrgCode {
        OrgCode::parse(raw).unwrap()
    }

    #[test]
    fn every_role_action_and_place_gets_the_answer_in_the_matrix() {
        let mut checked = 0;
        for (role, row) in MATRIX {
            let expected: Vec<char> = row.chars().filter(|c| *c != ' ').collect();
            assert_eq!(expected.len(), COLUMNS.len(), "row for {role}");
            let granted = granted_on(role);
            let grants = [Grant::try_new(role, code(granted)).unwrap()];
            for ((action, class), rule) in COLUMNS.into_iter().zip(expected) {
                for place in PLACES {
                    let target = code(target(granted, place));
                    // Everything lies within the nation; elsewhere only the granted node's subtree.
                    let within = matches!(place, Place::Same) || granted == "SE";
                    let want = match rule {
                        'A' => true,
                        'S' => within,
                        '-' => false,
                        other => panic!("bad rule {other}"),
                    };
                    let got = decide(&grants, action, &target, class).is_allowed();
                    assert_eq!(
                        got, want,
                        "{role} {action:?} {class:?} on {target} ({place:?}, granted on {granted})"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 8 * 10 * 4);
    }

    #[test]
    fn no_grants_means_no_access_at_all() {
        for (action, class) in COLUMNS {
            assert!(
                !decide(&[], action, &code("0380-0001"), class).is_allowed(),
                "{action:?} {class:?}"
            );
        }
    }

    #[test]
    fn several_grants_add_up() {
        let grants = [
            Grant::try_new(Practitioner, code("0380-0001")).unwrap(),
            Grant::try_new(Practitioner, code("1480-0003")).unwrap(),
        ];
        assert!(decide(&grants, Read, &code("1480-0003"), Identified).is_allowed());
        assert!(!decide(&grants, Read, &code("1480-0004"), Identified).is_allowed());
    }

    #[test]
    fn a_denial_names_the_roles_that_would_allow_it() {
        let grants = [Grant::try_new(MunicipalityAnalyst, code("0380")).unwrap()];
        let decision = decide(&grants, Read, &code("0380-0001"), Identified);
        assert_eq!(
            decision,
            Decision::Deny {
                roles: vec![Practitioner, UnitManager]
            }
        );
    }

    #[test]
    fn only_a_grant_admin_on_the_nation_may_manage_agreements() {
        let holding = |role, org| [Grant::try_new(role, code(org)).unwrap()];
        assert!(may_manage_agreements(&holding(GrantAdmin, "SE")));
        assert!(!may_manage_agreements(&holding(GrantAdmin, "03")));
        assert!(!may_manage_agreements(&holding(GrantAdmin, "0380")));
        for role in Role::ALL.into_iter().filter(|r| *r != GrantAdmin) {
            let org = role.grantable_levels()[0];
            let org = match org {
                OrgLevel::Nation => "SE",
                OrgLevel::County => "03",
                OrgLevel::Municipality => "0380",
                OrgLevel::Unit => "0380-0001",
            };
            assert!(!may_manage_agreements(&holding(role, org)), "{role}");
        }
        assert!(!may_manage_agreements(&[]));
        let several = [
            Grant::try_new(Admin, code("SE")).unwrap(),
            Grant::try_new(GrantAdmin, code("SE")).unwrap(),
        ];
        assert!(may_manage_agreements(&several));
    }

    #[test]
    fn roles_are_granted_only_at_levels_that_make_sense() {
        assert!(Grant::try_new(RegionalLeader, code("03")).is_ok());
        let err = Grant::try_new(RegionalLeader, code("0380-0001")).unwrap_err();
        assert_eq!(err.field, "org");
        assert!(
            err.problem
                .contains("regional_leader is granted on a county"),
            "{err}"
        );
        assert!(Grant::try_new(NationalAnalyst, code("03")).is_err());
        assert!(Grant::try_new(Practitioner, code("SE")).is_err());
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(
            Role::parse("superuser")
                .unwrap_err()
                .problem
                .contains("practitioner, unit_manager")
        );
    }

    fn grants(list: &[(Role, &str)]) -> Vec<Grant> {
        list.iter()
            .map(|(role, org)| Grant::try_new(*role, code(org)).unwrap())
            .collect()
    }

    #[test]
    fn only_auditors_read_the_trail() {
        assert!(may_read_audit(&grants(&[(Auditor, "SE")])));
        for (role, org) in [(Admin, "SE"), (NationalAnalyst, "SE"), (GrantAdmin, "SE")] {
            assert!(!may_read_audit(&grants(&[(role, org)])), "{role}");
        }
    }

    #[test]
    fn analysts_and_admins_make_comparison_groups_and_auditors_and_unit_staff_do_not() {
        for (role, org, allowed) in [
            (MunicipalityAnalyst, "0380", true),
            (RegionalLeader, "03", true),
            (NationalAnalyst, "SE", true),
            (Admin, "0380-0001", true),
            (Auditor, "SE", false),
            (GrantAdmin, "SE", false),
            (Practitioner, "0380-0001", false),
            (UnitManager, "0380-0001", false),
        ] {
            assert_eq!(
                decide_comparison_groups(&grants(&[(role, org)])).is_allowed(),
                allowed,
                "{role}"
            );
        }
        assert!(!decide_comparison_groups(&[]).is_allowed());
    }

    #[test]
    fn a_comparison_group_is_deleted_by_its_creator_or_an_admin() {
        let analyst = grants(&[(MunicipalityAnalyst, "0380")]);
        assert!(may_delete_comparison_group(&analyst, 7, Some(7)));
        assert!(!may_delete_comparison_group(&analyst, 7, Some(8)));
        assert!(!may_delete_comparison_group(&analyst, 7, None));
        assert!(may_delete_comparison_group(
            &grants(&[(Admin, "0380-0001")]),
            7,
            Some(8)
        ));
        // A creator who no longer may make groups no longer removes them.
        let auditor = grants(&[(Auditor, "SE")]);
        assert!(!may_delete_comparison_group(&auditor, 7, Some(7)));
    }
}
