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
//! They are indexed by subject and start, so that recognising an event by
//! its span looks only at the remembered events of its subject that start
//! close enough to overlap it: a run that finds 100,000 new events against
//! as many remembered ones does not compare every pair.
//!
//! The file is JSON, replaced atomically (written beside it, then renamed),
//! and guarded by an exclusive lock on a companion file `FILE.lock` held
//! for the whole run: two overlapping cron runs take turns, so they neither
//! corrupt the file nor report one event twice. The lock is on a file of its
//! own because the state file itself is replaced by each run. `FILE` is the
//! real file: a symbolic link is followed (its target is replaced, the link
//! kept) and the lock is beside the target, so runs through the link and
//! through the target share one lock. A file that is not a state file is
//! never overwritten: the run fails and says so.

use crate::detect::Scope;
use crate::notice::Notice;
use crate::report::event::Event;
use crate::time::{Zone, format_rfc3339, parse_time};
use anyhow::{Context, Result, bail};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::Path;

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
/// parsed once rather than at each lookup.
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

/// The remembered events by id, and the same indexed by subject and start.
#[derive(Debug, Default)]
struct Memory {
    by_id: BTreeMap<String, Remembered>,
    /// The events with a span, per subject. Kept in step with `by_id` by
    /// [`Memory::insert`], [`Memory::remove`] and [`Memory::retain`].
    by_subject: FxHashMap<String, Spans>,
}

/// One subject's remembered spans, ordered by start.
#[derive(Debug, Default)]
struct Spans {
    /// `(start, id)` → end.
    starts: BTreeMap<(i64, String), i64>,
    /// The longest span (end − start) indexed here so far: a span that
    /// overlaps `[start, end]` starts within `[start − longest, end]`, so
    /// only those need a look. It does not shrink when an event is taken
    /// out; a window too wide is only slower, never wrong.
    longest: i64,
}

impl Memory {
    /// The events read from a file.
    fn new(events: BTreeMap<String, Remembered>) -> Memory {
        let mut memory = Memory::default();
        for (id, old) in events {
            memory.insert(id, old);
        }
        memory
    }

    /// Remembers `old` as `id`, in place of any event of that id.
    fn insert(&mut self, id: String, old: Remembered) {
        self.remove(&id);
        if let Some((start, end)) = old.span {
            let spans = self.by_subject.entry(old.seen.subject.clone()).or_default();
            spans.longest = spans.longest.max(end.saturating_sub(start));
            spans.starts.insert((start, id.clone()), end);
        }
        self.by_id.insert(id, old);
    }

    /// Forgets the event `id`, handing it back.
    fn remove(&mut self, id: &str) -> Option<Remembered> {
        let old = self.by_id.remove(id)?;
        if let (Some((start, _)), Some(spans)) =
            (old.span, self.by_subject.get_mut(&old.seen.subject))
        {
            spans.starts.remove(&(start, id.to_string()));
        }
        Some(old)
    }

    /// Keeps only the events `keep` accepts.
    fn retain(&mut self, keep: impl Fn(&Remembered) -> bool) {
        let events = std::mem::take(&mut self.by_id);
        *self = Memory::new(events.into_iter().filter(|(_, old)| keep(old)).collect());
    }

    /// The remembered events of `subject` that start close enough to
    /// overlap `[start, end]`, as (id, start, end): every event that does
    /// overlap is among them.
    fn near<'a>(
        &'a self,
        subject: &str,
        (start, end): (i64, i64),
    ) -> impl Iterator<Item = (&'a str, i64, i64)> {
        self.by_subject
            .get(subject)
            .into_iter()
            .flat_map(move |spans| {
                let from = (start.saturating_sub(spans.longest), String::new());
                (spans.starts.range(from..))
                    .take_while(move |((s, _), _)| *s <= end)
                    .map(|((s, id), e)| (id.as_str(), *s, *e))
            })
    }

    /// The id of the remembered event of `subject` whose span overlaps
    /// `span`; of several, the first by id (as a walk through the file's
    /// events in order would find).
    fn overlapping(&self, subject: &str, span: (i64, i64)) -> Option<String> {
        let (start, end) = span;
        self.near(subject, span)
            .filter(|&(_, s, e)| s <= end && start <= e)
            .map(|(id, _, _)| id)
            .min()
            .map(str::to_string)
    }
}

/// The state of a `--state` file, locked while this value lives.
#[derive(Debug)]
pub struct State {
    path: String,
    events: Memory,
    /// Holds the lock until the state is dropped.
    _lock: File,
    /// The lock file's name, for messages.
    lock_name: String,
}

