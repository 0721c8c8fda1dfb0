//! Agreements and disbursement decisions in the interchange format of `data/agreements/`
//! (see its README): read from JSON with every field checked and named on failure, and
//! written back to the same JSON, so a document survives a round trip unchanged.
//!
//! Reading happens in two steps. Serde (with [`serde_path_to_error`] for the field path) checks
//! the shape: no unknown fields, text that is not empty, dates that are dates, amounts that are
//! whole öre and not negative — the per-field rules live in the private `field` module and
//! are named on the fields with `deserialize_with`. Then plain code checks how the fields
//! relate: codes used once, initiatives that name one of the areas, obligations and repayment
//! rules that name one of the initiatives, a grant that pays an initiative on one line only.
//!
//! A document's own figures may disagree with each other (a stated total against the sum of its
//! initiatives); that is not a parse error but a [`super::check::Finding`]. What is rejected is
//! what cannot be money, a date or a reference: an amount with decimals of öre, a negative
//! amount, a date that is not a date, an unknown area or initiative code, a duplicate code.

use super::money::Ore;
use crate::error::DomainError;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// An agreement between the state and a party (e.g. SKL) for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// Its id (`ebp-2011`).
    #[serde(deserialize_with = "field::text")]
    pub id: String,
    /// Its title.
    #[serde(deserialize_with = "field::text")]
    pub title: String,
    /// The year it covers.
    #[serde(deserialize_with = "field::year")]
    pub year: i32,
    /// The parties.
    #[serde(deserialize_with = "field::texts")]
    pub parties: Vec<String>,
    /// The government's decision references.
    #[serde(deserialize_with = "field::texts")]
    pub decision_refs: Vec<String>,
    /// When it was signed.
    #[serde(deserialize_with = "field::date")]
    pub signed_on: NaiveDate,
    /// The currency the document writes (`SEK`).
    #[serde(
        default,
        deserialize_with = "field::optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub currency: Option<String>,
    /// The total the document states.
    #[serde(deserialize_with = "field::amount")]
    pub total_ore: Ore,
    /// Its areas.
    pub areas: Vec<Area>,
    /// Its initiatives (numbered sections).
    pub initiatives: Vec<Initiative>,
    /// Where the money comes from, where stated.
    #[serde(
        default,
        deserialize_with = "field::optional_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub funding: Vec<Funding>,
    /// Reports the agreement requires.
    #[serde(
        default,
        deserialize_with = "field::optional_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub report_obligations: Vec<ReportObligation>,
    /// How unspent money is repaid.
    #[serde(
        default,
        deserialize_with = "field::optional_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub repayment_rules: Vec<RepaymentRule>,
}

/// An area of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Its code (`3.1`).
    #[serde(deserialize_with = "field::text")]
    pub code: String,
    /// Its name.
    #[serde(deserialize_with = "field::text")]
    pub name: String,
    /// The subtotal the document states, if it does.
    #[serde(
        default,
        deserialize_with = "field::optional_amount",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount_ore: Option<Ore>,
}

/// An initiative: one numbered section with its amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Initiative {
    /// Its section number (`3.1.1`).
    #[serde(deserialize_with = "field::text")]
    pub code: String,
    /// Its area's code.
    #[serde(deserialize_with = "field::text")]
    pub area: String,
    /// Its title.
    #[serde(deserialize_with = "field::text")]
    pub title: String,
    /// Its amount; `None` when the document names it without an amount in this agreement.
    /// Required all the same (as `null`), so that a forgotten amount is not read as "none".
    #[serde(deserialize_with = "field::optional_amount")]
    pub amount_ore: Option<Ore>,
    /// Who receives it, where named.
    #[serde(
        default,
        deserialize_with = "field::optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub recipient: Option<String>,
    /// A note.
    #[serde(
        default,
        deserialize_with = "field::optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub note: Option<String>,
    /// How the amount breaks down, where stated.
    #[serde(
        default,
        deserialize_with = "field::optional_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub breakdown: Vec<Part>,
}

