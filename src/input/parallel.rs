//! Reading the body of a format of one record a line (CSV, NDJSON): how is
//! decided in one place, [`read_body`] — a large plain file by byte ranges
//! on all threads, another input (a stream: stdin, a decompressor) in
//! pieces on all threads, else serially — each piece parsed into a
//! [`Chunk`] on the pool, the chunks appended in input order.
//!
//! A format gives, as a [`LineFormat`], the parsing of one piece — a fast
//! path that gives up (`None`) on anything unusual — and a serial reader
//! that takes over from the first piece it gave up on, with exact line
//! numbers for its messages. Its header or first record is read before, by
//! the format, from the start of the input.

use super::file::OpenFile;
use super::names::Names;
use super::{Chunk, Collector, Reader, Source};
use crate::progress::Counted;
use anyhow::{Context, Result};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, BufRead, Read};
use std::sync::{Arc, mpsc};

/// A format's fast path: the lines of one piece of the input, fed to it in
/// blocks, made into a [`Chunk`].
pub(crate) trait Feed {
    /// Reads the complete lines of `text` (and its unfinished last line
    /// too when it is the `last` text); how many bytes it took, or `None`
    /// if the fast path cannot take them.
    fn feed(&mut self, text: &[u8], last: bool) -> Option<usize>;
    /// The rows read, grouped by account, and the number of lines.
    fn finish(self) -> (Chunk, u64);
}

/// A format of one record a line (CSV, NDJSON), once its header or first
/// record has given its layout: how a piece of its body is read on the
/// fast path, and how it is read serially from a given line.
pub(crate) trait LineFormat: Sync {
    type Fast<'f>: Feed
    where
        Self: 'f;
    /// The fast path for one piece of the body, into `chunk` (an empty
    /// one, maybe knowing the collector's names).
    fn fast(&self, chunk: Chunk) -> Self::Fast<'_>;
    /// Reads `reader`, whose first line is line `line + 1`, to its end
    /// with exact line numbers: the snapshots taken.
    fn serial(&self, reader: Reader, line: u64, collector: &mut Collector) -> Result<u64>;
}

/// Where a format's body starts: its reader, the number of the line before
/// it, and the byte it starts at in the input file (`src.file`).
pub(crate) struct Body {
    pub reader: Reader,
    pub line: u64,
    pub byte: u64,
}

/// Reads a format's body, the one place where how is decided: a plain file
/// on disk worth splitting by byte ranges on all threads; another input in
/// pieces of the stream when there are threads to share them; else
/// serially. Returns the snapshots taken.
pub(crate) fn read_body<F: LineFormat>(
    format: &F,
    body: Body,
    src: &Source,
    collector: &mut Collector,
) -> Result<u64> {
    if let Some(file) = src.file
        && worth_splitting(file)
    {
        let serial = |start, line, collector: &mut Collector| {
            format.serial(open_at(file, start, src), line, collector)
        };
        let snapshots = read_file(
            file,
            src,
            body.byte,
            body.line,
            collector,
            |chunk| format.fast(chunk),
            serial,
        )?;
        return Ok(snapshots as u64);
    }
    if rayon::current_num_threads() < 2 {
        return format.serial(body.reader, body.line, collector);
    }
    let parse = |piece: &[u8], chunk| {
        let mut fast = format.fast(chunk);
        fast.feed(piece, true)?;
        Some(fast.finish())
    };
    let serial = |reader, line, collector: &mut Collector| format.serial(reader, line, collector);
    read_stream(body.reader, src, body.line, collector, parse, serial)
}

/// Calls `take` on each complete line of `text` (and on its unfinished last
/// line when `last`), without its `\n`, until it returns `None`; the bytes
/// and lines taken.
pub(crate) fn each_line(
    text: &[u8],
    last: bool,
    mut take: impl FnMut(&[u8]) -> Option<()>,
) -> Option<(usize, u64)> {
    let (mut at, mut lines) = (0, 0);
    while at < text.len() {
        let line_end = match memchr::memchr(b'\n', &text[at..]) {
            Some(i) => at + i,
            None if last => text.len(),
            None => break,
        };
        take(&text[at..line_end])?;
        at = line_end + 1;
        lines += 1;
    }
    Some((at.min(text.len()), lines))
}

