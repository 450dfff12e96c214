//! CSV input: header row, sniffed delimiter, one snapshot per record.
//!
//! Lines are read into one reused buffer and split on the delimiter
//! directly; only a line with a quote goes through the csv crate (which also
//! joins a quoted field that spans lines). Cells are read from bytes: a time
//! cell equal to the previous row's is not parsed again (collectors write
//! many rows of one instant), counts take a digits-only fast path, and an
//! account name becomes a `String` only once, in the collector's interner.
//! In a piece of a large input read on the pool, the common row (plain
//! cells, counts in digits) is read by position, in one pass, without
//! being split first ([`Positional`]).

use super::bytes::{self, bytes_equal};
use super::columns::{self, Field, HeaderError, Resolved, Wide};
use super::limits::LineTooLong;
use super::parallel::{self, Feed};
use super::value::{LastTime, Position, account_cell, count_cell, field_error, time_cell};
use super::{AccountSource, Chunk, CohortCell, Collector, Reader, Row, Sink, Source, in_cohort};
use anyhow::{Context, Result, anyhow};
use std::collections::VecDeque;
use std::io::BufRead;
use std::ops::Range;

/// Reads a CSV input: its header from the start of `reader`, then its body
/// — a wide table serially, a long one as [`parallel::read_body`] decides.
pub(crate) fn read(mut reader: Reader, src: &Source, collector: &mut Collector) -> Result<()> {
    let head = reader
        .fill_buf()
        .with_context(|| format!("{}: cannot read", src.name))?;
    let delimiter = src.opts.delimiter.unwrap_or_else(|| sniff_delimiter(head));
    let mut lines = Lines::new(reader, delimiter);
    // The header: the first line that is not blank.
    let header: Vec<String> = loop {
        let Some(line) = lines.next_record(src)? else {
            anyhow::bail!("{}: no snapshots (the input is empty)", src.name);
        };
        if line.unclosed {
            anyhow::bail!(
                "{}: line {}: the header opens a quoted field that is never closed",
                src.name,
                line.first
            );
        }
        if !line.blank {
            let cells = lines.cells();
            break (0..cells.len())
                .map(|i| String::from_utf8_lossy(cells.get(i)).trim().to_string())
                .collect();
        }
    };
    let header_line = lines.number;
    if header.iter().all(String::is_empty) {
        anyhow::bail!("{}: no snapshots (the input is empty)", src.name);
    }
    let wide = columns::wide(&header, &src.opts.columns, src.opts.wide)
        .map_err(|e| HeaderError::new(src.name, e))?;
    let skipped = collector.collected.skipped;
    let snapshots = match wide {
        // Wide tables are read serially (they are small: a column an account).
        Some(wide) => {
            let mut records = Records::wide(src, &wide, header, delimiter, collector);
            read_body(&mut lines, &mut records, collector)?
        }
        None => {
            let cols = columns::resolve(&header, &src.opts.columns)
                .map_err(|e| HeaderError::new(src.name, e))?;
            let format = LongCsv {
                src,
                cols,
                header,
                delimiter,
            };
            if lines.pending.is_empty() {
                let body = parallel::Body {
                    byte: src.offset + lines.bytes,
                    line: lines.number,
                    reader: lines.reader,
                };
                parallel::read_body(&format, body, src, collector)?
            } else {
                // Lines given back after the header are read first.
                format.records(lines, collector)?
            }
        }
    };
    if snapshots == 0 && collector.collected.skipped > skipped {
        anyhow::bail!(
            "{}: no valid snapshots (every record was invalid)",
            src.name
        );
    }
    if snapshots == 0 {
        anyhow::bail!(
            "{}: line {header_line}: only a header, no snapshots",
            src.name
        );
    }
    Ok(())
}

/// A long CSV table's layout, once its header is read.
struct LongCsv<'s, 'b> {
    src: &'s Source<'b>,
    cols: Resolved,
    header: Vec<String>,
    delimiter: u8,
}

impl LongCsv<'_, '_> {
    /// Reads the records of `lines` to its end: the snapshots taken.
    fn records(&self, mut lines: Lines, collector: &mut Collector) -> Result<u64> {
        let (cols, header) = (self.cols.clone(), self.header.clone());
        let mut records = Records::new(self.src, cols, header, self.delimiter, collector);
        read_body(&mut lines, &mut records, collector)
    }
}

impl parallel::LineFormat for LongCsv<'_, '_> {
    type Fast<'f>
        = ChunkParser<'f, 'f>
    where
        Self: 'f;

    fn fast(&self, chunk: Chunk) -> ChunkParser<'_, '_> {
        ChunkParser::new(self.src, &self.cols, &self.header, self.delimiter, chunk)
    }

