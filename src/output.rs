//! Where output goes: stdout, or a file replaced atomically.
//!
//! A file is written as a temporary file beside it and renamed into place
//! only when everything was written and flushed, so a failed or
//! interrupted run never leaves half a report over a good one. A symbolic
//! link is followed: its target is replaced and the link kept.
//!
//! On stdout a closed pipe (`| head`) is a quiet end, not an error.

use anyhow::{Context, Result, bail};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Runs `fill` on stdout (when `path` is `None`) or on an atomically
/// replaced file, gzip-compressed when `gzip` is set. Returns `None` when
/// stdout was closed by its reader before everything was written.
pub fn write_to<T>(
    path: Option<&str>,
    gzip: bool,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> Result<Option<T>> {
    match path {
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
    let tmp = tempfile::Builder::new()
        .prefix(".followdrop-")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "{name}: cannot create a temporary file in {}",
                dir.display()
            )
        })?;
    // The temporary file is private (0600); the report gets the mode of the
    // file it replaces, or the usual 0644.
    if let Some(mode) = existing
        .map(|m| m.permissions())
        .or_else(default_permissions)
    {
        tmp.as_file()
            .set_permissions(mode)
            .with_context(|| format!("{name}: cannot write"))?;
    }
    let (value, tmp) = fill_and_flush(BufWriter::new(tmp), gzip, fill)
        .with_context(|| format!("{name}: cannot write"))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("{name}: cannot write"))?;
    tmp.persist(&real)
        .map_err(|e| e.error)
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

/// Permissions of a new report: readable by all, as files usually are.
#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Elsewhere a temporary file is not private to begin with.
#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

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
