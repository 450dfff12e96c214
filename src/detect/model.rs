//! Each account's usual movement: the local trend of its log count (a
//! rolling median of the neighbouring steps' rates) and the spread of its
//! changes around that trend (a robust MAD), so that one drop does not hide
//! itself by inflating the yardstick it is measured with, and slow changes
//! of pace — saturation, a weekly rhythm, the fading after a viral moment —
//! are not mistaken for sudden losses.

use crate::grid::Track;
use crate::stats::{MAD_TO_SD, median};
use std::ops::Range;

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
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noise {
    /// How its local trend is found.
    pace: Pace,
    /// Robust standard deviation of the log change around the trend, per
    /// √bucket.
    pub sigma: f64,
    /// Median rate over the whole series: the account's long-run pace.
    long_run: f64,
}

/// How the local trend of a series is found.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pace {
    /// The median rate of the steps whose grid points lie within `half`
    /// buckets of the step's own (itself included).
    Rolling { half: i64 },
    /// The same rate everywhere (tests' series of known drift).
    #[cfg(test)]
    Steady(f64),
}

/// The local trend (log change per bucket) of some consecutive steps of a
/// series, step `k` being the one from snapshot `k - 1` to `k`.
///
/// It is computed from the counts when needed, not kept in the model: kept
/// for every snapshot of every account, it was the largest thing detection
/// held (a quarter of the peak memory of a large scan), while each use
/// needs it for a few steps or for one account at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// The first step it holds (at least 1).
    first: usize,
    rate: Vec<f64>,
}

impl Trend {
    /// The usual log change per bucket of step `k` (step 1 for snapshot
    /// 0), which must be one of the steps it was computed for.
    pub fn at(&self, k: usize) -> f64 {
        let i = k.max(1).wrapping_sub(self.first);
        debug_assert!(i < self.rate.len() || self.rate.is_empty(), "step {k}");
        self.rate.get(i).copied().unwrap_or(0.0)
    }

    /// The usual log change from snapshot `a` to snapshot `c`: the trend of
    /// each step in between, times its length, each no more than `cap`.
    fn over(&self, track: &Track, a: usize, c: usize, cap: f64) -> f64 {
        steps(track, a, c)
            .map(|(k, gap)| self.at(k).min(cap) * gap)
            .sum()
    }
}

/// Log level of a count; `+1` keeps zero finite.
pub fn level(v: u64) -> f64 {
    (v as f64 + 1.0).ln()
}

/// The per-bucket rate of each step between consecutive points of grid
/// points `g` and log levels `lv`: one fewer than the points.
fn step_rates(g: &[i64], lv: &[f64]) -> Vec<f64> {
    (1..g.len())
        .map(|k| (lv[k] - lv[k - 1]) / (g[k] - g[k - 1]) as f64)
        .collect()
}

impl Noise {
    /// Fits trend and spread to the counts of a track on a grid of
    /// `bucket` seconds.
    pub fn fit(track: &Track, bucket: i64) -> Noise {
        Noise::fit_whole(track, bucket).0
    }

    /// [`Noise::fit`], with what it found of the whole series on the way.
    fn fit_whole(track: &Track, bucket: i64) -> (Noise, Whole) {
        let n = track.len();
        let half = (TREND_HALF_SPAN / bucket.max(1)).max(TREND_MIN_STEPS as i64);
        let g: Vec<i64> = (0..n).map(|k| track.g(k)).collect();
        let lv: Vec<f64> = track.followers.iter().map(level).collect();
        let mut rates = step_rates(&g, &lv);
        let trend = Trend {
            first: 1,
            rate: rolling_median(g.get(1..).unwrap_or_default(), &rates, half, 0..rates.len()),
        };
        // The rates are not needed in order any more: the median reorders them.
        let long_run = median(&mut rates).unwrap_or(0.0);
        // The spread of single steps, and of changes over about a day: when
        // counts are small, most single steps are 0 and their MAD says
        // nothing of how far the count wanders; a longer lag does.
        let lag = usize::try_from(DAY / bucket.max(1))
            .unwrap_or(1)
            .max(LAG_MIN_STEPS);
        let sigma = spread(&trend, &g, &lv, [1, lag]);
        let noise = Noise {
            pace: Pace::Rolling { half },
            sigma,
            long_run,
        };
        let whole = Whole {
            points: g,
            levels: lv,
            trend,
        };
        (noise, whole)
    }

