//! The time grid: a bucket size (chosen from the data's own spacing unless
//! `--bucket` says otherwise) and each account's snapshots rounded to it.
//!
//! Accounts are rarely sampled at the same moments; rounding every snapshot
//! to the nearest grid point makes them comparable, and keeping one
//! snapshot per grid point (the nearest) stops finer sampling from
//! weighing more.

use crate::input::{FollowingCounts, Series, Snapshot};
use crate::packed::Packed;
use crate::time::DAY;
use rayon::prelude::*;

/// Bucket sizes the automatic choice picks from: round durations people use.
const LADDER: [i64; 13] = [
    60, 300, 600, 900, 1800, 3600, 7200, 10_800, 14_400, 21_600, 43_200, 86_400, 604_800,
];

/// Bucket used when no account has two snapshots to measure a spacing from.
const FALLBACK_BUCKET: i64 = DAY;

/// One account's snapshots on the grid.
///
/// A snapshot's real time is kept as its grid point and its offset from
/// it, each in a column of its own, because both vary little along a
/// series where times do not: the point less the snapshot's index is the
/// first point plus the points skipped so far (a byte a snapshot on a
/// series that misses a few), and the offset is a collector's time of day
/// and jitter (2 bytes, mostly). A time alone took 4 bytes; and detection,
/// which asks for grid points in its innermost loops, gets one by an
/// addition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Track {
    /// Each kept snapshot's grid point less its index (points increase,
    /// one snapshot a point at most).
    skipped: Packed<i64>,
    /// Each kept snapshot's real time less its grid point's.
    offsets: Packed<i64>,
    bucket: i64,
    pub followers: Packed<u64>,
    pub following: FollowingCounts,
}

impl Track {
    pub fn len(&self) -> usize {
        self.skipped.len()
    }

    pub fn is_empty(&self) -> bool {
        self.skipped.is_empty()
    }

    /// The grid point of snapshot `i`.
    #[inline]
    pub fn grid_point(&self, i: usize) -> i64 {
        self.skipped.get(i).wrapping_add(i as i64)
    }

    /// The grid points of snapshots `range`, in order, each given to `f`.
    #[inline]
    pub fn grid_points_in(&self, range: std::ops::Range<usize>, mut f: impl FnMut(i64)) {
        let mut i = range.start as i64;
        self.skipped.for_each_in(range, |skipped| {
            f(skipped.wrapping_add(i));
            i += 1;
        });
    }

    /// The follower count of snapshot `i`.
    #[inline]
    pub fn count(&self, i: usize) -> u64 {
        self.followers.get(i)
    }

    /// The real time of snapshot `i`.
    pub fn time(&self, i: usize) -> i64 {
        self.grid_point(i)
            .wrapping_mul(self.bucket)
            .wrapping_add(self.offsets.get(i))
    }

    /// A track of snapshots at real times `times` (increasing, at most one
    /// a grid point of `bucket` seconds) with `followers` and `following`.
    fn at_times(
        times: impl ExactSizeIterator<Item = i64> + Clone,
        bucket: i64,
        followers: Packed<u64>,
        following: FollowingCounts,
    ) -> Track {
        let rounding = Rounding::new(bucket);
        let rows = times.map(move |t| (rounding.point(t), t));
        Track::at_points(rows, bucket, followers, following)
    }

    /// [`Track::at_times`] for snapshots already rounded: (grid point, time).
    fn at_points(
        rows: impl ExactSizeIterator<Item = (i64, i64)> + Clone,
        bucket: i64,
        followers: Packed<u64>,
        following: FollowingCounts,
    ) -> Track {
        let skipped = rows
            .clone()
            .enumerate()
            .map(|(i, (p, _))| p.wrapping_sub(i as i64));
        let offsets = rows.map(|(p, t)| t.wrapping_sub(p.wrapping_mul(bucket)));
        Track {
            skipped: Packed::from_values(skipped),
            offsets: Packed::from_values(offsets),
            bucket,
            followers,
            following,
        }
    }

    /// A track whose snapshots lie exactly on grid points `g` of a grid of
    /// `bucket` seconds (for tests and pictures made by hand).
    pub fn on_points(g: Vec<i64>, bucket: i64, followers: Vec<u64>) -> Track {
        Track::at_times(
            g.into_iter().map(|g| g * bucket),
            bucket,
            followers.into_iter().collect(),
            FollowingCounts::default(),
        )
    }

