//! JSON input: a top-level array of objects (streamed element by element,
//! never held whole) or NDJSON (one object a line: a large input read in
//! parallel pieces, and line by line from a piece with an invalid line, so
//! that it is reported with its number).
//!
//! Fields are found by path, so nested shapes such as the Twitter API's
//! `public_metrics.followers_count` are read without flattening first. The
//! first record is parsed whole, to find the paths; every other record is
//! read for those fields alone ([`super::json_pick`]).

use super::columns::{self, Field, HeaderError, Resolved};
use super::envelope;
use super::json_pick::{Cell, Pick, Picked, Raw, Template, Wanted, pick_flat};
use super::limits::{DocumentLimit, DocumentTooLarge, LineTooLong};
use super::parallel::{self, Feed};
use super::value::{
    CountError, LastTime, MAX_COUNT, Position, account_cell, count_cell, field_error, time_cell,
};
use super::{AccountSource, Chunk, CohortCell, Collector, Reader, Row, Sink, Source, in_cohort};
use anyhow::{Context, Result, anyhow, bail};
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::io::BufRead;

/// How deep nested objects are searched for field names.
const MAX_DEPTH: usize = 4;

/// Where [`Paths::wanted`] puts each field among the [`Picked`] cells.
const TIME: usize = 0;
const FOLLOWERS: usize = 1;
const ACCOUNT: usize = 2;
const FOLLOWING: usize = 3;
const COHORT: usize = 4;
const LABEL: usize = 5;

/// The fields of a JSON input, found from its first object.
#[derive(Clone)]
struct Paths {
    names: Vec<String>,
    cols: Resolved,
    account: AccountSource,
    last_time: LastTime,
    /// The layout of the last flat record read.
    template: Template,
}

impl Paths {
    fn from_first(
        object: &Value,
        src: &Source,
        pos: Position,
        collector: &mut Collector,
    ) -> Result<Paths> {
        if !object.is_object() {
            bail!(
                "{}: {pos}: expected a JSON object with the snapshot's fields, found {}",
                src.name,
                kind(object)
            );
        }
        let mut names = Vec::new();
        collect_paths(object, "", 0, &mut names);
        let cols = columns::resolve(&names, &src.opts.columns)
            .map_err(|e| HeaderError::new(src.name, e))?;
        let account = AccountSource::new(&cols, src, collector);
        Ok(Paths {
            names,
            cols,
            account,
            last_time: LastTime::default(),
            template: Template::default(),
        })
    }

