//! What an input is wrapped in, told by its first bytes whatever its name:
//! a compression (gzip, xz, zstd, bzip2) read as a stream on a thread of its
//! own, or a container read whole — a zip archive (each snapshot file in
//! it an input), an Excel workbook, a SQLite database, a Parquet file —
//! whose table is written out as CSV and read by the CSV reader, so that
//! every container reads with the options, checks and messages of the one
//! reader (a line number is the sheet's or table's row).

use super::limits::{CountIn, RatioGuard};
use super::{ReadOptions, Reader};
use anyhow::{Context, Result, anyhow, bail};
use std::io::{self, BufRead, Cursor, Read, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// A stream compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

/// A container read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archive {
    Zip,
    Xlsx,
    Sqlite,
    Parquet,
}

/// What an input's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrapping {
    Plain,
    Compressed(Compression),
    Whole(Archive),
}

impl Compression {
    /// The file name ending that says so.
    pub fn suffix(self) -> &'static str {
        match self {
            Compression::Gzip => ".gz",
            Compression::Xz => ".xz",
            Compression::Zstd => ".zst",
            Compression::Bzip2 => ".bz2",
        }
    }

    const ALL: [Compression; 4] = [
        Compression::Gzip,
        Compression::Xz,
        Compression::Zstd,
        Compression::Bzip2,
    ];

    /// The compression a name ends with (`snapshots.csv.xz`), if any.
    pub fn of_name(name: &str) -> Option<Compression> {
        let lower = name.to_ascii_lowercase();
        Self::ALL.into_iter().find(|c| lower.ends_with(c.suffix()))
    }

    /// "gzip", "xz"…, for messages.
    pub fn article_name(self) -> &'static str {
        self.name()
    }

    fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
        }
    }
}

/// Tells the wrapping from the first bytes. A zip archive that holds
/// `xl/workbook.xml` is an Excel workbook (an .xlsx file is a zip archive).
pub fn sniff(head: &[u8]) -> Wrapping {
    use Compression::*;
    let starts = |magic: &[u8]| head.starts_with(magic);
    match () {
        _ if starts(&[0x1f, 0x8b]) => Wrapping::Compressed(Gzip),
        _ if starts(&[0xfd, b'7', b'z', b'X', b'Z', 0]) => Wrapping::Compressed(Xz),
        _ if starts(&[0x28, 0xb5, 0x2f, 0xfd]) => Wrapping::Compressed(Zstd),
        _ if starts(b"BZh") && head.get(3).is_some_and(|d| (b'1'..=b'9').contains(d)) => {
            Wrapping::Compressed(Bzip2)
        }
        _ if starts(b"PK\x03\x04") => {
            if memchr::memmem::find(head, b"xl/").is_some()
                || memchr::memmem::find(head, b"[Content_Types].xml").is_some()
            {
                Wrapping::Whole(Archive::Xlsx)
            } else {
                Wrapping::Whole(Archive::Zip)
            }
        }
        _ if starts(b"SQLite format 3\0") => Wrapping::Whole(Archive::Sqlite),
        _ if starts(b"PAR1") => Wrapping::Whole(Archive::Parquet),
        _ => Wrapping::Plain,
    }
}

/// Gzip members one after the other, as `gzip -d` reads them: a file may
/// hold several (appended with `cat`), and end in zero bytes (padding
/// that tape and some writers add), which `gzip` accepts and ignores.
/// Anything else after a member is an error.
struct GzMembers<R: BufRead> {
    /// The member being read, or the input between members.
    decoder: Option<flate2::bufread::GzDecoder<R>>,
    raw: Option<R>,
}

impl<R: BufRead> GzMembers<R> {
    fn new(raw: R) -> GzMembers<R> {
        GzMembers {
            decoder: Some(flate2::bufread::GzDecoder::new(raw)),
            raw: None,
        }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(decoder) = &mut self.decoder {
                let n = decoder.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.raw = self.decoder.take().map(|d| d.into_inner());
            }
            let Some(raw) = &mut self.raw else {
                return Ok(0);
            };
            let rest = raw.fill_buf()?;
            if rest.is_empty() {
                return Ok(0);
            }
            if rest.starts_with(&[0x1f, 0x8b]) {
                self.decoder = self.raw.take().map(flate2::bufread::GzDecoder::new);
                continue;
            }
            match rest.iter().position(|&b| b != 0) {
                None => {
                    let n = rest.len();
                    raw.consume(n);
                }
                Some(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "trailing bytes after the gzip data",
                    ));
                }
            }
        }
    }
}

