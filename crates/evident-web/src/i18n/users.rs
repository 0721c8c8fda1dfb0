//! User administration, and the names of the roles.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of user administration, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct UserTexts {
    // The user administration page.
    pub title: &'static str,
    pub org_code: &'static str,
    pub add_user: &'static str,
    pub user_created: &'static str,
    pub grants: &'static str,
    pub add_grant: &'static str,
    pub disabled: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub no_users: &'static str,

    // Requests for roles that read identified data, which a second person approves.
    pub grant_requested: &'static str,
    pub requests: &'static str,
    pub requests_intro: &'static str,
    pub requested_by: &'static str,
    pub decide: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub withdraw: &'static str,

    // The names of the roles (see `Texts::role_name`).
    pub role_practitioner: &'static str,
    pub role_unit_manager: &'static str,
    pub role_municipality_analyst: &'static str,
    pub role_regional_leader: &'static str,
    pub role_national_analyst: &'static str,
    pub role_grant_admin: &'static str,
    pub role_auditor: &'static str,
    pub role_admin: &'static str,
}

/// Swedish, the default.
pub(super) const SV: UserTexts = UserTexts {
    // The user administration page.
    title: "Användare",
    org_code: "Organisation (kod, t.ex. 0380-0001)",
    add_user: "Lägg till användare",
    user_created: "Användaren är skapad. Lämna över lösenordet säkert; det visas bara nu:",
    grants: "Roller",
    add_grant: "Ge roll",
    disabled: "Avstängd",
    disable: "Stäng av",
    enable: "Aktivera",
    no_users: "Inga användare att visa.",

    // Requests for roles that read identified data, which a second person approves.
    grant_requested: "Rollen ger tillgång till identifierade uppgifter och är därför begärd, inte given. Den gäller när en annan behörig person har godkänt den.",
    requests: "Begärda roller",
    requests_intro: "Roller som ger tillgång till identifierade uppgifter gäller först när någon annan än den som begärde dem, och än den som ska få dem, har godkänt dem.",
    requested_by: "Begärd av",
    decide: "Beslut",
    approve: "Godkänn",
    reject: "Avslå",
    withdraw: "Dra tillbaka",

    // The names of the roles (see `Texts::role_name`).
    role_practitioner: "Handläggare",
    role_unit_manager: "Enhetschef",
    role_municipality_analyst: "Kommunanalytiker",
    role_regional_leader: "Regional utvecklingsledare",
    role_national_analyst: "Nationell analytiker",
    role_grant_admin: "Bidragsadministratör",
    role_auditor: "Granskare",
    role_admin: "Administratör",
};

/// English.
pub(super) const EN: UserTexts = UserTexts {
    // The user administration page.
    title: "Users",
    org_code: "Organisation (code, e.g. 0380-0001)",
    add_user: "Add a user",
    user_created: "The user is created. Hand over the password securely; it is shown only now:",
    grants: "Roles",
    add_grant: "Grant role",
    disabled: "Disabled",
    disable: "Disable",
    enable: "Enable",
    no_users: "No users to show.",

    // Requests for roles that read identified data, which a second person approves.
    grant_requested: "The role gives access to identified data, so it is requested, not granted. It takes effect when another authorised person approves it.",
    requests: "Requested roles",
    requests_intro: "Roles that give access to identified data take effect only when someone other than the requester, and other than the person receiving them, approves them.",
    requested_by: "Requested by",
    decide: "Decision",
    approve: "Approve",
    reject: "Reject",
    withdraw: "Withdraw",

    // The names of the roles (see `Texts::role_name`).
    role_practitioner: "Practitioner",
    role_unit_manager: "Unit manager",
    role_municipality_analyst: "Municipality analyst",
    role_regional_leader: "Regional development leader",
    role_national_analyst: "National analyst",
    role_grant_admin: "Grant administrator",
    role_auditor: "Auditor",
    role_admin: "Administrator",
};
