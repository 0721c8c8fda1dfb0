//! Tapering plans (nedtrappningsplan): a cost the state funds in full at first and hands over
//! to the principals (counties or municipalities) step by step, e.g. the principals pay 25 % in
//! 2014, 50 % in 2015 and 100 % from 2016.
//!
//! Pure: [`county_amounts`] splits a year's total among counties by population and divides
//! each county's part between principal and state, to the öre.

use serde::{Deserialize, Serialize};

use super::Ore;
use super::split::split_largest_remainder;
use crate::DomainError;

/// The principals' share of the cost from one year on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearShare {
    /// The first year the share applies to.
    pub year: i32,
    /// The principals' share in percent, 0–100; the state pays the rest.
    pub principal_percent: u32,
}

/// A tapering plan as decided: the yearly total and the principals' share year by year.
/// The yearly total is split among counties in proportion to their population. Stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaperingPlan {
    /// Stable identifier.
    pub id: String,
    /// Title as written in the agreement.
    pub title: String,
    /// The yearly total across all counties.
    pub annual_ore: Ore,
    /// The principals' share, years strictly ascending; the last share holds for later years.
    pub shares: Vec<YearShare>,
}

/// One county's part of a plan's yearly total, and who pays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyTapering {
    /// County code.
    pub code: String,
    /// County name.
    pub name: String,
    /// The county's part of the yearly total (`principal + state`).
    pub total: Ore,
    /// What the principals in the county pay.
    pub principal: Ore,
    /// What the state pays.
    pub state: Ore,
    /// The principals' share that year, in percent.
    pub principal_percent: u32,
}

/// The principals' share in percent in `year`: the share of the latest listed year not after
/// `year`, so the last share holds for later years; 0 before the first listed year (the state
/// still pays everything).
pub fn principal_percent(plan: &TaperingPlan, year: i32) -> u32 {
    plan.shares
        .iter()
        .filter(|s| s.year <= year)
        .max_by_key(|s| s.year)
        .map_or(0, |s| s.principal_percent)
}

/// Each county's part of the plan's total in `year`, divided between principal and state;
/// one entry per county, in input order. `counties` are `(code, name, population)`.
///
/// The yearly total is split by population with the largest remainder rule (see
/// [`split_largest_remainder`]: floors first, leftover öre to the largest remainders, ties by
/// the smaller code), so the county totals add up to `annual_ore` exactly (unless every
/// population is 0, when nothing is split). Within a county the principals pay
/// `floor(total × percent / 100)` and the state the rest, so `principal + state == total`.
/// Expects a plan that passed [`validate`]; a percentage above 100 (which it rejects) is
/// taken as 100, so the state's part is never negative.
pub fn county_amounts(
    plan: &TaperingPlan,
    year: i32,
    counties: &[(String, String, u64)],
) -> Vec<CountyTapering> {
    let percent = principal_percent(plan, year).min(100);
    let weights: Vec<(&str, u64)> = counties
        .iter()
        .map(|(code, _, population)| (code.as_str(), *population))
        .collect();
    let totals = split_largest_remainder(plan.annual_ore, &weights);

    counties
        .iter()
        .zip(totals)
        .map(|((code, name, _), total)| {
            // Floor (not truncation) also for a negative total, so the rule is one rule.
            let principal = (i128::from(total.0) * i128::from(percent)).div_euclid(100);
            let principal =
                Ore(i64::try_from(principal).expect("at most the total, as percent ≤ 100"));
            CountyTapering {
                code: code.clone(),
                name: name.clone(),
                total,
                principal,
                state: total - principal,
                principal_percent: percent,
            }
        })
        .collect()
}