    /// The path of each field read, in its slot ([`TIME`], …).
    fn wanted(&self) -> Wanted<'_> {
        let path = |i: usize| Some(self.names[i].as_str());
        let mut wanted = Wanted::default();
        wanted[TIME] = path(self.cols.time);
        wanted[FOLLOWERS] = path(self.cols.followers);
        wanted[ACCOUNT] = self.cols.account.and_then(path);
        wanted[FOLLOWING] = self.cols.following.and_then(path);
        wanted[COHORT] = self.cols.cohort.and_then(path);
        wanted[LABEL] = self.cols.label.and_then(path);
        wanted
    }

    /// Reads one line's record for its fields: by the layout of the last
    /// flat record when it has it, else as a flat record (learning its
    /// layout), else through serde.
    fn pick<'t>(&mut self, text: &'t str) -> serde_json::Result<Picked<'t>> {
        if let Some(picked) = self.template.read(text) {
            return Ok(picked);
        }
        let mut template = std::mem::take(&mut self.template);
        let wanted = self.wanted();
        let picked = match pick_flat(text, &wanted, &mut template) {
            Some(picked) => Ok(picked),
            None => {
                let mut de = serde_json::Deserializer::from_str(text);
                Pick(&wanted)
                    .deserialize(&mut de)
                    .and_then(|picked| de.end().map(|()| picked))
            }
        };
        self.template = template;
        picked
    }

    /// The row of a record of the last layout whose fields are the common
    /// ones (the time and the account as plain strings, the counts as
    /// unsigned numbers, no cohort and no label), read from its bytes
    /// straight into a row: no cells are made, and of its text only the
    /// strings not known already are checked as UTF-8. `None` for any
    /// other record, or one with anything wrong, for [`Paths::pick`] and
    /// [`Paths::row`] to read in full (and report).
    fn common_row(&mut self, line: &[u8], src: &Source, sink: &mut impl Sink) -> Option<Row> {
        let (mut time, mut account, mut followers, mut following) = (None, None, None, None);
        let bit = |slot: usize| 1u8 << slot;
        self.template.scan(line, |slots, raw| {
            match raw {
                Raw::Str(span) if slots == 0 => {
                    std::str::from_utf8(&line[span]).ok()?;
                }
                _ if slots == 0 => {}
                Raw::Str(span) if slots == bit(TIME) => time = Some(span),
                Raw::Str(span) if slots == bit(ACCOUNT) => account = Some(span),
                Raw::Num(n) if slots == bit(FOLLOWERS) => followers = Some(n),
                Raw::Num(n) if slots == bit(FOLLOWING) => following = Some(n),
                _ => return None,
            }
            Some(())
        })?;
        let followers = followers.filter(|&n| n <= MAX_COUNT)?;
        let following = match (self.cols.following, following) {
            (Some(_), Some(n)) if n <= MAX_COUNT => Some(n),
            (None, _) => None,
            _ => return None,
        };
        let pos = Position::Line(0);
        let name = |i: usize| self.names[i].as_str();
        let time = &line[time?];
        let time = self
            .last_time
            .read(time, || {
                time_cell(src, pos, name(self.cols.time), std::str::from_utf8(time)?)
            })
            .ok()?;
        let account = match self.account {
            AccountSource::Fixed(id) => id,
            AccountSource::Column(i) => {
                let account = &line[account?];
                match sink.guess(account) {
                    Some(id) => id,
                    None => {
                        let text = std::str::from_utf8(account).ok()?;
                        sink.intern(account_cell(src, pos, name(i), text).ok()?)
                    }
                }
            }
            AccountSource::InCohort { .. } => return None,
        };
        Some(Row {
            account,
            time,
            followers,
            following,
        })
    }

    /// The fast path for a piece of NDJSON, into `chunk`.
    fn fast_path<'s, 'b>(&self, src: &'s Source<'b>, mut chunk: Chunk) -> LineFeed<'s, 'b> {
        let paths = Paths {
            account: AccountSource::new(&self.cols, src, &mut chunk),
            last_time: LastTime::default(),
            ..self.clone()
        };
        LineFeed {
            paths,
            src,
            chunk,
            lines: 0,
        }
    }

    /// The fields of a record already parsed whole (the first).
    fn picked_from<'v>(&self, object: &'v Value) -> Picked<'v> {
        if !object.is_object() {
            return Picked {
                not_object: Some(kind(object)),
                ..Picked::default()
            };
        }
        let wanted = self.wanted();
        Picked {
            cells: std::array::from_fn(|s| Some(Cell::of(lookup(object, wanted[s]?)?))),
            not_object: None,
        }
    }

    /// Reads one record's fields into a row; `None` when its follower count
    /// is missing or null (counted as such by the sink).
    fn row(
        &mut self,
        picked: &Picked,
        src: &Source,
        pos: Position,
        sink: &mut impl Sink,
    ) -> Result<Option<Row>> {
        if let Some(kind) = picked.not_object {
            bail!("{}: {pos}: expected a JSON object, found {kind}", src.name);
        }
        let name = |i: usize| self.names[i].as_str();
        let required = |slot: usize, i: usize, field: Field| {
            match &picked.cells[slot] {
                None | Some(Cell::Null) => None,
                Some(cell) => Some(cell),
            }
            .ok_or_else(|| {
                anyhow!(
                    "{}: {pos}: {field} (field {:?}) is missing or null",
                    src.name,
                    name(i)
                )
            })
        };

        let t = self.cols.time;
        let time = match required(TIME, t, Field::Time)? {
            Cell::Str(s) => self
                .last_time
                .read(s.as_bytes(), || time_cell(src, pos, name(t), s))?,
            Cell::Num(n) => time_cell(src, pos, name(t), &n.to_string())?,
            other => return Err(wrong_type(src, pos, Field::Time, name(t), &other.value())),
        };
        let f = self.cols.followers;
        let followers = match &picked.cells[FOLLOWERS] {
            None | Some(Cell::Null) => {
                sink.missing_count();
                return Ok(None);
            }
            Some(cell) => count(cell, src, pos, Field::Followers, name(f))?,
        };
        let following = match self.cols.following {
            Some(i) => match &picked.cells[FOLLOWING] {
                None | Some(Cell::Null) => None,
                Some(cell) => Some(count(cell, src, pos, Field::Following, name(i))?),
            },
            None => None,
        };
        // A name field (the account or the cohort) as text.
        let named = |slot: usize, i: usize, field: Field| -> Result<String> {
            match required(slot, i, field)? {
                Cell::Str(s) => Ok(account_cell(src, pos, name(i), s)?.to_string()),
                Cell::Num(n) => Ok(n.to_string()),
                other => Err(wrong_type(src, pos, field, name(i), &other.value())),
            }
        };
        let account = match self.account {
            AccountSource::Fixed(id) => id,
            // The name guessed from the order seen (as the CSV reader does),
            // else read, checked and interned.
            AccountSource::Column(_)
                if let Some(Cell::Str(s)) = &picked.cells[ACCOUNT]
                    && let Some(id) = sink.guess(s.as_bytes()) =>
            {
                id
            }
            AccountSource::Column(i) => sink.intern(&named(ACCOUNT, i, Field::Account)?),
            AccountSource::InCohort { account, cohort } => {
                let account = match account {
                    Some(i) => named(ACCOUNT, i, Field::Account)?,
                    None => src.stem.to_string(),
                };
                let cohort = match cohort {
                    CohortCell::Column(j) => named(COHORT, j, Field::Cohort)?,
                    CohortCell::File => src.stem.to_string(),
                };
                sink.intern(&in_cohort(&account, &cohort))
            }
        };
        if let Some(Cell::Str(label)) = &picked.cells[LABEL]
            && !label.trim().is_empty()
        {
            sink.label(account, label.trim());
        }
        Ok(Some(Row {
            account,
            time,
            followers,
            following,
        }))
    }
}

