//! Where output goes: stdout, or a file replaced atomically.
//!
//! A file is written as a temporary file beside it and renamed into place
//! only when everything was written and flushed, so a failed or
//! interrupted run never leaves half a report over a good one. A symbolic
//! link is followed: its target is replaced and the link kept. A run ended
//! by SIGINT or SIGTERM removes the temporary files it was writing
//! ([`remove_temporary_files_on_signals`]). A new file gets the mode a
//! plain `File::create` would give it (0666 less the umask); a replaced one
//! keeps its mode.
//!
//! On stdout a closed pipe (`| head`) is a quiet end, not an error: the
//! caller learns that the report was not delivered, and cron mode does not
//! remember it. A stdout closed before the run (`>&-`) swallows everything
//! without an error; cron mode refuses it ([`refuse_closed_stdout`]).

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Runs `fill` on stdout (when `path` is `None`) or on an atomically
/// replaced file, gzip-compressed when `gzip` is set. Returns `None` when
/// stdout was closed by its reader before everything was written.
pub fn write_to<T>(
    path: Option<&str>,
    gzip: bool,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> Result<Option<T>> {
    // The report (or the file's name in a notice) comes next on the terminal.
    crate::progress::clear_status();
    // `-o -` is stdout, as `-` is stdin among the inputs.
    match path.filter(|p| *p != "-") {
        None => {
            let mut out = BufWriter::new(io::stdout().lock());
            match fill(&mut out).and_then(|v| out.flush().map(|()| v)) {
                Ok(v) => Ok(Some(v)),
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(None),
                Err(e) => Err(e).context("cannot write to stdout"),
            }
        }
        Some(path) => write_atomically(Path::new(path), gzip, fill).map(Some),
    }
}

fn write_atomically<T>(
    path: &Path,
    gzip: bool,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> Result<T> {
    let name = path.display();
    let existing = fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        // A device, pipe or the like (`-o /dev/stdout`): write to it as it
        // is; renaming a file over it would replace it.
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("{name}: cannot open"))?;
        return fill_and_flush(BufWriter::new(file), gzip, fill)
            .map(|(value, _)| value)
            .with_context(|| format!("{name}: cannot write"));
    }
    let real = real_path(path).with_context(|| format!("{name}: cannot follow the link"))?;
    let dir = match real.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".followdrop-");
    if existing.is_none() {
        new_file_permissions(&mut builder);
    }
    let tmp = builder.tempfile_in(dir).with_context(|| {
        format!(
            "{name}: cannot create a temporary file in {}",
            dir.display()
        )
    })?;
    let tmp = Pending::register(tmp);
    // The temporary file is private (0600) until it holds the report: a
    // replaced file's mode is then given back to it.
    if let Some(mode) = existing.map(|m| m.permissions()) {
        tmp.file()
            .as_file()
            .set_permissions(mode)
            .with_context(|| format!("{name}: cannot write"))?;
    }
    let value = fill_and_flush(BufWriter::new(tmp.file().as_file()), gzip, fill)
        .and_then(|(value, file)| file.sync_all().map(|()| value))
        .with_context(|| format!("{name}: cannot write"))?;
    tmp.persist(&real)
        .with_context(|| format!("{name}: cannot replace"))?;
    Ok(value)
}

