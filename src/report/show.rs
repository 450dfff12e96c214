//! `followdrop show`: one account's losses put into words (text, 80
//! columns) or handed to scripts (JSON). The judgement is
//! [`crate::detect::explain`]'s; this module only says it: it turns the
//! plain explanation (snapshot and finding indices) into the `show`
//! schema (times, counts, event ids) and writes it.

use super::event::{Event, id};
use super::text::{
    INDENT, Painter, WIDTH, counted, event_heading, outcome, paragraph, percent, span, thousands,
    title_line, wrap,
};
use super::{InputSummary, SCHEMA_VERSION, Tool};
use crate::detect::MAX_CHANCE;
use crate::detect::explain::{self, Explanation, Mark};
use crate::detect::{Check, Finding, Persistence, Scope, Settings};
use crate::grid::Grid;
use crate::sanitize::for_terminal;
use crate::stats::round;
use crate::time::{Timestamp, format_duration, format_with};
use serde::Serialize;
use std::io::{self, Write};

/// The formats of `show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    /// For people, 80 columns wide.
    Text,
    /// One JSON document, for scripts.
    Json,
}

/// Everything `show` prints: the data set, the settings, the explanation of
/// the account, and the events it is part of (as `scan` reports them).
#[derive(Debug, Serialize)]
pub struct ShowReport<'a> {
    /// First, as in the scan report, whose version it shares: `tool`,
    /// `input`, `settings` and `events` are the scan report's.
    pub schema_version: u32,
    pub tool: Tool,
    pub input: InputSummary,
    pub settings: &'a Settings,
    #[serde(flatten)]
    pub explanation: Shown,
    /// The account comes only from `--reference` inputs: it joins the
    /// cohort, but `scan` never reports it.
    pub reference: bool,
    /// The events `scan` reports the account in.
    pub events: Vec<&'a Event>,
}

/// The explanation of one account in the `show` schema.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub account: String,
    /// Snapshots on the grid (one per grid point).
    pub snapshots: usize,
    pub first: Timestamp,
    pub last: Timestamp,
    pub first_followers: u64,
    pub last_followers: u64,
    pub usual: Usual,
    /// Its parts in platform events, its reported losses, and its most
    /// abnormal unreported ones, in time order.
    pub drops: Vec<ShownDrop>,
    /// Unreported losses of its own not in `drops`, all less abnormal than
    /// those that are.
    pub more_falls: usize,
    /// The platform events it had no loss in.
    pub platform_without: Vec<Absent>,
}

/// How the account usually moves (its model).
#[derive(Debug, Clone, Serialize)]
pub struct Usual {
    /// Its usual spacing of snapshots, in seconds.
    pub step_seconds: i64,
    /// Robust standard deviation of its relative change over one usual
    /// step.
    pub spread: f64,
    /// Its long-run relative change per day.
    pub trend_per_day: f64,
    /// The step between two of its counts as shown (null when exact).
    pub count_step: Option<u64>,
}

/// One loss of the account, and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct ShownDrop {
    /// The last snapshot before the loss and the first at which it was complete.
    pub start: Timestamp,
    pub end: Timestamp,
    pub before: u64,
    pub after: u64,
    pub lost: u64,
    pub relative_loss: f64,
    /// How abnormal the loss is, in the account's own robust standard
    /// deviations (negative: below its usual movement).
    pub z: f64,
    /// The other accounts across the same snapshots' window.
    pub cohort: CohortView,
    pub verdict: Verdict,
    /// Persistence, judged as for an event (reported or not).
    pub persistence: Persistence,
    pub recovered_at: Option<Timestamp>,
    /// The largest share of the loss made up within the recovery window,
    /// beyond the usual trend (1 = all back); null when no snapshot lies in it.
    pub came_back: Option<f64>,
    /// The snapshots around the loss.
    pub rows: Vec<Row>,
}

/// The cohort across a loss's window.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CohortView {
    /// Accounts observed around the window, the account itself included.
    pub observed: u32,
    /// Other accounts observed, and how many of them fell too (by two of
    /// their own deviations).
    pub others: u32,
    pub others_fell: u32,
    /// Estimated share of the others affected, beyond their ordinary rate
    /// of falls.
    pub breadth: f64,
    /// Median relative change of the others.
    pub typical_change: Option<f64>,
}

