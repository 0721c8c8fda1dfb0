//! One agreement: its findings, money per initiative, decisions, deadlines and history (with
//! the event form for grant_admin); its initiative table as CSV or Excel; and the agreement
//! itself as interchange JSON.

use super::form::{EventForm, EventFormView, target_choices};
use super::{DeadlineLine, DownloadParams, event_kind_label, header, kr_cell, text_cell};
use crate::auth::SignedIn;
use crate::href::percent_encode;
use crate::html::{Chrome, render};
use crate::i18n::Texts;
use crate::render::{Cell, Sheet};
use crate::service::grants::{self, AgreementView};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use evident_core::access::may_manage_agreements;
use evident_core::grants::Ore;
use evident_core::grants::check::Finding;
use evident_core::grants::ledger::Flows;
use std::collections::HashMap;

/// `part` as a share of `whole` in per cent with one decimal, rounded half up in integers;
/// "–" when `whole` is nothing.
fn share(part: Ore, whole: Ore, lang: &str) -> String {
    if whole.0 <= 0 {
        return "–".to_owned();
    }
    let (part, whole) = (i128::from(part.0), i128::from(whole.0));
    let tenths = (part * 1000 + whole / 2).div_euclid(whole);
    let sep = if lang == "en" { '.' } else { ',' };
    format!("{}{sep}{} %", tenths.div_euclid(10), tenths.rem_euclid(10))
}

/// A share as a spreadsheet number (per cent), empty when nothing is decided.
fn share_cell(part: Ore, whole: Ore) -> Cell {
    if whole.0 <= 0 {
        Cell::Empty
    } else {
        Cell::Number(part.0 as f64 / whole.0 as f64 * 100.0)
    }
}

/// A finding in the reader's language, with both figures.
fn finding_text(t: &Texts, finding: &Finding) -> String {
    let (stated, sum) = finding.figures();
    let what = match finding {
        Finding::TotalVsInitiatives { .. } => t.agreements.finding_total_vs_initiatives.to_owned(),
        Finding::AreaSubtotal { area, .. } => {
            format!(
                "{} {area}: {}",
                t.agreements.area, t.agreements.finding_area_subtotal
            )
        }
        Finding::Breakdown { initiative, .. } => {
            format!(
                "{} {initiative}: {}",
                t.agreements.initiative, t.agreements.finding_breakdown
            )
        }
        Finding::FundingVsTotal { .. } => t.agreements.finding_funding_vs_total.to_owned(),
        Finding::GrantLines { grant, .. } => {
            format!(
                "{} {grant}: {}",
                t.agreements.grant, t.agreements.finding_grant_lines
            )
        }
        Finding::GrantFunding { grant, .. } => {
            format!(
                "{} {grant}: {}",
                t.agreements.grant, t.agreements.finding_grant_funding
            )
        }
    };
    format!(
        "{what} — {} {}, {} {} ({} {})",
        t.agreements.stated,
        stated.kr(),
        t.agreements.parts_sum,
        sum.kr(),
        t.agreements.difference,
        (sum - stated).kr()
    )
}

/// One row of the initiative table, in words.
#[derive(Debug, Clone)]
pub struct MoneyRow {
    /// The initiative's code (empty for the totals).
    pub code: String,
    /// Its title.
    pub title: String,
    /// Its amount in the agreement, or "–".
    pub allocated: String,
    /// Decided.
    pub decided: String,
    /// Requisitioned.
    pub requisitioned: String,
    /// Paid.
    pub paid: String,
    /// Repaid.
    pub repaid: String,
    /// Requisitioned of decided.
    pub requisitioned_share: String,
    /// Paid of decided.
    pub paid_share: String,
}

impl MoneyRow {
    fn new(code: &str, title: &str, allocated: Option<Ore>, flows: &Flows, lang: &str) -> Self {
        Self {
            code: code.to_owned(),
            title: title.to_owned(),
            allocated: allocated.map_or_else(|| "–".to_owned(), Ore::kr),
            decided: flows.decided.kr(),
            requisitioned: flows.requisitioned.kr(),
            paid: flows.paid.kr(),
            repaid: flows.repaid.kr(),
            requisitioned_share: share(flows.requisitioned, flows.decided, lang),
            paid_share: share(flows.paid, flows.decided, lang),
        }
    }
}

/// An area with its initiatives.
#[derive(Debug, Clone)]
pub struct AreaBlock {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its initiatives.
    pub rows: Vec<MoneyRow>,
}

