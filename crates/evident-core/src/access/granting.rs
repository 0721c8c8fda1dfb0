//! Who may hand out which role to whom: [`decide_grant`] for a role on a node, the accounts a
//! manager sees and may change ([`managed_scopes`], [`manages_user`], [`may_change_account`]),
//! and the roles that read identified data, which take a second person's approval ("four
//! eyes", [`grant_needs_approval`], [`may_approve_grant`]).

use crate::access::{Action, DataClass, Decision, Grant, Role, account};
use crate::org::OrgCode;

/// Decides whether a user holding `grants` may grant (or revoke) `role` on `org`: an admin
/// may hand out any role within their subtree, a unit manager only practitioner and
/// unit_manager within theirs.
pub fn decide_grant(grants: &[Grant], role: Role, org: &OrgCode) -> Decision {
    let allowed = grants.iter().any(|grant| {
        org.is_within(&grant.org)
            && match grant.role {
                Role::Admin => true,
                Role::UnitManager => matches!(role, Role::Practitioner | Role::UnitManager),
                _ => false,
            }
    });
    if allowed {
        Decision::Allow
    } else {
        let mut roles = vec![Role::Admin];
        if matches!(role, Role::Practitioner | Role::UnitManager) {
            roles.push(Role::UnitManager);
        }
        Decision::Deny { roles }
    }
}

/// Whether handing out `role` takes a second person's approval ("four eyes"): the roles that
/// read identified data. Nobody may give such a role to themselves, and a grant of one is only
/// a request until someone else who may grant it approves it ([`may_approve_grant`]).
pub fn grant_needs_approval(role: Role) -> bool {
    role.allows(Action::Read, DataClass::Identified)
}

/// Why a user may not approve a requested grant, if they may not; see [`may_approve_grant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalRefusal {
    /// They asked for it themselves.
    OwnRequest,
    /// It is their own role.
    OwnGrant,
    /// They may not grant the role on the node, or may not change the grantee's account.
    NotTheirs,
}

impl ApprovalRefusal {
    /// Why, for messages and the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OwnRequest => "approve a grant you requested yourself: a second person must",
            Self::OwnGrant => "approve a grant of your own role",
            Self::NotTheirs => {
                "approve this grant: it needs someone who may grant the role on the node and manages the user"
            }
        }
    }
}

/// Decides whether the user `approver`, holding `grants`, may approve (or reject) `pending`,
/// requested for a user who now holds `theirs`: someone other than the requester and the
/// grantee, who may grant the role on the node and change the grantee's account.
///
/// # Errors
/// The reason, when they may not.
pub fn may_approve_grant(
    approver: i64,
    grants: &[Grant],
    pending: &account::PendingGrant,
    theirs: &[Grant],
) -> Result<(), ApprovalRefusal> {
    if pending.requested_by == Some(approver) {
        Err(ApprovalRefusal::OwnRequest)
    } else if pending.user_id == approver {
        Err(ApprovalRefusal::OwnGrant)
    } else if !decide_grant(grants, pending.grant.role, &pending.grant.org).is_allowed()
        || !may_change_account(grants, theirs)
    {
        Err(ApprovalRefusal::NotTheirs)
    } else {
        Ok(())
    }
}

/// The nodes under which a user holding `grants` manages staff accounts: those of the grants
/// whose role allows managing users (admin, unit manager).
pub fn managed_scopes(grants: &[Grant]) -> Vec<&OrgCode> {
    grants
        .iter()
        .filter(|g| g.role.allows(Action::ManageUsers, DataClass::Public))
        .map(|g| &g.org)
        .collect()
}

/// Whether a user holding `grants` manages the account of a user holding `theirs`: one of
/// their roles lies inside a managed scope — or, for an admin, they hold no role yet (only an
/// admin can give a first role to someone anywhere in their subtree).
pub fn manages_user(grants: &[Grant], theirs: &[Grant]) -> bool {
    let scopes = managed_scopes(grants);
    let is_admin = grants.iter().any(|g| g.role == Role::Admin);
    (theirs.is_empty() && is_admin)
        || theirs
            .iter()
            .any(|g| scopes.iter().any(|scope| g.org.is_within(scope)))
}

/// Whether a user holding `grants` may change the account of a user holding `theirs` (grant
/// or revoke a role, disable or enable it): they may hand out every role the user holds, where
/// it is held, so a unit manager never touches someone who also holds a role above or outside
/// its unit. A user who holds no role is an admin's, as in [`manages_user`].
pub fn may_change_account(grants: &[Grant], theirs: &[Grant]) -> bool {
    if theirs.is_empty() {
        return grants.iter().any(|g| g.role == Role::Admin);
    }
    theirs
        .iter()
        .all(|g| decide_grant(grants, g.role, &g.org).is_allowed())
}

