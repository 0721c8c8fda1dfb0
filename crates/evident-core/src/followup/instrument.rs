//! Assessment instruments and their scoring: items with scored answer options, reverse-scored
//! items, sum or mean scoring with subscales, and the rule for missing answers. An instrument
//! is identified by id *and* version, so a score once computed never changes when the
//! instrument is edited: the edit is a new version.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How item scores combine into the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoringMethod {
    /// The sum of the item scores (prorated when answers are missing).
    Sum,
    /// The mean of the answered items.
    Mean,
}

/// One answer option of an item, with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerOption {
    /// The code submitted for it.
    pub code: String,
    /// What the respondent reads.
    pub display: String,
    /// Its score.
    pub score: f64,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Identifier within the instrument (FHIR `linkId`).
    pub link_id: String,
    /// The question.
    pub text: String,
    /// The answer options.
    pub options: Vec<AnswerOption>,
    /// Whether the item counts against the scale the other way round (score = min + max − raw).
    pub reverse: bool,
}

impl Item {
    fn score_range(&self) -> (f64, f64) {
        let scores = self.options.iter().map(|o| o.score);
        let min = scores.clone().fold(f64::INFINITY, f64::min);
        let max = scores.fold(f64::NEG_INFINITY, f64::max);
        (min, max)
    }

    /// The scored value of the answer `code`, reversed when the item is.
    fn score_of(&self, code: &str) -> Option<f64> {
        let raw = self.options.iter().find(|o| o.code == code)?.score;
        let (min, max) = self.score_range();
        Some(if self.reverse { min + max - raw } else { raw })
    }
}

/// A named part of the instrument scored on its own items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscale {
    /// Its name.
    pub name: String,
    /// The `link_id`s of its items.
    pub items: Vec<String>,
}

/// An instrument: what it asks, how it is scored, and what a change in its score means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    /// Identifier, e.g. `phq-9`.
    pub id: String,
    /// Version; a changed instrument is a new version.
    pub version: String,
    /// Title.
    pub title: String,
    /// The scored items.
    pub items: Vec<Item>,
    /// Sum or mean.
    pub method: ScoringMethod,
    /// The lowest and highest possible total.
    pub range: (f64, f64),
    /// Whether a higher score is better (WHO-5) or worse (PHQ-9).
    pub higher_is_better: bool,
    /// The largest share of items that may be missing for a score to be computed (prorated).
    pub max_missing_fraction: f64,
    /// Reliability coefficient, for reliable change.
    pub reliability: f64,
    /// Standard deviation in a reference sample, for reliable change.
    pub normative_sd: f64,
    /// The boundary between the clinical and non-clinical range, if the instrument has one.
    pub cutoff: Option<f64>,
    /// Subscales, if any.
    pub subscales: Vec<Subscale>,
    /// Copyright and licence.
    pub copyright: String,
}

/// The answers to an instrument: option code per item `link_id`; unanswered items are absent.
pub type Answers = BTreeMap<String, String>;

/// A computed score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The total, prorated when some items were missing; `None` when too many were.
    pub total: Option<f64>,
    /// Per subscale, by name, under the same rule.
    pub subscales: BTreeMap<String, Option<f64>>,
    /// How many scored items were unanswered.
    pub missing: usize,
}

/// The longest instrument id.
pub const MAX_ID_LEN: usize = 64;

/// Checks an instrument id: 1 to [`MAX_ID_LEN`] of `a`–`z`, `0`–`9`, `.`, `_` and `-`.
///
/// Instrument ids end up in file names, URLs and the cells of exported spreadsheets, so a free
/// string could carry a formula (`=HYPERLINK(…)`) or a path; this is the one rule for every
/// way an instrument comes in (FHIR import on the command line and the API, the store).
///
/// # Errors
/// A [`DomainError`] on field `id` saying which rule the id breaks.
pub fn check_id(id: &str) -> Result<(), DomainError> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(DomainError::new(
            "id",
            format!("an instrument id has 1 to {MAX_ID_LEN} characters"),
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '-'))
    {
        return Err(DomainError::new(
            "id",
            format!(
                "an instrument id may hold only a-z, 0-9, '.', '_' and '-', not {}",
                c.escape_default()
            ),
        ));
    }
    Ok(())
}