/// A grant of a decision, in words.
#[derive(Debug, Clone)]
pub struct GrantBlock {
    /// Its number, from 1.
    pub number: usize,
    /// What for.
    pub purpose: String,
    /// How much.
    pub amount: String,
    /// Its lines: initiative, title, amount.
    pub lines: Vec<(String, String, String)>,
    /// Its appropriations: appropriation and item, label, amount.
    pub funding: Vec<(String, String, String)>,
    /// Unspent money is repaid by, or empty.
    pub repay_by: String,
    /// The money is used by, or empty.
    pub use_by: String,
    /// Where repayments go.
    pub repay_to: String,
}

/// A disbursement decision, in words.
#[derive(Debug, Clone)]
pub struct DecisionBlock {
    /// Its id.
    pub id: String,
    /// Its reference.
    pub decision_ref: String,
    /// When.
    pub decided_on: String,
    /// Who decided.
    pub decided_by: String,
    /// Who pays.
    pub payer: String,
    /// Who receives.
    pub payee: String,
    /// Whether paid on requisition, in words.
    pub on_requisition: &'static str,
    /// Its grants.
    pub grants: Vec<GrantBlock>,
}

/// A recorded event, in words.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// When it happened.
    pub occurred_on: String,
    /// What kind.
    pub kind: &'static str,
    /// What it concerns, readably.
    pub target: String,
    /// The stored target.
    pub target_code: String,
    /// How much, or empty.
    pub amount: String,
    /// The note.
    pub note: String,
    /// Why.
    pub reason: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: String,
}

/// The agreement page.
#[derive(Template)]
#[template(path = "agreements/agreement.html")]
pub struct AgreementPage {
    /// The frame.
    pub chrome: Chrome,
    /// The id.
    pub id: String,
    /// The id, encoded for a URL.
    pub href_id: String,
    /// The title.
    pub title: String,
    /// The year.
    pub year: i32,
    /// The parties.
    pub parties: Vec<String>,
    /// The government's decision references.
    pub decision_refs: String,
    /// When it was signed.
    pub signed_on: String,
    /// The stated total in kronor and in millions.
    pub total: (String, String),
    /// The findings, in words: source and message.
    pub findings: Vec<(String, String)>,
    /// The areas with their initiatives.
    pub areas: Vec<AreaBlock>,
    /// The totals row.
    pub totals: MoneyRow,
    /// The decisions.
    pub decisions: Vec<DecisionBlock>,
    /// The deadlines.
    pub deadlines: Vec<DeadlineLine>,
    /// The history, oldest first.
    pub history: Vec<HistoryLine>,
    /// The event form, for grant_admin.
    pub form: Option<EventFormView>,
}

impl AgreementPage {
    /// The agreement in `view` in the reader's words, with `form` for those who may record
    /// events.
    pub fn new(
        chrome: Chrome,
        view: &AgreementView,
        form: Option<EventFormView>,
        today: NaiveDate,
    ) -> Self {
        let t = chrome.t;
        let lang = chrome.lang.code();
        let agreement = &view.agreement;
        let areas = agreement
            .areas
            .iter()
            .map(|area| AreaBlock {
                code: area.code.clone(),
                name: area.name.clone(),
                rows: view
                    .rows
                    .iter()
                    .filter(|r| r.area == area.code)
                    .map(|r| MoneyRow::new(&r.code, &r.title, r.allocated, &r.flows, lang))
                    .collect(),
            })
            .collect();
        let allocated: Ore = view.rows.iter().filter_map(|r| r.allocated).sum();
        let totals = MoneyRow::new("", t.agreements.total, Some(allocated), &view.total, lang);
        let decisions = view
            .decisions
            .iter()
            .map(|d| DecisionBlock {
                id: d.id.clone(),
                decision_ref: d.decision_ref.clone(),
                decided_on: d.decided_on.to_string(),
                decided_by: d.decided_by.clone(),
                payer: d.payer.clone(),
                payee: d.payee.clone(),
                on_requisition: if d.paid_on_requisition {
                    t.agreements.yes
                } else {
                    t.agreements.no
                },
                grants: d
                    .grants
                    .iter()
                    .enumerate()
                    .map(|(i, g)| GrantBlock {
                        number: i + 1,
                        purpose: g.purpose.clone(),
                        amount: g.amount_ore.kr(),
                        lines: g
                            .lines
                            .iter()
                            .map(|l| (l.initiative.clone(), l.title.clone(), l.amount_ore.kr()))
                            .collect(),
                        funding: g
                            .funding
                            .iter()
                            .map(|f| {
                                (
                                    format!("{} ap. {}", f.appropriation, f.item),
                                    f.label.clone(),
                                    f.amount_ore.kr(),
                                )
                            })
                            .collect(),
                        repay_by: g
                            .repay_unspent_by
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        use_by: g.use_by.map(|d| d.to_string()).unwrap_or_default(),
                        repay_to: g.repay_to.clone(),
                    })
                    .collect(),
            })
            .collect();
        let titles = HashMap::from([(agreement.id.clone(), agreement.title.clone())]);
        let (grant_targets, report_targets) = target_choices(view);
        let labels: HashMap<String, String> = grant_targets
            .into_iter()
            .chain(report_targets)
            .map(|c| (c.value, c.label))
            .collect();
        let history = view
            .history
            .iter()
            .map(|e| {
                let code = e.event.target.to_string();
                HistoryLine {
                    occurred_on: e.event.occurred_on.to_string(),
                    kind: event_kind_label(t, e.event.kind),
                    target: labels.get(&code).cloned().unwrap_or_else(|| code.clone()),
                    target_code: code,
                    amount: e.event.amount.map(Ore::kr).unwrap_or_default(),
                    note: e.event.note.clone().unwrap_or_default(),
                    reason: e.event.reason.clone(),
                    recorded_by: e.recorded_by.clone(),
                    recorded_at: e.recorded_at.clone(),
                }
            })
            .collect();
        Self {
            id: agreement.id.clone(),
            href_id: percent_encode(&agreement.id),
            title: agreement.title.clone(),
            year: agreement.year,
            parties: agreement.parties.clone(),
            decision_refs: agreement.decision_refs.join(", "),
            signed_on: agreement.signed_on.to_string(),
            total: (agreement.total_ore.kr(), agreement.total_ore.mnkr()),
            findings: view
                .findings
                .iter()
                .map(|(source, f)| (source.clone(), finding_text(t, f)))
                .collect(),
            areas,
            totals,
            decisions,
            deadlines: view
                .deadlines
                .iter()
                .map(|d| DeadlineLine::new(t, d, today, &titles))
                .collect(),
            history,
            form,
            chrome,
        }
    }
}

