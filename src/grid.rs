//! The time grid: a bucket size (chosen from the data's own spacing unless
//! `--bucket` says otherwise) and each account's snapshots rounded to it.
//!
//! Accounts are rarely sampled at the same moments; rounding every snapshot
//! to the nearest grid point makes them comparable, and keeping one
//! snapshot per grid point (the nearest) stops finer sampling from
//! weighing more.

use crate::input::{Following, Series};
use crate::packed::Packed;
use rayon::prelude::*;

/// Bucket sizes the automatic choice picks from: round durations people use.
const LADDER: [i64; 13] = [
    60, 300, 600, 900, 1800, 3600, 7200, 10_800, 14_400, 21_600, 43_200, 86_400, 604_800,
];

/// Bucket used when no account has two snapshots to measure a spacing from.
const FALLBACK_BUCKET: i64 = 86_400;

/// One account's snapshots on the grid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Track {
    /// Grid point of each kept snapshot (time / bucket, rounded), increasing.
    g: Packed<i64>,
    /// Each snapshot's real time less its grid point's (at most half a
    /// bucket either way): the real time is only reported, so it is kept in
    /// 4 bytes rather than 8 for every snapshot of every account.
    offset: Vec<i32>,
    bucket: i64,
    pub followers: Packed<u64>,
    pub following: Following,
}

impl Track {
    pub fn len(&self) -> usize {
        self.g.len()
    }

    pub fn is_empty(&self) -> bool {
        self.g.is_empty()
    }

    /// The grid point of snapshot `i`.
    #[inline]
    pub fn g(&self, i: usize) -> i64 {
        self.g.get(i)
    }

    /// The grid points of the snapshots, in order.
    pub fn points(&self) -> &Packed<i64> {
        &self.g
    }

    /// The follower count of snapshot `i`.
    #[inline]
    pub fn count(&self, i: usize) -> u64 {
        self.followers.get(i)
    }

    /// The real time of snapshot `i`.
    pub fn time(&self, i: usize) -> i64 {
        self.g(i) * self.bucket + i64::from(self.offset[i])
    }

    /// A track whose snapshots lie exactly on grid points `g` of a grid of
    /// `bucket` seconds (for tests and pictures made by hand).
    pub fn on_points(g: Vec<i64>, bucket: i64, followers: Vec<u64>) -> Track {
        Track {
            offset: vec![0; g.len()],
            g: g.into_iter().collect(),
            bucket,
            followers: followers.into_iter().collect(),
            following: Following::default(),
        }
    }

    /// Index of the last snapshot at or before grid point `g`.
    pub fn last_at_or_before(&self, g: i64) -> Option<usize> {
        self.g.partition_point(|x| x <= g).checked_sub(1)
    }

    /// Index of the first snapshot at or after grid point `g`.
    pub fn first_at_or_after(&self, g: i64) -> Option<usize> {
        let i = self.g.partition_point(|x| x < g);
        (i < self.g.len()).then_some(i)
    }
}

/// Most grid points a scan works on: the cohort counts hold a few numbers
/// per grid point and window width, so a grid far finer than the data's
/// span (a year at one second) would take gigabytes for nothing.
pub const MAX_POINTS: i64 = 20_000_000;

/// The largest bucket: a year. (A snapshot's offset from its grid point,
/// at most half a bucket, is then kept in 32 bits.)
pub const MAX_BUCKET: i64 = 366 * 86_400;

/// The grid and every account's track on it (indexed by account id).
#[derive(Debug)]
pub struct Grid {
    pub bucket: i64,
    pub tracks: Vec<Track>,
}

/// The median spacing between an account's consecutive snapshots, over all
/// accounts, rounded down to a ladder size (with 10 % slack for jitter, so
/// that 59-minute spacing still gives `1h`). Rounding down, not to the
/// nearest, because a grid coarser than the sampling throws snapshots away
/// while a finer one only leaves some grid points empty.
pub fn auto_bucket(series: &[Series]) -> i64 {
    // The ladder size L is within slack of the median spacing m when
    // m + m/10 ≥ L, i.e. m ≥ x(L), the least such spacing; and the median
    // is at least x(L) when no more than half the gaps are shorter. So count
    // gaps below each x(L) instead of holding every gap to sort.
    let least = |l: i64| {
        (0..=l)
            .rev()
            .take_while(|&x| x + x / 10 >= l)
            .last()
            .unwrap_or(l)
    };
    let thresholds: Vec<i64> = LADDER.iter().map(|&l| least(l)).collect();
    let mut shorter = [0u64; LADDER.len()];
    let mut total = 0u64;
    for s in series {
        for (a, b) in s.times.iter().zip(s.times.iter().skip(1)) {
            let gap = b - a;
            total += 1;
            for (count, &x) in shorter.iter_mut().zip(&thresholds) {
                *count += u64::from(gap < x);
            }
        }
    }
    if total == 0 {
        return FALLBACK_BUCKET;
    }
    LADDER
        .iter()
        .zip(shorter)
        .rev()
        .find(|&(_, below)| below <= total / 2)
        .map_or(LADDER[0], |(&l, _)| l)
}

