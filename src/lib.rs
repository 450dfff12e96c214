//! followdrop: when followers vanish, was it the platform or the account,
//! and will they come back?
//!
//! Data flows one way: [`input`] reads snapshots, [`dataset`] groups them by
//! account, [`grid`] puts them on a common time grid, [`detect`] finds and
//! classifies the drops, and [`report`] writes them out through
//! [`output`]. [`simulate`] makes labelled data for trials and for
//! measuring accuracy. [`cli`] holds the command line and [`run`] wires the
//! steps together.
//!
//! Per-account work runs on all cores (rayon). Every parallel step either
//! reduces integers or collects its results in account order, so a report
//! is byte-identical whatever the number of threads.

// No `unsafe` anywhere, except two calls to glibc's allocator
// (src/allocator.rs) and the counting allocator of a `heap-stats` build
// (src/heap.rs).
#![deny(unsafe_code)]

pub mod allocator;
pub mod cli;
pub mod dataset;
pub mod detect;
pub mod evaluate;
pub mod grid;
#[cfg(feature = "heap-stats")]
pub mod heap;
pub mod input;
mod manpage;
mod misread;
mod notice;
pub mod output;
pub mod packed;
pub mod plot;
pub mod progress;
pub mod report;
pub mod sanitize;
pub mod simulate;
pub mod state;
pub mod stats;
pub mod time;
mod timing;

pub use cli::run;

use anyhow::Result;
use dataset::Dataset;
use detect::{Detection, Settings};
use grid::Grid;
use input::ReadOptions;
use rayon::prelude::*;
use report::event::{Event, Names};
use report::show::Shown;
use rustc_hash::FxHashMap;
use timing::Steps;

/// Accounts of one event explained for the HTML report: the largest losses
/// first. An explanation replays detection's stages for one account
/// against the whole cohort, so an event that hit tens of thousands would
/// cost minutes; beyond these, `followdrop show NAME` explains any of them.
pub const MAX_EXPLAINED: usize = 200;

/// What a scan found: the data set, the grid (every account's snapshots on
/// it, for pictures and drill-down), and the events (before any report
/// filter).
pub struct Analysis {
    pub dataset: Dataset,
    pub bucket: i64,
    pub grid: grid::Grid,
    pub events: Vec<Event>,
    /// `show`'s explanation of accounts the events hit, by name: empty
    /// unless asked for ([`analyze_explained`]).
    pub explained: FxHashMap<String, Shown>,
}

/// Reads the inputs and detects every event: the whole of `scan` but the
/// report.
pub fn analyze(
    inputs: &[String],
    read: &ReadOptions,
    settings: &Settings,
    bucket: Option<i64>,
) -> Result<Analysis> {
    analyze_with(inputs, read, settings, bucket, false)
}

/// [`analyze`], keeping what `show` would say of the accounts each event
/// hit (the [`MAX_EXPLAINED`] largest losses of each): the HTML report's
/// drill-down.
pub fn analyze_explained(
    inputs: &[String],
    read: &ReadOptions,
    settings: &Settings,
    bucket: Option<i64>,
) -> Result<Analysis> {
    analyze_with(inputs, read, settings, bucket, true)
}

fn analyze_with(
    inputs: &[String],
    read: &ReadOptions,
    settings: &Settings,
    bucket: Option<i64>,
    explain: bool,
) -> Result<Analysis> {
    let Loaded {
        dataset,
        bucket,
        mut grid,
    } = load(inputs, read, bucket)?;
    let steps = Steps::start("detect");
    let groups = dataset.cohorts.groups(grid.tracks.len());
    let mut explained = FxHashMap::default();
    let findings = detect::detect_in_groups(
        &mut grid,
        &groups,
        settings,
        |part, detection, c, members| {
            if explain {
                let shown = explain_hit(part, detection, settings, &dataset, c, members);
                explained.extend(shown.into_iter().map(|s| (s.account.clone(), s)));
            }
        },
    );
    let names = Names {
        accounts: &dataset.names,
        cohorts: &dataset.cohorts.names,
        labels: &dataset.labels,
    };
    let events = report::event::events(&findings, &grid, names);
    steps.end();
    Ok(Analysis {
        dataset,
        bucket,
        grid,
        events,
        explained,
    })
}

