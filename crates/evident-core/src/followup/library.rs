//! The instrument library Evident ships with, embedded from `data/instruments/` (FHIR R4
//! Questionnaires; sources and licences in `data/instruments/SOURCE.md`).

use crate::followup::fhir::instrument_from_questionnaire;
use crate::followup::instrument::Instrument;

const FILES: [(&str, &str); 5] = [
    (
        "phq-9.json",
        include_str!("../../../../data/instruments/phq-9.json"),
    ),
    (
        "gad-7.json",
        include_str!("../../../../data/instruments/gad-7.json"),
    ),
    (
        "audit.json",
        include_str!("../../../../data/instruments/audit.json"),
    ),
    (
        "who-5.json",
        include_str!("../../../../data/instruments/who-5.json"),
    ),
    (
        "k10.json",
        include_str!("../../../../data/instruments/k10.json"),
    ),
];

/// Every instrument of the embedded library.
pub fn embedded_instruments() -> Vec<Instrument> {
    FILES
        .iter()
        .map(|(file, text)| {
            let resource: serde_json::Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
            instrument_from_questionnaire(&resource).unwrap_or_else(|e| panic!("{file}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followup::change::{ChangeClass, classify};
    use crate::followup::instrument::Answers;

    fn all(instrument: &Instrument, code: &str) -> Answers {
        instrument
            .items
            .iter()
            .map(|i| (i.link_id.clone(), code.to_owned()))
            .collect()
    }

    #[test]
    fn the_library_loads_with_the_published_ranges_and_cutoffs() {
        let library = embedded_instruments();
        let find = |id: &str| library.iter().find(|i| i.id == id).unwrap().clone();
        let expected = [
            ("phq-9", 9, 0.0, 27.0, 10.0, false),
            ("gad-7", 7, 0.0, 21.0, 10.0, false),
            ("audit", 10, 0.0, 40.0, 8.0, false),
            ("who-5", 5, 0.0, 25.0, 13.0, true),
            ("k10", 10, 10.0, 50.0, 22.0, false),
        ];
        for (id, items, lo, hi, cutoff, better) in expected {
            let instrument = find(id);
            assert_eq!(instrument.items.len(), items, "{id}");
            assert_eq!(instrument.range, (lo, hi), "{id}");
            assert_eq!(instrument.cutoff, Some(cutoff), "{id}");
            assert_eq!(instrument.higher_is_better, better, "{id}");
            let min_sum: f64 = instrument
                .items
                .iter()
                .map(|i| {
                    i.options
                        .iter()
                        .map(|o| o.score)
                        .fold(f64::INFINITY, f64::min)
                })
                .sum();
            let max_sum: f64 = instrument
                .items
                .iter()
                .map(|i| {
                    i.options
                        .iter()
                        .map(|o| o.score)
                        .fold(f64::NEG_INFINITY, f64::max)
                })
                .sum();
            assert_eq!(
                (min_sum, max_sum),
                (lo, hi),
                "{id}: the range is the sum of the item ranges"
            );
        }
    }

    #[test]
    fn real_instruments_score_and_classify_as_worked_out_by_hand() {
        let library = embedded_instruments();
        let phq = library.iter().find(|i| i.id == "phq-9").unwrap();
        // Every item "More than half the days" (2) → 18; every item "Several days" (1) → 9.
        assert_eq!(phq.score(&all(phq, "LA6570-1")).unwrap().total, Some(18.0));
        assert_eq!(phq.score(&all(phq, "LA6569-3")).unwrap().total, Some(9.0));
        // PHQ-9 in SOURCE.md: SD 3.5, r 0.89. SEdiff = 3.5 · √2 · √0.11 = 3.5 · 1.414214 ·
        // 0.331662 = 1.641645; 18 → 9: RCI = −9 / 1.641645 = −5.4823: reliable, and 18 ≥ 10 →
        // 9 < 10: recovered.
        let change = classify(phq, 18.0, 9.0);
        assert!((change.rci + 5.4823).abs() < 0.001, "{}", change.rci);
        assert_eq!(change.class, ChangeClass::Recovered);
        let who = library.iter().find(|i| i.id == "who-5").unwrap();
        // WHO-5 is higher-is-better: all "Some of the time" (1) = 5 → all "Most of the time" (4) = 20.
        assert_eq!(who.score(&all(who, "4")).unwrap().total, Some(20.0));
        assert_eq!(classify(who, 5.0, 20.0).class, ChangeClass::Recovered);
        let audit = library.iter().find(|i| i.id == "audit").unwrap();
        let mut answers = all(audit, "0");
        answers.insert("9".into(), "4".into());
        assert_eq!(
            audit.score(&answers).unwrap().total,
            Some(4.0),
            "item 9 scores 0, 2 or 4"
        );
    }
}
