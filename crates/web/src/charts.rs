//! Charts drawn on the server as inline SVG: a line chart (trends), a
//! horizontal bar chart (rankings) and a ring gauge (a rate). Each is a pure
//! function from figures to an SVG string, so pages need no chart library and
//! nothing loads from the internet.
//!
//! Every chart is an `<svg role="img">` labelled by its `<title>` and
//! described by a `<desc>` that says what it shows in words, for screen
//! readers. Colours are
//! presentation attributes and classes (`chart-grid`, `chart-text`…) so that
//! a stylesheet can restyle them; text is drawn in `currentColor`.
//! Text is escaped here: callers pass plain strings.

use std::fmt::Write;

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    pub name: &'a str,
    /// A CSS colour.
    pub color: &'a str,
    /// One value per label.
    pub values: &'a [f64],
}

/// A line chart: a value per label (day) for each series.
#[derive(Debug, Clone)]
pub struct LineChart<'a> {
    /// Unique on the page: the title's and description's ids derive from it.
    pub id: &'a str,
    pub title: &'a str,
    /// What the chart shows, in a sentence (read out instead of the lines).
    pub description: &'a str,
    pub labels: &'a [String],
    pub series: &'a [Series<'a>],
    pub width: u32,
    pub height: u32,
}

/// One bar of a bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// From 0 to the chart's `max`; `None` draws no bar (nothing to measure).
    pub value: Option<f64>,
    /// Shown right of the bar, e.g. "96.7%（30件）".
    pub text: String,
}

/// A horizontal bar chart, bars top to bottom in the order given.
#[derive(Debug, Clone)]
pub struct BarChart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub bars: &'a [Bar],
    /// The value of a full-length bar.
    pub max: f64,
    pub color: &'a str,
    pub width: u32,
    /// The height of one bar's row.
    pub row_height: u32,
    /// Room for the labels on the left.
    pub label_width: u32,
}

/// A ring showing a rate from 0 to 1, with the percentage inside.
#[derive(Debug, Clone)]
pub struct Gauge<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// 0–1; `None` (nothing to measure) shows a dash and an empty ring.
    pub value: Option<f64>,
    pub color: &'a str,
    /// The side of the square it is drawn in.
    pub size: u32,
}