/// `show`'s explanation of the accounts hit in one cohort's `detection`
/// (`members`: the cohort's accounts in the data set, `c` its number when
/// the cohort is split), as `show` makes it: judged in that cohort, events
/// named as `scan` names them. Reference accounts are never reported, so
/// never explained.
fn explain_hit(
    part: &Grid,
    detection: &Detection,
    settings: &Settings,
    ds: &Dataset,
    c: Option<u32>,
    members: &[usize],
) -> Vec<Shown> {
    let mut findings = detection.findings.clone();
    findings.iter_mut().for_each(|f| f.cohort = c);
    let mut hit: Vec<usize> = findings
        .iter()
        .flat_map(|f| {
            let mut by_loss: Vec<&detect::Member> = f.members.iter().collect();
            by_loss.sort_by_key(|m| std::cmp::Reverse(m.loss.lost));
            by_loss.truncate(MAX_EXPLAINED);
            by_loss.into_iter().map(|m| m.account)
        })
        .filter(|&i| members[i] < ds.first_reference)
        .collect();
    hit.sort_unstable();
    hit.dedup();
    let accounts: Vec<String> = members.iter().map(|&i| ds.names[i].clone()).collect();
    let labels = ds.labels.select(members);
    let names = Names {
        accounts: &accounts,
        cohorts: &ds.cohorts.names,
        labels: &labels,
    };
    hit.into_par_iter()
        .map(|i| {
            let x = detect::explain::explain(detection, part, settings, i, 0);
            Shown::new(&x, part, names, &findings)
        })
        .collect()
}

/// The data set and every account's snapshots on the grid: everything
/// before detection.
pub struct Loaded {
    pub dataset: Dataset,
    pub bucket: i64,
    pub grid: grid::Grid,
}

impl Loaded {
    /// The accounts of account `i`'s cohort alone (all of them when the
    /// cohort is whole), and `i`'s index among them: `show` judges an
    /// account in its own cohort, as `scan` does.
    pub fn cohort_of(mut self, i: usize) -> (Loaded, usize) {
        let Some(&c) = self.dataset.cohorts.of.get(i) else {
            return (self, i);
        };
        let of = std::mem::take(&mut self.dataset.cohorts.of);
        let members: Vec<usize> = (0..of.len()).filter(|&k| of[k] == c).collect();
        self.grid.tracks = take_members(&mut self.grid.tracks, &members);
        self.dataset.names = take_members(&mut self.dataset.names, &members);
        self.dataset.labels = self.dataset.labels.select(&members);
        // References come last, and stay last among the members.
        self.dataset.first_reference =
            members.partition_point(|&k| k < self.dataset.first_reference);
        self.dataset.cohorts.of = vec![c; members.len()];
        let at = members.partition_point(|&k| k < i);
        (self, at)
    }
}

/// The items of `all` at the indices `members`, taken out.
fn take_members<T: Default>(all: &mut [T], members: &[usize]) -> Vec<T> {
    members
        .iter()
        .map(|&k| std::mem::take(&mut all[k]))
        .collect()
}

/// Reads the inputs and puts them on the grid (`bucket`, or the automatic
/// one), for commands that run detection their own way (`show`).
pub fn load(inputs: &[String], read: &ReadOptions, bucket: Option<i64>) -> Result<Loaded> {
    if let Some(b) = bucket {
        anyhow::ensure!(
            (1..=grid::MAX_BUCKET).contains(&b),
            "a grid of {} seconds: it must be from 1 second to a year",
            b
        );
    }
    let mut steps = Steps::start("read");
    let collected = input::read_all(inputs, read)?.finish();
    // A missing count now and then is a scraper's miss; most of them is a
    // column misread, and a report of nothing would be a lie.
    misread::check_records(collected.missing_counts, collected.rows as u64)?;
    steps.next("data set");
    let (dataset, series) = Dataset::build(collected);
    misread::check(&dataset)?;
    steps.next("grid");
    let bucket = bucket.unwrap_or_else(|| grid::auto_bucket(&series));
    let grid = grid::build(series, bucket);
    allocator::give_back_freed_memory();
    let points = grid.points();
    anyhow::ensure!(
        points <= grid::MAX_POINTS,
        "the time grid would have {points} points (the data spans {:.1} days, the grid is {}): use a larger --bucket",
        (dataset.last - dataset.first) as f64 / 86_400.0,
        time::format_duration(bucket)
    );
    steps.end();
    Ok(Loaded {
        dataset,
        bucket,
        grid,
    })
}