    fn serial(&self, reader: Reader, line: u64, collector: &mut Collector) -> Result<u64> {
        let mut lines = Lines::new(reader, self.delimiter);
        lines.number = line;
        self.records(lines, collector)
    }
}

/// Reads records to the end of `lines`; the number of snapshots taken.
fn read_body(lines: &mut Lines, records: &mut Records, collector: &mut Collector) -> Result<u64> {
    let src = records.src;
    let mut snapshots = 0u64;
    while let Some(line) = lines.next_record(src)? {
        if line.blank {
            continue;
        }
        if line.unclosed {
            let e = anyhow!(
                "{}: line {}: a quoted field opened on this line is never closed",
                src.name,
                line.first
            );
            collector.invalid(src.opts.on_error, e)?;
            continue;
        }
        if !lines.continued.is_empty() {
            let swallowed = (lines.continued.iter())
                .filter(|l| records.looks_like_a_record(l))
                .count();
            if swallowed > 0 {
                let e = anyhow!(
                    "{}: line {}: a quoted field opened on this line runs on to line {}, over {swallowed} line(s) that look like records of their own: a stray quote?",
                    src.name,
                    line.first,
                    lines.number
                );
                lines.unread_continuation();
                collector.invalid(src.opts.on_error, e)?;
                continue;
            }
            collector.collected.quoted_line_breaks += 1;
        }
        let pos = Position::Line(line.first);
        let cells = lines.cells();
        if records.repeats_header(&cells) {
            // Not data: files joined with `cat` repeat their header lines.
            collector.repeated_header();
            continue;
        }
        match records.record(&cells, pos, collector) {
            Ok(()) => snapshots += 1,
            Err(e) => {
                // A record that took in the lines after it and is invalid
                // was most likely a stray quote: those lines are read again
                // as records of their own.
                lines.unread_continuation();
                collector.invalid(src.opts.on_error, e)?;
            }
        }
    }
    Ok(snapshots)
}

/// Turns the lines of one piece of the input into a [`Chunk`] of rows, on
/// the fast path only: plain lines (no quote), valid records.
struct ChunkParser<'a, 'b> {
    records: Records<'a, 'b>,
    /// The common row read by position, when the layout allows it.
    positional: Option<Positional>,
    chunk: Chunk,
    fields: Vec<Range<usize>>,
    delimiter: u8,
    lines: u64,
}

impl<'a, 'b> ChunkParser<'a, 'b> {
    /// A parser filling `chunk` (an empty one, maybe knowing the
    /// collector's names).
    fn new(
        src: &'a Source<'b>,
        cols: &Resolved,
        header: &[String],
        delimiter: u8,
        mut chunk: Chunk,
    ) -> Self {
        let records = Records::new(src, cols.clone(), header.to_vec(), delimiter, &mut chunk);
        ChunkParser {
            positional: Positional::new(&records),
            records,
            chunk,
            fields: Vec::new(),
            delimiter,
            lines: 0,
        }
    }
}

impl Feed for ChunkParser<'_, '_> {
    fn feed(&mut self, text: &[u8], last: bool) -> Option<usize> {
        let (taken, lines) = parallel::each_line(text, last, |line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some(positional) = &self.positional
                && positional
                    .take(line, &mut self.records, &mut self.chunk)
                    .is_some()
            {
                return Some(());
            }
            if !split_plain(line, self.delimiter, &mut self.fields) {
                return None;
            }
            let cells = Cells {
                buf: line,
                fields: &self.fields,
            };
            if cells.len() == 1 && line.iter().all(u8::is_ascii_whitespace) {
                return Some(());
            }
            if self.records.repeats_header(&cells) {
                self.chunk.repeated_header();
                return Some(());
            }
            self.records
                .record(&cells, Position::Line(0), &mut self.chunk)
                .ok()
        })?;
        self.lines += lines;
        Some(taken)
    }

    fn finish(self) -> (Chunk, u64) {
        (self.chunk.group(), self.lines)
    }
}

/// A column's part in a row read by position ([`Positional`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Time,
    Account,
    Followers,
    Following,
    /// A column the long shape does not read: only passed over.
    Other,
}

/// The common row of a long CSV — plain cells, counts written in digits
/// alone, an account the names know or a new one — read in one pass from
/// left to right: each cell found where the one before it ends, each count
/// parsed as its digits are passed, and no list of cells made (splitting
/// the row into one, then parsing its counts, was two thirds of the fast
/// path's time). A row it does not take goes the general way
/// ([`split_plain`], [`Records::record`]), which reads the rows it takes
/// into the same snapshots; so anything unusual (a quote, a count in
/// another form or missing, a header repeated, an invalid value) is only
/// recognised there.
#[derive(Debug)]
struct Positional {
    /// Each column's part, in the header's order.
    roles: Box<[Role]>,
    delimiter: u8,
}

