//! followdrop: when followers vanish, was it the platform or the account,
//! and will they come back?
//!
//! Data flows one way: [`input`] reads snapshots, [`dataset`] groups them by
//! account, [`grid`] puts them on a common time grid, [`detect`] finds and
//! classifies the drops, and [`report`] writes them out through
//! [`output`]. [`simulate`] makes labelled data for trials and for
//! measuring accuracy. [`cli`] holds the command line and [`run`] wires the
//! steps together.

#![forbid(unsafe_code)]

pub mod cli;
pub mod dataset;
pub mod detect;
pub mod evaluate;
pub mod grid;
pub mod input;
pub mod output;
pub mod progress;
pub mod report;
pub mod simulate;
pub mod stats;
pub mod time;

pub use cli::run;

use anyhow::Result;
use dataset::Dataset;
use detect::{Event, Settings};
use input::ReadOptions;

/// What a scan found: the data set, the grid's bucket, and the events
/// (before any report filter).
pub struct Analysis {
    pub dataset: Dataset,
    pub bucket: i64,
    pub events: Vec<Event>,
}

/// Reads the inputs and detects every event: the whole of `scan` but the
/// report.
pub fn analyze(
    inputs: &[String],
    read: &ReadOptions,
    settings: &Settings,
    bucket: Option<i64>,
) -> Result<Analysis> {
    let t0 = std::time::Instant::now();
    let collected = input::read_all(inputs, read)?.finish();
    let t1 = std::time::Instant::now();
    let (dataset, series) = Dataset::build(collected);
    let t2 = std::time::Instant::now();
    let bucket = bucket.unwrap_or_else(|| grid::auto_bucket(&series));
    let grid = grid::build(series, bucket);
    let points = grid.points();
    anyhow::ensure!(
        points <= grid::MAX_POINTS,
        "the time grid would have {points} points (the data spans {:.1} days, the grid is {}): use a larger --bucket",
        (dataset.last - dataset.first) as f64 / 86_400.0,
        time::format_duration(bucket)
    );
    let t3 = std::time::Instant::now();
    let events = detect::detect(&grid, &dataset.names, settings);
    let t4 = std::time::Instant::now();
    // For performance work (BENCHMARKS.md): where the time goes.
    if std::env::var_os("FOLLOWDROP_TIMING").is_some() {
        let secs = |a: std::time::Instant, b: std::time::Instant| (b - a).as_secs_f64();
        eprintln!(
            "followdrop: timing: read {:.3}s, data set {:.3}s, grid {:.3}s, detect {:.3}s",
            secs(t0, t1),
            secs(t1, t2),
            secs(t2, t3),
            secs(t3, t4)
        );
    }
    Ok(Analysis {
        dataset,
        bucket,
        events,
    })
}
