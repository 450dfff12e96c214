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
    let mut dataset = Dataset::build(collected);
    let t2 = std::time::Instant::now();
    let bucket = bucket.unwrap_or_else(|| grid::auto_bucket(&dataset));
    let grid = grid::build(std::mem::take(&mut dataset.series), bucket);
    let t3 = std::time::Instant::now();
    let events = detect::detect(&grid, &dataset.names, settings);
    let t4 = std::time::Instant::now();
    if std::env::var_os("FD_TIMING").is_some() {
        eprintln!(
            "read {:?} dataset {:?} grid {:?} detect {:?}",
            t1 - t0,
            t2 - t1,
            t3 - t2,
            t4 - t3
        );
    }
    Ok(Analysis {
        dataset,
        bucket,
        events,
    })
}