/// The window of the cohort that started a platform event, and its evidence.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CohortFall {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Accounts observed around it, and how many fell by two of their own
    /// deviations.
    pub observed: u32,
    pub fell: u32,
    /// Estimated share of the observed accounts affected.
    pub breadth: f64,
    /// Standard deviations by which the cohort's fall exceeds chance (the
    /// platform event's score).
    pub score: f64,
}

impl CohortFall {
    fn of(w: &crate::detect::CohortWindow, bucket: i64) -> CohortFall {
        CohortFall {
            from: Timestamp(w.from * bucket),
            to: Timestamp(w.to * bucket),
            observed: w.tally.observed,
            fell: w.tally.fell,
            breadth: round(w.evidence.breadth, 4),
            score: round(w.evidence.score, 2),
        }
    }
}

/// What became of a loss.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// A member of platform event `event`, which the cohort's fall in
    /// `window` started: its own loss passed half the usual bar. `excess`:
    /// it lost far more than the event's typical member; `across_gap`: it
    /// was not observed during the event, and its loss is across its gap.
    Platform {
        event: String,
        window: CohortFall,
        excess: bool,
        across_gap: bool,
    },
    /// Reported as its own event, of scope `account` or `unknown`.
    Own { event: String, scope: Scope },
    /// Not reported: a threshold was missed. `bar` is the number of
    /// deviations asked for; inside a platform event (`platform`) that is
    /// half of `--sensitivity`, and the loss is counted beyond the usual
    /// growth (`size`, `share`).
    Below {
        check: Check,
        bar: f64,
        size: f64,
        share: f64,
        platform: Option<PlatformPeriod>,
    },
}

/// The platform event a loss lay in.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformPeriod {
    pub event: String,
    pub window: CohortFall,
}

/// A platform event the account had no loss in.
#[derive(Debug, Clone, Serialize)]
pub struct Absent {
    pub event: String,
    pub window: CohortFall,
    /// Its counts just before and after the event (null: no snapshot on
    /// that side).
    pub before: Option<u64>,
    pub after: Option<u64>,
}

/// One snapshot in the table around a loss.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub time: Timestamp,
    pub followers: u64,
    pub following: Option<u64>,
    /// Change since the previous snapshot, and how abnormal it is in the
    /// account's own deviations (null for the first snapshot).
    pub change: Option<i64>,
    pub z: Option<f64>,
    pub mark: ShownMark,
    /// Snapshots left out just before this one.
    pub skipped: usize,
}

/// What a row of the table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShownMark {
    None,
    /// The last snapshot before the loss.
    Before,
    /// Within the loss.
    During,
    /// The first snapshot at which the loss was complete.
    After,
    /// Where the account recovered.
    Recovered,
}