/// A labelled part of an amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// What it is.
    #[serde(deserialize_with = "field::text")]
    pub label: String,
    /// How much.
    #[serde(deserialize_with = "field::amount")]
    pub amount_ore: Ore,
}

/// A source of an agreement's money.
pub type Funding = Part;

/// A report someone owes someone by a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportObligation {
    /// What is to be reported.
    #[serde(deserialize_with = "field::text")]
    pub what: String,
    /// Who reports, where stated.
    #[serde(
        default,
        deserialize_with = "field::optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub by: Option<String>,
    /// To whom.
    #[serde(deserialize_with = "field::text")]
    pub to: String,
    /// By when.
    #[serde(deserialize_with = "field::date")]
    pub due: NaiveDate,
    /// The initiative it concerns, if one.
    #[serde(
        default,
        deserialize_with = "field::optional_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub initiative: Option<String>,
}

/// How unspent money of some initiatives is repaid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepaymentRule {
    /// Initiative codes, or `*` for all others.
    #[serde(deserialize_with = "field::texts")]
    pub initiatives: Vec<String>,
    /// The deadline.
    #[serde(deserialize_with = "field::date")]
    pub repay_unspent_by: NaiveDate,
    /// Where to.
    #[serde(deserialize_with = "field::text")]
    pub repay_to: String,
}

/// A government decision that a payer pays a payee, per grant, usually on requisition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disbursement {
    /// Its id.
    #[serde(deserialize_with = "field::text")]
    pub id: String,
    /// The agreement it pays out.
    #[serde(deserialize_with = "field::text")]
    pub agreement: String,
    /// When it was decided.
    #[serde(deserialize_with = "field::date")]
    pub decided_on: NaiveDate,
    /// Its reference.
    #[serde(deserialize_with = "field::text")]
    pub decision_ref: String,
    /// Who decided.
    #[serde(deserialize_with = "field::text")]
    pub decided_by: String,
    /// Who pays (Kammarkollegiet).
    #[serde(deserialize_with = "field::text")]
    pub payer: String,
    /// Who receives.
    #[serde(deserialize_with = "field::text")]
    pub payee: String,
    /// Whether the payee must requisition the money.
    #[serde(deserialize_with = "field::flag")]
    pub paid_on_requisition: bool,
    /// The grants.
    pub grants: Vec<Grant>,
    /// Reports the decision requires.
    #[serde(
        default,
        deserialize_with = "field::optional_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub report_obligations: Vec<ReportObligation>,
}

/// One grant of a disbursement decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// What for.
    #[serde(deserialize_with = "field::text")]
    pub purpose: String,
    /// How much.
    #[serde(deserialize_with = "field::amount")]
    pub amount_ore: Ore,
    /// Which initiatives it pays, how much each.
    pub lines: Vec<Line>,
    /// Appropriations it is charged to.
    pub funding: Vec<Appropriation>,
    /// Unspent money is repaid by this date.
    #[serde(
        default,
        deserialize_with = "field::optional_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub repay_unspent_by: Option<NaiveDate>,
    /// The money must be used by this date.
    #[serde(
        default,
        deserialize_with = "field::optional_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub use_by: Option<NaiveDate>,
    /// Where repayments go.
    #[serde(deserialize_with = "field::text")]
    pub repay_to: String,
}

/// A line of a grant: an initiative and its amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// The initiative's code.
    #[serde(deserialize_with = "field::text")]
    pub initiative: String,
    /// Its title as the decision writes it.
    #[serde(deserialize_with = "field::text")]
    pub title: String,
    /// How much.
    #[serde(deserialize_with = "field::amount")]
    pub amount_ore: Ore,
}

/// An appropriation (anslag) and item (anslagspost) a grant is charged to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appropriation {
    /// The appropriation (`9 6:2`).
    #[serde(deserialize_with = "field::text")]
    pub appropriation: String,
    /// The item (`1`).
    #[serde(deserialize_with = "field::text")]
    pub item: String,
    /// What it is called.
    #[serde(deserialize_with = "field::text")]
    pub label: String,
    /// How much.
    #[serde(deserialize_with = "field::amount")]
    pub amount_ore: Ore,
}