/// Decompresses `raw` on a thread of its own, so that it overlaps parsing.
pub fn decompress(
    kind: Compression,
    raw: impl BufRead + Send + 'static,
) -> Result<Box<dyn Read + Send>> {
    let taken = Arc::new(AtomicU64::new(0));
    let raw = CountIn {
        inner: raw,
        count: Arc::clone(&taken),
    };
    let decoder: Box<dyn Read + Send> = match kind {
        Compression::Gzip => Box::new(GzMembers::new(raw)),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(raw)),
        Compression::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(raw)
                .map_err(|e| anyhow!("corrupt zstd data ({e})"))?,
        ),
        // lzma-rs decodes into a writer: it writes into a pipe on a thread
        // of its own, and its outcome reaches the reader at the pipe's end.
        Compression::Xz => {
            let (reader, mut writer) = io::pipe()?;
            let mut raw = raw;
            let thread = std::thread::spawn(move || {
                lzma_rs::xz_decompress(&mut raw, &mut writer)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
            });
            Box::new(Joined {
                reader,
                thread: Some(thread),
            })
        }
    };
    Ok(Box::new(RatioGuard {
        inner: Damaged {
            inner: decoder,
            kind,
        },
        taken,
        given: 0,
    }))
}

/// The reading end of a pipe written by `thread`: at its end, the thread's
/// outcome — an error there is the input's, not a short read.
struct Joined {
    reader: io::PipeReader,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Read for Joined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        if n == 0
            && let Some(thread) = self.thread.take()
        {
            thread
                .join()
                .map_err(|_| io::Error::other("the decompressing thread failed"))??;
        }
        Ok(n)
    }
}

/// Says that a decompression error means a damaged file.
struct Damaged<R> {
    inner: R,
    kind: Compression,
}

impl<R: Read> Read for Damaged<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let name = self.kind.name();
        self.inner.read(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => io::Error::new(
                io::ErrorKind::InvalidData,
                format!("corrupt or truncated {name} data (unexpected end of stream)"),
            ),
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => io::Error::new(
                io::ErrorKind::InvalidData,
                format!("corrupt {name} data ({e})"),
            ),
            // zstd's decoder says nothing more useful than that.
            io::ErrorKind::Other => io::Error::new(
                io::ErrorKind::InvalidData,
                format!("corrupt or truncated {name} data"),
            ),
            _ => e,
        })
    }
}

/// One input found inside an archive: its name (`archive.zip/alice.csv`)
/// and its bytes.
pub struct Member {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Opens a container read whole: the inputs it holds, each to be read as a
/// file of its own (a zip archive's snapshot files; a workbook's sheet, a
/// database's table or a Parquet file written out as CSV, under the
/// container's own name).
pub fn open(kind: Archive, name: &str, mut raw: Reader, opts: &ReadOptions) -> Result<Vec<Member>> {
    let mut bytes = Vec::new();
    raw.read_to_end(&mut bytes)
        .with_context(|| format!("{name}: cannot read"))?;
    let one = |csv: Vec<u8>| {
        vec![Member {
            name: name.to_string(),
            bytes: csv,
        }]
    };
    Ok(match kind {
        Archive::Zip => zip_members(name, bytes)?,
        Archive::Xlsx => one(xlsx_as_csv(name, bytes, opts)?),
        Archive::Sqlite => one(sqlite_as_csv(name, &bytes, opts)?),
        Archive::Parquet => one(parquet_as_csv(name, bytes)?),
    })
}

/// The snapshot files of a zip archive (by their names, as in a folder), in
/// name order.
fn zip_members(name: &str, bytes: Vec<u8>) -> Result<Vec<Member>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| anyhow!("{name}: not a readable zip archive ({e})"))?;
    let mut members = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| anyhow!("{name}: damaged zip archive ({e})"))?;
        let inner = file
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| file.name_raw().escape_ascii().to_string());
        let base = inner.rsplit('/').next().unwrap_or(&inner);
        if !file.is_file()
            || base.starts_with('.')
            || inner.starts_with("__MACOSX/")
            || !super::is_snapshot_file(base)
        {
            continue;
        }
        let mut data = Vec::with_capacity(file.size().min(1 << 30) as usize);
        file.read_to_end(&mut data)
            .map_err(|e| anyhow!("{name}: {inner}: cannot read from the archive ({e})"))?;
        members.push(Member {
            name: format!("{name}/{inner}"),
            bytes: data,
        });
    }
    members.sort_by(|a, b| a.name.cmp(&b.name));
    if members.is_empty() {
        bail!(
            "{name}: no snapshot files in this zip archive (looked for .csv, .tsv, .txt, .json, .ndjson and .jsonl files, maybe compressed)"
        );
    }
    Ok(members)
}

