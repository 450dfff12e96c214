//! Reading snapshots: expanding folders, opening files or stdin, undoing
//! compression and opening containers (both recognised by their first
//! bytes, in `container`), stripping a byte-order mark, telling CSV from
//! JSON from NDJSON (by the file's name, else its content), and handing
//! every record to a [`Collector`] that interns account names and stores
//! rows compactly. A compressed input is decompressed on a thread of its
//! own, ahead of the parser.
//!
//! Nothing here judges the data; it only turns bytes into [`Row`]s or fails
//! with a message naming the file, line (or record) and field.

mod bytes;
mod collect;
mod columns;
mod container;
mod csv;
mod cut_line;
mod envelope;
mod file;
mod json;
mod json_pick;
mod limits;
mod names;
mod parallel;
mod series;
mod value;

pub use value::Thousands;

pub(crate) use collect::{Chunk, Sink};
pub use collect::{Collected, Collector, FollowingCounts, Labels, Row};
use columns::Resolved;
pub use columns::{ColumnOverrides, Field, HeaderError, MissingColumn};
use cut_line::CutLine;
pub use cut_line::HeldBack;
use file::OpenFile;
pub use limits::default_max_rows;
pub use series::{Series, Snapshot};

use crate::progress::{Counted, Progress};
use crate::time::{TimeFormat, Zone};
use anyhow::{Context, Result, bail};
use container::{Compression, Wrapping};
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

/// The input formats `followdrop` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Ndjson,
}

/// How to read the inputs: everything the user can say about their shape.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Forced format (`--input-format`); otherwise from the name or content.
    pub format: Option<Format>,
    /// Forced CSV delimiter; otherwise sniffed from the header line.
    pub delimiter: Option<u8>,
    pub columns: ColumnOverrides,
    /// Zone of times written without an offset.
    pub zone: Zone,
    /// How times are written, when not in a form read by default
    /// (`--time-format`).
    pub time_format: Option<TimeFormat>,
    /// The character that groups thousands in counts (`--thousands`).
    pub thousands: Thousands,
    /// Where a JSON document's records are (`--records`, a dotted path);
    /// found by itself when unambiguous.
    pub records: Option<String>,
    /// Take each file's snapshot time from a date in its name
    /// (`--time-from-name`), for API responses saved without one.
    pub time_from_name: bool,
    /// Each input file is a cohort of its own (`--cohort-by file`).
    pub cohort_by_file: bool,
    /// The sheet of an Excel workbook to read (`--sheet`; the first).
    pub sheet: Option<String>,
    /// The table of a SQLite database to read (`--table`; the only one
    /// with snapshot columns).
    pub table: Option<String>,
    /// What to do with an invalid record.
    pub on_error: OnError,
    /// Read CSV as a wide table (`--wide`); also detected from the header.
    pub wide: bool,
    /// Inputs of reference accounts (`--reference`): in the cohort, never
    /// reported.
    pub references: Vec<String>,
    /// The most snapshots to hold (`--max-rows`); `None`, no limit.
    pub max_rows: Option<u64>,
    /// Say on stderr how the read goes (off with `--quiet`): a progress bar
    /// for a long read when stderr is a terminal and, when stdin is one, a
    /// word that it is being read.
    pub progress: bool,
}

/// What to do with an invalid record (`--on-error`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OnError {
    /// Stop with an error naming the file, line and field (status 2).
    #[default]
    Fail,
    /// Skip the record, count it in the warnings with the first few
    /// locations, and go on.
    Skip,
}