/// NDJSON's fast path: lines read into a chunk, giving up at the first
/// that is not valid UTF-8 or JSON or not a valid record, for the serial
/// reader to report or skip.
struct LineFeed<'s, 'b> {
    paths: Paths,
    src: &'s Source<'b>,
    chunk: Chunk,
    lines: u64,
}

impl Feed for LineFeed<'_, '_> {
    fn feed(&mut self, text: &[u8], last: bool) -> Option<usize> {
        let (taken, lines) = parallel::each_line(text, last, |line| {
            if let Some(row) = self.paths.common_row(line, self.src, &mut self.chunk) {
                self.chunk.push(row);
                return Some(());
            }
            let line = std::str::from_utf8(line).ok()?;
            if line.trim().is_empty() {
                return Some(());
            }
            let picked = self.paths.pick(line).ok()?;
            let pos = Position::Line(0);
            let row = self
                .paths
                .row(&picked, self.src, pos, &mut self.chunk)
                .ok()?;
            if let Some(row) = row {
                self.chunk.push(row);
            }
            Some(())
        })?;
        self.lines += lines;
        Some(taken)
    }

    fn finish(self) -> (Chunk, u64) {
        (self.chunk.group(), self.lines)
    }
}

/// Reads a count from a JSON number or string.
fn count(cell: &Cell, src: &Source, pos: Position, field: Field, column: &str) -> Result<u64> {
    match cell {
        Cell::Str(s) => count_cell(src, pos, field, column, s),
        Cell::Num(n) => {
            match n.as_u64() {
                Some(u) if u <= MAX_COUNT => return Ok(u),
                Some(u) => return count_cell(src, pos, field, column, &u.to_string()),
                None => {}
            }
            let problem = match n.as_f64() {
                Some(x) if x < 0.0 => CountError::Negative,
                Some(x) if x.fract() == 0.0 && x <= 9.007_199_254_740_992e15 => return Ok(x as u64),
                Some(x) if x.fract() == 0.0 => CountError::TooLarge,
                _ => CountError::Invalid,
            };
            Err(field_error(
                src.name,
                pos,
                field,
                column,
                &n.to_string(),
                &problem,
            ))
        }
        other => Err(wrong_type(src, pos, field, column, &other.value())),
    }
}

