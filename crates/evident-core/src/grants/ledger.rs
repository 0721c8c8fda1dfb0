//! What happens to an agreement's money and reports after the decisions: requisitions,
//! payments, repayments and submitted reports, each recorded with who, when and a required
//! reason — the documented decisions the evaluation found missing — and the sums that follow
//! from them per initiative and grant.

use super::document::{Agreement, Disbursement};
use super::money::Ore;
use crate::error::DomainError;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// What kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The payee asks for money of a grant line (rekvisition).
    Requisition,
    /// The payer pays a requisition (utbetalning).
    Payment,
    /// Unspent money is paid back (återbetalning).
    Repayment,
    /// A report is submitted (återrapportering).
    Report,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [
        Self::Requisition,
        Self::Payment,
        Self::Repayment,
        Self::Report,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requisition => "requisition",
            Self::Payment => "payment",
            Self::Repayment => "repayment",
            Self::Report => "report",
        }
    }

    /// Parses the stored name.
    ///
    /// # Errors
    /// Names the field `kind`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| {
                DomainError::new(
                    "kind",
                    format!("'{raw}' is not one of requisition, payment, repayment, report"),
                )
            })
    }
}

/// What an event concerns: a line of a grant (money), or a report obligation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Target {
    /// A grant of a disbursement decision, and the initiative line within it (`None` for a
    /// grant without lines).
    Grant {
        /// The decision's id.
        disbursement: String,
        /// The grant's position, from 1.
        grant: usize,
        /// The initiative, for a grant with lines.
        initiative: Option<String>,
    },
    /// A report obligation of an agreement or a decision, by position from 1.
    Report {
        /// The agreement's or decision's id.
        source: String,
        /// The obligation's position, from 1.
        obligation: usize,
    },
}

impl fmt::Display for Target {
    /// The stored form: `grant:<decision>:<n>[:<initiative>]` or `report:<source>:<n>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Grant {
                disbursement,
                grant,
                initiative: Some(code),
            } => write!(f, "grant:{disbursement}:{grant}:{code}"),
            Self::Grant {
                disbursement,
                grant,
                initiative: None,
            } => write!(f, "grant:{disbursement}:{grant}"),
            Self::Report { source, obligation } => write!(f, "report:{source}:{obligation}"),
        }
    }
}

impl Target {
    /// Parses the stored form.
    ///
    /// # Errors
    /// Names the field `target` and the forms it takes.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::new(
                "target",
                format!(
                    "'{raw}' is not grant:<decision>:<grant number>[:<initiative>] or report:<agreement or decision>:<number>"
                ),
            )
        };
        // Decision ids contain '/', never ':'; split from the right so the id may be anything else.
        let parts: Vec<&str> = raw.split(':').collect();
        let number = |s: &str| s.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(bad);
        match parts.as_slice() {
            ["grant", decision, grant] if !decision.is_empty() => Ok(Self::Grant {
                disbursement: (*decision).to_owned(),
                grant: number(grant)?,
                initiative: None,
            }),
            ["grant", decision, grant, code] if !decision.is_empty() && !code.is_empty() => {
                Ok(Self::Grant {
                    disbursement: (*decision).to_owned(),
                    grant: number(grant)?,
                    initiative: Some((*code).to_owned()),
                })
            }
            ["report", source, n] if !source.is_empty() => Ok(Self::Report {
                source: (*source).to_owned(),
                obligation: number(n)?,
            }),
            _ => Err(bad()),
        }
    }
}

/// A checked new event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGrantEvent {
    /// The agreement it belongs to.
    pub agreement: String,
    /// What happened.
    pub kind: EventKind,
    /// What it concerns.
    pub target: Target,
    /// How much, for money.
    pub amount: Option<Ore>,
    /// When it happened.
    pub occurred_on: NaiveDate,
    /// A note: a report's title or a reference.
    pub note: Option<String>,
    /// Why: required, so that every decision is documented.
    pub reason: String,
}