/// Reads every input (a file, a folder of files, or `-` for stdin), then
/// the reference inputs (`--reference`), into one collector. Accounts first
/// seen in a reference input get the ids from [`Collected::first_reference`]
/// on.
pub fn read_all(inputs: &[String], opts: &ReadOptions) -> Result<Collector> {
    let mut unread = Vec::new();
    let main = expand_folders(inputs, &mut unread)?;
    let references = expand_folders(&opts.references, &mut unread)?;
    let all: Vec<&String> = main.iter().chain(&references).collect();
    let mut collector = Collector {
        max_rows: opts.max_rows,
        ..Collector::default()
    };
    unread.sort();
    collector.collected.unread_files = unread;
    let sizes: Vec<Option<u64>> = all.iter().map(|i| input_size(i)).collect();
    let total = sizes.iter().flatten().sum();
    // The share of the inputs read is known only when every one has a size.
    collector.input_bytes = sizes.iter().copied().sum();
    let progress = Progress::new(if opts.progress { Some(total) } else { None });
    for (k, input) in all.into_iter().enumerate() {
        if k == main.len() {
            collector.collected.first_reference = Some(collector.names.len());
        }
        let before = collector.collected.rows;
        let read = read_one(input, opts, &progress, &mut collector);
        if read.is_err() {
            progress.finish();
        }
        read?;
        collector.check_room(&progress)?;
        if collector.collected.rows == before {
            bail!(
                "{}: no snapshots (the input is empty or has only a header)",
                display_name(input)
            );
        }
        collector.collected.files.push(input.clone());
    }
    progress.finish();
    Ok(collector)
}

/// The size of an input in bytes, when it is a file: stdin too when it is
/// one (`followdrop scan - < snapshots.csv`), not when it is a pipe.
fn input_size(input: &str) -> Option<u64> {
    let path = if input == "-" { "/dev/stdin" } else { input };
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file().then_some(meta.len())
}

/// Replaces each folder among `inputs` by the snapshot files in it (by
/// name: `.csv`, `.tsv`, `.txt`, `.json`, `.ndjson`, `.jsonl`, each maybe
/// `.gz`), in name order. Not recursive; hidden files (a name starting with
/// `.`, like the temporary file of a report being written there) are left
/// out. A folder with no snapshot file is an error.
/// Other files are added to `unread`, to be named in a warning: a folder of
/// exports that gained a format followdrop does not read must not be
/// half-read without a word.
fn expand_folders(inputs: &[String], unread: &mut Vec<String>) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        if input == "-" || !Path::new(input).is_dir() {
            out.push(input.clone());
            continue;
        }
        let entries =
            std::fs::read_dir(input).with_context(|| format!("{input}: cannot read the folder"))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("{input}: cannot read the folder"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if !is_snapshot_file(&name) {
                if entry.path().is_file() {
                    unread.push(entry.path().to_string_lossy().into_owned());
                }
                continue;
            }
            if entry.path().is_file() {
                files.push(entry.path().to_string_lossy().into_owned());
            }
        }
        if files.is_empty() {
            bail!(
                "{input}: no snapshot files in this folder (looked for {SNAPSHOT_FILES}; subfolders are not read)"
            );
        }
        files.sort();
        out.extend(files);
    }
    Ok(out)
}

/// The name used for an input in messages.
pub fn display_name(input: &str) -> &str {
    if input == "-" { "<stdin>" } else { input }
}

fn read_one(
    input: &str,
    opts: &ReadOptions,
    progress: &Arc<Progress>,
    collector: &mut Collector,
) -> Result<()> {
    let name = display_name(input);
    if input == "-" {
        let stdin = io::stdin();
        // Without a word, a scan waiting for snapshots to be typed (or for a
        // forgotten `< file`) looks hung.
        if opts.progress && stdin.is_terminal() {
            eprintln!(
                "followdrop: reading snapshots from standard input (end with {END_OF_INPUT})"
            );
        }
        let raw = Box::new(Fused {
            inner: stdin,
            ended: false,
        });
        return read_stream(input, raw, None, opts, progress, collector);
    };
    let opened = File::open(input)
        .and_then(|f| OpenFile::new(f, input))
        .with_context(|| format!("{name}: cannot open"))?;
    let mut file = match opened {
        Ok(file) => file,
        // A pipe, a device: read as a stream.
        Err(stream) => {
            return read_stream(input, Box::new(stream), None, opts, progress, collector);
        }
    };
    let cut = CutLine::find(&file, input, opts).with_context(|| format!("{name}: cannot read"))?;
    if let Some(cut) = &cut {
        file.end_at(cut.start);
    }
    let raw = Box::new(file.range(0, file.size()));
    read_stream(input, raw, Some(&file), opts, progress, collector)?;
    if let Some(cut) = cut
        && let Some(held) = cut.read(input, &file, opts, collector)?
    {
        collector.collected.held_back.push(held);
    }
    file.check_unchanged(name)
}

