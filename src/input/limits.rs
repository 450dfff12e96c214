//! Bounds on what one input may make the reader hold, so that no input —
//! a file of NULs, a decompression bomb, a record without an end — can
//! make a scan run out of memory and abort: it fails with a message naming
//! the limit instead (status 2).
//!
//! - A line (a CSV or NDJSON record) is at most [`MAX_LINE`] bytes.
//! - Compressed data may decompress to at most [`MAX_RATIO`] times its size
//!   (past the first [`RATIO_GRACE`] bytes).
//! - A JSON document that is not an array is at most [`MAX_DOCUMENT`].
//! - The inputs hold at most `--max-rows` snapshots: by default as many as
//!   fit in the memory available ([`default_max_rows`]).

use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest line a record may be written on: 1 MiB. Real records are
/// tens of bytes; a wide table of ten thousand accounts is a few hundred
/// kilobytes.
pub const MAX_LINE: usize = 1 << 20;

/// A line over [`MAX_LINE`]: the error [`LineLimit`] gives, inside an
/// `io::Error`, typed so that a reader that counts lines can say which.
#[derive(Debug, thiserror::Error)]
#[error(
    "a line longer than {} MiB, the most one record may take: not a file of snapshots (or a quote \
     that never closes)?",
    MAX_LINE >> 20
)]
pub struct LineTooLong;

impl LineTooLong {
    fn error() -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, LineTooLong)
    }

    /// Whether `e` is this error.
    pub fn is(e: &io::Error) -> bool {
        e.get_ref().is_some_and(|inner| inner.is::<LineTooLong>())
    }
}

/// A reader that fails when a line runs on for more than [`MAX_LINE`]
/// bytes, before the line is held whole by whoever reads it.
pub struct LineLimit<R> {
    inner: R,
    /// Bytes consumed since the last line end.
    since_newline: usize,
}

impl<R: BufRead> LineLimit<R> {
    pub fn new(inner: R) -> LineLimit<R> {
        LineLimit {
            inner,
            since_newline: 0,
        }
    }
}

impl<R: BufRead> BufRead for LineLimit<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let since = self.since_newline;
        let buf = self.inner.fill_buf()?;
        let run = memchr::memchr(b'\n', buf).unwrap_or(buf.len());
        if since + run > MAX_LINE {
            return Err(LineTooLong::error());
        }
        Ok(buf)
    }

    fn consume(&mut self, n: usize) {
        // The buffer is the one `fill_buf` returned: asking again reads
        // nothing.
        if let Ok(buf) = self.inner.fill_buf() {
            let n = n.min(buf.len());
            self.since_newline = match memchr::memrchr(b'\n', &buf[..n]) {
                Some(i) => n - i - 1,
                None => self.since_newline + n,
            };
        }
        self.inner.consume(n);
    }
}

impl<R: BufRead> Read for LineLimit<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// The largest JSON document read whole (one that is not an array of
/// records: an API response, a pandas export): its tree takes about
/// thirteen times its size in memory (6.7 GB for 512 MiB of records).
pub const MAX_DOCUMENT: u64 = 128 << 20;

/// A document over [`MAX_DOCUMENT`], inside an `io::Error`.
#[derive(Debug, thiserror::Error)]
#[error(
    "a JSON document of more than {} MiB that is not an array of records: it would be held whole; \
     write the records as an array or as NDJSON (one a line), which are read one by one",
    MAX_DOCUMENT >> 20
)]
pub struct DocumentTooLarge;

/// A reader that fails past [`MAX_DOCUMENT`] bytes.
pub struct DocumentLimit<R> {
    pub inner: R,
    pub read: u64,
}

impl<R: Read> Read for DocumentLimit<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.read += n as u64;
        if self.read > MAX_DOCUMENT {
            return Err(io::Error::new(io::ErrorKind::InvalidData, DocumentTooLarge));
        }
        Ok(n)
    }
}

/// The most compressed data may grow by: gzip's own limit is about 1,032,
/// reached only by runs of one byte; snapshot files compress 5 to 20 times.
pub const MAX_RATIO: u64 = 200;
/// Bytes decompressed before the ratio is judged.
pub const RATIO_GRACE: u64 = 64 << 20;

