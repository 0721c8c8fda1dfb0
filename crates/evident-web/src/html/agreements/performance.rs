//! A performance grant's allocation with its arithmetic: the rule term by term, then each
//! municipality's values, whether it qualified and why, and how its share of the pool comes out
//! to the öre; and its download.

use super::{DownloadParams, header, kr_cell, text_cell};
use crate::auth::SignedIn;
use crate::href::percent_encode;
use crate::html::{Chrome, render};
use crate::i18n::Texts;
use crate::render::{Cell, Sheet};
use crate::service::grants::{self, PerformanceView};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use evident_core::grants::Ore;
use evident_core::grants::money::group_thousands;
use evident_core::grants::performance::{Allocation, PerformanceGrant, Split, Target};
use evident_core::indicator::Definition;
use evident_core::indicator::publish::format_value;

/// One recipient, in words, with the arithmetic of its share.
#[derive(Debug, Clone)]
pub struct AllocationLine {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its population.
    pub population: String,
    /// The baseline value.
    pub baseline: String,
    /// The current value.
    pub current: String,
    /// The threshold.
    pub threshold: String,
    /// Whether it qualified.
    pub qualified: bool,
    /// Why, in words.
    pub reason: String,
    /// Its weight.
    pub weight: String,
    /// Its share: weight / total weight, and in per cent (empty when it gets nothing).
    pub share: String,
    /// Pool × share before rounding (empty when it gets nothing).
    pub exact: String,
    /// The öre added by the largest remainder rule, or empty.
    pub extra: String,
    /// Its amount.
    pub amount: String,
}

impl AllocationLine {
    /// One recipient of `grant` in words; `show` writes a value of the grant's indicator.
    fn new(
        t: &Texts,
        grant: &PerformanceGrant,
        a: &Allocation,
        total_weight: u64,
        show: &dyn Fn(Option<f64>) -> String,
        lang: &str,
    ) -> Self {
        let (share, exact, extra) = match arithmetic(grant.pool, a.weight, total_weight) {
            Some(m) => {
                let percent = plain_number(a.weight as f64 / total_weight as f64 * 100.0, lang);
                let floor = Ore(i64::try_from(m.floor).expect("at most the pool"));
                let exact = if m.remainder == 0 {
                    floor.kr()
                } else {
                    format!(
                        "{} + {}/{} öre",
                        floor.kr(),
                        group_thousands(m.remainder.unsigned_abs()),
                        group_thousands(m.total_weight.unsigned_abs())
                    )
                };
                let added = i128::from(a.amount.0) - m.floor;
                (
                    format!(
                        "{} / {} = {percent} %",
                        group_thousands(a.weight),
                        group_thousands(total_weight)
                    ),
                    exact,
                    if added == 0 {
                        String::new()
                    } else {
                        format!("+{added} öre")
                    },
                )
            }
            None => (String::new(), String::new(), String::new()),
        };
        Self {
            code: a.code.clone(),
            name: a.name.clone(),
            population: group_thousands(a.population),
            baseline: show(a.baseline),
            current: show(a.current),
            threshold: a.threshold.map_or_else(String::new, |v| show(Some(v))),
            qualified: a.qualified,
            reason: reason_text(t, grant, a, show),
            weight: group_thousands(a.weight),
            share,
            exact,
            extra,
            amount: a.amount.kr(),
        }
    }
}

/// The arithmetic of one recipient's share, exactly: floor öre, remainder, total weight.
struct ShareArithmetic {
    floor: i128,
    remainder: i128,
    total_weight: i128,
}

fn arithmetic(pool: Ore, weight: u64, total_weight: u64) -> Option<ShareArithmetic> {
    if weight == 0 || total_weight == 0 {
        return None;
    }
    let numerator = i128::from(pool.0) * i128::from(weight);
    let total_weight = i128::from(total_weight);
    Some(ShareArithmetic {
        floor: numerator.div_euclid(total_weight),
        remainder: numerator.rem_euclid(total_weight),
        total_weight,
    })
}

/// A plain number in the reader's language, up to four decimals.
fn plain_number(value: f64, lang: &str) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let text = if lang == "en" {
        text.to_owned()
    } else {
        text.replace('.', ",")
    };
    text.replace('-', "−")
}