impl State {
    /// Locks and reads the state file `path` (a missing or empty file is a
    /// fresh state), waiting while another run holds the lock (and saying
    /// so on stderr after a few seconds, unless `quiet`).
    pub fn open(path: &str, quiet: bool) -> Result<State> {
        let real = crate::output::real_path(Path::new(path))
            .with_context(|| format!("{path}: cannot follow the link"))?;
        // Named as given unless a link led elsewhere: the same file.
        let lock_name = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => format!("{}.lock", real.display()),
            _ => format!("{path}.lock"),
        };
        let lock = lock(&lock_name, quiet)?;
        let events = match std::fs::read_to_string(path) {
            Ok(text) if text.trim().is_empty() => BTreeMap::new(),
            Ok(text) => parse(path, &text)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e).with_context(|| format!("{path}: cannot read the state file")),
        };
        Ok(State {
            path: path.to_string(),
            events: Memory::new(events),
            _lock: lock,
            lock_name,
        })
    }

    /// The lock file held by this run.
    pub fn lock_name(&self) -> &str {
        &self.lock_name
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
        let same = self.events.overlapping(&now.seen.subject, now.span?)?;
        self.events.remove(&same)
    }

    /// Forgets events that ended before `first`: data that no longer
    /// reaches back to them cannot report them again, and the file must
    /// not grow forever.
    pub fn forget_before(&mut self, first: i64) {
        self.events
            .retain(|old| old.span.is_none_or(|(_, end)| end >= first));
    }

    /// Writes the state back (atomically), then releases the lock.
    pub fn save(self) -> Result<()> {
        let content = Content {
            format: FORMAT.to_string(),
            version: VERSION,
            events: (self.events.by_id.into_iter())
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

/// Takes the exclusive lock on the file `name`, saying so on stderr
/// (unless `quiet`) when it has waited a few seconds for another run.
fn lock(name: &str, quiet: bool) -> Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(name)
        .with_context(|| format!("{name}: cannot open the lock file of the state file"))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let _waiting = (!quiet).then(|| {
                Notice::after_patience(format!(
                    "waiting for {name}: another followdrop run holds it"
                ))
            });
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

    /// A remembered event of `subject` over `[start, end]`.
    fn remembered(subject: &str, start: i64, end: i64) -> Remembered {
        Remembered {
            seen: Seen {
                kind: "account_drop".to_string(),
                subject: subject.to_string(),
                start: start.to_string(),
                end: end.to_string(),
            },
            span: Some((start, end)),
        }
    }

    /// `days` daily one-hour events for each of `accounts` accounts.
    fn daily_events(accounts: usize, days: i64) -> Memory {
        let mut memory = Memory::default();
        for a in 0..accounts {
            for d in 0..days {
                let start = d * 86_400 + 3_600 * (a as i64 % 20);
                memory.insert(
                    format!("a{a}-{d}"),
                    remembered(&format!("a{a}"), start, start + 3_600),
                );
            }
        }
        memory
    }

    /// Recognising an event by its span looks at the remembered events of
    /// its subject that start near it, however many are remembered: as
    /// many with 100,000 remembered events as with 1,000 (where comparing
    /// with each, as before, took 100,000 comparisons per event).
    #[test]
    fn recognition_looks_only_near_the_event() {
        for (accounts, days) in [(10, 100), (1_000, 100)] {
            let memory = daily_events(accounts, days);
            assert_eq!(memory.by_id.len(), accounts * days as usize);
            let mut most = 0;
            for (a, d) in [(0, 0), (7, 50), (9, 99)] {
                let start = d * 86_400 + 3_600 * (a % 20) + 1_800;
                let span = (start, start + 7_200);
                let examined = memory.near(&format!("a{a}"), span).count();
                most = most.max(examined);
                assert_eq!(
                    memory.overlapping(&format!("a{a}"), span),
                    Some(format!("a{a}-{d}"))
                );
            }
            assert!(most <= 2, "{accounts} accounts: {most} examined");
        }
    }

    /// The old way: a walk through every remembered event, in id order.
    fn walk(memory: &Memory, subject: &str, (start, end): (i64, i64)) -> Option<String> {
        memory.by_id.iter().find_map(|(id, old)| {
            let (s, e) = old.span?;
            (old.seen.subject == subject && s <= end && start <= e).then(|| id.clone())
        })
    }

    /// The index finds what a walk through every event finds, among spans
    /// long and short, overlapping, reversed or unreadable, while events
    /// come and go.
    #[test]
    fn recognition_is_what_a_walk_through_every_event_finds() {
        let mut seed = 7_u64;
        let mut next = |below: i64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 33) % below as u64) as i64
        };
        let mut memory = Memory::default();
        for round in 0..3_000 {
            let subject = format!("s{}", next(5));
            let start = next(10_000);
            let end = start + next(if round % 50 == 0 { 5_000 } else { 100 }) - 10;
            let span = (start, end);
            assert_eq!(
                memory.overlapping(&subject, span),
                walk(&memory, &subject, span)
            );
            if let Some(id) = memory.overlapping(&subject, span).filter(|_| next(3) == 0) {
                memory.remove(&id);
            }
            let mut old = remembered(&subject, start, end);
            if next(20) == 0 {
                old.span = None;
            }
            memory.insert(format!("e{}", next(2_000)), old);
            if round % 1_000 == 999 {
                memory.retain(|old| old.span.is_none_or(|(_, e)| e >= 2_000));
            }
        }
        let indexed: usize = memory.by_subject.values().map(|s| s.starts.len()).sum();
        let spanned = memory.by_id.values().filter(|o| o.span.is_some()).count();
        assert_eq!(indexed, spanned);
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
        let span = |id: &str| state.events.by_id[id].span;
        assert_eq!(span("a-1"), Some((1_704_067_200, 1_704_070_800)));
        assert_eq!(span("b-1"), None);
        state.save().unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), text);
    }
}
