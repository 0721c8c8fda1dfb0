//! Performance-based state grants (prestationsbaserat statsbidrag): a pool of money shared among
//! the recipients (municipalities or counties) whose published indicator value reaches a target,
//! either an absolute level or an improvement on their own baseline.
//!
//! Pure: the caller looks up the published values and passes them in; [`allocate`] decides who
//! qualifies, says why in plain words, and splits the pool to the öre.

use serde::{Deserialize, Serialize};

use super::Ore;
use super::split::split_largest_remainder;

/// Relative tolerance when comparing a value with its threshold. Thresholds are computed in
/// floating point (0.2 improved by 10 % is 0.22000000000000003), so a value that is exactly at
/// the threshold in decimal would otherwise miss it by a rounding error. One part in 10⁹ is far
/// below any difference a published indicator can show.
const TOLERANCE: f64 = 1e-9;

/// What a recipient's indicator value must reach to qualify; stored with the grant so the rule
/// that was decided is the rule that is applied.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// The current value must reach `level`, in the indicator's better direction
    /// (at least `level` when higher is better, at most `level` when lower is better).
    Absolute {
        /// The level to reach.
        level: f64,
    },
    /// The current value must be better than the recipient's own baseline by `improvement`
    /// (0.10 = 10 %) of the baseline: at least `baseline × (1 + improvement)` when higher is
    /// better, at most `baseline × (1 − improvement)` when lower is better. (Computed as
    /// `baseline ± improvement × |baseline|`, which is the same for the usual non-negative
    /// indicators and still means "better" for a negative baseline.)
    Relative {
        /// The required improvement as a fraction of the baseline.
        improvement: f64,
    },
}

/// How the pool is shared among the recipients that qualify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// In proportion to population (a recipient with population 0 gets nothing).
    ByPopulation,
    /// The same amount each.
    Equally,
}

/// A performance-based grant as decided: the pool, the indicator and periods it is judged on,
/// the target and how the pool is shared. Stored as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerformanceGrant {
    /// Stable identifier.
    pub id: String,
    /// Title as written in the decision.
    pub title: String,
    /// The money to share among the recipients that qualify.
    pub pool: Ore,
    /// The indicator the grant is judged on.
    pub indicator: String,
    /// Whether a higher value of the indicator is better.
    pub higher_is_better: bool,
    /// The period whose value is each recipient's baseline (used by relative targets).
    pub baseline_period: String,
    /// The period whose value is judged against the target.
    pub period: String,
    /// What the value must reach.
    pub target: Target,
    /// How the pool is shared among those who qualify.
    pub split: Split,
}

/// A possible recipient with its published values, as input to [`allocate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    /// Municipality or county code; also breaks ties when leftover öre are handed out.
    pub code: String,
    /// Name, for display.
    pub name: String,
    /// Population, the weight when the pool is split by population.
    pub population: u64,
    /// The published value for the baseline period, if any.
    pub baseline: Option<f64>,
    /// The published value for the judged period, if any.
    pub current: Option<f64>,
}

/// One recipient's outcome: whether it qualified, why, and what it is paid. One per
/// [`Recipient`], so a decision can list everyone, including those who get nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Municipality or county code.
    pub code: String,
    /// Name, for display.
    pub name: String,
    /// Population as given.
    pub population: u64,
    /// The baseline value as given.
    pub baseline: Option<f64>,
    /// The current value as given.
    pub current: Option<f64>,
    /// The value the current value had to reach; `None` when it could not be computed
    /// (a relative target without a baseline).
    pub threshold: Option<f64>,
    /// Whether the recipient reached the target.
    pub qualified: bool,
    /// Why, in plain English, e.g. "current 0.52 reaches threshold 0.495 (10 % better than
    /// baseline 0.45)" or "no published value for the baseline period (2022)".
    pub reason: String,
    /// The recipient's weight in the split: its population (by population) or 1 (equally) when
    /// qualified, 0 otherwise.
    pub weight: u64,
    /// What the recipient is paid.
    pub amount: Ore,
}

/// Decides who qualifies for `grant` and splits its pool among them; returns one
/// [`Allocation`] per recipient, in input order.
///
/// A recipient without a published (finite) current value does not qualify; under a relative
/// target neither does one without a baseline. A value exactly at the threshold qualifies; the
/// comparison allows a relative tolerance of 10⁻⁹ so that floating-point rounding in the
/// threshold (0.2 × 1.1 = 0.22000000000000003) does not turn "exactly at" into "just below".
///
/// The pool is split among the qualifying recipients in proportion to their weights by the
/// largest remainder rule (see [`split_largest_remainder`]): each gets
/// `floor(pool × weight / total weight)` öre, and the öre left over go one each to the largest
/// remainders, ties broken by the smaller code first. The amounts therefore add up to the pool
/// exactly whenever the qualifying weights are not all zero; when nobody qualifies (or only
/// recipients with population 0 under [`Split::ByPopulation`]) nothing is paid.
pub fn allocate(grant: &PerformanceGrant, recipients: &[Recipient]) -> Vec<Allocation> {
    let mut allocations: Vec<Allocation> = recipients.iter().map(|r| judge(grant, r)).collect();
    let weights: Vec<(&str, u64)> = allocations
        .iter()
        .map(|a| (a.code.as_str(), a.weight))
        .collect();
    let amounts = split_largest_remainder(grant.pool, &weights);
    for (allocation, amount) in allocations.iter_mut().zip(amounts) {
        allocation.amount = amount;
    }
    allocations
}

