//! Small charts drawn as SVG on the server: a waterfall, stacked bars and
//! lines. No script, so they print, pass the content security policy and
//! show in a headless browser as a user sees them. Colours follow the
//! Chinese market's convention: red for a rise, green for a fall.

use maud::{html, Markup};

/// A rise (red in China).
pub const RISE: &str = "#d93026";
/// A fall (green in China).
pub const FALL: &str = "#1e8e3e";
/// A total.
pub const TOTAL: &str = "#5f6368";

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 70.0;
const BOTTOM: f64 = 40.0;
const TOP: f64 = 16.0;

fn f64_of(d: rust_decimal::Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(0.0)
}

/// Maps values in `lo..=hi` to the plot's height.
struct Scale {
    lo: f64,
    hi: f64,
}

impl Scale {
    fn new(values: impl IntoIterator<Item = f64>) -> Scale {
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for v in values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi - lo < 1e-9 {
            hi = lo + 1.0;
        }
        Scale { lo, hi }
    }

    fn y(&self, v: f64) -> f64 {
        TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v - self.lo) / (self.hi - self.lo))
    }
}

fn axis(scale: &Scale, label: &dyn Fn(f64) -> String) -> Markup {
    let zero = scale.y(0.0);
    html! {
        line x1=(LEFT) x2=(WIDTH) y1=(zero) y2=(zero) stroke="#999" {}
        @for k in 0..=4 {
            @let v = scale.lo + (scale.hi - scale.lo) * f64::from(k) / 4.0;
            text x=(LEFT - 6.0) y=(scale.y(v) + 4.0) text-anchor="end" font-size="11" fill="#555" { (label(v)) }
        }
    }
}

/// A waterfall: a starting total, steps up or down, an ending total.
/// `steps` are (label, value); the first and last are drawn as totals.
pub fn waterfall(id: &str, steps: &[(String, rust_decimal::Decimal)], label: &dyn Fn(f64) -> String) -> Markup {
    let n = steps.len().max(1);
    let mut level = 0.0;
    let mut bars = Vec::with_capacity(n);
    for (i, (name, value)) in steps.iter().enumerate() {
        let v = f64_of(*value);
        let (from, to, colour) =
            if i == 0 || i + 1 == n { (0.0, v, TOTAL) } else { (level, level + v, if v >= 0.0 { RISE } else { FALL }) };
        if i == 0 {
            level = v;
        } else if i + 1 < n {
            level += v;
        }
        bars.push((name.clone(), *value, from, to, colour));
    }
    let scale = Scale::new(bars.iter().flat_map(|b| [b.2, b.3]));
    let slot = (WIDTH - LEFT) / n as f64;
    html! {
        svg.chart.waterfall #(id) viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } width="100%" role="img" {
            (axis(&scale, label))
            @for (i, (name, value, from, to, colour)) in bars.iter().enumerate() {
                @let x = LEFT + slot * i as f64 + slot * 0.15;
                @let (y0, y1) = (scale.y(from.max(*to)), scale.y(from.min(*to)));
                rect.bar x=(x) y=(y0) width=(slot * 0.7) height=((y1 - y0).max(1.0)) fill=(colour) data-value=(value) {
                    title { (name) ": " (value.round_dp(2)) }
                }
                text x=(x + slot * 0.35) y=(HEIGHT - BOTTOM + 14.0) text-anchor="middle" font-size="11" { (name) }
                text x=(x + slot * 0.35) y=(y0 - 3.0) text-anchor="middle" font-size="10" fill="#333" { (label(f64_of(*value))) }
            }
        }
    }
}

/// Bars of several series stacked per category, with a legend.
pub fn stacked_bars(id: &str, categories: &[String], series: &[(String, &str, Vec<f64>)]) -> Markup {
    let totals: Vec<f64> =
        (0..categories.len()).map(|i| series.iter().map(|s| s.2.get(i).copied().unwrap_or(0.0)).sum()).collect();
    let scale = Scale::new(totals.iter().copied());
    let slot = (WIDTH - LEFT) / categories.len().max(1) as f64;
    // Each bar's pieces, bottom up: (x, top, height, colour, what).
    let mut pieces = Vec::new();
    for (i, category) in categories.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let mut below = 0.0;
        for (name, colour, values) in series {
            let v = values.get(i).copied().unwrap_or(0.0);
            let (y0, y1) = (scale.y(below + v), scale.y(below));
            pieces.push((x, y0, (y1 - y0).max(0.0), *colour, format!("{category} {name}: {v}")));
            below += v;
        }
    }
    html! {
        svg.chart.stacked #(id) viewBox={ "0 0 " (WIDTH) " " (HEIGHT + 20.0) } width="100%" role="img" {
            (axis(&scale, &|v| format!("{v:.0}")))
            @for (x, y, h, colour, what) in &pieces {
                rect x=(x) y=(y) width=(slot * 0.7) height=(h) fill=(*colour) { title { (what) } }
            }
            @for (i, category) in categories.iter().enumerate() {
                text x=(LEFT + slot * i as f64 + slot * 0.5) y=(HEIGHT - BOTTOM + 14.0) text-anchor="middle" font-size="10" { (category) }
            }
            @for (k, (name, colour, _)) in series.iter().enumerate() {
                rect x=(LEFT + 110.0 * k as f64) y=(HEIGHT - 8.0) width="10" height="10" fill=(*colour) {}
                text x=(LEFT + 14.0 + 110.0 * k as f64) y=(HEIGHT + 1.0) font-size="11" { (name) }
            }
        }
    }
}

/// Lines over the same x positions (None: no point there), with a legend.
pub fn lines(id: &str, xs: &[String], series: &[(String, Vec<Option<f64>>)], label: &dyn Fn(f64) -> String) -> Markup {
    const PALETTE: [&str; 6] = ["#1a73e8", "#d93026", "#f29900", "#188038", "#9334e6", "#12b5cb"];
    let scale = Scale::new(series.iter().flat_map(|s| s.1.iter().flatten().copied()));
    let step = (WIDTH - LEFT - 20.0) / (xs.len().max(2) - 1) as f64;
    html! {
        svg.chart.lines #(id) viewBox={ "0 0 " (WIDTH) " " (HEIGHT + 20.0) } width="100%" role="img" {
            (axis(&scale, label))
            @for (i, x) in xs.iter().enumerate() {
                text x=(LEFT + step * i as f64) y=(HEIGHT - BOTTOM + 14.0) text-anchor="middle" font-size="10" { (x) }
            }
            @for (k, (name, values)) in series.iter().enumerate() {
                @let colour = PALETTE[k % PALETTE.len()];
                @let points: Vec<String> = values.iter().enumerate()
                    .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", LEFT + step * i as f64, scale.y(v)))).collect();
                polyline fill="none" stroke=(colour) stroke-width="2" points=(points.join(" ")) { title { (name) } }
                @if k < 6 {
                    rect x=(LEFT + 100.0 * k as f64) y=(HEIGHT - 8.0) width="10" height="10" fill=(colour) {}
                    text x=(LEFT + 14.0 + 100.0 * k as f64) y=(HEIGHT + 1.0) font-size="11" { (name) }
                }
            }
        }
    }
}

/// The heat-map class of a share from 0 to 1 (`heat-0` .. `heat-10`): a
/// class, not an inline style, which the content security policy forbids.
pub fn heat(share: rust_decimal::Decimal) -> String {
    let a = f64_of(share).clamp(0.0, 1.0);
    format!("num heat-{}", (a * 10.0).round() as u32)
}
