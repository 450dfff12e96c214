// Shared by the reader-only targets (`read_csv`, `read_json`, `read_ndjson`,
// `read_opts`): `input::read_bytes` and nothing after it (no data set, grid
// or detection), and no compressed or container input (see `wrapped`), so
// that a target runs thousands of inputs a second.
// Any panic is a bug: bad input must give `Err`, never a crash. What the
// reader accepted must also hold together (see `check`).

use followdrop::input::{self, Collected, ReadOptions};
use followdrop::time::{parse_time, Zone};
use std::sync::OnceLock;

/// Largest count a reader accepts (`input::value::MAX_COUNT`, private).
const MAX_COUNT: u64 = 1 << 53;

/// Called once before the first input: rayon's global pool gets one thread.
/// The readers then read a stream serially, as they do anyway for one under
/// 16 MiB (every input here); with two threads or more, `read_bytes` first
/// reserves a 16 MiB piece for a parallel read (`input::parallel`), which
/// took about three quarters of an execution (3 ms of 4 under ASan).
pub fn init() {
    let _ = rayon::ThreadPoolBuilder::new().num_threads(1).build_global();
}

/// Reads `data` as a file named `name`, unless it starts with the first
/// bytes of a compression or container format (see `wrapped`).
pub fn run(name: &str, data: &[u8], opts: &ReadOptions) {
    if wrapped(data) {
        return;
    }
    if let Ok(collected) = input::read_bytes(name, data, opts) {
        check(&collected);
    }
}

/// Whether the readers would take `data` for compressed data or a container
/// (the tests of `input::container::sniff`, which is private): gzip, xz,
/// zstd, bzip2, zip (and xlsx), SQLite, Parquet. These targets leave them
/// out, for speed: a few KB of them can decompress to megabytes (a 1.5 KB
/// bzip2 input found in a trial grew to 4.9 MB and took 120 ms), and in a
/// 90-second trial of `read_csv` they made 46 % of the corpus and took 72 %
/// of its running time. The pipeline targets still read them.
fn wrapped(data: &[u8]) -> bool {
    const MAGIC: [&[u8]; 6] = [
        b"\x1f\x8b",
        b"\xfd7zXZ\0",
        b"\x28\xb5\x2f\xfd",
        b"PK\x03\x04",
        b"SQLite format 3\0",
        b"PAR1",
    ];
    let bzip2 =
        data.starts_with(b"BZh") && data.get(3).is_some_and(|d| (b'1'..=b'9').contains(d));
    bzip2 || MAGIC.iter().any(|m| data.starts_with(m))
}

/// The times the readers accept: years 0001 to 9999 (UTC), the ones RFC 3339
/// can write (`time::parse_time`, `TimeFormat::read`).
fn time_range() -> (i64, i64) {
    static RANGE: OnceLock<(i64, i64)> = OnceLock::new();
    *RANGE.get_or_init(|| {
        let t = |s| parse_time(s, Zone::Utc).expect("a bound of the accepted years");
        (t("0001-01-01T00:00:00Z"), t("9999-12-31T23:59:59Z"))
    })
}

/// What any successful read must hold: one series per name, the rows
/// counted are the rows stored, every time within the accepted years, every
/// count at most 2^53.
fn check(c: &Collected) {
    assert_eq!(c.names.len(), c.series.len(), "one series per account name");
    assert_eq!(
        c.first_reference,
        Some(c.names.len()),
        "without references, every account is a main one"
    );
    let stored: usize = c.series.iter().map(|s| s.len()).sum();
    assert_eq!(c.rows, stored, "rows counted vs rows stored");
    let (earliest, latest) = time_range();
    for (s, name) in c.series.iter().zip(&c.names) {
        assert_eq!(s.iter().count(), s.len(), "{name:?}: snapshots vs len");
        for snap in s.iter() {
            let t = snap.time;
            assert!((earliest..=latest).contains(&t), "{name:?}: time {t} outside 0001..9999");
            let f = snap.followers;
            assert!(f <= MAX_COUNT, "{name:?}: follower count {f} > 2^53");
            if let Some(g) = snap.following {
                assert!(g <= MAX_COUNT, "{name:?}: following count {g} > 2^53");
            }
        }
    }
}
