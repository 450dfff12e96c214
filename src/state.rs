//! Cron mode's memory (`scan --state FILE`): which events were already
//! reported, so that each run reports only what is new or has changed.
//!
//! An event is remembered with the kind it was reported as. A run reports
//! an event when it is new, or when its kind changed — an `account_drop`
//! whose persistence became known (now an `account_purge`), a
//! `platform_drop` that reverted — and nothing else. An event is
//! recognised by its id, or else as an event of the same account (or a
//! platform event) whose span overlaps: ids follow the event's start, and
//! the start of a loss at the very end of the data can still move by a
//! snapshot once later snapshots show its shape.
//!
//! Remembered spans are read from their RFC 3339 text once, when the file
//! is loaded, and kept beside that text, which is written back unchanged.
//!
//! The file is JSON, replaced atomically (written beside it, then renamed),
//! and guarded by an exclusive lock on a companion file `FILE.lock` held
//! for the whole run: two overlapping cron runs take turns, so they neither
//! corrupt the file nor report one event twice. The lock is on a file of its
//! own because the state file itself is replaced by each run. A file that is
//! not a state file is never overwritten: the run fails and says so.

use crate::detect::Scope;
use crate::report::event::Event;
use crate::time::{Zone, format_rfc3339, parse_time};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io;

/// The `format` field that marks a followdrop state file.
const FORMAT: &str = "followdrop-state";
/// Version of the state file layout.
const VERSION: u32 = 1;

/// The file's content.
#[derive(Debug, Serialize, Deserialize)]
struct Content {
    format: String,
    version: u32,
    /// Reported events by id.
    events: BTreeMap<String, Seen>,
}

/// What was reported of an event, as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Seen {
    kind: String,
    /// The account, or `platform` for a platform event.
    subject: String,
    /// The event's span (RFC 3339).
    start: String,
    end: String,
}

/// A remembered event: what the file says of it, and its span in seconds,
/// parsed once rather than at each lookup (a run compares every event it
/// finds with every remembered one).
#[derive(Debug)]
struct Remembered {
    seen: Seen,
    /// `None` if a time in the file does not parse: such an event is
    /// recognised only by its id, and never forgotten.
    span: Option<(i64, i64)>,
}

impl Remembered {
    /// An event as this run reports it. Its span is the event's own times,
    /// which its text would parse back to (input times are years 1 to 9999).
    fn of(event: &Event) -> Remembered {
        Remembered {
            seen: Seen {
                kind: event.class.kind().to_string(),
                subject: subject(event),
                start: format_rfc3339(event.start.0),
                end: format_rfc3339(event.end.0),
            },
            span: Some((event.start.0, event.end.0)),
        }
    }

    /// An event as read from the file, its span parsed from its text.
    fn read(seen: Seen) -> Remembered {
        let t = |s: &str| parse_time(s, Zone::Utc).ok();
        let span = t(&seen.start).zip(t(&seen.end));
        Remembered { seen, span }
    }
}

/// Whose event it is: the account, or `platform`.
fn subject(event: &Event) -> String {
    match (event.class.scope, event.accounts.first()) {
        (Scope::Platform, _) | (_, None) => "platform".to_string(),
        (_, Some(a)) => a.account.clone(),
    }
}

/// The state of a `--state` file, locked while this value lives.
#[derive(Debug)]
pub struct State {
    path: String,
    events: BTreeMap<String, Remembered>,
    /// Holds the lock until the state is dropped.
    _lock: File,
}

