//! Where output goes: stdout, or a file replaced atomically.
//!
//! A file is written as a temporary file beside it and renamed into place
//! only when everything was written and flushed, so a failed or
//! interrupted run never leaves half a report over a good one. On stdout a
//! closed pipe (`| head`) is a quiet end, not an error.

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
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
    let mut out = BufWriter::new(tmp);
    let value = if gzip {
        let mut gz = GzEncoder::new(&mut out, Compression::default());
        let value = fill(&mut gz).with_context(|| format!("{name}: cannot write"))?;
        gz.finish()
            .with_context(|| format!("{name}: cannot write"))?;
        value
    } else {
        fill(&mut out).with_context(|| format!("{name}: cannot write"))?
    };
    let tmp = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("{name}: cannot write"))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("{name}: cannot write"))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("{name}: cannot replace"))?;
    Ok(value)
}
