//! Where output goes: stdout, or a file replaced atomically.
//!
//! A file is written as a temporary file beside it and renamed into place
//! only when everything was written and flushed, so a failed or
//! interrupted run never leaves half a report over a good one. On stdout a
//! closed pipe (`| head`) is a quiet end, not an error.

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::Path;

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
    let existing = std::fs::metadata(path).ok();
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
    let dir = match path.parent() {
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
    tmp.persist(path)
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
