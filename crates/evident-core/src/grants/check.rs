//! A document's internal disagreements: what it states against what its own parts add up to.
//! Importing keeps the document as written; these findings are reported next to it, each with
//! the figures on both sides.

use super::document::{Agreement, Disbursement};
use super::money::Ore;
use serde::Serialize;
use std::fmt;

/// One disagreement inside a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// The stated total against the sum of the initiatives' amounts.
    TotalVsInitiatives {
        /// What the document states.
        stated: Ore,
        /// What its initiatives add up to.
        sum: Ore,
    },
    /// An area's stated subtotal against the sum of its initiatives.
    AreaSubtotal {
        /// The area's code.
        area: String,
        /// What the document states.
        stated: Ore,
        /// What its initiatives add up to.
        sum: Ore,
    },
    /// An initiative's amount against the sum of its breakdown.
    Breakdown {
        /// The initiative's code.
        initiative: String,
        /// Its amount.
        stated: Ore,
        /// What the breakdown adds up to.
        sum: Ore,
    },
    /// The stated total against the sum of the funding sources.
    FundingVsTotal {
        /// What the document states.
        stated: Ore,
        /// What the funding adds up to.
        sum: Ore,
    },
    /// A grant's amount against the sum of its lines.
    GrantLines {
        /// The grant's position (1-based) in the decision.
        grant: usize,
        /// Its amount.
        stated: Ore,
        /// What its lines add up to.
        sum: Ore,
    },
    /// A grant's amount against the sum of its appropriations.
    GrantFunding {
        /// The grant's position (1-based).
        grant: usize,
        /// Its amount.
        stated: Ore,
        /// What its funding adds up to.
        sum: Ore,
    },
}