/// Files smaller than this are read on one thread: splitting is not worth it.
const PARALLEL_MIN_BYTES: u64 = 16 << 20;

/// Whether a file is worth reading in byte ranges: large enough, and
/// threads to share it.
fn worth_splitting(file: &OpenFile) -> bool {
    rayon::current_num_threads() >= 2 && file.size() >= PARALLEL_MIN_BYTES
}

/// Reads a file's body from byte `start`, the start of line `line + 1`, in
/// byte ranges cut at line ends, a few a thread at a time: each range read
/// in 1 MB blocks by the fast path `parser` makes for a chunk. From the
/// first range it gives up on, `serial` reads from that byte and line to the
/// end (returning the snapshots it took), with exact line numbers for its
/// messages. Returns the snapshots taken.
fn read_file<F: Feed>(
    file: &OpenFile,
    src: &Source,
    start: u64,
    line: u64,
    collector: &mut Collector,
    parser: impl Fn(Chunk) -> F + Sync,
    serial: impl FnOnce(u64, u64, &mut Collector) -> Result<u64>,
) -> Result<usize> {
    let threads = rayon::current_num_threads();
    let size = file.size();
    let chunks = (threads * RANGES_PER_THREAD) as u64;
    let mut bounds = vec![start];
    for k in 1..chunks {
        let nominal = start + (size.saturating_sub(start)) * k / chunks;
        match next_line_start(file, nominal, src)? {
            Some(b) if b > *bounds.last().unwrap_or(&0) && b < size => bounds.push(b),
            _ => {}
        }
    }
    bounds.push(size.max(start));
    let mut ranges = bounds.windows(2).map(|w| (w[0], w[1]));
    // The inputs before this one are read whole.
    let offset = src.progress.position();
    let parse = |&(start, end): &(u64, u64), chunk| {
        let input = counted(file, start, end, src);
        let (chunk, lines) = read_range(input, parser(chunk))?;
        Some((chunk.ending_at(offset + end), lines))
    };
    match read_pieces(|_, _| ranges.next(), parse, line, collector) {
        Ended::Done { snapshots, .. } => Ok(snapshots),
        Ended::Stopped {
            rest,
            line,
            snapshots,
        } => {
            let start = rest.first().map_or(size, |r| r.0);
            let more = serial(start, line, collector)?;
            Ok(snapshots + more as usize)
        }
    }
}

/// A buffered reader of a file from byte `start` to its end, counted in
/// the progress.
fn open_at(file: &OpenFile, start: u64, src: &Source) -> Reader {
    let counted = counted(file, start, file.size(), src);
    let buffered = io::BufReader::with_capacity(1 << 16, counted);
    Box::new(super::limits::LineLimit::new(buffered))
}

/// Bytes `start..end` of a file, their reads counted in the progress.
fn counted(file: &OpenFile, start: u64, end: u64, src: &Source) -> Counted<super::file::Range> {
    Counted {
        inner: file.range(start, end),
        progress: Arc::clone(src.progress),
    }
}

