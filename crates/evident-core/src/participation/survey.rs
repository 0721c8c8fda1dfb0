//! Client surveys (brukarundersökningar): definitions as data (`data/surveys/*.json`, checked
//! when loaded), the period a unit publishes a survey for, checking one anonymous answer, and
//! the results per unit rolled up to municipality, county and nation through disclosure
//! control — a node resting on fewer than `k` answers is withheld, and enough others with it
//! (complementary suppression, [`crate::stats::disclosure::suppress`]) that no withheld node can be
//! recovered as a total minus its other parts.

use crate::error::DomainError;
use crate::followup::unit_table::Cell;
use crate::org::OrgCode;
use crate::stats::disclosure;
use crate::text::Localised;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// The fewest answers a published number may rest on.
pub const DEFAULT_K: u64 = 5;

/// The token prefix of a survey link, so that a leaked link is easy to recognise.
pub const TOKEN_PREFIX: &str = "q_";

/// The longest free-text answer any definition may allow.
pub const MAX_FREE_TEXT_CHARS: usize = 10_000;

/// The definitions embedded in the binary, as (file name, text).
const EMBEDDED: &[(&str, &str)] = &[(
    "brukarundersokning-2026.json",
    include_str!("../../../../data/surveys/brukarundersokning-2026.json"),
)];

/// An option of a scale question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleOption {
    /// The stored code.
    pub code: String,
    /// What the respondent reads.
    pub label: Localised,
}

/// A fixed scale: the options, and which of them count as positive in the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// The options, in the order shown.
    pub options: Vec<ScaleOption>,
    /// The codes that count as a positive answer.
    pub positive: Vec<String>,
}

/// A free-text question's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeText {
    /// The most characters an answer may have.
    pub max_chars: usize,
}

/// One question as written in the file: exactly one of `scale` and `free_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestion {
    /// Its id, the key of its answer.
    pub id: String,
    /// The question.
    pub text: Localised,
    /// Whether it must be answered.
    pub required: bool,
    /// The options, for a scale question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// The limit, for a free-text question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_text: Option<FreeText>,
}

/// A survey definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyDefinition {
    /// Its id, e.g. `brukarundersokning-2026`.
    pub id: String,
    /// Its version.
    pub version: String,
    /// The title.
    pub title: Localised,
    /// What the respondent reads first.
    pub intro: Localised,
    /// The questions, in order.
    pub questions: Vec<SurveyQuestion>,
}

/// A definition that does not pass its checks: the file, the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyDefinitionError {
    /// The file.
    pub file: String,
    /// The field, as a path (`questions[2].scale.options`).
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for SurveyDefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.field, self.problem)
    }
}

impl std::error::Error for SurveyDefinitionError {}

impl SurveyDefinition {
    /// Reads and checks one definition from `file` (named in errors): unknown fields, empty
    /// ids, duplicate question or option ids, empty scales, positive codes outside the scale,
    /// and questions that are neither or both of scale and free text.
    ///
    /// # Errors
    /// [`SurveyDefinitionError`] naming the file and the field.
    pub fn parse(file: &str, text: &str) -> Result<Self, SurveyDefinitionError> {
        let fail = |field: String, problem: String| SurveyDefinitionError {
            file: file.to_owned(),
            field,
            problem,
        };
        let definition: Self = serde_json::from_str(text).map_err(|e| {
            // serde names the unknown or missing field in its message.
            fail("(document)".to_owned(), e.to_string())
        })?;
        if definition.id.trim().is_empty() {
            return Err(fail("id".into(), "is empty".into()));
        }
        if definition.version.trim().is_empty() {
            return Err(fail("version".into(), "is empty".into()));
        }
        if definition.questions.is_empty() {
            return Err(fail("questions".into(), "has no questions".into()));
        }
        let mut ids = HashSet::new();
        for (i, q) in definition.questions.iter().enumerate() {
            let at = |field: &str| format!("questions[{i}].{field}");
            if q.id.trim().is_empty() {
                return Err(fail(at("id"), "is empty".into()));
            }
            if !ids.insert(q.id.as_str()) {
                return Err(fail(at("id"), format!("'{}' is used twice", q.id)));
            }
            match (&q.scale, &q.free_text) {
                (Some(scale), None) => {
                    if scale.options.is_empty() {
                        return Err(fail(at("scale.options"), "the scale is empty".into()));
                    }
                    let mut codes = HashSet::new();
                    for (j, o) in scale.options.iter().enumerate() {
                        if o.code.trim().is_empty() {
                            return Err(fail(
                                at(&format!("scale.options[{j}].code")),
                                "is empty".into(),
                            ));
                        }
                        if !codes.insert(o.code.as_str()) {
                            return Err(fail(
                                at(&format!("scale.options[{j}].code")),
                                format!("'{}' is used twice", o.code),
                            ));
                        }
                    }
                    if scale.positive.is_empty() {
                        return Err(fail(
                            at("scale.positive"),
                            "no option counts as positive".into(),
                        ));
                    }
                    if let Some(bad) = scale.positive.iter().find(|p| !codes.contains(p.as_str())) {
                        return Err(fail(
                            at("scale.positive"),
                            format!("'{bad}' is not an option of the scale"),
                        ));
                    }
                }
                (None, Some(free)) => {
                    if free.max_chars == 0 || free.max_chars > MAX_FREE_TEXT_CHARS {
                        return Err(fail(
                            at("free_text.max_chars"),
                            format!("must be between 1 and {MAX_FREE_TEXT_CHARS}"),
                        ));
                    }
                }
                (None, None) => {
                    return Err(fail(at("scale"), "needs a scale or free_text".into()));
                }
                (Some(_), Some(_)) => {
                    return Err(fail(
                        at("scale"),
                        "has both a scale and free_text; choose one".into(),
                    ));
                }
            }
        }
        Ok(definition)
    }

