//! The text report: for people, readable in an 80-column terminal. Each
//! event says what it is, why it was called so, and who it hit.

use super::event::Event;
use super::{EventSparklines, Report};
use crate::detect::{Persistence, Scope, Settings};
use crate::sanitize::for_terminal;
use crate::time::{format_duration, format_with};
use std::io::{self, Write};

/// Affected accounts listed per event before "… N more".
pub(super) const MAX_ROWS: usize = 10;
/// Width of the account column; longer names are cut with `…`.
const NAME_WIDTH: usize = 16;
/// Widest line of prose: two columns short of an 80-column terminal, which
/// the table (79) and the header lines also fit.
pub(super) const WIDTH: usize = 78;
/// Indent of everything under an event's title.
pub(super) const INDENT: &str = "  ";

pub(super) struct Painter {
    pub(super) color: bool,
}

impl Painter {
    pub(super) fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn write(r: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let style = Painter { color };
    writeln!(
        out,
        "followdrop {} · {} · {} · {}",
        r.tool.version,
        counted(r.input.files.len() as u64, "file", "files"),
        counted(r.input.rows as u64, "snapshot", "snapshots"),
        counted(r.input.accounts as u64, "account", "accounts"),
    )?;
    let references = match r.input.reference_accounts {
        0 => String::new(),
        n => format!(" · {} for reference only", thousands(n as u64)),
    };
    writeln!(
        out,
        "{} → {} UTC · grid {}{references}",
        format_with(r.input.first.0, "%Y-%m-%d"),
        format_with(r.input.last.0, "%Y-%m-%d"),
        format_duration(r.input.bucket_seconds),
    )?;
    for (i, e) in r.events.iter().enumerate() {
        writeln!(out)?;
        event(e, r, r.sparklines.get(i), &style, out)?;
    }
    writeln!(out)?;
    let s = &r.summary;
    if s.events == 0 {
        return match &r.state {
            Some(state) => paragraph(
                out,
                "",
                &format!("Nothing new or changed since the last run with --state {state}."),
            ),
            None => writeln!(out, "No sudden follower loss found."),
        };
    }
    let events = counted(s.events as u64, "event", "events");
    let new = if r.state.is_some() {
        "new or changed "
    } else {
        ""
    };
    paragraph(out, "", &format!("{new}{events}: {}.", by_scope(s)))
}

/// The events by scope: `1 platform-wide, 2 account-specific`.
pub(super) fn by_scope(s: &super::Summary) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (s.platform_events, "platform-wide"),
        (s.account_events, "account-specific"),
        (s.unknown_scope_events, "of unknown scope"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.join(", ")
}

/// An event: its kind and time span, its outcome and score, then in words
/// why it was called so, and who it hit (with their sparklines when drawn).
fn event(
    e: &Event,
    r: &Report,
    sparks: Option<&EventSparklines>,
    style: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    event_heading(out, style, e)?;
    let cohort = match &e.cohort {
        Some(c) => format!(" · cohort {c}"),
        None => String::new(),
    };
    paragraph(
        out,
        INDENT,
        &format!("{} · score {:.1}{cohort}", outcome(e, &r.settings), e.score),
    )?;
    if let Some(previous) = &e.previous_kind {
        let was = previous.replace('_', " ");
        paragraph(
            out,
            INDENT,
            &format!(
                "Reported before as {was}; now known to be {}.",
                e.class.kind().replace('_', " ")
            ),
        )?;
    }
    match e.class.scope {
        Scope::Platform => platform(e, r, sparks, style, out),
        Scope::Account | Scope::Unknown => {
            single(e, r, out)?;
            match sparks.and_then(|s| Some((s, s.lines.first()?.as_ref()?))) {
                Some((s, line)) => {
                    paragraph(out, INDENT, &format!("Followers {}:", s.window.caption()))?;
                    writeln!(out, "{INDENT}{line}")
                }
                None => Ok(()),
            }
        }
    }
}

/// An event's first line: its kind as a title, in its scope's colour, and
/// its span.
pub(super) fn event_heading(out: &mut dyn Write, style: &Painter, e: &Event) -> io::Result<()> {
    let title = e.class.kind().replace('_', " ").to_uppercase();
    title_line(
        out,
        style,
        scope_color(e.class.scope),
        &title,
        e.start.0,
        e.end.0,
    )
}

/// A first line: `title` painted with `color`, then the span.
pub(super) fn title_line(
    out: &mut dyn Write,
    style: &Painter,
    color: &str,
    title: &str,
    start: i64,
    end: i64,
) -> io::Result<()> {
    writeln!(
        out,
        "{}  {} UTC",
        style.paint(color, title),
        span(start, end)
    )
}

/// The colour of an event's title, by scope.
pub(super) fn scope_color(scope: Scope) -> &'static str {
    match scope {
        Scope::Platform => "1;35",
        Scope::Account => "1;31",
        Scope::Unknown => "1;33",
    }
}

