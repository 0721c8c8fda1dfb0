//! Numbers as people read them, and the ranked table and the profile as download sheets.

use super::*;
use crate::render::{Cell, Sheet};
use evident_core::indicator::publish::format_value;
use evident_core::indicator::{Published, ValueUnit};
use evident_core::stats::comparison::Tertile;

/// A value as a number in the unit people read (per cent as 0–100, percentage points as
/// points), for downloads.
pub fn display_number(unit: ValueUnit, value: f64) -> f64 {
    match unit {
        ValueUnit::Percent | ValueUnit::PercentagePoints => value * 100.0,
        ValueUnit::Days | ValueUnit::EffectSize => value,
    }
}

/// A change formatted for people: percentage points for shares, the unit otherwise.
pub fn format_change(unit: ValueUnit, change: f64, lang: &str) -> String {
    let unit = match unit {
        ValueUnit::Percent => ValueUnit::PercentagePoints,
        other => other,
    };
    let text = format_value(unit, change, lang);
    if change > 0.0 && !text.starts_with('+') {
        format!("+{text}")
    } else {
        text
    }
}

pub(super) fn number_or_empty(value: Option<f64>) -> Cell {
    value.map_or(Cell::Empty, Cell::Number)
}

pub(super) fn tertile_word(tertile: Option<Tertile>) -> Cell {
    Cell::Text(
        match tertile {
            Some(Tertile::Best) => "best",
            Some(Tertile::Middle) => "middle",
            Some(Tertile::Worst) => "worst",
            None => "",
        }
        .to_owned(),
    )
}

/// Whether a period's values are preliminary, as a download cell (`true`/`false`, as in the
/// API).
fn preliminary_cell(period: Period, as_of: chrono::NaiveDate) -> Cell {
    Cell::Text(period.status_on(as_of).is_preliminary().to_string())
}

/// The ranked table as a sheet, rows in the order shown; values in the unit shown. Every row
/// says whether the period is preliminary.
pub fn table_sheet(table: &RankedTable) -> Sheet {
    let unit = table.selection.definition.unit;
    let text = |s: &str| Cell::Text(s.to_owned());
    let preliminary = preliminary_cell(table.selection.period, table.selection.as_of);
    let mut rows = vec![
        [
            "rank",
            "code",
            "name",
            "value",
            "ci_low",
            "ci_high",
            "n",
            "change",
            "colour",
            "funnel",
            "status",
            "preliminary",
        ]
        .map(text)
        .to_vec(),
    ];
    for entry in &table.entries {
        let (value, ci, n) = match &entry.current {
            Published::Value { value, ci, n, .. } => (Some(*value), *ci, Some(*n)),
            _ => (None, None, None),
        };
        rows.push(vec![
            number_or_empty(entry.rank.map(|r| r as f64)),
            text(entry.code.as_str()),
            text(&entry.name),
            number_or_empty(value.map(|v| display_number(unit, v))),
            number_or_empty(ci.map(|c| display_number(unit, c.0))),
            number_or_empty(ci.map(|c| display_number(unit, c.1))),
            number_or_empty(n.map(|n| n as f64)),
            number_or_empty(entry.change.map(|c| display_number(unit, c))),
            tertile_word(entry.tertile),
            text(entry.signal.map_or("", |s| s.as_str())),
            text(entry.current.status()),
            preliminary.clone(),
        ]);
    }
    Sheet {
        name: format!(
            "{} {} {}",
            table.selection.definition.id, table.scope.code, table.selection.period
        ),
        rows,
    }
}

/// The profile as a sheet, one row per indicator, each saying whether the period is
/// preliminary.
pub fn profile_sheet(profile: &Profile, lang: &str) -> Sheet {
    let text = |s: &str| Cell::Text(s.to_owned());
    let preliminary = preliminary_cell(profile.period, profile.as_of);
    let mut rows = vec![
        [
            "indicator",
            "title",
            "unit",
            "value",
            "n",
            "change",
            "colour",
            "rank",
            "of",
            "county",
            "nation",
            "similar",
            "similar_n",
            "group",
            "group_n",
            "status",
            "preliminary",
        ]
        .map(text)
        .to_vec(),
    ];
    for row in &profile.rows {
        let unit = row.definition.unit;
        let shown = |p: &Published| number_or_empty(p.value().map(|v| display_number(unit, v)));
        rows.push(vec![
            text(&row.definition.id),
            text(row.definition.title.get(lang)),
            text(unit.as_str()),
            shown(&row.own),
            number_or_empty(row.own.n().map(|n| n as f64)),
            number_or_empty(row.change.map(|c| display_number(unit, c))),
            tertile_word(row.tertile),
            number_or_empty(row.rank.map(|r| r.0 as f64)),
            number_or_empty(row.rank.map(|r| r.1 as f64)),
            shown(&row.county),
            shown(&row.nation),
            number_or_empty(row.similar.map(|s| display_number(unit, s.0))),
            number_or_empty(row.similar.map(|s| s.1 as f64)),
            number_or_empty(row.group.map(|g| display_number(unit, g.0))),
            number_or_empty(row.group.map(|g| g.1 as f64)),
            text(row.own.status()),
            preliminary.clone(),
        ]);
    }
    Sheet {
        name: format!("{} {}", profile.municipality.code, profile.period),
        rows,
    }
}
