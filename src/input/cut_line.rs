//! A last line without a line end: maybe a whole record (many exports end
//! without a newline), maybe one cut mid-write (a scraper appending
//! `acc9,587370` has written `acc9,58` when cron fires).
//!
//! The rule: such a line is read apart from the rest, and its snapshots are
//! used — except one that would be the only evidence of a drop (its
//! account's latest snapshot, and lower than the one before it), or a line
//! that cannot be read at all. Those are held back with a warning naming
//! the line: the next run, with the line complete, decides. A whole line
//! that is held back costs one snapshot of delay; a cut one taken would be
//! a false alert that `--state` never withdraws.
//!
//! Only plain CSV and NDJSON files on disk are concerned: a JSON document
//! ends with its closing bracket, a compressed file cut mid-write fails its
//! check, and a stream's end is not known in advance.

use super::collect::{Collector, Row, Sink};
use super::container::Wrapping;
use super::file::OpenFile;
use super::series::Snapshot;
use super::{Format, OnError, ReadOptions};
use crate::progress::Progress;
use anyhow::Result;

/// The longest last line looked for; a longer one is read with the rest.
const LONGEST: u64 = 1 << 20;

/// A last line without a line end, set apart from the rest of its file.
pub(crate) struct CutLine {
    /// Where it starts: the rest of the file ends there.
    pub start: u64,
    /// What it is read as: the file's header line (CSV) and the line, with
    /// a line end.
    text: Vec<u8>,
}

/// A snapshot (or a line) held back, for a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldBack {
    /// The input and the number of the line.
    pub input: String,
    pub line: u64,
    /// Why it was held back, in words.
    pub why: String,
}

impl CutLine {
    /// The last line of `file` (the input `input`) when it has no line
    /// end and the file is plain CSV or NDJSON; `None` otherwise, or when
    /// it is the only line (a CSV header) or longer than [`LONGEST`].
    pub(crate) fn find(
        file: &OpenFile,
        input: &str,
        opts: &ReadOptions,
    ) -> Result<Option<CutLine>> {
        let size = file.size();
        let mut last = [0u8];
        if size == 0 || file.read_at(&mut last, size - 1)? == 0 {
            return Ok(None);
        }
        let mut head = vec![0u8; 1 << 16];
        let n = file.read_at(&mut head, 0)?;
        head.truncate(n);
        if last[0] == b'\n' || super::container::sniff(&head) != Wrapping::Plain {
            return Ok(None);
        }
        let bom = super::bom_len(&head);
        let format = super::format_of(opts, input, &head[bom..]);
        if format == Format::Json {
            return Ok(None);
        }
        let from = size.saturating_sub(LONGEST);
        let mut tail = vec![0u8; (size - from) as usize];
        let n = file.read_at(&mut tail, from)?;
        tail.truncate(n);
        let Some(i) = memchr::memrchr(b'\n', &tail) else {
            return Ok(None);
        };
        let start = from + i as u64 + 1;
        let line = &tail[i + 1..];
        if line.iter().all(u8::is_ascii_whitespace) {
            // Blanks after the last line end: nothing cut.
            return Ok(None);
        }
        let mut text = Vec::with_capacity(line.len() + 1);
        if format == Format::Csv {
            let mut head = vec![0u8; LONGEST.min(start) as usize];
            let n = file.read_at(&mut head, 0)?;
            let Some(end) = memchr::memchr(b'\n', &head[..n]) else {
                return Ok(None);
            };
            if (end + 1) as u64 == start {
                // The header and this line: nothing else to read.
                return Ok(None);
            }
            text.extend_from_slice(&head[bom.min(end)..=end]);
        }
        text.extend_from_slice(line);
        text.push(b'\n');
        Ok(Some(CutLine { start, text }))
    }

    /// Reads the line as input `input`, and hands its snapshots to
    /// `collector`, but for those held back (returned, for a warning).
    /// `file` is the file it ends, for the line's number.
    pub(crate) fn read(
        self,
        input: &str,
        file: &OpenFile,
        opts: &ReadOptions,
        collector: &mut Collector,
    ) -> Result<Option<HeldBack>> {
        let mut alone = Collector::default();
        let bytes = Box::new(std::io::Cursor::new(self.text));
        // Its fault itself, not "no valid snapshots", is the reason given.
        let strict = ReadOptions {
            on_error: OnError::Fail,
            ..opts.clone()
        };
        let read = super::read_stream(
            input,
            bytes,
            None,
            &strict,
            &Progress::new(None),
            &mut alone,
        );
        let why = match read {
            Err(e) => Some(format!("cannot be read ({})", without_place(&e, input))),
            Ok(()) => take(alone, collector),
        };
        let Some(why) = why else {
            return Ok(None);
        };
        Ok(Some(HeldBack {
            input: super::display_name(input).to_string(),
            line: line_number(file, self.start)?,
            why,
        }))
    }
}

/// Hands the snapshots read from the line to `collector`, unless one would
/// be the only evidence of a drop: then none, and why in words.
fn take(alone: Collector, collector: &mut Collector) -> Option<String> {
    let read = alone.finish();
    for (name, series) in read.names.iter().zip(&read.series) {
        let Some(before) = collector
            .names
            .find(name)
            .and_then(|id| latest(collector, id))
        else {
            continue;
        };
        for Snapshot {
            time, followers, ..
        } in series.iter()
        {
            if time > before.time && followers < before.followers {
                return Some(format!(
                    "would be the only evidence of a drop of {name:?} ({} → {followers} followers)",
                    before.followers
                ));
            }
        }
    }
    for (i, (name, series)) in read.names.iter().zip(&read.series).enumerate() {
        let account = collector.intern(name);
        // The line's exact repeats (counted, not stored) go in again as
        // repeats of its last snapshot: the same count, the same snapshots.
        let last = series.iter().last();
        let repeats = last.into_iter().cycle().take(series.repeats() as usize);
        for s in series.iter().chain(repeats) {
            collector.push(Row {
                account,
                time: s.time,
                followers: s.followers,
                following: s.following,
            });
        }
        if let Some(label) = read.labels.get(i) {
            collector.label(account, label);
        }
    }
    None
}

/// An account's latest snapshot read so far.
fn latest(collector: &Collector, account: u32) -> Option<Snapshot> {
    let series = collector.collected.series.get(account as usize)?;
    series.iter().max_by_key(|s| s.time)
}

/// A reader's message without the input's name and the line number in
/// front, which name the line read alone, not the line of the file.
fn without_place(e: &anyhow::Error, input: &str) -> String {
    let message = format!("{e:#}");
    let rest = message
        .strip_prefix(super::display_name(input))
        .and_then(|m| m.strip_prefix(": "))
        .unwrap_or(&message);
    let rest = rest
        .strip_prefix("line ")
        .and_then(|m| m.split_once(": "))
        .filter(|(n, _)| n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(rest, |(_, m)| m);
    rest.to_string()
}

/// The number of the line that starts at byte `start` of `file`.
fn line_number(file: &OpenFile, start: u64) -> Result<u64> {
    let mut block = vec![0u8; 1 << 20];
    let (mut at, mut lines) = (0u64, 1u64);
    while at < start {
        let want = (start - at).min(block.len() as u64) as usize;
        let n = file.read_at(&mut block[..want], at)?;
        if n == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &block[..n]).count() as u64;
        at += n as u64;
    }
    Ok(lines)
}