impl State {
    /// Locks and reads the state file `path` (a missing or empty file is a
    /// fresh state), waiting while another run holds the lock (and saying
    /// so on stderr, unless `quiet`).
    pub fn open(path: &str, quiet: bool) -> Result<State> {
        let lock = lock(path, quiet)?;
        let events = match std::fs::read_to_string(path) {
            Ok(text) if text.trim().is_empty() => BTreeMap::new(),
            Ok(text) => parse(path, &text)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e).with_context(|| format!("{path}: cannot read the state file")),
        };
        Ok(State {
            path: path.to_string(),
            events,
            _lock: lock,
        })
    }

    /// Keeps of `events` those to report — new, or of another kind than
    /// when last reported (those get `previous_kind`) — and remembers them.
    pub fn select(&mut self, events: Vec<Event>) -> Vec<Event> {
        let mut fresh = Vec::new();
        for mut event in events {
            let now = Remembered::of(&event);
            let known = self.recognise(&event.id, &now);
            let kind = &now.seen.kind;
            if let Some(old) = &known
                && old.seen.kind != *kind
            {
                event.previous_kind = Some(old.seen.kind.clone());
            }
            let report = known.is_none_or(|old| old.seen.kind != *kind);
            self.events.insert(event.id.clone(), now);
            if report {
                fresh.push(event);
            }
        }
        fresh
    }

    /// Takes out the remembered event that `id` / `now` is, if any: the
    /// same id, or the same subject with an overlapping span.
    fn recognise(&mut self, id: &str, now: &Remembered) -> Option<Remembered> {
        if let Some(old) = self.events.remove(id) {
            return Some(old);
        }
        let (start, end) = now.span?;
        let same = self.events.iter().find_map(|(old_id, old)| {
            let (s, e) = old.span?;
            (old.seen.subject == now.seen.subject && s <= end && start <= e).then(|| old_id.clone())
        })?;
        self.events.remove(&same)
    }

    /// Forgets events that ended before `first`: data that no longer
    /// reaches back to them cannot report them again, and the file must
    /// not grow forever.
    pub fn forget_before(&mut self, first: i64) {
        self.events
            .retain(|_, old| old.span.is_none_or(|(_, end)| end >= first));
    }

    /// Writes the state back (atomically), then releases the lock.
    pub fn save(self) -> Result<()> {
        let content = Content {
            format: FORMAT.to_string(),
            version: VERSION,
            events: (self.events.into_iter())
                .map(|(id, old)| (id, old.seen))
                .collect(),
        };
        crate::output::write_to(Some(&self.path), false, |out| {
            serde_json::to_writer_pretty(&mut *out, &content)?;
            writeln!(out)
        })
        .with_context(|| format!("{}: cannot write the state file", self.path))?;
        Ok(())
    }
}

/// Takes the exclusive lock on `path.lock`, saying so on stderr (unless
/// `quiet`) when it has to wait for another run.
fn lock(path: &str, quiet: bool) -> Result<File> {
    let name = format!("{path}.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&name)
        .with_context(|| format!("{name}: cannot open the lock file of the state file"))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            if !quiet {
                eprintln!("followdrop: waiting for {name}: another followdrop run holds it");
            }
            file.lock()
                .with_context(|| format!("{name}: cannot lock"))?;
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("{name}: cannot lock"));
        }
    }
    Ok(file)
}

/// Reads a state file's text, refusing anything that is not one.
fn parse(path: &str, text: &str) -> Result<BTreeMap<String, Remembered>> {
    let untouched = "it was left untouched: give --state a new file name, or remove it";
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        anyhow::anyhow!("{path}: not a followdrop state file (not JSON: {e}); {untouched}")
    })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        bail!("{path}: not a followdrop state file (no \"format\": \"{FORMAT}\"); {untouched}");
    }
    let version = value.get("version").and_then(serde_json::Value::as_u64);
    if version.is_some_and(|v| v > u64::from(VERSION)) {
        bail!(
            "{path}: written by a newer followdrop (state version {}); {untouched}",
            version.unwrap_or_default()
        );
    }
    let content: Content = serde_json::from_value(value)
        .map_err(|e| anyhow::anyhow!("{path}: damaged followdrop state file ({e}); {untouched}"))?;
    Ok((content.events.into_iter())
        .map(|(id, seen)| (id, Remembered::read(seen)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_and_damaged_files_are_refused() {
        for text in [
            "timestamp,account,followers\n",
            "{\"events\": {}}",
            "{\"format\": \"followdrop-state\", \"version\": 1, \"events\": []}",
            "{\"format\": \"followdrop-state\", \"version\": 9, \"events\": {}}",
        ] {
            let e = parse("s.json", text).unwrap_err().to_string();
            assert!(
                e.starts_with("s.json: ") && e.contains("left untouched"),
                "{e}"
            );
        }
        let ok = "{\"format\": \"followdrop-state\", \"version\": 1, \"events\": \
                  {\"a-1\": {\"kind\": \"account_drop\", \"subject\": \"a\", \
                  \"start\": \"2024-01-01T00:00:00Z\", \"end\": \"2024-01-01T01:00:00Z\"}}}";
        assert_eq!(parse("s.json", ok).unwrap().len(), 1);
    }

    /// Spans are parsed once on loading, and the text they came from is
    /// what is saved, even where followdrop would have written it otherwise.
    #[test]
    fn a_state_is_saved_as_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let path = path.to_str().unwrap();
        let text = r#"{
  "format": "followdrop-state",
  "version": 1,
  "events": {
    "a-1": {
      "kind": "account_drop",
      "subject": "a",
      "start": "2024-01-01T02:00:00+02:00",
      "end": "2024-01-01T01:00:00Z"
    },
    "b-1": {
      "kind": "platform_drop",
      "subject": "platform",
      "start": "not a time",
      "end": "2024-01-01T01:00:00Z"
    }
  }
}
"#;
        std::fs::write(path, text).unwrap();
        let state = State::open(path, true).unwrap();
        let span = |id: &str| state.events[id].span;
        assert_eq!(span("a-1"), Some((1_704_067_200, 1_704_070_800)));
        assert_eq!(span("b-1"), None);
        state.save().unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), text);
    }
}
