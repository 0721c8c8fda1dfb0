//! The frame around every page: the skip link, the navigation bar, the language switch, the
//! breadcrumb trail's label and the footer.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of the frame around every page, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct NavTexts {
    // The skip link, the language switch and the footer.
    pub skip_to_content: &'static str,
    pub switch_language: &'static str,
    pub footer: &'static str,

    // The navigation bar; each name is also the heading of its section.
    pub home: &'static str,
    pub orgs: &'static str,
    pub comparisons: &'static str,
    pub grants: &'static str,
    pub users: &'static str,
    pub audit: &'static str,

    // The label of the breadcrumb trail.
    pub breadcrumb: &'static str,
}

/// Swedish, the default.
pub(super) const SV: NavTexts = NavTexts {
    // The skip link, the language switch and the footer.
    skip_to_content: "Hoppa till innehållet",
    switch_language: "In English",
    footer: "Evident — en öppen plattform för evidensbaserad praktik i socialtjänsten.",

    // The navigation bar; each name is also the heading of its section.
    home: "Start",
    orgs: "Organisationer",
    comparisons: "Öppna jämförelser",
    grants: "Statsbidrag",
    users: "Användare",
    audit: "Loggbok",

    // The label of the breadcrumb trail.
    breadcrumb: "Du är här",
};

/// English.
pub(super) const EN: NavTexts = NavTexts {
    // The skip link, the language switch and the footer.
    skip_to_content: "Skip to content",
    switch_language: "På svenska",
    footer: "Evident — an open platform for evidence-based practice in social services.",

    // The navigation bar; each name is also the heading of its section.
    home: "Home",
    orgs: "Organisations",
    comparisons: "Open comparisons",
    grants: "Grants",
    users: "Users",
    audit: "Audit trail",

    // The label of the breadcrumb trail.
    breadcrumb: "You are here",
};