    /// The scale questions, in order.
    pub fn scale_questions(&self) -> impl Iterator<Item = (&SurveyQuestion, &Scale)> {
        self.questions
            .iter()
            .filter_map(|q| q.scale.as_ref().map(|s| (q, s)))
    }

    /// Checks one respondent's answers: every required question answered, every scale answer
    /// one of its options, free text within its limit and without control characters, and no
    /// answers to questions the survey does not have. Empty answers are dropped.
    ///
    /// # Errors
    /// [`DomainError`] on `answers`, naming the questions.
    pub fn check_answers(&self, answers: &SurveyAnswers) -> Result<SurveyAnswers, DomainError> {
        let known: HashSet<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
        if let Some(unknown) = answers.keys().find(|k| !known.contains(k.as_str())) {
            return Err(DomainError::new(
                "answers",
                format!("the survey has no question '{unknown}'"),
            ));
        }
        let mut checked = SurveyAnswers::new();
        let mut missing = Vec::new();
        for q in &self.questions {
            let given = answers.get(&q.id).filter(|a| !a.trim().is_empty());
            let Some(given) = given else {
                if q.required {
                    missing.push(q.id.as_str());
                }
                continue;
            };
            if let Some(scale) = &q.scale
                && !scale.options.iter().any(|o| &o.code == given)
            {
                return Err(DomainError::new(
                    "answers",
                    format!("question {}: '{given}' is not one of its options", q.id),
                ));
            }
            if let Some(free) = &q.free_text {
                let chars = given.chars().count();
                if chars > free.max_chars {
                    return Err(DomainError::new(
                        "answers",
                        format!(
                            "question {}: the answer has {chars} characters; at most {} fit",
                            q.id, free.max_chars
                        ),
                    ));
                }
                // NUL and other control characters cannot be stored on every backend and
                // never come from a keyboard; line breaks and tabs are kept.
                if given
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                {
                    return Err(DomainError::new(
                        "answers",
                        format!("question {}: the answer holds control characters", q.id),
                    ));
                }
            }
            checked.insert(q.id.clone(), given.clone());
        }
        if !missing.is_empty() {
            return Err(DomainError::new(
                "answers",
                format!(
                    "question {} {} not answered",
                    missing.join(", "),
                    if missing.len() == 1 { "is" } else { "are" }
                ),
            ));
        }
        Ok(checked)
    }
}

/// Every embedded definition, checked.
///
/// # Panics
/// When an embedded file fails its checks: a build that cannot start (the tests load them).
pub fn embedded_surveys() -> Vec<SurveyDefinition> {
    EMBEDDED
        .iter()
        .map(|(file, text)| {
            SurveyDefinition::parse(&format!("data/surveys/{file}"), text)
                .unwrap_or_else(|e| panic!("embedded survey definition: {e}"))
        })
        .collect()
}

/// The embedded definition `id`, if any.
pub fn embedded_survey(id: &str) -> Option<SurveyDefinition> {
    embedded_surveys().into_iter().find(|s| s.id == id)
}

/// One respondent's answers: question id → option code or free text.
pub type SurveyAnswers = BTreeMap<String, String>;

/// The period a survey is published for: a year (`2026`) or a quarter (`2026Q4`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SurveyPeriod(String);

