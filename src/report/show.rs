//! `followdrop show`: one account's falls put into words (text, 80
//! columns) or handed to scripts (JSON). The judgement is
//! [`crate::detect::explain`]'s; this module only says it.

use super::text::{
    INDENT, Style, WIDTH, counted, event_heading, outcome, paragraph, percent, sanitize, span,
    thousands, title_line, wrap,
};
use super::{InputSummary, SCHEMA_VERSION, Tool};
use crate::detect::explain::{Drop, Explanation, MAX_CHANCE, Mark, Row, Verdict, Window};
use crate::detect::{Check, Event, Persistence, Scope, Settings};
use crate::time::{format_duration, format_with};
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
    pub explanation: &'a Explanation,
    /// The account comes only from `--reference` inputs: it joins the
    /// cohort, but `scan` never reports it.
    pub reference: bool,
    /// The events `scan` reports the account in.
    pub events: Vec<&'a Event>,
}

impl<'a> ShowReport<'a> {
    /// The report of `explanation`, with those of `events` (as `scan`
    /// reports them) that list the account.
    pub fn new(
        input: InputSummary,
        settings: &'a Settings,
        explanation: &'a Explanation,
        reference: bool,
        events: &'a [Event],
    ) -> ShowReport<'a> {
        ShowReport {
            schema_version: SCHEMA_VERSION,
            tool: Tool::ours(),
            input,
            settings,
            explanation,
            reference,
            events: events
                .iter()
                .filter(|e| e.accounts.iter().any(|a| a.account == explanation.account))
                .collect(),
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
fn reported(v: &Verdict) -> Option<&str> {
    match v {
        Verdict::Platform { event, .. } | Verdict::Own { event, .. } => Some(event),
        Verdict::WithCohort | Verdict::Below { .. } => None,
    }
}

/// The event `scan` lists the drop in, if any (none for a reference
/// account, whatever its verdict).
fn listed_in<'r>(r: &'r ShowReport, d: &Drop) -> Option<&'r Event> {
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
        ShowFormat::Text => text(r, &Style { color }, out),
        ShowFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, r)?;
            writeln!(out)
        }
    }
}