/// Whether a user holding `grants` manages any accounts at all, which decides whether the
/// navigation offers user administration.
pub fn manages_any_users(grants: &[Grant]) -> bool {
    !managed_scopes(grants).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgLevel;
    use Role::*;

    fn code(raw: &str) -> OrgCode {
        OrgCode::parse(raw).unwrap()
    }

    fn grants(list: &[(Role, &str)]) -> Vec<Grant> {
        list.iter()
            .map(|(role, org)| Grant::try_new(*role, code(org)).unwrap())
            .collect()
    }

    #[test]
    fn unit_managers_grant_only_unit_roles_within_their_unit_and_admins_anything_below_them() {
        let manager = [Grant::try_new(UnitManager, code("0380-0001")).unwrap()];
        assert!(decide_grant(&manager, Practitioner, &code("0380-0001")).is_allowed());
        assert!(!decide_grant(&manager, Practitioner, &code("0380-0002")).is_allowed());
        assert!(!decide_grant(&manager, Admin, &code("0380-0001")).is_allowed());
        let admin = [Grant::try_new(Admin, code("03")).unwrap()];
        assert!(decide_grant(&admin, NationalAnalyst, &code("0380")).is_allowed());
        assert!(!decide_grant(&admin, Practitioner, &code("1480-0001")).is_allowed());
        let analyst = [Grant::try_new(NationalAnalyst, code("SE")).unwrap()];
        assert!(!decide_grant(&analyst, Practitioner, &code("0380-0001")).is_allowed());
    }

    #[test]
    fn admins_and_unit_managers_manage_the_accounts_inside_their_scopes() {
        let manager = grants(&[(UnitManager, "0380-0001"), (NationalAnalyst, "SE")]);
        assert_eq!(managed_scopes(&manager), [&code("0380-0001")]);
        assert!(manages_user(
            &manager,
            &grants(&[(Practitioner, "0380-0001")])
        ));
        assert!(!manages_user(
            &manager,
            &grants(&[(Practitioner, "0380-0002")])
        ));
        assert!(
            !manages_user(&manager, &[]),
            "only an admin sees users without roles"
        );
        let admin = grants(&[(Admin, "03")]);
        assert!(manages_user(&admin, &[]));
        assert!(manages_user(
            &admin,
            &grants(&[(MunicipalityAnalyst, "0380")])
        ));
        assert!(!manages_user(
            &admin,
            &grants(&[(MunicipalityAnalyst, "1480")])
        ));
        assert!(manages_any_users(&manager) && manages_any_users(&admin));
        for role in [
            Practitioner,
            MunicipalityAnalyst,
            RegionalLeader,
            GrantAdmin,
            Auditor,
        ] {
            let org = role.grantable_levels()[0];
            let org = match org {
                OrgLevel::Nation => "SE",
                OrgLevel::County => "03",
                OrgLevel::Municipality => "0380",
                OrgLevel::Unit => "0380-0001",
            };
            assert!(!manages_any_users(&grants(&[(role, org)])), "{role}");
        }
    }

    #[test]
    fn a_unit_manager_changes_only_accounts_whose_every_role_it_may_hand_out() {
        let manager = grants(&[(UnitManager, "0380-0001")]);
        assert!(may_change_account(
            &manager,
            &grants(&[(Practitioner, "0380-0001")])
        ));
        for theirs in [
            grants(&[(NationalAnalyst, "SE")]),
            grants(&[(Admin, "0380")]),
            grants(&[(Practitioner, "0380-0001"), (NationalAnalyst, "SE")]),
            grants(&[(Practitioner, "0380-0001"), (Admin, "0380-0001")]),
            grants(&[(Practitioner, "0380-0002")]),
            vec![],
        ] {
            assert!(!may_change_account(&manager, &theirs), "{theirs:?}");
        }
        let admin = grants(&[(Admin, "0380")]);
        assert!(may_change_account(&admin, &[]));
        assert!(may_change_account(
            &admin,
            &grants(&[(Practitioner, "0380-0001"), (MunicipalityAnalyst, "0380")])
        ));
        assert!(!may_change_account(
            &admin,
            &grants(&[(Practitioner, "0380-0001"), (NationalAnalyst, "SE")])
        ));
    }

    #[test]
    fn roles_that_read_identified_data_take_a_second_persons_approval() {
        let needing: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| grant_needs_approval(*r))
            .collect();
        assert_eq!(needing, [Practitioner, UnitManager]);
        let pending = account::PendingGrant {
            id: 1,
            user_id: 3,
            grant: Grant::try_new(Practitioner, code("0380-0001")).unwrap(),
            requested_by: Some(1),
            requested_at: String::new(),
        };
        let admin = grants(&[(Admin, "0380")]);
        let none: &[Grant] = &[];
        assert_eq!(
            may_approve_grant(1, &admin, &pending, none),
            Err(ApprovalRefusal::OwnRequest)
        );
        assert_eq!(
            may_approve_grant(3, &admin, &pending, none),
            Err(ApprovalRefusal::OwnGrant)
        );
        assert_eq!(may_approve_grant(2, &admin, &pending, none), Ok(()));
        let elsewhere = grants(&[(Admin, "1480")]);
        assert_eq!(
            may_approve_grant(2, &elsewhere, &pending, none),
            Err(ApprovalRefusal::NotTheirs)
        );
        let manager = grants(&[(UnitManager, "0380-0001")]);
        let practitioner = grants(&[(Practitioner, "0380-0001")]);
        assert_eq!(
            may_approve_grant(2, &manager, &pending, &practitioner),
            Ok(())
        );
        assert_eq!(
            may_approve_grant(2, &manager, &pending, &grants(&[(NationalAnalyst, "SE")])),
            Err(ApprovalRefusal::NotTheirs)
        );
    }
}