/// Draws a line chart with a horizontal grid, its values on the left, the
/// labels below (thinned out so they never overlap) and a legend on top.
pub fn line_chart(c: &LineChart) -> String {
    let (w, h) = (f64::from(c.width), f64::from(c.height));
    // Room for the values on the left and for half the last label on the right.
    let (left, right, top, bottom) = (56.0, 36.0, 44.0, 36.0);
    let plot_w = (w - left - right).max(1.0);
    let plot_h = (h - top - bottom).max(1.0);
    let highest = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0_f64, f64::max);
    let (step, max) = scale(highest);
    let n = c.labels.len();
    let x = |i: usize| {
        if n <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + plot_h - plot_h * (v.max(0.0) / max);

    let mut svg = open(c.id, c.title, c.description, c.width, c.height);
    // Grid and values.
    svg.push_str(r##"<g class="chart-grid" stroke="#5b6b80" stroke-width="1">"##);
    for k in 0..=GRID_LINES {
        let gy = y(step * f64::from(k));
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}"/>"##,
            w - right
        );
    }
    svg.push_str("</g>");
    svg.push_str(r##"<g class="chart-text" fill="currentColor" font-size="18">"##);
    for k in 0..=GRID_LINES {
        let v = step * f64::from(k);
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left - 8.0,
            y(v) + 5.0,
            number(v)
        );
    }
    // At most about eight labels, always the last one.
    let every = n.div_ceil(8).max(1);
    for (i, label) in c.labels.iter().enumerate() {
        // The last label is always shown; others only with room before it.
        if i == n - 1 || (i % every == 0 && n - 1 - i >= every) {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
                x(i),
                h - 8.0,
                escape(label)
            );
        }
    }
    // Legend.
    let mut lx = left;
    for s in c.series {
        let _ = write!(
            svg,
            r##"<rect x="{lx:.1}" y="12" width="24" height="8" rx="4" fill="{}"/><text x="{:.1}" y="22">{}</text>"##,
            escape(s.color),
            lx + 30.0,
            escape(s.name)
        );
        lx += 32.0 + 20.0 * s.name.chars().count() as f64 + 28.0;
    }
    svg.push_str("</g>");
    // The lines, with a dot on each day.
    for s in c.series {
        let color = escape(s.color);
        let mut d = String::new();
        for (i, v) in s.values.iter().enumerate().take(n) {
            let _ = write!(
                d,
                "{}{:.1} {:.1}",
                if i == 0 { "M" } else { " L" },
                x(i),
                y(*v)
            );
        }
        let _ = write!(
            svg,
            r##"<path class="chart-line" d="{d}" fill="none" stroke="{color}" stroke-width="3" stroke-linejoin="round" stroke-linecap="round"/>"##
        );
        let _ = write!(svg, r##"<g fill="{color}">"##);
        for (i, v) in s.values.iter().enumerate().take(n) {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3"/>"##,
                x(i),
                y(*v)
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// Draws horizontal bars with their labels on the left and their texts at
/// their ends. Without bars it says so.
pub fn bar_chart(c: &BarChart) -> String {
    let rows = u32::try_from(c.bars.len()).unwrap_or(u32::MAX).max(1);
    let height = rows.saturating_mul(c.row_height);
    let mut svg = open(c.id, c.title, c.description, c.width, height);
    let (w, row) = (f64::from(c.width), f64::from(c.row_height));
    let label_w = f64::from(c.label_width);
    // Room on the right for the value text.
    let track = (w - label_w - 190.0).max(1.0);
    if c.bars.is_empty() {
        let _ = write!(
            svg,
            r##"<text class="chart-text" x="{:.1}" y="{:.1}" fill="currentColor" font-size="18" text-anchor="middle">暂无数据</text>"##,
            w / 2.0,
            row / 2.0 + 6.0
        );
    }
    let color = escape(c.color);
    for (i, bar) in c.bars.iter().enumerate() {
        let top = row * i as f64;
        let mid = top + row / 2.0;
        let bar_h = (row * 0.5).max(4.0);
        let len = match bar.value {
            Some(v) if c.max > 0.0 => track * (v / c.max).clamp(0.0, 1.0),
            _ => 0.0,
        };
        let _ = write!(
            svg,
            r##"<g class="chart-bar"><text class="chart-text" x="{:.1}" y="{:.1}" fill="currentColor" font-size="18" text-anchor="end">{}</text><rect class="chart-track" x="{label_w:.1}" y="{:.1}" width="{track:.1}" height="{bar_h:.1}" rx="4" fill="#1e3a5f"/><rect x="{label_w:.1}" y="{:.1}" width="{len:.1}" height="{bar_h:.1}" rx="4" fill="{color}"/><text class="chart-text" x="{:.1}" y="{:.1}" fill="currentColor" font-size="18">{}</text></g>"##,
            label_w - 12.0,
            mid + 6.0,
            escape(&bar.label),
            mid - bar_h / 2.0,
            mid - bar_h / 2.0,
            label_w + track + 12.0,
            mid + 6.0,
            escape(&bar.text)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Draws a ring filled clockwise from the top by the rate, the percentage
/// (one decimal) in the middle.
pub fn gauge(g: &Gauge) -> String {
    let size = f64::from(g.size);
    let c = size / 2.0;
    let stroke = (size * 0.1).max(4.0);
    let r = c - stroke / 2.0 - 2.0;
    let circumference = 2.0 * std::f64::consts::PI * r;
    let text = match g.value {
        Some(v) => percent(v),
        None => "—".into(),
    };
    let description = match g.value {
        Some(_) => format!("{}：{text}", g.title),
        None => format!("{}：暂无数据", g.title),
    };
    let mut svg = open(g.id, g.title, &description, g.size, g.size);
    let _ = write!(
        svg,
        r##"<circle class="chart-track" cx="{c:.1}" cy="{c:.1}" r="{r:.1}" fill="none" stroke="#1e3a5f" stroke-width="{stroke:.1}"/>"##
    );
    if let Some(v) = g.value {
        let arc = circumference * v.clamp(0.0, 1.0);
        let _ = write!(
            svg,
            r##"<circle class="chart-arc" cx="{c:.1}" cy="{c:.1}" r="{r:.1}" fill="none" stroke="{}" stroke-width="{stroke:.1}" stroke-linecap="butt" stroke-dasharray="{arc:.2} {circumference:.2}" transform="rotate(-90 {c:.1} {c:.1})"/>"##,
            escape(g.color)
        );
    }
    let _ = write!(
        svg,
        r##"<text class="chart-text" x="{c:.1}" y="{:.1}" fill="currentColor" font-size="{:.0}" font-weight="700" text-anchor="middle">{}</text></svg>"##,
        c + size * 0.07,
        size * 0.2,
        escape(&text)
    );
    svg
}

/// A rate as people read it: 0.9667 → "96.7%".
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

// ----------------------------------------------------------------- helpers

const GRID_LINES: u32 = 4;

/// The grid step and the top of the value axis: a round step (1, 2 or 5
/// times a power of ten, at least 1) such that the highest value fits under
/// [`GRID_LINES`] steps.
fn scale(highest: f64) -> (f64, f64) {
    let raw = (highest / f64::from(GRID_LINES)).max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    (step, step * f64::from(GRID_LINES))
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn open(id: &str, title: &str, description: &str, width: u32, height: u32) -> String {
    let id = escape(id);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape(title),
        escape(description)
    )
}

/// Escapes text for SVG (XML) content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of an attribute on every element named `tag`, in order.
    fn attrs(svg: &str, tag: &str, attr: &str) -> Vec<String> {
        svg.split(&format!("<{tag} "))
            .skip(1)
            .filter_map(|rest| {
                let element = &rest[..rest.find('>')?];
                let key = format!(" {attr}=\"");
                let at = format!(" {element}").find(&key)? + key.len() - 1;
                let value = &element[at..];
                Some(value[..value.find('"')?].to_string())
            })
            .collect()
    }

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|d| format!("10-{d:02}")).collect()
    }

    #[test]
    fn a_line_chart_is_labelled_and_draws_each_series_through_every_point() {
        let days = labels(30);
        let accepted: Vec<f64> = (0..30).map(f64::from).collect();
        let concluded = vec![3.0; 30];
        let svg = line_chart(&LineChart {
            id: "trend",
            title: "近30天办件趋势",
            description: "受理合计435件，办结合计90件",
            labels: &days,
            series: &[
                Series {
                    name: "受理",
                    color: "#4fc3f7",
                    values: &accepted,
                },
                Series {
                    name: "办结",
                    color: "#81c784",
                    values: &concluded,
                },
            ],
            width: 900,
            height: 360,
        });
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains(
            r##"role="img" aria-labelledby="trend-title" aria-describedby="trend-desc""##
        ));
        assert!(svg.contains(r##"<title id="trend-title">近30天办件趋势</title>"##));
        assert!(svg.contains("受理合计435件"));
        let paths = attrs(&svg, "path", "d");
        assert_eq!(paths.len(), 2);
        assert_eq!(paths[0].matches('L').count(), 29, "30 points: {}", paths[0]);
        // The axis tops out at a round 40 (step 10) for a highest value of 29;
        // the first point (0) sits on the base line, y = 360 - 36.
        assert!(paths[0].starts_with("M56.0 324.0"), "{}", paths[0]);
        let texts: Vec<&str> = svg.split("</text>").collect();
        assert!(texts.iter().any(|t| t.ends_with(">40")));
        // Labels are thinned out but the last day is always shown.
        let shown = svg.matches(">10-").count();
        assert!(shown <= 9, "{shown} labels");
        assert!(svg.contains(">10-30</text>"));
    }

    #[test]
    fn a_line_chart_of_nothing_still_draws_an_axis() {
        let svg = line_chart(&LineChart {
            id: "empty",
            title: "趋势",
            description: "暂无办件",
            labels: &labels(1),
            series: &[Series {
                name: "受理",
                color: "#fff",
                values: &[0.0],
            }],
            width: 400,
            height: 200,
        });
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert_eq!(attrs(&svg, "line", "y1").len(), 5);
    }

    #[test]
    fn bars_are_as_long_as_their_values_and_texts_are_escaped() {
        let bars = vec![
            Bar {
                label: "人社局".into(),
                value: Some(1.0),
                text: "100.0%（12件）".into(),
            },
            Bar {
                label: "A&B <局>".into(),
                value: Some(0.5),
                text: "50.0%（2件）".into(),
            },
            Bar {
                label: "税务局".into(),
                value: None,
                text: "—".into(),
            },
        ];
        let svg = bar_chart(&BarChart {
            id: "rank",
            title: "部门按时办结率排名",
            description: "人社局第一",
            bars: &bars,
            max: 1.0,
            color: "#ffd54f",
            width: 800,
            row_height: 40,
            label_width: 200,
        });
        assert!(svg.contains(r##"height="120""##), "three rows of 40");
        // Track and bar per row: the bars are every second rect.
        let widths = attrs(&svg, "rect", "width");
        let track: f64 = widths[0].parse().unwrap();
        assert_eq!(track, 800.0 - 200.0 - 190.0);
        let bar = |i: usize| widths[2 * i + 1].parse::<f64>().unwrap();
        assert_eq!(bar(0), track);
        assert_eq!(bar(1), track / 2.0);
        assert_eq!(bar(2), 0.0);
        assert!(svg.contains("A&amp;B &lt;局&gt;"));
        assert!(!svg.contains("<局>"));
        let empty = bar_chart(&BarChart {
            id: "none",
            title: "排名",
            description: "暂无",
            bars: &[],
            max: 1.0,
            color: "#fff",
            width: 400,
            row_height: 40,
            label_width: 100,
        });
        assert!(empty.contains("暂无数据"));
    }

    #[test]
    fn a_gauge_fills_its_share_of_the_ring() {
        let svg = gauge(&Gauge {
            id: "on-time",
            title: "本月按时办结率",
            value: Some(0.75),
            color: "#81c784",
            size: 200,
        });
        assert!(svg.contains(">75.0%</text>"));
        assert!(svg.contains("<desc id=\"on-time-desc\">本月按时办结率：75.0%</desc>"));
        let dash = &attrs(&svg, "circle", "stroke-dasharray")[0];
        let (arc, whole) = dash.split_once(' ').unwrap();
        let (arc, whole): (f64, f64) = (arc.parse().unwrap(), whole.parse().unwrap());
        assert!((arc / whole - 0.75).abs() < 1e-3, "{dash}");

        let none = gauge(&Gauge {
            id: "good",
            title: "本月好评率",
            value: None,
            color: "#fff",
            size: 200,
        });
        assert!(none.contains(">—</text>"));
        assert!(none.contains("本月好评率：暂无数据"));
        assert!(attrs(&none, "circle", "stroke-dasharray").is_empty());
    }

    #[test]
    fn the_value_axis_ends_on_a_round_number() {
        assert_eq!(scale(0.0), (1.0, 4.0));
        assert_eq!(scale(3.0), (1.0, 4.0));
        assert_eq!(scale(29.0), (10.0, 40.0));
        assert_eq!(scale(41.0), (20.0, 80.0));
        assert_eq!(scale(1234.0), (500.0, 2000.0));
        assert_eq!(percent(0.96666), "96.7%");
    }
}