impl Finding {
    /// Both sides: what is stated and what the parts add up to.
    pub fn figures(&self) -> (Ore, Ore) {
        match self {
            Self::TotalVsInitiatives { stated, sum }
            | Self::AreaSubtotal { stated, sum, .. }
            | Self::Breakdown { stated, sum, .. }
            | Self::FundingVsTotal { stated, sum }
            | Self::GrantLines { stated, sum, .. }
            | Self::GrantFunding { stated, sum, .. } => (*stated, *sum),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (stated, sum) = self.figures();
        let (what, parts) = match self {
            Self::TotalVsInitiatives { .. } => {
                ("the stated total".to_owned(), "the initiatives".to_owned())
            }
            Self::AreaSubtotal { area, .. } => (
                format!("area {area}'s stated subtotal"),
                "its initiatives".to_owned(),
            ),
            Self::Breakdown { initiative, .. } => (
                format!("initiative {initiative}'s amount"),
                "its breakdown".to_owned(),
            ),
            Self::FundingVsTotal { .. } => {
                ("the stated total".to_owned(), "the funding".to_owned())
            }
            Self::GrantLines { grant, .. } => {
                (format!("grant {grant}'s amount"), "its lines".to_owned())
            }
            Self::GrantFunding { grant, .. } => {
                (format!("grant {grant}'s amount"), "its funding".to_owned())
            }
        };
        write!(
            f,
            "{what} is {} but {parts} add up to {} (difference {})",
            stated.kr(),
            sum.kr(),
            (sum - stated).kr()
        )
    }
}

fn compare(stated: Ore, sum: Ore, finding: impl FnOnce(Ore, Ore) -> Finding) -> Option<Finding> {
    (stated != sum).then(|| finding(stated, sum))
}

/// Every disagreement inside an agreement, in document order: the total, each area, each
/// breakdown, the funding. Initiatives without an amount count as nothing.
pub fn check_agreement(agreement: &Agreement) -> Vec<Finding> {
    let amount = |code: Option<&str>| -> Ore {
        agreement
            .initiatives
            .iter()
            .filter(|i| code.is_none_or(|c| i.area == c))
            .filter_map(|i| i.amount_ore)
            .sum()
    };
    let mut findings = Vec::new();
    findings.extend(compare(agreement.total_ore, amount(None), |stated, sum| {
        Finding::TotalVsInitiatives { stated, sum }
    }));
    for area in &agreement.areas {
        if let Some(stated) = area.amount_ore {
            findings.extend(compare(stated, amount(Some(&area.code)), |stated, sum| {
                Finding::AreaSubtotal {
                    area: area.code.clone(),
                    stated,
                    sum,
                }
            }));
        }
    }
    for initiative in &agreement.initiatives {
        if let (Some(stated), false) = (initiative.amount_ore, initiative.breakdown.is_empty()) {
            let sum = initiative.breakdown.iter().map(|p| p.amount_ore).sum();
            findings.extend(compare(stated, sum, |stated, sum| Finding::Breakdown {
                initiative: initiative.code.clone(),
                stated,
                sum,
            }));
        }
    }
    if !agreement.funding.is_empty() {
        let sum = agreement.funding.iter().map(|p| p.amount_ore).sum();
        findings.extend(compare(agreement.total_ore, sum, |stated, sum| {
            Finding::FundingVsTotal { stated, sum }
        }));
    }
    findings
}

/// Every disagreement inside a disbursement decision: each grant against its lines (when it
/// has any) and its funding.
pub fn check_disbursement(disbursement: &Disbursement) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (i, grant) in disbursement.grants.iter().enumerate() {
        if !grant.lines.is_empty() {
            let sum = grant.lines.iter().map(|l| l.amount_ore).sum();
            findings.extend(compare(grant.amount_ore, sum, |stated, sum| {
                Finding::GrantLines {
                    grant: i + 1,
                    stated,
                    sum,
                }
            }));
        }
        let sum = grant.funding.iter().map(|f| f.amount_ore).sum();
        findings.extend(compare(grant.amount_ore, sum, |stated, sum| {
            Finding::GrantFunding {
                grant: i + 1,
                stated,
                sum,
            }
        }));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGREEMENT: &str = include_str!("../../../../data/agreements/agreement-2011.json");
    const DISBURSEMENT: &str =
        include_str!("../../../../data/agreements/disbursement-2011-03-24.json");

    #[test]
    fn the_2011_documents_are_consistent() {
        let agreement = Agreement::parse("a", AGREEMENT).unwrap();
        assert_eq!(check_agreement(&agreement), []);
        let disbursement = Disbursement::parse("d", DISBURSEMENT).unwrap();
        assert_eq!(check_disbursement(&disbursement), []);
        // Lines and funding of the first grant both make 89 200 000 kr.
        let grant = &disbursement.grants[0];
        assert_eq!(
            grant.lines.iter().map(|l| l.amount_ore).sum::<Ore>().kr(),
            "89 200 000 kr"
        );
        assert_eq!(
            grant.funding.iter().map(|l| l.amount_ore).sum::<Ore>().kr(),
            "89 200 000 kr"
        );
    }

    #[test]
    fn an_initiative_off_by_one_ore_is_reported_against_the_total_only() {
        // 3.1.1 lowered by 1 öre: the total no longer adds up; nothing else is affected.
        let altered =
            AGREEMENT.replace("\"amount_ore\": 2250000000}", "\"amount_ore\": 2249999999}");
        let agreement = Agreement::parse("a", &altered).unwrap();
        let findings = check_agreement(&agreement);
        assert_eq!(
            findings,
            [Finding::TotalVsInitiatives {
                stated: Ore(10_450_000_000),
                sum: Ore(10_449_999_999)
            }]
        );
        assert_eq!(
            findings[0].to_string(),
            "the stated total is 104 500 000 kr but the initiatives add up to 104 499 999,99 kr (difference −0,01 kr)"
        );
    }

    #[test]
    fn an_area_subtotal_and_a_breakdown_off_are_each_reported() {
        // Area 3.3 states 9 000 001 kr (its initiatives: 4 500 000 + 4 500 000 kr); the breakdown
        // of 4 gets 1 krona more than its 1 100 000 kr.
        let altered = AGREEMENT
            .replace(
                "{\"code\": \"3.3\", \"name\": \"Utbildning och fortbildning\"}",
                "{\"code\": \"3.3\", \"name\": \"Utbildning och fortbildning\", \"amount_ore\": 900000100}",
            )
            .replace("\"amount_ore\": 30000000}", "\"amount_ore\": 30000100}");
        let agreement = Agreement::parse("a", &altered).unwrap();
        assert_eq!(
            check_agreement(&agreement),
            [
                Finding::AreaSubtotal {
                    area: "3.3".into(),
                    stated: Ore(900_000_100),
                    sum: Ore(900_000_000)
                },
                Finding::Breakdown {
                    initiative: "4".into(),
                    stated: Ore(110_000_000),
                    sum: Ore(110_000_100)
                },
            ]
        );
    }

    #[test]
    fn funding_and_grant_lines_are_checked() {
        let altered = AGREEMENT.replace(
            "\"amount_ore\": 450000000}\n  ]",
            "\"amount_ore\": 450000001}\n  ]",
        );
        let agreement = Agreement::parse("a", &altered).unwrap();
        assert_eq!(
            check_agreement(&agreement),
            [Finding::FundingVsTotal {
                stated: Ore(10_450_000_000),
                sum: Ore(10_450_000_001)
            }]
        );
        let altered =
            DISBURSEMENT.replace("\"amount_ore\": 8920000000", "\"amount_ore\": 8920000001");
        let disbursement = Disbursement::parse("d", &altered).unwrap();
        assert_eq!(
            check_disbursement(&disbursement),
            [
                Finding::GrantLines {
                    grant: 1,
                    stated: Ore(8_920_000_001),
                    sum: Ore(8_920_000_000)
                },
                Finding::GrantFunding {
                    grant: 1,
                    stated: Ore(8_920_000_001),
                    sum: Ore(8_920_000_000)
                }
            ]
        );
    }
}
