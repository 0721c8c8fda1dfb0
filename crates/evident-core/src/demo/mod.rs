//! The plan for a demo organisation: a few municipalities with plausible public and private
//! units, and dialog partners in their counties. Everything is synthetic (invented names,
//! addresses under the reserved `.example` domain) and the same seed always gives the same plan.
//!
//! [`population`] is the synthetic client population placed at those units.

pub mod population;

use crate::org::support::NewDialogPartner;
use crate::org::{NewUnit, OrgCode, Provider, UnitArea, UnitUpdate};
use crate::rng::SplitMix64;
use crate::text::{Email, Name};

/// Counties a demo draws from: metropolitan, mixed and sparsely populated.
const CANDIDATE_COUNTIES: [&str; 6] = ["01", "03", "12", "14", "22", "24"];

/// How many counties a demo fills.
pub const DEMO_COUNTIES: usize = 3;

/// How many municipalities a demo fills with units.
pub const DEMO_MUNICIPALITIES: usize = 10;

/// Unit name stems per area, with the kind of provider that typically runs them.
const UNIT_KINDS: [(UnitArea, &str, Provider); 14] = [
    (UnitArea::ElderlyCare, "Hemtjänst", Provider::Public),
    (UnitArea::ElderlyCare, "Hemtjänst", Provider::Private),
    (
        UnitArea::ElderlyCare,
        "Vård- och omsorgsboende",
        Provider::Public,
    ),
    (
        UnitArea::ElderlyCare,
        "Vård- och omsorgsboende",
        Provider::Private,
    ),
    (UnitArea::ElderlyCare, "Dagverksamhet", Provider::Public),
    (UnitArea::Disability, "Gruppbostad", Provider::Public),
    (UnitArea::Disability, "Daglig verksamhet", Provider::Public),
    (
        UnitArea::Disability,
        "Personlig assistans",
        Provider::Private,
    ),
    (
        UnitArea::IndividualFamily,
        "Beroendemottagning",
        Provider::Public,
    ),
    (
        UnitArea::IndividualFamily,
        "Ekonomiskt bistånd",
        Provider::Public,
    ),
    (UnitArea::IndividualFamily, "Stödboende", Provider::Private),
    (
        UnitArea::ChildrenYouth,
        "Familjebehandling",
        Provider::Public,
    ),
    (UnitArea::ChildrenYouth, "HVB", Provider::Private),
    (UnitArea::ChildrenYouth, "Familjehemsvård", Provider::Public),
];

/// Place-like suffixes for unit names.
const PLACES: [&str; 16] = [
    "Norr",
    "Söder",
    "Öster",
    "Väster",
    "Centrum",
    "Solgläntan",
    "Ekbacken",
    "Tallbacken",
    "Lönnen",
    "Björkhagen",
    "Sjöudden",
    "Ängsgården",
    "Lindgården",
    "Rosenlund",
    "Furuhöjden",
    "Bäckadalen",
];

/// Invented operator names; any likeness to a real company is accidental.
const OPERATORS: [&str; 6] = [
    "Nordomsorg AB",
    "Vårdkraft Sverige AB",
    "Stiftelsen Gläntan",
    "Omtanke i Norden AB",
    "Kooperativet Vardag ek. för.",
    "Trygga Händer AB",
];

const FIRST_NAMES: [&str; 12] = [
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Ahmed", "Sara", "Mikael", "Leila",
    "Per",
];
const LAST_NAMES: [&str; 12] = [
    "Andersson",
    "Berg",
    "Lindqvist",
    "Nilsson",
    "Holm",
    "Karlsson",
    "Ek",
    "Hassan",
    "Sjöberg",
    "Lund",
    "Persson",
    "Öberg",
];
const PARTNER_ROLES: [&str; 3] = [
    "Regional utvecklingsledare",
    "Samordnare för kunskapsstyrning",
    "Politisk dialogpartner",
];

/// A demo organisation to store: units under a few municipalities and dialog partners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPlan {
    /// The municipalities that get units.
    pub municipalities: Vec<OrgCode>,
    /// The units, in the order they should be created.
    pub units: Vec<NewUnit>,
    /// Dialog partners for the counties of those municipalities.
    pub partners: Vec<NewDialogPartner>,
}

