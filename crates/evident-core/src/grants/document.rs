//! Agreements and disbursement decisions in the interchange format of `data/agreements/`
//! (see its README): parsed from JSON with every field checked and named on failure, and
//! written back to the same JSON, so a document survives a round trip unchanged.
//!
//! A document's own figures may disagree with each other (a stated total against the sum of its
//! initiatives); that is not a parse error but a [`super::check::Finding`]. What is rejected is
//! what cannot be money, a date or a reference: an amount with decimals of öre, a negative
//! amount, a date that is not a date, an unknown area or initiative code, a duplicate code.

use super::money::Ore;
use crate::error::DomainError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// An agreement between the state and a party (e.g. SKL) for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Its id (`ebp-2011`).
    pub id: String,
    /// Its title.
    pub title: String,
    /// The year it covers.
    pub year: i32,
    /// The parties.
    pub parties: Vec<String>,
    /// The government's decision references.
    pub decision_refs: Vec<String>,
    /// When it was signed.
    pub signed_on: NaiveDate,
    /// The currency the document writes (`SEK`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The total the document states.
    pub total_ore: Ore,
    /// Its areas.
    pub areas: Vec<Area>,
    /// Its initiatives (numbered sections).
    pub initiatives: Vec<Initiative>,
    /// Where the money comes from, where stated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funding: Vec<Funding>,
    /// Reports the agreement requires.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_obligations: Vec<ReportObligation>,
    /// How unspent money is repaid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repayment_rules: Vec<RepaymentRule>,
}

/// An area of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// Its code (`3.1`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The subtotal the document states, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_ore: Option<Ore>,
}

/// An initiative: one numbered section with its amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Initiative {
    /// Its section number (`3.1.1`).
    pub code: String,
    /// Its area's code.
    pub area: String,
    /// Its title.
    pub title: String,
    /// Its amount; `None` when the document names it without an amount in this agreement.
    pub amount_ore: Option<Ore>,
    /// Who receives it, where named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// A note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How the amount breaks down, where stated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breakdown: Vec<Part>,
}

/// A labelled part of an amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// What it is.
    pub label: String,
    /// How much.
    pub amount_ore: Ore,
}

/// A source of an agreement's money.
pub type Funding = Part;

/// A report someone owes someone by a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportObligation {
    /// What is to be reported.
    pub what: String,
    /// Who reports, where stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// To whom.
    pub to: String,
    /// By when.
    pub due: NaiveDate,
    /// The initiative it concerns, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiative: Option<String>,
}

/// How unspent money of some initiatives is repaid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepaymentRule {
    /// Initiative codes, or `*` for all others.
    pub initiatives: Vec<String>,
    /// The deadline.
    pub repay_unspent_by: NaiveDate,
    /// Where to.
    pub repay_to: String,
}

/// A government decision that a payer pays a payee, per grant, usually on requisition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disbursement {
    /// Its id.
    pub id: String,
    /// The agreement it pays out.
    pub agreement: String,
    /// When it was decided.
    pub decided_on: NaiveDate,
    /// Its reference.
    pub decision_ref: String,
    /// Who decided.
    pub decided_by: String,
    /// Who pays (Kammarkollegiet).
    pub payer: String,
    /// Who receives.
    pub payee: String,
    /// Whether the payee must requisition the money.
    pub paid_on_requisition: bool,
    /// The grants.
    pub grants: Vec<Grant>,
    /// Reports the decision requires.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_obligations: Vec<ReportObligation>,
}

/// One grant of a disbursement decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// What for.
    pub purpose: String,
    /// How much.
    pub amount_ore: Ore,
    /// Which initiatives it pays, how much each.
    pub lines: Vec<Line>,
    /// Appropriations it is charged to.
    pub funding: Vec<Appropriation>,
    /// Unspent money is repaid by this date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repay_unspent_by: Option<NaiveDate>,
    /// The money must be used by this date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_by: Option<NaiveDate>,
    /// Where repayments go.
    pub repay_to: String,
}

/// A line of a grant: an initiative and its amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The initiative's code.
    pub initiative: String,
    /// Its title as the decision writes it.
    pub title: String,
    /// How much.
    pub amount_ore: Ore,
}

/// An appropriation (anslag) and item (anslagspost) a grant is charged to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appropriation {
    /// The appropriation (`9 6:2`).
    pub appropriation: String,
    /// The item (`1`).
    pub item: String,
    /// What it is called.
    pub label: String,
    /// How much.
    pub amount_ore: Ore,
}

/// Walks a JSON value, naming the path of whatever is wrong.
struct Reader<'a> {
    file: &'a str,
}

type Obj = Map<String, Value>;

