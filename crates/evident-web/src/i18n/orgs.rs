//! The organisation browser: the nation, county, municipality and unit pages, and the forms that
//! create and edit units and dialog partners.
//!
//! Both languages sit side by side below; each must fill every field, so a missing
//! translation does not compile.

/// The texts of the organisation browser, in one language.
#[derive(Debug)]
#[expect(
    missing_docs,
    reason = "the fields are grouped by where they are shown, one comment per group"
)]
pub struct OrgTexts {
    // The word for a municipality.
    pub municipality: &'static str,

    // The lists of counties, municipalities and units.
    pub counties: &'static str,
    pub municipalities: &'static str,
    pub units: &'static str,
    pub code: &'static str,
    pub no_units: &'static str,
    pub private_count: &'static str,

    // A unit's provider and area (see `Texts::provider_kind` and `Texts::area_name`).
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

    // The unit forms.
    pub add_unit: &'static str,
    pub edit_unit: &'static str,
    pub create: &'static str,
    pub saved: &'static str,

    // A county's regional support structure.
    pub support_structure: &'static str,
    pub dialog_partners: &'static str,
    pub no_partners: &'static str,
    pub add_partner: &'static str,
}

/// Swedish, the default.
pub(super) const SV: OrgTexts = OrgTexts {
    // The word for a municipality.
    municipality: "Kommun",

    // The lists of counties, municipalities and units.
    counties: "Län",
    municipalities: "Kommuner",
    units: "Enheter",
    code: "Kod",
    no_units: "Inga enheter är registrerade ännu.",
    private_count: "varav privata utförare",

    // A unit's provider and area (see `Texts::provider_kind` and `Texts::area_name`).
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

    // The unit forms.
    add_unit: "Lägg till enhet",
    edit_unit: "Ändra enheten",
    create: "Skapa",
    saved: "Ändringarna är sparade.",

    // A county's regional support structure.
    support_structure: "Regional stödstruktur",
    dialog_partners: "Dialogpartner",
    no_partners: "Inga dialogpartner är registrerade ännu.",
    add_partner: "Lägg till dialogpartner",
};

/// English.
pub(super) const EN: OrgTexts = OrgTexts {
    // The word for a municipality.
    municipality: "Municipality",

    // The lists of counties, municipalities and units.
    counties: "Counties",
    municipalities: "Municipalities",
    units: "Units",
    code: "Code",
    no_units: "No units are registered yet.",
    private_count: "of which private providers",

    // A unit's provider and area (see `Texts::provider_kind` and `Texts::area_name`).
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

    // The unit forms.
    add_unit: "Add a unit",
    edit_unit: "Edit the unit",
    create: "Create",
    saved: "Your changes are saved.",

    // A county's regional support structure.
    support_structure: "Regional support structure",
    dialog_partners: "Dialog partners",
    no_partners: "No dialog partners are registered yet.",
    add_partner: "Add a dialog partner",
};