impl Positional {
    /// The reader for `records`' layout: one snapshot a record, an account
    /// column, no display names or cohorts, each column one part; and a
    /// delimiter that cannot be part of a count or a quote.
    fn new(records: &Records) -> Option<Positional> {
        let Layout::Long {
            cols,
            accounts: AccountSource::Column(account),
        } = &records.layout
        else {
            return None;
        };
        let delimiter = records.delimiter;
        if cols.label.is_some() || delimiter.is_ascii_digit() || delimiter == b'"' {
            return None;
        }
        let mut roles = vec![Role::Other; records.header.len()];
        let parts = [
            (Some(cols.time), Role::Time),
            (Some(*account), Role::Account),
            (Some(cols.followers), Role::Followers),
            (cols.following, Role::Following),
        ];
        for (column, role) in parts {
            if let Some(i) = column {
                let slot = roles.get_mut(i)?;
                if *slot != Role::Other {
                    return None;
                }
                *slot = role;
            }
        }
        Some(Positional {
            roles: roles.into(),
            delimiter,
        })
    }

    /// Takes `line` (without its line end) into `sink` if it is a common
    /// row; `None`, with nothing taken, if not.
    fn take(&self, line: &[u8], records: &mut Records, sink: &mut impl Sink) -> Option<()> {
        // A header repeated fails below on its counts or its time, unless
        // their columns are named as values would be: asked to be exact.
        if !records.cannot_repeat_header(line) {
            return None;
        }
        let (mut time, mut account) = (&line[..0], &line[..0]);
        let (mut followers, mut following) = (0, None);
        let mut rest = line;
        for (k, &role) in self.roles.iter().enumerate() {
            let end = match role {
                Role::Followers | Role::Following => {
                    let (count, end) = leading_count(rest)?;
                    match role {
                        Role::Followers => followers = count,
                        _ => following = Some(count),
                    }
                    end
                }
                _ => {
                    let end = bytes::first_of(rest, self.delimiter, b'"').unwrap_or(rest.len());
                    match role {
                        Role::Time => time = &rest[..end],
                        Role::Account => account = &rest[..end],
                        _ => {}
                    }
                    end
                }
            };
            // Each cell but the last ends at a delimiter, the last at the
            // line's end: else a quote, a count in another form, or another
            // number of cells than the header's.
            let last = k + 1 == self.roles.len();
            match rest.get(end) {
                None if last => {}
                Some(&b) if b == self.delimiter && !last => rest = &rest[end + 1..],
                _ => return None,
            }
        }
        // Nothing is taken before every cell is read: a row given up on
        // leaves no trace for the general way to repeat.
        let src = records.src;
        let column = |role| self.roles.iter().position(|&r| r == role).unwrap_or(0);
        let time = (records.last_time)
            .read(time, || {
                let text = std::str::from_utf8(time)?;
                time_cell(
                    src,
                    Position::Line(0),
                    &records.header[column(Role::Time)],
                    text,
                )
            })
            .ok()?;
        let account = match sink.guess(account) {
            Some(id) => id,
            None => {
                let name = std::str::from_utf8(account).ok()?;
                let header = &records.header[column(Role::Account)];
                sink.intern(account_cell(src, Position::Line(0), header, name).ok()?)
            }
        };
        sink.push(Row {
            account,
            time,
            followers,
            following,
        });
        Some(())
    }
}

/// The count written in the digits `cell` starts with (as [`digits`] reads
/// them: at least one, at most 15), and where they end.
fn leading_count(cell: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in cell.iter().enumerate().take(16) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return (i > 0).then_some((v, i));
        }
        v = v * 10 + u64::from(d);
    }
    (1..=15).contains(&cell.len()).then_some((v, cell.len()))
}

/// A record's place: the line it starts on, whether it is blank, and
/// whether it opens a quoted field that is never closed.
struct LineInfo {
    first: u64,
    blank: bool,
    unclosed: bool,
}

/// Most lines one record may span: a quoted field may hold line breaks,
/// but one that runs on for this many lines is a stray quote, not a name.
const MAX_RECORD_LINES: usize = 100;

/// Reads records line by line into a reused buffer, splitting plain lines on
/// the delimiter and quoted ones with the csv crate.
struct Lines {
    reader: Reader,
    buf: Vec<u8>,
    /// Byte ranges of the current record's cells in `buf` (or in `quoted`).
    fields: Vec<Range<usize>>,
    /// Number of the last line read.
    number: u64,
    delimiter: u8,
    /// The lines after the first of the current record (a quoted field
    /// spanning lines), kept to be read again if the record is invalid.
    continued: Vec<Vec<u8>>,
    /// Lines given back, read before the reader's.
    pending: VecDeque<Vec<u8>>,
    /// Bytes taken from the reader.
    bytes: u64,
}

