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
    let dataset = Dataset::build(input::read_all(inputs, read)?.finish());
    let bucket = bucket.unwrap_or_else(|| grid::auto_bucket(&dataset));
    let grid = grid::build(&dataset, bucket);
    let events = detect::detect(&grid, &dataset.names, settings);
    Ok(Analysis {
        dataset,
        bucket,
        events,
    })
}