/// Reads a byte range of a file through a format's fast path, in large
/// blocks, each line taken where it lies; `None` if the fast path gives up.
fn read_range(mut input: impl Read, mut feed: impl Feed) -> Option<(Chunk, u64)> {
    /// Bytes read at a time.
    const BLOCK: usize = 1 << 20;
    thread_local! {
        /// Each thread's block, for every range it reads: zeroed once
        /// (zeroing a block before every read cost as much as splitting its
        /// lines), and not allocated anew for each range (a megabyte of
        /// fresh pages, each faulted in by the system).
        static BLOCKS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    BLOCKS.with_borrow_mut(|block| {
        // The unfinished last line of the previous block, at the start.
        let mut kept = 0;
        let taken_whole = loop {
            // Grown for a line longer than a block.
            if block.len() < kept + BLOCK {
                block.resize(kept + BLOCK, 0);
            }
            let Ok(n) = read_full(&mut input, &mut block[kept..kept + BLOCK]) else {
                break false;
            };
            let filled = kept + n;
            let done = n == 0;
            let Some(taken) = feed.feed(&block[..filled], done) else {
                break false;
            };
            if done {
                break true;
            }
            block.copy_within(taken..filled, 0);
            kept = filled - taken;
            if kept > super::limits::MAX_LINE {
                // A line without an end: the serial reader says where.
                break false;
            }
        };
        // A block grown for a long line is not kept.
        block.truncate(BLOCK);
        block.shrink_to(BLOCK);
        taken_whole.then(|| feed.finish())
    })
}

/// The offset just after the first newline at or after `from`.
fn next_line_start(file: &OpenFile, from: u64, src: &Source) -> Result<Option<u64>> {
    let mut window = vec![0u8; 1 << 16];
    let n = file
        .read_at(&mut window, from)
        .with_context(|| format!("{}: cannot read", src.name))?;
    Ok(memchr::memchr(b'\n', &window[..n]).map(|i| from + i as u64 + 1))
}

/// Reads until `buf` is full or the file ends; the number of bytes read.
pub(crate) fn read_full(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Reads the rest of a stream (gzip, stdin, any line-based input), whose
/// first line is line `line + 1`: in pieces of [`stream_piece`] bytes cut
/// at line ends, parsed by `parse` on the pool, a few a thread at a time;
/// `serial` reads from a reader and line number to the end, and takes over
/// from a piece `parse` gives up on, or reads it all when it is only one
/// piece long. Returns the snapshots taken.
fn read_stream(
    mut reader: Reader,
    src: &Source,
    line: u64,
    collector: &mut Collector,
    parse: impl Fn(&[u8], Chunk) -> Option<(Chunk, u64)> + Sync,
    serial: impl FnOnce(Reader, u64, &mut Collector) -> Result<u64>,
) -> Result<u64> {
    // A read error ends the reading; it is reported once the text before
    // it has been read (errors in that text come first, as serially).
    let size = stream_piece(src.compressed, collector.names.len());
    let (first, mut failed) = read_piece(&mut reader, src, size, Vec::new());
    let resume =
        |text: Vec<u8>, reader: Reader| -> Reader { Box::new(io::Cursor::new(text).chain(reader)) };
    if first.len() < size || failed.is_some() {
        let reader: Reader = if failed.is_some() {
            Box::new(io::empty())
        } else {
            reader
        };
        let failed_at = line + lines_in(&first);
        let read = serial(resume(first, reader), line, collector)?;
        return failed.map_or(Ok(read), |e| Err(at_line(e, src, failed_at)));
    }
    // Each piece with the bytes of the inputs read when it was cut.
    let (mut first, mut ended) = (Some((first, src.progress.position())), false);
    // A piece's text is read into the storage of one already appended:
    // pieces of 16 MB, freed and allocated anew, would leave the allocator
    // holding their holes among the accounts' storage.
    let next_piece = |used: Option<(Vec<u8>, u64)>, accounts| {
        if let Some(first) = first.take() {
            return Some(first);
        }
        if ended {
            return None;
        }
        let text = used.map(|(text, _)| text).unwrap_or_default();
        let size = stream_piece(src.compressed, accounts);
        let (piece, error) = read_piece(&mut reader, src, size, text);
        ended = piece.len() < size || error.is_some();
        failed = error;
        (!piece.is_empty()).then(|| (piece, src.progress.position()))
    };
    let parse = |(piece, through): &(Vec<u8>, u64), chunk| {
        let (chunk, lines) = parse(piece, chunk)?;
        Some((chunk.ending_at(*through), lines))
    };
    let (snapshots, last_line) = match read_pieces(next_piece, parse, line, collector) {
        Ended::Done { snapshots, line } => (snapshots as u64, line),
        Ended::Stopped {
            rest,
            line,
            snapshots,
        } => {
            // After a read error, the text read before it only.
            let reader: Reader = if failed.is_some() {
                Box::new(io::empty())
            } else {
                reader
            };
            let text = rest
                .into_iter()
                .map(|(text, _)| text)
                .collect::<Vec<_>>()
                .concat();
            let last_line = line + lines_in(&text);
            let more = serial(resume(text, reader), line, collector)?;
            (snapshots as u64 + more, last_line)
        }
    };
    match failed {
        Some(e) => Err(at_line(e, src, last_line)),
        None => Ok(snapshots),
    }
}

/// The number of line ends in `text`.
fn lines_in(text: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', text).count() as u64
}

/// A read error of a stream read in pieces, after line `last_line`: a
/// line over the limit is named by its number, as the serial readers do.
fn at_line(e: anyhow::Error, src: &Source, last_line: u64) -> anyhow::Error {
    let too_long = e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(super::limits::LineTooLong::is)
    });
    match too_long {
        true => anyhow::anyhow!(
            "{}: line {}: {}",
            src.name,
            last_line + 1,
            super::limits::LineTooLong
        ),
        false => e,
    }
}