impl Lines {
    fn new(reader: Reader, delimiter: u8) -> Lines {
        Lines {
            reader,
            buf: Vec::new(),
            fields: Vec::new(),
            number: 0,
            delimiter,
            continued: Vec::new(),
            pending: VecDeque::new(),
            bytes: 0,
        }
    }

    /// Reads the next record; `None` at the end of the input.
    fn next_record(&mut self, src: &Source) -> Result<Option<LineInfo>> {
        self.buf.clear();
        self.continued.clear();
        if !self.read_line(src)? {
            return Ok(None);
        }
        let first = self.number;
        if !self.split_plain() {
            // A quoted field may hold line breaks: read on until it closes.
            let mut quotes = QuoteScan::default();
            quotes.feed(&self.buf, self.delimiter);
            while quotes.open && self.continued.len() + 1 < MAX_RECORD_LINES {
                let end = self.buf.len();
                self.buf.push(b'\n');
                if !self.read_line(src)? {
                    self.buf.pop();
                    break;
                }
                self.continued.push(self.buf[end + 1..].to_vec());
                quotes.feed(&self.buf[end..], self.delimiter);
            }
            if quotes.open {
                // Never closed: the record is this line alone, and invalid.
                let len =
                    self.buf.len() - self.continued.iter().map(|l| l.len() + 1).sum::<usize>();
                self.buf.truncate(len);
                self.unread_continuation();
                return Ok(Some(LineInfo {
                    first,
                    blank: false,
                    unclosed: true,
                }));
            }
            self.split_quoted(src, first)?;
        }
        let blank = self.fields.len() == 1
            && self.buf[self.fields[0].clone()]
                .iter()
                .all(u8::is_ascii_whitespace);
        Ok(Some(LineInfo {
            first,
            blank,
            unclosed: false,
        }))
    }

    /// Gives back the lines after the first of the current record, to be
    /// read again as records of their own.
    fn unread_continuation(&mut self) {
        self.number -= self.continued.len() as u64;
        for line in self.continued.drain(..).rev() {
            self.pending.push_front(line);
        }
    }

    /// Appends one line (without its `\n` or `\r\n`) to `buf`.
    fn read_line(&mut self, src: &Source) -> Result<bool> {
        if let Some(line) = self.pending.pop_front() {
            self.buf.extend_from_slice(&line);
            self.number += 1;
            return Ok(true);
        }
        let start = self.buf.len();
        let mut any = false;
        loop {
            let line = self.number + 1;
            let available = self
                .reader
                .fill_buf()
                .map_err(|e| match LineTooLong::is(&e) {
                    true => anyhow!("{}: line {line}: {e}", src.name),
                    false => anyhow::Error::new(e).context(format!("{}: cannot read", src.name)),
                })?;
            if available.is_empty() {
                break;
            }
            any = true;
            match memchr::memchr(b'\n', available) {
                Some(end) => {
                    self.buf.extend_from_slice(&available[..end]);
                    self.reader.consume(end + 1);
                    self.bytes += end as u64 + 1;
                    break;
                }
                None => {
                    let n = available.len();
                    self.buf.extend_from_slice(available);
                    self.reader.consume(n);
                    self.bytes += n as u64;
                }
            }
        }
        if !any {
            return Ok(false);
        }
        self.number += 1;
        if self.buf.len() > start && self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(true)
    }

    /// Splits the line in `buf` on the delimiter; false if it holds a quote.
    fn split_plain(&mut self) -> bool {
        split_plain(&self.buf, self.delimiter, &mut self.fields)
    }

    /// Splits a record with quotes by the csv crate's rules, then stores the
    /// unquoted cells back into `buf`.
    fn split_quoted(&mut self, src: &Source, line: u64) -> Result<()> {
        let mut csv = ::csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.buf[..]);
        let mut record = ::csv::ByteRecord::new();
        let read = csv
            .read_byte_record(&mut record)
            .map_err(|e| anyhow!("{}: line {line}: malformed CSV ({:?})", src.name, e.kind()))?;
        self.fields.clear();
        let mut cells = Vec::new();
        if read {
            for cell in record.iter() {
                let start = cells.len();
                cells.extend_from_slice(cell);
                self.fields.push(start..cells.len());
            }
        }
        if self.fields.is_empty() {
            self.fields.push(0..0);
        }
        self.buf = cells;
        Ok(())
    }

    fn cells(&self) -> Cells<'_> {
        Cells {
            buf: &self.buf,
            fields: &self.fields,
        }
    }
}