impl Shown {
    /// The explanation `x` of an account of `grid`, its events named as
    /// `findings` are.
    pub fn new(
        x: &Explanation,
        grid: &Grid,
        names: super::event::Names,
        findings: &[Finding],
    ) -> Shown {
        let bucket = grid.bucket;
        let track = &grid.tracks[x.account];
        let event = |k: usize| id(&findings[k], bucket, names);
        let time = |k: usize| Timestamp(track.time(k));
        let drops = x
            .drops
            .iter()
            .map(|d| {
                let span = d.loss.span;
                let verdict = match &d.verdict {
                    explain::ExplainedFate::Platform {
                        finding,
                        window,
                        excess,
                        across_gap,
                    } => Verdict::Platform {
                        event: event(*finding),
                        window: CohortFall::of(window, bucket),
                        excess: *excess,
                        across_gap: *across_gap,
                    },
                    explain::ExplainedFate::Own { finding, scope } => Verdict::Own {
                        event: event(*finding),
                        scope: *scope,
                    },
                    explain::ExplainedFate::Below {
                        check,
                        bar,
                        size,
                        share,
                        platform,
                    } => Verdict::Below {
                        check: *check,
                        bar: *bar,
                        size: round(*size, 2),
                        share: round(*share, 5),
                        platform: platform.map(|(k, w)| PlatformPeriod {
                            event: event(k),
                            window: CohortFall::of(&w, bucket),
                        }),
                    },
                };
                ShownDrop {
                    start: time(span.before),
                    end: time(span.after),
                    before: track.count(span.before),
                    after: track.count(span.after),
                    lost: d.loss.lost,
                    relative_loss: round(d.loss.relative, 5),
                    z: round(d.loss.z, 3),
                    cohort: CohortView {
                        observed: d.cohort.observed,
                        others: d.cohort.others,
                        others_fell: d.cohort.others_fell,
                        breadth: round(d.cohort.breadth, 4),
                        typical_change: d.cohort.typical_change.map(|c| round(c, 5)),
                    },
                    verdict,
                    persistence: d.outcome.persistence,
                    recovered_at: d.outcome.recovered_at.map(Timestamp),
                    came_back: d.came_back.map(|b| round(b, 4)),
                    rows: d.rows.iter().map(|r| row(track, r)).collect(),
                }
            })
            .collect();
        let n = track.len();
        let usual = &x.usual;
        Shown {
            account: names.accounts[x.account].clone(),
            snapshots: n,
            first: Timestamp(if n == 0 { 0 } else { track.time(0) }),
            last: Timestamp(if n == 0 { 0 } else { track.time(n - 1) }),
            first_followers: track.followers.first().unwrap_or(0),
            last_followers: track.followers.last().unwrap_or(0),
            usual: Usual {
                step_seconds: usual.step * bucket,
                spread: round(usual.spread, 7),
                trend_per_day: round((usual.trend * 86_400.0 / bucket as f64).exp_m1(), 7),
                count_step: (usual.count_step > 1).then_some(usual.count_step),
            },
            drops,
            more_falls: x.more_falls,
            platform_without: x
                .absent
                .iter()
                .map(|a| Absent {
                    event: event(a.finding),
                    window: CohortFall::of(&a.window, bucket),
                    before: a.before.map(|k| track.count(k)),
                    after: a.after.map(|k| track.count(k)),
                })
                .collect(),
        }
    }
}

/// A table row in the schema's terms.
fn row(track: &crate::grid::Track, r: &explain::Row) -> Row {
    let k = r.snapshot;
    Row {
        time: Timestamp(track.time(k)),
        followers: track.count(k),
        following: track.following.get(k),
        change: (k > 0).then(|| track.count(k) as i64 - track.count(k - 1) as i64),
        z: r.z.map(|z| round(z, 3)),
        mark: match r.mark {
            Mark::None => ShownMark::None,
            Mark::Before => ShownMark::Before,
            Mark::During => ShownMark::During,
            Mark::After => ShownMark::After,
            Mark::Recovered => ShownMark::Recovered,
        },
        skipped: r.skipped,
    }
}

impl<'a> ShowReport<'a> {
    /// The report of `explanation`, with those of `events` (as `scan`
    /// reports them) that list the account.
    pub fn new(
        input: InputSummary,
        settings: &'a Settings,
        explanation: Shown,
        reference: bool,
        events: &'a [Event],
    ) -> ShowReport<'a> {
        let listed = events
            .iter()
            .filter(|e| e.accounts.iter().any(|a| a.account == explanation.account))
            .collect();
        ShowReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool::ours(),
            input,
            settings,
            explanation,
            reference,
            events: listed,
        }
    }

    /// Whether any of the account's drops was reported (exit status 1).
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    fn event(&self, id: &str) -> Option<&Event> {
        self.events.iter().copied().find(|e| e.id == id)
    }
}

/// The id of the event a verdict reported the fall in, if any.
pub(super) fn reported(v: &Verdict) -> Option<&str> {
    match v {
        Verdict::Platform { event, .. } | Verdict::Own { event, .. } => Some(event),
        Verdict::Below { .. } => None,
    }
}

/// The event `scan` lists the drop in, if any (none for a reference
/// account, whatever its verdict).
fn listed_in<'r>(r: &'r ShowReport, d: &ShownDrop) -> Option<&'r Event> {
    reported(&d.verdict).and_then(|id| r.event(id))
}

/// Writes the report in `format`.
pub fn write(
    r: &ShowReport,
    format: ShowFormat,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ShowFormat::Text => text(r, &Painter { color }, out),
        ShowFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, r)?;
            writeln!(out)
        }
    }
}

