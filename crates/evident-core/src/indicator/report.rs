//! What the comparison views show, computed from published cells only: a ranked table with
//! the open-comparisons colouring and the change since the previous period, funnel-plot
//! signals around the national value, and the mean of a group of similar municipalities.
//!
//! Everything here starts from [`Published`] cells, which the store produces after disclosure
//! control, so nothing in a view can rest on a suppressed count.

use super::definition::{Better, Definition, Measure, Statistic};
use super::publish::Published;
use crate::org::OrgCode;
use crate::stats::comparison::{Binomial, Tertile, funnel_limit, tertiles};
use serde::Serialize;

/// One organisation node as a view row: its published value now and one period earlier.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// The node.
    pub code: OrgCode,
    /// Its name.
    pub name: String,
    /// The value in the period shown.
    pub current: Published,
    /// The value in the period before it.
    pub previous: Published,
}

/// A row of the ranked table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedEntry {
    /// The node.
    pub code: OrgCode,
    /// Its name.
    pub name: String,
    /// Its published value.
    pub current: Published,
    /// The change since the previous period, when both are published.
    pub change: Option<f64>,
    /// 1 for the best value; ties share a rank. `None` without a value or for neutral indicators.
    pub rank: Option<usize>,
    /// The open-comparisons colour; `None` without a value or for neutral indicators.
    pub tertile: Option<Tertile>,
    /// Where it falls in the funnel plot, when the indicator has one.
    pub signal: Option<Signal>,
}

/// Where a value falls relative to the funnel-plot control limits at its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Inside the 95 % limits: consistent with the national value.
    Within,
    /// Between the 95 % and 99.8 % limits, above the national value.
    Above95,
    /// Beyond the upper 99.8 % limit.
    Above998,
    /// Between the 95 % and 99.8 % limits, below the national value.
    Below95,
    /// Beyond the lower 99.8 % limit.
    Below998,
}

impl Signal {
    /// A stable name for styles and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Within => "within",
            Self::Above95 => "above_95",
            Self::Above998 => "above_99_8",
            Self::Below95 => "below_95",
            Self::Below998 => "below_99_8",
        }
    }
}

/// The shape of a funnel: binomial for shares, normal for means. Medians and differences
/// have none (their sampling distribution is not known from the published cells).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Funnel {
    /// A share around the national share `target` (Spiegelhalter's exact binomial limits).
    Share {
        /// The national share.
        target: f64,
    },
    /// A mean around the national mean, with the national standard deviation of one
    /// individual's value (recovered from the national 95 % interval and n).
    Mean {
        /// The national mean.
        target: f64,
        /// The individual-level standard deviation.
        sd: f64,
    },
}

/// The normal quantiles of the two-sided 95 % and 99.8 % limits.
const Z95: f64 = 1.959_963_984_540_054;
const Z998: f64 = 3.090_232_306_167_813_5;

impl Funnel {
    /// The funnel for `definition` around the national cell, if it has one.
    pub fn around(definition: &Definition, national: &Published) -> Option<Self> {
        let statistic = match definition.measure {
            Measure::Base { statistic, .. } => statistic,
            // The share positive on a survey question is a share like any other.
            Measure::Survey { .. } => Statistic::Share(0),
            Measure::Difference { .. } => return None,
        };
        let Published::Value { value, n, ci, .. } = *national else {
            return None;
        };
        match statistic {
            Statistic::Share(_) => Some(Self::Share { target: value }),
            Statistic::Mean(_) => {
                let (low, high) = ci?;
                let sd = (high - low) / (2.0 * Z95) * (n as f64).sqrt();
                (sd > 0.0).then_some(Self::Mean { target: value, sd })
            }
            Statistic::Median(_) => None,
        }
    }

    /// The centre line.
    pub fn target(&self) -> f64 {
        match *self {
            Self::Share { target } | Self::Mean { target, .. } => target,
        }
    }

    /// The limits at size `n`: lower 99.8 %, lower 95 %, upper 95 %, upper 99.8 %.
    pub fn limits(&self, n: u64) -> [f64; 4] {
        match *self {
            Self::Share { target } => {
                if n == 0 || !(0.0..=1.0).contains(&target) {
                    return [funnel_limit(target, n, 0.5); 4];
                }
                // One distribution for the four limits.
                let binomial = Binomial::new(n, target);
                [0.001, 0.025, 0.975, 0.999].map(|p| binomial.funnel_limit(p))
            }
            Self::Mean { target, sd } => {
                let se = sd / (n.max(1) as f64).sqrt();
                [
                    target - Z998 * se,
                    target - Z95 * se,
                    target + Z95 * se,
                    target + Z998 * se,
                ]
            }
        }
    }

