//! CSV input: header row, sniffed delimiter, one snapshot per record.
//!
//! Records are read into one reused `ByteRecord` (the csv crate's fastest
//! path); only the account name is turned into a `String`, and only once per
//! account by the collector's interner.

use super::columns::{self, Field};
use super::value::{Position, account_cell, count_cell, field_error, time_cell};
use super::{AccountSource, Collector, Row, Source};
use anyhow::{Context, Result, anyhow};
use std::io::BufRead;

pub(crate) fn read(
    mut reader: Box<dyn BufRead>,
    src: &Source,
    collector: &mut Collector,
) -> Result<()> {
    let head = reader
        .fill_buf()
        .with_context(|| format!("{}: cannot read", src.name))?;
    let delimiter = src.opts.delimiter.unwrap_or_else(|| sniff_delimiter(head));
    let mut csv = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let header_record = csv.byte_headers().map_err(|e| csv_error(src, e))?;
    let header_line = header_record.position().map_or(1, |p| p.line());
    let header: Vec<String> = header_record
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    if header.iter().all(String::is_empty) {
        anyhow::bail!("{}: no snapshots (the input is empty)", src.name);
    }
    let cols =
        columns::resolve(&header, &src.opts.columns).map_err(|e| anyhow!("{}: {e}", src.name))?;
    let accounts = AccountSource::new(cols.account, src, collector);
    let mut record = ::csv::ByteRecord::new();
    let mut snapshots = 0u64;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(src, e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        let pos = Position::Line(line);
        if record.len() == 1
            && record
                .get(0)
                .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
        {
            continue; // a blank line
        }
        if repeats_header(&record, &header) {
            // Not data: files joined with `cat` repeat their header lines.
            collector.repeated_header();
            continue;
        }
        if record.len() != header.len() {
            return Err(anyhow!(
                "{}: {pos}: expected {} fields as in the header, found {}",
                src.name,
                header.len(),
                record.len()
            ));
        }
        let cell = |i: usize, field: Field| -> Result<&str> {
            let bytes = record.get(i).unwrap_or_default();
            std::str::from_utf8(bytes).map_err(|_| {
                field_error(
                    src.name,
                    pos,
                    field,
                    &header[i],
                    &String::from_utf8_lossy(bytes),
                    &"not valid UTF-8",
                )
            })
        };
        let time = time_cell(src, pos, &header[cols.time], cell(cols.time, Field::Time)?)?;
        let followers = count_cell(
            src,
            pos,
            Field::Followers,
            &header[cols.followers],
            cell(cols.followers, Field::Followers)?,
        )?;
        let following = match cols.following {
            Some(i) => {
                let v = cell(i, Field::Following)?;
                if v.trim().is_empty() {
                    None
                } else {
                    Some(count_cell(src, pos, Field::Following, &header[i], v)?)
                }
            }
            None => None,
        };
        let account = match accounts {
            AccountSource::Fixed(id) => id,
            AccountSource::Column(i) => {
                let name = String::from_utf8_lossy(record.get(i).unwrap_or_default());
                collector.intern(account_cell(src, pos, &header[i], &name)?)
            }
        };
        collector.push(Row {
            account,
            time,
            followers,
            following,
        });
        snapshots += 1;
    }
    if snapshots == 0 {
        anyhow::bail!(
            "{}: line {header_line}: only a header, no snapshots",
            src.name
        );
    }
    Ok(())
}

/// Whether a record is the header row again (cells compared trimmed; a
/// byte-order mark left by `cat` of a file that starts with one is ignored).
fn repeats_header(record: &::csv::ByteRecord, header: &[String]) -> bool {
    record.len() == header.len()
        && record
            .iter()
            .zip(header)
            .enumerate()
            .all(|(i, (cell, name))| {
                let cell = if i == 0 {
                    cell.strip_prefix(b"\xef\xbb\xbf").unwrap_or(cell)
                } else {
                    cell
                };
                cell.trim_ascii() == name.as_bytes()
            })
}

/// Explains a csv crate error with the file and line it happened on.
fn csv_error(src: &Source, e: ::csv::Error) -> anyhow::Error {
    let line = e.position().map(|p| p.line());
    match (e.into_kind(), line) {
        (::csv::ErrorKind::Io(io), _) => {
            anyhow::Error::new(io).context(format!("{}: cannot read", src.name))
        }
        (kind, Some(line)) => anyhow!("{}: line {line}: malformed CSV ({kind:?})", src.name),
        (kind, None) => anyhow!("{}: malformed CSV ({kind:?})", src.name),
    }
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

    #[test]
    fn repeated_header_is_recognised() {
        let header = ["timestamp".to_string(), "followers".to_string()];
        let record = |cells: &[&[u8]]| ::csv::ByteRecord::from(cells.to_vec());
        assert!(repeats_header(
            &record(&[b"timestamp", b"followers"]),
            &header
        ));
        assert!(repeats_header(
            &record(&[b"\xef\xbb\xbftimestamp", b" followers"]),
            &header
        ));
        assert!(!repeats_header(&record(&[b"2024-01-01", b"12"]), &header));
        assert!(!repeats_header(&record(&[b"timestamp"]), &header));
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