/// A reading problem: the file, the field path and what is wrong, in one message.
fn error(file: &str, path: &str, problem: impl Into<String>) -> DomainError {
    DomainError::new("document", format!("{file}: {path}: {}", problem.into()))
}

/// `path.key`, or `key` at the top.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Reads a document of type `T` from `json`, naming `file` and the field path of the first
/// problem in its shape.
///
/// The text is parsed into a [`Value`] first, so that a syntax error keeps its line and column
/// and so that the JSON can be looked at once more after serde has accepted it (see
/// [`positional_struct`]).
fn read<T: DeserializeOwned>(file: &str, json: &str) -> Result<T, DomainError> {
    let value: Value = serde_json::from_str(json).map_err(|e| {
        error(
            file,
            &format!("line {} column {}", e.line(), e.column()),
            format!("not JSON: {e}"),
        )
    })?;
    if !value.is_object() {
        return Err(error(file, "(top)", "must be an object"));
    }
    let document = serde_path_to_error::deserialize(&value).map_err(|e| {
        let (path, problem) = explain(&e.path().to_string(), e.inner());
        error(file, &path, problem)
    })?;
    if let Some(path) = positional_struct(&value, "") {
        return Err(error(file, &path, "must be an object"));
    }
    Ok(document)
}

/// Serde's account of a problem at `path`, in the reader's terms: the path of the field itself
/// (serde names a missing field only in its message, at the path of the object that lacks it)
/// and what is wrong with it. The messages of [`field`] pass through as they are.
fn explain(path: &str, err: &serde_json::Error) -> (String, String) {
    let at = if path == "." { "" } else { path };
    let message = err.to_string();
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        // An initiative's amount may be null but must be written, so that a forgotten amount
        // is not read as "the document gives none".
        let is_initiative = at.starts_with("initiatives[") && !at.contains('.');
        let problem = if is_initiative && name == "amount_ore" {
            "is missing (write null when the document gives no amount)"
        } else {
            "is missing"
        };
        return (join(at, name), problem.to_owned());
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        // "unknown field `x`, expected one of `a`, `b`": the path already ends in `x`.
        let expected = rest
            .split_once(", ")
            .map_or("", |(_, e)| e)
            .replace('`', "");
        return (at.to_owned(), format!("is not a field here; {expected}"));
    }
    let at = if at.is_empty() { "(top)" } else { at };
    (at.to_owned(), message)
}

/// The path of a struct written as a list of its fields, if the document has one.
///
/// Serde's derive reads a struct from a list of its field values in order as well as from an
/// object; the interchange format writes every struct as an object. Structs sit only at the
/// top (checked before serde runs) and directly inside lists, and no list of the format holds
/// lists, so a list inside a list is such a struct. Looked for only after serde has accepted
/// the document, so that a list where text belongs is reported as serde reports it.
fn positional_struct(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let at = format!("{path}[{i}]");
            if item.is_array() {
                Some(at)
            } else {
                positional_struct(item, &at)
            }
        }),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(key, item)| positional_struct(item, &join(path, key))),
        _ => None,
    }
}

/// The codes of a list, each used once; `list` names the list in the error.
fn unique<'a>(
    file: &str,
    codes: impl Iterator<Item = &'a str>,
    list: &str,
) -> Result<BTreeSet<&'a str>, DomainError> {
    let mut seen = BTreeSet::new();
    for (i, code) in codes.enumerate() {
        if !seen.insert(code) {
            return Err(error(
                file,
                &format!("{list}[{i}].code"),
                format!("'{code}' is used twice"),
            ));
        }
    }
    Ok(seen)
}

impl Agreement {
    /// Parses an agreement from the interchange JSON read from `file`.
    ///
    /// # Errors
    /// Names the file and the field path (`initiatives[3].amount_ore`) of the first problem.
    pub fn parse(file: &str, json: &str) -> Result<Self, DomainError> {
        let agreement: Self = read(file, json)?;
        agreement.check_references(file)?;
        Ok(agreement)
    }