    /// The number of snapshots at or before grid point `g`.
    ///
    /// Snapshot `i`'s point is `i` plus the points skipped before it, which
    /// never decrease: every index up to `g` less the most skipped is at or
    /// before `g`, and none past `g` less the fewest. So a track without
    /// gaps is answered at once and one with a few in a few steps, where a
    /// binary search over the whole track took a dozen reads of packed
    /// values (detection asks this for every account around every window).
    pub fn count_at_or_before(&self, g: i64) -> usize {
        let n = self.len();
        if n == 0 {
            return 0;
        }
        let (fewest, most) = (self.skipped.get(0), self.skipped.get(n - 1));
        // Saturated bounds only widen the range: still right.
        let index = |x: i64| x.saturating_add(1).clamp(0, n as i64) as usize;
        let (mut lo, mut hi) = (
            index(g.saturating_sub(most)),
            index(g.saturating_sub(fewest)),
        );
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.grid_point(mid) <= g {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The number of snapshots before grid point `g`.
    pub fn count_before(&self, g: i64) -> usize {
        g.checked_sub(1)
            .map_or(0, |before| self.count_at_or_before(before))
    }

    /// Index of the last snapshot at or before grid point `g`.
    pub fn last_at_or_before(&self, g: i64) -> Option<usize> {
        self.count_at_or_before(g).checked_sub(1)
    }

    /// Index of the first snapshot at or after grid point `g`.
    pub fn first_at_or_after(&self, g: i64) -> Option<usize> {
        let i = self.count_before(g);
        (i < self.len()).then_some(i)
    }
}

/// Rounds times to grid points. Every snapshot of every account is rounded
/// (twice: to keep one a point, then to store its point), so a division is
/// done as a multiplication where it can be: for a dividend and divisor
/// below 2^32, `n / d` is the high 64 bits of `n × ⌈2^64 / d⌉` (Lemire,
/// Kaser and Kurz, "Faster remainder by direct computation", 2019) — every
/// time from 1970 to 2106.
#[derive(Debug, Clone, Copy)]
struct Rounding {
    bucket: i64,
    /// `⌈2^64 / bucket⌉`, or 0 for a bucket of one second (whose points
    /// are the times themselves).
    magic: u64,
}

impl Rounding {
    fn new(bucket: i64) -> Rounding {
        let magic = match u64::try_from(bucket) {
            Ok(b) if b > 1 => u64::MAX / b + 1,
            _ => 0,
        };
        Rounding { bucket, magic }
    }

    /// The grid point nearest to time `t` (the later one on a tie).
    #[inline]
    fn point(&self, t: i64) -> i64 {
        let n = t + self.bucket / 2;
        if self.magic != 0 && (0..1 << 32).contains(&n) {
            ((u128::from(self.magic) * n as u128) >> 64) as i64
        } else {
            point(t, self.bucket)
        }
    }
}

/// The grid point nearest to time `t` (the later one on a tie).
fn point(t: i64, bucket: i64) -> i64 {
    (t + bucket / 2).div_euclid(bucket)
}

/// Most grid points a scan works on: the cohort counts hold a few numbers
/// per grid point and window width, so a grid far finer than the data's
/// span (a year at one second) would take gigabytes for nothing.
pub const MAX_POINTS: i64 = 20_000_000;

/// The largest bucket: a year (a coarser grid could not tell a sudden loss
/// from the slow change of years).
pub const MAX_BUCKET: i64 = 366 * DAY;

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
    /// Gaps by how many ladder sizes' least spacings they reach (at least),
    /// and all gaps.
    type Counts = ([u64; LADDER.len() + 1], u64);
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
    let thresholds: [i64; LADDER.len()] = LADDER.map(least);
    // Integer counts, added up in any order: the same on any thread count.
    // A gap is counted once, by the least spacings it reaches (they
    // increase with the ladder), not once for each it falls short of.
    let count = |(mut reached, mut total): Counts, s: &Series| {
        let mut times = s.iter().map(|x| x.time);
        let Some(mut a) = times.next() else {
            return (reached, total);
        };
        for b in times {
            let gap = b - std::mem::replace(&mut a, b);
            total += 1;
            reached[thresholds.partition_point(|&x| x <= gap)] += 1;
        }
        (reached, total)
    };
    let add = |(mut x, n): Counts, (y, m): Counts| {
        x.iter_mut().zip(y).for_each(|(x, y)| *x += y);
        (x, n + m)
    };
    let none = || ([0u64; LADDER.len() + 1], 0u64);
    let (reached, total) = series.par_iter().fold(none, count).reduce(none, add);
    if total == 0 {
        return FALLBACK_BUCKET;
    }
    // Gaps shorter than size `i`'s least spacing: those that reach no more
    // than the `i` before it.
    let mut shorter = [0u64; LADDER.len()];
    let mut below = 0;
    for (i, short) in shorter.iter_mut().enumerate() {
        below += reached[i];
        *short = below;
    }
    LADDER
        .iter()
        .zip(shorter)
        .rev()
        .find(|&(_, below)| below <= total / 2)
        .map_or(LADDER[0], |(&l, _)| l)
}

/// Rounds every account's snapshots to the grid, keeping per grid point the
/// snapshot nearest to it (the later one on a tie). Each series is
/// consumed, its storage freed as its track is made.
///
/// A batch of accounts at a time, their tracks made on the pool's threads,
/// then copied on this thread, which allocated the series while reading,
/// once their series are freed: each copy takes the place a series left, in
/// the same allocator arena, and the pool's own copies are freed back to
/// its arenas for the next batch. Made and kept on the pool's threads,
/// tracks went to those threads' arenas while the series left holes in this
/// one: a peak 80 MB higher at 100,000 daily accounts; made all on this
/// thread, the grid took twice as long.
pub fn build(series: Vec<Series>, bucket: i64) -> Grid {
    /// Accounts a batch: enough to share out, few enough that the pool's
    /// copies of their tracks take little room.
    const BATCH: usize = 4096;
    let mut tracks = Vec::with_capacity(series.len());
    let mut series = series.into_iter();
    loop {
        let batch: Vec<Series> = series.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        let made: Vec<Track> = batch
            .par_iter()
            .map_init(Vec::new, |kept, s| Track::on_grid(s, bucket, kept))
            .collect();
        drop(batch);
        tracks.extend(made.iter().cloned());
    }
    Grid { bucket, tracks }
}

impl Grid {
    /// Grid points from the first snapshot to the last, over all accounts.
    pub fn points(&self) -> i64 {
        let first = self
            .tracks
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| t.grid_point(0))
            .min();
        let last = self
            .tracks
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| t.grid_point(t.len() - 1))
            .max();
        match (first, last) {
            (Some(a), Some(b)) => b - a + 1,
            _ => 0,
        }
    }
}