/// Writes one CSV record of `cells`, quoting where needed.
fn csv_record(out: &mut Vec<u8>, cells: impl Iterator<Item = String>) {
    let mut first = true;
    for cell in cells {
        if !first {
            out.push(b',');
        }
        first = false;
        if cell.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend_from_slice(cell.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(cell.as_bytes());
        }
    }
    out.push(b'\n');
}

/// A number as a CSV cell: whole numbers without a fraction (spreadsheets
/// and databases store counts as floats).
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A sheet of a workbook as CSV: the one named with `--sheet`, else the
/// first whose first row names a time and followers (a workbook often opens
/// on a sheet of notes or charts). Dates and times as `YYYY-MM-DD
/// HH:MM:SS` (a wall-clock time, read in the `--tz` zone).
fn xlsx_as_csv(name: &str, bytes: Vec<u8>, opts: &ReadOptions) -> Result<Vec<u8>> {
    use calamine::Reader as _;
    let mut book = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| anyhow!("{name}: not a readable Excel workbook ({e})"))?;
    let names = book.sheet_names();
    let mut sheet_csv = |sheet: &str| -> Result<Vec<u8>> {
        let range = book
            .worksheet_range(sheet)
            .map_err(|e| anyhow!("{name}: sheet {sheet:?}: {e}"))?;
        let mut out = Vec::new();
        for row in range.rows() {
            csv_record(&mut out, row.iter().map(sheet_cell));
        }
        Ok(out)
    };
    if let Some(s) = &opts.sheet {
        if !names.contains(s) {
            bail!("{name}: no sheet {s:?} (sheets: {})", names.join(", "));
        }
        return sheet_csv(s);
    }
    for sheet in &names {
        let csv = sheet_csv(sheet)?;
        let header: Vec<String> = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_slice())
            .records()
            .next()
            .and_then(Result::ok)
            .map(|r| r.iter().map(str::to_string).collect())
            .unwrap_or_default();
        if is_snapshot_header(&header, opts) {
            return Ok(csv);
        }
    }
    bail!(
        "{name}: no sheet starts with a header naming a time and the followers (sheets: {}): name the sheet with --sheet, its columns with --time-col and --followers-col",
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    )
}

/// Whether a header names the columns of snapshots, long or wide.
fn is_snapshot_header(header: &[String], opts: &ReadOptions) -> bool {
    super::columns::resolve(header, &opts.columns).is_ok()
        || matches!(
            super::columns::wide(header, &opts.columns, opts.wide),
            Ok(Some(_))
        )
}

