//! An input file opened once: its size and identity taken at the open,
//! every byte range read through that one descriptor by positioned reads,
//! and the check, once it is read, that it was neither replaced nor cut
//! short meanwhile.
//!
//! Collectors append to the files cron scans, and people rewrite or rename
//! them, while a scan runs. Reading by name again for each byte range would
//! mix two files into one report; reading past the size seen at the open
//! would take half-written lines. So a scan reads the bytes that were there
//! when it opened the file — what is appended after is left for the next
//! run — and a file that shrank or was replaced during the read is an
//! error, never a report. No `mmap`: a truncation under a map is a SIGBUS,
//! and the crate forbids `unsafe`.

use anyhow::{Result, bail};
use std::fs::File;
use std::io::{self, Read};
use std::sync::Arc;

/// A regular file opened for reading.
pub(crate) struct OpenFile {
    file: Arc<File>,
    path: String,
    /// Its size at the open…
    opened: u64,
    /// …and where reading it ends: there, or before a last line that is
    /// read apart (`end_at`).
    size: u64,
    identity: Option<Identity>,
}

/// What tells one file from another under the same name: device and inode
/// (where the platform has them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    device: u64,
    inode: u64,
}

impl Identity {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Identity> {
        use std::os::unix::fs::MetadataExt;
        Some(Identity {
            device: meta.dev(),
            inode: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    fn of(_meta: &std::fs::Metadata) -> Option<Identity> {
        None
    }
}

impl OpenFile {
    /// Takes `file`, opened from `path`, when it is a regular file; gives
    /// it back when it is a pipe, a device or a terminal, to be read as a
    /// stream (a pipe cannot be opened twice).
    pub(crate) fn new(file: File, path: &str) -> io::Result<Result<OpenFile, File>> {
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Ok(Err(file));
        }
        Ok(Ok(OpenFile {
            file: Arc::new(file),
            path: path.to_string(),
            opened: meta.len(),
            size: meta.len(),
            identity: Identity::of(&meta),
        }))
    }

    /// Where reading it ends: its size when it was opened, or less.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Makes the file end at `end` for the readers, which then leave the
    /// bytes after it alone.
    pub(crate) fn end_at(&mut self, end: u64) {
        self.size = end.min(self.opened);
    }

    /// Bytes `start..end` of the file as it was opened (`end` at most its
    /// size then). Reading them fails if the file has since shrunk.
    pub(crate) fn range(&self, start: u64, end: u64) -> Range {
        Range {
            file: Arc::clone(&self.file),
            at: start,
            end: end.min(self.opened),
        }
    }

    /// Reads up to `buf.len()` bytes at `offset`; fewer only at the end of
    /// the file as it was opened.
    pub(crate) fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let mut range = self.range(offset, offset.saturating_add(buf.len() as u64));
        super::parallel::read_full(&mut range, buf)
    }

    /// Fails unless the file under its name is still the one opened, at
    /// least as long as it was: a file replaced (renamed over, or deleted
    /// and written anew) or cut short while it was read would give a report
    /// of neither the old data nor the new. Growth is normal (a collector
    /// appending) and the bytes appended are left for the next run.
    pub(crate) fn check_unchanged(&self, name: &str) -> Result<()> {
        let now = std::fs::metadata(&self.path).ok();
        let replaced = match (&now, self.identity) {
            (None, _) => true,
            (Some(meta), Some(id)) => Identity::of(meta) != Some(id),
            (Some(_), None) => false,
        };
        if replaced {
            bail!(
                "{name}: the file was replaced (renamed over, or deleted) while it was read; \
                 nothing is reported from it: scan it again"
            );
        }
        let size = self.file.metadata().map_or(self.opened, |m| m.len());
        if size < self.opened {
            bail!(
                "{name}: the file shrank from {} to {size} bytes while it was read (truncated or \
                 rewritten); nothing is reported from it: scan it again",
                self.opened
            );
        }
        Ok(())
    }
}

/// A byte range of an [`OpenFile`], read by positioned reads through the
/// shared descriptor (so ranges read on several threads at once do not
/// disturb each other's position).
pub(crate) struct Range {
    file: Arc<File>,
    at: u64,
    end: u64,
}

impl Read for Range {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min((self.end - self.at) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = positioned_read(&self.file, &mut buf[..want], self.at)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file shrank while it was read",
            ));
        }
        self.at += n as u64;
        pause_for_tests(self.at);
        Ok(n)
    }
}

#[cfg(unix)]
fn positioned_read(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn positioned_read(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// For the tests of files that change while they are read: with
/// `FOLLOWDROP_TEST_PAUSE=FLAG:BYTES`, the first read that passes byte
/// BYTES of a file creates FLAG and waits until it is deleted, so that a
/// test can change the file at a known point. Unset in normal use.
fn pause_for_tests(at: u64) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicBool, Ordering};
    static PAUSE: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static DONE: AtomicBool = AtomicBool::new(false);
    let Some((flag, bytes)) = PAUSE.get_or_init(|| {
        let value = std::env::var("FOLLOWDROP_TEST_PAUSE").ok()?;
        let (flag, bytes) = value.rsplit_once(':')?;
        Some((flag.to_string(), bytes.parse().ok()?))
    }) else {
        return;
    };
    if at < *bytes || DONE.swap(true, Ordering::SeqCst) {
        return;
    }
    if std::fs::write(flag, b"paused\n").is_err() {
        return;
    }
    while std::path::Path::new(flag).exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