fn wrong_type(src: &Source, pos: Position, field: Field, column: &str, v: &Value) -> anyhow::Error {
    field_error(
        src.name,
        pos,
        field,
        column,
        &v.to_string(),
        &format!("expected a string or a number, found {}", kind(v)),
    )
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Lists the dotted paths of an object's scalar fields, depth first.
pub(super) fn collect_paths(v: &Value, prefix: &str, depth: usize, out: &mut Vec<String>) {
    let Value::Object(map) = v else { return };
    for (key, child) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match child {
            Value::Object(_) if depth + 1 < MAX_DEPTH => {
                collect_paths(child, &path, depth + 1, out)
            }
            Value::Object(_) | Value::Array(_) => {}
            _ => out.push(path),
        }
    }
}

/// Follows a dotted path into nested objects. A key that itself contains a
/// dot is found too, since the whole path is tried first.
pub(super) fn lookup<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let map = v.as_object()?;
    if let Some(found) = map.get(path) {
        return Some(found);
    }
    let (head, rest) = path.split_once('.')?;
    lookup(map.get(head)?, rest)
}

/// Reads NDJSON: one object a line; blank lines are skipped. The first
/// record is read on its own (it gives the fields' paths), the rest as
/// [`parallel::read_body`] decides.
pub(crate) fn read_lines(
    mut reader: Reader,
    src: &Source,
    collector: &mut Collector,
) -> Result<()> {
    let mut lines = Lines::default();
    let Some(paths) = lines.first_record(&mut reader, src, collector)? else {
        return Ok(());
    };
    let body = parallel::Body {
        byte: src.offset + lines.bytes,
        line: lines.number,
        reader,
    };
    parallel::read_body(&Ndjson { src, paths }, body, src, collector)?;
    Ok(())
}

/// NDJSON's layout, once its first record has given the fields' paths.
struct Ndjson<'s, 'b> {
    src: &'s Source<'b>,
    paths: Paths,
}

impl parallel::LineFormat for Ndjson<'_, '_> {
    type Fast<'f>
        = LineFeed<'f, 'f>
    where
        Self: 'f;

    fn fast(&self, chunk: Chunk) -> LineFeed<'_, '_> {
        self.paths.fast_path(self.src, chunk)
    }

    fn serial(&self, reader: Reader, line: u64, collector: &mut Collector) -> Result<u64> {
        Ok(Lines::resume(reader, line, &self.paths, self.src, collector)?.0)
    }
}

/// NDJSON read line by line into the collector, with exact line numbers.
#[derive(Default)]
struct Lines {
    /// The last line read, reused.
    line: String,
    /// Its number.
    number: u64,
    /// The fields' paths, from the first record.
    paths: Option<Paths>,
    /// Snapshots taken.
    rows: u64,
    /// Bytes read.
    bytes: u64,
}

impl Lines {
    /// Reads lines until the first record gives the fields' paths; `None`
    /// if the input ends first.
    fn first_record(
        &mut self,
        reader: &mut Reader,
        src: &Source,
        collector: &mut Collector,
    ) -> Result<Option<Paths>> {
        while self.paths.is_none() {
            if !self.next(reader, src, collector)? {
                return Ok(None);
            }
        }
        Ok(self.paths.clone())
    }

    /// Reads `reader`, whose first line is line `number + 1`, to its end
    /// with the fields at `paths`: the snapshots taken and the number of the
    /// last line.
    fn resume(
        reader: Reader,
        number: u64,
        paths: &Paths,
        src: &Source,
        collector: &mut Collector,
    ) -> Result<(u64, u64)> {
        let mut lines = Lines {
            number,
            paths: Some(paths.clone()),
            ..Lines::default()
        };
        lines.rest(reader, src, collector)?;
        Ok((lines.rows, lines.number))
    }

    /// Reads the lines to the end of `reader`.
    fn rest(&mut self, mut reader: Reader, src: &Source, collector: &mut Collector) -> Result<()> {
        while self.next(&mut reader, src, collector)? {}
        Ok(())
    }