/// Decides one recipient's threshold, qualification, reason and weight (amount still zero).
fn judge(grant: &PerformanceGrant, recipient: &Recipient) -> Allocation {
    let baseline = recipient.baseline.filter(|v| v.is_finite());
    let current = recipient.current.filter(|v| v.is_finite());
    let needs_baseline = matches!(grant.target, Target::Relative { .. });

    let mut missing = Vec::new();
    if needs_baseline && baseline.is_none() {
        missing.push(format!("the baseline period ({})", grant.baseline_period));
    }
    if current.is_none() {
        missing.push(format!("the period ({})", grant.period));
    }

    let threshold = match grant.target {
        Target::Absolute { level } => Some(level),
        Target::Relative { improvement } => baseline.map(|b| {
            let step = improvement * b.abs();
            if grant.higher_is_better {
                b + step
            } else {
                b - step
            }
        }),
    };

    let (qualified, reason) = match (threshold, current) {
        (Some(threshold), Some(current)) if missing.is_empty() => {
            let qualified = reaches(current, threshold, grant.higher_is_better);
            let verb = if qualified {
                "reaches"
            } else {
                "does not reach"
            };
            let how = match (grant.target, baseline) {
                (Target::Relative { improvement }, Some(b)) => format!(
                    " ({} % better than baseline {})",
                    number(improvement * 100.0),
                    number(b)
                ),
                _ => String::new(),
            };
            let direction = if grant.higher_is_better {
                ""
            } else {
                " (lower is better)"
            };
            (
                qualified,
                format!(
                    "current {} {verb} threshold {}{how}{direction}",
                    number(current),
                    number(threshold)
                ),
            )
        }
        _ => (
            false,
            format!("no published value for {}", missing.join(" nor for ")),
        ),
    };

    let weight = match (qualified, grant.split) {
        (false, _) => 0,
        (true, Split::ByPopulation) => recipient.population,
        (true, Split::Equally) => 1,
    };

    Allocation {
        code: recipient.code.clone(),
        name: recipient.name.clone(),
        population: recipient.population,
        baseline: recipient.baseline,
        current: recipient.current,
        threshold,
        qualified,
        reason,
        weight,
        amount: Ore::ZERO,
    }
}

/// Whether `current` reaches `threshold` in the better direction, inclusive, within
/// [`TOLERANCE`] relative to the larger of the two magnitudes.
fn reaches(current: f64, threshold: f64, higher_is_better: bool) -> bool {
    let slack = TOLERANCE * current.abs().max(threshold.abs());
    if higher_is_better {
        current >= threshold - slack
    } else {
        current <= threshold + slack
    }
}