/// `2019-02-13 14:00 → 17:00`, the end's date written only when it differs.
pub(super) fn span(start: i64, end: i64) -> String {
    let same_day = format_with(start, "%F") == format_with(end, "%F");
    let end = format_with(end, if same_day { "%H:%M" } else { "%Y-%m-%d %H:%M" });
    format!("{} → {end}", format_with(start, "%Y-%m-%d %H:%M"))
}

/// What became of an event: recovered when, not recovered, or too recent.
pub(super) fn outcome(e: &Event, settings: &Settings) -> String {
    match (e.class.persistence, e.recovered_at) {
        (Persistence::Reverted, Some(t)) => {
            format!("recovered {} UTC", format_with(t.0, "%Y-%m-%d %H:%M"))
        }
        (Persistence::Persistent, _) => format!(
            "not recovered within {}",
            format_duration(settings.recovery_window)
        ),
        _ => "too recent to tell if it recovers".to_string(),
    }
}

fn platform(
    e: &Event,
    r: &Report,
    sparks: Option<&EventSparklines>,
    style: &Painter,
    out: &mut dyn Write,
) -> io::Result<()> {
    for words in platform_words(e, &r.settings) {
        paragraph(out, INDENT, &words)?;
    }
    if let Some(s) = sparks {
        paragraph(
            out,
            INDENT,
            &format!("Sparklines: followers {}.", s.window.caption()),
        )?;
    }
    writeln!(
        out,
        "{INDENT}{:<NAME_WIDTH$} {:>13} {:>13} {:>12} {:>6}  recovered",
        "account", "before", "after", "lost", "loss"
    )?;
    for (i, a) in e.accounts.iter().take(MAX_ROWS).enumerate() {
        let recovered = a
            .recovered_at
            .map_or("—".to_string(), |t| format_with(t.0, "%m-%d %H:%M"));
        let mark = if a.excess {
            style.paint("1", "!")
        } else if a.across_gap.is_some() {
            "~".to_string()
        } else {
            " ".to_string()
        };
        writeln!(
            out,
            "{INDENT}{:<NAME_WIDTH$} {:>13} {:>13} {:>12} {:>6}{mark} {recovered}",
            fit(&a.shown_name()),
            thousands(a.before),
            thousands(a.after),
            format!("-{}", thousands(a.lost)),
            percent(a.relative_loss, 1),
        )?;
        if let Some(line) = sparks.and_then(|s| s.lines.get(i)?.as_ref()) {
            writeln!(out, "{INDENT}{:NAME_WIDTH$} {line}", "")?;
        }
    }
    if e.accounts.len() > MAX_ROWS {
        let more = (e.accounts.len() - MAX_ROWS) as u64;
        paragraph(
            out,
            INDENT,
            &format!("… {} more (--format csv lists all)", thousands(more)),
        )?;
    }
    let listed = &e.accounts[..e.accounts.len().min(MAX_ROWS)];
    if listed.iter().any(|a| a.excess) {
        paragraph(out, INDENT, &format!("! {EXCESS}"))?;
    }
    if listed.iter().any(|a| !a.excess && a.across_gap.is_some()) {
        paragraph(out, INDENT, &format!("~ {ACROSS_GAP}"))?;
    }
    Ok(())
}

/// What the marks of a platform event's accounts mean.
pub(super) const EXCESS: &str =
    "hit far harder than the rest (excess): possibly a purge of its own.";
pub(super) const ACROSS_GAP: &str =
    "not observed during the event: its loss is seen across a gap in its snapshots.";

/// Why a platform event was called so, in sentences: how broadly the
/// cohort fell, how much was lost, and what the following counts did.
pub(super) fn platform_words(e: &Event, settings: &Settings) -> Vec<String> {
    let cohort = u64::from(e.cohort_size);
    let affected = e.accounts_affected as u64;
    let across_gap = e.accounts.iter().filter(|a| a.across_gap.is_some()).count() as u64;
    let gaps = match across_gap {
        0 => String::new(),
        n => format!(
            "; {} seen only across a gap in {} snapshots",
            thousands(n),
            if n == 1 { "its" } else { "their" }
        ),
    };
    // With --account or --reference only some accounts are listed; the
    // totals are the event's.
    let listed = if e.accounts.len() == e.accounts_affected {
        "listed".to_string()
    } else {
        format!(
            "{} listed, the others left out by --account or --reference",
            thousands(e.accounts.len() as u64)
        )
    };
    let mut words = vec![format!(
        "The cohort fell together: about {} of {} observed were affected; a platform \
         event needs {}. {} lost abnormally ({listed}{gaps}), typically {}; {} lost.",
        percent(e.breadth, 0),
        counted(cohort, "account", "accounts"),
        percent(settings.min_breadth, 0),
        counted(affected, "account", "accounts"),
        percent(e.median_relative_loss, 1),
        counted(e.followers_lost, "follower", "followers"),
    )];
    // Following counts that fell with the followers across much of the cohort
    // are what a platform fault looks like (SPEC); a few are everyday noise.
    match e.following_breadth {
        Some(fb) if fb >= settings.min_breadth => words.push(format!(
            "Following counts fell too in {} of the cohort: a sign of a platform fault.",
            percent(fb, 0)
        )),
        Some(fb) if fb > 0.0 => words.push(format!(
            "Following counts fell at the same time in {} of the cohort.",
            percent(fb, 0)
        )),
        _ => {}
    }
    words
}

