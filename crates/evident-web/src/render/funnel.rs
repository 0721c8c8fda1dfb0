//! Server-rendered SVG funnel plots (Spiegelhalter 2005): each node's value against its size,
//! with the national value as the centre line and the 95 % and 99.8 % control limits drawn as
//! curves. Every point carries a `<title>` naming the node, its value and n, which browsers
//! show on hover and screen readers read. Plain SVG with presentation attributes, as in
//! [`super::chart`], so it works under the strict Content-Security-Policy.

use super::svg::escape;
use evident_core::indicator::report::{Funnel, Signal};
use std::fmt::Write as _;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 40.0;

/// How many sizes each limit curve is sampled at.
const SAMPLES: usize = 80;

/// One point of the plot.
#[derive(Debug, Clone)]
pub struct FunnelPoint {
    /// The text of its `<title>` (name, formatted value, n).
    pub label: String,
    /// Its size.
    pub n: u64,
    /// Its value.
    pub value: f64,
    /// Where it falls.
    pub signal: Signal,
}

/// What to draw.
#[derive(Clone)]
pub struct FunnelChart<'a> {
    /// An accessible title.
    pub title: &'a str,
    /// The funnel (centre and limits).
    pub funnel: Funnel,
    /// The points.
    pub points: &'a [FunnelPoint],
    /// Axis labels: the size (x) and the value (y).
    pub axes: (&'a str, &'a str),
    /// Formats a value for the y-axis ticks.
    pub format: &'a dyn Fn(f64) -> String,
}

/// The colour of a point: grey inside the limits, blue/orange beyond them (colour-blind safe
/// pair), darker beyond 99.8 %.
fn colour(signal: Signal) -> &'static str {
    match signal {
        Signal::Within => "#6b7683",
        Signal::Above95 => "#2a7ab8",
        Signal::Above998 => "#0b4f8a",
        Signal::Below95 => "#d9822b",
        Signal::Below998 => "#a4501a",
    }
}

