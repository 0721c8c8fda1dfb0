//! The home page.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of the home page, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct HomeTexts {
    // The home page.
    pub title: &'static str,
    pub intro: &'static str,
    pub browse: &'static str,
}

/// Swedish, the default.
pub(super) const SV: HomeTexts = HomeTexts {
    // The home page.
    title: "Evident",
    intro: "Evident hjälper socialtjänsten att dokumentera behov, insatser och resultat och att mäta hur det går för brukarna före och efter en insats. Resultaten förs samman från enhet till kommun, län och riket som öppna jämförelser med skyddad integritet, så att alla nivåer kan mäta, analysera och förbättra.",
    browse: "Bläddra bland län, kommuner och enheter",
};

/// English.
pub(super) const EN: HomeTexts = HomeTexts {
    // The home page.
    title: "Evident",
    intro: "Evident helps social services document needs, interventions and results, and measure how clients fare before and after an intervention. The results roll up from unit to municipality, county and nation as open comparisons with privacy protection, so that every level can measure, analyse and improve.",
    browse: "Browse counties, municipalities and units",
};