/// Checks a plan before it is stored or used: at least one year, a yearly total that is not
/// negative, years strictly ascending, percentages at most 100 and never decreasing (the
/// principals take over; they do not hand back).
///
/// # Errors
/// A [`DomainError`] on `annual_ore` or `shares`; for a share the message names it exactly,
/// e.g. `shares[2].principal_percent is 120, above 100`.
pub fn validate(plan: &TaperingPlan) -> Result<(), DomainError> {
    if plan.annual_ore < Ore::ZERO {
        return Err(DomainError::new(
            "annual_ore",
            format!("is {}, it cannot be negative", plan.annual_ore),
        ));
    }
    if plan.shares.is_empty() {
        return Err(DomainError::new(
            "shares",
            "a plan needs the principals' share for at least one year",
        ));
    }
    for (i, share) in plan.shares.iter().enumerate() {
        if share.principal_percent > 100 {
            return Err(DomainError::new(
                "shares",
                format!(
                    "shares[{i}].principal_percent is {}, above 100",
                    share.principal_percent
                ),
            ));
        }
        if i == 0 {
            continue;
        }
        let previous = &plan.shares[i - 1];
        if share.year <= previous.year {
            return Err(DomainError::new(
                "shares",
                format!(
                    "shares[{i}].year {} does not come after shares[{}].year {}; \
                     years must be strictly ascending",
                    share.year,
                    i - 1,
                    previous.year
                ),
            ));
        }
        if share.principal_percent < previous.principal_percent {
            return Err(DomainError::new(
                "shares",
                format!(
                    "shares[{i}].principal_percent {} is below shares[{}].principal_percent {}; \
                     the principals' share may not decrease",
                    share.principal_percent,
                    i - 1,
                    previous.principal_percent
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(annual_ore: i64, shares: &[(i32, u32)]) -> TaperingPlan {
        TaperingPlan {
            id: "ssr-2014".to_owned(),
            title: "Regional stödstruktur, nedtrappning".to_owned(),
            annual_ore: Ore(annual_ore),
            shares: shares
                .iter()
                .map(|&(year, principal_percent)| YearShare {
                    year,
                    principal_percent,
                })
                .collect(),
        }
    }

    fn counties() -> Vec<(String, String, u64)> {
        [
            ("X01", "Ålunds län", 150_000),
            ("X02", "Björkby län", 100_000),
            ("X03", "Cedertorps län", 50_000),
        ]
        .into_iter()
        .map(|(c, n, p)| (c.to_owned(), n.to_owned(), p))
        .collect()
    }

    /// (total, principal, state) in öre per county.
    fn parts(rows: &[CountyTapering]) -> Vec<(i64, i64, i64)> {
        rows.iter()
            .map(|r| (r.total.0, r.principal.0, r.state.0))
            .collect()
    }

    #[test]
    fn the_principals_share_steps_up_and_then_holds() {
        let p = plan(0, &[(2014, 25), (2015, 50), (2016, 100)]);
        assert_eq!(principal_percent(&p, 2013), 0);
        assert_eq!(principal_percent(&p, 2014), 25);
        assert_eq!(principal_percent(&p, 2015), 50);
        assert_eq!(principal_percent(&p, 2016), 100);
        assert_eq!(principal_percent(&p, 2030), 100);
        assert_eq!(principal_percent(&plan(0, &[]), 2020), 0);
    }

    #[test]
    fn the_25_50_100_plan_worked_by_hand() {
        // arrange: 1 000 000 kr a year = 100 000 000 öre, populations 150 000 / 100 000 /
        // 50 000 (W = 300 000, so shares 1/2, 1/3, 1/6).
        //   X01: 100 000 000 × 150 000 / 300 000 = 50 000 000       rest 0
        //   X02: 100 000 000 × 100 000 / 300 000 = 33 333 333 + 1/3 rest 100 000
        //   X03: 100 000 000 ×  50 000 / 300 000 = 16 666 666 + 2/3 rest 200 000
        // Floors add up to 99 999 999; the 1 öre left goes to X03 (largest remainder):
        //   totals 500 000 kr, 333 333,33 kr, 166 666,67 kr.
        let p = plan(100_000_000, &[(2014, 25), (2015, 50), (2016, 100)]);
        let c = counties();

        // 2013: before the plan, the state pays everything.
        assert_eq!(
            parts(&county_amounts(&p, 2013, &c)),
            [
                (50_000_000, 0, 50_000_000),
                (33_333_333, 0, 33_333_333),
                (16_666_667, 0, 16_666_667),
            ]
        );

        // 2014, 25 %:
        //   X01: 50 000 000 / 4 = 12 500 000 (125 000 kr), state 375 000 kr
        //   X02: 33 333 333 / 4 =  8 333 333,25 → 8 333 333 (83 333,33 kr), state 250 000 kr
        //   X03: 16 666 667 / 4 =  4 166 666,75 → 4 166 666 (41 666,66 kr), state 125 000,01 kr
        let y2014 = county_amounts(&p, 2014, &c);
        assert_eq!(
            parts(&y2014),
            [
                (50_000_000, 12_500_000, 37_500_000),
                (33_333_333, 8_333_333, 25_000_000),
                (16_666_667, 4_166_666, 12_500_001),
            ]
        );
        assert_eq!(y2014[2].principal.kr(), "41 666,66 kr");
        assert_eq!(y2014[2].state.kr(), "125 000,01 kr");
        assert!(y2014.iter().all(|r| r.principal_percent == 25));
        assert_eq!(y2014[0].name, "Ålunds län");

        // 2015, 50 %:
        //   X02: 33 333 333 / 2 = 16 666 666,5 → 16 666 666, state 16 666 667
        //   X03: 16 666 667 / 2 =  8 333 333,5 →  8 333 333, state  8 333 334
        assert_eq!(
            parts(&county_amounts(&p, 2015, &c)),
            [
                (50_000_000, 25_000_000, 25_000_000),
                (33_333_333, 16_666_666, 16_666_667),
                (16_666_667, 8_333_333, 8_333_334),
            ]
        );

        // 2016 and every later year: the principals pay everything.
        for year in [2016, 2025] {
            assert_eq!(
                parts(&county_amounts(&p, year, &c)),
                [
                    (50_000_000, 50_000_000, 0),
                    (33_333_333, 33_333_333, 0),
                    (16_666_667, 16_666_667, 0),
                ]
            );
        }
    }

    #[test]
    fn sums_are_exact_every_year() {
        let p = plan(
            987_654_321,
            &[(2014, 25), (2015, 33), (2016, 67), (2017, 100)],
        );
        let c: Vec<(String, String, u64)> = (1..=21)
            .map(|i| (format!("{i:02}"), format!("Län {i}"), 97_531 * i + 13))
            .collect();
        for year in 2012..2020 {
            let rows = county_amounts(&p, year, &c);
            assert_eq!(rows.iter().map(|r| r.total).sum::<Ore>(), p.annual_ore);
            for r in &rows {
                assert_eq!(r.principal + r.state, r.total);
                assert!(r.principal >= Ore::ZERO && r.state >= Ore::ZERO);
            }
        }
    }

    #[test]
    fn equal_populations_give_the_leftover_ore_to_the_smallest_code() {
        let p = plan(100, &[(2014, 100)]);
        let c: Vec<(String, String, u64)> = ["03", "01", "02"]
            .into_iter()
            .map(|code| (code.to_owned(), format!("Län {code}"), 1_000))
            .collect();
        let totals: Vec<i64> = county_amounts(&p, 2014, &c)
            .iter()
            .map(|r| r.total.0)
            .collect();
        assert_eq!(totals, [33, 34, 33]);
    }

    #[test]
    fn a_valid_plan_passes() {
        assert_eq!(
            validate(&plan(100, &[(2014, 25), (2015, 50), (2016, 100)])),
            Ok(())
        );
        assert_eq!(validate(&plan(0, &[(2014, 0), (2015, 0)])), Ok(()));
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let cases = [
            (
                plan(-1, &[(2014, 25)]),
                "annual_ore",
                "is −0,01 kr, it cannot be negative",
            ),
            (
                plan(100, &[]),
                "shares",
                "a plan needs the principals' share for at least one year",
            ),
            (
                plan(100, &[(2014, 25), (2015, 50), (2016, 120)]),
                "shares",
                "shares[2].principal_percent is 120, above 100",
            ),
            (
                plan(100, &[(2014, 25), (2014, 50)]),
                "shares",
                "shares[1].year 2014 does not come after shares[0].year 2014; \
                 years must be strictly ascending",
            ),
            (
                plan(100, &[(2015, 25), (2014, 50)]),
                "shares",
                "shares[1].year 2014 does not come after shares[0].year 2015; \
                 years must be strictly ascending",
            ),
            (
                plan(100, &[(2014, 50), (2015, 25)]),
                "shares",
                "shares[1].principal_percent 25 is below shares[0].principal_percent 50; \
                 the principals' share may not decrease",
            ),
        ];
        for (p, field, problem) in cases {
            assert_eq!(validate(&p), Err(DomainError::new(field, problem)), "{p:?}");
        }
    }

    #[test]
    fn a_plan_is_stored_as_json() {
        let p = plan(100_000_000, &[(2014, 25), (2016, 100)]);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["annual_ore"], 100_000_000);
        assert_eq!(
            json["shares"][0],
            serde_json::json!({"year": 2014, "principal_percent": 25})
        );
        assert_eq!(serde_json::from_value::<TaperingPlan>(json).unwrap(), p);
    }
}
