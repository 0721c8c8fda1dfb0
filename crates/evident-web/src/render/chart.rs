//! Server-rendered SVG line charts of a client's scores over time, with the instrument's
//! range as the y axis and its clinical cut-off drawn in. Plain SVG with presentation
//! attributes, so it works under the strict Content-Security-Policy (no script, no inline
//! style) and prints well.

use super::svg::escape;
use chrono::NaiveDate;
use std::fmt::Write as _;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;

/// What to draw.
#[derive(Debug, Clone)]
pub struct ScoreChart<'a> {
    /// A prefix for element ids, unique on the page (several charts share one page).
    pub id: &'a str,
    /// An accessible title (read by screen readers).
    pub title: &'a str,
    /// Dated scores, oldest first.
    pub points: &'a [(NaiveDate, f64)],
    /// The y axis: the instrument's lowest and highest score.
    pub range: (f64, f64),
    /// The cut-off line, if any, with its label.
    pub cutoff: Option<(f64, &'a str)>,
}

impl ScoreChart<'_> {
    /// The x coordinate of `day` between the first and last date (the middle when there is
    /// only one).
    fn x(&self, day: NaiveDate) -> f64 {
        let (first, last) = (self.points[0].0, self.points[self.points.len() - 1].0);
        let span = (last - first).num_days() as f64;
        let plot = WIDTH - LEFT - RIGHT;
        if span <= 0.0 {
            LEFT + plot / 2.0
        } else {
            LEFT + plot * (day - first).num_days() as f64 / span
        }
    }

    /// The y coordinate of `score` (higher scores higher up).
    fn y(&self, score: f64) -> f64 {
        let (lo, hi) = self.range;
        let plot = HEIGHT - TOP - BOTTOM;
        let t = if hi > lo {
            ((score - lo) / (hi - lo)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        TOP + plot * (1.0 - t)
    }

    /// The chart as an `<svg>` element; empty when there are no points.
    pub fn render(&self) -> String {
        if self.points.is_empty() {
            return String::new();
        }
        let mut svg = String::new();
        let title = escape(self.title);
        let id = escape(self.id);
        let _ = write!(
            svg,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{title}</title>"#
        );
        let (lo, hi) = self.range;
        for value in [lo, (lo + hi) / 2.0, hi] {
            let y = self.y(value);
            let _ = write!(
                svg,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#d5dbe3" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#4a5461">{value}</text>"##,
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0
            );
        }
        if let Some((cutoff, label)) = self.cutoff {
            let y = self.y(cutoff);
            let _ = write!(
                svg,
                r##"<line class="cutoff" x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#a4161a" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#a4161a">{}</text>"##,
                WIDTH - RIGHT,
                WIDTH - RIGHT,
                y - 4.0,
                escape(label)
            );
        }
        let path: Vec<String> = self
            .points
            .iter()
            .map(|(d, s)| format!("{:.1},{:.1}", self.x(*d), self.y(*s)))
            .collect();
        let _ = write!(
            svg,
            r##"<polyline fill="none" stroke="#0b5cad" stroke-width="2.5" points="{}"/>"##,
            path.join(" ")
        );
        for (day, score) in self.points {
            let (x, y) = (self.x(*day), self.y(*score));
            let _ = write!(
                svg,
                r##"<circle class="point" cx="{x:.1}" cy="{y:.1}" r="4.5" fill="#0b5cad"><title>{day}: {score}</title></circle><text x="{x:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#4a5461">{}</text>"##,
                HEIGHT - 12.0,
                day.format("%Y-%m-%d")
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn points_are_placed_by_date_and_score_with_the_cutoff_drawn() {
        let points = [
            (day("2026-01-01"), 27.0),
            (day("2026-01-31"), 0.0),
            (day("2026-03-02"), 13.5),
        ];
        let chart = ScoreChart {
            id: "chart-phq-9",
            title: "PHQ-9 <over tid>",
            points: &points,
            range: (0.0, 27.0),
            cutoff: Some((10.0, "Gräns 10")),
        };
        let svg = chart.render();
        // x: 44 + 500 · days/60 → 44, 294, 544; y: 14 + 172 · (1 − s/27) → 14, 186, 100.
        assert!(
            svg.contains(r#"points="44.0,14.0 294.0,186.0 544.0,100.0""#),
            "{svg}"
        );
        assert_eq!(svg.matches("class=\"point\"").count(), 3);
        assert!(svg.contains("class=\"cutoff\"") && svg.contains("Gräns 10"));
        assert!(svg.contains("PHQ-9 &lt;over tid&gt;"), "titles are escaped");
        assert!(!svg.contains("style="), "no inline style under the CSP");
        assert!(
            svg.contains(r#"aria-labelledby="chart-phq-9-title""#),
            "ids are unique per chart"
        );
    }

    #[test]
    fn one_point_sits_in_the_middle_and_no_points_draw_nothing() {
        let points = [(day("2026-01-01"), 5.0)];
        let svg = ScoreChart {
            id: "x",
            title: "x",
            points: &points,
            range: (0.0, 10.0),
            cutoff: None,
        }
        .render();
        assert!(svg.contains(r#"points="294.0,100.0""#), "{svg}");
        assert!(!svg.contains("cutoff"));
        assert_eq!(
            ScoreChart {
                id: "x",
                title: "x",
                points: &[],
                range: (0.0, 1.0),
                cutoff: None
            }
            .render(),
            ""
        );
    }
}