/// The keys that end what is typed on a terminal.
#[cfg(not(windows))]
const END_OF_INPUT: &str = "Ctrl-D";
#[cfg(windows)]
const END_OF_INPUT: &str = "Ctrl-Z then Enter";

/// A reader that stays at its end once it has reached it. A terminal ends
/// what is typed once per Ctrl-D, and a later read waits for more: the
/// readers, which may ask again after the end, would need a second Ctrl-D.
struct Fused<R> {
    inner: R,
    ended: bool,
}

impl<R: Read> Read for Fused<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ended {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        // Nothing read into no room is not the end.
        self.ended = n == 0 && !buf.is_empty();
        Ok(n)
    }
}

/// Reads snapshots from bytes in memory (any format, gzip included), as if
/// from a file named `name`: for tests and fuzzing of the readers.
pub fn read_bytes(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Collected> {
    let mut collector = Collector {
        input_bytes: Some(bytes.len() as u64),
        ..Collector::default()
    };
    let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(bytes.to_vec()));
    read_stream(name, raw, None, opts, &Progress::new(None), &mut collector)?;
    Ok(collector.finish())
}

/// Reads one input from `raw`: its wrapping, then by format. `input` names
/// it (a path, `-` for stdin, or any name for bytes in memory); `file` is
/// the file `raw` reads from its start, when it is one on disk (a large
/// plain one is then read by byte ranges: [`parallel::read_body`]).
fn read_stream(
    input: &str,
    raw: Box<dyn Read + Send>,
    file: Option<&OpenFile>,
    opts: &ReadOptions,
    progress: &Arc<Progress>,
    collector: &mut Collector,
) -> Result<()> {
    let name = display_name(input);
    let raw = Counted {
        inner: raw,
        progress: Arc::clone(progress),
    };
    let mut raw = BufReader::with_capacity(1 << 16, raw);
    let head = raw
        .fill_buf()
        .with_context(|| format!("{name}: cannot read"))?;
    let wrapping = container::sniff(head);
    let named = Compression::of_name(input);
    if let Some(c) = named
        && wrapping != Wrapping::Compressed(c)
    {
        bail!(
            "{name}: not {} data (the name ends in {} but the content does not start with its signature)",
            c.article_name(),
            c.suffix()
        );
    }
    let plain_name = named.map_or(input, |c| &input[..input.len() - c.suffix().len()]);
    let compressed = wrapping != Wrapping::Plain;
    let reader: Reader = match wrapping {
        Wrapping::Plain => Box::new(raw),
        // Decompressed on a thread of its own, so that it overlaps parsing.
        Wrapping::Compressed(c) => Box::new(BufReader::with_capacity(
            1 << 16,
            Prefetch::spawn(
                container::decompress(c, raw).with_context(|| format!("{name}: cannot read"))?,
            ),
        )),
        Wrapping::Whole(kind) => {
            for member in container::open(kind, name, Box::new(raw), opts)? {
                let bytes = Box::new(io::Cursor::new(member.bytes));
                read_stream(&member.name, bytes, None, opts, progress, collector)?;
            }
            return Ok(());
        }
    };
    let (mut reader, bom) = skip_bom(reader).with_context(|| format!("{name}: cannot read"))?;
    let head = reader
        .fill_buf()
        .with_context(|| format!("{name}: cannot read"))?;
    let format = format_of(opts, plain_name, head);
    if format != Format::Json {
        reader = Box::new(limits::LineLimit::new(reader));
    }
    // A file without an account column holds one account named after its stem.
    let stem = if input == "-" {
        "stdin".to_string()
    } else {
        file_stem(plain_name)
    };
    // A plain file on disk may be read by byte ranges (see
    // [`parallel::read_body`]); its bytes up to the reader's start are the BOM.
    let file = file.filter(|_| !compressed);
    let source = Source {
        name,
        stem: &stem,
        opts,
        progress,
        compressed,
        file,
        offset: bom as u64,
    };
    match format {
        Format::Csv => csv::read(reader, &source, collector),
        Format::Json => json::read_array(reader, &source, collector),
        Format::Ndjson => json::read_lines(reader, &source, collector),
    }
}

