//! The plan for a demo organisation: a few municipalities (or, at national scale, all 290) with
//! plausible public and private units, and dialog partners in their counties. Everything is synthetic (invented names,
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

/// How large a demo is: the small one people try Evident with, or the whole country that the
/// benchmarks run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DemoScale {
    /// [`DEMO_MUNICIPALITIES`] municipalities in [`DEMO_COUNTIES`] counties, 6–12 units each.
    #[default]
    Small,
    /// Every municipality of Sweden with 2–6 units each (about 1 200 units).
    National,
}

impl DemoScale {
    /// The scale's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::National => "national",
        }
    }

    /// The default number of clients at this scale.
    pub fn default_clients(self) -> usize {
        match self {
            Self::Small => 20_000,
            Self::National => 500_000,
        }
    }

    /// How many days back from the reference date cases are opened: two and a half years for
    /// the small demo, four years nationally (so the benchmarks see four years of data).
    pub fn opened_within_days(self) -> u64 {
        match self {
            Self::Small => 930,
            Self::National => 4 * 365,
        }
    }
}

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
    /// The small plan for `seed`.
    pub fn generate(seed: u64) -> Self {
        Self::generate_at(seed, DemoScale::Small)
    }

    /// The plan for `seed` at `scale`.
    pub fn generate_at(seed: u64, scale: DemoScale) -> Self {
        let mut rng = SplitMix64::new(seed);
        let registry = crate::Registry::sweden();
        let mut municipalities: Vec<OrgCode> = Vec::new();
        match scale {
            DemoScale::Small => {
                let counties = rng.sample(&CANDIDATE_COUNTIES, DEMO_COUNTIES);
                // 4 + 3 + 3 municipalities across the three counties.
                for (i, county) in counties.iter().enumerate() {
                    let in_county: Vec<OrgCode> = registry
                        .municipalities
                        .iter()
                        .filter(|m| m.code.as_str().starts_with(county))
                        .map(|m| m.code.clone())
                        .collect();
                    municipalities.extend(rng.sample(&in_county, if i == 0 { 4 } else { 3 }));
                }
            }
            DemoScale::National => {
                municipalities.extend(registry.municipalities.iter().map(|m| m.code.clone()));
            }
        }
        municipalities.sort();

        let mut units = Vec::new();
        for municipality in &municipalities {
            let count = match scale {
                DemoScale::Small => 6 + rng.below(7) as usize,
                DemoScale::National => 2 + rng.below(5) as usize,
            };
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

    #[test]
    fn a_national_plan_covers_every_municipality_with_about_1200_units_and_keeps_the_small_plan() {
        let registry = Registry::sweden();
        let plan = DemoPlan::generate_at(7, DemoScale::National);
        assert_eq!(plan.municipalities.len(), registry.municipalities.len());
        assert_eq!(plan.municipalities.len(), 290);
        assert!(
            (1_000..=1_400).contains(&plan.units.len()),
            "{} units",
            plan.units.len()
        );
        for m in &plan.municipalities {
            let here = plan.units.iter().filter(|u| &u.municipality == m).count();
            assert!((2..=6).contains(&here), "{here} units in {m}");
        }
        let counties: std::collections::BTreeSet<_> =
            plan.partners.iter().map(|p| p.county.clone()).collect();
        assert_eq!(counties.len(), 21);
        assert_eq!(plan, DemoPlan::generate_at(7, DemoScale::National));
        // The small plan is what it always was for a seed: the national one is an addition.
        assert_eq!(
            DemoPlan::generate(7),
            DemoPlan::generate_at(7, DemoScale::Small)
        );
    }
}
