//! Each account's usual movement: the local trend of its log count (a
//! rolling median of the neighbouring steps' rates) and the spread of its
//! changes around that trend (a robust MAD), so that one drop does not hide
//! itself by inflating the yardstick it is measured with, and slow changes
//! of pace — saturation, a weekly rhythm, the fading after a viral moment —
//! are not mistaken for sudden losses.

use crate::grid::Track;
use crate::stats::{MAD_TO_SD, mad, median};

/// Smallest spread per bucket: a perfectly smooth series (synthetic data, a
/// frozen counter) must not make every wiggle infinitely abnormal.
const MIN_SIGMA: f64 = 1e-5;

/// The local trend of a step is the median rate of the steps within this
/// many seconds on either side (three days: long enough that an event
/// unfolding over hours stands out of it, short enough to follow changes
/// of pace)…
const TREND_HALF_SPAN: i64 = 3 * 86_400;
/// …and of at least this many steps on either side, for coarse grids.
const TREND_MIN_STEPS: usize = 7;

const DAY: i64 = 86_400;

/// The longest usual sampling step a model credits an account with, in
/// seconds: a bracket wider than the window plus two such steps says
/// nothing of the window.
const MAX_STEP: i64 = 7 * DAY;

/// The long-lag spread looks at changes over a day, and over at least this
/// many snapshots.
const LAG_MIN_STEPS: usize = 4;

/// How a series of counts usually moves on the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Noise {
    /// Local trend (log change per bucket) of the step ending at each
    /// point, from its neighbours but not itself; `rate[0]` is unused.
    /// Single precision: it is kept for every snapshot of every account
    /// (the largest thing detection holds), and its rounding (about 1e-7
    /// of the rate) is far below any spread it is compared with.
    rate: Vec<f32>,
    /// Robust standard deviation of the log change around the trend, per
    /// √bucket.
    pub sigma: f64,
    /// Median rate over the whole series: the account's long-run pace.
    long_run: f64,
}

/// An account's model: its followers' noise, its following's (when it has a
/// following column), and its usual sampling step.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub followers: Noise,
    pub following: Option<Following>,
    /// Median spacing of its snapshots, in buckets (at least 1).
    pub step: i64,
}

/// The snapshots that have a following count (as a track of their own),
/// and their noise.
#[derive(Debug, Clone, PartialEq)]
pub struct Following {
    pub track: Track,
    pub noise: Noise,
}

/// Log level of a count; `+1` keeps zero finite.
pub fn level(v: u64) -> f64 {
    (v as f64 + 1.0).ln()
}

impl Noise {
    /// Fits trend and spread to the counts of a track on a grid of
    /// `bucket` seconds.
    pub fn fit(track: &Track, bucket: i64) -> Noise {
        let n = track.len();
        let g: Vec<i64> = (0..n).map(|k| track.g(k)).collect();
        let lv: Vec<f64> = track.followers.iter().map(level).collect();
        // Per-bucket rate of each step (index k: the step from k - 1 to k).
        let mut rates: Vec<f64> = (0..n)
            .map(|k| {
                if k == 0 {
                    0.0
                } else {
                    (lv[k] - lv[k - 1]) / (g[k] - g[k - 1]) as f64
                }
            })
            .collect();
        let half = (TREND_HALF_SPAN / bucket.max(1)).max(TREND_MIN_STEPS as i64);
        let rate = rolling_median(&g, &rates, half, half)
            .into_iter()
            .map(|r| r as f32)
            .collect();
        // The rates are not needed in order any more: the median reorders them.
        let long_run = median(&mut rates[1.min(n)..]).unwrap_or(0.0);
        let noise = Noise {
            rate,
            sigma: MIN_SIGMA,
            long_run,
        };
        // The spread of single steps, and of changes over about a day: when
        // counts are small, most single steps are 0 and their MAD says
        // nothing of how far the count wanders; a longer lag does.
        let lag = usize::try_from(DAY / bucket.max(1))
            .unwrap_or(1)
            .max(LAG_MIN_STEPS);
        let sigma = noise.spread(&g, &lv, 1).max(noise.spread(&g, &lv, lag));
        Noise { sigma, ..noise }
    }

    /// Robust standard deviation, per √bucket, of the detrended change over
    /// `lag` snapshots, given the log level `lv` of each point.
    fn spread(&self, g: &[i64], lv: &[f64], lag: usize) -> f64 {
        // Running sum of the trend, so each lagged change costs O(1).
        let mut trend = Vec::with_capacity(g.len());
        let mut sum = 0.0;
        for k in 0..g.len() {
            if k > 0 {
                sum += self.trend_at(k) * (g[k] - g[k - 1]) as f64;
            }
            trend.push(sum);
        }
        let mut resid: Vec<f64> = (lag..g.len())
            .map(|k| {
                let d = (g[k] - g[k - lag]) as f64;
                (lv[k] - lv[k - lag] - (trend[k] - trend[k - lag])) / d.sqrt()
            })
            .collect();
        // The median reorders the residuals; their deviations from it do
        // not depend on the order.
        let center = median(&mut resid).unwrap_or(0.0);
        mad(&resid, center).map_or(MIN_SIGMA, |m| (MAD_TO_SD * m).max(MIN_SIGMA))
    }

