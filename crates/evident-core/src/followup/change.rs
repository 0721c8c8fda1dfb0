//! Change for one client between two measurements: the reliable change index and the
//! Jacobson–Truax classification (Jacobson & Truax 1991).
//!
//! `SEdiff = SD₀ · √2 · √(1 − r)`, `RCI = (x₂ − x₁) / SEdiff`. A change is reliable when
//! `|RCI| > 1.96` (strictly: exactly 1.96 is not). Direction comes from the instrument:
//! a reliable change towards "better" is an improvement; one that also moves the client from
//! the clinical into the non-clinical range is recovery.

use crate::followup::instrument::Instrument;
use serde::Serialize;

/// The critical value of a two-sided test at the 5 % level.
pub const RELIABLE_Z: f64 = 1.96;

/// The Jacobson–Truax category of one client's change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeClass {
    /// Reliably improved and moved from the clinical into the non-clinical range.
    Recovered,
    /// Reliably improved (without recovery, or the instrument has no cut-off).
    ReliablyImproved,
    /// No reliable change.
    Unchanged,
    /// Reliably worse.
    ReliablyDeteriorated,
}

impl ChangeClass {
    /// As stored and shown in data.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recovered => "recovered",
            Self::ReliablyImproved => "reliably_improved",
            Self::Unchanged => "unchanged",
            Self::ReliablyDeteriorated => "reliably_deteriorated",
        }
    }

    /// Whether the change counts as reliable improvement (recovery included).
    pub fn improved(self) -> bool {
        matches!(self, Self::Recovered | Self::ReliablyImproved)
    }
}

/// A client's change between baseline and a follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// Follow-up minus baseline.
    pub difference: f64,
    /// The reliable change index.
    pub rci: f64,
    /// The category.
    pub class: ChangeClass,
}

/// The standard error of the difference between two scores.
pub fn se_difference(normative_sd: f64, reliability: f64) -> f64 {
    normative_sd * std::f64::consts::SQRT_2 * (1.0 - reliability).sqrt()
}

/// Classifies the change from `baseline` to `follow_up` on `instrument`.
pub fn classify(instrument: &Instrument, baseline: f64, follow_up: f64) -> Change {
    let difference = follow_up - baseline;
    let rci = difference / se_difference(instrument.normative_sd, instrument.reliability);
    let towards_better = if instrument.higher_is_better {
        rci
    } else {
        -rci
    };
    let class = if towards_better > RELIABLE_Z {
        let recovered = matches!(
            (
                instrument.is_clinical(baseline),
                instrument.is_clinical(follow_up)
            ),
            (Some(true), Some(false))
        );
        if recovered {
            ChangeClass::Recovered
        } else {
            ChangeClass::ReliablyImproved
        }
    } else if towards_better < -RELIABLE_Z {
        ChangeClass::ReliablyDeteriorated
    } else {
        ChangeClass::Unchanged
    };
    Change {
        difference,
        rci,
        class,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followup::instrument::ScoringMethod;
    use crate::followup::instrument::tests::toy;

    // The toy instrument: SD₀ = 5, r = 0.84, cut-off 6.
    // SEdiff = 5 · √2 · √0.16 = 5 · 1.41421356 · 0.4 = 2.82842712.
    // Reliable change needs |x₂ − x₁| > 1.96 · 2.82842712 = 5.54371716.
    const SE: f64 = 2.828_427_124_746_19;

    #[test]
    fn the_standard_error_of_the_difference_is_worked_out_by_hand() {
        assert!((se_difference(5.0, 0.84) - SE).abs() < 1e-12);
        // PHQ-9 style: SD 5.7, r 0.84 → 5.7 · 1.41421356 · 0.4 = 3.22440692.
        assert!((se_difference(5.7, 0.84) - 3.224_406_922_4).abs() < 1e-9);
    }

    #[test]
    fn lower_is_better_improvement_recovery_and_deterioration() {
        let phq = toy(false, ScoringMethod::Sum);
        // 12 → 3: difference −9, RCI −9 / 2.828 = −3.182: reliable improvement; 12 ≥ 6 clinical,
        // 3 < 6 not: recovered.
        let c = classify(&phq, 12.0, 3.0);
        assert!((c.rci - (-9.0 / SE)).abs() < 1e-12);
        assert_eq!(c.class, ChangeClass::Recovered);
        // 12 → 6: RCI −6 / 2.828 = −2.121, reliable; 6 is still clinical (at the cut-off).
        assert_eq!(
            classify(&phq, 12.0, 6.0).class,
            ChangeClass::ReliablyImproved
        );
        // 8 → 3: RCI −1.768: not reliable, though it crosses the cut-off.
        assert_eq!(classify(&phq, 8.0, 3.0).class, ChangeClass::Unchanged);
        // 2 → 9: RCI +2.475: reliably worse.
        assert_eq!(
            classify(&phq, 2.0, 9.0).class,
            ChangeClass::ReliablyDeteriorated
        );
    }

    #[test]
    fn higher_is_better_turns_the_direction_round() {
        let who = toy(true, ScoringMethod::Sum);
        // 3 → 12: RCI +3.182 towards better; 3 < 6 clinical, 12 ≥ 6 not: recovered.
        assert_eq!(classify(&who, 3.0, 12.0).class, ChangeClass::Recovered);
        // 12 → 3: reliably worse on a higher-is-better scale.
        assert_eq!(
            classify(&who, 12.0, 3.0).class,
            ChangeClass::ReliablyDeteriorated
        );
        // 7 → 12: reliable improvement, but 7 was already non-clinical: improved, not recovered.
        assert_eq!(
            classify(&who, 6.0, 12.0).class,
            ChangeClass::ReliablyImproved
        );
    }

    #[test]
    fn a_change_exactly_at_the_threshold_is_not_reliable() {
        let phq = toy(false, ScoringMethod::Sum);
        let threshold = RELIABLE_Z * SE;
        let at = classify(&phq, 10.0, 10.0 - threshold);
        assert!((at.rci + RELIABLE_Z).abs() < 1e-12, "{}", at.rci);
        assert_eq!(at.class, ChangeClass::Unchanged);
        // Just beyond it, 10 → 4.456: reliable, and from clinical (10 ≥ 6) to not (4.456 < 6).
        assert_eq!(
            classify(&phq, 10.0, 10.0 - threshold - 1e-9).class,
            ChangeClass::Recovered
        );
        assert_eq!(
            classify(&phq, 20.0, 20.0 - threshold - 1e-9).class,
            ChangeClass::ReliablyImproved
        );
    }

    #[test]
    fn without_a_cutoff_there_is_no_recovery() {
        let mut phq = toy(false, ScoringMethod::Sum);
        phq.cutoff = None;
        assert_eq!(
            classify(&phq, 12.0, 3.0).class,
            ChangeClass::ReliablyImproved
        );
    }
}