impl NewGrantEvent {
    /// Checks an event as entered: money kinds target a grant and need an amount of at least
    /// 1 öre; a report targets a report obligation and has no amount; the reason is required.
    ///
    /// # Errors
    /// Names the field that is wrong.
    pub fn parse(
        agreement: &str,
        kind: &str,
        target: &str,
        amount_ore: Option<i64>,
        occurred_on: &str,
        note: Option<&str>,
        reason: &str,
    ) -> Result<Self, DomainError> {
        let kind = EventKind::parse(kind)?;
        let target = Target::parse(target)?;
        let occurred_on =
            NaiveDate::parse_from_str(occurred_on.trim(), "%Y-%m-%d").map_err(|_| {
                DomainError::new(
                    "occurred_on",
                    format!("'{occurred_on}' is not a date (YYYY-MM-DD)"),
                )
            })?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DomainError::new(
                "reason",
                "say why: every change to an agreement's money or reports is documented with a reason",
            ));
        }
        let amount = match (kind, &target, amount_ore) {
            (EventKind::Report, Target::Report { .. }, None) => None,
            (EventKind::Report, Target::Report { .. }, Some(_)) => {
                return Err(DomainError::new("amount_ore", "a report has no amount"));
            }
            (EventKind::Report, Target::Grant { .. }, _) => {
                return Err(DomainError::new(
                    "target",
                    "a report concerns a report obligation (report:…)",
                ));
            }
            (_, Target::Report { .. }, _) => {
                return Err(DomainError::new(
                    "target",
                    "money moves on a grant (grant:…)",
                ));
            }
            (_, _, None) => return Err(DomainError::new("amount_ore", "is missing")),
            (_, _, Some(v)) if v < 1 => {
                return Err(DomainError::new(
                    "amount_ore",
                    format!("{v} öre: an amount is at least 1 öre"),
                ));
            }
            (_, _, Some(v)) => Some(Ore(v)),
        };
        Ok(Self {
            agreement: agreement.to_owned(),
            kind,
            target,
            amount,
            occurred_on,
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            reason: reason.to_owned(),
        })
    }
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantEvent {
    /// Its id.
    pub id: i64,
    /// What was recorded.
    #[serde(flatten)]
    pub event: RecordedEvent,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (UTC, as stored).
    pub recorded_at: String,
}

/// The content of a recorded event (a [`NewGrantEvent`] as stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedEvent {
    /// The agreement.
    pub agreement: String,
    /// What happened.
    pub kind: EventKind,
    /// What it concerns.
    pub target: Target,
    /// How much.
    pub amount: Option<Ore>,
    /// When it happened.
    pub occurred_on: NaiveDate,
    /// A note.
    pub note: Option<String>,
    /// Why.
    pub reason: String,
}

impl From<NewGrantEvent> for RecordedEvent {
    fn from(e: NewGrantEvent) -> Self {
        Self {
            agreement: e.agreement,
            kind: e.kind,
            target: e.target,
            amount: e.amount,
            occurred_on: e.occurred_on,
            note: e.note,
            reason: e.reason,
        }
    }
}

/// Money per kind on one grant line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Flows {
    /// Decided.
    pub decided: Ore,
    /// Requisitioned.
    pub requisitioned: Ore,
    /// Paid.
    pub paid: Ore,
    /// Repaid.
    pub repaid: Ore,
}

impl Flows {
    fn add(&mut self, kind: EventKind, amount: Ore) {
        match kind {
            EventKind::Requisition => self.requisitioned += amount,
            EventKind::Payment => self.paid += amount,
            EventKind::Repayment => self.repaid += amount,
            EventKind::Report => {}
        }
    }

    fn plus(self, other: Self) -> Self {
        Self {
            decided: self.decided + other.decided,
            requisitioned: self.requisitioned + other.requisitioned,
            paid: self.paid + other.paid,
            repaid: self.repaid + other.repaid,
        }
    }
}