impl DemoPlan {
    /// The plan for `seed`.
    pub fn generate(seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let registry = crate::Registry::sweden();
        let counties = rng.sample(&CANDIDATE_COUNTIES, DEMO_COUNTIES);
        // 4 + 3 + 3 municipalities across the three counties.
        let mut municipalities: Vec<OrgCode> = Vec::new();
        for (i, county) in counties.iter().enumerate() {
            let in_county: Vec<OrgCode> = registry
                .municipalities
                .iter()
                .filter(|m| m.code.as_str().starts_with(county))
                .map(|m| m.code.clone())
                .collect();
            municipalities.extend(rng.sample(&in_county, if i == 0 { 4 } else { 3 }));
        }
        municipalities.sort();

        let mut units = Vec::new();
        for municipality in &municipalities {
            let count = 6 + rng.below(7) as usize;
            let mut places = rng.sample(&PLACES, PLACES.len()).into_iter();
            for (area, stem, provider) in rng.sample(&UNIT_KINDS, count) {
                let place = places.next().expect("fewer units than places");
                let operator =
                    (provider == Provider::Private).then(|| name(rng.pick::<&str>(&OPERATORS)));
                units.push(NewUnit {
                    municipality: municipality.clone(),
                    details: UnitUpdate {
                        name: name(&format!("{stem} {place}")),
                        provider,
                        operator,
                        area,
                    },
                });
            }
        }

        let mut counties: Vec<OrgCode> =
            municipalities.iter().filter_map(OrgCode::parent).collect();
        counties.dedup();
        let mut partners = Vec::new();
        for county in counties {
            for role in rng.sample(&PARTNER_ROLES, 2) {
                let first = *rng.pick(&FIRST_NAMES);
                let last = *rng.pick(&LAST_NAMES);
                let address = format!("{}.{}@lan{county}.example", ascii(first), ascii(last));
                partners.push(NewDialogPartner {
                    county: county.clone(),
                    name: name(&format!("{first} {last}")),
                    role: name(role),
                    email: Email::parse("email", &address).expect("demo addresses are valid"),
                });
            }
        }
        Self {
            municipalities,
            units,
            partners,
        }
    }
}

fn name(raw: &str) -> Name {
    Name::parse("name", raw).expect("demo names are valid")
}

/// Swedish letters folded to ASCII for e-mail local parts.
fn ascii(raw: &str) -> String {
    raw.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;

    #[test]
    fn the_same_seed_gives_the_same_plan_and_another_seed_another() {
        assert_eq!(DemoPlan::generate(42), DemoPlan::generate(42));
        assert_ne!(DemoPlan::generate(42), DemoPlan::generate(43));
    }

    #[test]
    fn a_plan_has_public_and_private_units_in_real_municipalities_and_partners_per_county() {
        let registry = Registry::sweden();
        for seed in 0..20 {
            let plan = DemoPlan::generate(seed);
            assert_eq!(plan.municipalities.len(), DEMO_MUNICIPALITIES);
            for m in &plan.municipalities {
                assert!(registry.find(m).is_some(), "{m} is not a municipality");
                let units: Vec<_> = plan.units.iter().filter(|u| &u.municipality == m).collect();
                assert!(
                    (6..=12).contains(&units.len()),
                    "seed {seed}: {} units in {m}",
                    units.len()
                );
                let mut names: Vec<_> = units.iter().map(|u| u.details.name.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                assert_eq!(
                    names.len(),
                    units.len(),
                    "seed {seed}: repeated unit name in {m}"
                );
            }
            assert!(
                plan.units
                    .iter()
                    .any(|u| u.details.provider == Provider::Private),
                "seed {seed}"
            );
            assert!(
                plan.units
                    .iter()
                    .any(|u| u.details.provider == Provider::Public),
                "seed {seed}"
            );
            for u in &plan.units {
                assert_eq!(
                    u.details.operator.is_some(),
                    u.details.provider == Provider::Private
                );
            }
            for m in &plan.municipalities {
                let county = m.parent().unwrap();
                assert_eq!(
                    plan.partners.iter().filter(|p| p.county == county).count() % 2,
                    0
                );
                assert!(plan.partners.iter().any(|p| p.county == county));
            }
            assert!(
                plan.partners
                    .iter()
                    .all(|p| p.email.as_str().ends_with(".example"))
            );
        }
    }
}