/// Splits a line on the delimiter into `fields`, eight bytes at a time.
/// Returns false, leaving the split unfinished, if the line holds a quote.
///
/// Every row of the input passes here, and a byte-at-a-time loop was most
/// of the fast path's time; a word's delimiter and quote bytes are found
/// with a few integer operations instead.
fn split_plain(line: &[u8], delimiter: u8, fields: &mut Vec<Range<usize>>) -> bool {
    fields.clear();
    let mut start = 0;
    let mut words = line.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        if bytes_equal(word, b'"') != 0 {
            return false;
        }
        let mut found = bytes_equal(word, delimiter);
        while found != 0 {
            let at = base + found.trailing_zeros() as usize / 8;
            fields.push(start..at);
            start = at + 1;
            found &= found - 1;
        }
        base += 8;
    }
    for (at, &b) in words.remainder().iter().enumerate() {
        if b == delimiter {
            fields.push(start..base + at);
            start = base + at + 1;
        } else if b == b'"' {
            return false;
        }
    }
    fields.push(start..line.len());
    true
}

/// Follows the csv crate's quoting through a record fed piece by piece: a
/// quote opens a quoted field only at the start of a field (elsewhere it is
/// read as it is), `""` inside one is a quote, and the next lone quote
/// closes it. Fed incrementally, so a long record costs one pass.
#[derive(Default)]
struct QuoteScan {
    /// Inside a quoted field.
    open: bool,
    /// The last byte seen was a quote inside a quoted field: the field closed
    /// there, unless the next byte is a quote too.
    quote: bool,
    /// The next byte starts a field (initially: the record's first field).
    not_field_start: bool,
}

impl QuoteScan {
    fn feed(&mut self, bytes: &[u8], delimiter: u8) {
        for &b in bytes {
            if self.quote {
                self.quote = false;
                if b == b'"' {
                    continue; // `""`: a quote inside the field
                }
                self.open = false;
            }
            if self.open {
                if b == b'"' {
                    self.quote = true;
                }
                continue;
            }
            if b == b'"' && !self.not_field_start {
                self.open = true;
            }
            self.not_field_start = b != delimiter;
        }
        // A quote that ends the input closes its field.
        if self.quote {
            self.quote = false;
            self.open = false;
        }
    }
}

/// The cells of the current record, borrowed from the line buffer.
struct Cells<'a> {
    buf: &'a [u8],
    fields: &'a [Range<usize>],
}

impl<'a> Cells<'a> {
    fn len(&self) -> usize {
        self.fields.len()
    }

    fn get(&self, i: usize) -> &'a [u8] {
        &self.buf[self.fields[i].clone()]
    }
}

/// Turns records into rows: the header, where each field sits, and the
/// last time cell read (reused when the next row has the same).
struct Records<'a, 'b> {
    src: &'a Source<'b>,
    layout: Layout,
    header: Vec<String>,
    /// For quoting a record back in messages.
    delimiter: u8,
    last_time: LastTime,
}

/// Where a record's snapshots are.
enum Layout {
    /// One snapshot a record (the SPEC's long shape).
    Long {
        cols: Resolved,
        accounts: AccountSource,
    },
    /// One record an instant: a time column, and a column of follower
    /// counts per account (column index, account id); an empty cell is no
    /// snapshot.
    Wide {
        time: usize,
        accounts: Vec<(usize, u32)>,
    },
}

impl<'a, 'b> Records<'a, 'b> {
    /// Records of the long shape.
    fn new(
        src: &'a Source<'b>,
        cols: Resolved,
        header: Vec<String>,
        delimiter: u8,
        sink: &mut impl Sink,
    ) -> Self {
        let accounts = AccountSource::new(&cols, src, sink);
        Records {
            src,
            layout: Layout::Long { cols, accounts },
            header,
            delimiter,
            last_time: LastTime::default(),
        }
    }

    /// Records of a wide table: its accounts are named by the header.
    fn wide(
        src: &'a Source<'b>,
        wide: &Wide,
        header: Vec<String>,
        delimiter: u8,
        collector: &mut Collector,
    ) -> Self {
        let accounts = wide
            .accounts
            .iter()
            .map(|&i| (i, collector.intern(&header[i])))
            .collect();
        Records {
            src,
            layout: Layout::Wide {
                time: wide.time,
                accounts,
            },
            header,
            delimiter,
            last_time: LastTime::default(),
        }
    }