/// Checks a money event against the flows so far on its grant line: a requisition may not
/// exceed what is decided and not yet requisitioned, a payment what is requisitioned and not yet
/// paid, a repayment what is paid and not yet repaid.
///
/// # Errors
/// Names `amount_ore` with both figures.
pub fn check_flow(kind: EventKind, amount: Ore, so_far: &Flows) -> Result<(), DomainError> {
    let (room, what) = match kind {
        EventKind::Requisition => (
            so_far.decided - so_far.requisitioned,
            "decided and not yet requisitioned",
        ),
        EventKind::Payment => (
            so_far.requisitioned - so_far.paid,
            "requisitioned and not yet paid",
        ),
        EventKind::Repayment => (so_far.paid - so_far.repaid, "paid and not yet repaid"),
        EventKind::Report => return Ok(()),
    };
    if amount > room {
        return Err(DomainError::new(
            "amount_ore",
            format!("{} is more than the {} {what}", amount.kr(), room.kr()),
        ));
    }
    Ok(())
}

/// The decided amount of a grant line, if the target names one of these decisions.
pub fn decided(disbursements: &[Disbursement], target: &Target) -> Option<Ore> {
    let Target::Grant {
        disbursement,
        grant,
        initiative,
    } = target
    else {
        return None;
    };
    let grant = disbursements
        .iter()
        .find(|d| &d.id == disbursement)?
        .grants
        .get(grant - 1)?;
    match initiative {
        None if grant.lines.is_empty() => Some(grant.amount_ore),
        None => None,
        Some(code) => grant
            .lines
            .iter()
            .find(|l| &l.initiative == code)
            .map(|l| l.amount_ore),
    }
}

/// The flows on every grant line of the decisions, from the events.
pub fn flows(disbursements: &[Disbursement], events: &[RecordedEvent]) -> HashMap<Target, Flows> {
    let mut out: HashMap<Target, Flows> = HashMap::new();
    for d in disbursements {
        for (i, grant) in d.grants.iter().enumerate() {
            let targets: Vec<(Option<String>, Ore)> = if grant.lines.is_empty() {
                vec![(None, grant.amount_ore)]
            } else {
                grant
                    .lines
                    .iter()
                    .map(|l| (Some(l.initiative.clone()), l.amount_ore))
                    .collect()
            };
            for (initiative, amount) in targets {
                out.entry(Target::Grant {
                    disbursement: d.id.clone(),
                    grant: i + 1,
                    initiative,
                })
                .or_default()
                .decided = amount;
            }
        }
    }
    for event in events {
        if let Some(amount) = event.amount {
            out.entry(event.target.clone())
                .or_default()
                .add(event.kind, amount);
        }
    }
    out
}

/// One initiative's row on the agreement page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitiativeRow {
    /// Its code.
    pub code: String,
    /// Its area.
    pub area: String,
    /// Its title.
    pub title: String,
    /// Its amount in the agreement.
    pub allocated: Option<Ore>,
    /// The money across decisions.
    pub flows: Flows,
}