impl SurveyPeriod {
    /// Parses `2026` or `2026Q1` … `2026Q4` (a lower-case q is accepted).
    ///
    /// # Errors
    /// [`DomainError`] on `period`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim().to_uppercase();
        let (year, quarter) = match raw.split_once('Q') {
            Some((y, q)) => (y, Some(q)),
            None => (raw.as_str(), None),
        };
        let year_ok = year.len() == 4
            && year
                .parse::<u32>()
                .is_ok_and(|y| (2000..=2100).contains(&y));
        let quarter_ok = quarter.is_none_or(|q| matches!(q, "1" | "2" | "3" | "4"));
        if year_ok && quarter_ok {
            Ok(Self(raw))
        } else {
            Err(DomainError::new(
                "period",
                format!("'{raw}' is not a year (2026) or a quarter (2026Q4)"),
            ))
        }
    }

    /// As written, e.g. `2026Q4`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SurveyPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a publication keeps one person from answering many times. Chosen when it is published,
/// recorded with it and never changed, and shown wherever its answers are: survey indicators
/// name the modes they count (`crate::indicator::Measure::Survey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrityMode {
    /// Anyone holding the link answers: once per browser (a nonce cookie), and a few answers
    /// per address an hour. Cheap to hand out, but one determined person can answer many times.
    Link,
    /// Each answer uses up a one-time respondent code handed out on paper or by SMS
    /// ([`crate::participation::respondent_code`]); the link alone takes no answers.
    Codes,
}

impl IntegrityMode {
    /// Both modes, the stronger first.
    pub const ALL: [Self; 2] = [Self::Codes, Self::Link];

    /// Sorts `modes` the stronger first, each once: the order they are shown and named in.
    pub fn strongest_first(modes: &mut Vec<Self>) {
        modes.sort_by_key(|m| Self::ALL.iter().position(|a| a == m));
        modes.dedup();
    }

    /// The stored and exchanged name: `link` or `codes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Link => "link",
            Self::Codes => "codes",
        }
    }

    /// Parses `link` or `codes`.
    ///
    /// # Errors
    /// [`DomainError`] on `integrity`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw.trim() {
            "link" => Ok(Self::Link),
            "codes" => Ok(Self::Codes),
            other => Err(DomainError::new(
                "integrity",
                format!("'{other}' is not a mode; use codes (one-time respondent codes) or link"),
            )),
        }
    }
}

impl fmt::Display for IntegrityMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A survey published for one unit and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyPublication {
    /// Its id.
    pub id: i64,
    /// How it keeps one person from answering many times.
    pub integrity: IntegrityMode,
    /// The survey's id.
    pub survey_id: String,
    /// The survey's version.
    pub survey_version: String,
    /// The unit.
    pub unit: OrgCode,
    /// The period.
    pub period: SurveyPeriod,
    /// Who published it.
    pub created_by: String,
    /// When (Unix seconds).
    pub created_at: i64,
    /// When it was closed, if it was.
    pub closed_at: Option<i64>,
    /// How many respondent codes have been issued for it.
    pub codes_issued: u64,
    /// How many of them have been used (each for one answer).
    pub codes_used: u64,
}

impl SurveyPublication {
    /// Whether it still takes answers.
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

/// One question's result at one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    /// The question's id.
    pub question: String,
    /// How many answered it.
    pub answers: Cell<u64>,
    /// The share (0–1) of those whose answer counts as positive.
    pub share_positive: Cell<f64>,
}

/// A node's results: its number of respondents and each scale question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeResult {
    /// The unit, municipality, county or the nation.
    pub code: OrgCode,
    /// How many answered the survey.
    pub respondents: Cell<u64>,
    /// Per scale question, in the survey's order.
    pub questions: Vec<QuestionResult>,
}