    /// The account's long-run pace: the median log change per bucket over
    /// the whole series.
    pub fn long_run(&self) -> f64 {
        self.long_run
    }

    /// The usual log change per bucket around point `k`.
    pub fn trend_at(&self, k: usize) -> f64 {
        self.rate.get(k.max(1)).map_or(0.0, |&r| f64::from(r))
    }

    /// How abnormal the change from point `a` to point `c` is, in robust
    /// standard deviations (negative for a fall). One follower's worth of
    /// rounding is added to the spread: counts are integers, and for an
    /// account of 50, losing 3 is three followers, not a 6 % collapse.
    pub fn z(&self, track: &Track, a: usize, c: usize) -> f64 {
        // Levels are recomputed, not kept: a cache of them for every
        // snapshot of every account would be the largest thing in memory.
        let change = level(track.count(c)) - level(track.count(a));
        self.z_of_change(track, a, c, change)
    }

    /// [`Noise::z`] of a log change already known: for callers that judge
    /// many brackets of one series and compute its levels once.
    pub fn z_of_change(&self, track: &Track, a: usize, c: usize, change: f64) -> f64 {
        let buckets = (track.g(c) - track.g(a)).max(1) as f64;
        let rounding = 1.0 / (track.count(a) as f64 + 1.0);
        let sd = (self.sigma.powi(2) * buckets + rounding.powi(2)).sqrt();
        (change - self.expected(track, a, c)) / sd
    }

    /// The usual log change from point `a` to point `c`: the local trend
    /// of each step in between, times its length.
    pub fn expected(&self, track: &Track, a: usize, c: usize) -> f64 {
        steps(track, a, c)
            .map(|(k, gap)| self.trend_at(k) * gap)
            .sum()
    }

    /// The growth the account can be credited with from `a` to `c` when
    /// sizing a loss: its local trend, but no more than its long-run pace,
    /// so that the end of a viral rise does not turn a pause into a "loss".
    pub fn credited(&self, track: &Track, a: usize, c: usize) -> f64 {
        steps(track, a, c)
            .map(|(k, gap)| self.trend_at(k).min(self.long_run) * gap)
            .sum()
    }

    /// A series of `len` points, said to move by `drift` a bucket with
    /// spread `sigma`, for tests.
    #[cfg(test)]
    pub fn steady(len: usize, drift: f64, sigma: f64) -> Noise {
        Noise {
            rate: vec![drift as f32; len],
            sigma,
            long_run: drift,
        }
    }
}

/// Each step from snapshot `a` to `c`: the snapshot `k` it ends at and its
/// length in buckets (each grid point computed once).
fn steps(track: &Track, a: usize, c: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
    let mut last = track.g(a);
    (a + 1..=c).map(move |k| {
        let g = track.g(k);
        let gap = (g - last) as f64;
        last = g;
        (k, gap)
    })
}

/// For each step `k ≥ 1`, the median of `rates[j]` over the steps `j ≥ 1`
/// whose grid point lies from `back` buckets before step `k`'s to `ahead`
/// buckets after it. A sorted window slides along, so each step costs a
/// binary search and a short memmove rather than a sort.
fn rolling_median(g: &[i64], rates: &[f64], back: i64, ahead: i64) -> Vec<f64> {
    let n = g.len();
    let mut out = vec![0.0; n];
    let mut window: Vec<f64> = Vec::new();
    let (mut lo, mut hi) = (1usize, 1usize); // window holds rates[lo..hi]
    let insert = |w: &mut Vec<f64>, x: f64| {
        let at = w.partition_point(|&y| y < x);
        w.insert(at, x);
    };
    for k in 1..n {
        while hi < n && g[hi] <= g[k] + ahead {
            insert(&mut window, rates[hi]);
            hi += 1;
        }
        while lo < k && g[lo] < g[k] - back {
            let x = rates[lo];
            let at = window.partition_point(|&y| y < x);
            window.remove(at);
            lo += 1;
        }
        let m = window.len();
        out[k] = if m % 2 == 1 {
            window[m / 2]
        } else {
            (window[m / 2 - 1] + window[m / 2]) / 2.0
        };
    }
    out
}