    /// The local trend of steps `first..=last` of `track` (within its
    /// steps; step 1 stands for step 0): the median rate of each step's
    /// neighbours, found from the counts of the steps within reach.
    pub fn trend(&self, track: &Track, first: usize, last: usize) -> Trend {
        let first = first.max(1);
        let last = last.max(first).min(track.len().saturating_sub(1));
        if first > last {
            return Trend {
                first,
                rate: Vec::new(),
            };
        }
        let rate = match self.pace {
            Pace::Rolling { half } => {
                let (from, to) = (track.g(first) - half, track.g(last) + half);
                // The steps from `lo` to `hi` (exclusive) are within reach.
                let lo = track.partition_point(|g| g < from).max(1);
                let hi = track.partition_point(|g| g <= to);
                let g: Vec<i64> = (lo - 1..hi).map(|j| track.g(j)).collect();
                let lv: Vec<f64> = (lo - 1..hi).map(|j| level(track.count(j))).collect();
                let rates = step_rates(&g, &lv);
                rolling_median(&g[1..], &rates, half, first - lo..last + 1 - lo)
            }
            #[cfg(test)]
            Pace::Steady(drift) => vec![drift; last + 1 - first],
        };
        Trend { first, rate }
    }

    /// The usual log change per bucket of step `k`.
    pub fn trend_at(&self, track: &Track, k: usize) -> f64 {
        self.trend(track, k, k).at(k)
    }

    /// The account's long-run pace: the median log change per bucket over
    /// the whole series.
    pub fn long_run(&self) -> f64 {
        self.long_run
    }

    /// How abnormal the change from point `a` to point `c` is, in robust
    /// standard deviations (negative for a fall). One follower's worth of
    /// rounding is added to the spread: counts are integers, and for an
    /// account of 50, losing 3 is three followers, not a 6 % collapse.
    /// (This finds the trend of the steps in between; [`Noise::z_with`]
    /// takes a trend already found.)
    pub fn z(&self, track: &Track, a: usize, c: usize) -> f64 {
        self.z_with(&self.trend(track, a + 1, c), track, a, c)
    }

    /// [`Noise::z`] given a trend that holds steps `a + 1..=c`: for callers
    /// that judge several brackets of one series.
    pub fn z_with(&self, trend: &Trend, track: &Track, a: usize, c: usize) -> f64 {
        let change = level(track.count(c)) - level(track.count(a));
        self.z_of_change(trend, track, a, c, change)
    }

    /// [`Noise::z_with`] of a log change already known: for callers that
    /// also compute the series' levels once.
    pub fn z_of_change(
        &self,
        trend: &Trend,
        track: &Track,
        a: usize,
        c: usize,
        change: f64,
    ) -> f64 {
        let buckets = (track.g(c) - track.g(a)).max(1) as f64;
        let rounding = 1.0 / (track.count(a) as f64 + 1.0);
        let sd = (self.sigma.powi(2) * buckets + rounding.powi(2)).sqrt();
        (change - trend.over(track, a, c, f64::INFINITY)) / sd
    }

    /// The growth the account can be credited with from `a` to `c` when
    /// sizing a loss: its local trend, but no more than its long-run pace,
    /// so that the end of a viral rise does not turn a pause into a "loss".
    /// `trend` holds steps `a + 1..=c`.
    pub fn credited(&self, trend: &Trend, track: &Track, a: usize, c: usize) -> f64 {
        trend.over(track, a, c, self.long_run)
    }

    /// A series said to move by `drift` a bucket with spread `sigma`, for
    /// tests.
    #[cfg(test)]
    pub fn steady(drift: f64, sigma: f64) -> Noise {
        Noise {
            pace: Pace::Steady(drift),
            sigma,
            long_run: drift,
        }
    }
}

/// Robust standard deviation, per √bucket, of the change over each of
/// `lags` snapshots around the trend, the larger of them, given each
/// point's grid point `g` and log level `lv`. One running sum of the trend
/// and one buffer serve every lag.
fn spread(trend: &Trend, g: &[i64], lv: &[f64], lags: [usize; 2]) -> f64 {
    // Running sum of the trend, so each lagged change costs O(1).
    let mut sums = Vec::with_capacity(g.len());
    let mut sum = 0.0;
    for k in 0..g.len() {
        if k > 0 {
            sum += trend.at(k) * (g[k] - g[k - 1]) as f64;
        }
        sums.push(sum);
    }
    let mut resid = Vec::with_capacity(g.len());
    let mut spread_at = |lag: usize| {
        resid.clear();
        resid.extend((lag..g.len()).map(|k| {
            let d = (g[k] - g[k - lag]) as f64;
            (lv[k] - lv[k - lag] - (sums[k] - sums[k - lag])) / d.sqrt()
        }));
        // The median reorders the residuals; their deviations from it do
        // not depend on the order, and replace them.
        let center = median(&mut resid).unwrap_or(0.0);
        resid.iter_mut().for_each(|r| *r = (*r - center).abs());
        median(&mut resid).map_or(MIN_SIGMA, |m| (MAD_TO_SD * m).max(MIN_SIGMA))
    };
    lags.map(&mut spread_at)
        .into_iter()
        .fold(f64::NEG_INFINITY, f64::max)
}

