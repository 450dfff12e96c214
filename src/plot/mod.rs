//! `followdrop plot`: the cohort's followers over time, with the events
//! marked, as an SVG picture for people ([`svg`] draws it).
//!
//! Accounts of very different sizes are put on one scale by an *index*:
//! each account's followers divided by its own first count in the picture,
//! times 100. Per point of the time grid the picture shows the median index
//! of the accounts observed there (the cohort's typical movement: a
//! platform glitch is a notch in it, one account's purge is not) and the
//! middle half of them (25–75 %), plus the curves of accounts the user
//! names. An account's last count is carried over a gap of up to [`CARRY`]
//! points. When the picture spans more grid points than [`MAX_POINTS`], a
//! point covers several grid steps and takes each account's lowest count
//! among them, so that a short drop still shows.

mod svg;

pub use svg::svg;

use crate::Analysis;
use crate::detect::Event;
use crate::time::{format_duration, format_with};
use anyhow::{Result, bail};
use rayon::prelude::*;

/// Most points a curve has: a few per pixel column of the picture.
pub const MAX_POINTS: i64 = 2_000;

/// Points an account's last count is carried over a gap in its snapshots
/// (and past its last one): accounts sampled at a minute that rounds now to
/// one grid point, now to the next, would otherwise flicker in and out of
/// the cohort, moving its median, and their curves break up into dashes;
/// longer gaps stay gaps.
const CARRY: usize = 2;

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
    pub points: Vec<Point>,
    pub curves: Vec<Curve>,
    /// Events overlapping the span, in start order.
    pub events: Vec<&'a Event>,
    /// What the data is: files, accounts, span, grid.
    pub title: String,
}

impl<'a> Picture<'a> {
    pub fn new(a: &'a Analysis, view: &View) -> Result<Picture<'a>> {
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
        let step = (span + MAX_POINTS - 1) / MAX_POINTS;
        let n = ((span + step - 1) / step) as usize;
        let at = |g: i64| ((g - g_lo) / step) as usize;

        // Each account's lowest index at each point it was observed.
        let lows: Vec<Vec<(u32, f32)>> = a
            .grid
            .tracks
            .par_iter()
            .map(|track| {
                let i0 = track.g.partition_point(|&g| g < g_lo);
                let i1 = track.g.partition_point(|&g| g <= g_hi);
                let f = &track.followers[i0..i1];
                let Some(reference) = f.iter().copied().find(|&c| c > 0) else {
                    return Vec::new();
                };
                let mut out: Vec<(u32, f32)> = Vec::new();
                let mut held = 0f32;
                for (&g, &c) in track.g[i0..i1].iter().zip(f) {
                    let p = at(g) as u32;
                    let v = (c as f64 / reference as f64 * 100.0) as f32;
                    match out.last_mut() {
                        Some(last) if last.0 == p => last.1 = last.1.min(v),
                        Some(&mut (last, _)) => {
                            for q in (last + 1..p).take(CARRY) {
                                out.push((q, held));
                            }
                            out.push((p, v));
                        }
                        None => out.push((p, v)),
                    }
                    held = v;
                }
                if let Some(&(last, _)) = out.last() {
                    for q in (last + 1..n as u32).take(CARRY) {
                        out.push((q, held));
                    }
                }
                out
            })
            .collect();
        let cohort = lows.iter().filter(|l| !l.is_empty()).count();
        let need = view.min_cohort.min(cohort).max(1);

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
            let i0 = track.g.partition_point(|&g| g < g_lo);
            let i1 = track.g.partition_point(|&g| g <= g_hi);
            let Some(r) = (i0..i1).find(|&i| track.followers[i] > 0) else {
                bail!(
                    "--account {name:?}: no snapshot with followers between {} and {}",
                    format_with(from, "%Y-%m-%d %H:%M UTC"),
                    format_with(to, "%Y-%m-%d %H:%M UTC"),
                );
            };
            let mut index = vec![None; n];
            for (p, v) in &lows[id] {
                index[*p as usize] = Some(f64::from(*v));
            }
            curves.push(Curve {
                name: name.clone(),
                reference: track.followers[r],
                reference_time: track.t[r],
                index,
            });
        }

        let events = a
            .events
            .iter()
            .filter(|e| e.end.0 >= from && e.start.0 <= to)
            .collect();
        let files = match ds.files.as_slice() {
            [one] if one == "-" => "stdin".to_string(),
            [one] => one.clone(),
            many => format!("{} files", many.len()),
        };
        let title = format!(
            "{files} · {cohort} accounts · {} → {} UTC · grid {}",
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
            points,
            curves,
            events,
            title,
        })
    }
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

    #[test]
    fn quartiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quartile(&v, 0.5), 3.0);
        assert_eq!(quartile(&v, 0.25), 2.0);
        assert_eq!(quartile(&[1.0, 2.0], 0.5), 1.5);
        assert_eq!(quartile(&[7.0], 0.75), 7.0);
    }
}