/// Runs `fill` on `out` (through gzip when asked), flushes, and hands back
/// the inner writer.
fn fill_and_flush<T, W: Write>(
    mut out: BufWriter<W>,
    gzip: bool,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> io::Result<(T, W)> {
    let value = if gzip {
        let mut gz = GzEncoder::new(&mut out, Compression::default());
        let value = fill(&mut gz)?;
        gz.finish()?;
        value
    } else {
        fill(&mut out)?
    };
    let inner = out.into_inner().map_err(|e| e.into_error())?;
    Ok((value, inner))
}

/// A new report is created as `File::create` would create it: 0666 less
/// the umask (tempfile's own default is a private 0600).
#[cfg(unix)]
fn new_file_permissions(builder: &mut tempfile::Builder) {
    use std::os::unix::fs::PermissionsExt;
    builder.permissions(fs::Permissions::from_mode(0o666));
}

/// Elsewhere a temporary file is not private to begin with.
#[cfg(not(unix))]
fn new_file_permissions(_: &mut tempfile::Builder) {}

/// The file that writing `path` replaces: `path` with its symbolic links
/// followed (to a target that does not exist yet, too), in its canonical
/// directory. Two names of one file give the same real path, so it names
/// the file's lock, and a link is kept while its target is replaced.
pub fn real_path(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    let mut hops = 0;
    while fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        hops += 1;
        if hops > 40 {
            return Err(io::Error::other("too many levels of symbolic links"));
        }
        let target = fs::read_link(&path)?;
        path = match path.parent() {
            Some(dir) => dir.join(target),
            None => target,
        };
    }
    if path.exists() {
        return fs::canonicalize(&path);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match (fs::canonicalize(dir), path.file_name()) {
        (Ok(dir), Some(file)) => Ok(dir.join(file)),
        // Creating the file will say what is wrong with its directory.
        _ => Ok(path),
    }
}

/// Refuses to run when a file the command would write (`-o FILE`,
/// `--state FILE`, each named with its flag) is one of the files it reads
/// (`inputs`; stdin `-` is never one), or when two of them are one file:
/// the report would replace the data it was made from, or the state the
/// report. Files are compared by device and inode where they exist, so
/// links and other names of a file are caught, else by real path.
pub fn refuse_overwrites(writes: &[(&str, Option<&str>)], inputs: &[String]) -> Result<()> {
    let writes: Vec<(&str, &str)> = (writes.iter())
        .filter_map(|&(flag, path)| Some((flag, path?)))
        .collect();
    for (i, &(flag, path)) in writes.iter().enumerate() {
        if let Some(input) = (inputs.iter()).find(|input| *input != "-" && same_file(path, input)) {
            bail!(
                "{flag} {path} is the input {input}: writing there would destroy the data \
                 being read; give {flag} another file"
            );
        }
        if let Some((other, other_path)) = writes[i + 1..]
            .iter()
            .find(|(_, other)| same_file(path, other))
        {
            bail!(
                "{flag} {path} and {other} {other_path} are the same file: one would replace \
                 the other; give them different files"
            );
        }
    }
    Ok(())
}

/// Whether `a` and `b` name one regular file (or, where neither exists
/// yet, one path to be created).
fn same_file(a: &str, b: &str) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(ma), Ok(mb)) => ma.is_file() && mb.is_file() && same_inode(&ma, &mb, a, b),
        (Err(_), Err(_)) => matches!(
            (real_path(Path::new(a)), real_path(Path::new(b))),
            (Ok(ra), Ok(rb)) if ra == rb
        ),
        _ => false,
    }
}

/// Whether two existing files are one: the same device and inode.
#[cfg(unix)]
fn same_inode(ma: &fs::Metadata, mb: &fs::Metadata, _: &str, _: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    (ma.dev(), ma.ino()) == (mb.dev(), mb.ino())
}

/// Elsewhere, whether their canonical paths are the same.
#[cfg(not(unix))]
fn same_inode(_: &fs::Metadata, _: &fs::Metadata, a: &str, b: &str) -> bool {
    matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(ra), Ok(rb)) if ra == rb)
}

/// Fails when stdout was closed when followdrop started (`>&-`): for cron
/// mode, which must not remember a report that nobody could read.
pub fn refuse_closed_stdout() -> Result<()> {
    if stdout_was_closed() {
        bail!(
            "stdout was closed when followdrop started (>&-): the report would be lost and \
             --state would remember it as reported; give -o FILE, or send stdout to /dev/null \
             to only bring the state up to date"
        );
    }
    Ok(())
}

