//! Draws a [`Picture`] as an SVG document with plotters' SVG backend.
//!
//! Above: the chart. Events are shaded bands (platform purple, account
//! red, unknown scope orange; a reverted event's band goes on, paler, to
//! when its followers were back) with a numbered tag at the top; behind the
//! lines, the middle half of the cohort; the cohort's median index; the
//! named accounts' curves. Below: the key, one line per curve and per
//! event (its number, kind, start and end, and whom it hit), which stays
//! readable however many events there are.

use super::Picture;
use crate::detect::{Persistence, Scope};
use crate::report::event::Event;
use crate::report::thousands;
use crate::sanitize::for_xml;
use crate::time::format_with;
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// How big a picture is, and what it holds besides the chart.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Width of the picture, in pixels.
    pub width: u32,
    /// Height of the chart (above the key).
    pub chart_height: u32,
    /// The title above the chart and the key below it: an SVG file stands
    /// alone; a picture in the HTML report has both in words around it.
    pub framed: bool,
}

impl Layout {
    /// `followdrop plot`'s file.
    pub const FILE: Layout = Layout {
        width: 1200,
        chart_height: 560,
        framed: true,
    };
    /// The HTML report's timeline of the whole period.
    pub const TIMELINE: Layout = Layout {
        width: 1000,
        chart_height: 360,
        framed: false,
    };
    /// The HTML report's picture of one event's window.
    pub const EVENT: Layout = Layout {
        width: 760,
        chart_height: 300,
        framed: false,
    };
}

/// Height of one line of the key.
const ROW: i32 = 22;
/// Events in the key before it takes two columns.
const ONE_COLUMN: usize = 12;
const FONT: &str = "sans-serif";

const MEDIAN: RGBColor = RGBColor(25, 55, 130);
const BAND: RGBColor = RGBColor(110, 150, 210);
const PLATFORM: RGBColor = RGBColor(130, 40, 170);
const ACCOUNT: RGBColor = RGBColor(205, 35, 35);
const UNKNOWN: RGBColor = RGBColor(225, 135, 0);
/// Colours of named accounts' curves: none close to an event's colour.
const CURVES: [RGBColor; 8] = [
    RGBColor(0, 150, 136),
    RGBColor(120, 80, 40),
    RGBColor(60, 160, 40),
    RGBColor(220, 90, 180),
    RGBColor(90, 90, 90),
    RGBColor(20, 170, 210),
    RGBColor(170, 170, 20),
    RGBColor(240, 110, 70),
];