fn text(r: &ShowReport, style: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let x = &r.explanation;
    let name = for_terminal(&x.account);
    writeln!(
        out,
        "followdrop {} · {} · {} · grid {}",
        r.tool.version,
        counted(r.input.files.len() as u64, "file", "files"),
        counted(r.input.accounts as u64, "account", "accounts"),
        format_duration(r.input.bucket_seconds),
    )?;
    writeln!(out)?;
    heading(out, style, "1", &name)?;
    let when = |t: i64| format_with(t, "%Y-%m-%d %H:%M");
    let about = if x.snapshots < 2 {
        format!(
            "1 snapshot, at {} UTC: {} followers. With nothing to compare it \
             with, its movement cannot be judged.",
            when(x.first.0),
            thousands(x.first_followers)
        )
    } else {
        format!(
            "{} from {} to {} UTC, {} → {} followers. {}; the deviations below are \
             multiples of its spread over the time each change took.",
            counted(x.snapshots as u64, "snapshot", "snapshots"),
            when(x.first.0),
            when(x.last.0),
            thousands(x.first_followers),
            thousands(x.last_followers),
            usual_movement(&x.usual),
        )
    };
    paragraph(out, INDENT, &about)?;
    if r.reference {
        paragraph(
            out,
            INDENT,
            "A reference account (--reference): it counts in the cohort that judges \
             platform-wide events but is never reported, so each fall below is marked \
             not reported, with the verdict it would have had.",
        )?;
    }
    for d in &x.drops {
        writeln!(out)?;
        drop(d, r, &name, style, out)?;
    }
    if !x.platform_without.is_empty() {
        writeln!(out)?;
        let title = format!("PLATFORM EVENTS WITHOUT {}", name.to_uppercase());
        heading(out, style, "1", &title)?;
        for a in &x.platform_without {
            let moved = match (a.before, a.after) {
                (Some(b), Some(c)) => format!(
                    "{name} went from {} to {}: no fall.",
                    thousands(b),
                    thousands(c)
                ),
                _ => format!(
                    "{name} was not observed then (no snapshot close enough on both sides)."
                ),
            };
            paragraph(
                out,
                INDENT,
                &format!(
                    "{} ({} UTC): about {} of {} accounts affected; {moved}",
                    a.event,
                    span(a.window.from.0, a.window.to.0),
                    percent(a.window.breadth, 0),
                    thousands(u64::from(a.window.observed)),
                ),
            )?;
        }
    }
    writeln!(out)?;
    summary(r, &name, out)
}

/// A heading, wrapped to the width before it is painted (so that a long
/// name never cuts a colour code in two).
fn heading(out: &mut dyn Write, style: &Painter, code: &str, text: &str) -> io::Result<()> {
    for line in wrap(text, WIDTH) {
        writeln!(out, "{}", style.paint(code, &line))?;
    }
    Ok(())
}

/// `Usual movement: ±0.0040% per 1h step around a trend of +0.062% a day`,
/// and the rounding of its counts when they are rounded.
pub(super) fn usual_movement(u: &Usual) -> String {
    format!(
        "Usual movement: ±{} per {} step around a trend of {} a day{}",
        fine_percent(u.spread),
        format_duration(u.step_seconds),
        signed_fine_percent(u.trend_per_day),
        u.count_step.map_or(String::new(), |step| format!(
            ", its counts shown rounded (to steps of {}, a loss must exceed two)",
            thousands(step)
        )),
    )
}