fn text(r: &ShowReport, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let x = r.explanation;
    let name = sanitize(&x.account);
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
            "{} from {} to {} UTC, {} → {} followers. Usual movement: ±{} per {} \
             step around a trend of {} a day; the deviations below are multiples of \
             that spread, scaled to the time between snapshots.",
            counted(x.snapshots as u64, "snapshot", "snapshots"),
            when(x.first.0),
            when(x.last.0),
            thousands(x.first_followers),
            thousands(x.last_followers),
            fine_percent(x.usual.spread),
            format_duration(x.usual.step_seconds),
            signed_fine_percent(x.usual.trend_per_day),
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
                    "{} ({} UTC): {} of {} accounts fell together; {moved}",
                    a.event,
                    span(a.window.from.0, a.window.to.0),
                    thousands(u64::from(a.window.fell)),
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
fn heading(out: &mut dyn Write, style: &Style, code: &str, text: &str) -> io::Result<()> {
    for line in wrap(text, WIDTH) {
        writeln!(out, "{}", style.paint(code, &line))?;
    }
    Ok(())
}

/// The closing line: how many drops were reported, and what was not.
fn summary(r: &ShowReport, name: &str, out: &mut dyn Write) -> io::Result<()> {
    let x = r.explanation;
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
    d: &Drop,
    r: &ShowReport,
    name: &str,
    style: &Style,
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
                &format!("{} · {} · score {:.1}", e.id, outcome(e, s), e.score),
            )?;
        }
        None => title_line(out, style, "1", "NOT REPORTED", d.start.0, d.end.0)?,
    }
    let own_span = if event.is_some_and(|e| (e.start, e.end) != (d.start, d.end)) {
        format!(" from {} UTC", span(d.start.0, d.end.0))
    } else {
        String::new()
    };
    paragraph(
        out,
        INDENT,
        &format!(
            "{name} went from {} to {} followers{own_span}: -{} ({}), {}.{}",
            thousands(d.before),
            thousands(d.after),
            thousands(d.lost),
            loss_percent(d.relative_loss),
            deviations(d.z),
            following(d),
        ),
    )?;
    paragraph(out, INDENT, &cohort_sentence(d))?;
    table(d, style, out)?;
    for why in verdict(d, r, name) {
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

/// `45.2 of its own deviations below its usual movement`.
fn deviations(z: f64) -> String {
    if z < 0.0 {
        format!("{:.1} of its own deviations below its usual movement", -z)
    } else {
        format!("{z:.1} of its own deviations above its usual movement")
    }
}

/// ` Its following count went from 1,148 to 1,048.` when it moved.
fn following(d: &Drop) -> String {
    let at = |mark: Mark| d.rows.iter().find(|r| r.mark == mark)?.following;
    match (at(Mark::Before), at(Mark::After)) {
        (Some(a), Some(b)) if a != b => format!(
            " Its following count went from {} to {}.",
            thousands(a),
            thousands(b)
        ),
        _ => String::new(),
    }
}

fn cohort_sentence(d: &Drop) -> String {
    let c = &d.cohort;
    if c.others == 0 {
        return "No other account was observed across the same snapshots.".to_string();
    }
    let typical = c.typical_change.map_or(String::new(), |t| {
        format!("; the typical one moved {}", signed_fine_percent(t))
    });
    format!(
        "Across the same snapshots, {} of the {} observed fell too ({}){typical}.",
        thousands(u64::from(c.others_fell)),
        counted(u64::from(c.others), "other account", "other accounts"),
        percent(c.breadth(), 0),
    )
}

/// The snapshots around the drop: time, followers, change, the change's z,
/// and the following count when the data has one.
fn table(d: &Drop, style: &Style, out: &mut dyn Write) -> io::Result<()> {
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

fn mark(row: &Row) -> &'static str {
    match row.mark {
        Mark::None => "",
        Mark::Before => "before",
        Mark::During => "",
        Mark::After => "after",
        Mark::Recovered => "recovered",
    }
}

/// A z-score in the table: one decimal, at most seven characters.
fn z_cell(z: f64) -> String {
    let cell = format!("{:.1}", z.clamp(-99_999.0, 99_999.0));
    if cell == "-0.0" {
        "0.0".to_string()
    } else {
        cell
    }
}

fn signed_thousands(n: i64) -> String {
    match n {
        0 => "0".to_string(),
        n if n < 0 => format!("-{}", thousands(n.unsigned_abs())),
        n => format!("+{}", thousands(n.unsigned_abs())),
    }
}

/// Why the fall was, or was not, reported: the rule that decided it and the
/// numbers it looked at.
fn verdict(d: &Drop, r: &ShowReport, name: &str) -> Vec<String> {
    let s = r.settings;
    let c = &d.cohort;
    let others = |n: u32| counted(u64::from(n), "other account", "other accounts");
    let cohort_loss = percent(-c.typical_change.unwrap_or(0.0), 1);
    match &d.verdict {
        Verdict::Platform { window, event } => {
            let mut why = vec![platform_rule(window, s, "Platform-wide")];
            why.push(format!(
                "Within a platform event an account's own fall needs only half the usual \
                 bar, {:.1} deviations (--sensitivity {} ÷ 2), and {} followers and {} of \
                 the account beyond its usual growth (--min-lost, --min-drop): {name}'s \
                 fall passed.",
                s.sensitivity / 2.0,
                s.sensitivity,
                thousands(s.min_lost),
                percent(s.min_drop, 1),
            ));
            let excess = r
                .event(event)
                .and_then(|e| {
                    e.accounts
                        .iter()
                        .find(|a| a.account == r.explanation.account)
                })
                .is_some_and(|a| a.excess);
            if let (true, Some(e)) = (excess, r.event(event)) {
                why.push(format!(
                    "It lost far more than the event's typical account ({}): marked \
                     excess, possibly a purge of its own at the same time.",
                    percent(e.median_relative_loss, 1)
                ));
            }
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
                _ if c.breadth() < s.min_breadth => format!(
                    "Account-specific: {} of the {} observed fell with it ({}), under the \
                     {} a platform-wide event needs (--min-breadth); {} accounts observed \
                     are enough to judge (--min-cohort {}).",
                    thousands(u64::from(c.others_fell)),
                    others(c.others),
                    percent(c.breadth(), 0),
                    percent(s.min_breadth, 0),
                    thousands(u64::from(c.observed)),
                    s.min_cohort
                ),
                _ => format!(
                    "Account-specific although {} of the {} observed fell with it ({}, \
                     --min-breadth {}): it lost {}, more than three times their typical \
                     loss ({cohort_loss}), so the loss is its own.",
                    thousands(u64::from(c.others_fell)),
                    others(c.others),
                    percent(c.breadth(), 0),
                    percent(s.min_breadth, 0),
                    percent(d.relative_loss, 1),
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
        Verdict::WithCohort => vec![format!(
            "Not reported: {} of the {} observed fell with it ({}, at least --min-breadth \
             {}), and it lost {}, less than three times their typical loss \
             ({cohort_loss}): the loss is the cohort's, not its own (a long gap in its \
             snapshots spanning a platform-wide fall).",
            thousands(u64::from(c.others_fell)),
            others(c.others),
            percent(c.breadth(), 0),
            percent(s.min_breadth, 0),
            percent(d.relative_loss, 1),
        )],
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
                Some(p) => {
                    let lead = match &p.event {
                        Some(id) => format!("Not part of platform event {id}"),
                        None => "Not reported".to_string(),
                    };
                    let mut why = vec![platform_rule(
                        &p.window,
                        s,
                        &format!("{lead}. The cohort's fall was platform-wide"),
                    )];
                    let nobody = if p.event.is_none() {
                        " No account's own fall passed the bar there, so no event was reported."
                    } else {
                        ""
                    };
                    why.push(format!(
                        "But within it an account's own fall must reach half the usual bar \
                         and the size thresholds beyond its usual growth, and {name}'s did \
                         not: {reasons}.{nobody}"
                    ));
                    why
                }
            }
        }
    }
}

/// The platform rule applied to `w`: `lead`: from … to …, N of M fell
/// together, the bars, and how far beyond chance.
fn platform_rule(w: &Window, s: &Settings, lead: &str) -> String {
    format!(
        "{lead}: in the window that decided it, {} to {} UTC, {} of the {} observed ({}) \
         fell together. That takes at least {} accounts observed (--min-cohort), at \
         least {} of them falling (--min-breadth), and that many falling at once by \
         chance less likely than 1 in {}: it was {:.1} standard deviations beyond \
         chance.",
        format_with(w.from.0, "%Y-%m-%d %H:%M"),
        format_with(w.to.0, "%Y-%m-%d %H:%M"),
        thousands(u64::from(w.fell)),
        counted(u64::from(w.observed), "account", "accounts"),
        percent(w.breadth(), 0),
        s.min_cohort,
        percent(s.min_breadth, 0),
        thousands((1.0 / MAX_CHANCE).round() as u64),
        w.score,
    )
}

/// The thresholds a fall missed, in words.
fn shortfalls(
    d: &Drop,
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
fn recovery(d: &Drop, s: &Settings) -> String {
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
fn event_recovery(e: &Event) -> String {
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