/// A step is a fall, where an account's own drops are looked for, when it
/// is this many standard deviations below the account's usual movement (a
/// run of falls must then pass `--sensitivity` as a whole).
pub const Z_STEP: f64 = 2.0;

/// An account's model: its followers' noise, its following's (when it has a
/// following column), its usual sampling step, and where it fell.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub followers: Noise,
    /// Boxed: most inputs have no following column, and a model is kept
    /// for every account.
    pub following: Option<Box<Following>>,
    /// Median spacing of its snapshots, in buckets (at least 1).
    pub step: i64,
    /// The steps `k` (from snapshot `k - 1` to `k`) where the count fell by
    /// [`Z_STEP`] of its deviations. Found while fitting, where the trend
    /// of every step is at hand: the search for the account's own drops
    /// starts from them and need not find that trend again.
    pub falls: Box<[u32]>,
}

/// The snapshots that have a following count (as a track of their own),
/// and their noise.
#[derive(Debug, Clone, PartialEq)]
pub struct Following {
    pub track: Track,
    pub noise: Noise,
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

/// For each step `k` of `ks`, the median of `rates[j]` over the steps `j`
/// whose grid point `g[j]` lies within `half` buckets of `g[k]` (`g` and
/// `rates` hold the same steps, in order). A window slides along, each
/// step letting a rate or two in and out (this is the innermost loop of
/// detection: it runs for every snapshot in the fit): a sorted one for the
/// usual few dozen rates, counts by rank for wide ones (a minute grid's
/// three days either side are 8,641 rates, whose sorted window would move
/// thousands of them a step).
fn rolling_median(g: &[i64], rates: &[f64], half: i64, ks: Range<usize>) -> Vec<f64> {
    /// Up to this many steps, each median is selected from its own window:
    /// filling a sorted window costs more than that for a bracket's few
    /// steps, which is what most callers ask for.
    const FEW: usize = 4;
    /// Windows wider than this many rates are counted by rank.
    const WIDE: usize = 64;
    if ks.len() <= FEW {
        return ks
            .map(|k| {
                let lo = g.partition_point(|&x| x < g[k] - half);
                let hi = g.partition_point(|&x| x <= g[k] + half);
                median(&mut rates[lo..hi].to_vec()).unwrap_or(0.0)
            })
            .collect();
    }
    let first = ks.start;
    let lo = g.partition_point(|&x| x < g[first] - half);
    let width = g.partition_point(|&x| x <= g[first] + half) - lo;
    if width > WIDE {
        slide(g, half, ks, lo, Ranked::new(rates))
    } else {
        slide(g, half, ks, lo, Sorted::new(rates))
    }
}

/// [`rolling_median`] with `window`, starting at step `lo`.
fn slide(
    g: &[i64],
    half: i64,
    ks: Range<usize>,
    mut lo: usize,
    mut window: impl Window,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(ks.len());
    // The window holds steps lo..hi.
    let mut hi = lo;
    for k in ks {
        let (mut start, mut end) = (lo, hi);
        while end < g.len() && g[end] <= g[k] + half {
            end += 1;
        }
        while g[start] < g[k] - half {
            start += 1;
        }
        // Steps leaving and entering in pairs, then the rest of either.
        while lo < start && hi < end {
            window.replace(lo, hi);
            (lo, hi) = (lo + 1, hi + 1);
        }
        (hi..end).for_each(|j| window.insert(j));
        (lo..start).for_each(|j| window.remove(j));
        (lo, hi) = (start, end);
        out.push(window.median());
    }
    out
}

/// The rates of the steps in a sliding window, by step index.
trait Window {
    fn insert(&mut self, j: usize);
    /// Removes step `j`, which it holds.
    fn remove(&mut self, j: usize);
    /// Removes step `old`, which it holds, and inserts step `new`.
    fn replace(&mut self, old: usize, new: usize) {
        self.remove(old);
        self.insert(new);
    }
    /// The median (the mean of the middle two for an even count); 0 when
    /// empty.
    fn median(&self) -> f64;
}

/// The window's rates kept in order.
struct Sorted<'r> {
    rates: &'r [f64],
    sorted: Vec<f64>,
}