/// The agreement's initiatives with what was decided, requisitioned, paid and repaid of each,
/// and a row of totals.
pub fn initiative_rows(
    agreement: &Agreement,
    disbursements: &[Disbursement],
    events: &[RecordedEvent],
) -> (Vec<InitiativeRow>, Flows) {
    let flows = flows(disbursements, events);
    let mut total = Flows::default();
    let rows = agreement
        .initiatives
        .iter()
        .map(|initiative| {
            let sum = flows
                .iter()
                .filter(|(t, _)| matches!(t, Target::Grant { initiative: Some(c), .. } if *c == initiative.code))
                .fold(Flows::default(), |acc, (_, f)| acc.plus(*f));
            total = total.plus(sum);
            InitiativeRow {
                code: initiative.code.clone(),
                area: initiative.area.clone(),
                title: initiative.title.clone(),
                allocated: initiative.amount_ore,
                flows: sum,
            }
        })
        .collect();
    (rows, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGREEMENT: &str = include_str!("../../../../data/agreements/agreement-2011.json");
    const DISBURSEMENT: &str =
        include_str!("../../../../data/agreements/disbursement-2011-03-24.json");
    const DECISION: &str = "S2011/986/FST-2011-03-24";

    fn event(kind: &str, target: &str, amount: Option<i64>) -> RecordedEvent {
        NewGrantEvent::parse(
            "ebp-2011",
            kind,
            target,
            amount,
            "2011-04-01",
            None,
            "as decided",
        )
        .unwrap()
        .into()
    }

    #[test]
    fn targets_round_trip_and_bad_ones_are_named() {
        for raw in [
            "grant:S2011/986/FST-2011-03-24:1:3.1.1",
            "grant:S2011/986/FST-2011-03-24:2",
            "report:ebp-2011:1",
        ] {
            assert_eq!(Target::parse(raw).unwrap().to_string(), raw);
        }
        assert_eq!(Target::parse("grant:x:0").unwrap_err().field, "target");
        assert_eq!(Target::parse("payment:x:1").unwrap_err().field, "target");
    }

    #[test]
    fn events_need_a_reason_and_the_right_amount_and_target() {
        let parse = |kind, target, amount, reason| {
            NewGrantEvent::parse("a", kind, target, amount, "2011-04-01", None, reason)
        };
        assert_eq!(
            parse("payment", "grant:d:1:3.1.1", Some(5), " ")
                .unwrap_err()
                .field,
            "reason"
        );
        assert_eq!(
            parse("payment", "grant:d:1:3.1.1", None, "x")
                .unwrap_err()
                .field,
            "amount_ore"
        );
        assert_eq!(
            parse("payment", "grant:d:1:3.1.1", Some(0), "x")
                .unwrap_err()
                .field,
            "amount_ore"
        );
        assert_eq!(
            parse("report", "grant:d:1", None, "x").unwrap_err().field,
            "target"
        );
        assert_eq!(
            parse("report", "report:a:1", Some(1), "x")
                .unwrap_err()
                .field,
            "amount_ore"
        );
        assert_eq!(
            parse("payment", "report:a:1", Some(1), "x")
                .unwrap_err()
                .field,
            "target"
        );
        assert_eq!(
            parse("gift", "grant:d:1", Some(1), "x").unwrap_err().field,
            "kind"
        );
        let bad_date =
            NewGrantEvent::parse("a", "report", "report:a:1", None, "2011-13-01", None, "x");
        assert_eq!(bad_date.unwrap_err().field, "occurred_on");
    }

    #[test]
    fn flows_add_up_per_line_and_initiative_and_limits_hold() {
        let agreement = Agreement::parse("a", AGREEMENT).unwrap();
        let decisions = [Disbursement::parse("d", DISBURSEMENT).unwrap()];
        let line = format!("grant:{DECISION}:1:3.1.1");
        let events = [
            event("requisition", &line, Some(1_000_000_000)),
            event("payment", &line, Some(1_000_000_000)),
            event("repayment", &line, Some(1_000)),
            event(
                "requisition",
                &format!("grant:{DECISION}:2"),
                Some(7_500_000),
            ),
        ];
        let target = Target::parse(&line).unwrap();
        let so_far = flows(&decisions, &events)[&target];
        assert_eq!(
            so_far,
            Flows {
                decided: Ore(2_250_000_000),
                requisitioned: Ore(1_000_000_000),
                paid: Ore(1_000_000_000),
                repaid: Ore(1_000)
            }
        );
        // Room: 12 500 000 kr may still be requisitioned, nothing more may be paid.
        check_flow(EventKind::Requisition, Ore(1_250_000_000), &so_far).unwrap();
        let err = check_flow(EventKind::Requisition, Ore(1_250_000_001), &so_far).unwrap_err();
        assert_eq!(
            err.problem,
            "12 500 000,01 kr is more than the 12 500 000 kr decided and not yet requisitioned"
        );
        assert!(check_flow(EventKind::Payment, Ore(1), &so_far).is_err());
        assert_eq!(decided(&decisions, &target), Some(Ore(2_250_000_000)));
        assert_eq!(
            decided(&decisions, &Target::parse("grant:nope:1").unwrap()),
            None
        );

        let (rows, total) = initiative_rows(&agreement, &decisions, &events);
        let first = rows.iter().find(|r| r.code == "3.1.1").unwrap();
        assert_eq!(first.flows, so_far);
        // The decided total counts lines only (the seminar grant has none): 89 200 000 kr.
        assert_eq!(total.decided, Ore(8_920_000_000));
        assert_eq!(
            rows.iter().find(|r| r.code == "3.2.1").unwrap().flows,
            Flows::default()
        );
    }
}
