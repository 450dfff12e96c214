//! `followdrop plot`: the cohort's followers over time, with the events
//! marked, as an SVG picture for people ([`svg`] draws it).
//!
//! Accounts of very different sizes are put on one scale by an *index*:
//! each account's followers divided by its own first count in the picture,
//! times 100. Per point of the time grid the picture shows the median index
//! of the accounts observed there (the cohort's typical movement: a
//! platform glitch is a notch in it, one account's purge is not) and the
//! middle half of them (25–75 %), plus the curves of accounts the user
//! names. Between two snapshots an account's index follows the straight
//! line from one to the other (see [`index_curve`]). When the picture spans
//! more grid points than [`MAX_POINTS`], a point covers several grid steps
//! and takes each account's lowest count among them, so that a short drop
//! still shows.

mod svg;

pub use svg::{Layout, line_colors, svg};

use crate::Analysis;
use crate::grid::Track;
use crate::report::event::Event;
use crate::report::thousands;
use crate::time::{format_duration, format_with};
use anyhow::{Result, bail};
use rayon::prelude::*;
use std::hash::{Hash, Hasher};

/// Most points a curve has: a few per pixel column of the picture.
pub const MAX_POINTS: i64 = 2_000;

/// Points an account's last count is carried past its last snapshot: an
/// account sampled at a minute that rounds now to one grid point, now to
/// the next, would otherwise drop out of the cohort at its last point and
/// move the median there.
const CARRY: usize = 2;

/// Most accounts the cohort's quartiles are taken over: beyond, a sample
/// (their precision does not need more, and memory stays bounded at about
/// this many accounts times [`MAX_POINTS`] values).
pub const MAX_COHORT: usize = 10_000;

/// What to draw (`plot`'s options).
#[derive(Debug, Clone, Default)]
pub struct View {
    /// Draw from this time on (default: the first snapshot).
    pub since: Option<i64>,
    /// Draw up to this time (default: the last snapshot).
    pub until: Option<i64>,
    /// Accounts whose own curves are drawn.
    pub accounts: Vec<String>,
    /// Fewest accounts observed at a point for the cohort's curve to be
    /// drawn there (fewer when the whole cohort is smaller).
    pub min_cohort: usize,
    /// Most points a curve has ([`MAX_POINTS`] for a picture of its own;
    /// fewer for the small pictures of a page, which stay light).
    pub max_points: i64,
}

/// The cohort at one point of the picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Time of the point (the middle of the grid steps it covers).
    pub t: i64,
    /// Accounts observed there.
    pub observed: usize,
    /// Quartiles of their indices (`None` when too few were observed).
    pub q1: Option<f64>,
    pub median: Option<f64>,
    pub q3: Option<f64>,
}

/// One named account's curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    pub name: String,
    /// Its first non-zero count in the picture (index 100) and when.
    pub reference: u64,
    pub reference_time: i64,
    /// Its index at each point (`None` where it has no snapshot).
    pub index: Vec<Option<f64>>,
}

/// Everything the picture shows, computed from an analysis.
#[derive(Debug)]
pub struct Picture<'a> {
    /// The span drawn (seconds).
    pub from: i64,
    pub to: i64,
    /// The grid's bucket and the grid steps a point covers.
    pub bucket: i64,
    pub step: i64,
    /// Accounts with a snapshot in the span.
    pub cohort: usize,
    /// Accounts the quartiles are taken over: all of the cohort, or an
    /// evenly spread sample of about [`MAX_COHORT`] when it is larger.
    pub sample: usize,
    pub points: Vec<Point>,
    pub curves: Vec<Curve>,
    /// Events overlapping the span, in start order.
    /// Each with its number: its place (from 1) in the list the picture
    /// was made from, so that the picture of a part of the period numbers
    /// events as that of the whole does.
    pub events: Vec<(usize, &'a Event)>,
    /// What the data is: files, accounts, span, grid.
    pub title: String,
}

impl<'a> Picture<'a> {
    /// The picture of `a` with `events` (the analysis's, as reported).
    pub fn new(a: &'a Analysis, events: &'a [Event], view: &View) -> Result<Picture<'a>> {
        let ds = &a.dataset;
        let bucket = a.grid.bucket;
        let from = view.since.map_or(ds.first, |t| t.max(ds.first));
        let to = view.until.map_or(ds.last, |t| t.min(ds.last));
        if from > to {
            bail!(
                "nothing to draw between --since and --until: the data spans {} to {}",
                format_with(ds.first, "%Y-%m-%d %H:%M UTC"),
                format_with(ds.last, "%Y-%m-%d %H:%M UTC"),
            );
        }
        let point = |t: i64| (t + bucket / 2).div_euclid(bucket);
        let (g_lo, g_hi) = (point(from), point(to));
        let span = g_hi - g_lo + 1;
        let most = view.max_points.max(1);
        let step = (span + most - 1) / most;
        let n = ((span + step - 1) / step) as usize;