impl<'r> Sorted<'r> {
    fn new(rates: &'r [f64]) -> Self {
        Sorted {
            rates,
            sorted: Vec::new(),
        }
    }
}

impl Window for Sorted<'_> {
    fn insert(&mut self, j: usize) {
        let x = self.rates[j];
        let at = self.sorted.partition_point(|&y| y < x);
        self.sorted.insert(at, x);
    }

    fn remove(&mut self, j: usize) {
        let x = self.rates[j];
        let at = self.sorted.partition_point(|&y| y < x);
        self.sorted.remove(at);
    }

    /// The values between the two places shift by one.
    fn replace(&mut self, old: usize, new: usize) {
        let (old, new) = (self.rates[old], self.rates[new]);
        let w = &mut self.sorted;
        let mut i = w.partition_point(|&y| y < old);
        if new > old {
            while i + 1 < w.len() && w[i + 1] < new {
                w[i] = w[i + 1];
                i += 1;
            }
        } else {
            while i > 0 && w[i - 1] > new {
                w[i] = w[i - 1];
                i -= 1;
            }
        }
        w[i] = new;
    }

    fn median(&self) -> f64 {
        let (w, m) = (&self.sorted, self.sorted.len());
        match m {
            0 => 0.0,
            _ if m % 2 == 1 => w[m / 2],
            _ => (w[m / 2 - 1] + w[m / 2]) / 2.0,
        }
    }
}

/// The window as counts of its rates' ranks among all the rates, in a
/// Fenwick tree: a step in or out and a median each cost O(log n).
struct Ranked<'r> {
    rates: &'r [f64],
    /// Steps in order of their rates…
    order: Vec<usize>,
    /// …and each step's place in that order.
    rank: Vec<usize>,
    /// Fenwick tree of the counts by rank (1-based).
    tree: Vec<u32>,
    count: usize,
}

impl<'r> Ranked<'r> {
    fn new(rates: &'r [f64]) -> Self {
        let mut order: Vec<usize> = (0..rates.len()).collect();
        order.sort_unstable_by(|&a, &b| rates[a].total_cmp(&rates[b]));
        let mut rank = vec![0; rates.len()];
        for (r, &j) in order.iter().enumerate() {
            rank[j] = r;
        }
        Ranked {
            rates,
            order,
            rank,
            tree: vec![0; rates.len() + 1],
            count: 0,
        }
    }

    fn add(&mut self, j: usize, up: bool) {
        let mut i = self.rank[j] + 1;
        while i < self.tree.len() {
            if up {
                self.tree[i] += 1;
            } else {
                self.tree[i] -= 1;
            }
            i += i & i.wrapping_neg();
        }
        if up {
            self.count += 1;
        } else {
            self.count -= 1;
        }
    }

    /// The `k`-th smallest rate in the window (from 0).
    fn nth(&self, k: usize) -> f64 {
        let n = self.tree.len() - 1;
        let (mut at, mut left) = (0, k as u32 + 1);
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            if at + step <= n && self.tree[at + step] < left {
                at += step;
                left -= self.tree[at];
            }
            step >>= 1;
        }
        self.rates[self.order[at]]
    }
}

impl Window for Ranked<'_> {
    fn insert(&mut self, j: usize) {
        self.add(j, true);
    }

    fn remove(&mut self, j: usize) {
        self.add(j, false);
    }

    fn median(&self) -> f64 {
        let m = self.count;
        match m {
            0 => 0.0,
            _ if m % 2 == 1 => self.nth(m / 2),
            _ => (self.nth(m / 2 - 1) + self.nth(m / 2)) / 2.0,
        }
    }
}

/// An account's model, with what fitting it found on the way that the
/// first pass over the accounts needs too (see [`Model::fit`]).
pub struct Fit {
    pub model: Model,
    pub whole: Whole,
}

/// What a fit finds of a whole series of follower counts.
pub struct Whole {
    /// The grid point of every snapshot.
    pub points: Vec<i64>,
    /// The log level of every count.
    pub levels: Vec<f64>,
    /// The trend of every step.
    pub trend: Trend,
}