impl Instrument {
    /// Checks an instrument's own consistency: an id as [`check_id`] wants it, items with
    /// options, unique codes, a sane range and coefficients.
    ///
    /// # Errors
    /// Names the first inconsistency.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_id(&self.id)?;
        if self.items.is_empty() {
            return Err(DomainError::new(
                "item",
                "an instrument needs at least one scored item",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for item in &self.items {
            if !seen.insert(&item.link_id) {
                return Err(DomainError::new(
                    "item",
                    format!("linkId {} appears twice", item.link_id),
                ));
            }
            if item.options.len() < 2 {
                return Err(DomainError::new(
                    "item",
                    format!("item {} needs at least two answer options", item.link_id),
                ));
            }
            let mut codes = std::collections::BTreeSet::new();
            if let Some(o) = item.options.iter().find(|o| !codes.insert(&o.code)) {
                return Err(DomainError::new(
                    "item",
                    format!(
                        "item {}: option code {} appears twice",
                        item.link_id, o.code
                    ),
                ));
            }
        }
        for subscale in &self.subscales {
            if let Some(missing) = subscale.items.iter().find(|id| !seen.contains(id)) {
                return Err(DomainError::new(
                    "subscale",
                    format!("{} names unknown item {missing}", subscale.name),
                ));
            }
        }
        if !(0.0..1.0).contains(&self.reliability) {
            return Err(DomainError::new(
                "reliability",
                "must be at least 0 and below 1",
            ));
        }
        if self.normative_sd.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(DomainError::new("normative_sd", "must be above 0"));
        }
        if !(0.0..=1.0).contains(&self.max_missing_fraction) {
            return Err(DomainError::new(
                "max_missing_fraction",
                "must be between 0 and 1",
            ));
        }
        Ok(())
    }

    /// Scores `answers`.
    ///
    /// # Errors
    /// When an answer names an item the instrument does not have, or an option the item does
    /// not offer; the message names the item.
    pub fn score(&self, answers: &Answers) -> Result<Score, DomainError> {
        for (link_id, code) in answers {
            let item = self
                .items
                .iter()
                .find(|i| &i.link_id == link_id)
                .ok_or_else(|| {
                    DomainError::new(
                        "answers",
                        format!("item {link_id} is not part of {}", self.id),
                    )
                })?;
            if item.score_of(code).is_none() {
                let codes: Vec<_> = item.options.iter().map(|o| o.code.as_str()).collect();
                return Err(DomainError::new(
                    "answers",
                    format!(
                        "item {link_id}: '{code}' is not one of its options ({})",
                        codes.join(", ")
                    ),
                ));
            }
        }
        let all: Vec<&str> = self.items.iter().map(|i| i.link_id.as_str()).collect();
        let (total, missing) = self.score_items(&all, answers);
        let subscales = self
            .subscales
            .iter()
            .map(|s| {
                let ids: Vec<&str> = s.items.iter().map(String::as_str).collect();
                (s.name.clone(), self.score_items(&ids, answers).0)
            })
            .collect();
        Ok(Score {
            total,
            subscales,
            missing,
        })
    }

    /// The score over `ids`, and how many of them were missing.
    fn score_items(&self, ids: &[&str], answers: &Answers) -> (Option<f64>, usize) {
        let scores: Vec<f64> = ids
            .iter()
            .filter_map(|id| {
                let item = self.items.iter().find(|i| i.link_id == *id)?;
                item.score_of(answers.get(*id)?)
            })
            .collect();
        let n = ids.len();
        let missing = n - scores.len();
        if scores.is_empty() || missing as f64 > self.max_missing_fraction * n as f64 + 1e-9 {
            return (None, missing);
        }
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        let value = match self.method {
            // Prorating: the mean of the answered items stands in for the missing ones.
            ScoringMethod::Sum => mean * n as f64,
            ScoringMethod::Mean => mean,
        };
        (Some(value), missing)
    }

    /// Whether `score` lies in the clinical range: at or beyond the cut-off on the worse side
    /// (`>= cutoff` when lower is better, `< cutoff` when higher is better, so the cut-off
    /// itself belongs to the non-clinical range of a higher-is-better instrument). `None`
    /// without a cut-off.
    pub fn is_clinical(&self, score: f64) -> Option<bool> {
        let cutoff = self.cutoff?;
        Some(if self.higher_is_better {
            score < cutoff
        } else {
            score >= cutoff
        })
    }
}

/// A three-item test instrument, id `toy`: options `0`–`3` scored 0–3, summed over a range of
/// 0–9, cut-off 5. Core's tests and `evident_store::testing` share it, so every test that
/// scores "the toy" scores the same instrument.
#[cfg(any(test, feature = "testing"))]
pub fn toy(version: &str, title: &str) -> Instrument {
    let options: Vec<AnswerOption> = (0..4)
        .map(|s| AnswerOption {
            code: s.to_string(),
            display: s.to_string(),
            score: f64::from(s),
        })
        .collect();
    Instrument {
        id: "toy".into(),
        version: version.into(),
        title: title.into(),
        items: (1..=3)
            .map(|i| Item {
                link_id: i.to_string(),
                text: format!("Q{i}"),
                options: options.clone(),
                reverse: false,
            })
            .collect(),
        method: ScoringMethod::Sum,
        range: (0.0, 9.0),
        higher_is_better: false,
        max_missing_fraction: 0.34,
        reliability: 0.8,
        normative_sd: 3.0,
        cutoff: Some(5.0),
        subscales: vec![],
        copyright: "test".into(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A four-item instrument scored 0–3 per item, item 4 reverse-scored, lower is better,
    /// cut-off 6, at most 25 % missing (one item of four).
    pub(crate) fn toy(higher_is_better: bool, method: ScoringMethod) -> Instrument {
        let options = |_: usize| {
            (0..4)
                .map(|s| AnswerOption {
                    code: format!("a{s}"),
                    display: format!("{s}"),
                    score: f64::from(s),
                })
                .collect::<Vec<_>>()
        };
        Instrument {
            id: "toy".into(),
            version: "1".into(),
            title: "Toy".into(),
            items: (1..=4)
                .map(|i| Item {
                    link_id: i.to_string(),
                    text: format!("Q{i}"),
                    options: options(i),
                    reverse: i == 4,
                })
                .collect(),
            method,
            range: (0.0, 12.0),
            higher_is_better,
            max_missing_fraction: 0.25,
            reliability: 0.84,
            normative_sd: 5.0,
            cutoff: Some(6.0),
            subscales: vec![Subscale {
                name: "first half".into(),
                items: vec!["1".into(), "2".into()],
            }],
            copyright: "test".into(),
        }
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_complete_answer_sums_with_the_reverse_scored_item_turned_round() {
        // Items 1–3 answered 2, 1, 3; item 4 answered raw 0, reversed: 0 + 3 − 0 = 3.
        // Total 2 + 1 + 3 + 3 = 9; subscale (items 1, 2) = 3.
        let score = toy(false, ScoringMethod::Sum)
            .score(&answers(&[
                ("1", "a2"),
                ("2", "a1"),
                ("3", "a3"),
                ("4", "a0"),
            ]))
            .unwrap();
        assert_eq!(score.total, Some(9.0));
        assert_eq!(score.subscales["first half"], Some(3.0));
        assert_eq!(score.missing, 0);
    }

    #[test]
    fn one_missing_item_of_four_is_prorated_and_two_are_too_many() {
        // Items 1, 2, 4 answered 2, 1, raw 1 → reversed 2: mean (2 + 1 + 2) / 3 = 5/3, × 4 = 6.667.
        let instrument = toy(false, ScoringMethod::Sum);
        let score = instrument
            .score(&answers(&[("1", "a2"), ("2", "a1"), ("4", "a1")]))
            .unwrap();
        assert!(
            (score.total.unwrap() - 20.0 / 3.0).abs() < 1e-12,
            "{score:?}"
        );
        assert_eq!(score.missing, 1);
        // Two of four missing = 50 % > 25 %: no total; the subscale (items 1, 2) is complete.
        let score = instrument
            .score(&answers(&[("1", "a2"), ("2", "a1")]))
            .unwrap();
        assert_eq!(score.total, None);
        assert_eq!(score.subscales["first half"], Some(3.0));
        // The subscale has two items: one missing is 50 %, more than 25 %.
        let score = instrument
            .score(&answers(&[("1", "a2"), ("3", "a1"), ("4", "a3")]))
            .unwrap();
        assert_eq!(score.subscales["first half"], None);
        assert_eq!(instrument.score(&Answers::new()).unwrap().total, None);
    }

    #[test]
    fn mean_scoring_averages_the_answered_items() {
        // 2, 1, 3, reversed(0) = 3 → mean 9 / 4 = 2.25; with item 3 missing: (2 + 1 + 3) / 3 = 2.
        let instrument = toy(false, ScoringMethod::Mean);
        let full = instrument
            .score(&answers(&[
                ("1", "a2"),
                ("2", "a1"),
                ("3", "a3"),
                ("4", "a0"),
            ]))
            .unwrap();
        assert_eq!(full.total, Some(2.25));
        let partial = instrument
            .score(&answers(&[("1", "a2"), ("2", "a1"), ("4", "a0")]))
            .unwrap();
        assert_eq!(partial.total, Some(2.0));
    }

    #[test]
    fn unknown_items_and_options_are_named() {
        let instrument = toy(false, ScoringMethod::Sum);
        let err = instrument.score(&answers(&[("9", "a1")])).unwrap_err();
        assert!(err.problem.contains("item 9 is not part of toy"), "{err}");
        let err = instrument.score(&answers(&[("2", "a7")])).unwrap_err();
        assert!(
            err.problem
                .contains("item 2: 'a7' is not one of its options"),
            "{err}"
        );
    }

    #[test]
    fn the_cutoff_belongs_to_the_worse_side_by_direction() {
        let lower_better = toy(false, ScoringMethod::Sum);
        assert_eq!(
            lower_better.is_clinical(6.0),
            Some(true),
            "at the cut-off is clinical"
        );
        assert_eq!(lower_better.is_clinical(5.9), Some(false));
        let higher_better = toy(true, ScoringMethod::Sum);
        assert_eq!(
            higher_better.is_clinical(6.0),
            Some(false),
            "at the cut-off is not clinical"
        );
        assert_eq!(higher_better.is_clinical(5.9), Some(true));
    }

    #[test]
    fn inconsistent_instruments_are_refused() {
        let mut bad = toy(false, ScoringMethod::Sum);
        bad.items[1].link_id = "1".into();
        assert!(
            bad.validate()
                .unwrap_err()
                .problem
                .contains("appears twice")
        );
        let mut bad = toy(false, ScoringMethod::Sum);
        bad.reliability = 1.0;
        assert_eq!(bad.validate().unwrap_err().field, "reliability");
        let mut bad = toy(false, ScoringMethod::Sum);
        bad.subscales[0].items.push("x".into());
        assert_eq!(bad.validate().unwrap_err().field, "subscale");
        assert!(toy(true, ScoringMethod::Mean).validate().is_ok());
    }

    #[test]
    fn instrument_ids_are_lowercase_letters_digits_dots_underscores_and_dashes() {
        for good in ["phq-9", "who-5", "k10", "a.b_c", &"x".repeat(MAX_ID_LEN)] {
            assert!(check_id(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "=HYPERLINK(\"http://evil.example\",\"klicka\")",
            "+1",
            "@SUM(A1)",
            "PHQ-9",
            "a b",
            "a/b",
            "a;b",
            "\u{1b}[31m",
            &"x".repeat(MAX_ID_LEN + 1),
        ] {
            assert_eq!(check_id(bad).unwrap_err().field, "id", "{bad:?}");
        }
        let mut bad = toy(false, ScoringMethod::Sum);
        bad.id = "=1+1".into();
        assert_eq!(bad.validate().unwrap_err().field, "id");
    }
}