/// Rounds every account's snapshots to the grid, keeping per grid point the
/// snapshot nearest to it (the later one on a tie). The series are consumed
/// and their storage reused.
pub fn build(series: Vec<Series>, bucket: i64) -> Grid {
    let tracks = series
        .into_par_iter()
        .map(|s| Track::on_grid(s, bucket))
        .collect();
    Grid { bucket, tracks }
}

impl Grid {
    /// Grid points from the first snapshot to the last, over all accounts.
    pub fn points(&self) -> i64 {
        let first = self.tracks.iter().filter_map(|t| t.g.first()).min();
        let last = self.tracks.iter().filter_map(|t| t.g.last()).max();
        match (first, last) {
            (Some(a), Some(b)) => b - a + 1,
            _ => 0,
        }
    }
}

impl Track {
    fn on_grid(s: Series, bucket: i64) -> Track {
        let Series {
            times: mut t,
            mut followers,
            mut following,
        } = s;
        let point = |t: i64| (t + bucket / 2).div_euclid(bucket);
        let mut kept = 0;
        let mut last = None;
        for i in 0..t.len() {
            let ti = t.get(i);
            let p = point(ti);
            let distance = |t: i64| (t - p * bucket).abs();
            if last == Some(p) {
                if distance(ti) <= distance(t.get(kept - 1)) {
                    t.set(kept - 1, ti);
                    followers.set(kept - 1, followers.get(i));
                    following.copy(i, kept - 1);
                }
                continue;
            }
            last = Some(p);
            t.set(kept, ti);
            followers.set(kept, followers.get(i));
            following.copy(i, kept);
            kept += 1;
        }
        t.truncate(kept);
        // Within half a bucket of its grid point, and a bucket is at most
        // MAX_BUCKET: the offset fits.
        let offset = t
            .iter()
            .map(|x| i32::try_from(x - point(x) * bucket).unwrap_or(0))
            .collect();
        // The times' storage becomes the grid points' (new storage for
        // every account would not reuse the old: the heap would grow).
        t.map_in_place(point);
        let mut g = t;
        // Give back what growing while reading left spare: the models come next.
        g.shrink_to_fit();
        followers.truncate(kept);
        followers.shrink_to_fit();
        following.truncate(kept);
        Track {
            g,
            offset,
            bucket,
            followers,
            following,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(times: Vec<Vec<i64>>) -> Vec<Series> {
        times
            .into_iter()
            .map(|t| Series {
                followers: (0..t.len() as u64).collect(),
                following: Following::default(),
                times: t.into_iter().collect(),
            })
            .collect()
    }

    #[test]
    fn bucket_from_median_spacing() {
        assert_eq!(
            auto_bucket(&dataset(vec![vec![0, 3500, 7300, 10_700]])),
            3600
        );
        assert_eq!(
            auto_bucket(&dataset(vec![vec![0, 86_000, 172_900], vec![5]])),
            86_400
        );
        assert_eq!(auto_bucket(&dataset(vec![vec![7]])), FALLBACK_BUCKET);
        // Irregular spacing of about three days: a daily grid, not a weekly one.
        assert_eq!(
            auto_bucket(&dataset(vec![vec![0, 250_000, 500_000, 760_000]])),
            86_400
        );
        assert_eq!(auto_bucket(&dataset(vec![vec![0, 5, 10]])), 60);
    }

    #[test]
    fn rounding_keeps_the_nearest_snapshot() {
        // 3590 and 3650 both round to grid point 1; 3590 is nearer.
        let grid = build(dataset(vec![vec![10, 3590, 3650, 9000]]), 3600);
        let t = &grid.tracks[0];
        assert_eq!(t.points().iter().collect::<Vec<_>>(), [0, 1, 3]);
        assert_eq!(
            (0..3).map(|i| t.time(i)).collect::<Vec<_>>(),
            [10, 3590, 9000]
        );
        assert_eq!(t.followers.iter().collect::<Vec<_>>(), [0, 1, 3]);
        assert_eq!(t.last_at_or_before(2), Some(1));
        assert_eq!(t.first_at_or_after(2), Some(2));
        assert_eq!(t.first_at_or_after(4), None);
        assert_eq!(t.last_at_or_before(-1), None);
    }
}
