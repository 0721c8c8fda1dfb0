//! Interface languages: Swedish by default, English on request. The choice is a cookie set by
//! the language switch, so it is remembered across visits. Every text a page shows is a field
//! of [`Texts`], so a missing translation is a compile error, not a blank on a page.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use evident_core::access::Role;
use evident_core::{OrgLevel, Provider, UnitArea};
use std::convert::Infallible;

/// The cookie that remembers the interface language.
pub const LANG_COOKIE: &str = "evident_lang";

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Swedish, the default.
    #[default]
    Sv,
    /// English.
    En,
}

impl Lang {
    /// The language's code, as in `lang="sv"` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::Sv => "sv",
            Self::En => "en",
        }
    }

    /// The language for a code; `None` for languages Evident does not speak.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "sv" => Some(Self::Sv),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The other language, which the switch offers.
    pub fn other(self) -> Self {
        match self {
            Self::Sv => Self::En,
            Self::En => Self::Sv,
        }
    }

    /// Every text in this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Self::Sv => &SV,
            Self::En => &EN,
        }
    }

    /// The language remembered in a `Cookie` header, if any.
    pub fn from_cookie_header(header: &str) -> Option<Self> {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Self::from_code(value.trim()))
    }
}

/// The language of a request: the remembered choice, else Swedish.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(Lang::from_cookie_header)
            .unwrap_or_default())
    }
}

/// Every text of the interface, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "each field is a UI string named after where it is shown"
)]
pub struct Texts {
    pub skip_to_content: &'static str,
    pub nav_home: &'static str,
    pub nav_orgs: &'static str,
    pub switch_language: &'static str,
    pub footer: &'static str,
    pub home_title: &'static str,
    pub home_intro: &'static str,
    pub home_browse: &'static str,
    pub breadcrumb: &'static str,
    pub nation: &'static str,
    pub county: &'static str,
    pub municipality: &'static str,
    pub unit: &'static str,
    pub counties: &'static str,
    pub municipalities: &'static str,
    pub units: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub provider: &'static str,
    pub public: &'static str,
    pub private: &'static str,
    pub operator: &'static str,
    pub operator_hint: &'static str,
    pub purchaser: &'static str,
    pub area: &'static str,
    pub area_elderly_care: &'static str,
    pub area_disability: &'static str,
    pub area_individual_family: &'static str,
    pub area_children_youth: &'static str,
    pub area_other: &'static str,
    pub no_units: &'static str,
    pub private_count: &'static str,
    pub add_unit: &'static str,
    pub edit_unit: &'static str,
    pub create: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub support_structure: &'static str,
    pub dialog_partners: &'static str,
    pub no_partners: &'static str,
    pub role: &'static str,
    pub email: &'static str,
    pub add_partner: &'static str,
    pub remove: &'static str,
    pub form_error: &'static str,
    pub error_not_found: &'static str,
    pub error_invalid: &'static str,
    pub error_other: &'static str,
    pub back_home: &'static str,
    pub nav_users: &'static str,
    pub nav_audit: &'static str,
    pub log_in: &'static str,
    pub log_out: &'static str,
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub password: &'static str,
    pub login_failed: &'static str,
    pub login_throttled: &'static str,
    pub account_title: &'static str,
    pub your_roles: &'static str,
    pub no_roles: &'static str,
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    pub password_changed: &'static str,
    pub passwords_differ: &'static str,
    pub wrong_current_password: &'static str,
    pub tokens: &'static str,
    pub tokens_intro: &'static str,
    pub token_label: &'static str,
    pub token_days: &'static str,
    pub create_token: &'static str,
    pub token_created: &'static str,
    pub expires: &'static str,
    pub revoked: &'static str,
    pub revoke: &'static str,
    pub no_tokens: &'static str,
    pub users_title: &'static str,
    pub org_code: &'static str,
    pub add_user: &'static str,
    pub user_created: &'static str,
    pub grants: &'static str,
    pub add_grant: &'static str,
    pub no_users: &'static str,
    pub audit_title: &'static str,
    pub audit_intact: &'static str,
    pub audit_broken: &'static str,
    pub search: &'static str,
    pub from_day: &'static str,
    pub to_day: &'static str,
    pub actor: &'static str,
    pub action: &'static str,
    pub client_pseudonym: &'static str,
    pub outcome: &'static str,
    pub at: &'static str,
    pub record: &'static str,
    pub address: &'static str,
    pub detail: &'static str,
    pub no_entries: &'static str,
    pub error_forbidden: &'static str,
    pub error_too_many: &'static str,
    pub role_practitioner: &'static str,
    pub role_unit_manager: &'static str,
    pub role_municipality_analyst: &'static str,
    pub role_regional_leader: &'static str,
    pub role_national_analyst: &'static str,
    pub role_grant_admin: &'static str,
    pub role_auditor: &'static str,
    pub role_admin: &'static str,
}

