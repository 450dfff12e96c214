//! Divan benchmarks of followdrop's hot kernels, through its public API
//! only (stable while the internals are rewritten):
//!
//! - `parse_time`: the time forms collectors write;
//! - `stats::median` / `stats::mad`: a year of daily (365) and of hourly
//!   (8,760) log changes, the per-account statistics;
//! - `read_csv`: CSV record parsing (the serial reader, from bytes in
//!   memory) into per-account series;
//! - `detect`: detection alone (per-account models, cohort aggregation over
//!   the windows, platform and account events) on a grid built once;
//! - `analyze`: the whole pipeline (read, group, grid, detect) on small
//!   simulated files, generated once in a temporary directory.
//!
//! Run with `cd bench && cargo bench` (add a filter to run some:
//! `cargo bench -- parse_time`).

use divan::{Bencher, black_box};
use followdrop::detect::Settings;
use followdrop::input::ReadOptions;
use followdrop::stats;
use followdrop::time::{Zone, parse_time};
use followdrop_bench::{DAY, HOUR, log_changes, write_simulated};
use std::sync::{Mutex, OnceLock};
use tempfile::TempDir;

fn main() {
    divan::main();
    // Statics are never dropped: remove the simulated files by hand.
    if let Some(dir) = DIR.lock().unwrap().take() {
        drop(dir);
    }
}

#[divan::bench(args = [
    "2024-03-17T08:41:05Z",
    "2024-03-17T08:41:05+0000",
    "2024-03-17 08:41:05",
    "1710664865",
])]
fn parse_time_utc(s: &str) -> i64 {
    parse_time(black_box(s), Zone::Utc).unwrap()
}

#[divan::bench(args = [365, 8760])]
fn median(bencher: Bencher, n: usize) {
    let data = log_changes(n, 7);
    bencher
        .with_inputs(|| data.clone())
        .bench_local_refs(|v| stats::median(v));
}

#[divan::bench(args = [365, 8760])]
fn mad(bencher: Bencher, n: usize) {
    let mut data = log_changes(n, 7);
    let center = stats::median(&mut data.clone()).unwrap();
    data.reverse();
    bencher.bench_local(|| stats::mad(black_box(&data), black_box(center)));
}

/// The simulated inputs: (name, path) pairs, written on first use.
static DIR: Mutex<Option<TempDir>> = Mutex::new(None);
static FILES: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();

fn input(name: &str) -> String {
    let files = FILES.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("followdrop-bench-")
            .tempdir()
            .expect("temporary directory");
        let specs: [(&'static str, usize, i64, i64); 2] = [
            ("1k_accounts_90d_daily", 1_000, 90, DAY),
            ("200_accounts_30d_hourly", 200, 30, HOUR),
        ];
        let files = specs
            .iter()
            .map(|&(name, accounts, days, interval)| {
                let path = dir.path().join(format!("{name}.csv"));
                write_simulated(&path, accounts, days, interval);
                (name, path.to_string_lossy().into_owned())
            })
            .collect();
        *DIR.lock().unwrap() = Some(dir);
        files
    });
    files
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| p.clone())
        .expect("known input")
}

#[divan::bench(
    args = ["1k_accounts_90d_daily", "200_accounts_30d_hourly"],
    sample_count = 20,
    sample_size = 1,
)]
fn analyze(bencher: Bencher, name: &str) {
    let inputs = vec![input(name)];
    let read = ReadOptions::default();
    let settings = Settings::default();
    bencher.bench_local(|| {
        let analysis =
            followdrop::analyze(black_box(&inputs), &read, &settings, None).expect("analyze");
        analysis.events.len()
    });
}

#[divan::bench(
    args = ["1k_accounts_90d_daily", "200_accounts_30d_hourly"],
    sample_count = 20,
    sample_size = 1,
)]
fn read_csv(bencher: Bencher, name: &str) {
    let bytes = std::fs::read(input(name)).expect("simulated file");
    let read = ReadOptions::default();
    bencher
        .counter(divan::counter::BytesCount::of_slice(&bytes))
        .bench_local(|| {
            let collected =
                followdrop::input::read_bytes("bench.csv", black_box(&bytes), &read).unwrap();
            collected.rows
        });
}

#[divan::bench(
    args = ["1k_accounts_90d_daily", "200_accounts_30d_hourly"],
    sample_count = 20,
    sample_size = 1,
)]
fn detect(bencher: Bencher, name: &str) {
    let loaded = followdrop::load(&[input(name)], &ReadOptions::default(), None).expect("load");
    let settings = Settings::default();
    bencher.bench_local(|| {
        followdrop::detect::detect(black_box(&loaded.grid), &settings).len()
    });
}