fn single(e: &Event, r: &Report, out: &mut dyn Write) -> io::Result<()> {
    for words in single_words(e, &r.settings, &for_terminal) {
        paragraph(out, INDENT, &words)?;
    }
    Ok(())
}

/// Why an account's own event was called so, in sentences: what it lost,
/// and what the rest of the cohort did meanwhile. `clean` makes its name
/// safe for where it is written.
pub(super) fn single_words(
    e: &Event,
    settings: &Settings,
    clean: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let Some(a) = e.accounts.first() else {
        return Vec::new();
    };
    let lost = format!(
        "{} lost {} ({})",
        clean(&a.shown_name()),
        counted(a.lost, "follower", "followers"),
        percent(a.relative_loss, 1)
    );
    if e.class.scope == Scope::Unknown {
        return vec![format!(
            "{lost}; only {} {} observed then (--min-cohort {}): \
             platform or account cannot be told.",
            counted(u64::from(e.cohort_size), "account", "accounts"),
            if e.cohort_size == 1 { "was" } else { "were" },
            settings.min_cohort
        )];
    }
    let cohort = e.cohort_change.map_or(String::new(), |c| {
        format!(" while its cohort moved {}", signed_percent(c))
    });
    let others = u64::from(e.cohort_size).saturating_sub(1);
    // Breadth is a floor on a platform event, not its test: a cohort can
    // be that broadly affected and still not have fallen beyond chance.
    let why = if e.breadth < settings.min_breadth {
        format!(
            "; a platform event needs {}",
            percent(settings.min_breadth, 0)
        )
    } else {
        ", too few together to be more than chance".to_string()
    };
    vec![
        format!("{lost}{cohort}."),
        format!(
            "Of the {} observed, about {} were affected at the same time{why}.",
            counted(others, "other account", "other accounts"),
            percent(e.breadth, 0),
        ),
    ]
}

/// Writes `text` wrapped into lines of at most [`WIDTH`] characters, each
/// starting with `indent`. Words are split at spaces only; a word longer
/// than a line (a very long account name) is cut across lines.
pub(super) fn paragraph(out: &mut dyn Write, indent: &str, text: &str) -> io::Result<()> {
    for line in wrap(text, WIDTH - indent.chars().count()) {
        writeln!(out, "{indent}{line}")?;
    }
    Ok(())
}

/// Splits `text` into lines of at most `room` characters (at least one line).
pub(super) fn wrap(text: &str, room: usize) -> Vec<String> {
    let room = room.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut chars: Vec<char> = word.chars().collect();
        if len > 0 && len + 1 + chars.len() <= room {
            line.push(' ');
            line.extend(&chars);
            len += 1 + chars.len();
            continue;
        }
        if len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while chars.len() > room {
            lines.push(chars.drain(..room).collect());
        }
        len = chars.len();
        line = chars.into_iter().collect();
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts a name to the account column, neutralising control characters.
pub(super) fn fit(name: &str) -> String {
    let clean = for_terminal(name);
    if clean.chars().count() <= NAME_WIDTH {
        return clean;
    }
    let cut: String = clean.chars().take(NAME_WIDTH - 1).collect();
    format!("{cut}…")
}

/// `12345678` → `12,345,678`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1 account`, `2,000 accounts`.
pub(super) fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

pub(super) fn percent(x: f64, digits: usize) -> String {
    format!("{:.digits$}%", x * 100.0)
}

fn signed_percent(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(145_012_331), "145,012,331");
        assert_eq!(fit("short"), "short");
        assert_eq!(fit("a_very_long_account_name"), "a_very_long_acc…");
        assert_eq!(signed_percent(0.001), "+0.1%");
        assert_eq!(counted(1, "file", "files"), "1 file");
        assert_eq!(counted(41_220, "snapshot", "snapshots"), "41,220 snapshots");
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("a bb ccc", 8), ["a bb ccc"]);
        assert_eq!(wrap("", 8), [""]);
        // A word longer than a line is cut across lines, counted in chars.
        assert_eq!(wrap("x ééééééé y", 3), ["x", "ééé", "ééé", "é y"]);
        for line in wrap(&"word ".repeat(100), 78) {
            assert!(line.chars().count() <= 78);
        }
    }
}