/// A buffered input that can be handed to another thread.
pub(crate) type Reader = Box<dyn BufRead + Send>;

/// What a format reader needs to know about the input it reads.
pub(crate) struct Source<'a> {
    /// Name for messages.
    pub name: &'a str,
    /// Account name when there is no account column.
    pub stem: &'a str,
    pub opts: &'a ReadOptions,
    /// Counts the bytes read, for the progress bar.
    pub progress: &'a Arc<Progress>,
    /// Whether it is read through a decompressor (gzip, xz, zstd, bzip2).
    pub compressed: bool,
    /// The input when it is a plain file on disk, whose bytes the reader
    /// reads from byte `offset` on: it may be read again by byte ranges.
    pub file: Option<&'a OpenFile>,
    pub offset: u64,
}

/// Where a record's account comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AccountSource {
    /// A column (or JSON path) of the input, by index.
    Column(usize),
    /// The input's stem: the whole input is one account.
    Fixed(u32),
    /// An account (a column, or the input's stem) of a cohort: the pair is
    /// the account (the same handle on two platforms is two accounts),
    /// interned as [`in_cohort`] names it.
    InCohort {
        account: Option<usize>,
        cohort: CohortCell,
    },
}

/// Where a record's cohort comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CohortCell {
    /// A column (`platform`, or `--cohort-by COLUMN`).
    Column(usize),
    /// The input's stem (`--cohort-by file`).
    File,
}

impl AccountSource {
    pub(crate) fn new(cols: &Resolved, src: &Source, sink: &mut impl Sink) -> AccountSource {
        let cohort = match cols.cohort {
            Some(j) => Some(CohortCell::Column(j)),
            None => src.opts.cohort_by_file.then_some(CohortCell::File),
        };
        match (cols.account, cohort) {
            (account, Some(cohort)) => AccountSource::InCohort { account, cohort },
            (Some(i), None) => AccountSource::Column(i),
            (None, None) => AccountSource::Fixed(sink.intern(src.stem)),
        }
    }
}

/// Between an account's name and its cohort's in the name an account of a
/// split cohort is interned by (the unit separator: no name holds it);
/// [`crate::dataset::Dataset::build`] takes them apart.
pub const COHORT_SEPARATOR: char = '\u{1f}';

/// The name an account of a cohort is interned by.
pub(crate) fn in_cohort(account: &str, cohort: &str) -> String {
    format!("{account}{COHORT_SEPARATOR}{cohort}")
}

/// Reads its source on a thread of its own, a few blocks ahead.
struct Prefetch {
    blocks: Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
}

impl Prefetch {
    /// Blocks read ahead at most: enough to keep both threads busy, little
    /// enough to bound memory.
    const AHEAD: usize = 4;
    const BLOCK: usize = 1 << 20;

