//! Signs that the inputs were read other than as they were meant: for a
//! cron job, a report of nothing on data that was not understood is the
//! worst answer there is, so a scan that shows them stops (status 2) and
//! says what was understood and which option reads it right.
//!
//! Each sign is one a real export produced: a folder of one file per
//! account read as one account (most snapshots then conflict), Excel serial
//! dates read as epoch seconds (all of 1970-01-01), a time column that is
//! not the snapshots' time (every row at one instant), a followers column
//! that is mostly empty.

use crate::dataset::Dataset;
use crate::time::format_rfc3339;
use anyhow::{Result, bail};

/// Epoch seconds in this range are Excel serial dates read as epoch
/// seconds: the serial days of 1954 to 2119 (20,000 to 80,000), which as
/// seconds all fall between 05:33 and 22:13 on 1 January 1970 — when no
/// follower count was ever collected.
const EXCEL_AS_EPOCH: std::ops::Range<i64> = 20_000..80_000;

/// Stops with a message when the records read look misread: `missing` of
/// `read` records had no follower count. Checked before the data set is
/// built.
pub fn check_records(missing: u64, read: u64) -> Result<()> {
    if missing > 0 && missing > read {
        bail!(
            "{missing} of {} records have no follower count (an empty cell or null): is the followers column right? (--followers-col)",
            missing + read
        );
    }
    Ok(())
}

/// Stops with a message when the data set looks misread (see the module's
/// documentation).
pub fn check(dataset: &Dataset) -> Result<()> {
    let rows = dataset.rows as u64;
    if rows == 0 {
        return Ok(());
    }
    if EXCEL_AS_EPOCH.contains(&dataset.first) && EXCEL_AS_EPOCH.contains(&dataset.last) {
        bail!(
            "every time read falls on 1970-01-01 ({} to {}): the times look like Excel serial dates \
             (days since 1899-12-30, such as 45292.25 for 2024-01-01 06:00) read as Unix epoch seconds; \
             read them with --time-format excel",
            format_rfc3339(dataset.first),
            format_rfc3339(dataset.last)
        );
    }
    // Collectors write a conflicting twin now and then; a third of all
    // snapshots is two or more accounts read as one (two accounts merged
    // make half of their snapshots conflict).
    let conflicting = dataset.warning_count("conflicting_snapshot");
    if conflicting * 3 >= rows {
        bail!(
            "{conflicting} of {rows} snapshots share their account and time with another of a different count: \
             the rows seem to hold several accounts under one name (when no account column is found, each file \
             is one account named after the file: name the column with --account-col), or the times \
             are not the snapshots' own (name the column with --time-col)"
        );
    }
    let merged = conflicting + dataset.warning_count("duplicate_snapshot");
    if dataset.first == dataset.last && merged > 0 {
        bail!(
            "every snapshot is at the same instant, {}: is the time column the snapshots' time? \
             (name it with --time-col)",
            format_rfc3339(dataset.first)
        );
    }
    Ok(())
}