/// Whether stdout was closed when the program started (`>&-`). The Rust
/// runtime then opens /dev/null in its place (for reading and writing),
/// where writes vanish without an error: the report would be lost and a
/// `--state` saved as if it had been read. A /dev/null the shell opened
/// (`> /dev/null`, a deliberate choice) is opened for writing only.
#[cfg(unix)]
fn stdout_was_closed() -> bool {
    use std::io::Read;
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    use std::os::unix::fs::MetadataExt;
    let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() else {
        return true;
    };
    let mut out = fs::File::from(fd);
    let null = fs::metadata("/dev/null").ok();
    let is_null = match (out.metadata(), null) {
        (Ok(m), Some(null)) => m.file_type().is_char_device() && m.rdev() == null.rdev(),
        _ => false,
    };
    // Reading nothing tells whether it is open for reading, and is
    // harmless on /dev/null.
    is_null && out.read(&mut []).is_ok()
}

/// Elsewhere the runtime leaves a closed stdout closed, and writing to it
/// fails by itself.
#[cfg(not(unix))]
fn stdout_was_closed() -> bool {
    false
}

/// The temporary files being written, for the signal handler to remove.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file listed in [`PENDING`] from its creation until it is
/// renamed into place or removed.
struct Pending {
    file: Option<tempfile::NamedTempFile>,
}

impl Pending {
    fn register(file: tempfile::NamedTempFile) -> Pending {
        pending().push(file.path().to_path_buf());
        Pending { file: Some(file) }
    }

    fn file(&self) -> &tempfile::NamedTempFile {
        self.file.as_ref().expect("a pending file until persisted")
    }

    /// Renames the file to `path`, then takes it off the list: a signal in
    /// between finds its name gone, and removes nothing.
    fn persist(mut self, path: &Path) -> io::Result<()> {
        let file = self.file.take().expect("a pending file until persisted");
        let tmp = file.path().to_path_buf();
        // On failure the file comes back in the error, and is removed
        // with it.
        let done = file.persist(path).map(|_| ()).map_err(|e| e.error);
        unlist(&tmp);
        done
    }
}

impl Drop for Pending {
    /// A file not persisted is removed first, then taken off the list, so
    /// a signal in between still finds it.
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let tmp = file.path().to_path_buf();
            drop(file);
            unlist(&tmp);
        }
    }
}

/// The list of pending files (a panic while it was held does not matter:
/// the list is always whole).
fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

fn unlist(tmp: &Path) {
    pending().retain(|p| p != tmp);
}

/// From now on, SIGINT and SIGTERM remove the temporary files being
/// written, then end the program as the signal would have (the shell sees
/// status 130 or 143, and a loop in a script stops on Ctrl-C as it should).
/// A signal ignored when followdrop started (SIGINT for a script's
/// background job) stays ignored.
#[cfg(unix)]
pub fn remove_temporary_files_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let wanted: Vec<i32> = [SIGINT, SIGTERM]
        .into_iter()
        .filter(|&s| !ignored_at_start(s))
        .collect();
    let Ok(mut signals) = signal_hook::iterator::Signals::new(&wanted) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            for tmp in pending().iter() {
                let _ = fs::remove_file(tmp);
            }
            let _ = signal_hook::low_level::emulate_default_handler(signal);
        }
    });
}

/// Elsewhere interrupted runs may leave `.followdrop-*` files.
#[cfg(not(unix))]
pub fn remove_temporary_files_on_signals() {}

/// Whether `signal` was ignored when the program started, as Linux tells
/// in /proc/self/status (elsewhere: taken as not ignored).
#[cfg(unix)]
fn ignored_at_start(signal: i32) -> bool {
    let Ok(status) = fs::read_to_string("/proc/self/status") else {
        return false;
    };
    (status.lines())
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (signal - 1)) != 0)
}