    fn spawn<R: Read + Send + 'static>(mut source: R) -> Prefetch {
        let (tx, blocks) = sync_channel(Self::AHEAD);
        std::thread::spawn(move || {
            loop {
                let mut block = vec![0u8; Self::BLOCK];
                let mut n = 0;
                let outcome = loop {
                    match source.read(&mut block[n..]) {
                        Ok(0) => break Ok(()),
                        Ok(k) => {
                            n += k;
                            if n == block.len() {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                block.truncate(n);
                let end = n == 0 || outcome.is_err();
                let sent = match outcome {
                    Err(e) if n == 0 => tx.send(Err(e)),
                    Err(e) => tx.send(Ok(block)).and_then(|()| tx.send(Err(e))),
                    Ok(()) if n > 0 => tx.send(Ok(block)),
                    Ok(()) => Ok(()),
                };
                // Stop at the end, at an error, or when the reader is gone.
                if end || n < Self::BLOCK || sent.is_err() {
                    break;
                }
            }
        });
        Prefetch {
            blocks,
            block: Vec::new(),
            at: 0,
        }
    }
}

impl Read for Prefetch {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.block.len() {
            match self.blocks.recv() {
                Ok(Ok(block)) => {
                    self.block = block;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0), // the reading thread is done
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The reader past a byte-order mark, and the mark's length (0 without).
fn skip_bom(mut reader: Reader) -> io::Result<(Reader, usize)> {
    let bom = bom_len(reader.fill_buf()?);
    reader.consume(bom);
    Ok((reader, bom))
}

/// The UTF-8 byte-order mark that some tools write at the start of a file.
pub(crate) const BOM: &[u8] = b"\xef\xbb\xbf";

/// The length of the byte-order mark `head` starts with (0 without one).
pub(crate) fn bom_len(head: &[u8]) -> usize {
    if head.starts_with(BOM) { BOM.len() } else { 0 }
}

/// The files a folder or a zip archive is read for, by their names.
const SNAPSHOT_FILES: &str = ".csv, .tsv, .txt, .json, .ndjson and .jsonl files (maybe .gz, .xz, .zst or .bz2), \
     .xlsx workbooks, .sqlite/.db databases, .parquet files and .zip archives";

/// Whether a file's name says it holds snapshots (see [`SNAPSHOT_FILES`]).
pub(crate) fn is_snapshot_file(name: &str) -> bool {
    let plain = Compression::of_name(name).map_or(name, |c| &name[..name.len() - c.suffix().len()]);
    let ext = Path::new(plain)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    format_from_name(plain).is_some()
        || matches!(
            ext.as_deref(),
            Some("xlsx" | "sqlite" | "sqlite3" | "db" | "parquet" | "zip")
        )
}

/// The format an input is read as: `--input-format`, else its name's,
/// else its content's (`head`, after any byte-order mark).
fn format_of(opts: &ReadOptions, name: &str, head: &[u8]) -> Format {
    opts.format
        .or_else(|| format_from_name(name))
        .unwrap_or_else(|| sniff_format(head))
}

pub(crate) fn format_from_name(name: &str) -> Option<Format> {
    let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => Some(Format::Csv),
        "json" => Some(Format::Json),
        "ndjson" | "jsonl" | "jsonlines" => Some(Format::Ndjson),
        _ => None,
    }
}

/// Guesses the format from the first bytes: `[` opens a JSON array; `{`
/// opens NDJSON when the first lines are objects of their own, else a JSON
/// document (an API response, pretty-printed or one record); anything
/// else is read as CSV.
fn sniff_format(head: &[u8]) -> Format {
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Format::Json,
        Some(b'{') if lines_of_objects(head) => Format::Ndjson,
        Some(b'{') => Format::Json,
        _ => Format::Csv,
    }
}

/// Whether `head` starts with two lines that open objects, the first one
/// whole: NDJSON, whatever the file's name says (collectors often name
/// their JSON Lines `.json`).
pub(crate) fn lines_of_objects(head: &[u8]) -> bool {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .filter(|l| !l.is_empty());
    match (lines.next(), lines.next()) {
        (Some(first), Some(second)) => {
            first.starts_with(b"{")
                && second.starts_with(b"{")
                && serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok()
        }
        _ => false,
    }
}

fn file_stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Shortens an offending value for an error message.
pub(crate) fn shorten(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        return value.to_string();
    }
    let cut: String = value.chars().take(MAX).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_in_memory_read_like_a_file() {
        let csv = b"timestamp,account,followers\n2024-01-01,a,10\n2024-01-02,a,12\n";
        let got = read_bytes("mem.csv", csv, &ReadOptions::default()).unwrap();
        assert_eq!((got.rows, got.names.clone()), (2, vec!["a".to_string()]));
        let ndjson = b"{\"ts\": 1704067200, \"user\": \"b\", \"fan_count\": 5}\n";
        let got = read_bytes("mem", ndjson, &ReadOptions::default()).unwrap();
        assert_eq!(
            got.series[0]
                .iter()
                .map(|s| s.followers)
                .collect::<Vec<_>>(),
            [5]
        );
        assert!(read_bytes("mem.csv", b"\xff\xfe,\n", &ReadOptions::default()).is_err());
    }
}