    /// Reads and takes the next line; false at the end of the input.
    fn next(
        &mut self,
        reader: &mut Reader,
        src: &Source,
        collector: &mut Collector,
    ) -> Result<bool> {
        self.line.clear();
        let n = reader
            .read_line(&mut self.line)
            .map_err(|e| read_error(src, self.number + 1, e))?;
        if n == 0 {
            return Ok(false);
        }
        self.number += 1;
        self.bytes += n as u64;
        if self.line.trim().is_empty() {
            return Ok(true);
        }
        let pos = Position::Line(self.number);
        let text = self.line.trim_end_matches(['\n', '\r']);
        let invalid = |e: serde_json::Error| {
            anyhow!(
                "{}: {pos}, column {}: invalid JSON: {}",
                src.name,
                e.column(),
                without_position(&e)
            )
        };
        let outcome = match &mut self.paths {
            Some(p) => match p.pick(text) {
                Ok(picked) => p.row(&picked, src, pos, collector),
                Err(e) => Err(invalid(e)),
            },
            None => match serde_json::from_str::<Value>(text) {
                Ok(value) => {
                    let p = self
                        .paths
                        .insert(Paths::from_first(&value, src, pos, collector)?);
                    p.row(&p.picked_from(&value), src, pos, collector)
                }
                Err(e) => Err(invalid(e)),
            },
        };
        match outcome {
            Ok(Some(row)) => {
                collector.push(row);
                self.rows += 1;
            }
            Ok(None) => {}
            Err(e) => collector.invalid(src.opts.on_error, e)?,
        }
        Ok(true)
    }
}