impl FunnelChart<'_> {
    fn max_n(&self) -> f64 {
        let largest = self.points.iter().map(|p| p.n).max().unwrap_or(1).max(10);
        largest as f64 * 1.05
    }

    /// The y range: every point, the centre, and the 99.8 % limits at half the smallest
    /// point's size (so the funnel's mouth is visible without the limits of n = 2 flattening
    /// the plot); shares stay within 0–100 %.
    fn y_range(&self) -> (f64, f64) {
        let smallest = self.points.iter().map(|p| p.n).min().unwrap_or(10);
        let [low, _, _, high] = self.funnel.limits((smallest / 2).max(5));
        let mut lo = low.min(self.funnel.target());
        let mut hi = high.max(self.funnel.target());
        for p in self.points {
            lo = lo.min(p.value);
            hi = hi.max(p.value);
        }
        let (mut lo, mut hi) = if hi - lo < 1e-9 {
            (lo - 0.5, hi + 0.5)
        } else {
            let pad = (hi - lo) * 0.04;
            (lo - pad, hi + pad)
        };
        if let Funnel::Share { .. } = self.funnel {
            lo = lo.max(0.0);
            hi = hi.min(1.0);
        }
        (lo, hi)
    }

    fn x(&self, n: f64) -> f64 {
        LEFT + (WIDTH - LEFT - RIGHT) * (n / self.max_n()).clamp(0.0, 1.0)
    }

    fn y(&self, value: f64, (lo, hi): (f64, f64)) -> f64 {
        let t = ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
        TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - t)
    }

    /// The plot as an `<svg>` element.
    pub fn render(&self) -> String {
        let range = self.y_range();
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="chart funnel" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="funnel-title"><title id="funnel-title">{}</title>"#,
            escape(self.title)
        );
        // Horizontal grid with value ticks.
        for i in 0..=4 {
            let value = range.0 + (range.1 - range.0) * f64::from(i) / 4.0;
            let y = self.y(value, range);
            let _ = write!(
                svg,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e3e7ec" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#4a5461">{}</text>"##,
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                escape(&(self.format)(value))
            );
        }
        // Size ticks.
        let max_n = self.max_n();
        for i in 0..=4 {
            let n = (max_n * f64::from(i) / 4.0).round();
            let x = self.x(n);
            let _ = write!(
                svg,
                r##"<text x="{x:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#4a5461">{n}</text>"##,
                HEIGHT - BOTTOM + 16.0
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="#1f2933">{}</text>"##,
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
            HEIGHT - 6.0,
            escape(self.axes.0)
        );
        let _ = write!(
            svg,
            r##"<text x="12" y="{:.1}" font-size="12" text-anchor="middle" fill="#1f2933" transform="rotate(-90 12 {:.1})">{}</text>"##,
            TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
            TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
            escape(self.axes.1)
        );
        // The limit curves, from n = 2 (n = 1 has degenerate limits) to the largest size.
        let sizes: Vec<u64> = (0..SAMPLES)
            .map(|i| {
                let t = i as f64 / (SAMPLES - 1) as f64;
                (2.0 + (max_n - 2.0) * t * t).round().max(2.0) as u64
            })
            .collect();
        for (index, class, dash) in [
            (0, "limit-998", "2 3"),
            (1, "limit-95", "6 4"),
            (2, "limit-95", "6 4"),
            (3, "limit-998", "2 3"),
        ] {
            let path: Vec<String> = sizes
                .iter()
                .map(|n| {
                    let limit = self.funnel.limits(*n)[index];
                    format!("{:.1},{:.1}", self.x(*n as f64), self.y(limit, range))
                })
                .collect();
            let _ = write!(
                svg,
                r##"<polyline class="{class}" fill="none" stroke="#8a94a1" stroke-width="1.2" stroke-dasharray="{dash}" points="{}"/>"##,
                path.join(" ")
            );
        }
        let centre = self.y(self.funnel.target(), range);
        let _ = write!(
            svg,
            r##"<line class="centre" x1="{LEFT}" y1="{centre:.1}" x2="{:.1}" y2="{centre:.1}" stroke="#1f2933" stroke-width="1.5"/>"##,
            WIDTH - RIGHT
        );
        for point in self.points {
            let _ = write!(
                svg,
                r##"<circle class="point {}" cx="{:.1}" cy="{:.1}" r="5" fill="{}" stroke="#ffffff" stroke-width="1"><title>{}</title></circle>"##,
                point.signal.as_str(),
                self.x(point.n as f64),
                self.y(point.value, range),
                colour(point.signal),
                escape(&point.label)
            );
        }
        svg.push_str("</svg>");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn percent(v: f64) -> String {
        format!("{:.0} %", v * 100.0)
    }

    #[test]
    fn points_have_titles_and_limits_narrow_with_size() {
        let points = [
            FunnelPoint {
                label: "Enköping <kommun>: 70 % (n = 200)".into(),
                n: 200,
                value: 0.7,
                signal: Signal::Above998,
            },
            FunnelPoint {
                label: "Håbo: 50 % (n = 20)".into(),
                n: 20,
                value: 0.5,
                signal: Signal::Within,
            },
        ];
        let chart = FunnelChart {
            title: "Tratt",
            funnel: Funnel::Share { target: 0.5 },
            points: &points,
            axes: ("Antal", "Andel"),
            format: &percent,
        };
        let svg = chart.render();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("<title>Enköping &lt;kommun&gt;: 70 % (n = 200)</title>"));
        assert!(svg.contains("class=\"point above_99_8\""));
        assert_eq!(svg.matches("class=\"limit-95\"").count(), 2);
        assert_eq!(svg.matches("class=\"limit-998\"").count(), 2);
        assert!(!svg.contains("style="), "no inline style under the CSP");
        // The upper 95 % curve falls towards the centre as n grows: its first point is
        // higher up (smaller y) than its last.
        let upper = svg
            .split("class=\"limit-95\"")
            .nth(2)
            .and_then(|s| s.split("points=\"").nth(1))
            .and_then(|s| s.split('"').next())
            .unwrap();
        let ys: Vec<f64> = upper
            .split(' ')
            .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        let centre = chart.y(0.5, chart.y_range());
        assert!(
            ys[0] < ys[ys.len() - 1] && ys[ys.len() - 1] < centre,
            "{ys:?}"
        );
    }
}