/// A value for a reason text: at most nine decimals, trailing zeros dropped, so that
/// 0.22000000000000003 reads "0.22".
fn number(v: f64) -> String {
    let s = format!("{v:.9}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    fn grant(target: Target, higher_is_better: bool, split: Split, pool: i64) -> PerformanceGrant {
        PerformanceGrant {
            id: "pb-2024".to_owned(),
            title: "Prestationsbaserat statsbidrag 2024".to_owned(),
            pool: Ore(pool),
            indicator: "U23471".to_owned(),
            higher_is_better,
            baseline_period: "2022".to_owned(),
            period: "2024".to_owned(),
            target,
            split,
        }
    }

    fn recipient(
        code: &str,
        population: u64,
        baseline: Option<f64>,
        current: Option<f64>,
    ) -> Recipient {
        Recipient {
            code: code.to_owned(),
            name: format!("Kommun {code}"),
            population,
            baseline,
            current,
        }
    }

    fn amounts(allocations: &[Allocation]) -> Vec<i64> {
        allocations.iter().map(|a| a.amount.0).collect()
    }

    #[test]
    fn a_relative_target_split_by_population_worked_by_hand() {
        // arrange: higher is better, 10 % better than the own 2022 value, pool 99 999 öre.
        let g = grant(
            Target::Relative { improvement: 0.10 },
            true,
            Split::ByPopulation,
            99_999,
        );
        let recipients = [
            // threshold 0.2 × 1.1 = 0.22 (0.22000000000000003 in f64): exactly at it → qualifies
            recipient("K01", 40_000, Some(0.20), Some(0.22)),
            // threshold 0.55; 0.549 is just below → does not qualify
            recipient("K02", 30_000, Some(0.50), Some(0.549)),
            // no baseline → cannot be judged
            recipient("K03", 20_000, None, Some(0.80)),
            // threshold 0.22 (0.2 × 1.1); 0.30 is well above → qualifies
            recipient("K04", 25_000, Some(0.20), Some(0.30)),
            // no current value → cannot be judged
            recipient("K05", 10_000, Some(0.60), None),
            // threshold 0.3 × 1.1 = 0.33; 0.40 → qualifies
            recipient("K06", 5_000, Some(0.30), Some(0.40)),
        ];

        // act
        let out = allocate(&g, &recipients);

        // assert: who qualifies, and why.
        let qualified: Vec<bool> = out.iter().map(|a| a.qualified).collect();
        assert_eq!(qualified, [true, false, false, true, false, true]);
        assert_eq!(
            out[0].reason,
            "current 0.22 reaches threshold 0.22 (10 % better than baseline 0.2)"
        );
        assert_eq!(
            out[1].reason,
            "current 0.549 does not reach threshold 0.55 (10 % better than baseline 0.5)"
        );
        assert_eq!(
            out[2].reason,
            "no published value for the baseline period (2022)"
        );
        assert_eq!(out[2].threshold, None);
        assert_eq!(out[4].reason, "no published value for the period (2024)");
        assert!((out[5].threshold.unwrap() - 0.33).abs() < 1e-12);

        // The split. Qualifying weights 40 000 + 25 000 + 5 000 = W = 70 000.
        //   K01: 99 999 × 40 000 = 3 999 960 000 = 57 142 × 70 000 + 20 000
        //   K04: 99 999 × 25 000 = 2 499 975 000 = 35 713 × 70 000 + 65 000
        //   K06: 99 999 ×  5 000 =   499 995 000 =  7 142 × 70 000 + 55 000
        // Floors add up to 99 997; the 2 öre left go to the largest remainders, K04 (65 000)
        // and K06 (55 000), not to K01 (20 000) although K01 is the largest.
        let weights: Vec<u64> = out.iter().map(|a| a.weight).collect();
        assert_eq!(weights, [40_000, 0, 0, 25_000, 0, 5_000]);
        assert_eq!(amounts(&out), [57_142, 0, 0, 35_714, 0, 7_143]);
        assert_eq!(out.iter().map(|a| a.amount).sum::<Ore>(), g.pool);
    }

    #[test]
    fn just_below_the_threshold_by_more_than_rounding_does_not_qualify() {
        let g = grant(
            Target::Relative { improvement: 0.10 },
            true,
            Split::Equally,
            100,
        );
        let out = allocate(&g, &[recipient("K01", 1, Some(0.20), Some(0.22 - 1e-6))]);
        assert!(!out[0].qualified);
        assert_eq!(out[0].amount, Ore::ZERO);
    }

    #[test]
    fn lower_is_better_turns_the_target_around() {
        // Relative: 20 % lower than the baseline. 0.7 − 0.2 × 0.7 = 0.56 (0.5599999999999999 in
        // f64), so 0.56 is exactly at the threshold and qualifies; 0.561 is above and doesn't;
        // 0.40 is well below and does. Split equally: 100 öre / 2 = 50 each.
        let g = grant(
            Target::Relative { improvement: 0.20 },
            false,
            Split::Equally,
            100,
        );
        let out = allocate(
            &g,
            &[
                recipient("K01", 10, Some(0.70), Some(0.56)),
                recipient("K02", 10, Some(0.70), Some(0.561)),
                recipient("K03", 10, Some(0.70), Some(0.40)),
            ],
        );
        let qualified: Vec<bool> = out.iter().map(|a| a.qualified).collect();
        assert_eq!(qualified, [true, false, true]);
        assert_eq!(
            out[1].reason,
            "current 0.561 does not reach threshold 0.56 (20 % better than baseline 0.7) \
             (lower is better)"
        );
        assert_eq!(amounts(&out), [50, 0, 50]);

        // Absolute, lower is better: at most 30 waiting days.
        let g = grant(Target::Absolute { level: 30.0 }, false, Split::Equally, 100);
        let out = allocate(
            &g,
            &[
                recipient("K01", 10, None, Some(30.0)),
                recipient("K02", 10, None, Some(31.0)),
            ],
        );
        assert!(out[0].qualified);
        assert!(!out[1].qualified);
        assert_eq!(
            out[0].reason,
            "current 30 reaches threshold 30 (lower is better)"
        );
    }

    #[test]
    fn an_absolute_target_needs_no_baseline() {
        let g = grant(Target::Absolute { level: 0.5 }, true, Split::Equally, 10);
        let out = allocate(
            &g,
            &[
                recipient("K01", 1, None, Some(0.5)),
                recipient("K02", 1, Some(0.9), Some(0.49)),
                recipient("K03", 1, Some(0.9), None),
            ],
        );
        assert_eq!(out[0].reason, "current 0.5 reaches threshold 0.5");
        assert_eq!(out[0].threshold, Some(0.5));
        assert!(!out[1].qualified);
        assert_eq!(out[2].reason, "no published value for the period (2024)");
        assert_eq!(amounts(&out), [10, 0, 0]);
    }

    #[test]
    fn missing_both_values_names_both_periods() {
        let g = grant(
            Target::Relative { improvement: 0.1 },
            true,
            Split::Equally,
            10,
        );
        let out = allocate(&g, &[recipient("K01", 1, None, Some(f64::NAN))]);
        assert_eq!(
            out[0].reason,
            "no published value for the baseline period (2022) nor for the period (2024)"
        );
    }

    #[test]
    fn an_uneven_equal_split_gives_the_extra_ore_to_the_smallest_code() {
        // 100 öre / 3 = 33 each with 1 left over; all remainders equal, so the smallest code
        // (K01, listed last here) gets it. Output stays in input order.
        let g = grant(Target::Absolute { level: 0.0 }, true, Split::Equally, 100);
        let out = allocate(
            &g,
            &[
                recipient("K03", 900, None, Some(1.0)),
                recipient("K02", 5, None, Some(1.0)),
                recipient("K01", 1, None, Some(1.0)),
            ],
        );
        let codes: Vec<&str> = out.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes, ["K03", "K02", "K01"]);
        assert_eq!(amounts(&out), [33, 33, 34]);
    }

    #[test]
    fn nobody_qualifying_pays_nothing() {
        let g = grant(
            Target::Absolute { level: 1.0 },
            true,
            Split::ByPopulation,
            1_000,
        );
        let out = allocate(
            &g,
            &[
                recipient("K01", 100, None, Some(0.5)),
                recipient("K02", 100, None, None),
            ],
        );
        assert!(out.iter().all(|a| !a.qualified && a.amount == Ore::ZERO));
        assert!(allocate(&g, &[]).is_empty());
    }

    #[test]
    fn a_grant_is_stored_as_snake_case_json_with_tagged_targets() {
        let g = grant(
            Target::Relative { improvement: 0.1 },
            true,
            Split::ByPopulation,
            500,
        );
        let json = serde_json::to_value(&g).unwrap();
        assert_eq!(
            json["target"],
            serde_json::json!({"kind": "relative", "improvement": 0.1})
        );
        assert_eq!(json["split"], "by_population");
        assert_eq!(json["pool"], 500);
        let back: PerformanceGrant = serde_json::from_value(json).unwrap();
        assert_eq!(back, g);

        let absolute: Target = serde_json::from_str(r#"{"kind":"absolute","level":0.75}"#).unwrap();
        assert_eq!(absolute, Target::Absolute { level: 0.75 });
        assert_eq!(
            serde_json::to_string(&Split::Equally).unwrap(),
            r#""equally""#
        );
    }

    #[test]
    fn random_pools_are_paid_out_exactly_and_within_an_ore_of_the_exact_share() {
        let mut rng = SplitMix64::new(2024);
        for round in 0..1_000 {
            let pool = rng.below(100_000_000_000) as i64;
            let split = if round % 2 == 0 {
                Split::ByPopulation
            } else {
                Split::Equally
            };
            let g = grant(Target::Absolute { level: 0.5 }, true, split, pool);
            let n = 1 + rng.below(30) as usize;
            let recipients: Vec<Recipient> = (0..n)
                .map(|i| {
                    let current = (rng.below(4) > 0).then(|| rng.unit_f64());
                    recipient(
                        &format!("{:04}", i * 7 % 31),
                        rng.below(1_000_000),
                        None,
                        current,
                    )
                })
                .collect();

            let out = allocate(&g, &recipients);

            let total_weight: i128 = out.iter().map(|a| i128::from(a.weight)).sum();
            let paid: Ore = out.iter().map(|a| a.amount).sum();
            if total_weight == 0 {
                assert_eq!(paid, Ore::ZERO);
                continue;
            }
            assert_eq!(paid, g.pool, "round {round}");
            for a in &out {
                assert_eq!(a.qualified, a.current.is_some_and(|c| c >= 0.5));
                // |amount − pool·w/W| < 1 öre, in integers.
                let diff =
                    i128::from(a.amount.0) * total_weight - i128::from(pool) * i128::from(a.weight);
                assert!(diff.abs() < total_weight, "round {round}: {a:?}");
            }
        }
    }
}