/// The closing line: how many drops were reported, and what was not.
fn summary(r: &ShowReport, name: &str, out: &mut dyn Write) -> io::Result<()> {
    let x = &r.explanation;
    let count = |scope: Scope| r.events.iter().filter(|e| e.class.scope == scope).count() as u64;
    let mut parts = Vec::new();
    for (scope, what) in [
        (Scope::Platform, "platform-wide"),
        (Scope::Account, "account-specific"),
        (Scope::Unknown, "of unknown scope"),
    ] {
        let n = count(scope);
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let head = if r.events.is_empty() {
        format!("{name}: no drop reported")
    } else {
        format!(
            "{name}: {} reported ({})",
            counted(r.events.len() as u64, "drop", "drops"),
            parts.join(", ")
        )
    };
    let unreported = x.drops.iter().filter(|d| listed_in(r, d).is_none()).count();
    let tail = match (unreported, x.more_falls) {
        (0, 0) => String::new(),
        (0, more) => format!(
            "; {} not reported, not shown (--falls)",
            counted(more as u64, "fall", "falls")
        ),
        (n, 0) => format!(
            "; {} not reported, shown above",
            counted(n as u64, "fall", "falls")
        ),
        (n, more) => format!(
            "; {} not reported, {} shown above (--falls)",
            counted((n + more) as u64, "fall", "falls"),
            thousands(n as u64)
        ),
    };
    paragraph(out, "", &format!("{head}{tail}."))
}

/// One fall: title, the loss in words, the cohort at that moment, the
/// snapshots around it, why it was or was not reported, and what became of
/// it.
fn drop(
    d: &ShownDrop,
    r: &ShowReport,
    name: &str,
    style: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = r.settings;
    let event = listed_in(r, d);
    match event {
        Some(e) => {
            event_heading(out, style, e)?;
            paragraph(
                out,
                INDENT,
                &format!(
                    "{} · {} · score {:.1}",
                    for_terminal(&e.id),
                    outcome(e, s),
                    e.score
                ),
            )?;
        }
        None => title_line(out, style, "1", "NOT REPORTED", d.start.0, d.end.0)?,
    }
    paragraph(out, INDENT, &loss_sentence(d, event, name))?;
    paragraph(out, INDENT, &cohort_sentence(d))?;
    table(d, style, out)?;
    for why in verdict(d, s, event, name) {
        paragraph(out, INDENT, &why)?;
    }
    if let Some(e) = event {
        paragraph(out, INDENT, &recovery(d, s))?;
        if e.class.scope == Scope::Platform {
            paragraph(out, INDENT, &event_recovery(e))?;
        }
    }
    Ok(())
}

/// `arianagrande went from 145,012,331 to 143,029,191 followers: -1,983,140
/// (1.4%), 179.6 of its own deviations below its usual movement.`, with
/// the loss's own span when it differs from its event's.
pub(super) fn loss_sentence(d: &ShownDrop, event: Option<&Event>, name: &str) -> String {
    let own_span = if event.is_some_and(|e| (e.start, e.end) != (d.start, d.end)) {
        format!(" from {} UTC", span(d.start.0, d.end.0))
    } else {
        String::new()
    };
    format!(
        "{name} went from {} to {} followers{own_span}: -{} ({}), {}.{}",
        thousands(d.before),
        thousands(d.after),
        thousands(d.lost),
        loss_percent(d.relative_loss),
        deviations(d.z),
        following(d),
    )
}

/// `45.2 of its own deviations below its usual movement`.
fn deviations(z: f64) -> String {
    if z < 0.0 {
        format!("{:.1} of its own deviations below its usual movement", -z)
    } else {
        format!("{z:.1} of its own deviations above its usual movement")
    }
}

/// ` Its following count went from 1,148 to 1,048.` when it moved.
fn following(d: &ShownDrop) -> String {
    let at = |mark: ShownMark| d.rows.iter().find(|r| r.mark == mark)?.following;
    match (at(ShownMark::Before), at(ShownMark::After)) {
        (Some(a), Some(b)) if a != b => format!(
            " Its following count went from {} to {}.",
            thousands(a),
            thousands(b)
        ),
        _ => String::new(),
    }
}

pub(super) fn cohort_sentence(d: &ShownDrop) -> String {
    let c = &d.cohort;
    if c.others == 0 {
        return "No other account was observed across the same snapshots.".to_string();
    }
    let typical = c.typical_change.map_or(String::new(), |t| {
        format!("; the typical one moved {}", signed_fine_percent(t))
    });
    format!(
        "Across the same snapshots, {} of the {} observed fell too (about {} affected \
         beyond the ordinary rate){typical}.",
        thousands(u64::from(c.others_fell)),
        counted(u64::from(c.others), "other account", "other accounts"),
        percent(c.breadth, 0),
    )
}

/// The snapshots around the drop: time, followers, change, the change's z,
/// and the following count when the data has one.
pub(super) fn table(d: &ShownDrop, style: &Painter, out: &mut dyn Write) -> io::Result<()> {
    let with_following = d.rows.iter().any(|r| r.following.is_some());
    let line = |cells: [&str; 5]| {
        let mut line = format!(
            "{INDENT}{:<16} {:>13} {:>12} {:>7}",
            cells[0], cells[1], cells[2], cells[3]
        );
        if with_following {
            line.push_str(&format!(" {:>11}", cells[4]));
        }
        line
    };
    writeln!(
        out,
        "{}",
        line(["time", "followers", "change", "z", "following"])
    )?;
    for row in &d.rows {
        if row.skipped > 0 {
            writeln!(
                out,
                "{INDENT}… {}",
                counted(row.skipped as u64, "snapshot", "snapshots")
            )?;
        }
        let cells = line([
            &format_with(row.time.0, "%Y-%m-%d %H:%M"),
            &thousands(row.followers),
            &row.change.map_or(String::new(), signed_thousands),
            &row.z.map_or(String::new(), z_cell),
            &row.following.map_or(String::new(), thousands),
        ]);
        match mark(row) {
            "" => writeln!(out, "{}", cells.trim_end())?,
            label => writeln!(out, "{cells}  {}", style.paint("1", label))?,
        }
    }
    Ok(())
}

pub(super) fn mark(row: &Row) -> &'static str {
    match row.mark {
        ShownMark::None => "",
        ShownMark::Before => "before",
        ShownMark::During => "",
        ShownMark::After => "after",
        ShownMark::Recovered => "recovered",
    }
}