impl Texts {
    /// The name of a level of the organisation tree.
    pub fn level(&self, level: OrgLevel) -> &'static str {
        match level {
            OrgLevel::Nation => self.nation,
            OrgLevel::County => self.county,
            OrgLevel::Municipality => self.municipality,
            OrgLevel::Unit => self.unit,
        }
    }

    /// The name of a role.
    pub fn role_name(&self, role: Role) -> &'static str {
        match role {
            Role::Practitioner => self.role_practitioner,
            Role::UnitManager => self.role_unit_manager,
            Role::MunicipalityAnalyst => self.role_municipality_analyst,
            Role::RegionalLeader => self.role_regional_leader,
            Role::NationalAnalyst => self.role_national_analyst,
            Role::GrantAdmin => self.role_grant_admin,
            Role::Auditor => self.role_auditor,
            Role::Admin => self.role_admin,
        }
    }

    /// The name of a kind of provider.
    pub fn provider_kind(&self, provider: Provider) -> &'static str {
        match provider {
            Provider::Public => self.public,
            Provider::Private => self.private,
        }
    }

    /// The name of an area of social services.
    pub fn area_name(&self, area: UnitArea) -> &'static str {
        match area {
            UnitArea::ElderlyCare => self.area_elderly_care,
            UnitArea::Disability => self.area_disability,
            UnitArea::IndividualFamily => self.area_individual_family,
            UnitArea::ChildrenYouth => self.area_children_youth,
            UnitArea::Other => self.area_other,
        }
    }
}