/// A performance grant's page.
#[derive(Template)]
#[template(path = "agreements/performance.html")]
pub struct PerformancePage {
    /// The frame.
    pub chrome: Chrome,
    /// The grant's id.
    pub id: String,
    /// The id, encoded for a URL.
    pub href_id: String,
    /// Its title.
    pub title: String,
    /// The rule, term by term: label and words.
    pub rule: Vec<(&'static str, String)>,
    /// The indicator's id, for the link.
    pub indicator: String,
    /// The recipients.
    pub rows: Vec<AllocationLine>,
    /// The total weight of those who qualify.
    pub total_weight: String,
    /// How many qualify.
    pub qualified: usize,
    /// The sum of the floors.
    pub floors: String,
    /// The öre left after the floors, handed out one each.
    pub leftover: String,
    /// What is paid in all.
    pub paid: String,
    /// The pool.
    pub pool: String,
    /// Whether the amounts add up to the pool.
    pub adds_up: bool,
}

impl PerformancePage {
    /// The grant in `view` with its rule and every recipient's arithmetic, in words.
    pub fn new(chrome: Chrome, view: &PerformanceView) -> Self {
        let t = chrome.t;
        let lang = chrome.lang.code();
        let grant = &view.grant;
        let definition = indicator_definition(&grant.indicator);
        let show = |v: Option<f64>| show_value(definition, v, t, lang);
        let total_weight: u64 = view.allocations.iter().map(|a| a.weight).sum();
        let floors: i128 = view
            .allocations
            .iter()
            .filter_map(|a| arithmetic(grant.pool, a.weight, total_weight))
            .map(|m| m.floor)
            .sum();
        let floors = Ore(i64::try_from(floors).expect("at most the pool"));
        let paid: Ore = view.allocations.iter().map(|a| a.amount).sum();
        Self {
            id: grant.id.clone(),
            href_id: percent_encode(&grant.id),
            title: grant.title.clone(),
            rule: rule_words(t, grant, definition, lang),
            indicator: grant.indicator.clone(),
            rows: view
                .allocations
                .iter()
                .map(|a| AllocationLine::new(t, grant, a, total_weight, &show, lang))
                .collect(),
            total_weight: group_thousands(total_weight),
            qualified: view.allocations.iter().filter(|a| a.qualified).count(),
            leftover: if total_weight == 0 {
                Ore::ZERO.kr()
            } else {
                format!("{} öre", (grant.pool - floors).0)
            },
            floors: floors.kr(),
            paid: paid.kr(),
            pool: grant.pool.kr(),
            adds_up: paid == grant.pool,
            chrome,
        }
    }
}

fn indicator_definition(id: &str) -> Option<&'static Definition> {
    evident_store::indicators::indicator_set().get(id)
}

fn show_value(
    definition: Option<&Definition>,
    value: Option<f64>,
    t: &Texts,
    lang: &str,
) -> String {
    match (definition, value.filter(|v| v.is_finite())) {
        (Some(d), Some(v)) => format_value(d.unit, v, lang),
        (None, Some(v)) => plain_number(v, lang),
        (_, None) => t.comparisons.no_data.to_owned(),
    }
}

/// Why a recipient qualified or not, in the reader's language (the decision itself is core's).
fn reason_text(
    t: &Texts,
    grant: &PerformanceGrant,
    a: &Allocation,
    show: &dyn Fn(Option<f64>) -> String,
) -> String {
    let relative = matches!(grant.target, Target::Relative { .. });
    let mut missing = Vec::new();
    if relative && !a.baseline.is_some_and(f64::is_finite) {
        missing.push(format!(
            "{} ({})",
            t.agreements.baseline_period, grant.baseline_period
        ));
    }
    if !a.current.is_some_and(f64::is_finite) {
        missing.push(format!("{} ({})", t.agreements.judged_period, grant.period));
    }
    if !missing.is_empty() {
        return format!(
            "{} {}",
            t.agreements.no_published_value,
            missing.join(" / ")
        );
    }
    let verb = if a.qualified {
        t.agreements.reaches
    } else {
        t.agreements.does_not_reach
    };
    format!("{} {verb} {}", show(a.current), show(a.threshold))
}