    /// Takes the snapshots of one record, all or none (an invalid record
    /// adds nothing).
    fn record(&mut self, cells: &Cells, pos: Position, sink: &mut impl Sink) -> Result<()> {
        let (src, header) = (self.src, &self.header);
        if cells.len() != header.len() {
            return Err(anyhow!(
                "{}: {pos}: expected {} fields as in the header, found {}: {}{}",
                src.name,
                header.len(),
                cells.len(),
                quoted_record(cells, self.delimiter),
                thousands_hint(cells, header.len(), self.delimiter)
            ));
        }
        let text = |i: usize, field: Field| -> Result<&str> {
            std::str::from_utf8(cells.get(i)).map_err(|_| {
                field_error(
                    src.name,
                    pos,
                    field,
                    &header[i],
                    &String::from_utf8_lossy(cells.get(i)),
                    &"not valid UTF-8",
                )
            })
        };
        let count = |i: usize, field: Field| -> Result<u64> {
            match digits(cells.get(i)) {
                Some(v) => Ok(v),
                None => count_cell(src, pos, field, &header[i], text(i, field)?),
            }
        };
        let time_column = match &self.layout {
            Layout::Long { cols, .. } => cols.time,
            Layout::Wide { time, .. } => *time,
        };
        let time = self.last_time.read(cells.get(time_column), || {
            time_cell(
                src,
                pos,
                &header[time_column],
                text(time_column, Field::Time)?,
            )
        })?;
        let (cols, accounts) = match &self.layout {
            Layout::Long { cols, accounts } => (cols, *accounts),
            Layout::Wide { accounts, .. } => {
                let mut rows = Vec::with_capacity(accounts.len());
                for &(i, account) in accounts {
                    if !cells.get(i).trim_ascii().is_empty() {
                        rows.push(Row {
                            account,
                            time,
                            followers: count(i, Field::Followers)?,
                            following: None,
                        });
                    }
                }
                rows.into_iter().for_each(|row| sink.push(row));
                return Ok(());
            }
        };
        if cells.get(cols.followers).trim_ascii().is_empty() {
            sink.missing_count();
            return Ok(());
        }
        let followers = count(cols.followers, Field::Followers)?;
        let following = match cols.following {
            Some(i) if cells.get(i).trim_ascii().is_empty() => None,
            Some(i) => Some(count(i, Field::Following)?),
            None => None,
        };
        let account = match accounts {
            AccountSource::Fixed(id) => id,
            AccountSource::Column(i) if let Some(id) = sink.guess(cells.get(i)) => id,
            AccountSource::Column(i) => {
                let bytes = cells.get(i);
                let name = match std::str::from_utf8(bytes) {
                    Ok(name) => std::borrow::Cow::Borrowed(name),
                    Err(_) => {
                        // Reports must be valid UTF-8: replace, and say so.
                        sink.replaced_name();
                        String::from_utf8_lossy(bytes)
                    }
                };
                sink.intern(account_cell(src, pos, &header[i], &name)?)
            }
            AccountSource::InCohort { account, cohort } => {
                let account = match account {
                    Some(i) => account_cell(src, pos, &header[i], text(i, Field::Account)?)?,
                    None => src.stem,
                };
                let cohort = match cohort {
                    CohortCell::Column(j) => text(j, Field::Cohort)?.trim(),
                    CohortCell::File => src.stem,
                };
                sink.intern(&in_cohort(account, cohort))
            }
        };
        // A display name that is not text is no name to show: left out.
        if let Some(Ok(label)) = cols.label.map(|l| std::str::from_utf8(cells.get(l)))
            && !label.trim().is_empty()
        {
            sink.label(account, label.trim());
        }
        sink.push(Row {
            account,
            time,
            followers,
            following,
        });
        Ok(())
    }

    /// Whether a line taken into a quoted field of the record before it
    /// has the header's number of fields: a record of its own, swallowed
    /// by a stray quote, rather than the rest of a name or a bio.
    fn looks_like_a_record(&self, line: &[u8]) -> bool {
        let delimiters = memchr::memchr_iter(self.delimiter, line).count();
        self.header.len() > 1 && delimiters + 1 == self.header.len()
    }

    /// Whether a record whose first cell starts as `first` does cannot be
    /// the header again, by its first byte alone: another than the
    /// header's, and no byte-order mark or space.
    fn cannot_repeat_header(&self, first: &[u8]) -> bool {
        matches!(
            (first.first(), self.header[0].as_bytes().first()),
            (Some(&b), Some(&h)) if b != h && b != super::BOM[0] && !b.is_ascii_whitespace()
        )
    }