/// Swedish, the default.
pub static SV: Texts = Texts {
    skip_to_content: "Hoppa till innehållet",
    nav_home: "Start",
    nav_orgs: "Organisationer",
    switch_language: "In English",
    footer: "Evident — en öppen plattform för evidensbaserad praktik i socialtjänsten.",
    home_title: "Evident",
    home_intro: "Evident hjälper socialtjänsten att dokumentera behov, insatser och resultat och att mäta hur det går för brukarna före och efter en insats. Resultaten förs samman från enhet till kommun, län och riket som öppna jämförelser med skyddad integritet, så att alla nivåer kan mäta, analysera och förbättra.",
    home_browse: "Bläddra bland län, kommuner och enheter",
    breadcrumb: "Du är här",
    nation: "Riket",
    county: "Län",
    municipality: "Kommun",
    unit: "Enhet",
    counties: "Län",
    municipalities: "Kommuner",
    units: "Enheter",
    code: "Kod",
    name: "Namn",
    provider: "Regi",
    public: "Kommunal regi",
    private: "Privat utförare",
    operator: "Utförare (företag eller organisation)",
    operator_hint: "Fylls i bara för privata utförare.",
    purchaser: "Köpande kommun",
    area: "Verksamhetsområde",
    area_elderly_care: "Äldreomsorg",
    area_disability: "Funktionshinder",
    area_individual_family: "Individ- och familjeomsorg",
    area_children_youth: "Barn och unga",
    area_other: "Övrigt",
    no_units: "Inga enheter är registrerade ännu.",
    private_count: "varav privata utförare",
    add_unit: "Lägg till enhet",
    edit_unit: "Ändra enheten",
    create: "Skapa",
    save: "Spara",
    saved: "Ändringarna är sparade.",
    support_structure: "Regional stödstruktur",
    dialog_partners: "Dialogpartner",
    no_partners: "Inga dialogpartner är registrerade ännu.",
    role: "Roll",
    email: "E-post",
    add_partner: "Lägg till dialogpartner",
    remove: "Ta bort",
    form_error: "Uppgifterna kunde inte sparas",
    error_not_found: "Sidan finns inte",
    error_invalid: "Felaktiga uppgifter",
    error_other: "Något gick fel",
    back_home: "Till startsidan",
    nav_users: "Användare",
    nav_audit: "Loggbok",
    log_in: "Logga in",
    log_out: "Logga ut",
    login_title: "Logga in",
    login_intro: "Logga in med din e-postadress och ditt lösenord.",
    password: "Lösenord",
    login_failed: "Fel e-postadress eller lösenord.",
    login_throttled: "För många misslyckade försök. Vänta en stund och försök igen.",
    account_title: "Mitt konto",
    your_roles: "Dina roller",
    no_roles: "Du har inga roller ännu. Be en administratör om behörighet.",
    change_password: "Byt lösenord",
    current_password: "Nuvarande lösenord",
    new_password: "Nytt lösenord (minst 12 tecken)",
    confirm_password: "Upprepa det nya lösenordet",
    password_changed: "Lösenordet är bytt. Dina andra inloggningar är avslutade.",
    passwords_differ: "De två nya lösenorden är inte lika.",
    wrong_current_password: "Det nuvarande lösenordet stämmer inte.",
    tokens: "Åtkomsttoken för API:t",
    tokens_intro: "Ett token låter ett program använda API:t i ditt namn. Skicka det som Authorization: Bearer.",
    token_label: "Benämning",
    token_days: "Giltigt antal dagar (1–365)",
    create_token: "Skapa token",
    token_created: "Kopiera ditt token nu — det visas bara en gång:",
    expires: "Upphör",
    revoked: "Återkallat",
    revoke: "Återkalla",
    no_tokens: "Du har inga token.",
    users_title: "Användare",
    org_code: "Organisation (kod, t.ex. 0380-0001)",
    add_user: "Lägg till användare",
    user_created: "Användaren är skapad. Lämna över lösenordet säkert; det visas bara nu:",
    grants: "Roller",
    add_grant: "Ge roll",
    no_users: "Inga användare att visa.",
    audit_title: "Loggbok",
    audit_intact: "Kedjan är obruten. Antal kontrollerade poster:",
    audit_broken: "Kedjan är bruten:",
    search: "Sök",
    from_day: "Från datum",
    to_day: "Till och med datum",
    actor: "Vem (e-post)",
    action: "Händelse",
    client_pseudonym: "Brukarens pseudonym",
    outcome: "Utfall",
    at: "Tid (UTC)",
    record: "Post",
    address: "Adress",
    detail: "Detaljer",
    no_entries: "Inga poster matchar.",
    error_forbidden: "Åtkomst nekad",
    error_too_many: "För många försök",
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
pub static EN: Texts = Texts {
    skip_to_content: "Skip to content",
    nav_home: "Home",
    nav_orgs: "Organisations",
    switch_language: "På svenska",
    footer: "Evident — an open platform for evidence-based practice in social services.",
    home_title: "Evident",
    home_intro: "Evident helps social services document needs, interventions and results, and measure how clients fare before and after an intervention. The results roll up from unit to municipality, county and nation as open comparisons with privacy protection, so that every level can measure, analyse and improve.",
    home_browse: "Browse counties, municipalities and units",
    breadcrumb: "You are here",
    nation: "Nation",
    county: "County",
    municipality: "Municipality",
    unit: "Unit",
    counties: "Counties",
    municipalities: "Municipalities",
    units: "Units",
    code: "Code",
    name: "Name",
    provider: "Provider",
    public: "Public (municipal)",
    private: "Private provider",
    operator: "Operator (company or organisation)",
    operator_hint: "Only for private providers.",
    purchaser: "Purchasing municipality",
    area: "Area",
    area_elderly_care: "Elderly care",
    area_disability: "Disability support",
    area_individual_family: "Individual and family care",
    area_children_youth: "Children and young people",
    area_other: "Other",
    no_units: "No units are registered yet.",
    private_count: "of which private providers",
    add_unit: "Add a unit",
    edit_unit: "Edit the unit",
    create: "Create",
    save: "Save",
    saved: "Your changes are saved.",
    support_structure: "Regional support structure",
    dialog_partners: "Dialog partners",
    no_partners: "No dialog partners are registered yet.",
    role: "Role",
    email: "Email",
    add_partner: "Add a dialog partner",
    remove: "Remove",
    form_error: "The form could not be saved",
    error_not_found: "Page not found",
    error_invalid: "Invalid input",
    error_other: "Something went wrong",
    back_home: "Back to the home page",
    nav_users: "Users",
    nav_audit: "Audit trail",
    log_in: "Sign in",
    log_out: "Sign out",
    login_title: "Sign in",
    login_intro: "Sign in with your e-mail address and password.",
    password: "Password",
    login_failed: "Wrong e-mail address or password.",
    login_throttled: "Too many failed attempts. Wait a while and try again.",
    account_title: "My account",
    your_roles: "Your roles",
    no_roles: "You hold no roles yet. Ask an administrator for access.",
    change_password: "Change password",
    current_password: "Current password",
    new_password: "New password (at least 12 characters)",
    confirm_password: "Repeat the new password",
    password_changed: "Your password is changed. Your other sessions are signed out.",
    passwords_differ: "The two new passwords differ.",
    wrong_current_password: "The current password is wrong.",
    tokens: "API access tokens",
    tokens_intro: "A token lets a program use the API in your name. Send it as Authorization: Bearer.",
    token_label: "Label",
    token_days: "Valid for days (1–365)",
    create_token: "Create token",
    token_created: "Copy your token now — it is shown only once:",
    expires: "Expires",
    revoked: "Revoked",
    revoke: "Revoke",
    no_tokens: "You have no tokens.",
    users_title: "Users",
    org_code: "Organisation (code, e.g. 0380-0001)",
    add_user: "Add a user",
    user_created: "The user is created. Hand over the password securely; it is shown only now:",
    grants: "Roles",
    add_grant: "Grant role",
    no_users: "No users to show.",
    audit_title: "Audit trail",
    audit_intact: "The chain is intact. Entries checked:",
    audit_broken: "The chain is broken:",
    search: "Search",
    from_day: "From date",
    to_day: "To date",
    actor: "Who (e-mail)",
    action: "Action",
    client_pseudonym: "Client pseudonym",
    outcome: "Outcome",
    at: "Time (UTC)",
    record: "Record",
    address: "Address",
    detail: "Details",
    no_entries: "No entries match.",
    error_forbidden: "Access denied",
    error_too_many: "Too many attempts",
    role_practitioner: "Practitioner",
    role_unit_manager: "Unit manager",
    role_municipality_analyst: "Municipality analyst",
    role_regional_leader: "Regional development leader",
    role_national_analyst: "National analyst",
    role_grant_admin: "Grant administrator",
    role_auditor: "Auditor",
    role_admin: "Administrator",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_its_cookie_among_others() {
        assert_eq!(
            Lang::from_cookie_header("a=1; evident_lang=en; b=2"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_cookie_header("evident_lang=sv"), Some(Lang::Sv));
        assert_eq!(Lang::from_cookie_header("evident_lang=de"), None);
        assert_eq!(Lang::from_cookie_header("xevident_lang=en"), None);
    }
}
