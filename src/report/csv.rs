//! The CSV report: one row per (event, affected account), with cells that a
//! spreadsheet would run as formulas neutralised (OWASP: prefix `'`).

use super::Report;
use crate::time::Timestamp;
use crate::time::format_rfc3339;
use std::io::{self, Write};

const HEADER: [&str; 13] = [
    "event_id",
    "kind",
    "scope",
    "persistence",
    "start",
    "end",
    "recovered_at",
    "account",
    "before",
    "after",
    "lost",
    "relative_loss",
    "excess",
];

/// Writes the rows. `recovered_at` is the row's account's own (in a platform
/// event accounts come back at different times; the event's is when most had).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    rows(report, out).map_err(io_error)
}

fn rows(report: &Report, out: &mut dyn Write) -> ::csv::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    let recovered = |t: Option<Timestamp>| t.map(|t| format_rfc3339(t.0)).unwrap_or_default();
    for e in &report.events {
        for a in &e.accounts {
            w.write_record([
                safe(&e.id),
                e.class.kind().to_string(),
                format!("{:?}", e.class.scope).to_lowercase(),
                format!("{:?}", e.class.persistence).to_lowercase(),
                format_rfc3339(e.start.0),
                format_rfc3339(e.end.0),
                recovered(a.recovered_at),
                safe(&a.account),
                a.before.to_string(),
                a.after.to_string(),
                a.lost.to_string(),
                a.relative_loss.to_string(),
                a.excess.to_string(),
            ])?;
        }
    }
    Ok(w.flush()?)
}

/// The writer's own I/O error, as it came. The csv crate's conversion to
/// `io::Error` wraps every error as `Other`, so a closed pipe (`| head`)
/// would no longer be seen as one and would end the run with an error
/// instead of quietly, as the other formats do.
fn io_error(e: ::csv::Error) -> io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        // Not met with records of one fixed length written to a writer.
        other => io::Error::other(format!("CSV report: {other:?}")),
    }
}

/// Neutralises a cell a spreadsheet would read as a formula.
fn safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(super::safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::safe("@evil"), "'@evil");
        assert_eq!(super::safe("kimkardashian"), "kimkardashian");
    }
}