    /// Where `value` at size `n` falls.
    pub fn signal(&self, value: f64, n: u64) -> Signal {
        let [low998, low95, high95, high998] = self.limits(n);
        if value > high998 {
            Signal::Above998
        } else if value > high95 {
            Signal::Above95
        } else if value < low998 {
            Signal::Below998
        } else if value < low95 {
            Signal::Below95
        } else {
            Signal::Within
        }
    }
}

/// The change from `previous` to `current`, when both are published.
pub fn change(current: &Published, previous: &Published) -> Option<f64> {
    Some(current.value()? - previous.value()?)
}

/// The ranked table: best first in the indicator's direction (largest first for neutral
/// indicators, which get neither rank nor colour), nodes without a published value last by
/// name. Colours are tertiles among the subjects shown; funnel signals are against
/// `funnel` (the national value), when given.
pub fn rank(
    definition: &Definition,
    subjects: Vec<Subject>,
    funnel: Option<&Funnel>,
) -> Vec<RankedEntry> {
    let neutral = definition.better == Better::Neutral;
    let higher = definition.better != Better::Lower;
    let values: Vec<Option<f64>> = subjects.iter().map(|s| s.current.value()).collect();
    let colours = if neutral {
        vec![None; subjects.len()]
    } else {
        tertiles(&values, higher)
    };
    let mut entries: Vec<RankedEntry> = subjects
        .into_iter()
        .zip(colours)
        .map(|(subject, tertile)| RankedEntry {
            change: change(&subject.current, &subject.previous),
            signal: match (funnel, &subject.current) {
                (Some(funnel), Published::Value { value, n, .. }) => {
                    Some(funnel.signal(*value, *n))
                }
                _ => None,
            },
            code: subject.code,
            name: subject.name,
            current: subject.current,
            rank: None,
            tertile,
        })
        .collect();
    entries.sort_by(|a, b| match (a.current.value(), b.current.value()) {
        (Some(x), Some(y)) => {
            let order = if higher {
                y.total_cmp(&x)
            } else {
                x.total_cmp(&y)
            };
            order.then_with(|| a.name.cmp(&b.name))
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
    if !neutral {
        let mut previous: Option<(f64, usize)> = None;
        for (position, entry) in entries.iter_mut().enumerate() {
            let Some(value) = entry.current.value() else {
                break;
            };
            let rank = match previous {
                Some((last, rank)) if last == value => rank,
                _ => position + 1,
            };
            entry.rank = Some(rank);
            previous = Some((value, rank));
        }
    }
    entries
}

/// The unweighted mean of the published values of a group (each municipality counts once,
/// as in Kolada's "similar municipalities"), with how many values it rests on. Suppressed
/// and empty cells are left out; `None` when no member has a value.
pub fn group_mean<'a>(cells: impl IntoIterator<Item = &'a Published>) -> Option<(f64, usize)> {
    let values: Vec<f64> = cells.into_iter().filter_map(Published::value).collect();
    (!values.is_empty()).then(|| {
        (
            values.iter().sum::<f64>() / values.len() as f64,
            values.len(),
        )
    })
}

/// Population bands for "similar municipalities": municipalities of about the same size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PopulationBand {
    /// Fewer than 10 000 inhabitants.
    Under10k,
    /// 10 000 – 24 999.
    From10kTo25k,
    /// 25 000 – 49 999.
    From25kTo50k,
    /// 50 000 – 99 999.
    From50kTo100k,
    /// 100 000 – 199 999.
    From100kTo200k,
    /// 200 000 or more.
    From200k,
}

impl PopulationBand {
    /// The band of a population.
    pub fn of(population: u64) -> Self {
        match population {
            0..10_000 => Self::Under10k,
            10_000..25_000 => Self::From10kTo25k,
            25_000..50_000 => Self::From25kTo50k,
            50_000..100_000 => Self::From50kTo100k,
            100_000..200_000 => Self::From100kTo200k,
            _ => Self::From200k,
        }
    }

    /// The band in words, Swedish or English.
    pub fn label(self, lang: &str) -> &'static str {
        let en = lang == "en";
        match self {
            Self::Under10k if en => "under 10 000 inhabitants",
            Self::Under10k => "under 10 000 invånare",
            Self::From10kTo25k if en => "10 000–24 999 inhabitants",
            Self::From10kTo25k => "10 000–24 999 invånare",
            Self::From25kTo50k if en => "25 000–49 999 inhabitants",
            Self::From25kTo50k => "25 000–49 999 invånare",
            Self::From50kTo100k if en => "50 000–99 999 inhabitants",
            Self::From50kTo100k => "50 000–99 999 invånare",
            Self::From100kTo200k if en => "100 000–199 999 inhabitants",
            Self::From100kTo200k => "100 000–199 999 invånare",
            Self::From200k if en => "200 000 inhabitants or more",
            Self::From200k => "200 000 invånare eller fler",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::IndicatorSet;

    fn value(value: f64, n: u64) -> Published {
        Published::Value {
            value,
            n,
            numerator: None,
            ci: None,
        }
    }

    fn subject(code: &str, current: Published, previous: Published) -> Subject {
        Subject {
            code: OrgCode::parse(code).unwrap(),
            name: format!("Kommun {code}"),
            current,
            previous,
        }
    }

    fn definition(id: &str) -> Definition {
        IndicatorSet::embedded().get(id).unwrap().clone()
    }

    #[test]
    fn ranks_best_first_with_shared_ranks_and_missing_values_last() {
        // EVI003 (reliably improved): higher is better.
        let d = definition("EVI003");
        let entries = rank(
            &d,
            vec![
                subject("0114", value(0.40, 20), value(0.30, 20)),
                subject("0115", Published::Suppressed, value(0.5, 10)),
                subject("0117", value(0.60, 20), Published::NoData),
                subject("0120", value(0.40, 30), Published::Suppressed),
                subject("0123", Published::NoData, Published::NoData),
                subject("0125", value(0.10, 20), value(0.20, 20)),
            ],
            None,
        );
        let order: Vec<&str> = entries.iter().map(|e| e.code.as_str()).collect();
        // Missing values last, ordered by name ("Kommun 0115" < "Kommun 0123").
        assert_eq!(order, ["0117", "0114", "0120", "0125", "0115", "0123"]);
        let ranks: Vec<Option<usize>> = entries.iter().map(|e| e.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(2), Some(4), None, None]);
        // Change only where both periods are published: 0.40 − 0.30 and 0.10 − 0.20.
        assert!((entries[1].change.unwrap() - 0.10).abs() < 1e-12);
        assert!((entries[3].change.unwrap() + 0.10).abs() < 1e-12);
        assert_eq!(entries[0].change, None);
        assert_eq!(entries[2].change, None);
        // Four values: 0.6 and the tied 0.4s in the best third (3·0/4 = 3·1/4 = 0), 0.1 worst (3·3/4 = 2).
        assert_eq!(entries[0].tertile, Some(Tertile::Best));
        assert_eq!(entries[1].tertile, Some(Tertile::Best));
        assert_eq!(entries[3].tertile, Some(Tertile::Worst));
        assert_eq!(entries[4].tertile, None);
    }

    #[test]
    fn lower_is_better_reverses_the_order_and_neutral_gets_no_rank_or_colour() {
        let lower = definition("EVI004"); // reliably deteriorated
        assert_eq!(lower.better, Better::Lower);
        let subjects = vec![
            subject("0114", value(0.05, 40), Published::NoData),
            subject("0115", value(0.20, 40), Published::NoData),
            subject("0117", value(0.10, 40), Published::NoData),
        ];
        let entries = rank(&lower, subjects.clone(), None);
        let order: Vec<&str> = entries.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(order, ["0114", "0117", "0115"]);
        assert_eq!(entries[0].tertile, Some(Tertile::Best));
        assert_eq!(entries[2].tertile, Some(Tertile::Worst));

        let neutral = definition("EVI009");
        assert_eq!(neutral.better, Better::Neutral);
        let entries = rank(&neutral, subjects, None);
        assert!(
            entries
                .iter()
                .all(|e| e.rank.is_none() && e.tertile.is_none())
        );
        assert_eq!(entries[0].code.as_str(), "0115");
    }

    #[test]
    fn share_funnel_signals_against_exact_binomial_limits() {
        let d = definition("EVI003");
        let national = Published::Value {
            value: 0.5,
            n: 10_000,
            numerator: Some(5_000),
            ci: None,
        };
        let funnel = Funnel::around(&d, &national).unwrap();
        assert_eq!(funnel, Funnel::Share { target: 0.5 });
        // n = 100, θ = 0.5: the binomial 2.5 % and 97.5 % quantiles are 40 and 60, the 0.1 %
        // and 99.9 % quantiles 35 and 65 (R: qbinom(c(.001,.025,.975,.999), 100, .5)), so
        // the limits lie a little inside 0.40/0.60 and 0.35/0.65 after interpolation.
        let [l998, l95, h95, h998] = funnel.limits(100);
        assert!(l998 > 0.33 && l998 <= 0.35, "{l998}");
        assert!(l95 > 0.39 && l95 <= 0.40, "{l95}");
        assert!(h95 > 0.59 && h95 <= 0.60, "{h95}");
        assert!(h998 > 0.64 && h998 <= 0.65, "{h998}");
        assert_eq!(funnel.signal(0.5, 100), Signal::Within);
        assert_eq!(funnel.signal(0.62, 100), Signal::Above95);
        assert_eq!(funnel.signal(0.70, 100), Signal::Above998);
        assert_eq!(funnel.signal(0.37, 100), Signal::Below95);
        assert_eq!(funnel.signal(0.30, 100), Signal::Below998);
        // The same 0.62 is within the limits of a small unit (n = 10).
        assert_eq!(funnel.signal(0.62, 10), Signal::Within);
    }

    #[test]
    fn mean_funnel_recovers_the_individual_sd_from_the_national_interval() {
        let d = definition("EVI005"); // mean effect size
        // n = 400 individuals with sd 0.8: se = 0.04, 95 % CI = 0.5 ± 1.96·0.04.
        let half = Z95 * 0.04;
        let national = Published::Value {
            value: 0.5,
            n: 400,
            numerator: None,
            ci: Some((0.5 - half, 0.5 + half)),
        };
        let Some(Funnel::Mean { target, sd }) = Funnel::around(&d, &national) else {
            panic!("a mean indicator has a normal funnel");
        };
        assert!((target - 0.5).abs() < 1e-12);
        assert!((sd - 0.8).abs() < 1e-9);
        // At n = 16: se = 0.2, limits 0.5 ± 1.96·0.2 and 0.5 ± 3.09·0.2.
        let limits = Funnel::Mean { target, sd }.limits(16);
        let expected = [
            0.5 - Z998 * 0.2,
            0.5 - Z95 * 0.2,
            0.5 + Z95 * 0.2,
            0.5 + Z998 * 0.2,
        ];
        for (got, want) in limits.iter().zip(expected) {
            assert!((got - want).abs() < 1e-9);
        }
    }

    #[test]
    fn no_funnel_without_a_national_value_or_for_medians() {
        assert_eq!(
            Funnel::around(&definition("EVI003"), &Published::Suppressed),
            None
        );
        let median = definition("EVI007");
        assert_eq!(Funnel::around(&median, &value(30.0, 500)), None);
    }

    #[test]
    fn group_mean_is_unweighted_and_skips_unpublished_cells() {
        let cells = [
            value(0.2, 10),
            value(0.6, 1000),
            Published::Suppressed,
            Published::NoData,
        ];
        let (mean, count) = group_mean(&cells).unwrap();
        assert!((mean - 0.4).abs() < 1e-12);
        assert_eq!(count, 2);
        assert_eq!(group_mean(&[Published::NoData]), None);
    }

    #[test]
    fn population_bands_have_closed_lower_bounds() {
        assert_eq!(PopulationBand::of(9_999), PopulationBand::Under10k);
        assert_eq!(PopulationBand::of(10_000), PopulationBand::From10kTo25k);
        assert_eq!(PopulationBand::of(49_999), PopulationBand::From25kTo50k);
        assert_eq!(PopulationBand::of(199_999), PopulationBand::From100kTo200k);
        assert_eq!(PopulationBand::of(200_000), PopulationBand::From200k);
    }
}