        // The accounts with a count in view; of a very large cohort, an
        // evenly spread sample (by a hash of the name: the same whatever the
        // order of the input) gives the quartiles.
        let in_view: Vec<bool> = a
            .grid
            .tracks
            .par_iter()
            .map(|t| within(t, g_lo, g_hi).any(|i| t.count(i) > 0))
            .collect();
        let cohort = in_view.iter().filter(|&&v| v).count();
        // A name is drawn when its hash, as a fraction of the hashes' range,
        // is below MAX_COHORT / cohort.
        let (whole, limit) = (cohort as u128, (MAX_COHORT as u128) << 64);
        let sampled = |id: usize| {
            in_view[id] && (cohort <= MAX_COHORT || u128::from(hash(&ds.names[id])) * whole < limit)
        };
        let index = |id: usize| index_curve(&a.grid.tracks[id], g_lo, g_hi, step, n);
        let lows: Vec<Vec<(u32, f32)>> = (0..a.grid.tracks.len())
            .into_par_iter()
            .map(|id| if sampled(id) { index(id) } else { Vec::new() })
            .collect();
        let sample = lows.iter().filter(|l| !l.is_empty()).count();
        let need = view.min_cohort.min(sample).max(1);

        // Gathered by point (a counting sort), then the quartiles of each.
        let mut counts = vec![0usize; n + 1];
        for &(p, _) in lows.iter().flatten() {
            counts[p as usize + 1] += 1;
        }
        for i in 1..=n {
            counts[i] += counts[i - 1];
        }
        let mut by_point = vec![0f32; counts[n]];
        let mut next = counts.clone();
        for &(p, v) in lows.iter().flatten() {
            by_point[next[p as usize]] = v;
            next[p as usize] += 1;
        }
        let points: Vec<Point> = (0..n)
            .into_par_iter()
            .map(|p| {
                let mut values = by_point[counts[p]..counts[p + 1]].to_vec();
                values.sort_unstable_by(f32::total_cmp);
                let q = |q: f64| (values.len() >= need).then(|| quartile(&values, q));
                let g = g_lo + p as i64 * step;
                let last = (g + step - 1).min(g_hi);
                Point {
                    t: (g + last) * bucket / 2,
                    observed: values.len(),
                    q1: q(0.25),
                    median: q(0.5),
                    q3: q(0.75),
                }
            })
            .collect();

        let mut curves = Vec::new();
        for name in &view.accounts {
            let Some(id) = ds.names.iter().position(|n| n == name) else {
                bail!(
                    "--account {name:?}: no such account in the input ({} accounts, e.g. {})",
                    ds.names.len(),
                    examples(&ds.names)
                );
            };
            let track = &a.grid.tracks[id];
            let Some(r) = within(track, g_lo, g_hi).find(|&i| track.count(i) > 0) else {
                bail!(
                    "--account {name:?}: no snapshot with followers between {} and {}",
                    format_with(from, "%Y-%m-%d %H:%M UTC"),
                    format_with(to, "%Y-%m-%d %H:%M UTC"),
                );
            };
            let mut values = vec![None; n];
            for (p, v) in index(id) {
                values[p as usize] = Some(f64::from(v));
            }
            curves.push(Curve {
                name: name.clone(),
                reference: track.count(r),
                reference_time: track.time(r),
                index: values,
            });
        }

        let events = events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.end.0 >= from && e.start.0 <= to)
            .map(|(k, e)| (k + 1, e))
            .collect();
        let files = match ds.files.as_slice() {
            [one] if one == "-" => "stdin".to_string(),
            [one] => one.clone(),
            many => format!("{} files", many.len()),
        };
        let title = format!(
            "{files} · {} accounts · {} → {} UTC · grid {}",
            thousands(cohort as u64),
            format_with(from, "%Y-%m-%d %H:%M"),
            format_with(to, "%Y-%m-%d %H:%M"),
            format_duration(bucket)
        );
        Ok(Picture {
            from,
            to,
            bucket,
            step,
            cohort,
            sample,
            points,
            curves,
            events,
            title,
        })
    }
}