/// A z-score in the table: one decimal, at most seven characters.
pub(super) fn z_cell(z: f64) -> String {
    let cell = format!("{:.1}", z.clamp(-99_999.0, 99_999.0));
    if cell == "-0.0" {
        "0.0".to_string()
    } else {
        cell
    }
}

pub(super) fn signed_thousands(n: i64) -> String {
    match n {
        0 => "0".to_string(),
        n if n < 0 => format!("-{}", thousands(n.unsigned_abs())),
        n => format!("+{}", thousands(n.unsigned_abs())),
    }
}

/// Why the loss was, or was not, reported: the rule that decided it and the
/// numbers it looked at. `event`: the event it is listed in.
pub(super) fn verdict(
    d: &ShownDrop,
    s: &Settings,
    event: Option<&Event>,
    name: &str,
) -> Vec<String> {
    let c = &d.cohort;
    match &d.verdict {
        Verdict::Platform { window, .. } => {
            let mut why = vec![platform_rule(window, s, "Platform-wide")];
            why.extend(across_gap_sentence(d, name));
            why.push(half_bar_sentence(s, &format!("{name}'s")));
            why.extend(event.and_then(|e| excess_sentence(d, e)));
            why
        }
        Verdict::Own { scope, .. } => {
            let scope_why = match scope {
                Scope::Unknown => format!(
                    "Scope unknown: only {} observed around it, fewer than --min-cohort {}: \
                     platform or account cannot be told.",
                    counted(u64::from(c.observed), "account was", "accounts were"),
                    s.min_cohort
                ),
                _ => format!(
                    "Account-specific: {} accounts were observed around it (--min-cohort \
                     {}), and the cohort did not fall with it: about {} of the others were \
                     affected, no platform event there.",
                    thousands(u64::from(c.observed)),
                    s.min_cohort,
                    percent(c.breadth, 0),
                ),
            };
            vec![
                scope_why,
                format!(
                    "Reported: {:.1} deviations passes the bar of {} (--sensitivity), and \
                     {} followers ({}) pass --min-lost {} and --min-drop {}.",
                    -d.z,
                    s.sensitivity,
                    thousands(d.lost),
                    percent(d.relative_loss, 1),
                    thousands(s.min_lost),
                    percent(s.min_drop, 1),
                ),
            ]
        }
        Verdict::Below {
            check,
            bar,
            size,
            share,
            platform,
        } => {
            let beyond = platform.is_some();
            let reasons = shortfalls(d, check, *bar, *size, *share, beyond, s).join("; ");
            match platform {
                None => vec![format!("Not reported: {reasons}.")],
                Some(p) => vec![
                    platform_rule(
                        &p.window,
                        s,
                        &format!(
                            "Not part of platform event {}. The cohort's fall was platform-wide",
                            p.event
                        ),
                    ),
                    format!(
                        "But within it an account's own loss must reach half the usual bar \
                         and the size thresholds beyond its usual growth, and {name}'s did \
                         not: {reasons}."
                    ),
                ],
            }
        }
    }
}