/// A workbook's cell as a CSV cell.
fn sheet_cell(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(x) => number(*x),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// A table of a SQLite database as CSV: the one named with `--table`, else
/// the only table whose columns are a table of snapshots.
fn sqlite_as_csv(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Vec<u8>> {
    use rusqlite::types::ValueRef;
    // SQLite opens files: the bytes (a file or stdin) go to a temporary one.
    let mut file = tempfile::NamedTempFile::new().context("cannot make a temporary file")?;
    file.write_all(bytes)
        .context("cannot write a temporary file")?;
    let db = rusqlite::Connection::open_with_flags(
        file.path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .map_err(|e| anyhow!("{name}: not a readable SQLite database ({e})"))?;
    let sql_err = |e: rusqlite::Error| anyhow!("{name}: {e}");
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(sql_err)?;
    let columns_of = |table: &str| -> rusqlite::Result<Vec<String>> {
        let stmt = db.prepare(&format!(
            "SELECT * FROM \"{}\" LIMIT 0",
            table.replace('"', "\"\"")
        ))?;
        Ok(stmt.column_names().map(String::from).collect())
    };
    let table = match &opts.table {
        Some(t) => tables
            .iter()
            .find(|n| *n == t)
            .cloned()
            .ok_or_else(|| anyhow!("{name}: no table {t:?} (tables: {})", tables.join(", ")))?,
        None => {
            let fitting: Vec<&String> = tables
                .iter()
                .filter(|t| columns_of(t).is_ok_and(|cols| is_snapshot_header(&cols, opts)))
                .collect();
            match fitting[..] {
                [only] => only.clone(),
                [] => bail!(
                    "{name}: no table has a time and a followers column (tables: {}): name one with --table, its columns with --time-col and --followers-col",
                    if tables.is_empty() {
                        "none".to_string()
                    } else {
                        tables.join(", ")
                    }
                ),
                _ => bail!(
                    "{name}: several tables hold snapshots ({}): name one with --table",
                    fitting
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    let mut stmt = db
        .prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))
        .map_err(sql_err)?;
    let columns: Vec<String> = stmt.column_names().map(String::from).collect();
    let mut out = Vec::new();
    csv_record(&mut out, columns.iter().cloned());
    let mut rows = stmt.query([]).map_err(sql_err)?;
    while let Some(row) = rows.next().map_err(sql_err)? {
        let cells = (0..columns.len()).map(|i| match row.get_ref(i) {
            Ok(ValueRef::Integer(v)) => v.to_string(),
            Ok(ValueRef::Real(x)) => number(x),
            Ok(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
            Ok(ValueRef::Null | ValueRef::Blob(_)) | Err(_) => String::new(),
        });
        csv_record(&mut out, cells);
    }
    Ok(out)
}

/// A Parquet file's rows as CSV: timestamps as RFC 3339 UTC, dates as
/// `YYYY-MM-DD`.
fn parquet_as_csv(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes))
        .map_err(|e| anyhow!("{name}: not a readable Parquet file ({e})"))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let columns: Vec<String> = schema.columns().iter().map(|c| c.path().string()).collect();
    let mut out = Vec::new();
    csv_record(&mut out, columns.iter().cloned());
    let rows = reader
        .get_row_iter(None)
        .map_err(|e| anyhow!("{name}: {e}"))?;
    let time = |secs: i64| crate::time::format_rfc3339(secs);
    for row in rows {
        let row = row.map_err(|e| anyhow!("{name}: {e}"))?;
        let cells = row.get_column_iter().map(|(_, field)| match field {
            Field::Null => String::new(),
            Field::Bool(b) => b.to_string(),
            Field::Byte(v) => v.to_string(),
            Field::Short(v) => v.to_string(),
            Field::Int(v) => v.to_string(),
            Field::Long(v) => v.to_string(),
            Field::UByte(v) => v.to_string(),
            Field::UShort(v) => v.to_string(),
            Field::UInt(v) => v.to_string(),
            Field::ULong(v) => v.to_string(),
            Field::Float(x) => number(f64::from(*x)),
            Field::Double(x) => number(*x),
            Field::Str(s) => s.clone(),
            Field::Date(days) => time(i64::from(*days) * 86_400)[..10].to_string(),
            Field::TimestampMillis(ms) => time(ms.div_euclid(1000)),
            Field::TimestampMicros(us) => time(us.div_euclid(1_000_000)),
            other => other.to_string(),
        });
        csv_record(&mut out, cells);
    }
    Ok(out)
}