/// Bytes of a stream (gzip, stdin) read in parallel as one piece, given
/// the accounts known so far. Each piece costs a visit to each account it
/// holds (its name interned, its rows appended), so a piece should hold a
/// few rows of each: [`PIECE_PER_ACCOUNT`] bytes an account. But the text
/// of [`IN_FLIGHT`] pieces a thread is held at once (four on two threads),
/// which with few accounts would be most of the memory: 16 MB pieces took
/// a pipe of 10,000 accounts to 123 MB, 4 MB ones to 66 MB at the same
/// speed. At most 8 MB through a decompressor: there parsing waits for
/// decompression, so the cost per piece is hidden.
fn stream_piece(compressed: bool, accounts: usize) -> usize {
    const LEAST: usize = 4 << 20;
    let most = if compressed { 8 << 20 } else { 16 << 20 };
    accounts
        .saturating_mul(PIECE_PER_ACCOUNT)
        .clamp(LEAST, most)
}

/// Bytes of a stream's piece an account: about four rows of a daily CSV
/// or NDJSON export.
const PIECE_PER_ACCOUNT: usize = 160;

/// The next piece of a stream: `size` bytes and the rest of the line they
/// end in (less at the end of the stream) — or, if reading failed, what
/// was read before the error, and the error. `piece` is storage to reuse.
fn read_piece(
    reader: &mut Reader,
    src: &Source,
    size: usize,
    mut piece: Vec<u8>,
) -> (Vec<u8>, Option<anyhow::Error>) {
    piece.clear();
    piece.reserve(size + (1 << 16));
    let mut read = reader.take(size as u64).read_to_end(&mut piece);
    if read.is_ok() && piece.len() == size && piece.last() != Some(&b'\n') {
        read = reader.read_until(b'\n', &mut piece);
    }
    let error = read.err().map(|e| {
        // The line the error cut short is not read (as serially: reading
        // it fails).
        let whole_lines = piece.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        piece.truncate(whole_lines);
        anyhow::Error::new(e).context(format!("{}: cannot read", src.name))
    });
    (piece, error)
}

/// Where a parallel read ended.
enum Ended<T> {
    /// At the end of the input: the snapshots read, and the number of the
    /// last line.
    Done { snapshots: usize, line: u64 },
    /// At a piece the fast path could not take: that piece and every one
    /// read after it, in order, for the serial reader; the number of the
    /// last line before it; the snapshots taken so far.
    Stopped {
        rest: Vec<T>,
        line: u64,
        snapshots: usize,
    },
}