/// The results of every unit with a publication and of every node above one, after primary
/// suppression (fewer than `k` answers, zero excepted) and complementary suppression, each
/// column (respondents, each scale question) on its own. Nodes come nation first, then in
/// code order. `answers` holds every unit with a publication, with its respondents' answers
/// (possibly none).
pub fn results(
    definition: &SurveyDefinition,
    answers: &[(OrgCode, Vec<SurveyAnswers>)],
    k: u64,
) -> Vec<NodeResult> {
    // The tree: every unit and its lineage, parents before children.
    let mut codes: Vec<OrgCode> = answers
        .iter()
        .flat_map(|(unit, _)| unit.lineage())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    codes.sort_by(|a, b| (a.level(), a.as_str()).cmp(&(b.level(), b.as_str())));
    let index: HashMap<&OrgCode, usize> = codes.iter().enumerate().map(|(i, c)| (c, i)).collect();
    let parents: Vec<Option<usize>> = codes
        .iter()
        .map(|c| c.parent().and_then(|p| index.get(&p).copied()))
        .collect();
    let scales: Vec<(&SurveyQuestion, &Scale)> = definition.scale_questions().collect();
    // counts[node][column]: column 0 respondents, then (answered, positive) per question.
    let mut respondents = vec![0u64; codes.len()];
    let mut answered = vec![vec![0u64; scales.len()]; codes.len()];
    let mut positive = vec![vec![0u64; scales.len()]; codes.len()];
    for (unit, rows) in answers {
        for node in unit.lineage() {
            let n = index[&node];
            respondents[n] += rows.len() as u64;
            for (q, (question, scale)) in scales.iter().enumerate() {
                for row in rows {
                    if let Some(code) = row.get(&question.id) {
                        answered[n][q] += 1;
                        if scale.positive.contains(code) {
                            positive[n][q] += 1;
                        }
                    }
                }
            }
        }
    }
    let mask = |column: Vec<u64>| {
        let counts: Vec<Vec<u64>> = column.iter().map(|n| vec![*n]).collect();
        disclosure::suppress(&disclosure::tree_table(&parents, &counts), k)
    };
    let respondents_hidden = mask(respondents.clone());
    let question_hidden: Vec<Vec<bool>> = (0..scales.len())
        .map(|q| mask(answered.iter().map(|row| row[q]).collect()))
        .collect();
    codes
        .iter()
        .enumerate()
        .map(|(n, code)| NodeResult {
            code: code.clone(),
            respondents: if respondents_hidden[n] {
                Cell::Suppressed
            } else {
                Cell::Value(respondents[n])
            },
            questions: scales
                .iter()
                .enumerate()
                .map(|(q, (question, _))| {
                    let (count, pos) = (answered[n][q], positive[n][q]);
                    let hidden = question_hidden[q][n];
                    QuestionResult {
                        question: question.id.clone(),
                        answers: if hidden {
                            Cell::Suppressed
                        } else {
                            Cell::Value(count)
                        },
                        // A share of nothing is not a number; it is withheld like a small one.
                        share_positive: if hidden || count == 0 {
                            Cell::Suppressed
                        } else {
                            Cell::Value(pos as f64 / count as f64)
                        },
                    }
                })
                .collect(),
        })
        .collect()
}