    /// Whether a record is the header row again (cells compared trimmed; a
    /// byte-order mark left by `cat` of a file that starts with one is
    /// ignored). Every row is asked: its first byte settles it for nearly
    /// all data rows (a row that starts with a digit cannot repeat a header
    /// that starts with a letter).
    fn repeats_header(&self, cells: &Cells) -> bool {
        let first = cells.get(0);
        if self.cannot_repeat_header(first) {
            return false;
        }
        let first = first.strip_prefix(super::BOM).unwrap_or(first);
        cells.len() == self.header.len()
            && first.trim_ascii() == self.header[0].as_bytes()
            && repeats_header(
                &(0..cells.len()).map(|i| cells.get(i)).collect::<Vec<_>>(),
                &self.header,
            )
    }
}

/// A record as it was written, shortened, for an error message.
fn quoted_record(cells: &Cells, delimiter: u8) -> String {
    const MAX: usize = 80;
    let parts: Vec<String> = (0..cells.len())
        .map(|i| String::from_utf8_lossy(cells.get(i)).into_owned())
        .collect();
    let line = parts.join(&char::from(delimiter).to_string());
    let line = line.escape_debug().to_string();
    if line.chars().count() <= MAX {
        return format!("\"{line}\"");
    }
    let cut: String = line.chars().take(MAX - 1).collect();
    format!("\"{cut}…\"")
}

/// When a comma-separated record has one field too many and two of its
/// cells look like a number split at a thousands separator (`1,234`), says
/// how to write it.
fn thousands_hint(cells: &Cells, expected: usize, delimiter: u8) -> &'static str {
    let all_digits = |c: &[u8]| !c.is_empty() && c.iter().all(u8::is_ascii_digit);
    let split = (1..cells.len()).any(|i| {
        all_digits(cells.get(i - 1)) && cells.get(i).len() == 3 && all_digits(cells.get(i))
    });
    if delimiter == b',' && cells.len() == expected + 1 && split {
        " (a count with a thousands separator, like 1,234, must be quoted: \"1,234\")"
    } else {
        ""
    }
}

/// A plain count: up to 15 ASCII digits (anything else takes the general
/// parser, which also gives the error).
fn digits(cell: &[u8]) -> Option<u64> {
    if cell.is_empty() || cell.len() > 15 {
        return None;
    }
    let mut v = 0u64;
    for &b in cell {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v)
}

/// Whether a record is the header row again (cells compared trimmed; a
/// byte-order mark left by `cat` of a file that starts with one is ignored).
fn repeats_header(cells: &[&[u8]], header: &[String]) -> bool {
    cells.len() == header.len()
        && cells
            .iter()
            .zip(header)
            .enumerate()
            .all(|(i, (cell, name))| {
                let cell = if i == 0 {
                    cell.strip_prefix(super::BOM).unwrap_or(cell)
                } else {
                    cell
                };
                cell.trim_ascii() == name.as_bytes()
            })
}

/// Picks the delimiter among `,`, `;` and tab that occurs most often in the
/// first line outside quotes (`,` when none does).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

#[cfg(test)]
mod tests {
    use super::{repeats_header, sniff_delimiter};

    /// Cells the rows of the property below are made of: common ones, and
    /// every kind the row read by position must leave to the general way.
    const CELLS: [&[u8]; 18] = [
        b" 2024-01-01T00:00:00Z",
        b"2024-01-01",
        b"",
        b" a",
        b"\xffz",
        b"\"a\"",
        b"1234567890123456",
        b"1 2",
        b" 5",
        b"-3",
        b"5 ",
        b"timestamp",
        b"account",
        b"\xef\xbb\xbftimestamp",
        b"followers",
        b"x\"y",
        b"2024-01-02T00:00:01Z",
        b"7",
    ];
    const TIMES: [&[u8]; 3] = [
        b"2024-01-01T00:00:00Z",
        b"2024-01-02T00:00:01Z",
        b"2024-01-01T23:59:59+01:00",
    ];
    const NAMES: [&[u8]; 4] = [b"a", b"b", b"c", b"d d"];
    const COUNTS: [&[u8]; 4] = [b"12", b"0012", b"123456789012345", b"0"];