impl Reader<'_> {
    fn error(&self, path: &str, problem: impl Into<String>) -> DomainError {
        DomainError::new(
            "document",
            format!("{}: {path}: {}", self.file, problem.into()),
        )
    }

    /// The document as JSON, or where it stops being JSON.
    fn json(&self, text: &str) -> Result<Value, DomainError> {
        serde_json::from_str(text).map_err(|e| {
            self.error(
                &format!("line {} column {}", e.line(), e.column()),
                format!("not JSON: {e}"),
            )
        })
    }

    fn object<'v>(&self, value: &'v Value, path: &str) -> Result<&'v Obj, DomainError> {
        value
            .as_object()
            .ok_or_else(|| self.error(path, "must be an object"))
    }

    fn known(&self, object: &Obj, path: &str, fields: &[&str]) -> Result<(), DomainError> {
        match object.keys().find(|k| !fields.contains(&k.as_str())) {
            Some(unknown) => Err(self.error(
                &join(path, unknown),
                format!("is not a field here; expected one of {}", fields.join(", ")),
            )),
            None => Ok(()),
        }
    }

    fn text(&self, object: &Obj, path: &str, key: &str) -> Result<String, DomainError> {
        match object.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(Value::String(_)) => Err(self.error(&join(path, key), "must not be empty")),
            Some(_) => Err(self.error(&join(path, key), "must be text")),
            None => Err(self.error(&join(path, key), "is missing")),
        }
    }

    fn optional_text(
        &self,
        object: &Obj,
        path: &str,
        key: &str,
    ) -> Result<Option<String>, DomainError> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.text(object, path, key).map(Some),
        }
    }

    fn texts(&self, object: &Obj, path: &str, key: &str) -> Result<Vec<String>, DomainError> {
        let list = self.array(object, path, key)?;
        list.iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                _ => Err(self.error(
                    &format!("{}[{i}]", join(path, key)),
                    "must be non-empty text",
                )),
            })
            .collect()
    }

    fn array<'v>(
        &self,
        object: &'v Obj,
        path: &str,
        key: &str,
    ) -> Result<&'v Vec<Value>, DomainError> {
        match object.get(key) {
            Some(Value::Array(a)) => Ok(a),
            Some(_) => Err(self.error(&join(path, key), "must be a list")),
            None => Err(self.error(&join(path, key), "is missing")),
        }
    }

    fn optional_array<'v>(
        &self,
        object: &'v Obj,
        path: &str,
        key: &str,
    ) -> Result<&'v [Value], DomainError> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(_) => self.array(object, path, key).map(Vec::as_slice),
        }
    }

    fn date(&self, object: &Obj, path: &str, key: &str) -> Result<NaiveDate, DomainError> {
        let raw = self.text(object, path, key)?;
        NaiveDate::parse_from_str(&raw, "%Y-%m-%d").map_err(|_| {
            self.error(
                &join(path, key),
                format!("'{raw}' is not a date (YYYY-MM-DD)"),
            )
        })
    }

    fn optional_date(
        &self,
        object: &Obj,
        path: &str,
        key: &str,
    ) -> Result<Option<NaiveDate>, DomainError> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.date(object, path, key).map(Some),
        }
    }

    fn ore(&self, object: &Obj, path: &str, key: &str) -> Result<Ore, DomainError> {
        let at = join(path, key);
        match object.get(key) {
            Some(Value::Number(n)) => {
                if let Some(v) = n.as_i64() {
                    if v < 0 {
                        Err(self.error(&at, format!("{v} is negative; amounts are 0 or more")))
                    } else {
                        Ok(Ore(v))
                    }
                } else if n.as_u64().is_some() {
                    Err(self.error(&at, format!("{n} öre is more than Evident can hold")))
                } else {
                    Err(self.error(&at, format!("{n} has decimals; amounts are whole öre")))
                }
            }
            Some(_) => Err(self.error(&at, "must be a whole number of öre")),
            None => Err(self.error(&at, "is missing")),
        }
    }

    fn optional_ore(
        &self,
        object: &Obj,
        path: &str,
        key: &str,
    ) -> Result<Option<Ore>, DomainError> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.ore(object, path, key).map(Some),
        }
    }

    fn year(&self, object: &Obj, path: &str, key: &str) -> Result<i32, DomainError> {
        match object.get(key).and_then(Value::as_i64) {
            Some(y @ 1900..=2200) => Ok(y as i32),
            _ => Err(self.error(&join(path, key), "must be a year such as 2011")),
        }
    }

    fn parts(&self, object: &Obj, path: &str, key: &str) -> Result<Vec<Part>, DomainError> {
        self.optional_array(object, path, key)?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("{}[{i}]", join(path, key));
                let o = self.object(v, &at)?;
                self.known(o, &at, &["label", "amount_ore"])?;
                Ok(Part {
                    label: self.text(o, &at, "label")?,
                    amount_ore: self.ore(o, &at, "amount_ore")?,
                })
            })
            .collect()
    }

    fn obligations(&self, object: &Obj, path: &str) -> Result<Vec<ReportObligation>, DomainError> {
        self.optional_array(object, path, "report_obligations")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("{}[{i}]", join(path, "report_obligations"));
                let o = self.object(v, &at)?;
                self.known(o, &at, &["what", "by", "to", "due", "initiative"])?;
                Ok(ReportObligation {
                    what: self.text(o, &at, "what")?,
                    by: self.optional_text(o, &at, "by")?,
                    to: self.text(o, &at, "to")?,
                    due: self.date(o, &at, "due")?,
                    initiative: self.optional_text(o, &at, "initiative")?,
                })
            })
            .collect()
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn unique<'a>(
    reader: &Reader<'_>,
    codes: impl Iterator<Item = (usize, &'a str)>,
    list: &str,
) -> Result<BTreeSet<&'a str>, DomainError> {
    let mut seen = BTreeSet::new();
    for (i, code) in codes {
        if !seen.insert(code) {
            return Err(reader.error(
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
        let reader = Reader { file };
        let value = reader.json(json)?;
        let o = reader.object(&value, "(top)")?;
        reader.known(
            o,
            "",
            &[
                "id",
                "title",
                "year",
                "parties",
                "decision_refs",
                "signed_on",
                "currency",
                "total_ore",
                "areas",
                "initiatives",
                "funding",
                "report_obligations",
                "repayment_rules",
            ],
        )?;
        let areas = reader
            .array(o, "", "areas")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("areas[{i}]");
                let a = reader.object(v, &at)?;
                reader.known(a, &at, &["code", "name", "amount_ore"])?;
                Ok(Area {
                    code: reader.text(a, &at, "code")?,
                    name: reader.text(a, &at, "name")?,
                    amount_ore: reader.optional_ore(a, &at, "amount_ore")?,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let initiatives = reader
            .array(o, "", "initiatives")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("initiatives[{i}]");
                let x = reader.object(v, &at)?;
                reader.known(
                    x,
                    &at,
                    &[
                        "code",
                        "area",
                        "title",
                        "amount_ore",
                        "recipient",
                        "note",
                        "breakdown",
                    ],
                )?;
                if !x.contains_key("amount_ore") {
                    return Err(reader.error(
                        &join(&at, "amount_ore"),
                        "is missing (write null when the document gives no amount)",
                    ));
                }
                Ok(Initiative {
                    code: reader.text(x, &at, "code")?,
                    area: reader.text(x, &at, "area")?,
                    title: reader.text(x, &at, "title")?,
                    amount_ore: reader.optional_ore(x, &at, "amount_ore")?,
                    recipient: reader.optional_text(x, &at, "recipient")?,
                    note: reader.optional_text(x, &at, "note")?,
                    breakdown: reader.parts(x, &at, "breakdown")?,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let area_codes = unique(
            &reader,
            areas.iter().enumerate().map(|(i, a)| (i, a.code.as_str())),
            "areas",
        )?;
        let initiative_codes = unique(
            &reader,
            initiatives
                .iter()
                .enumerate()
                .map(|(i, x)| (i, x.code.as_str())),
            "initiatives",
        )?;
        for (i, initiative) in initiatives.iter().enumerate() {
            if !area_codes.contains(initiative.area.as_str()) {
                return Err(reader.error(
                    &format!("initiatives[{i}].area"),
                    format!(
                        "'{}' is not one of the areas ({})",
                        initiative.area,
                        area_codes.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        let report_obligations = reader.obligations(o, "")?;
        for (i, obligation) in report_obligations.iter().enumerate() {
            if let Some(code) = &obligation.initiative
                && !initiative_codes.contains(code.as_str())
            {
                return Err(reader.error(
                    &format!("report_obligations[{i}].initiative"),
                    format!("'{code}' is not an initiative of this agreement"),
                ));
            }
        }
        let repayment_rules = reader
            .optional_array(o, "", "repayment_rules")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("repayment_rules[{i}]");
                let r = reader.object(v, &at)?;
                reader.known(r, &at, &["initiatives", "repay_unspent_by", "repay_to"])?;
                let codes = reader.texts(r, &at, "initiatives")?;
                for (j, code) in codes.iter().enumerate() {
                    if code != "*" && !initiative_codes.contains(code.as_str()) {
                        return Err(reader.error(
                            &format!("{at}.initiatives[{j}]"),
                            format!("'{code}' is not an initiative of this agreement"),
                        ));
                    }
                }
                Ok(RepaymentRule {
                    initiatives: codes,
                    repay_unspent_by: reader.date(r, &at, "repay_unspent_by")?,
                    repay_to: reader.text(r, &at, "repay_to")?,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        Ok(Self {
            id: reader.text(o, "", "id")?,
            title: reader.text(o, "", "title")?,
            year: reader.year(o, "", "year")?,
            parties: reader.texts(o, "", "parties")?,
            decision_refs: reader.texts(o, "", "decision_refs")?,
            signed_on: reader.date(o, "", "signed_on")?,
            currency: reader.optional_text(o, "", "currency")?,
            total_ore: reader.ore(o, "", "total_ore")?,
            funding: reader.parts(o, "", "funding")?,
            areas,
            initiatives,
            report_obligations,
            repayment_rules,
        })
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
        let reader = Reader { file };
        let value = reader.json(json)?;
        let o = reader.object(&value, "(top)")?;
        reader.known(
            o,
            "",
            &[
                "id",
                "agreement",
                "decided_on",
                "decision_ref",
                "decided_by",
                "payer",
                "payee",
                "paid_on_requisition",
                "grants",
                "report_obligations",
            ],
        )?;
        let grants = reader
            .array(o, "", "grants")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let at = format!("grants[{i}]");
                let g = reader.object(v, &at)?;
                reader.known(
                    g,
                    &at,
                    &[
                        "purpose",
                        "amount_ore",
                        "lines",
                        "funding",
                        "repay_unspent_by",
                        "use_by",
                        "repay_to",
                    ],
                )?;
                let lines = reader
                    .array(g, &at, "lines")?
                    .iter()
                    .enumerate()
                    .map(|(j, v)| {
                        let at = format!("{at}.lines[{j}]");
                        let l = reader.object(v, &at)?;
                        reader.known(l, &at, &["initiative", "title", "amount_ore"])?;
                        Ok(Line {
                            initiative: reader.text(l, &at, "initiative")?,
                            title: reader.text(l, &at, "title")?,
                            amount_ore: reader.ore(l, &at, "amount_ore")?,
                        })
                    })
                    .collect::<Result<Vec<_>, DomainError>>()?;
                let mut seen = BTreeSet::new();
                for (j, line) in lines.iter().enumerate() {
                    if !seen.insert(line.initiative.as_str()) {
                        return Err(reader.error(
                            &format!("{at}.lines[{j}].initiative"),
                            format!("'{}' has two lines in this grant", line.initiative),
                        ));
                    }
                }
                let funding = reader
                    .array(g, &at, "funding")?
                    .iter()
                    .enumerate()
                    .map(|(j, v)| {
                        let at = format!("{at}.funding[{j}]");
                        let f = reader.object(v, &at)?;
                        reader.known(f, &at, &["appropriation", "item", "label", "amount_ore"])?;
                        Ok(Appropriation {
                            appropriation: reader.text(f, &at, "appropriation")?,
                            item: reader.text(f, &at, "item")?,
                            label: reader.text(f, &at, "label")?,
                            amount_ore: reader.ore(f, &at, "amount_ore")?,
                        })
                    })
                    .collect::<Result<Vec<_>, DomainError>>()?;
                Ok(Grant {
                    purpose: reader.text(g, &at, "purpose")?,
                    amount_ore: reader.ore(g, &at, "amount_ore")?,
                    lines,
                    funding,
                    repay_unspent_by: reader.optional_date(g, &at, "repay_unspent_by")?,
                    use_by: reader.optional_date(g, &at, "use_by")?,
                    repay_to: reader.text(g, &at, "repay_to")?,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        Ok(Self {
            id: reader.text(o, "", "id")?,
            agreement: reader.text(o, "", "agreement")?,
            decided_on: reader.date(o, "", "decided_on")?,
            decision_ref: reader.text(o, "", "decision_ref")?,
            decided_by: reader.text(o, "", "decided_by")?,
            payer: reader.text(o, "", "payer")?,
            payee: reader.text(o, "", "payee")?,
            paid_on_requisition: o
                .get("paid_on_requisition")
                .and_then(Value::as_bool)
                .ok_or_else(|| reader.error("paid_on_requisition", "must be true or false"))?,
            grants,
            report_obligations: reader.obligations(o, "")?,
        })
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
        already: &std::collections::HashMap<String, Ore>,
    ) -> Result<(), DomainError> {
        let reader = Reader { file };
        if self.agreement != agreement.id {
            return Err(reader.error(
                "agreement",
                format!("'{}' is not '{}'", self.agreement, agreement.id),
            ));
        }
        for (i, grant) in self.grants.iter().enumerate() {
            for (j, line) in grant.lines.iter().enumerate() {
                let at = format!("grants[{i}].lines[{j}]");
                let Some(initiative) = agreement.initiative(&line.initiative) else {
                    return Err(reader.error(
                        &format!("{at}.initiative"),
                        format!(
                            "'{}' is not an initiative of agreement {}",
                            line.initiative, agreement.id
                        ),
                    ));
                };
                let Some(amount) = initiative.amount_ore else {
                    return Err(reader.error(
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
                    return Err(reader.error(
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