impl Model {
    pub fn fit(track: &Track, bucket: i64) -> Model {
        let followers = Noise::fit(track, bucket);
        let snapshots = (0..track.len())
            .filter(|_| track.following.is_present())
            .filter_map(|i| Some((track.time(i), track.following.get(i)?)));
        let following = Track::of(snapshots, bucket);
        let following = (following.len() >= 2).then(|| Following {
            noise: Noise::fit(&following, bucket),
            track: following,
        });
        let mut gaps: Vec<f64> = (1..track.len())
            .map(|i| (track.g(i) - track.g(i - 1)) as f64)
            .collect();
        // An account seen twice, years apart, must not count as observing
        // every window in between: its usual step is capped at a week.
        let most = (MAX_STEP / bucket.max(1)).max(1);
        let step = median(&mut gaps).map_or(1, |m| (m.round().max(1.0) as i64).min(most));
        Model {
            followers,
            following,
            step,
        }
    }

    /// How abnormal the account's follower change from snapshot `a` to `c` is.
    pub fn z(&self, track: &Track, a: usize, c: usize) -> f64 {
        self.followers.z(track, a, c)
    }

    /// Whether a bracket from grid point `ga` to `gc` is close enough around
    /// a window of `width` buckets for this account to count as observed
    /// there: no wider than the window plus two of its usual steps.
    pub fn observes(&self, ga: i64, gc: i64, width: i64) -> bool {
        gc - ga <= width + 2 * self.step
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[f64]) -> Track {
        Track::on_points(
            (0..values.len() as i64).collect(),
            86_400,
            values.iter().map(|v| v.round() as u64).collect(),
        )
    }

    fn track(g: &[i64], v: &[u64]) -> Track {
        Track::on_points(g.to_vec(), 1, v.to_vec())
    }

    #[test]
    fn trend_and_spread_ignore_one_drop() {
        // Grows 1 % a bucket with small noise, then one 20 % drop.
        let mut v = 10_000.0f64;
        let mut values = Vec::new();
        for i in 0..60 {
            v *= 1.01 * if i % 2 == 0 { 1.001 } else { 0.999 };
            if i == 30 {
                v *= 0.8;
            }
            values.push(v);
        }
        let t = series(&values);
        let n = Noise::fit(&t, 86_400);
        assert!((n.trend_at(30) - 0.01).abs() < 0.002, "{n:?}");
        assert!(n.sigma < 0.005, "{n:?}");
        assert!(n.z(&t, 29, 30) < -20.0);
        assert!(n.z(&t, 40, 41).abs() < 3.0);
    }

    #[test]
    fn a_slow_fade_is_not_a_fall() {
        // Grows, then fades 0.5 % a bucket for twenty buckets, very smoothly.
        let mut v = 1_000_000.0f64;
        let mut values = Vec::new();
        for i in 0..60 {
            v *= if (20..40).contains(&i) { 0.995 } else { 1.001 };
            values.push(v + if i % 2 == 0 { 20.0 } else { -20.0 });
        }
        let t = series(&values);
        let n = Noise::fit(&t, 86_400);
        assert!(n.z(&t, 29, 30).abs() < 3.0, "{}", n.z(&t, 29, 30));
        assert!(n.z(&t, 25, 35).abs() < 6.0, "{}", n.z(&t, 25, 35));
    }

    #[test]
    fn rolling_median_matches_a_direct_median() {
        let g: Vec<i64> = vec![0, 1, 2, 4, 5, 9, 10, 11, 12];
        let rates: Vec<f64> = vec![0.0, 5.0, -1.0, 3.0, 8.0, 2.0, 2.5, -4.0, 7.0];
        let fast = rolling_median(&g, &rates, 3, 2);
        for k in 1..g.len() {
            let mut w: Vec<f64> = (1..g.len())
                .filter(|&j| g[j] >= g[k] - 3 && g[j] <= g[k] + 2)
                .map(|j| rates[j])
                .collect();
            assert_eq!(Some(fast[k]), median(&mut w), "step {k}");
        }
    }

    #[test]
    fn integer_floor_protects_tiny_accounts() {
        let n = Noise::steady(2, 0.0, MIN_SIGMA);
        // 50 followers losing 3: three followers' worth, not 6 % in 1e-5 units.
        assert!((n.z(&track(&[0, 1], &[50, 47]), 0, 1) + 3.0).abs() < 0.2);
        // Spread and rounding add in quadrature.
        let n = Noise::steady(2, 0.0, 1.0 / 51.0);
        assert!((n.z(&track(&[0, 1], &[50, 47]), 0, 1) * 2f64.sqrt() + 3.0).abs() < 0.3);
    }

    #[test]
    fn gaps_scale_with_the_square_root() {
        let n = Noise::steady(2, 0.0, 0.01);
        let one = n.z(&track(&[0, 1], &[100_000_000, 99_000_000]), 0, 1);
        let four = n.z(&track(&[0, 4], &[100_000_000, 99_000_000]), 0, 1);
        assert!((one / four - 2.0).abs() < 1e-6);
    }
}