impl Model {
    /// Fits the model of an account's track on a grid of `bucket` seconds.
    /// What the fit found of the whole series comes with it: the cohort's
    /// windows are counted in the same pass, and need it.
    pub fn fit(track: &Track, bucket: i64) -> Fit {
        let (followers, whole) = Noise::fit_whole(track, bucket);
        let Whole { levels, trend, .. } = &whole;
        let snapshots = (0..track.len())
            .filter(|_| track.following.is_present())
            .filter_map(|i| Some((track.time(i), track.following.get(i)?)));
        let following = Track::of(snapshots, bucket);
        let following = (following.len() >= 2).then(|| {
            Box::new(Following {
                noise: Noise::fit(&following, bucket),
                track: following,
            })
        });
        let mut gaps: Vec<f64> = (1..track.len())
            .map(|i| (track.g(i) - track.g(i - 1)) as f64)
            .collect();
        // An account seen twice, years apart, must not count as observing
        // every window in between: its usual step is capped at a week.
        let most = (MAX_STEP / bucket.max(1)).max(1);
        let step = median(&mut gaps).map_or(1, |m| (m.round().max(1.0) as i64).min(most));
        let falls = (1..track.len())
            .filter(|&k| {
                let change = levels[k] - levels[k - 1];
                track.count(k) < track.count(k - 1)
                    && followers.z_of_change(trend, track, k - 1, k, change) <= -Z_STEP
            })
            .map(|k| u32::try_from(k).expect("fewer than 2^32 snapshots an account"))
            .collect();
        Fit {
            model: Model {
                followers,
                following,
                step,
                falls,
            },
            whole,
        }
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
        assert!((n.trend_at(&t, 30) - 0.01).abs() < 0.002, "{n:?}");
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

    /// Every median `rolling_median` gives for steps `ks` is the median of
    /// the rates within `half` of the step.
    fn check_rolling_median(g: &[i64], rates: &[f64], half: i64, ks: Range<usize>) {
        let fast = rolling_median(g, rates, half, ks.clone());
        for (k, fast) in ks.zip(fast) {
            let mut w: Vec<f64> = (0..g.len())
                .filter(|&j| (g[j] - g[k]).abs() <= half)
                .map(|j| rates[j])
                .collect();
            assert_eq!(Some(fast), median(&mut w), "half {half}, step {k}");
        }
    }

    #[test]
    fn rolling_median_matches_a_direct_median() {
        let g: Vec<i64> = vec![1, 2, 4, 5, 9, 10, 11, 12];
        let rates: Vec<f64> = vec![5.0, -1.0, 3.0, 8.0, 2.0, 2.5, -4.0, 7.0];
        for ks in [0..g.len(), 1..7, 2..5, 6..7] {
            check_rolling_median(&g, &rates, 3, ks);
        }
        // Wide windows (counted by rank), with gaps and repeated rates.
        let g: Vec<i64> = (0..2_000i64).map(|i| i + i / 7).collect();
        let rates: Vec<f64> = (0..2_000u64)
            .map(|i| ((i * 7919) % 101) as f64 - 50.0)
            .collect();
        for ks in [0..g.len(), 500..900] {
            check_rolling_median(&g, &rates, 150, ks);
        }
    }

    /// The trend of a few steps, found from their neighbourhood alone, is
    /// the trend the whole series gives them.
    #[test]
    fn a_local_trend_is_the_whole_series_trend() {
        // Irregular steps (gaps of 1 to 3 buckets) and a wandering count.
        let mut g = Vec::new();
        let mut v = Vec::new();
        let (mut at, mut count) = (0i64, 5_000u64);
        for i in 0..80u64 {
            at += 1 + (i * 7 % 3) as i64;
            count = count + (i * 13 % 17) - 6;
            g.push(at);
            v.push(count);
        }
        let t = Track::on_points(g, 3_600, v);
        let n = Noise::fit(&t, 3_600);
        let whole = n.trend(&t, 1, t.len() - 1);
        for k in 0..t.len() {
            assert_eq!(n.trend_at(&t, k), whole.at(k), "step {k}");
        }
        let some = n.trend(&t, 30, 41);
        for k in 30..=41 {
            assert_eq!(some.at(k), whole.at(k), "step {k}");
        }
    }

    #[test]
    fn integer_floor_protects_tiny_accounts() {
        let n = Noise::steady(0.0, MIN_SIGMA);
        // 50 followers losing 3: three followers' worth, not 6 % in 1e-5 units.
        assert!((n.z(&track(&[0, 1], &[50, 47]), 0, 1) + 3.0).abs() < 0.2);
        // Spread and rounding add in quadrature.
        let n = Noise::steady(0.0, 1.0 / 51.0);
        assert!((n.z(&track(&[0, 1], &[50, 47]), 0, 1) * 2f64.sqrt() + 3.0).abs() < 0.3);
    }

    #[test]
    fn gaps_scale_with_the_square_root() {
        let n = Noise::steady(0.0, 0.01);
        let one = n.z(&track(&[0, 1], &[100_000_000, 99_000_000]), 0, 1);
        let four = n.z(&track(&[0, 4], &[100_000_000, 99_000_000]), 0, 1);
        assert!((one / four - 2.0).abs() < 1e-6);
    }
}