/// serde_json's message without its " at line L column C" suffix, for
/// callers that report the position themselves.
fn without_position(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

fn read_error(src: &Source, line: u64, e: std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::InvalidData && e.to_string().contains("UTF-8") {
        anyhow!("{}: line {line}: not valid UTF-8", src.name)
    } else if LineTooLong::is(&e) {
        anyhow!("{}: line {line}: {e}", src.name)
    } else {
        anyhow::Error::new(e).context(format!("{}: cannot read", src.name))
    }
}

/// Reads a JSON document: an array of objects element by element, or
/// (parsed whole) an API response or other document that holds its
/// records (see [`super::envelope`]).
pub(crate) fn read_array(
    mut reader: Reader,
    src: &Source,
    collector: &mut Collector,
) -> Result<()> {
    let first = loop {
        let buf = reader
            .fill_buf()
            .with_context(|| format!("{}: cannot read", src.name))?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break Some(buf[i]),
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    let head = reader
        .fill_buf()
        .with_context(|| format!("{}: cannot read", src.name))?;
    if first == Some(b'{') && !src.opts.time_from_name && super::lines_of_objects(head) {
        return read_lines(reader, src, collector);
    }
    if first != Some(b'[') || src.opts.time_from_name || src.opts.records.is_some() {
        return read_document(reader, src, collector);
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut failure = None;
    let seed = ArraySeed {
        src,
        collector,
        failure: &mut failure,
    };
    let outcome = seed.deserialize(&mut de).and_then(|()| de.end());
    if let Some(err) = failure {
        return Err(err);
    }
    outcome.map_err(|e| {
        if e.is_io() {
            anyhow::Error::new(e).context(format!("{}: cannot read", src.name))
        } else {
            anyhow!("{}: invalid JSON: {e}", src.name)
        }
    })
}

/// Reads a JSON document whole and its records one by one, each given the
/// time written beside them (or in the file's name, `--time-from-name`)
/// where it has none of its own.
fn read_document(reader: Reader, src: &Source, collector: &mut Collector) -> Result<()> {
    let reader = DocumentLimit {
        inner: reader,
        read: 0,
    };
    let doc: Value = serde_json::from_reader(reader).map_err(|e| {
        if e.is_io() {
            let e = std::io::Error::from(e);
            if let Some(too_large) = e
                .get_ref()
                .and_then(|r| r.downcast_ref::<DocumentTooLarge>())
            {
                return anyhow!("{}: {too_large}", src.name);
            }
            anyhow::Error::new(e).context(format!("{}: cannot read", src.name))
        } else {
            anyhow!("{}: invalid JSON: {e}", src.name)
        }
    })?;
    let beside = envelope::time_beside(&doc);
    let from_name = match src.opts.time_from_name {
        true => Some(envelope::time_in_name(src.stem).ok_or_else(|| {
            anyhow!(
                "{}: --time-from-name: no date in the file's name (such as 2026-01-17T06:00Z or 20260117)",
                src.name
            )
        })?),
        false => None,
    };
    let records = envelope::records(doc, src.opts.records.as_deref())
        .map_err(|e| anyhow!("{}: {e}", src.name))?;
    let time = from_name
        .map(|t| ("snapshot_time".to_string(), Value::from(t)))
        .or(beside);
    let mut paths: Option<Paths> = None;
    for (n, mut item) in records.items.into_iter().enumerate() {
        let pos = Position::Record(n as u64 + 1);
        if let (Some((key, value)), Value::Object(fields)) = (&time, &mut item) {
            fields.entry(key.clone()).or_insert_with(|| value.clone());
        }
        let p = match &mut paths {
            Some(p) => p,
            None => paths.insert(Paths::from_first(&item, src, pos, collector).map_err(|e| {
                let lacks_time = e
                    .downcast_ref::<HeaderError>()
                    .is_some_and(|h| h.lacks(Field::Time));
                if time.is_none() && lacks_time {
                    anyhow!(
                        "{e}; the records (at {}) have no time, and none is written beside them: \
                         if the file's name holds it, say --time-from-name",
                        records.found_at
                    )
                } else {
                    e
                }
            })?),
        };
        let picked = p.picked_from(&item);
        match p.row(&picked, src, pos, collector) {
            Ok(Some(row)) => collector.push(row),
            Ok(None) => {}
            Err(e) => collector.invalid(src.opts.on_error, e)?,
        }
    }
    Ok(())
}

/// Streams the elements of the top-level array into the collector. A
/// failure of our own (a bad field) is kept aside, so that it reaches the
/// user whole rather than flattened into a serde message.
struct ArraySeed<'a, 'b> {
    src: &'a Source<'b>,
    collector: &'a mut Collector,
    failure: &'a mut Option<anyhow::Error>,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of snapshot objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut paths: Option<Paths> = None;
        let mut number = 0u64;
        loop {
            let pos = Position::Record(number + 1);
            let (src, collector) = (self.src, &mut *self.collector);
            // The first record is read whole, to find the paths (a file of
            // the wrong shape stops there); the others for their fields.
            let read = match &mut paths {
                Some(p) => seq
                    .next_element_seed(Pick(&p.wanted()))
                    .map(|r| r.map(|picked| Ok(p.row(&picked, src, pos, collector)))),
                None => seq.next_element::<Value>().map(|r| {
                    r.map(|first| {
                        let p = paths.insert(Paths::from_first(&first, src, pos, collector)?);
                        Ok(p.row(&p.picked_from(&first), src, pos, collector))
                    })
                }),
            };
            let row = match read {
                Ok(Some(row)) => row,
                Ok(None) => return Ok(()),
                Err(e) => {
                    *self.failure = Some(anyhow!(
                        "{}: record {}: invalid JSON: {e}",
                        self.src.name,
                        number + 1
                    ));
                    return Err(e);
                }
            };
            number += 1;
            // A file of the wrong shape always stops; a bad record may be skipped.
            let outcome = row.and_then(|row| match row {
                Ok(Some(row)) => {
                    self.collector.push(row);
                    Ok(())
                }
                Ok(None) => Ok(()),
                Err(e) => self.collector.invalid(self.src.opts.on_error, e),
            });
            if let Err(e) = outcome {
                *self.failure = Some(e);
                return Err(serde::de::Error::custom("stopped at an invalid record"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_and_lookup() {
        let v = json!({"id": "1", "public_metrics": {"followers_count": 5, "deep": {"a": {"b": {"c": 1}}}}, "tags": [1]});
        let mut names = Vec::new();
        collect_paths(&v, "", 0, &mut names);
        assert_eq!(names, vec!["id", "public_metrics.followers_count"]);
        assert_eq!(
            lookup(&v, "public_metrics.followers_count"),
            Some(&json!(5))
        );
        assert_eq!(lookup(&v, "public_metrics.nope"), None);
        assert_eq!(lookup(&json!({"a.b": 1}), "a.b"), Some(&json!(1)));
    }
}