/// For a platform event's member seen only across a gap in its snapshots,
/// what that means.
pub(super) fn across_gap_sentence(d: &ShownDrop, name: &str) -> Option<String> {
    let Verdict::Platform {
        across_gap: true, ..
    } = d.verdict
    else {
        return None;
    };
    Some(format!(
        "{name} was not observed during the event (a gap in its snapshots from \
         {} to {} UTC): its loss across the gap, beyond what its own noise over \
         that time allows, is its part in the event, not a purge of its own.",
        format_with(d.start.0, "%Y-%m-%d %H:%M"),
        format_with(d.end.0, "%Y-%m-%d %H:%M"),
    ))
}

/// The bar a platform event's member passed; `whose`: `nytimes's`.
pub(super) fn half_bar_sentence(s: &Settings, whose: &str) -> String {
    format!(
        "Within a platform event an account's own loss needs only half the usual \
         bar, {:.1} deviations (--sensitivity {} ÷ 2), and {} followers and {} of \
         the account beyond its usual growth (--min-lost, --min-drop): {whose} \
         passed.",
        s.sensitivity / 2.0,
        s.sensitivity,
        thousands(s.min_lost),
        percent(s.min_drop, 1),
    )
}

/// For a platform event's member marked excess, what that means.
pub(super) fn excess_sentence(d: &ShownDrop, e: &Event) -> Option<String> {
    let Verdict::Platform { excess: true, .. } = d.verdict else {
        return None;
    };
    Some(format!(
        "It lost far more than the event's typical account ({}): marked \
         excess, possibly a purge of its own at the same time.",
        percent(e.median_relative_loss, 1)
    ))
}

/// The platform rule applied to `w`: `lead`: the window that started it,
/// the share of the cohort affected, and how far beyond chance.
pub(super) fn platform_rule(w: &CohortFall, s: &Settings, lead: &str) -> String {
    format!(
        "{lead}: in the window that started it, {} to {} UTC, {} of the {} observed fell \
         by two of their own deviations or more, and about {} of them were affected \
         (their falls beyond the ordinary rate, faint ones counted through the cohort as \
         a whole). That takes at least {} accounts observed (--min-cohort), at least {} \
         affected (--min-breadth), and a fall of the cohort less likely than 1 in {} by \
         chance: it was {:.1} standard deviations beyond chance.",
        format_with(w.from.0, "%Y-%m-%d %H:%M"),
        format_with(w.to.0, "%Y-%m-%d %H:%M"),
        thousands(u64::from(w.fell)),
        counted(u64::from(w.observed), "account", "accounts"),
        percent(w.breadth, 0),
        s.min_cohort,
        percent(s.min_breadth, 0),
        thousands((1.0 / MAX_CHANCE).round() as u64),
        w.score,
    )
}

/// The thresholds a fall missed, in words.
fn shortfalls(
    d: &ShownDrop,
    check: &Check,
    bar: f64,
    size: f64,
    share: f64,
    beyond_trend: bool,
    s: &Settings,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if !check.abnormal {
        let asked = if beyond_trend {
            format!("half of --sensitivity {}", s.sensitivity)
        } else {
            "--sensitivity".to_string()
        };
        let how = if d.z < 0.0 {
            format!(
                "{} deviations below its usual movement",
                short_of(-d.z, bar)
            )
        } else {
            "no deviation below its usual movement".to_string()
        };
        reasons.push(format!(
            "not abnormal enough ({how}, short of the {bar:.1} asked for by {asked})"
        ));
    }
    let beyond = if beyond_trend {
        " beyond its usual growth"
    } else {
        ""
    };
    if !check.enough_followers {
        let lost = if size > 0.0 {
            counted(size.round() as u64, "follower", "followers")
        } else {
            "no follower".to_string()
        };
        reasons.push(format!(
            "too few followers ({lost} lost{beyond}, under --min-lost {})",
            thousands(s.min_lost)
        ));
    }
    if !check.enough_share {
        reasons.push(format!(
            "too small a share ({} of the account{beyond}, under --min-drop {})",
            percent(share.max(0.0), 2),
            percent(s.min_drop, 1)
        ));
    }
    reasons
}