/// What the survey tests and the survey-indicator tests share: the embedded definition,
/// answers with a given number of positive and negative replies, and finding a node's result.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub(crate) fn definition() -> SurveyDefinition {
        embedded_survey("brukarundersokning-2026").expect("embedded")
    }

    pub(crate) fn answers(positive: usize, negative: usize) -> Vec<SurveyAnswers> {
        let row = |code: &str| -> SurveyAnswers {
            [
                ("respekt", code),
                ("inflytande", code),
                ("information", code),
                ("helhet", if code == "4" { "5" } else { "1" }),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
        };
        std::iter::repeat_n(row("4"), positive)
            .chain(std::iter::repeat_n(row("1"), negative))
            .collect()
    }

    pub(crate) fn code(raw: &str) -> OrgCode {
        OrgCode::parse(raw).unwrap()
    }

    pub(crate) fn node<'a>(results: &'a [NodeResult], raw: &str) -> &'a NodeResult {
        results.iter().find(|r| r.code.as_str() == raw).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn the_embedded_survey_has_the_national_themes_and_an_optional_free_text() {
        let d = definition();
        let ids: Vec<&str> = d.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(
            ids,
            ["respekt", "inflytande", "information", "helhet", "fritext"]
        );
        assert!(!d.questions[4].required && d.questions[4].free_text.is_some());
    }

    fn broken(edit: impl FnOnce(&mut serde_json::Value)) -> SurveyDefinitionError {
        let mut value: serde_json::Value = serde_json::from_str(EMBEDDED[0].1).unwrap();
        edit(&mut value);
        SurveyDefinition::parse("x.json", &value.to_string()).unwrap_err()
    }

    #[test]
    fn definitions_are_checked_with_file_and_field_named() {
        let e = broken(|v| v["colour"] = "blue".into());
        assert!(e.to_string().starts_with("x.json: "), "{e}");
        assert!(e.problem.contains("unknown field `colour`"), "{e}");
        let e = broken(|v| v["questions"][1]["id"] = "respekt".into());
        assert_eq!(e.field, "questions[1].id");
        assert!(e.problem.contains("used twice"));
        let e = broken(|v| v["questions"][0]["scale"]["options"] = serde_json::json!([]));
        assert_eq!(e.field, "questions[0].scale.options");
        let e = broken(|v| v["questions"][0]["scale"]["positive"] = serde_json::json!(["9"]));
        assert_eq!(e.field, "questions[0].scale.positive");
        let e = broken(|v| v["questions"][0]["scale"]["options"][0]["shade"] = "x".into());
        assert!(e.problem.contains("unknown field `shade`"), "{e}");
        let e = broken(|v| {
            v["questions"][4]
                .as_object_mut()
                .unwrap()
                .remove("free_text");
        });
        assert_eq!(e.field, "questions[4].scale");
    }

    #[test]
    fn answers_are_checked_and_named() {
        let d = definition();
        let mut a = answers(1, 0).remove(0);
        assert!(d.check_answers(&a).is_ok());
        a.insert("fritext".into(), "<script>alert(1)</script>".into());
        assert_eq!(
            d.check_answers(&a).unwrap()["fritext"],
            "<script>alert(1)</script>",
            "stored as given; pages escape it"
        );
        a.remove("respekt");
        a.remove("helhet");
        assert_eq!(
            d.check_answers(&a).unwrap_err().problem,
            "question respekt, helhet are not answered"
        );
        a.insert("respekt".into(), "7".into());
        a.insert("helhet".into(), "5".into());
        assert_eq!(
            d.check_answers(&a).unwrap_err().problem,
            "question respekt: '7' is not one of its options"
        );
        a.insert("respekt".into(), "4".into());
        a.insert("fritext".into(), "x".repeat(2001));
        assert!(d.check_answers(&a).unwrap_err().problem.contains("2001"));
        a.insert("fritext".into(), "a\0b".into());
        assert!(d.check_answers(&a).is_err());
        a.insert("fritext".into(), String::new());
        assert!(!d.check_answers(&a).unwrap().contains_key("fritext"));
        a.insert("extra".into(), "1".into());
        assert!(d.check_answers(&a).unwrap_err().problem.contains("extra"));
    }

    #[test]
    fn periods_are_years_or_quarters() {
        assert_eq!(SurveyPeriod::parse("2026").unwrap().as_str(), "2026");
        assert_eq!(SurveyPeriod::parse(" 2026q4").unwrap().as_str(), "2026Q4");
        for bad in ["26", "2026Q5", "2026-1", "", "abcd"] {
            assert_eq!(SurveyPeriod::parse(bad).unwrap_err().field, "period");
        }
    }

    #[test]
    fn a_unit_below_five_is_withheld_and_a_sibling_with_it() {
        let d = definition();
        let results = results(
            &d,
            &[
                (code("0380-0001"), answers(2, 1)), // 3: too few
                (code("0380-0002"), answers(4, 2)), // 6
                (code("0380-0003"), answers(8, 0)), // 8
                (code("1480-0001"), answers(5, 5)), // 10
            ],
            DEFAULT_K,
        );
        let a = node(&results, "0380-0001");
        assert_eq!(a.respondents, Cell::Suppressed);
        assert!(
            a.questions
                .iter()
                .all(|q| q.answers == Cell::Suppressed && q.share_positive == Cell::Suppressed)
        );
        // Complementary: the next-smallest sibling goes too, so 17 − 6 − 8 cannot be done.
        assert_eq!(node(&results, "0380-0002").respondents, Cell::Suppressed);
        assert_eq!(node(&results, "0380-0003").respondents, Cell::Value(8));
        assert_eq!(node(&results, "0380").respondents, Cell::Value(17));
        assert_eq!(
            node(&results, "0380").questions[0].share_positive,
            Cell::Value(14.0 / 17.0)
        );
        assert_eq!(node(&results, "SE").respondents, Cell::Value(27));
        let c = node(&results, "1480-0001");
        assert_eq!(c.questions[3].share_positive, Cell::Value(0.5));
        // The free-text question is not a result.
        assert_eq!(c.questions.len(), 4);
        assert_eq!(results[0].code.as_str(), "SE", "the nation first");
    }

    #[test]
    fn a_lone_small_unit_hides_every_node_above_it() {
        let results = results(&definition(), &[(code("0380-0001"), answers(3, 0))], 5);
        assert!(results.iter().all(|r| r.respondents == Cell::Suppressed));
    }

    #[test]
    fn five_answers_are_shown_and_a_unit_without_answers_shows_zero() {
        let results = results(
            &definition(),
            &[
                (code("0380-0001"), answers(5, 0)),
                (code("0380-0002"), Vec::new()),
            ],
            5,
        );
        assert_eq!(node(&results, "0380-0001").respondents, Cell::Value(5));
        let empty = node(&results, "0380-0002");
        assert_eq!(empty.respondents, Cell::Value(0));
        assert_eq!(empty.questions[0].share_positive, Cell::Suppressed);
    }
}