    proptest::proptest! {
        /// A chunk read with the row read by position is the chunk read
        /// the general way alone, line for line, give-up for give-up: for
        /// two layouts (one with a column not read, in another order), and
        /// rows mostly common but some of any cells, any number of them,
        /// with or without `\r`.
        #[test]
        fn rows_read_by_position_are_the_rows_read_the_general_way(
            rows in proptest::collection::vec(
                (
                    0..10u8,
                    proptest::collection::vec(0..CELLS.len(), 2..6),
                    proptest::bool::ANY,
                ),
                1..60,
            ),
            layout in 0..2usize,
        ) {
            use super::super::{Chunk, Progress, ReadOptions, Source};
            use super::{ChunkParser, Feed, Resolved};
            let (header, cols) = match layout {
                0 => (
                    ["timestamp", "account", "followers", "following"],
                    Resolved { time: 0, account: Some(1), followers: 2, following: Some(3), cohort: None, label: None },
                ),
                _ => (
                    ["account", "note", "followers", "timestamp"],
                    Resolved { time: 3, account: Some(0), followers: 2, following: None, cohort: None, label: None },
                ),
            };
            let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
            let mut text = Vec::new();
            for (kind, cells, cr) in &rows {
                // Nine rows in ten common: each cell one its column takes.
                let common = |column: usize, i: usize| match header[column].as_str() {
                    "timestamp" => TIMES[i % TIMES.len()],
                    "account" => NAMES[i % NAMES.len()],
                    "note" => NAMES[(i + 1) % NAMES.len()],
                    _ => COUNTS[i % COUNTS.len()],
                };
                let picked: Vec<&[u8]> = match kind {
                    0 => cells.iter().map(|&i| CELLS[i]).collect(),
                    _ => (0..header.len()).map(|c| common(c, cells[c % cells.len()])).collect(),
                };
                text.extend_from_slice(&picked.join(&b","[..]));
                if *cr {
                    text.push(b'\r');
                }
                text.push(b'\n');
            }
            let opts = ReadOptions::default();
            let progress = Progress::new(None);
            let src = Source { name: "t.csv", stem: "t", opts: &opts, progress: &progress, compressed: false, file: None, offset: 0 };
            let read = |positional: bool| {
                let mut parser = ChunkParser::new(&src, &cols, &header, b',', Chunk::default());
                proptest::prop_assert!(parser.positional.is_some());
                if !positional {
                    parser.positional = None;
                }
                let taken = parser.feed(&text, true);
                Ok(format!("{taken:?} {:?}", parser.finish()))
            };
            proptest::prop_assert_eq!(read(true)?, read(false)?);
        }
    }

    #[test]
    fn repeated_header_is_recognised() {
        let header = ["timestamp".to_string(), "followers".to_string()];
        assert!(repeats_header(&[b"timestamp", b"followers"], &header));
        assert!(repeats_header(
            &[b"\xef\xbb\xbftimestamp", b" followers"],
            &header
        ));
        assert!(!repeats_header(&[b"2024-01-01", b"12"], &header));
        assert!(!repeats_header(&[b"timestamp"], &header));
    }

    /// The word-at-a-time split agrees with a byte-at-a-time one, for
    /// delimiters anywhere in a word, bytes next to them that differ by one
    /// bit, and quotes.
    #[test]
    fn splitting_agrees_with_a_byte_loop() {
        let by_bytes = |line: &[u8], delimiter: u8| -> Option<Vec<std::ops::Range<usize>>> {
            if line.contains(&b'"') {
                return None;
            }
            let mut fields = Vec::new();
            let mut start = 0;
            for (at, &b) in line.iter().enumerate() {
                if b == delimiter {
                    fields.push(start..at);
                    start = at + 1;
                }
            }
            fields.push(start..line.len());
            Some(fields)
        };
        let alphabet = [
            b',', b'-', b'+', 0xac, b'\t', b'\x08', b';', b':', b'"', b'a', b'0', 0xff, 0x80,
        ];
        let mut fields = Vec::new();
        let mut seed = 1u64;
        for len in 0..40 {
            for _ in 0..200 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        alphabet[(seed >> 33) as usize % alphabet.len()]
                    })
                    .collect();
                for delimiter in [b',', b';', b'\t'] {
                    let split = super::split_plain(&line, delimiter, &mut fields);
                    let expected = by_bytes(&line, delimiter);
                    assert_eq!(split, expected.is_some(), "{line:?}");
                    if let Some(expected) = expected {
                        assert_eq!(fields, expected, "{line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn quotes_open_fields_only_at_their_start() {
        let open = |pieces: &[&str]| {
            let mut q = super::QuoteScan::default();
            for p in pieces {
                q.feed(p.as_bytes(), b',');
            }
            q.open
        };
        assert!(!open(&["t,ali\"ce,12"]));
        assert!(open(&["t,\"bob,12"]));
        assert!(!open(&["t,\"a, b\",12"]));
        assert!(!open(&["t,\"say \"\"hi\"\"\",12"]));
        assert!(open(&["t,\"two", "\nlines"]));
        assert!(!open(&["t,\"two", "\nlines\",12"]));
        assert!(!open(&["\"\""]));
    }

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter(b"time,account,followers\n1,2,3"), b',');
        assert_eq!(sniff_delimiter(b"time;account;followers\r\n"), b';');
        assert_eq!(sniff_delimiter(b"time\taccount\tfollowers"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c,d"), b',');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }
}