/// `x`, just short of `bar`, with the decimals it takes not to read as
/// `bar` itself (3.46 short of 3.5 is `3.46`, not `3.5`).
fn short_of(x: f64, bar: f64) -> String {
    (1..4)
        .map(|digits| format!("{x:.digits$}"))
        .find(|shown| *shown != format!("{bar:.1}") && shown.parse::<f64>().is_ok_and(|v| v < bar))
        .unwrap_or_else(|| format!("{x:.4}"))
}

/// What became of the account's own loss.
pub(super) fn recovery(d: &ShownDrop, s: &Settings) -> String {
    let window = format_duration(s.recovery_window);
    let share = percent(s.recovery_share, 0);
    let back = d
        .came_back
        .map_or("none".to_string(), |b| percent(b.max(0.0), 0));
    match (d.persistence, d.recovered_at) {
        (Persistence::Reverted, Some(t)) => format!(
            "Recovered {} UTC: it had made up {share} of the loss (--recovery-share), \
             beyond its usual trend, within {window} (--recovery-window).",
            format_with(t.0, "%Y-%m-%d %H:%M")
        ),
        (Persistence::Persistent, _) | (Persistence::Reverted, None) => format!(
            "Not recovered: within {window} (--recovery-window) it made back at most \
             {back} of the loss beyond its usual trend; {share} is needed \
             (--recovery-share)."
        ),
        (Persistence::Undetermined, _) => format!(
            "Too recent to tell: the data ends before its {window} recovery window \
             closes (--recovery-window); by then it had made back {back} of the loss \
             ({share} is needed)."
        ),
    }
}

/// What became of a platform event as a whole: the majority rule.
pub(super) fn event_recovery(e: &Event) -> String {
    let n = e.accounts.len() as u64;
    let back = e
        .accounts
        .iter()
        .filter(|a| a.recovered_at.is_some())
        .count() as u64;
    let (verdict, within) = match e.class.persistence {
        Persistence::Reverted => ("reverted", "within the window"),
        Persistence::Persistent => ("did not revert", "within the window"),
        Persistence::Undetermined => ("cannot be judged yet", "so far"),
    };
    format!(
        "The event as a whole {verdict}: {} of its {} recovered {within}, and it \
         reverts when most do.",
        thousands(back),
        counted(n, "account", "accounts"),
    )
}

/// A relative loss: one decimal as in `scan`'s report, more when that
/// would read `0.0%`.
fn loss_percent(x: f64) -> String {
    if x >= 0.001 {
        percent(x, 1)
    } else {
        fine_percent(x)
    }
}

/// A small percentage with two significant digits: `0.052%`, `1.3%`.
fn fine_percent(x: f64) -> String {
    let p = x.abs() * 100.0;
    if p == 0.0 {
        return "0%".to_string();
    }
    let digits = if p >= 1.0 {
        1
    } else if p >= 0.1 {
        2
    } else if p >= 0.01 {
        3
    } else {
        4
    };
    format!("{p:.digits$}%")
}

fn signed_fine_percent(x: f64) -> String {
    let sign = if x < 0.0 { "-" } else { "+" };
    format!("{sign}{}", fine_percent(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_numbers() {
        assert_eq!(fine_percent(0.000_52), "0.052%");
        assert_eq!(fine_percent(0.013), "1.3%");
        assert_eq!(signed_fine_percent(-0.0012), "-0.12%");
        assert_eq!(signed_fine_percent(0.0), "+0%");
        assert_eq!(fine_percent(0.000_000_1), "0.0000%");
        assert_eq!(signed_thousands(-1_685_656), "-1,685,656");
        assert_eq!(signed_thousands(12), "+12");
        assert_eq!(z_cell(-1e9), "-99999.0");
        assert_eq!(z_cell(-0.04), "0.0");
        assert_eq!(short_of(2.46, 3.5), "2.5");
        assert_eq!(short_of(3.46, 3.5), "3.46");
        assert_eq!(short_of(3.4999, 3.5), "3.4999");
    }
}
