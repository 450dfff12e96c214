// Shared by the pipeline targets (`csv`, `json`, `ndjson`): read bytes as a
// file of the given name, and, when that succeeds with at least one
// snapshot, run the rest of the pipeline as `followdrop::analyze` does (data
// set -> grid -> detection in each cohort). `analyze`'s checks for a misread
// column (`misread`, private) are not made: detection also runs on data the
// command line would refuse with an error.
// Any panic is a bug: bad input must give `Err`, never a crash.

use followdrop::dataset::Dataset;
use followdrop::detect::{self, Settings};
use followdrop::grid;
use followdrop::input::{self, ReadOptions};

pub fn run(name: &str, data: &[u8]) {
    let collected = match input::read_bytes(name, data, &ReadOptions::default()) {
        Ok(c) => c,
        Err(_) => return,
    };
    if collected.rows == 0 || collected.series.is_empty() {
        return;
    }
    let (ds, series) = Dataset::build(collected);
    let bucket = grid::auto_bucket(&series);
    let mut grid = grid::build(series, bucket);
    // `analyze` refuses a grid this large with an error (not a panic).
    if grid.points() > grid::MAX_POINTS {
        return;
    }
    let groups = ds.cohorts.groups(grid.tracks.len());
    let _findings = detect::detect_in_groups(&mut grid, &groups, &Settings::default(), |_, _, _, _| {});
}
