//! One calendar of every deadline across all agreements and decisions — reports, use-by dates
//! and repayment deadlines — with what is overdue and what falls due in the next 30 days: the
//! coordination across agreements the evaluation asked for.

use super::document::{Agreement, Disbursement, ReportObligation};
use super::ledger::{EventKind, RecordedEvent, Target};
use chrono::NaiveDate;
use serde::Serialize;

/// How far ahead "due soon" looks.
pub const DUE_SOON_DAYS: i64 = 30;

/// What kind of deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// A report is due.
    Report,
    /// Money must be used by this date.
    UseBy,
    /// Unspent money must be repaid by this date.
    Repayment,
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Past its date and not done.
    Overdue,
    /// Within [`DUE_SOON_DAYS`].
    DueSoon,
    /// Later.
    Upcoming,
    /// Done: the report was submitted (or the date of a use-by deadline has passed).
    Done,
}

/// One deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// The date.
    pub date: NaiveDate,
    /// What kind.
    pub kind: DeadlineKind,
    /// What is due, in the document's words.
    pub what: String,
    /// To whom (reports) or where (repayments).
    pub to: String,
    /// The agreement it belongs to.
    pub agreement: String,
    /// The agreement or decision that sets it.
    pub source: String,
    /// The report obligation it is, for reports.
    pub target: Option<Target>,
    /// When it was done (a report submitted), if it was.
    pub done_on: Option<NaiveDate>,
}

impl Deadline {
    /// Where it stands on `today`.
    pub fn status(&self, today: NaiveDate) -> Status {
        if self.done_on.is_some() || (self.kind == DeadlineKind::UseBy && self.date < today) {
            Status::Done
        } else if self.date < today {
            Status::Overdue
        } else if (self.date - today).num_days() <= DUE_SOON_DAYS {
            Status::DueSoon
        } else {
            Status::Upcoming
        }
    }
}

fn reports(
    agreement: &str,
    source: &str,
    obligations: &[ReportObligation],
    events: &[RecordedEvent],
) -> Vec<Deadline> {
    obligations
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let target = Target::Report {
                source: source.to_owned(),
                obligation: i + 1,
            };
            Deadline {
                date: o.due,
                kind: DeadlineKind::Report,
                what: o.what.clone(),
                to: o.to.clone(),
                agreement: agreement.to_owned(),
                source: source.to_owned(),
                done_on: events
                    .iter()
                    .filter(|e| e.kind == EventKind::Report && e.target == target)
                    .map(|e| e.occurred_on)
                    .min(),
                target: Some(target),
            }
        })
        .collect()
}

/// Every deadline of these agreements and decisions, by date (then agreement, then what).
/// A report is done once an event reports on its obligation.
pub fn deadlines(
    agreements: &[Agreement],
    disbursements: &[Disbursement],
    events: &[RecordedEvent],
) -> Vec<Deadline> {
    let mut out = Vec::new();
    for a in agreements {
        out.extend(reports(&a.id, &a.id, &a.report_obligations, events));
        for rule in &a.repayment_rules {
            out.push(Deadline {
                date: rule.repay_unspent_by,
                kind: DeadlineKind::Repayment,
                what: format!(
                    "Återbetalning av outnyttjade medel ({})",
                    rule.initiatives.join(", ")
                ),
                to: rule.repay_to.clone(),
                agreement: a.id.clone(),
                source: a.id.clone(),
                target: None,
                done_on: None,
            });
        }
    }
    for d in disbursements {
        out.extend(reports(&d.agreement, &d.id, &d.report_obligations, events));
        for grant in &d.grants {
            if let Some(date) = grant.repay_unspent_by {
                out.push(Deadline {
                    date,
                    kind: DeadlineKind::Repayment,
                    what: format!("Återbetalning av outnyttjade medel: {}", grant.purpose),
                    to: grant.repay_to.clone(),
                    agreement: d.agreement.clone(),
                    source: d.id.clone(),
                    target: None,
                    done_on: None,
                });
            }
            if let Some(date) = grant.use_by {
                out.push(Deadline {
                    date,
                    kind: DeadlineKind::UseBy,
                    what: format!("Medlen används senast: {}", grant.purpose),
                    to: grant.repay_to.clone(),
                    agreement: d.agreement.clone(),
                    source: d.id.clone(),
                    target: None,
                    done_on: None,
                });
            }
        }
    }
    out.sort_by(|a, b| (a.date, &a.agreement, &a.what).cmp(&(b.date, &b.agreement, &b.what)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grants::ledger::NewGrantEvent;

    const AGREEMENT: &str = include_str!("../../../../data/agreements/agreement-2011.json");
    const DISBURSEMENT: &str =
        include_str!("../../../../data/agreements/disbursement-2011-03-24.json");

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_2011_decision_brings_its_report_use_by_and_repayment_dates() {
        let agreements = [Agreement::parse("a", AGREEMENT).unwrap()];
        let decisions = [Disbursement::parse("d", DISBURSEMENT).unwrap()];
        let all = deadlines(&agreements, &decisions, &[]);
        let listed: Vec<(String, DeadlineKind)> =
            all.iter().map(|d| (d.date.to_string(), d.kind)).collect();
        assert_eq!(
            listed,
            [
                ("2011-06-30".to_owned(), DeadlineKind::UseBy),
                ("2011-12-01".to_owned(), DeadlineKind::Report),
                ("2012-06-30".to_owned(), DeadlineKind::Repayment),
            ]
        );
        // On 2011-11-15 the report is due within 30 days, the use-by date has passed, the
        // repayment is later; on 2011-12-02 the report is overdue.
        let today = day("2011-11-15");
        let statuses: Vec<Status> = all.iter().map(|d| d.status(today)).collect();
        assert_eq!(statuses, [Status::Done, Status::DueSoon, Status::Upcoming]);
        assert_eq!(all[1].status(day("2011-12-02")), Status::Overdue);
        assert_eq!(
            all[1].status(day("2011-12-01")),
            Status::DueSoon,
            "due today is not overdue"
        );
        assert_eq!(
            all[2].status(day("2012-05-31")),
            Status::DueSoon,
            "30 days ahead"
        );
        assert_eq!(
            all[2].status(day("2012-05-30")),
            Status::Upcoming,
            "31 days ahead"
        );

        // Submitting the report marks it done, even late.
        let report: RecordedEvent = NewGrantEvent::parse(
            "ebp-2011",
            "report",
            "report:S2011/986/FST-2011-03-24:1",
            None,
            "2011-12-05",
            Some("Lägesrapport"),
            "submitted to the ministry",
        )
        .unwrap()
        .into();
        let after = deadlines(&agreements, &decisions, &[report]);
        assert_eq!(after[1].done_on, Some(day("2011-12-05")));
        assert_eq!(after[1].status(day("2011-12-10")), Status::Done);
    }
}