/// Reads an input's body in pieces on the pool, each piece's rows grouped
/// on its own thread, and appends them to `collector` in input order on
/// this thread as they come — so accounts are numbered in order of first
/// appearance as by the serial reader. Up to [`IN_FLIGHT`] pieces a thread
/// are read or waiting at once: as soon as the oldest is appended, the
/// next is fetched and read, so no thread waits for the slowest piece of
/// a batch.
///
/// `next_piece` gives the pieces in order (`None` at the end), given back
/// the storage of one appended (it may reuse it) and the number of
/// accounts known; `parse` reads one (`None` when the format's fast path
/// cannot take it). `line` is the number of the last line before the body.
fn read_pieces<T: Send>(
    mut next_piece: impl FnMut(Option<T>, usize) -> Option<T>,
    parse: impl Fn(&T, Chunk) -> Option<(Chunk, u64)> + Sync,
    mut line: u64,
    collector: &mut Collector,
) -> Ended<T> {
    type Parsed<T> = (T, Option<(Chunk, u64)>);
    let mut snapshots = 0usize;
    // Whether chunks start from the collector's names: when the last one
    // appended held rows of at least an eighth of the accounts known. A
    // chunk that knows them holds their order (4 bytes an account known);
    // one on its own interns each account it sees (about 45 bytes: its
    // name, its end, its table slots, its order), which the collector then
    // looks up again. Not for a file grouped by account, say; but pieces
    // are at most 16 MB, and with 1,000,000 accounts a piece holds rows of
    // a third of them, and a rule of half had each chunk intern them on its
    // own, in fresh pages.
    let mut knowing = false;
    // The copy of the collector's names the chunks share, kept until the
    // collector knows an eighth more: a chunk interns on its own the names
    // the copy lacks, which costs little while they are few, and accounts
    // keep appearing in most data (copied for every piece, the copy would
    // be 48 MB at 1,000,000 accounts).
    let mut shared: Option<Arc<Names>> = None;
    let depth = IN_FLIGHT * rayon::current_num_threads();
    let parse = &parse;
    // Not on the pool: this thread appends, and waits for the pieces in
    // order, while the pool reads them. Every account's storage is thus
    // allocated by this one thread, so the allocator does not spread it
    // (and its holes) over several arenas.
    rayon::in_place_scope(|scope| {
        let mut pending: VecDeque<mpsc::Receiver<Parsed<T>>> = VecDeque::new();
        // The last piece appended: storage to reuse.
        let mut used = None;
        let mut ended = false;
        loop {
            // Keep the pool busy: fetch and start pieces up to the depth.
            while !ended && !collector.full && pending.len() < depth {
                let Some(piece) = next_piece(used.take(), collector.names.len()) else {
                    ended = true;
                    break;
                };
                let stale = |s: &Names| collector.names.len() > s.len() + s.len() / 8;
                if !knowing {
                    shared = None;
                } else if shared.as_deref().is_none_or(stale) {
                    shared = Some(Arc::new(collector.names.clone()));
                }
                let chunk = shared.clone().map_or_else(Chunk::default, Chunk::knowing);
                let (sender, receiver) = mpsc::sync_channel(1);
                scope.spawn(move |_| {
                    let parsed = parse(&piece, chunk);
                    // The receiver is gone only when the read has ended.
                    let _ = sender.send((piece, parsed));
                });
                pending.push_back(receiver);
            }
            // A collector that is full (`--max-rows`) ends the read: the
            // caller reports it.
            let Some(oldest) = pending.pop_front().filter(|_| !collector.full) else {
                return Ended::Done { snapshots, line };
            };
            // A piece's reader that panicked dropped its sender: the scope
            // passes the panic on when it ends, whatever is returned here.
            let Ok((piece, part)) = oldest.recv() else {
                return Ended::Done { snapshots, line };
            };
            let Some((part, lines)) = part else {
                let rest = std::iter::once(Ok(piece))
                    .chain(pending.into_iter().map(|r| r.recv().map(|(p, _)| p)))
                    .collect::<Result<Vec<T>, _>>();
                return match rest {
                    Ok(rest) => Ended::Stopped {
                        rest,
                        line,
                        snapshots,
                    },
                    Err(_) => Ended::Done { snapshots, line },
                };
            };
            line += lines;
            snapshots += part.rows();
            knowing = part.accounts() * 8 >= collector.names.len();
            collector.absorb(part);
            used = Some(piece);
        }
    })
}

/// How many pieces a thread has read or waiting to be appended at most: at
/// least two, so that a thread always has the next one to read while the
/// last is appended (as many rows are held at once as two waves did).
const IN_FLIGHT: usize = 2;

/// How many byte ranges each thread reads in a parallel read of a file.
const RANGES_PER_THREAD: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_piece_holds_a_few_rows_of_every_account() {
        const MB: usize = 1 << 20;
        // Few accounts: small pieces, little text in flight.
        assert_eq!(stream_piece(false, 0), 4 * MB);
        assert_eq!(stream_piece(false, 10_000), 4 * MB);
        // Many: room for each account's rows, up to 16 MB (8 MB compressed).
        assert_eq!(stream_piece(false, 50_000), 50_000 * PIECE_PER_ACCOUNT);
        assert_eq!(stream_piece(false, 1_000_000), 16 * MB);
        assert_eq!(stream_piece(true, 1_000_000), 8 * MB);
        assert_eq!(stream_piece(true, usize::MAX), 8 * MB);
    }
}