/// One account's index (100 = its first non-zero count in grid points
/// `g_lo..=g_hi`) at each point of `step` grid points: the lowest at a point
/// with snapshots, the straight line between the points on either side of
/// a gap (a line chart's usual reading, and the cohort keeps its members),
/// the last value for [`CARRY`] points after the account's last snapshot.
/// Empty when the account has no count in view.
fn index_curve(track: &Track, g_lo: i64, g_hi: i64, step: i64, n: usize) -> Vec<(u32, f32)> {
    let span = within(track, g_lo, g_hi);
    let Some(reference) = span.clone().map(|i| track.count(i)).find(|&c| c > 0) else {
        return Vec::new();
    };
    let mut out: Vec<(u32, f32)> = Vec::new();
    let mut last = 0f32;
    for (g, c) in span.map(|i| (track.grid_point(i), track.count(i))) {
        let p = ((g - g_lo) / step) as u32;
        let v = (c as f64 / reference as f64 * 100.0) as f32;
        match out.last_mut() {
            Some(at) if at.0 == p => at.1 = at.1.min(v),
            Some(&mut (q, _)) => {
                let gap = (p - q) as f32;
                for k in q + 1..p {
                    out.push((k, last + (v - last) * (k - q) as f32 / gap));
                }
                out.push((p, v));
            }
            None => out.push((p, v)),
        }
        last = v;
    }
    if let Some(&(q, _)) = out.last() {
        for k in (q + 1..n as u32).take(CARRY) {
            out.push((k, last));
        }
    }
    out
}

/// The indices of a track's snapshots at grid points `g_lo..=g_hi`.
fn within(track: &Track, g_lo: i64, g_hi: i64) -> std::ops::Range<usize> {
    track.count_before(g_lo)..track.count_at_or_before(g_hi)
}

/// A hash of a name that does not change between runs or platforms.
fn hash(name: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    name.hash(&mut h);
    h.finish()
}

/// The `q` quantile of sorted values, interpolated between neighbours.
fn quartile(sorted: &[f32], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    let a = f64::from(sorted[i]);
    match sorted.get(i + 1) {
        Some(&b) if frac > 0.0 => a + (f64::from(b) - a) * frac,
        _ => a,
    }
}

/// A few account names, for a message about a name that is not there.
fn examples(names: &[String]) -> String {
    let mut shown: Vec<String> = names.iter().take(3).map(|n| format!("{n:?}")).collect();
    if names.len() > 3 {
        shown.push("…".to_string());
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(g: Vec<i64>, followers: Vec<u64>) -> Track {
        Track::on_points(g, 1, followers)
    }

    #[test]
    fn index_curve_lows_lines_and_carry() {
        // Points 10..=29 of the grid, one a point; 200 at its first count.
        let t = track(vec![8, 12, 13, 16, 20], vec![999, 200, 190, 220, 0]);
        let curve = index_curve(&t, 10, 29, 1, 20);
        let expect: Vec<(u32, f32)> = vec![
            (2, 100.0),
            (3, 95.0),
            (4, 100.0), // the straight line from 95 to 110
            (5, 105.0),
            (6, 110.0),
            (7, 82.5),
            (8, 55.0),
            (9, 27.5),
            (10, 0.0),
            (11, 0.0), // carried past the last snapshot
            (12, 0.0),
        ];
        assert_eq!(curve, expect);
        // Two grid points a point: the lowest of a pair (200 and 190 at 12
        // and 13), the line from the last count seen (190) across a gap.
        let curve = index_curve(&t, 10, 29, 2, 10);
        let expect: Vec<(u32, f32)> = vec![
            (1, 95.0),
            (2, 102.5),
            (3, 110.0),
            (4, 55.0),
            (5, 0.0),
            (6, 0.0),
            (7, 0.0),
        ];
        assert_eq!(curve, expect);
        // No count in view, or only zeros: no curve.
        assert!(index_curve(&t, 30, 40, 1, 11).is_empty());
        assert!(index_curve(&track(vec![1], vec![0]), 0, 5, 1, 6).is_empty());
    }

    #[test]
    fn quartiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quartile(&v, 0.5), 3.0);
        assert_eq!(quartile(&v, 0.25), 2.0);
        assert_eq!(quartile(&[1.0, 2.0], 0.5), 1.5);
        assert_eq!(quartile(&[7.0], 0.75), 7.0);
    }
}