impl Track {
    /// The track of series `s` on a grid of `bucket` seconds, its
    /// snapshots kept in `kept` with their grid points (storage reused from one
    /// account to the next) while they are chosen.
    fn on_grid(s: &Series, bucket: i64, kept: &mut Vec<(i64, Snapshot)>) -> Track {
        let rounding = Rounding::new(bucket);
        kept.clear();
        let mut last = None;
        for x in s.iter() {
            let p = rounding.point(x.time);
            if last == Some(p) {
                let distance = |t: i64| (t - p * bucket).abs();
                let (_, nearest) = kept.last_mut().expect("a snapshot at this point");
                if distance(x.time) <= distance(nearest.time) {
                    *nearest = x;
                }
                continue;
            }
            last = Some(p);
            kept.push((p, x));
        }
        let following = if s.has_following() {
            FollowingCounts::from_values(kept.iter().map(|(_, x)| x.following))
        } else {
            FollowingCounts::default()
        };
        Track::at_points(
            kept.iter().map(|&(p, x)| (p, x.time)),
            bucket,
            Packed::from_values(kept.iter().map(|(_, x)| x.followers)),
            following,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(times: Vec<Vec<i64>>) -> Vec<Series> {
        times
            .into_iter()
            .map(|t| {
                Series::from_snapshots(t.into_iter().enumerate().map(|(i, time)| Snapshot {
                    time,
                    followers: i as u64,
                    following: None,
                }))
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

    /// The bucket is the largest ladder size within slack of the median
    /// spacing, rounded down, whatever the mix of spacings: checked against
    /// every spacing sorted.
    #[test]
    fn bucket_is_the_ladder_size_below_the_median_spacing() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for _ in 0..200 {
            let accounts = 1 + next(4) as usize;
            let times: Vec<Vec<i64>> = (0..accounts)
                .map(|_| {
                    let mut t = 0;
                    (0..1 + next(8))
                        .map(|_| {
                            t += LADDER[next(LADDER.len() as u64) as usize] * 11 / 10
                                - next(3) as i64;
                            t
                        })
                        .collect()
                })
                .collect();
            let mut gaps: Vec<i64> = times
                .iter()
                .flat_map(|t| t.windows(2).map(|w| w[1] - w[0]))
                .collect();
            gaps.sort_unstable();
            let expected = match gaps.len() {
                0 => FALLBACK_BUCKET,
                n => {
                    // The ladder sizes whose least spacing no more than
                    // half the gaps fall short of.
                    let fits = |l: i64| gaps.iter().filter(|&&g| g + g / 10 < l).count() <= n / 2;
                    LADDER
                        .iter()
                        .rev()
                        .copied()
                        .find(|&l| fits(l))
                        .unwrap_or(LADDER[0])
                }
            };
            assert_eq!(auto_bucket(&dataset(times.clone())), expected, "{times:?}");
        }
    }

    #[test]
    fn rounding_by_multiplication_is_exact() {
        let buckets = [1, 2, 3, 7, 60, 3_600, 86_400, 86_401, 604_800, MAX_BUCKET];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for &bucket in &buckets {
            let r = Rounding::new(bucket);
            let edges = [
                0,
                1,
                bucket - 1,
                bucket,
                (1 << 32) - 1 - bucket / 2,
                1 << 32,
            ];
            let random = (0..20_000).map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % (1 << 33)) as i64 - (1 << 31)
            });
            for t in edges.into_iter().chain(random) {
                assert_eq!(r.point(t), point(t, bucket), "t {t} bucket {bucket}");
            }
        }
    }

    #[test]
    fn rounding_keeps_the_nearest_snapshot() {
        // 3590 and 3650 both round to grid point 1; 3590 is nearer.
        let grid = build(dataset(vec![vec![10, 3590, 3650, 9000]]), 3600);
        let t = &grid.tracks[0];
        assert_eq!(
            (0..3).map(|i| t.grid_point(i)).collect::<Vec<_>>(),
            [0, 1, 3]
        );
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

    /// Times kept as grid points and offsets read back exactly: jitter
    /// either side of a point, missed points, half a bucket away, before
    /// 1970, a bucket of one second, and times near the ends of `i64`.
    #[test]
    fn a_track_gives_back_the_times_it_was_made_of() {
        let daily: Vec<i64> = [0, 1, 2, 5, 6, 40]
            .iter()
            .map(|d| 1_700_000_000 + d * DAY - 43_200 + d * 977)
            .collect();
        let cases: [(Vec<i64>, i64); 4] = [
            (daily, DAY),
            (vec![-86_400 * 365, -3_600, -1, 0, 43_200, 129_599], DAY),
            (vec![-5, 0, 7, 8, 1_000_000], 1),
            (
                vec![
                    i64::MIN + (1 << 40),
                    -1 << 62,
                    1 << 62,
                    i64::MAX - (1 << 40),
                ],
                1 << 40,
            ),
        ];
        for (times, bucket) in cases {
            let n = times.len();
            let track = Track::at_times(
                times.iter().copied(),
                bucket,
                Packed::filled(1, n),
                FollowingCounts::default(),
            );
            let rounding = Rounding::new(bucket);
            assert_eq!(track.len(), n);
            for (i, &t) in times.iter().enumerate() {
                assert_eq!(track.time(i), t, "bucket {bucket}");
                assert_eq!(track.grid_point(i), rounding.point(t), "bucket {bucket}");
            }
        }
    }

    proptest::proptest! {
        /// The bounded search agrees with counting every snapshot, for
        /// tracks with and without gaps, at points before, among and after
        /// theirs, and at the ends of the integers.
        #[test]
        fn counts_by_grid_point_match_a_count_of_all(
            start in -1_000i64..1_000,
            gaps in proptest::collection::vec(proptest::prop_oneof![4 => proptest::strategy::Just(1i64), 1 => 2i64..50], 0..60),
            probes in proptest::collection::vec(-1_200i64..4_200, 1..40),
        ) {
            let mut points = vec![start];
            for gap in gaps {
                points.push(points[points.len() - 1] + gap);
            }
            let n = points.len();
            let track = Track::on_points(points.clone(), 60, vec![1; n]);
            let extremes = [i64::MIN, i64::MIN + 1, i64::MAX];
            for g in probes.into_iter().chain(extremes) {
                let at_or_before = points.iter().filter(|&&p| p <= g).count();
                let before = points.iter().filter(|&&p| p < g).count();
                proptest::prop_assert_eq!(track.count_at_or_before(g), at_or_before, "g {}", g);
                proptest::prop_assert_eq!(track.count_before(g), before, "g {}", g);
                proptest::prop_assert_eq!(track.last_at_or_before(g), at_or_before.checked_sub(1));
                proptest::prop_assert_eq!(track.first_at_or_after(g), (before < n).then_some(before));
            }
        }
    }

    #[test]
    fn an_empty_track_has_no_snapshot_anywhere() {
        let track = Track::default();
        assert_eq!(track.count_at_or_before(0), 0);
        assert_eq!(track.count_before(i64::MIN), 0);
        assert_eq!(track.first_at_or_after(0), None);
    }
}
