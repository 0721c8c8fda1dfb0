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

mod field;
mod read;

use super::money::Ore;
use crate::error::DomainError;
use chrono::NaiveDate;
use read::{error, read, unique};
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

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const AGREEMENT: &str =
        include_str!("../../../../../data/agreements/agreement-2011.json");
    pub(crate) const DISBURSEMENT: &str =
        include_str!("../../../../../data/agreements/disbursement-2011-03-24.json");

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