/// Counts the compressed bytes a decompressor takes.
pub struct CountIn<R> {
    pub inner: R,
    pub count: Arc<AtomicU64>,
}

impl<R: BufRead> Read for CountIn<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for CountIn<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.inner.consume(n);
    }
}

/// Fails when what a decompressor gives exceeds [`MAX_RATIO`] times what
/// it took: a decompression bomb, stopped before it fills the memory.
pub struct RatioGuard<R> {
    pub inner: R,
    pub taken: Arc<AtomicU64>,
    pub given: u64,
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.given += n as u64;
        let taken = self.taken.load(Ordering::Relaxed).max(1);
        if self.given > RATIO_GRACE && self.given / taken > MAX_RATIO {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "it decompresses to more than {MAX_RATIO} times its size ({} MB from {} kB): \
                     a decompression bomb? If the data is genuine, decompress it first and pipe it in",
                    self.given >> 20,
                    taken >> 10
                ),
            ));
        }
        Ok(n)
    }
}

/// Memory a snapshot takes at the peak of a scan, with room to spare for
/// the usual shapes: a year of daily snapshots of 100,000 to 1,000,000
/// accounts peaks at 7–7.5 bytes a snapshot (BENCHMARKS.md), but each
/// account also costs about 0.8 kB of its own (its name, model and
/// losses), so 200,000 accounts of 9 snapshots each take 91 bytes a
/// snapshot (162 MB for 1.78 M).
pub const BYTES_PER_SNAPSHOT: u64 = 40;

/// The most snapshots that fit in four fifths of the memory available
/// now (Linux's `MemAvailable`), at [`BYTES_PER_SNAPSHOT`]; `None` where
/// that is not known.
pub fn default_max_rows() -> Option<u64> {
    Some(available_memory()? / 5 * 4 / BYTES_PER_SNAPSHOT)
}

/// The memory available for new work, in bytes (Linux).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The message of inputs that hold more than `max` snapshots.
pub fn too_many_rows(max: u64, bytes_read: u64) -> anyhow::Error {
    anyhow::anyhow!(
        "more than {max} snapshots (after {} MB of input): at about {BYTES_PER_SNAPSHOT} bytes a \
         snapshot they need more than {} MB of memory, the most --max-rows allows (by default, \
         what fits in four fifths of the memory available). Raise --max-rows if the machine has \
         the memory, or scan fewer or smaller inputs",
        bytes_read >> 20,
        max.saturating_mul(BYTES_PER_SNAPSHOT) >> 20
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_pass_and_a_long_one_fails() {
        let mut text = "a,b\n".repeat(1000).into_bytes();
        let mut ok = String::new();
        LineLimit::new(io::BufReader::with_capacity(7, &text[..]))
            .read_to_string(&mut ok)
            .unwrap();
        assert_eq!(ok.len(), text.len());
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 1));
        let mut out = Vec::new();
        let err = LineLimit::new(io::BufReader::new(&text[..]))
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        // It stops within a line of the limit, not at the end of the input.
        assert!(out.len() <= 4000 + MAX_LINE, "{}", out.len());
    }

    #[test]
    fn a_document_is_read_up_to_its_limit() {
        let mut doc = DocumentLimit {
            inner: io::repeat(b' ').take(MAX_DOCUMENT + 1),
            read: 0,
        };
        let err = io::copy(&mut doc, &mut io::sink()).unwrap_err();
        assert!(err.get_ref().unwrap().is::<DocumentTooLarge>());
        let mut small = DocumentLimit {
            inner: io::repeat(b' ').take(1 << 20),
            read: 0,
        };
        assert_eq!(io::copy(&mut small, &mut io::sink()).unwrap(), 1 << 20);
    }

    #[test]
    fn a_bomb_is_stopped_early() {
        let taken = Arc::new(AtomicU64::new(1 << 10));
        let zeros = io::repeat(0).take(1 << 40);
        let mut guard = RatioGuard {
            inner: zeros,
            taken,
            given: 0,
        };
        let err = io::copy(&mut guard, &mut io::sink()).unwrap_err();
        assert!(err.to_string().contains("decompression bomb"), "{err}");
        assert!(guard.given <= RATIO_GRACE + (1 << 20));
    }
}
