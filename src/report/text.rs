//! The text report: for people, readable in an 80-column terminal. Each
//! event says what it is, why it was called so, and who it hit.

use super::Report;
use crate::detect::{Event, Persistence, Scope};
use crate::time::{format_duration, format_with};
use std::io::{self, Write};

/// Affected accounts listed per event before "… N more".
const MAX_ROWS: usize = 10;
/// Width of the account column; longer names are cut with `…`.
const NAME_WIDTH: usize = 16;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn write(r: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let style = Style { color };
    let files = r.input.files.len();
    writeln!(
        out,
        "followdrop {} · {} file{} · {} snapshots · {} accounts · {} → {} UTC · grid {}",
        r.tool.version,
        files,
        if files == 1 { "" } else { "s" },
        thousands(r.input.rows as u64),
        thousands(r.input.accounts as u64),
        format_with(r.input.first.0, "%Y-%m-%d"),
        format_with(r.input.last.0, "%Y-%m-%d"),
        format_duration(r.input.bucket_seconds),
    )?;
    for e in &r.events {
        writeln!(out)?;
        event(e, r, &style, out)?;
    }
    writeln!(out)?;
    let s = &r.summary;
    if s.events == 0 {
        return writeln!(out, "No sudden follower loss found.");
    }
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
    writeln!(
        out,
        "{} event{}: {}.",
        s.events,
        if s.events == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

fn event(e: &Event, r: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let title = e.class.kind().replace('_', " ").to_uppercase();
    let color = match e.class.scope {
        Scope::Platform => "1;35",
        Scope::Account => "1;31",
        Scope::Unknown => "1;33",
    };
    let same_day = format_with(e.start.0, "%F") == format_with(e.end.0, "%F");
    let end = format_with(e.end.0, if same_day { "%H:%M" } else { "%Y-%m-%d %H:%M" });
    let outcome = match (e.class.persistence, e.recovered_at) {
        (Persistence::Reverted, Some(t)) => {
            format!("recovered {} UTC", format_with(t.0, "%Y-%m-%d %H:%M"))
        }
        (Persistence::Persistent, _) => format!(
            "not recovered within {}",
            format_duration(r.settings.recovery_window)
        ),
        _ => "too recent to tell if it recovers".to_string(),
    };
    writeln!(
        out,
        "{}  {} → {end} UTC · {outcome} · score {:.1}",
        style.paint(color, &title),
        format_with(e.start.0, "%Y-%m-%d %H:%M"),
        e.score
    )?;
    match e.class.scope {
        Scope::Platform => platform(e, style, out),
        Scope::Account | Scope::Unknown => single(e, r, out),
    }
}

fn platform(e: &Event, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let fell = (e.breadth * f64::from(e.cohort_size)).round() as u64;
    writeln!(
        out,
        "  {} of {} accounts ({}) fell together; typical loss {}; {} followers lost.",
        thousands(fell),
        thousands(u64::from(e.cohort_size)),
        percent(e.breadth, 0),
        percent(e.median_relative_loss, 1),
        thousands(e.followers_lost)
    )?;
    if let Some(fb) = e.following_breadth.filter(|&b| b > 0.0) {
        writeln!(
            out,
            "  Following counts fell too in {} of accounts: a sign of a platform fault.",
            percent(fb, 0)
        )?;
    }
    writeln!(
        out,
        "  {:<NAME_WIDTH$} {:>13} {:>13} {:>12} {:>6}  recovered",
        "account", "before", "after", "lost", "loss"
    )?;
    for a in e.accounts.iter().take(MAX_ROWS) {
        let recovered = a
            .recovered_at
            .map_or("—".to_string(), |t| format_with(t.0, "%m-%d %H:%M"));
        let mark = if a.excess {
            style.paint("1", "!")
        } else {
            " ".to_string()
        };
        writeln!(
            out,
            "  {:<NAME_WIDTH$} {:>13} {:>13} {:>12} {:>6}{mark} {recovered}",
            fit(&a.account),
            thousands(a.before),
            thousands(a.after),
            format!("-{}", thousands(a.lost)),
            percent(a.relative_loss, 1),
        )?;
    }
    if e.accounts.len() > MAX_ROWS {
        writeln!(
            out,
            "  … {} more (--format csv lists all)",
            e.accounts.len() - MAX_ROWS
        )?;
    }
    if e.accounts.iter().any(|a| a.excess) {
        writeln!(
            out,
            "  ! lost far more than the rest of the cohort (excess): possibly a purge of its own."
        )?;
    }
    Ok(())
}

fn single(e: &Event, r: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(a) = e.accounts.first() else {
        return Ok(());
    };
    let lost = format!(
        "{} lost {} followers ({})",
        sanitize(&a.account),
        thousands(a.lost),
        percent(a.relative_loss, 1)
    );
    if e.class.scope == Scope::Unknown {
        return writeln!(
            out,
            "  {lost}; only {} account{} observed then (--min-cohort {}): platform or account cannot be told.",
            e.cohort_size,
            if e.cohort_size == 1 { " was" } else { "s were" },
            r.settings.min_cohort
        );
    }
    let cohort = e.cohort_change.map_or(String::new(), |c| {
        format!(" while its cohort moved {}", signed_percent(c))
    });
    writeln!(out, "  {lost}{cohort}.")?;
    let others = u64::from(e.cohort_size).saturating_sub(1);
    let fell = (e.breadth * others as f64).round() as u64;
    writeln!(
        out,
        "  {} of the {} other accounts observed fell at the same time ({}); a platform event needs {}.",
        thousands(fell),
        thousands(others),
        percent(e.breadth, 0),
        percent(r.settings.min_breadth, 0)
    )
}

/// Cuts a name to the account column, neutralising control characters.
fn fit(name: &str) -> String {
    let clean = sanitize(name);
    if clean.chars().count() <= NAME_WIDTH {
        return clean;
    }
    let cut: String = clean.chars().take(NAME_WIDTH - 1).collect();
    format!("{cut}…")
}

/// Replaces control characters (terminal escapes among them) so that an
/// account name cannot drive the terminal.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
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

fn percent(x: f64, digits: usize) -> String {
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
        assert_eq!(sanitize("\x1b[2Jx"), "\u{fffd}[2Jx");
        assert_eq!(signed_percent(0.001), "+0.1%");
    }
}