    /// The rules between fields, which serde cannot see: area and initiative codes are used
    /// once, every initiative is in one of the areas, and obligations and repayment rules name
    /// initiatives of this agreement (or `*` for the rest).
    fn check_references(&self, file: &str) -> Result<(), DomainError> {
        let area_codes = unique(file, self.areas.iter().map(|a| a.code.as_str()), "areas")?;
        let initiative_codes = unique(
            file,
            self.initiatives.iter().map(|x| x.code.as_str()),
            "initiatives",
        )?;
        for (i, initiative) in self.initiatives.iter().enumerate() {
            if !area_codes.contains(initiative.area.as_str()) {
                return Err(error(
                    file,
                    &format!("initiatives[{i}].area"),
                    format!(
                        "'{}' is not one of the areas ({})",
                        initiative.area,
                        area_codes.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        for (i, obligation) in self.report_obligations.iter().enumerate() {
            if let Some(code) = &obligation.initiative
                && !initiative_codes.contains(code.as_str())
            {
                return Err(error(
                    file,
                    &format!("report_obligations[{i}].initiative"),
                    format!("'{code}' is not an initiative of this agreement"),
                ));
            }
        }
        for (i, rule) in self.repayment_rules.iter().enumerate() {
            for (j, code) in rule.initiatives.iter().enumerate() {
                if code != "*" && !initiative_codes.contains(code.as_str()) {
                    return Err(error(
                        file,
                        &format!("repayment_rules[{i}].initiatives[{j}]"),
                        format!("'{code}' is not an initiative of this agreement"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The document as interchange JSON.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("an agreement is plain data")
    }

    /// The initiative with this code.
    pub fn initiative(&self, code: &str) -> Option<&Initiative> {
        self.initiatives.iter().find(|i| i.code == code)
    }
}

impl Disbursement {
    /// Parses a disbursement decision from the interchange JSON read from `file`.
    ///
    /// # Errors
    /// Names the file and the field path of the first problem.
    pub fn parse(file: &str, json: &str) -> Result<Self, DomainError> {
        let decision: Self = read(file, json)?;
        // A grant pays each initiative on one line, so that what a line is owed is unambiguous.
        for (i, grant) in decision.grants.iter().enumerate() {
            let mut seen = BTreeSet::new();
            for (j, line) in grant.lines.iter().enumerate() {
                if !seen.insert(line.initiative.as_str()) {
                    return Err(error(
                        file,
                        &format!("grants[{i}].lines[{j}].initiative"),
                        format!("'{}' has two lines in this grant", line.initiative),
                    ));
                }
            }
        }
        Ok(decision)
    }

    /// The decision as interchange JSON.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a disbursement is plain data")
    }

    /// The total decided.
    pub fn total(&self) -> Ore {
        self.grants.iter().map(|g| g.amount_ore).sum()
    }

    /// Checks the decision against its agreement and what earlier decisions already disbursed
    /// (`already`: initiative code → amount): every line names an initiative of the agreement
    /// that has an amount, and no line takes more than what remains of its initiative.
    ///
    /// # Errors
    /// Names the file, the line's path and both figures.
    pub fn check_against(
        &self,
        file: &str,
        agreement: &Agreement,
        already: &HashMap<String, Ore>,
    ) -> Result<(), DomainError> {
        if self.agreement != agreement.id {
            return Err(error(
                file,
                "agreement",
                format!("'{}' is not '{}'", self.agreement, agreement.id),
            ));
        }
        for (i, grant) in self.grants.iter().enumerate() {
            for (j, line) in grant.lines.iter().enumerate() {
                let at = format!("grants[{i}].lines[{j}]");
                let Some(initiative) = agreement.initiative(&line.initiative) else {
                    return Err(error(
                        file,
                        &format!("{at}.initiative"),
                        format!(
                            "'{}' is not an initiative of agreement {}",
                            line.initiative, agreement.id
                        ),
                    ));
                };
                let Some(amount) = initiative.amount_ore else {
                    return Err(error(
                        file,
                        &format!("{at}.initiative"),
                        format!(
                            "initiative {} has no amount in agreement {}",
                            line.initiative, agreement.id
                        ),
                    ));
                };
                let before = already.get(&line.initiative).copied().unwrap_or_default();
                let remaining = amount - before;
                if line.amount_ore > remaining {
                    return Err(error(
                        file,
                        &format!("{at}.amount_ore"),
                        format!(
                            "{} is more than what remains of initiative {} ({} of {}, {} already disbursed)",
                            line.amount_ore.kr(),
                            line.initiative,
                            remaining.kr(),
                            amount.kr(),
                            before.kr()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The rules for single values, one function per kind of field, named on the fields with
/// `#[serde(deserialize_with = "field::…")]`. Each reads the JSON value as it is and says in
/// words what it should have been, so the messages are ours rather than serde's.
mod field {
    use super::Ore;
    use chrono::NaiveDate;
    use serde::de::{Deserialize, Deserializer, Error};
    use serde_json::Value;

    /// Text that is not blank. A type of its own so that, in a list, serde's path names the
    /// entry that is blank.
    struct Text(String);

    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            match Value::deserialize(d)? {
                Value::String(s) if !s.trim().is_empty() => Ok(Self(s)),
                Value::String(_) => Err(D::Error::custom("must not be empty")),
                _ => Err(D::Error::custom("must be text")),
            }
        }
    }

    /// A whole, non-negative number of öre that fits in an [`Ore`].
    struct Amount(Ore);

    impl<'de> Deserialize<'de> for Amount {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let Value::Number(n) = Value::deserialize(d)? else {
                return Err(D::Error::custom("must be a whole number of öre"));
            };
            match n.as_i64() {
                Some(v) if v < 0 => Err(D::Error::custom(format!(
                    "{v} is negative; amounts are 0 or more"
                ))),
                Some(v) => Ok(Self(Ore(v))),
                None if n.is_u64() => Err(D::Error::custom(format!(
                    "{n} öre is more than Evident can hold"
                ))),
                None => Err(D::Error::custom(format!(
                    "{n} has decimals; amounts are whole öre"
                ))),
            }
        }
    }

    /// A calendar date written YYYY-MM-DD.
    struct Day(NaiveDate);

    impl<'de> Deserialize<'de> for Day {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let Text(raw) = Text::deserialize(d)?;
            NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
                .map(Self)
                .map_err(|_| D::Error::custom(format!("'{raw}' is not a date (YYYY-MM-DD)")))
        }
    }

    /// Required text.
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Text::deserialize(d).map(|t| t.0)
    }

    /// Optional text: absent or `null` is `None`, blank is refused.
    pub fn optional_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Option::<Text>::deserialize(d).map(|t| t.map(|t| t.0))
    }

    /// A list of texts, none blank.
    pub fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Vec::<Text>::deserialize(d).map(|ts| ts.into_iter().map(|t| t.0).collect())
    }

    /// A required amount.
    pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Ore, D::Error> {
        Amount::deserialize(d).map(|a| a.0)
    }

    /// An amount that may be `null` (and, with `#[serde(default)]`, absent).
    pub fn optional_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ore>, D::Error> {
        Option::<Amount>::deserialize(d).map(|a| a.map(|a| a.0))
    }

    /// A required date.
    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        Day::deserialize(d).map(|d| d.0)
    }

    /// A date that may be `null` or absent.
    pub fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Option::<Day>::deserialize(d).map(|d| d.map(|d| d.0))
    }

    /// A year such as 2011, within reason.
    pub fn year<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
        match Value::deserialize(d)?.as_i64() {
            Some(y @ 1900..=2200) => Ok(i32::try_from(y).expect("within 1900..=2200")),
            _ => Err(D::Error::custom("must be a year such as 2011")),
        }
    }

    /// `true` or `false`.
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Value::deserialize(d)?
            .as_bool()
            .ok_or_else(|| D::Error::custom("must be true or false"))
    }

    /// An optional list: absent or `null` is empty.
    pub fn optional_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<Vec<T>>::deserialize(d).map(Option::unwrap_or_default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const AGREEMENT: &str =
        include_str!("../../../../data/agreements/agreement-2011.json");
    pub(crate) const DISBURSEMENT: &str =
        include_str!("../../../../data/agreements/disbursement-2011-03-24.json");

    fn problem(file: &str, json: &str) -> String {
        Agreement::parse(file, json).unwrap_err().problem
    }

    #[test]
    fn the_2011_documents_parse_and_round_trip_unchanged() {
        let agreement = Agreement::parse("agreement-2011.json", AGREEMENT).unwrap();
        assert_eq!(agreement.initiatives.len(), 20);
        assert_eq!(agreement.total_ore, Ore(10_450_000_000));
        let original: Value = serde_json::from_str(AGREEMENT).unwrap();
        assert_eq!(agreement.to_json(), original);
        let again = Agreement::parse("x", &agreement.to_json().to_string()).unwrap();
        assert_eq!(again, agreement);

        let disbursement = Disbursement::parse("d.json", DISBURSEMENT).unwrap();
        assert_eq!(disbursement.grants[0].amount_ore, Ore(8_920_000_000));
        let original: Value = serde_json::from_str(DISBURSEMENT).unwrap();
        assert_eq!(disbursement.to_json(), original);
        disbursement
            .check_against("d.json", &agreement, &Default::default())
            .unwrap();
    }

    /// The parsed documents as serde writes them: the interchange format itself, pinned, so a
    /// renamed or reshaped field fails here even when the data files are changed to match.
    #[test]
    fn the_2011_documents_serialise_to_the_pinned_interchange_format() {
        let agreement = Agreement::parse("agreement-2011.json", AGREEMENT).unwrap();
        insta::assert_json_snapshot!("agreement_2011", agreement);
        let disbursement = Disbursement::parse("d.json", DISBURSEMENT).unwrap();
        insta::assert_json_snapshot!("disbursement_2011_03_24", disbursement);
    }

    #[test]
    fn bad_amounts_dates_and_codes_are_rejected_with_file_and_field() {
        let decimals =
            AGREEMENT.replace("\"amount_ore\": 2250000000", "\"amount_ore\": 2250000000.5");
        let p = problem("a.json", &decimals);
        assert!(
            p.starts_with("a.json: initiatives[0].amount_ore: ") && p.contains("decimals"),
            "{p}"
        );

        let negative = AGREEMENT.replace("\"total_ore\": 10450000000", "\"total_ore\": -1");
        assert!(problem("a.json", &negative).contains("total_ore: -1 is negative"));

        let unknown_area = AGREEMENT.replace(
            "\"code\": \"3.2.1\", \"area\": \"3.2\"",
            "\"code\": \"3.2.1\", \"area\": \"9.9\"",
        );
        let p = problem("a.json", &unknown_area);
        assert!(
            p.contains("initiatives[6].area: '9.9' is not one of the areas"),
            "{p}"
        );

        let duplicate = AGREEMENT.replace("\"code\": \"3.2.2\"", "\"code\": \"3.2.1\"");
        assert!(
            problem("a.json", &duplicate).contains("initiatives[7].code: '3.2.1' is used twice")
        );

        let bad_date = AGREEMENT.replace("2011-01-27", "2011-02-30");
        assert!(problem("a.json", &bad_date).contains("signed_on: '2011-02-30' is not a date"));

        let typo = AGREEMENT.replace("\"decision_refs\"", "\"decision_ref\"");
        assert!(problem("a.json", &typo).contains("decision_ref: is not a field here"));

        let d = DISBURSEMENT.replace("2012-06-30", "30/6 2012");
        let p = Disbursement::parse("d.json", &d).unwrap_err().problem;
        assert!(
            p.contains("grants[0].repay_unspent_by: '30/6 2012' is not a date"),
            "{p}"
        );
    }

    /// The 2011 agreement changed by `edit`, as text.
    fn agreement_with(edit: impl FnOnce(&mut Value)) -> String {
        let mut value: Value = serde_json::from_str(AGREEMENT).unwrap();
        edit(&mut value);
        value.to_string()
    }

    /// The 2011 decision changed by `edit`, as text.
    fn disbursement_with(edit: impl FnOnce(&mut Value)) -> String {
        let mut value: Value = serde_json::from_str(DISBURSEMENT).unwrap();
        edit(&mut value);
        value.to_string()
    }

    #[test]
    fn every_refusal_of_an_agreement_names_the_file_the_field_and_the_problem() {
        use serde_json::json;
        let cases: Vec<(String, &str)> = vec![
            (
                agreement_with(|a| a["initiatives"][3]["amount_ore"] = json!(12.5)),
                "initiatives[3].amount_ore: 12.5 has decimals; amounts are whole öre",
            ),
            (
                agreement_with(|a| a["areas"][1]["amount_ore"] = json!(-100)),
                "areas[1].amount_ore: -100 is negative; amounts are 0 or more",
            ),
            (
                agreement_with(|a| a["total_ore"] = json!(u64::MAX)),
                "total_ore: 18446744073709551615 öre is more than Evident can hold",
            ),
            (
                agreement_with(|a| a["total_ore"] = json!("104 500 000")),
                "total_ore: must be a whole number of öre",
            ),
            (
                agreement_with(|a| a["total_ore"] = Value::Null),
                "total_ore: must be a whole number of öre",
            ),
            (
                agreement_with(|a| {
                    a["initiatives"][4]
                        .as_object_mut()
                        .unwrap()
                        .remove("amount_ore");
                }),
                "initiatives[4].amount_ore: is missing (write null when the document gives no amount)",
            ),
            (
                agreement_with(|a| {
                    a.as_object_mut().unwrap().remove("title");
                }),
                "title: is missing",
            ),
            (
                agreement_with(|a| a["title"] = json!("  ")),
                "title: must not be empty",
            ),
            (
                agreement_with(|a| a["parties"][1] = json!("")),
                "parties[1]: must not be empty",
            ),
            (
                agreement_with(|a| a["parties"][0] = json!(7)),
                "parties[0]: must be text",
            ),
            (
                agreement_with(|a| a["initiatives"][0]["note"] = json!("")),
                "initiatives[0].note: must not be empty",
            ),
            (
                agreement_with(|a| a["initiatives"][0]["amout_ore"] = json!(1)),
                "initiatives[0].amout_ore: is not a field here; expected one of code, area, title, amount_ore, recipient, note, breakdown",
            ),
            (
                agreement_with(|a| a["signed_on"] = json!("27/1 2011")),
                "signed_on: '27/1 2011' is not a date (YYYY-MM-DD)",
            ),
            (
                agreement_with(|a| a["year"] = json!(11)),
                "year: must be a year such as 2011",
            ),
            (
                agreement_with(|a| a["areas"][1]["code"] = json!("3.1")),
                "areas[1].code: '3.1' is used twice",
            ),
            (
                agreement_with(|a| {
                    a["report_obligations"] = json!([
                        {"what": "Slutrapport", "to": "S", "due": "2012-03-01", "initiative": "9.9.9"}
                    ]);
                }),
                "report_obligations[0].initiative: '9.9.9' is not an initiative of this agreement",
            ),
            (
                agreement_with(|a| {
                    a["repayment_rules"] = json!([
                        {"initiatives": ["3.1.1", "9.9.9"], "repay_unspent_by": "2012-06-30", "repay_to": "K"}
                    ]);
                }),
                "repayment_rules[0].initiatives[1]: '9.9.9' is not an initiative of this agreement",
            ),
            (
                agreement_with(|a| {
                    let first = a["areas"][0].clone();
                    a["areas"][0] = json!([first["code"], first["name"], first["amount_ore"]]);
                }),
                "areas[0]: must be an object",
            ),
            ("[]".to_owned(), "(top): must be an object"),
            (
                format!("{AGREEMENT} x"),
                "line 57 column 2: not JSON: trailing characters",
            ),
        ];
        for (json, want) in cases {
            let p = problem("a.json", &json);
            assert!(
                p.starts_with(&format!("a.json: {want}")),
                "want {want}\n got {p}"
            );
        }
    }

    #[test]
    fn optional_lists_and_texts_may_be_null_or_absent() {
        let agreement = Agreement::parse(
            "a.json",
            &agreement_with(|a| {
                a["funding"] = Value::Null;
                a["repayment_rules"] = serde_json::json!([
                    {"initiatives": ["3.1.1", "*"], "repay_unspent_by": "2012-06-30", "repay_to": "K"}
                ]);
                a["currency"] = Value::Null;
                a["initiatives"][0]["breakdown"] = Value::Null;
                a.as_object_mut().unwrap().remove("report_obligations");
            }),
        )
        .unwrap();
        assert!(agreement.funding.is_empty() && agreement.report_obligations.is_empty());
        assert_eq!(agreement.repayment_rules[0].initiatives, ["3.1.1", "*"]);
        assert_eq!(agreement.currency, None);
    }

    #[test]
    fn every_refusal_of_a_disbursement_names_the_file_the_field_and_the_problem() {
        use serde_json::json;
        let cases: Vec<(String, &str)> = vec![
            (
                disbursement_with(|d| d["grants"][0]["lines"][1]["initiative"] = json!("3.1.1")),
                "grants[0].lines[1].initiative: '3.1.1' has two lines in this grant",
            ),
            (
                disbursement_with(|d| d["grants"][0]["funding"][0]["amount_ore"] = json!(0.5)),
                "grants[0].funding[0].amount_ore: 0.5 has decimals; amounts are whole öre",
            ),
            (
                disbursement_with(|d| d["paid_on_requisition"] = json!("yes")),
                "paid_on_requisition: must be true or false",
            ),
            (
                disbursement_with(|d| d["grants"][0]["use_by"] = json!("2011-13-01")),
                "grants[0].use_by: '2011-13-01' is not a date (YYYY-MM-DD)",
            ),
            (
                disbursement_with(|d| d["payee"] = json!("")),
                "payee: must not be empty",
            ),
            (
                disbursement_with(|d| d["grants"][0]["extra"] = json!(1)),
                "grants[0].extra: is not a field here; expected one of purpose, amount_ore, lines, funding, repay_unspent_by, use_by, repay_to",
            ),
        ];
        for (json, want) in cases {
            let p = Disbursement::parse("d.json", &json).unwrap_err().problem;
            assert!(
                p.starts_with(&format!("d.json: {want}")),
                "want {want}\n got {p}"
            );
        }
    }

    #[test]
    fn a_disbursement_may_not_exceed_what_remains_of_an_initiative() {
        let agreement = Agreement::parse("a.json", AGREEMENT).unwrap();
        let disbursement = Disbursement::parse("d.json", DISBURSEMENT).unwrap();
        // 3.1.1 has 22 500 000 kr; 1 krona already paid leaves 22 499 999 kr.
        let already = [("3.1.1".to_owned(), Ore::kronor(1))].into_iter().collect();
        let p = disbursement
            .check_against("d.json", &agreement, &already)
            .unwrap_err()
            .problem;
        assert!(
            p.contains("grants[0].lines[0].amount_ore: 22 500 000 kr is more than what remains of initiative 3.1.1 (22 499 999 kr of 22 500 000 kr, 1 kr already disbursed)"),
            "{p}"
        );
        let unknown =
            DISBURSEMENT.replace("\"initiative\": \"3.2.5\"", "\"initiative\": \"3.9.9\"");
        let p = Disbursement::parse("d.json", &unknown)
            .unwrap()
            .check_against("d.json", &agreement, &Default::default())
            .unwrap_err()
            .problem;
        assert!(
            p.contains("lines[5].initiative: '3.9.9' is not an initiative"),
            "{p}"
        );
    }
}