fn rule_words(
    t: &Texts,
    grant: &PerformanceGrant,
    definition: Option<&Definition>,
    lang: &str,
) -> Vec<(&'static str, String)> {
    let level = |v: f64| show_value(definition, Some(v), t, lang);
    let indicator = match definition {
        Some(d) => format!("{} {}", d.id, d.title.get(lang)),
        None => grant.indicator.clone(),
    };
    let target = match grant.target {
        Target::Absolute { level: l } if grant.higher_is_better => {
            format!("{} {}", t.agreements.target_at_least, level(l))
        }
        Target::Absolute { level: l } => format!("{} {}", t.agreements.target_at_most, level(l)),
        Target::Relative { improvement } => format!(
            "{} {} % {}",
            t.agreements.target_relative_a,
            plain_number(improvement * 100.0, lang),
            t.agreements.target_relative_b
        ),
    };
    vec![
        (t.comparisons.indicator, indicator),
        (
            t.agreements.direction,
            if grant.higher_is_better {
                t.comparisons.better_higher
            } else {
                t.comparisons.better_lower
            }
            .to_owned(),
        ),
        (t.agreements.baseline_period, grant.baseline_period.clone()),
        (t.agreements.judged_period, grant.period.clone()),
        (t.agreements.target_rule, target),
        (
            t.agreements.split,
            match grant.split {
                Split::ByPopulation => t.agreements.split_population,
                Split::Equally => t.agreements.split_equally,
            }
            .to_owned(),
        ),
        (t.agreements.pool, grant.pool.kr()),
        (t.agreements.rounding, t.agreements.rounding_rule.to_owned()),
    ]
}

pub(super) async fn show_performance(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let view = grants::performance_view(&state, &user, &id).await?;
    Ok(render(&PerformancePage::new(chrome, &view))?.into_response())
}

pub(super) async fn download_performance(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(params): Query<DownloadParams>,
) -> Result<Response, AppError> {
    let format = params.format()?;
    let view = grants::performance_view(&state, &user, &id).await?;
    let grant = &view.grant;
    let total_weight: u64 = view.allocations.iter().map(|a| a.weight).sum();
    let number = |v: Option<f64>| {
        v.filter(|v| v.is_finite())
            .map_or(Cell::Empty, Cell::Number)
    };
    let mut rows = vec![header(&[
        "code",
        "name",
        "population",
        "baseline",
        "current",
        "threshold",
        "qualified",
        "weight",
        "share",
        "pool_times_share_ore",
        "amount_kr",
        "reason",
    ])];
    for a in &view.allocations {
        let math = arithmetic(grant.pool, a.weight, total_weight);
        rows.push(vec![
            text_cell(&a.code),
            text_cell(&a.name),
            Cell::Number(a.population as f64),
            number(a.baseline),
            number(a.current),
            number(a.threshold),
            text_cell(if a.qualified { "yes" } else { "no" }),
            Cell::Number(a.weight as f64),
            math.as_ref().map_or(Cell::Empty, |_| {
                Cell::Number(a.weight as f64 / total_weight as f64)
            }),
            math.as_ref().map_or(Cell::Empty, |m| {
                Cell::Number(m.floor as f64 + m.remainder as f64 / m.total_weight as f64)
            }),
            kr_cell(a.amount),
            text_cell(&a.reason),
        ]);
    }
    let paid: Ore = view.allocations.iter().map(|a| a.amount).sum();
    rows.push(vec![
        text_cell("total"),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Number(total_weight as f64),
        Cell::Empty,
        Cell::Empty,
        kr_cell(paid),
        text_cell(&format!("pool {}", grant.pool.kr())),
    ]);
    Ok(crate::render::download(
        Sheet {
            name: grant.id.clone(),
            rows,
        },
        format,
        &format!("performance-{}-{}", grant.id, grant.period),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arithmetic_of_a_share_is_exact() {
        let m = arithmetic(Ore(100), 1, 3).unwrap();
        assert_eq!((m.floor, m.remainder, m.total_weight), (33, 1, 3));
        assert!(arithmetic(Ore(100), 0, 3).is_none());
    }
}
