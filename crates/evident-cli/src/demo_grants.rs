//! The demo's agreements and grants: the 2011 agreement and the government's disbursement
//! decision of 2011-03-24 (as transcribed in `data/agreements/`), a plausible year of
//! requisitions, payments, a repayment and the report, a tapering plan for the regional support
//! structures and a performance-based grant on the demo's own indicator values.

use crate::Failure;
use evident_core::access::audit::Actor;
use evident_core::grants::Ore;
use evident_core::grants::document::{Agreement, Disbursement};
use evident_core::grants::ledger::NewGrantEvent;
use evident_core::grants::performance::{PerformanceGrant, Split, Target};
use evident_core::grants::tapering::{TaperingPlan, YearShare};
use evident_store::{PlanKind, Store};

const AGREEMENT: &str = include_str!("../../../data/agreements/agreement-2011.json");
const DISBURSEMENT: &str = include_str!("../../../data/agreements/disbursement-2011-03-24.json");

/// How much the demo puts in: documents, events and plans.
#[derive(Debug, Clone, Copy)]
pub struct GrantsSummary {
    /// Agreements imported.
    pub agreements: usize,
    /// Events recorded.
    pub events: usize,
}

/// Adds the demo's agreements, events and plans.
///
/// # Errors
/// A storage failure (the embedded documents are checked by the tests).
pub async fn fill(store: &dyn Store, actor: &Actor) -> Result<GrantsSummary, Failure> {
    let agreement = Agreement::parse("agreement-2011.json", AGREEMENT)
        .map_err(|e| Failure::Unexpected(anyhow::anyhow!("{e}")))?;
    let decision = Disbursement::parse("disbursement-2011-03-24.json", DISBURSEMENT)
        .map_err(|e| Failure::Unexpected(anyhow::anyhow!("{e}")))?;
    store
        .import_agreement(&agreement, "the agreement of 27 January 2011 (demo)", actor)
        .await?;
    store
        .import_disbursement(
            &decision,
            "disbursement-2011-03-24.json",
            "the government's decision of 24 March 2011 (demo)",
            actor,
        )
        .await?;
    let mut events = Vec::new();
    let lines: Vec<(String, Ore)> = decision.grants[0]
        .lines
        .iter()
        .map(|l| {
            (
                format!("grant:{}:1:{}", decision.id, l.initiative),
                l.amount_ore,
            )
        })
        .collect();
    // First half requisitioned in April and paid two weeks later; the rest in September,
    // except "Leda för resultat" (3.3.1), whose second half is requisitioned but not yet paid.
    for (target, amount) in &lines {
        let half = Ore(amount.0 / 2);
        events.push((
            "requisition",
            target.clone(),
            Some(half),
            "2011-04-15",
            "Rekvisition 1",
            "first half, as the decision allows",
        ));
        events.push((
            "payment",
            target.clone(),
            Some(half),
            "2011-04-29",
            "Utbetalning 1",
            "requisition 1 checked against the decision",
        ));
        let rest = *amount - half;
        events.push((
            "requisition",
            target.clone(),
            Some(rest),
            "2011-09-15",
            "Rekvisition 2",
            "the rest for the autumn's work",
        ));
        if !target.ends_with(":3.3.1") {
            events.push((
                "payment",
                target.clone(),
                Some(rest),
                "2011-09-30",
                "Utbetalning 2",
                "requisition 2 checked against the decision",
            ));
        }
    }
    // Regional eHälsa leaders (3.1.5) left 1 200 000 kr unspent and repaid it.
    events.push((
        "repayment",
        format!("grant:{}:1:3.1.5", decision.id),
        Some(Ore::kronor(1_200_000)),
        "2012-06-20",
        "Återbetalning",
        "unspent: two posts filled late",
    ));
    let seminar = format!("grant:{}:2", decision.id);
    events.push((
        "requisition",
        seminar.clone(),
        Some(decision.grants[1].amount_ore),
        "2011-04-20",
        "Rekvisition seminarium",
        "the seminar's costs",
    ));
    events.push((
        "payment",
        seminar,
        Some(decision.grants[1].amount_ore),
        "2011-05-02",
        "Utbetalning seminarium",
        "requisition checked",
    ));
    events.push((
        "report",
        format!("report:{}:1", decision.id),
        None,
        "2011-11-28",
        "Redovisning 2011 av arbetet och medlen",
        "submitted to the ministry before the deadline",
    ));
    for (kind, target, amount, on, note, reason) in &events {
        let event = NewGrantEvent::parse(
            &agreement.id,
            kind,
            target,
            amount.map(|a| a.0),
            on,
            Some(note),
            reason,
        )
        .map_err(|e| Failure::Unexpected(anyhow::anyhow!("demo event {target}: {e}")))?;
        store.record_grant_event(&event, actor).await?;
    }

    let tapering = TaperingPlan {
        id: "regionala-stodstrukturer".into(),
        title: "Regionala stödstrukturer: huvudmännens andel 2014–2016".into(),
        annual_ore: Ore::kronor(22_500_000),
        shares: vec![
            YearShare {
                year: 2014,
                principal_percent: 25,
            },
            YearShare {
                year: 2015,
                principal_percent: 50,
            },
            YearShare {
                year: 2016,
                principal_percent: 100,
            },
        ],
    };
    let performance = PerformanceGrant {
        id: "uppfoljning-2025".into(),
        title: "Prestationsbaserat statsbidrag: uppföljning i tid 2025".into(),
        pool: Ore::kronor(10_000_000),
        indicator: "EVI002".into(),
        higher_is_better: true,
        baseline_period: "2024".into(),
        period: "2025".into(),
        target: Target::Relative { improvement: 0.02 },
        split: Split::ByPopulation,
    };
    let tapering_json =
        serde_json::to_value(&tapering).map_err(|e| Failure::Unexpected(e.into()))?;
    let performance_json =
        serde_json::to_value(&performance).map_err(|e| Failure::Unexpected(e.into()))?;
    store
        .save_grant_plan(
            PlanKind::Tapering,
            &tapering.id,
            &tapering_json,
            "the tapering agreed for 2014–2016 (demo)",
            actor,
        )
        .await?;
    store
        .save_grant_plan(
            PlanKind::Performance,
            &performance.id,
            &performance_json,
            "decided for 2025 (demo)",
            actor,
        )
        .await?;
    Ok(GrantsSummary {
        agreements: 1,
        events: events.len(),
    })
}