/// The colours of the cohort's median line and of the named accounts'
/// curves in turn, as `#rrggbb`: for a key drawn outside the picture.
pub fn line_colors() -> Vec<String> {
    std::iter::once(MEDIAN)
        .chain(CURVES)
        .map(|RGBColor(r, g, b)| format!("#{r:02x}{g:02x}{b:02x}"))
        .collect()
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// The picture as an SVG document.
pub fn svg(p: &Picture, layout: Layout) -> Result<String> {
    let columns = if p.events.len() > ONE_COLUMN { 2 } else { 1 };
    let key = if layout.framed {
        let curve_rows = 2 + p.curves.len() as i32;
        let event_rows = p.events.len().div_ceil(columns) as i32;
        let events = if event_rows > 0 {
            10 + ROW * event_rows
        } else {
            0
        };
        (12 + ROW * curve_rows + events + 8) as u32
    } else {
        0
    };
    let mut buf = String::new();
    {
        let size = (layout.width, layout.chart_height + key);
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        root.fill(&WHITE)?;
        let (chart, below) = root.split_vertically(layout.chart_height);
        draw_chart(p, &chart, layout)?;
        if layout.framed {
            draw_key(p, &below, columns, layout)?;
        }
        root.present()?;
    }
    Ok(lighter(&buf))
}

/// plotters' SVG without what is said by default: `opacity="1"` on every
/// element, and font sizes to 16 decimals. A third fewer bytes, the same
/// picture.
fn lighter(svg: &str) -> String {
    let svg = svg.replace(" opacity=\"1\"", "");
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg.as_str();
    const SIZE: &str = "font-size=\"";
    while let Some(at) = rest.find(SIZE) {
        let (head, tail) = rest.split_at(at + SIZE.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        match tail[..end].parse::<f64>() {
            Ok(size) => out.push_str(&format!("{}", (size * 10.0).round() / 10.0)),
            Err(_) => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn color(e: &Event) -> RGBColor {
    match e.class.scope {
        Scope::Platform => PLATFORM,
        Scope::Account => ACCOUNT,
        Scope::Unknown => UNKNOWN,
    }
}

/// Runs of consecutive points where `value` is known, as (time, value).
fn segments(times: &[i64], values: impl Iterator<Item = Option<f64>>) -> Vec<Vec<(i64, f64)>> {
    let mut out: Vec<Vec<(i64, f64)>> = vec![Vec::new()];
    for (&t, v) in times.iter().zip(values) {
        match v {
            Some(v) => out.last_mut().expect("never empty").push((t, v)),
            None if out.last().is_some_and(|s| !s.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn draw_chart(p: &Picture, area: &Area, layout: Layout) -> Result<()> {
    let times: Vec<i64> = p.points.iter().map(|q| q.t).collect();
    let x_lo = p.from.min(times.first().copied().unwrap_or(p.from));
    let mut x_hi = p.to.max(times.last().copied().unwrap_or(p.to));
    if x_hi <= x_lo {
        x_hi = x_lo + p.bucket;
    }
    // The vertical range holds every line drawn, with room at the top for
    // the events' tags.
    let drawn = p
        .points
        .iter()
        .flat_map(|q| [q.q1, q.median, q.q3])
        .chain(p.curves.iter().flat_map(|c| c.index.iter().copied()))
        .flatten();
    let (lo, hi) = drawn.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo, hi)
    } else {
        (100.0, 100.0)
    };
    let pad = ((hi - lo) * 0.05).max(0.5);
    let (y_lo, y_hi) = (lo - pad, hi + pad + (hi - lo + 2.0 * pad) * 0.12);
    // As many decimals as the ticks (about ten over the range) need.
    let digits = match y_hi - y_lo {
        r if r >= 10.0 => 0,
        r if r >= 1.0 => 1,
        _ => 2,
    };
    let (ticks, tick_format) = time_ticks(x_lo, x_hi, layout.width / 110);

    let mut builder = ChartBuilder::on(area);
    if layout.framed {
        builder.caption(for_xml(&p.title), (FONT, 20));
    }
    let mut chart = builder
        .margin(16)
        .margin_right(if layout.framed { 48 } else { 24 })
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d((x_lo..x_hi).with_key_points(ticks), y_lo..y_hi)?;
    let x_label = |t: &i64| format_with(*t, tick_format);
    let y_label = |v: &f64| format!("{v:.digits$}");
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .bold_line_style(BLACK.mix(0.1))
        .light_line_style(TRANSPARENT);
    // The page's small pictures go without grid lines and axis titles (the
    // page says it in words): lighter to read, and to send.
    if layout.framed {
        mesh.x_desc("time (UTC)")
            .y_desc("followers, index (100 = each account's first count)");
    } else {
        mesh.disable_mesh().y_labels(5);
    }
    mesh.draw()?;

    // Events behind everything: a band from start to end (a few pixels at
    // least), then for a reverted event a paler one until it recovered.
    let plot_width = f64::from(layout.width - 72 - 16 - 48);
    let least = ((x_hi - x_lo) as f64 * 4.0 / plot_width) as i64;
    for &(_, e) in &p.events {
        let (mut s, mut t) = (e.start.0, e.end.0.max(e.start.0));
        if t - s < least {
            let middle = (s + t) / 2;
            (s, t) = (middle - least / 2, middle + least / 2);
        }
        let c = color(e);
        let band = |s: i64, t: i64, alpha: f64| {
            Rectangle::new(
                [(s.clamp(x_lo, x_hi), y_lo), (t.clamp(x_lo, x_hi), y_hi)],
                c.mix(alpha).filled(),
            )
        };
        chart.draw_series([band(s, t, 0.28)])?;
        if let (Persistence::Reverted, Some(back)) = (e.class.persistence, e.recovered_at)
            && back.0 > t
        {
            chart.draw_series([band(t, back.0, 0.08)])?;
        }
    }

    // The middle half of the cohort, then its median, then named accounts.
    let mut runs: Vec<Vec<(i64, f64, f64)>> = vec![Vec::new()];
    for q in &p.points {
        match q.q1.zip(q.q3) {
            Some((q1, q3)) => runs.last_mut().expect("never empty").push((q.t, q1, q3)),
            None if runs.last().is_some_and(|r| !r.is_empty()) => runs.push(Vec::new()),
            None => {}
        }
    }
    for run in runs.iter().filter(|r| !r.is_empty()) {
        let upper = run.iter().map(|&(t, _, q3)| (t, q3));
        let lower = run.iter().rev().map(|&(t, q1, _)| (t, q1));
        let outline: Vec<(i64, f64)> = upper.chain(lower).collect();
        chart.draw_series([Polygon::new(outline, BAND.mix(0.3).filled())])?;
    }
    for seg in segments(&times, p.points.iter().map(|q| q.median)) {
        chart.draw_series([PathElement::new(seg, MEDIAN.stroke_width(2))])?;
    }
    for (i, c) in p.curves.iter().enumerate() {
        let style = CURVES[i % CURVES.len()].stroke_width(2);
        for seg in segments(&times, c.index.iter().copied()) {
            chart.draw_series([PathElement::new(seg, style)])?;
        }
    }

    // Each event's number at the top of its band, moved down a row where
    // it would cover the previous one.
    let top = chart.backend_coord(&(x_lo, y_hi)).1;
    let mut rows: Vec<i32> = Vec::new();
    for &(n, e) in &p.events {
        let label = n.to_string();
        let middle = (e.start.0 + e.end.0.max(e.start.0)) / 2;
        let x = chart.backend_coord(&(middle.clamp(x_lo, x_hi), y_hi)).0;
        let width = 8 * label.len() as i32 + 8;
        let left = x - width / 2;
        let row = match rows.iter().position(|&right| right + 3 < left) {
            Some(r) => r,
            None if rows.len() < 4 => {
                rows.push(i32::MIN);
                rows.len() - 1
            }
            None => rows.len() - 1,
        };
        rows[row] = left + width;
        let y = top + 3 + 19 * row as i32;
        tag(area, &label, (left, y), width, color(e))?;
    }
    Ok(())
}

/// A small white box with `label` in `c`.
fn tag(area: &Area, label: &str, (x, y): (i32, i32), width: i32, c: RGBColor) -> Result<()> {
    area.draw(&Rectangle::new(
        [(x, y), (x + width, y + 17)],
        WHITE.mix(0.9).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [(x, y), (x + width, y + 17)],
        c.stroke_width(1),
    ))?;
    let style = TextStyle::from((FONT, 14).into_font().style(FontStyle::Bold))
        .color(&c)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(label.to_string(), (x + width / 2, y + 9), style))?;
    Ok(())
}

fn draw_key(p: &Picture, area: &Area, columns: usize, layout: Layout) -> Result<()> {
    let text = |s: String, x: i32, y: i32| {
        let style = TextStyle::from((FONT, 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(s, (x, y), style))
    };
    let (x0, mut y) = (24, 6 + ROW / 2);
    let sample = |y: i32, c: RGBColor| PathElement::new([(x0, y), (x0 + 34, y)], c.stroke_width(3));
    area.draw(&sample(y, MEDIAN))?;
    text(
        if p.sample < p.cohort {
            format!(
                "cohort: median index of {} accounts (an even sample of the {})",
                thousands(p.sample as u64),
                thousands(p.cohort as u64)
            )
        } else {
            format!(
                "cohort: median index of the {} accounts",
                thousands(p.cohort as u64)
            )
        },
        x0 + 46,
        y,
    )?;
    y += ROW;
    area.draw(&Rectangle::new(
        [(x0, y - 7), (x0 + 34, y + 7)],
        BAND.mix(0.3).filled(),
    ))?;
    text(
        "middle half of the cohort (25–75 %)".to_string(),
        x0 + 46,
        y,
    )?;
    for (i, c) in p.curves.iter().enumerate() {
        y += ROW;
        area.draw(&sample(y, CURVES[i % CURVES.len()]))?;
        text(
            format!(
                "{} (100 = {} followers at {} UTC)",
                for_xml(&cut(&c.name, 60)),
                thousands(c.reference),
                format_with(c.reference_time, "%Y-%m-%d %H:%M")
            ),
            x0 + 46,
            y,
        )?;
    }
    y += ROW + 10;
    let rows = p.events.len().div_ceil(columns.max(1));
    let column_width = (layout.width as i32 - 2 * x0) / columns.max(1) as i32;
    for (k, &(n, e)) in p.events.iter().enumerate() {
        let (column, row) = (k / rows.max(1), k % rows.max(1));
        let x = x0 + column as i32 * column_width;
        let y = y + row as i32 * ROW;
        let label = n.to_string();
        let width = 8 * label.len() as i32 + 8;
        tag(area, &label, (x, y - 9), width, color(e))?;
        text(describe(e, columns == 1), x + 46, y)?;
    }
    Ok(())
}

/// An event's line in the key: kind, start → end, and whom it hit.
fn describe(e: &Event, long: bool) -> String {
    let same_day = format_with(e.start.0, "%F") == format_with(e.end.0, "%F");
    let end = format_with(e.end.0, if same_day { "%H:%M" } else { "%Y-%m-%d %H:%M" });
    let who = match e.class.scope {
        Scope::Platform => format!("{} accounts", thousands(e.accounts_affected as u64)),
        _ => e
            .accounts
            .first()
            .map_or(String::new(), |a| for_xml(&cut(&a.account, 32))),
    };
    let mut s = format!(
        "{}  {} → {end} UTC · {who}",
        e.class.kind(),
        format_with(e.start.0, "%Y-%m-%d %H:%M"),
    );
    if long {
        if let Some(back) = e.recovered_at {
            s.push_str(&format!(
                " · recovered {} UTC",
                format_with(back.0, "%Y-%m-%d %H:%M")
            ));
        }
        s.push_str(&format!(" · score {:.1}", e.score));
    }
    s
}

/// Cuts a name to `n` characters.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n - 1).collect();
    out.push('…');
    out
}

/// Ticks of the time axis at round times (hours, days, Mondays, months,
/// years), at most about `most`, and the format of their labels.
fn time_ticks(lo: i64, hi: i64, most: u32) -> (Vec<i64>, &'static str) {
    let most = i64::from(most.max(2));
    const H: i64 = 3600;
    const D: i64 = 86_400;
    let span = hi - lo;
    // Fixed steps from the epoch (UTC hours and days); weeks from a Monday
    // (1970-01-05).
    for (step, offset, format) in [
        (H, 0, "%m-%d %H:%M"),
        (2 * H, 0, "%m-%d %H:%M"),
        (3 * H, 0, "%m-%d %H:%M"),
        (6 * H, 0, "%m-%d %H:%M"),
        (12 * H, 0, "%m-%d %H:%M"),
        (D, 0, "%Y-%m-%d"),
        (2 * D, 0, "%Y-%m-%d"),
        (7 * D, 4 * D, "%Y-%m-%d"),
        (14 * D, 4 * D, "%Y-%m-%d"),
    ] {
        if span / step <= most {
            let first = lo + (offset - lo).rem_euclid(step);
            let ticks = (0..)
                .map(|k| first + k * step)
                .take_while(|&t| t <= hi)
                .collect();
            return (ticks, format);
        }
    }
    let month = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map_or(0, |d| i64::from(d.year()) * 12 + i64::from(d.month0()))
    };
    let start_of = |m: i64| {
        NaiveDate::from_ymd_opt((m.div_euclid(12)) as i32, (m.rem_euclid(12) + 1) as u32, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())
    };
    let (m_lo, m_hi) = (month(lo), month(hi));
    let months = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200]
        .into_iter()
        .find(|&m| (m_hi - m_lo) / m <= most)
        .unwrap_or(1200);
    let mut m = m_lo + (-m_lo).rem_euclid(months);
    if start_of(m).is_some_and(|t| t < lo) {
        m += months;
    }
    let mut ticks = Vec::new();
    while let Some(t) = start_of(m).filter(|&t| t <= hi) {
        ticks.push(t);
        m += months;
    }
    (ticks, if months >= 12 { "%Y" } else { "%Y-%m" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(lo: &str, hi: &str) -> Vec<String> {
        let t = |s: &str| crate::time::parse_time(s, crate::time::Zone::Utc).unwrap();
        let (ticks, format) = time_ticks(t(lo), t(hi), 10);
        ticks.iter().map(|&x| format_with(x, format)).collect()
    }

    #[test]
    fn ticks_fall_on_round_times() {
        assert_eq!(
            labels("2019-02-13T13:20:00Z", "2019-02-13T18:00:00Z"),
            [
                "02-13 14:00",
                "02-13 15:00",
                "02-13 16:00",
                "02-13 17:00",
                "02-13 18:00"
            ]
        );
        assert_eq!(
            labels("2019-02-01", "2019-02-20T23:00:00Z"),
            [
                "2019-02-01",
                "2019-02-03",
                "2019-02-05",
                "2019-02-07",
                "2019-02-09",
                "2019-02-11",
                "2019-02-13",
                "2019-02-15",
                "2019-02-17",
                "2019-02-19"
            ]
            .map(|s| s.to_string())
        );
        // Two months: weeks, on Mondays.
        let weeks = labels("2024-01-01", "2024-03-01");
        assert_eq!(weeks[0], "2024-01-01");
        assert_eq!(weeks[1], "2024-01-08");
        // A year: months.
        assert_eq!(
            labels("2023-01-15", "2024-01-10"),
            [
                "2023-03", "2023-05", "2023-07", "2023-09", "2023-11", "2024-01"
            ]
        );
        assert_eq!(labels("2000-06-01", "2030-01-01")[0], "2005");
    }

    #[test]
    fn lines_break_at_missing_points() {
        let s = segments(
            &[1, 2, 3, 4, 5],
            [Some(1.0), None, Some(3.0), Some(4.0), None].into_iter(),
        );
        assert_eq!(s, vec![vec![(1, 1.0)], vec![(3, 3.0), (4, 4.0)]]);
        assert!(segments(&[1], [None].into_iter()).is_empty());
    }

    #[test]
    fn names_are_made_safe_for_xml() {
        assert_eq!(for_xml("a\u{1}b\u{ffff}<c>"), "a\u{fffd}b\u{fffd}<c>");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
