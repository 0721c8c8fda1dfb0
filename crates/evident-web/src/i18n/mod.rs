//! Interface languages: Swedish by default, English on request. The choice is a cookie set by
//! the language switch, so it is remembered across visits. Every text a page shows is a field
//! of [`Texts`], so a missing translation is a compile error, not a blank on a page.
//!
//! [`Texts`] is grouped by area, one module per area holding its struct and both languages
//! side by side, so a translator sees one area's Swedish and English in one file. Pages read
//! them as `t.cases.close` in Rust and `chrome.t.cases.close` in templates.
//!
//! # Layout
//! - `nav`: [`NavTexts`], the frame around every page: skip link, navigation, language switch,
//!   footer.
//! - `home`: [`HomeTexts`], the home page.
//! - `common`: [`CommonTexts`], words that pages of several areas share.
//! - `errors`: [`ErrorTexts`], the error page and the heading over a form's errors.
//! - `orgs`: [`OrgTexts`], the organisation browser and the unit and dialog-partner forms.
//! - `auth`: [`AuthTexts`], signing in and out, and the account page.
//! - `users`: [`UserTexts`], user administration and the names of the roles.
//! - `audit`: [`AuditTexts`], the audit trail.
//! - `cases`: [`CaseTexts`], a unit's cases and the case page.
//! - `followup`: [`FollowUpTexts`], a case's schedule and measurements, and a unit's follow-up
//!   table.
//! - `selfreport`: [`SelfReportTexts`], self-report links.
//! - `survey`: [`SurveyTexts`], client surveys and their results.
//! - `record`: [`RecordTexts`], a client's own record.
//! - `comparisons`: [`ComparisonTexts`], open comparisons: indicators, funnel plots,
//!   municipality profiles.
//! - `agreements`: [`AgreementTexts`], agreements and grants.

mod agreements;
mod audit;
mod auth;
mod cases;
mod common;
mod comparisons;
mod errors;
mod followup;
mod home;
mod nav;
mod orgs;
mod record;
mod selfreport;
mod survey;
mod users;

pub use agreements::AgreementTexts;
pub use audit::AuditTexts;
pub use auth::AuthTexts;
pub use cases::CaseTexts;
pub use common::CommonTexts;
pub use comparisons::ComparisonTexts;
pub use errors::ErrorTexts;
pub use followup::FollowUpTexts;
pub use home::HomeTexts;
pub use nav::NavTexts;
pub use orgs::OrgTexts;
pub use record::RecordTexts;
pub use selfreport::SelfReportTexts;
pub use survey::SurveyTexts;
pub use users::UserTexts;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use evident_core::access::Role;
use evident_core::{Provider, UnitArea};
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

    /// The language remembered in the request's cookies, if any.
    pub fn from_cookies(headers: &HeaderMap) -> Option<Self> {
        crate::auth::cookies::read(headers, LANG_COOKIE).and_then(|code| Self::from_code(&code))
    }
}

/// The language of a request: the remembered choice, else Swedish.
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_cookies(&parts.headers).unwrap_or_default())
    }
}

/// Every text of the interface, in one language, by area.
#[derive(Debug)]
pub struct Texts {
    /// The frame around every page: skip link, navigation, language switch, footer.
    pub nav: NavTexts,
    /// The home page.
    pub home: HomeTexts,
    /// Words that pages of several areas share.
    pub common: CommonTexts,
    /// The error page and the heading over a form's errors.
    pub errors: ErrorTexts,
    /// The organisation browser and the unit and dialog-partner forms.
    pub orgs: OrgTexts,
    /// Signing in and out, and the account page.
    pub auth: AuthTexts,
    /// User administration and the names of the roles.
    pub users: UserTexts,
    /// The audit trail.
    pub audit: AuditTexts,
    /// A unit's cases and the case page.
    pub cases: CaseTexts,
    /// A case's schedule and measurements, and a unit's follow-up table.
    pub followup: FollowUpTexts,
    /// Self-report links.
    pub selfreport: SelfReportTexts,
    /// Client surveys and their results.
    pub survey: SurveyTexts,
    /// A client's own record.
    pub record: RecordTexts,
    /// Open comparisons: indicators, funnel plots, municipality profiles.
    pub comparisons: ComparisonTexts,
    /// Agreements and grants.
    pub agreements: AgreementTexts,
}

impl Texts {
    /// The name of a role.
    pub fn role_name(&self, role: Role) -> &'static str {
        let t = &self.users;
        match role {
            Role::Practitioner => t.role_practitioner,
            Role::UnitManager => t.role_unit_manager,
            Role::MunicipalityAnalyst => t.role_municipality_analyst,
            Role::RegionalLeader => t.role_regional_leader,
            Role::NationalAnalyst => t.role_national_analyst,
            Role::GrantAdmin => t.role_grant_admin,
            Role::Auditor => t.role_auditor,
            Role::Admin => t.role_admin,
        }
    }

    /// The name of a kind of provider.
    pub fn provider_kind(&self, provider: Provider) -> &'static str {
        match provider {
            Provider::Public => self.orgs.public,
            Provider::Private => self.orgs.private,
        }
    }

    /// The name of an area of social services.
    pub fn area_name(&self, area: UnitArea) -> &'static str {
        let t = &self.orgs;
        match area {
            UnitArea::ElderlyCare => t.area_elderly_care,
            UnitArea::Disability => t.area_disability,
            UnitArea::IndividualFamily => t.area_individual_family,
            UnitArea::ChildrenYouth => t.area_children_youth,
            UnitArea::Other => t.area_other,
        }
    }
}

/// Swedish, the default.
pub static SV: Texts = Texts {
    nav: nav::SV,
    home: home::SV,
    common: common::SV,
    errors: errors::SV,
    orgs: orgs::SV,
    auth: auth::SV,
    users: users::SV,
    audit: audit::SV,
    cases: cases::SV,
    followup: followup::SV,
    selfreport: selfreport::SV,
    survey: survey::SV,
    record: record::SV,
    comparisons: comparisons::SV,
    agreements: agreements::SV,
};

/// English.
pub static EN: Texts = Texts {
    nav: nav::EN,
    home: home::EN,
    common: common::EN,
    errors: errors::EN,
    orgs: orgs::EN,
    auth: auth::EN,
    users: users::EN,
    audit: audit::EN,
    cases: cases::EN,
    followup: followup::EN,
    selfreport: selfreport::EN,
    survey: survey::EN,
    record: record::EN,
    comparisons: comparisons::EN,
    agreements: agreements::EN,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_its_cookie_among_others() {
        let lang = |cookie: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                axum::http::header::COOKIE,
                axum::http::HeaderValue::from_static(cookie),
            );
            Lang::from_cookies(&headers)
        };
        assert_eq!(lang("a=1; evident_lang=en; b=2"), Some(Lang::En));
        assert_eq!(lang("evident_lang=sv"), Some(Lang::Sv));
        assert_eq!(lang("evident_lang=de"), None);
        assert_eq!(lang("xevident_lang=en"), None);
    }
}