pub(super) async fn show_agreement(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let view = grants::agreement_view(&state, &user, &id).await?;
    let today = state.clock.today();
    // Only decides whether the form is shown, so a denial is not audited; the post itself is
    // authorised (and a denial audited) by `grants::record_event`.
    let form = may_manage_agreements(&user.user.grants)
        .then(|| EventFormView::new(chrome.t, &view, &EventForm::default(), None, today));
    Ok(render(&AgreementPage::new(chrome, &view, form, today))?.into_response())
}

/// The initiative table as a sheet, rows as shown.
fn agreement_sheet(view: &AgreementView) -> Sheet {
    let mut rows = vec![header(&[
        "area",
        "code",
        "title",
        "allocated_kr",
        "decided_kr",
        "requisitioned_kr",
        "paid_kr",
        "repaid_kr",
        "requisitioned_of_decided_percent",
        "paid_of_decided_percent",
    ])];
    let line = |area: &str, code: &str, title: &str, allocated: Option<Ore>, f: &Flows| {
        vec![
            text_cell(area),
            text_cell(code),
            text_cell(title),
            allocated.map_or(Cell::Empty, kr_cell),
            kr_cell(f.decided),
            kr_cell(f.requisitioned),
            kr_cell(f.paid),
            kr_cell(f.repaid),
            share_cell(f.requisitioned, f.decided),
            share_cell(f.paid, f.decided),
        ]
    };
    for area in &view.agreement.areas {
        for r in view.rows.iter().filter(|r| r.area == area.code) {
            rows.push(line(&area.code, &r.code, &r.title, r.allocated, &r.flows));
        }
    }
    let allocated: Ore = view.rows.iter().filter_map(|r| r.allocated).sum();
    rows.push(line("", "", "total", Some(allocated), &view.total));
    Sheet {
        name: view.agreement.id.clone(),
        rows,
    }
}

pub(super) async fn download_agreement(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(params): Query<DownloadParams>,
) -> Result<Response, AppError> {
    let format = params.format()?;
    let view = grants::agreement_view(&state, &user, &id).await?;
    Ok(crate::render::download(
        agreement_sheet(&view),
        format,
        &format!("{id}-initiatives"),
    ))
}

/// A file name made of the characters every system accepts.
fn safe_stem(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub(super) async fn agreement_document(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let agreement = grants::agreement(&state, &user, &id).await?;
    let json = serde_json::to_string_pretty(&agreement.to_json())
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (CONTENT_TYPE, "application/json; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.json\"", safe_stem(&agreement.id)),
            ),
        ],
        json,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_up_and_say_dash_for_nothing_decided() {
        assert_eq!(share(Ore(1), Ore(3), "sv"), "33,3 %");
        assert_eq!(share(Ore(2), Ore(3), "en"), "66.7 %");
        assert_eq!(share(Ore(1), Ore(0), "sv"), "–");
        assert_eq!(share(Ore(1), Ore(8), "sv"), "12,5 %");
    }
}
