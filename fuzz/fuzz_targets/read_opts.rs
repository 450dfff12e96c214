#![no_main]
//! The readers alone, with options chosen by the fuzzer: the first 4 bytes
//! of an input choose the `ReadOptions` (only combinations the command line
//! can give), the rest is read by `input::read_bytes(name, rest, &opts)`,
//! unless it starts like compressed data or a container (skipped, see
//! `readers.rs`). The name has no extension (the format is forced or sniffed
//! from the content): `fuzz`, or `2024-01-17T0600Z` with `--time-from-name`.
//! `--max-rows` is left out: `read_bytes` does not apply it (`read_all` does).
//!
//! byte 0: bits 0-1 format (sniffed, `--input-format csv|json|ndjson`),
//!         bit 2 `--wide`, bit 3 `--on-error skip`,
//!         bits 4-5 cohort (none, `--cohort-by file`, `--cohort-by none`, `--cohort-by c`),
//!         bit 6 `--delimiter` (byte 2), bit 7 `--time-from-name`
//! byte 1: bits 0-1 `--thousands` (`,`, `.`, `space`, `,`),
//!         bits 2-3 `--tz` (UTC, Europe/Paris, +05:45, -08:00),
//!         bits 4-5 `--time-format` (none, `excel`, `%d.%m.%Y %H:%M`, `%Y%m%d`),
//!         bits 6-7 `--records` (none, `data`, `response.items`, `x`)
//! byte 2: the delimiter, any ASCII byte (`b & 0x7f`), when byte 0 bit 6 is set
//! byte 3: bits 0-4 columns by name: `--time-col t`, `--account-col a`,
//!         `--followers-col n`, `--following-col g`, `--label-col l`

use followdrop::input::{ColumnOverrides, Format, OnError, ReadOptions, Thousands};
use followdrop::time::{TimeFormat, Zone};
use libfuzzer_sys::fuzz_target;

mod readers;

fn options(h: [u8; 4]) -> ReadOptions {
    let bit = |b: u8, i: u32| b >> i & 1 == 1;
    let name = |on: bool, n: &str| on.then(|| n.to_string());
    let cohort = h[0] >> 4 & 3;
    ReadOptions {
        format: [None, Some(Format::Csv), Some(Format::Json), Some(Format::Ndjson)]
            [usize::from(h[0] & 3)],
        wide: bit(h[0], 2),
        on_error: if bit(h[0], 3) { OnError::Skip } else { OnError::Fail },
        cohort_by_file: cohort == 1,
        delimiter: bit(h[0], 6).then_some(h[2] & 0x7f),
        time_from_name: bit(h[0], 7),
        thousands: [Thousands::Comma, Thousands::Dot, Thousands::Space, Thousands::Comma]
            [usize::from(h[1] & 3)],
        zone: match h[1] >> 2 & 3 {
            0 => Zone::Utc,
            1 => Zone::parse("Europe/Paris").expect("a known zone"),
            2 => Zone::parse("+05:45").expect("an offset"),
            _ => Zone::parse("-08:00").expect("an offset"),
        },
        time_format: match h[1] >> 4 & 3 {
            0 => None,
            1 => Some(TimeFormat::parse("excel").expect("excel")),
            2 => Some(TimeFormat::parse("%d.%m.%Y %H:%M").expect("a pattern")),
            _ => Some(TimeFormat::parse("%Y%m%d").expect("a pattern")),
        },
        records: [None, Some("data"), Some("response.items"), Some("x")][usize::from(h[1] >> 6)]
            .map(str::to_string),
        columns: ColumnOverrides {
            time: name(bit(h[3], 0), "t"),
            account: name(bit(h[3], 1), "a"),
            followers: name(bit(h[3], 2), "n"),
            following: name(bit(h[3], 3), "g"),
            label: name(bit(h[3], 4), "l"),
            cohort: name(cohort == 3, "c"),
            whole_cohort: cohort == 2,
        },
        ..ReadOptions::default()
    }
}

fuzz_target!(init: readers::init(), |data: &[u8]| {
    let mut h = [0u8; 4];
    let n = data.len().min(4);
    h[..n].copy_from_slice(&data[..n]);
    let opts = options(h);
    let name = if opts.time_from_name { "2024-01-17T0600Z" } else { "fuzz" };
    readers::run(name, &data[n..], &opts);
});
