//! Each account's usual movement, the yardstick every loss is measured
//! with: what its count should have done across a window (the rate of the
//! days around it), how far its count wanders over a step and over a day,
//! and how finely its counts are shown.
//!
//! The spread has two parts, fitted from robust spreads of the changes over
//! one step and over about a day: a *walk* that grows with the time between
//! two snapshots (followers come and go) and a *level* noise that does not
//! (a collector reading a count that is itself a little off). A change over
//! `G` buckets has variance `level + walk·G`, plus the uncertainty of the
//! rate it is judged against times `G²`, plus the rounding of the counts. A
//! series of one-step noise only, such as a rounded count that flickers, is
//! thus not given a spread that grows with the window, and a slow loss over
//! two days is measured against the spread of two days, not of one hour
//! times forty-eight.
//!
//! The local trend proper (a rolling median of day-long rates) serves to
//! locate a loss, size it beyond the usual growth, and judge its recovery.

use super::rolling::rolling_median;
use crate::grid::Track;
use crate::input::FollowingCounts;
use crate::stats::{MAD_TO_SD, median};
use std::borrow::Cow;

/// How far above `-z` [`Glance::above`] wants the floor under a z (and
/// below, [`Glance::below`] the ceiling over it), in deviations: the
/// bounds and the z are sums of a few terms of at most a few log units
/// each, off by some 1e-15 of them, and deviations are at least 1e-5.
const SURE_MARGIN: f64 = 1e-6;

/// Smallest walk spread per √bucket: a perfectly smooth series (synthetic
/// data, a frozen counter) must not make every wiggle infinitely abnormal.
const MIN_SIGMA: f64 = 1e-5;

/// The spread over about a day is measured over at least this many
/// snapshots.
const LAG_MIN_STEPS: i64 = 4;

/// The weeks' trend's variance, per unit of walk variance, times `4 ·
/// half`: the mean of two medians of block rates, each over about `2 ·
/// half` buckets; a median of such overlapping rates is a little worse
/// than their mean.
const TREND_VAR_FACTOR: f64 = 1.5;

/// The local trend of a step is the median rate of the steps within this
/// many seconds on either side (three days: long enough that an event
/// unfolding over hours stands out of it, short enough to follow changes
/// of pace)…
const TREND_HALF_SPAN: i64 = 7 * DAY;
/// …and of at least this many steps on either side, for coarse grids.
const TREND_MIN_STEPS: usize = 7;

use crate::time::DAY;

/// The longest usual sampling step a model credits an account with, in
/// seconds: a bracket wider than the window plus two such steps says
/// nothing of the window.
const MAX_STEP: i64 = 7 * DAY;

/// Counts of this many digits or fewer are never taken as rounded: below
/// 100 a run of multiples of ten says nothing.
const MIN_ROUNDED_DIGITS: usize = 3;

/// How finely a series' counts are shown. YouTube shows three significant
/// figures (1,930; 19,300; 1,570,000), Instagram and TikTok "14.2M": the
/// step between two shown counts grows with the count. Kept as the step's
/// power of ten for each number of digits a count may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution {
    /// `exponent[d]`: counts of `d` digits are multiples of `10^exponent[d]`.
    exponent: [u8; 21],
}

/// Number of decimal digits of `v` (1 for 0).
fn digits(v: u64) -> usize {
    v.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// The largest power of ten dividing `v`, as its exponent, at most `cap`.
fn trailing_zeros(mut v: u64, cap: usize) -> usize {
    let mut z = 0;
    while z < cap && v != 0 && v.is_multiple_of(10) {
        v /= 10;
        z += 1;
    }
    z
}

impl Resolution {
    /// Counts shown exactly.
    #[cfg(test)]
    pub const EXACT: Resolution = Resolution { exponent: [0; 21] };

    /// The resolution of a series of counts. For each number of digits, the
    /// distinct counts of that size (consecutive repeats skipped) are
    /// checked for a common power of ten: with at least two of them, all
    /// multiples of ten, the series is taken as rounded at that size (by
    /// chance, two exact counts are both multiples of ten one time in a
    /// hundred, and the price of that mistake is a noise floor of a few
    /// followers; the price of missing real rounding is a false event at
    /// every flicker). Sizes with too few counts to tell take the number of
    /// significant figures of the others.
    pub fn of(counts: impl Iterator<Item = u64>) -> Resolution {
        // Per number of digits: distinct counts seen, and the smallest
        // number of trailing zeros among them.
        let mut seen = [0u32; 21];
        let mut zeros = [u8::MAX; 21];
        let mut last = None;
        for v in counts {
            if last == Some(v) {
                continue;
            }
            last = Some(v);
            let d = digits(v);
            if d < MIN_ROUNDED_DIGITS {
                continue;
            }
            seen[d] += 1;
            let z = trailing_zeros(v, d - 1) as u8;
            zeros[d] = zeros[d].min(z);
        }
        let mut exponent = [0u8; 21];
        // Significant figures shown where the evidence says so.
        let mut figures: Option<usize> = None;
        for d in MIN_ROUNDED_DIGITS..21 {
            if seen[d] >= 2 {
                exponent[d] = zeros[d];
                if zeros[d] > 0 {
                    figures = Some(figures.map_or(d - zeros[d] as usize, |f: usize| {
                        f.max(d - zeros[d] as usize)
                    }));
                }
            }
        }
        if let Some(f) = figures {
            for d in MIN_ROUNDED_DIGITS..21 {
                if seen[d] < 2 && d > f && (seen[d] == 0 || zeros[d] as usize >= d - f) {
                    exponent[d] = (d - f) as u8;
                }
            }
        }
        Resolution { exponent }
    }

    /// The step between two shown counts around `v` (1 for exact counts).
    pub fn step(&self, v: u64) -> u64 {
        10u64.pow(u32::from(self.exponent[digits(v)]))
    }

    #[cfg(test)]
    pub fn is_exact(&self) -> bool {
        self.exponent.iter().all(|&e| e == 0)
    }
}

/// The widest window, in seconds: a cohort-wide loss spread over a day or
/// two is still one sudden event (platforms remove accounts in batches),
/// and a window that wide also spans a collector's outage of a day.
const MAX_WINDOW: i64 = 2 * DAY;

/// Window widths, in buckets: 1, 2, 3, then doubling (6, 12, 24, …) up to
/// two days' worth, so that an event unfolding over hours is seen whole.
pub fn widths(bucket: i64) -> Vec<i64> {
    let widest = (MAX_WINDOW / bucket.max(1)).max(3);
    let mut w = vec![1, 2, 3];
    while w[w.len() - 1] * 2 <= widest {
        let next = w[w.len() - 1] * 2;
        w.push(next);
    }
    w
}

/// How a series of counts usually moves on the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Noise {
    /// How its local trend is found.
    pace: Pace,
    /// How far its count strays from what is expected of it, over windows
    /// of a few lengths (shortest first), as measured.
    spreads: Box<[Spread]>,
    /// Variance per bucket of the log count's walk…
    walk: f64,
    /// …and of the noise that does not grow with time (a count read a
    /// little off at either end): the spread of a change over `G` buckets
    /// is modelled as `level + walk · G + trend_var · G²`, fitted to the
    /// measured spreads over a step and over a day. Measured spreads of
    /// longer windows rest on few independent windows each.
    level: f64,
    /// Variance of the weeks' trend's estimate, per bucket².
    trend_var: f64,
    /// Median block rate over the whole series: the account's long-run pace.
    long_run: f64,
    /// The fastest of the local trend of any step and the long-run pace:
    /// no window is expected to grow faster than this but by its own
    /// neighbourhoods' pace (see [`Noise::glance`]).
    fastest: f64,
    /// The slowest of the same: no window is expected to grow slower but
    /// by its neighbourhoods' pace (see [`Noise::glance`]).
    slowest: f64,
    /// The shortest stretch, in buckets, on either side of a window whose
    /// rate says what the window's is likely to be.
    neighbourhood: i64,
    /// The longest a sudden loss lasts, in buckets (two days).
    lasting: i64,
    /// How finely its counts are shown.
    pub resolution: Resolution,
}

/// The spread of a series' changes over windows of one length (variances
/// in log units, squared).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The windows' typical length, in buckets.
    gap: f64,
    /// Robust variance of the change around what is expected of it (see
    /// [`Noise::expected`]).
    pub var: f64,
    /// Robust variance of the difference, over the window, between the pace
    /// of one of its neighbourhoods and the pace of the weeks around it.
    shift: f64,
    /// Robust variance of half the difference between the neighbourhood
    /// before and the one after, over the window.
    disagreement: f64,
    /// How far the weeks' pace strays from the window's own, beyond what
    /// the noise of the two estimates explains (0 for a walk of steady
    /// pace; large for an account whose pace itself wanders: viral rises
    /// and their fades): the doubt of the weeks' trend.
    wander: f64,
}

/// How the local trend of a series is found.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pace {
    /// The median of the block rates of the steps whose grid points lie
    /// within `half` buckets of the step's own (itself included); a step's
    /// block rate is the rate from `block` snapshots before its end to
    /// `block - 1` after it. Rates over a day are far less noisy than
    /// single steps, so the trend is too; their median ignores a loss of a
    /// day or two.
    Rolling { half: i64, block: usize },
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
    /// Variance beyond the usual of the change it expects across all its
    /// steps (in log units): how unsure it is.
    doubt: f64,
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
    pub fn over(&self, track: &Track, a: usize, c: usize, cap: f64) -> f64 {
        steps(track, a, c)
            .map(|(k, gap)| self.at(k).min(cap) * gap)
            .sum()
    }

    /// The same rate for steps `first..=last`, with `doubt`.
    pub fn steady(first: usize, last: usize, rate: f64, doubt: f64) -> Trend {
        let first = first.max(1);
        Trend {
            first,
            rate: vec![rate; last.saturating_add(1).saturating_sub(first)],
            doubt,
        }
    }
}

/// Log level of a count; `+1` keeps zero finite.
pub fn level(v: u64) -> f64 {
    (v as f64 + 1.0).ln()
}

/// What a window's change is judged against: the rate it should have had,
/// and how unsure that is beyond the usual (a variance, in log units, of
/// the change expected across the window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expected {
    pub rate: f64,
    pub doubt: f64,
}

/// Bounds on a window's z told at a glance ([`Noise::glance`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glance {
    floor: f64,
    ceiling: f64,
}

impl Glance {
    /// Whether the z surely lies above `-z`. `false` says nothing.
    pub fn above(&self, z: f64) -> bool {
        self.floor > -z + SURE_MARGIN
    }

    /// Whether the z surely lies at or below `-z`. `false` says nothing.
    pub fn below(&self, z: f64) -> bool {
        self.ceiling < -z - SURE_MARGIN
    }
}

/// The paces around a window, each `None` where the series does not reach:
/// `far`, the local trend of the weeks around it (the mean of the trends a
/// week before and a week after it); `before` and `after`, the rates over
/// its neighbourhoods on either side.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Paces {
    far: Option<f64>,
    before: Option<f64>,
    after: Option<f64>,
    /// Whether the neighbourhood after spans longer than any sudden loss
    /// (two days): a fall that lasts that long is a change of pace.
    after_lasts: bool,
}

/// A neighbourhood's pace departs from the weeks' when the difference is
/// beyond this many of its usual standard deviations…
const SHIFT: f64 = 3.0;
/// …and the two neighbourhoods agree with each other when they differ by
/// no more than this many.
const DISAGREEMENT: f64 = 2.0;

impl Paces {
    /// The mean of the neighbourhoods' rates, where there are any.
    fn near(&self) -> Option<f64> {
        match (self.before, self.after) {
            (Some(b), Some(a)) => Some((b + a) / 2.0),
            (b, a) => b.or(a),
        }
    }

    /// What a window of `buckets` buckets whose level changed by `change`
    /// is judged against, given the series' usual spread over such windows.
    ///
    /// The weeks' trend is the surer: a loss of two days is judged against
    /// it, and cannot pull it down. But where the window's own
    /// neighbourhood moves at another pace than the weeks around it — a
    /// count fading for two weeks after a viral rise, or climbing back after
    /// a glitch — the window may follow either: the weeks', the one before
    /// it, or the one after it. It is judged against whichever explains it
    /// best, with the neighbourhood's own uncertainty: a fade is no loss, a
    /// normal day after a glitch's recovery is no loss, and a purge or a
    /// glitch is a loss against all three. With no pace around at all, the
    /// long-run pace, and doubt as wide as the spread itself.
    fn judge(&self, change: f64, buckets: f64, spread: &Spread, long_run: f64) -> Expected {
        let steady = |rate| Expected {
            rate,
            doubt: spread.wander,
        };
        // Each neighbourhood on its own: the two may straddle the weeks'
        // pace while neither has it (the end of a fade: falling before,
        // growing after).
        let agrees = |far: f64, side: Option<f64>| {
            side.is_none_or(|r| ((r - far) * buckets).powi(2) <= SHIFT * SHIFT * spread.shift)
        };
        match (self.far, self.near()) {
            (Some(far), Some(_)) if agrees(far, self.before) && agrees(far, self.after) => {
                steady(far)
            }
            (Some(far), None) => steady(far),
            (None, None) => Expected {
                rate: long_run,
                doubt: spread.var,
            },
            _ => {
                let near = |rate: f64| Expected {
                    rate,
                    doubt: spread.disagreement,
                };
                // The neighbourhoods agree with each other: the pace changed
                // (the middle of a fade), and the window has the new one.
                if let (Some(b), Some(a)) = (self.before, self.after)
                    && ((b - a) / 2.0 * buckets).powi(2)
                        <= DISAGREEMENT * DISAGREEMENT * spread.disagreement
                {
                    return near((b + a) / 2.0);
                }
                // They do not: the window may go on with the weeks' pace or
                // the one before it, or already have the one after it —
                // unless that one is a fall too short to be a change of
                // pace: a slow loss that a window only begins must not be
                // explained away by its own rest (a fade that begins with it
                // may).
                let after = self
                    .after
                    .filter(|&a| self.after_lasts || self.far.is_none_or(|far| a >= far));
                let deviation = |e: &Expected| {
                    (change - buckets * e.rate).abs() / (spread.var + e.doubt).sqrt()
                };
                [self.far.map(steady), self.before.map(near), after.map(near)]
                    .into_iter()
                    .flatten()
                    .min_by(|x, y| deviation(x).total_cmp(&deviation(y)))
                    .unwrap_or_else(|| steady(long_run))
            }
        }
    }
}

thread_local! {
    /// [`Noise::trend_at`]'s levels, grid points and rates, kept between
    /// calls.
    static RATES: std::cell::RefCell<(Vec<f64>, Vec<i64>, Vec<f64>)> = const {
        std::cell::RefCell::new((Vec::new(), Vec::new(), Vec::new()))
    };
}

/// The rate from point `i` to `j` of a series with grid points `g` and
/// levels `lv`.
fn rate(g: &impl Fn(usize) -> i64, lv: &impl Fn(usize) -> f64, i: usize, j: usize) -> f64 {
    (lv(j) - lv(i)) / (g(j) - g(i)).max(1) as f64
}

impl Noise {
    /// Fits trend and spread to the counts of a track on a grid of
    /// `bucket` seconds.
    #[cfg(test)]
    pub fn fit(track: &Track, bucket: i64) -> Noise {
        Noise::fit_whole(track, bucket, &widths(bucket)).0
    }

    /// [`Noise::fit`], measuring the spread over windows up to the widest of
    /// `widths` buckets, with what it found of the whole series on the way.
    fn fit_whole(track: &Track, bucket: i64, widths: &[i64]) -> (Noise, Whole) {
        let n = track.len();
        let half = (TREND_HALF_SPAN / bucket.max(1)).max(TREND_MIN_STEPS as i64);
        let block = (usize::try_from(DAY / bucket.max(1)).unwrap_or(1) / 2).max(1);
        let (mut g, mut lv) = (Vec::with_capacity(n), Vec::with_capacity(n));
        track.grid_points_in(0..n, |p| g.push(p));
        track.followers.for_each_in(0..n, |v| lv.push(level(v)));
        let mut rates = block_rates(&g, &lv, block);
        let trend = rolling_median(g.get(1..).unwrap_or_default(), &rates, half, 0..rates.len());
        // The rates are not needed in order any more: the median reorders them.
        let long_run = median(&mut rates).unwrap_or(0.0);
        let fastest = trend.iter().copied().fold(long_run, f64::max);
        let slowest = trend.iter().copied().fold(long_run, f64::min);
        let far = Far::of(&g, &trend, half + block as i64);
        let mut noise = Noise {
            pace: Pace::Rolling { half, block },
            spreads: Box::new([]),
            walk: 0.0,
            level: 0.0,
            trend_var: 0.0,
            long_run,
            fastest,
            slowest,
            neighbourhood: (DAY / bucket.max(1)).max(2),
            lasting: (MAX_WINDOW / bucket.max(1)).max(2),
            resolution: Resolution::of(track.followers.iter()),
        };
        let usual = Sides::find(&g, &lv, noise.lasting(), noise.neighbours(1));
        let whole = Whole {
            step: median_gap(&g),
            points: g,
            levels: lv,
            far,
            usual,
        };
        // The variance over a step and over about a day, for the model's
        // fit; the paces' spreads over a step and over the widest window,
        // drawn in proportion between.
        let day = (DAY / bucket.max(1)).max(LAG_MIN_STEPS);
        let widest = widths.iter().copied().max().unwrap_or(1);
        let mut lags: Vec<Lag> = vec![
            Lag {
                snapshots: 1,
                var: true,
                paces: true,
            },
            Lag {
                snapshots: day,
                var: true,
                paces: true,
            },
        ];
        if widest != day && widest > 1 {
            lags.push(Lag {
                snapshots: widest,
                var: false,
                paces: true,
            });
        }
        lags.sort_by_key(|l| l.snapshots);
        let (paces, vars) = whole.spreads(&noise, &lags);
        noise.spreads = paces.into_boxed_slice();
        let variance = |gap: f64| vars.iter().find(|s| s.gap >= gap);
        let grows = |gap: f64| gap + TREND_VAR_FACTOR * gap * gap / (4 * half) as f64;
        let floor = MIN_SIGMA * MIN_SIGMA;
        (noise.walk, noise.level) = match (vars.first(), variance(day as f64)) {
            (Some(one), Some(long)) if long.gap > one.gap => {
                let walk = ((long.var - one.var) / (grows(long.gap) - grows(one.gap))).max(0.0);
                let level = (one.var - walk * grows(one.gap)).max(0.0);
                // A series that wanders less over a day than over a step has
                // only level noise; it still may drift a little.
                (walk.max(floor), level)
            }
            (Some(one), _) => ((one.var / grows(one.gap)).max(floor), 0.0),
            (None, _) => (floor, 0.0),
        };
        noise.trend_var = TREND_VAR_FACTOR * noise.walk / (4 * half) as f64;
        (noise, whole)
    }

    /// The stretch, in buckets, on either side of a window of `width`
    /// buckets whose pace is the window's neighbourhood: twice the window,
    /// at least a day and at most two (a long window's neighbourhood is
    /// still its own days, not those of the week around).
    pub fn neighbours(&self, width: i64) -> i64 {
        (NEIGHBOURS * width).clamp(self.neighbourhood, self.lasting.max(self.neighbourhood))
    }

    /// The longest a sudden loss lasts, in buckets: a fall that goes on
    /// longer is a change of pace.
    fn lasting(&self) -> i64 {
        self.lasting
    }

    /// How far away the weeks' trend is looked up on either side of a
    /// window: beyond the reach of the window's own steps.
    fn far_reach(&self) -> i64 {
        match self.pace {
            Pace::Rolling { half, block } => half + block as i64,
            #[cfg(test)]
            Pace::Steady(_) => 0,
        }
    }

    /// The usual spread over windows of `buckets` buckets: between two
    /// measured lengths, in proportion; beyond the longest, growing with the
    /// length as a walk does.
    pub fn spread(&self, buckets: f64) -> Spread {
        let s = &self.spreads;
        let var = self.level + self.walk * buckets + self.trend_var * buckets * buckets;
        let side = self.neighbours(buckets.round() as i64) as f64;
        let noise = (self.walk / side + 2.0 * self.level / (side * side) + self.trend_var)
            * buckets
            * buckets;
        let wander = |shift: f64| (shift - noise).max(0.0);
        let Some(first) = s.first() else {
            return Spread {
                gap: buckets,
                var,
                shift: 0.0,
                disagreement: 0.0,
                wander: 0.0,
            };
        };
        if buckets <= first.gap {
            return Spread {
                var,
                wander: wander(first.shift),
                ..*first
            };
        }
        let (x, y, t) = match s.windows(2).find(|p| buckets <= p[1].gap) {
            Some(p) => (p[0], p[1], (buckets - p[0].gap) / (p[1].gap - p[0].gap)),
            None => {
                let last = s[s.len() - 1];
                let grow = buckets / last.gap;
                let zero = Spread {
                    gap: 0.0,
                    var: 0.0,
                    shift: 0.0,
                    disagreement: 0.0,
                    wander: 0.0,
                };
                (zero, last, grow)
            }
        };
        let mix = |p: f64, q: f64| p + t * (q - p);
        let shift = mix(x.shift, y.shift);
        Spread {
            gap: buckets,
            var,
            shift,
            disagreement: mix(x.disagreement, y.disagreement),
            wander: wander(shift),
        }
    }

    /// The local trend of steps `first..=last` of `track` (within its
    /// steps; step 1 stands for step 0): the median block rate of each
    /// step's neighbours, found from the counts of the steps within reach.
    pub fn trend(&self, track: &Track, first: usize, last: usize) -> Trend {
        let first = first.max(1);
        let last = last.max(first).min(track.len().saturating_sub(1));
        if first > last {
            return Trend::steady(first, 0, 0.0, 0.0);
        }
        let rate = match self.pace {
            Pace::Rolling { half, block } => {
                let (from, to) = (
                    track.grid_point(first) - half,
                    track.grid_point(last) + half,
                );
                // The steps from `lo` to `hi` (exclusive) are within reach;
                // their block rates need `block` snapshots more either side.
                let lo = track.count_before(from).max(1);
                let hi = track.count_at_or_before(to);
                let end = track.len() - 1;
                let (g, lv) = (
                    |k: usize| track.grid_point(k),
                    |k: usize| level(track.count(k)),
                );
                let rates: Vec<f64> = (lo..hi)
                    .map(|k| rate(&g, &lv, k.saturating_sub(block), (k + block - 1).min(end)))
                    .collect();
                let points: Vec<i64> = (lo..hi).map(|k| track.grid_point(k)).collect();
                rolling_median(&points, &rates, half, first - lo..last + 1 - lo)
            }
            #[cfg(test)]
            Pace::Steady(drift) => vec![drift; last + 1 - first],
        };
        Trend {
            first,
            rate,
            doubt: 0.0,
        }
    }

    /// What the change from snapshot `a` to `c` is judged against (see
    /// [`Paces::judge`]).
    pub fn expected(&self, track: &Track, a: usize, c: usize) -> Expected {
        #[cfg(test)]
        if let Pace::Steady(drift) = self.pace {
            return Expected {
                rate: drift,
                doubt: 0.0,
            };
        }
        let (ga, gc) = (track.grid_point(a), track.grid_point(c));
        let trend_at = |k: Option<usize>| match k {
            Some(k) if k >= 1 => Some(self.trend_at(track, k)),
            _ => None,
        };
        let far = mean(
            trend_at(track.last_at_or_before(ga - self.far_reach())),
            trend_at(track.first_at_or_after(gc + self.far_reach())),
        );
        let paces = Paces {
            far,
            ..self.neighbourhoods(track, a, c)
        };
        let buckets = (gc - ga).max(1) as f64;
        let change = level(track.count(c)) - level(track.count(a));
        paces.judge(change, buckets, &self.spread(buckets), self.long_run)
    }

    /// The paces of the neighbourhoods around the window from point `a` to
    /// `c` (the weeks' trend left out).
    fn neighbourhoods(&self, track: &Track, a: usize, c: usize) -> Paces {
        let (ga, gc) = (track.grid_point(a), track.grid_point(c));
        let reach = self.neighbours(gc - ga);
        let (g, lv) = (
            |k: usize| track.grid_point(k),
            |k: usize| level(track.count(k)),
        );
        let after = track.first_at_or_after(gc + reach);
        Paces {
            far: None,
            before: track
                .last_at_or_before(ga - reach)
                .map(|b| rate(&g, &lv, b, a)),
            after: after.map(|f| rate(&g, &lv, c, f)),
            after_lasts: after.is_some_and(|f| g(f) - gc >= self.lasting()),
        }
    }

    /// [`Noise::expected`] as a trend of steps `a + 1..=c`.
    pub fn outside(&self, track: &Track, a: usize, c: usize) -> Trend {
        let e = self.expected(track, a, c);
        Trend::steady(a + 1, c, e.rate, e.doubt)
    }

    /// The account's long-run pace as a trend of steps `a + 1..=c`: to
    /// locate a loss in a short bracket around an event, which the local
    /// trend barely moves, for every account and event (finding the local
    /// trend there cost more than the rest of the event).
    pub fn long_run_trend(&self, a: usize, c: usize) -> Trend {
        Trend::steady(a + 1, c, self.long_run, 0.0)
    }

    /// The usual log change per bucket of step `k`: [`Noise::trend`] of
    /// that one step, found without building a trend. Every window judged
    /// after the fit asks for two of these (the weeks' pace on either side),
    /// for every account around every event: the rates go to a buffer kept
    /// by the thread, and each count's log level and grid point are taken
    /// once.
    pub fn trend_at(&self, track: &Track, k: usize) -> f64 {
        let (half, block) = match self.pace {
            Pace::Rolling { half, block } => (half, block),
            #[cfg(test)]
            Pace::Steady(drift) => return drift,
        };
        let n = track.len();
        let k = k.max(1);
        if k >= n {
            return 0.0;
        }
        let end = n - 1;
        let gk = track.grid_point(k);
        let lo = track.count_before(gk - half).max(1);
        let hi = track.count_at_or_before(gk + half);
        // The block rate of step `j` runs from `j - block` to `j + block - 1`
        // (within the series): the levels from `first` to `last` serve all.
        let first = lo.saturating_sub(block);
        let last = (hi + block - 1).min(end);
        RATES.with_borrow_mut(|(levels, points, rates)| {
            levels.clear();
            points.clear();
            track
                .followers
                .for_each_in(first..last + 1, |v| levels.push(level(v)));
            track.grid_points_in(first..last + 1, |g| points.push(g));
            rates.clear();
            rates.extend((lo..hi).map(|j| {
                let (i, e) = (
                    j.saturating_sub(block) - first,
                    (j + block - 1).min(end) - first,
                );
                (levels[e] - levels[i]) / (points[e] - points[i]).max(1) as f64
            }));
            median(rates).unwrap_or(0.0)
        })
    }

    /// The account's long-run pace: the median log change per bucket over
    /// the whole series.
    pub fn long_run(&self) -> f64 {
        self.long_run
    }

    /// Robust standard deviation of the log change over `buckets` buckets
    /// around what is expected of it, rounding and doubt aside.
    pub fn spread_over(&self, buckets: f64) -> f64 {
        self.spread(buckets).var.sqrt()
    }

    /// The variance of the rounding of a change from a count of `before`:
    /// at least one follower (counts are integers: for an account of 50,
    /// losing 3 is three followers, not a 6 % collapse), and for a rounded
    /// series the step's own noise (a difference of two counts each off by
    /// up to half a step: `step / √6`); as a share of the count, squared.
    pub fn rounding(&self, before: u64) -> f64 {
        let shown = (self.resolution.step(before) as f64 / 6f64.sqrt()).max(1.0);
        (shown / (before as f64 + 1.0)).powi(2)
    }

    /// The standard deviation of the log change from point `a` to `c`: the
    /// spread over the time between them, and the rounding of the counts.
    pub fn sd(&self, track: &Track, a: usize, c: usize) -> f64 {
        let buckets = (track.grid_point(c) - track.grid_point(a)).max(1) as f64;
        (self.spread(buckets).var + self.rounding(track.count(a))).sqrt()
    }

    /// [`Noise::sd`] as a walk of the series' one-step spread would have
    /// it: for locating a loss among the spans around it. The measured
    /// spread of long windows holds more than the walk (the pace itself
    /// wanders); with it, the first faint hours of a slow loss would look
    /// like noise, and its start would be found late.
    pub fn sd_locating(&self, track: &Track, a: usize, c: usize) -> f64 {
        let buckets = (track.grid_point(c) - track.grid_point(a)).max(1) as f64;
        let one = self.spread(1.0);
        (one.var / one.gap * buckets + self.rounding(track.count(a))).sqrt()
    }

    /// How abnormal the change from point `a` to point `c` is, in robust
    /// standard deviations (negative for a fall), against what is expected
    /// of it (see [`Noise::expected`]).
    pub fn z(&self, track: &Track, a: usize, c: usize) -> f64 {
        self.z_with(&self.outside(track, a, c), track, a, c)
    }

    /// Bounds on the z of the change from point `a` to `c` ([`Noise::z`]),
    /// found without the weeks' trend around it: two medians, most of the
    /// cost of a z, and whether each account fell across a window is asked
    /// of every account around every event. Whatever pace [`Paces::judge`]
    /// expects of the window is the weeks' trend at some step, a
    /// neighbourhood's pace or their mean, or the long-run pace: between
    /// the slowest and the fastest of the neighbourhoods' and
    /// [`Noise::slowest`], [`Noise::fastest`]. Its deviation is at least
    /// the spread and rounding alone, and at most those and the largest
    /// doubt the judgement gives. So the change less the fastest pace over
    /// the window, in the least deviation, is a floor under the z; less the
    /// slowest, in the largest (where it is a fall), a ceiling over it.
    pub fn glance(&self, track: &Track, a: usize, c: usize) -> Glance {
        let near = self.neighbourhoods(track, a, c);
        let sides = [near.before, near.after].into_iter().flatten();
        let fastest = sides.clone().fold(self.fastest, f64::max);
        let slowest = sides.fold(self.slowest, f64::min);
        let buckets = (track.grid_point(c) - track.grid_point(a)).max(1) as f64;
        let change = level(track.count(c)) - level(track.count(a));
        let spread = self.spread(buckets);
        let known = spread.var + self.rounding(track.count(a));
        let doubt = spread.wander.max(spread.var).max(spread.disagreement);
        let (least, most) = (change - buckets * fastest, change - buckets * slowest);
        Glance {
            floor: if least >= 0.0 {
                f64::INFINITY
            } else {
                least / known.sqrt()
            },
            ceiling: if most < 0.0 {
                most / (known + doubt).sqrt()
            } else {
                f64::INFINITY
            },
        }
    }

    /// [`Noise::z`] given a trend that holds steps `a + 1..=c` (and its
    /// doubt).
    pub fn z_with(&self, trend: &Trend, track: &Track, a: usize, c: usize) -> f64 {
        let change = level(track.count(c)) - level(track.count(a));
        let sd = (self.sd(track, a, c).powi(2) + trend.doubt).sqrt();
        (change - trend.over(track, a, c, f64::INFINITY)) / sd
    }

    /// The growth the account can be credited with from `a` to `c` when
    /// sizing a loss: its trend, but no more than its long-run pace, so
    /// that the end of a viral rise does not turn a pause into a "loss".
    /// `trend` holds steps `a + 1..=c`.
    pub fn credited(&self, trend: &Trend, track: &Track, a: usize, c: usize) -> f64 {
        trend.over(track, a, c, self.long_run)
    }

    /// A series said to move by `drift` a bucket with walk spread `sigma`,
    /// for tests.
    #[cfg(test)]
    pub fn steady(drift: f64, sigma: f64) -> Noise {
        Noise {
            pace: Pace::Steady(drift),
            spreads: Box::new([]),
            walk: sigma * sigma,
            level: 0.0,
            trend_var: 0.0,
            long_run: drift,
            fastest: drift,
            slowest: drift,
            neighbourhood: 24,
            lasting: 48,
            resolution: Resolution::EXACT,
        }
    }
}

/// The median spacing of grid points `g` (`None` for fewer than two). Most
/// series are sampled evenly, and their spacing needs no selection.
fn median_gap(g: &[i64]) -> Option<f64> {
    let first = g.get(1)? - g[0];
    if g.windows(2).all(|p| p[1] - p[0] == first) {
        return Some(first as f64);
    }
    median(
        &mut g
            .windows(2)
            .map(|p| (p[1] - p[0]) as f64)
            .collect::<Vec<_>>(),
    )
}

/// The mean of two values, or the one there is.
fn mean(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some((a + b) / 2.0),
        (a, b) => a.or(b),
    }
}

/// The block rate (see [`Pace::Rolling`]) of every step of a series of
/// grid points `g` and levels `lv`: one fewer than the points.
fn block_rates(g: &[i64], lv: &[f64], block: usize) -> Vec<f64> {
    let end = g.len().saturating_sub(1);
    let (g, lv) = (|k: usize| g[k], |k: usize| lv[k]);
    (1..end + 1)
        .map(|k| rate(&g, &lv, k.saturating_sub(block), (k + block - 1).min(end)))
        .collect()
}

/// A window length the spreads are measured over, in snapshots, and what
/// is measured: the change's variance, the paces' spreads, or both.
#[derive(Debug, Clone, Copy)]
struct Lag {
    snapshots: i64,
    var: bool,
    paces: bool,
}

/// A window's neighbourhood is this many times its length on either side
/// (and at least a day).
const NEIGHBOURS: i64 = 2;

/// A spread is measured over at least this many windows, and over at least
/// `WINDOWS_PER_LAG` times as many windows as each spans snapshots: a loss's
/// step lies in as many windows as they span, and a robust spread stands
/// only while most windows are clear of it (a two-day series measured over
/// a day has every window hold its one drop, and takes the drop for its
/// usual movement).
const MIN_WINDOWS: usize = 3;
const WINDOWS_PER_LAG: usize = 4;

/// For every snapshot of a series, the local trend of the weeks before it
/// (`before[k]`) and after it (`after[k]`): the trend of the step `reach`
/// buckets away, far enough not to hold the steps next to it; `None` where
/// the series does not reach.
pub struct Far {
    before: Vec<Option<f64>>,
    after: Vec<Option<f64>>,
}

impl Far {
    /// `trend` holds the trend of every step, step `k` at `trend[k - 1]`.
    fn of(g: &[i64], trend: &[f64], reach: i64) -> Far {
        let n = g.len();
        let at = |k: usize| (k >= 1 && k < n).then(|| trend[k - 1]);
        // Both pointers only move forward as `k` does.
        let (mut b, mut f) = (0usize, 0usize);
        let mut before = Vec::with_capacity(n);
        let mut after = Vec::with_capacity(n);
        for &gk in g {
            while b < n && g[b] <= gk - reach {
                b += 1;
            }
            before.push(b.checked_sub(1).and_then(at));
            while f < n && g[f] < gk + reach {
                f += 1;
            }
            after.push(at(f));
        }
        Far { before, after }
    }
}

/// The rates of the neighbourhoods `reach` buckets before and after every
/// snapshot of a series (see [`Paces`]): a window's paces are those of its
/// first snapshot's neighbourhood before and its last one's after. Found
/// once for all the windows whose neighbourhoods reach as far (the fit's
/// spreads and the walk of every width go through them in turn): each rate
/// a division, taken out of the loop that judges the windows, whose every
/// step waited on them.
#[derive(Clone)]
pub struct Sides {
    reach: i64,
    /// The rate of the neighbourhood that ends at each snapshot.
    before: Vec<Option<f64>>,
    /// The rate of the neighbourhood that starts at each snapshot, and
    /// whether it spans longer than any sudden loss.
    after: Vec<(Option<f64>, bool)>,
}

impl Sides {
    /// The neighbourhoods `reach` buckets around each snapshot of a series
    /// of grid points `g` and levels `lv`, where a sudden loss lasts at most
    /// `lasting` buckets.
    fn find(g: &[i64], lv: &[f64], lasting: i64, reach: i64) -> Sides {
        let n = g.len();
        let (mut before, mut after) = (Vec::with_capacity(n), Vec::with_capacity(n));
        // Both neighbourhood pointers only move forward as `k` does.
        let (mut b, mut f) = (0usize, 0usize);
        for k in 0..n {
            while b < n && g[b] <= g[k] - reach {
                b += 1;
            }
            while f < n && g[f] < g[k] + reach {
                f += 1;
            }
            before.push(rate_before(g, lv, k, b.checked_sub(1)));
            after.push(rate_after(g, lv, lasting, k, (f < n).then_some(f)));
        }
        Sides {
            reach,
            before,
            after,
        }
    }
}

/// The rate of the neighbourhood from point `before` to `a` of a series of
/// grid points `g` and levels `lv`.
fn rate_before(g: &[i64], lv: &[f64], a: usize, before: Option<usize>) -> Option<f64> {
    let (g, lv) = (|i: usize| g[i], |i: usize| lv[i]);
    before.filter(|&b| b < a).map(|b| rate(&g, &lv, b, a))
}

/// The rate of the neighbourhood from point `c` to `after` of a series of
/// grid points `g` and levels `lv`, and whether it lasts longer than a
/// sudden loss (`lasting` buckets).
fn rate_after(
    g: &[i64],
    lv: &[f64],
    lasting: i64,
    c: usize,
    after: Option<usize>,
) -> (Option<f64>, bool) {
    let (g, lv) = (|i: usize| g[i], |i: usize| lv[i]);
    let after = after.filter(|&f| f > c);
    (
        after.map(|f| rate(&g, &lv, c, f)),
        after.is_some_and(|f| g(f) - g(c) >= lasting),
    )
}

impl Whole {
    /// The neighbourhoods `reach` buckets around each snapshot: those of a
    /// one-bucket window as the fit found them, else found now. Most
    /// windows share a bucket's: a neighbourhood spans twice the window but
    /// at least a day (two buckets on a daily grid), so every window of up
    /// to half a day has that one.
    pub fn sides(&self, noise: &Noise, reach: i64) -> Cow<'_, Sides> {
        if self.usual.reach == reach {
            return Cow::Borrowed(&self.usual);
        }
        let found = Sides::find(&self.points, &self.levels, noise.lasting(), reach);
        Cow::Owned(found)
    }

    /// The paces around the window from point `a` to `c`, its
    /// neighbourhoods `sides`.
    fn paces(&self, (a, c): (usize, usize), sides: &Sides) -> Paces {
        self.paces_of((a, c), sides.before[a], sides.after[c])
    }

    /// The paces around the window from point `a` to `c`, its
    /// neighbourhoods `reach` away: from `sides` if they are of that reach,
    /// else found for this window alone (a step of unusual length).
    pub fn paces_around(
        &self,
        noise: &Noise,
        (a, c): (usize, usize),
        reach: i64,
        sides: &Sides,
    ) -> Paces {
        if sides.reach == reach {
            return self.paces((a, c), sides);
        }
        let g = &self.points;
        let before = g.partition_point(|&x| x <= g[a] - reach).checked_sub(1);
        let after = Some(g.partition_point(|&x| x < g[c] + reach)).filter(|&i| i < g.len());
        self.paces_of(
            (a, c),
            rate_before(g, &self.levels, a, before),
            rate_after(g, &self.levels, noise.lasting(), c, after),
        )
    }

    /// The paces around the window from point `a` to `c`, given the rates
    /// of its neighbourhoods.
    fn paces_of(
        &self,
        (a, c): (usize, usize),
        before: Option<f64>,
        (after, after_lasts): (Option<f64>, bool),
    ) -> Paces {
        Paces {
            far: mean(self.far.before[a], self.far.after[c]),
            before,
            after,
            after_lasts,
        }
    }

    /// The spread of the series over windows of each of `lags` snapshots,
    /// where it has enough of them: the robust variances of its
    /// neighbourhood's departure from the weeks' trend and of its
    /// neighbourhoods' disagreement (the paces' spreads, first), and of
    /// each window's change around what is expected of it (second). Measured, not modelled: counts that
    /// wander more over a day than their hourly steps suggest, or less (a
    /// flickering count), are judged by what they do.
    fn spreads(&self, noise: &Noise, lags: &[Lag]) -> (Vec<Spread>, Vec<Spread>) {
        let g = &self.points;
        let n = g.len();
        // Each window's departures, gathered in one walk along the series
        // (a robust variance is a median: the order they come in is moot).
        let (mut shifts, mut disagreements, mut changes) = (
            Vec::with_capacity(2 * n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        // Windows of `lag` snapshots are about `lag` usual steps long.
        let step = self.step.unwrap_or(1.0).max(1.0);
        let (mut spreads, mut vars) = (Vec::with_capacity(lags.len()), Vec::new());
        for &Lag {
            snapshots,
            var: want_var,
            paces: want_paces,
        } in lags
        {
            let lag = usize::try_from(snapshots).unwrap_or(usize::MAX);
            let windows = MIN_WINDOWS.max(lag.saturating_mul(WINDOWS_PER_LAG));
            if n < lag.saturating_add(windows) {
                break;
            }
            let gap = lag as f64 * step;
            let reach = noise.neighbours(gap.round() as i64);
            shifts.clear();
            disagreements.clear();
            changes.clear();
            let sides = self.sides(noise, reach);
            for k in lag..n {
                let (a, c) = (k - lag, k);
                let buckets = (g[c] - g[a]) as f64;
                let p = self.paces((a, c), &sides);
                if want_paces {
                    if let Some(far) = p.far {
                        // Pushed one by one: an iterator over the two
                        // options kept its state on the stack, a tenth of
                        // the fit's own time.
                        if let Some(b) = p.before {
                            shifts.push((b - far) * buckets);
                        }
                        if let Some(f) = p.after {
                            shifts.push((f - far) * buckets);
                        }
                    }
                    if let (Some(b), Some(f)) = (p.before, p.after) {
                        disagreements.push((b - f) / 2.0 * buckets);
                    }
                }
                if want_var {
                    // Around the weeks' pace: the one nearly every window is
                    // judged against (and, where it is not, a wider spread
                    // than the neighbourhood's own, so a safe one).
                    let rate = p.far.or(p.near()).unwrap_or(noise.long_run);
                    changes.push(self.levels[c] - self.levels[a] - buckets * rate);
                }
            }
            let mut spread = Spread {
                gap,
                var: 0.0,
                shift: 0.0,
                disagreement: 0.0,
                wander: 0.0,
            };
            if want_paces {
                spread.shift = robust_variance(&mut shifts);
                spread.disagreement = robust_variance(&mut disagreements);
                spreads.push(spread);
            }
            if want_var {
                spread.var = robust_variance(&mut changes).max(MIN_SIGMA * MIN_SIGMA * gap);
                vars.push(spread);
            }
        }
        (spreads, vars)
    }

    /// What the change from point `a` to `c` is judged against, given the
    /// paces around it (see [`Noise::expected`]).
    /// `spread` is the series' spread over the window's length.
    pub fn expected(
        &self,
        noise: &Noise,
        (a, c): (usize, usize),
        paces: Paces,
        spread: &Spread,
    ) -> Expected {
        let buckets = (self.points[c] - self.points[a]).max(1) as f64;
        let change = self.levels[c] - self.levels[a];
        paces.judge(change, buckets, spread, noise.long_run)
    }
}

/// The square of the MAD-based standard deviation of `values` (reordered)
/// around 0: they are departures from what was expected, centred by
/// construction (one median fewer, for every account and window length);
/// 0 for none.
fn robust_variance(values: &mut [f64]) -> f64 {
    values.iter_mut().for_each(|r| *r = r.abs());
    // More than half of them 0 (a following count that did not move): the
    // middle ones are 0 too, and need no selection.
    let zeros = values.iter().filter(|&&r| r == 0.0).count();
    if zeros > values.len() / 2 {
        return 0.0;
    }
    median(values).map_or(0.0, |m| (MAD_TO_SD * m).powi(2))
}

/// An account's model: its followers' noise, its following's (when it has a
/// following column), and its usual sampling step.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub followers: Noise,
    pub following: Option<FollowingSpread>,
    /// Median spacing of its snapshots, in buckets (at least 1).
    pub step: i64,
}

/// How much an account's following count usually moves. Following counts
/// only describe an event (in the 2019 glitch they fell too), so their
/// yardstick is a simple one: the robust spread of their steps, growing as
/// a walk. The counts are the track's own (its snapshots that have one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FollowingSpread {
    /// Robust variance of the log change per bucket.
    walk: f64,
}

impl FollowingSpread {
    /// The yardstick of a track's following counts `following`, its
    /// snapshots at grid points `points` (as the fit found them); `None`
    /// with fewer than two counts.
    fn fit(points: &[i64], following: &FollowingCounts) -> Option<FollowingSpread> {
        let n = points.len();
        let mut counts = Vec::with_capacity(n);
        following.for_each_in(0..n, |v| counts.push(v));
        let mut points = points
            .iter()
            .zip(counts)
            .filter_map(|(&g, v)| Some((g, v?)));
        let (mut g0, mut v0) = points.next()?;
        let mut l0 = level(v0);
        let mut changes: Vec<f64> = Vec::with_capacity(n);
        for (g, v) in points {
            // Following counts sit still for days: a logarithm per change.
            let l = if v == v0 { l0 } else { level(v) };
            changes.push((l - l0) / ((g - g0).max(1) as f64).sqrt());
            (g0, v0, l0) = (g, v, l);
        }
        if changes.is_empty() {
            return None;
        }
        let walk = robust_variance(&mut changes).max(MIN_SIGMA * MIN_SIGMA);
        Some(FollowingSpread { walk })
    }

    /// How abnormal the change of `track`'s following count from its
    /// snapshot `a` to `c` (both with one) is, in its own robust standard
    /// deviations (at least one follow's worth: following counts sit still
    /// for days, then move by one).
    pub fn z(&self, track: &Track, a: usize, c: usize) -> Option<f64> {
        let (before, after) = (track.following.get(a)?, track.following.get(c)?);
        let buckets = (track.grid_point(c) - track.grid_point(a)).max(1) as f64;
        let one = 1.0 / (before as f64 + 1.0);
        Some((level(after) - level(before)) / (self.walk * buckets + one * one).sqrt())
    }
}

/// Each step from snapshot `a` to `c`: the snapshot `k` it ends at and its
/// length in buckets (each grid point computed once).
fn steps(track: &Track, a: usize, c: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
    let mut last = track.grid_point(a);
    (a + 1..=c).map(move |k| {
        let g = track.grid_point(k);
        let gap = (g - last) as f64;
        last = g;
        (k, gap)
    })
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
    /// The weeks' trend around every snapshot.
    far: Far,
    /// The median spacing of the snapshots, in buckets (`None` for one).
    step: Option<f64>,
    /// The neighbourhoods of a one-bucket window around each snapshot.
    usual: Sides,
}

impl Model {
    /// Fits the model of an account's track on a grid of `bucket` seconds,
    /// its spread measured over windows of `widths` buckets.
    /// What the fit found of the whole series comes with it: the cohort's
    /// windows are counted in the same pass, and need it.
    pub fn fit(track: &Track, bucket: i64, widths: &[i64]) -> Fit {
        let (followers, whole) = Noise::fit_whole(track, bucket, widths);
        let following = track
            .following
            .is_present()
            .then(|| FollowingSpread::fit(&whole.points, &track.following))
            .flatten();
        // An account seen twice, years apart, must not count as observing
        // every window in between: its usual step is capped at a week.
        let most = (MAX_STEP / bucket.max(1)).max(1);
        let step = whole
            .step
            .map_or(1, |m| (m.round().max(1.0) as i64).min(most));
        Fit {
            model: Model {
                followers,
                following,
                step,
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
        assert!(n.spread_over(1.0) < 0.005, "{n:?}");
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

    /// A count that only flickers between two values has level noise: its
    /// spread over a day is that of one step, not of twenty-four.
    #[test]
    fn flicker_is_level_noise() {
        let values: Vec<f64> = (0..24 * 20)
            .map(|i| 100_000.0 + if (i * 7) % 3 == 0 { 30.0 } else { 0.0 })
            .collect();
        let t = Track::on_points(
            (0..values.len() as i64).collect(),
            3600,
            values.iter().map(|v| *v as u64).collect(),
        );
        let n = Noise::fit(&t, 3600);
        let (one, day) = (n.spread_over(1.0), n.spread_over(24.0));
        assert!(day < 2.0 * one, "one step {one}, a day {day}");
    }

    proptest::proptest! {
        /// A window told at a glance to lie above `-z` deviations does, and
        /// one told to lie at or below does too: for wandering counts with
        /// drops, rises and collection gaps, on hourly and daily grids,
        /// rounded to three figures or exact.
        #[test]
        fn glances_at_a_z_are_never_wrong(
            steps in proptest::collection::vec((-0.05f64..0.05, 0u8..12, 1i64..4), 30..160),
            start in 20.0f64..1e8,
            hourly in proptest::bool::ANY,
            rounded in proptest::bool::ANY,
        ) {
            let (mut at, mut log) = (0i64, start.ln());
            let (mut g, mut v) = (Vec::new(), Vec::new());
            for (change, kind, gap) in steps {
                log += change
                    + match kind {
                        0 => -0.4,
                        1 => 0.3,
                        _ => 0.0,
                    };
                at += gap;
                let count = log.exp().round() as u64;
                let shown = if rounded && count >= 1000 {
                    let unit = 10u64.pow(count.ilog10() - 2);
                    count / unit * unit
                } else {
                    count
                };
                g.push(at);
                v.push(shown);
            }
            let bucket = if hourly { 3_600 } else { 86_400 };
            let t = Track::on_points(g, bucket, v);
            let noise = Noise::fit(&t, bucket);
            for a in 0..t.len() {
                for c in a + 1..(a + 8).min(t.len()) {
                    for z in [1.0, 2.0, 3.0] {
                        let exact = noise.z(&t, a, c);
                        let glance = noise.glance(&t, a, c);
                        if glance.above(z) {
                            proptest::prop_assert!(exact > -z, "{a}..{c}: z {exact} above {z}");
                        }
                        if glance.below(z) {
                            proptest::prop_assert!(exact <= -z, "{a}..{c}: z {exact} below {z}");
                        }
                    }
                }
            }
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

    #[test]
    fn window_widths() {
        assert_eq!(widths(3600), vec![1, 2, 3, 6, 12, 24, 48]);
        assert_eq!(widths(86_400), vec![1, 2, 3]);
        assert_eq!(widths(21_600), vec![1, 2, 3, 6]);
    }

    #[test]
    fn resolution_of_rounded_counts() {
        // Three significant figures, as YouTube shows them.
        let r = Resolution::of([1_930u64, 1_920, 1_930, 1_940, 19_300, 19_400].into_iter());
        assert_eq!(r.step(1_935), 10);
        assert_eq!(r.step(19_350), 100);
        // Sizes not seen take the same number of figures.
        assert_eq!(r.step(1_570_000), 10_000);
        assert_eq!(r.step(540), 1);
        // Exact counts, and a count that never moves.
        let exact = Resolution::of([1_931u64, 1_920, 1_934, 1_946].into_iter());
        assert!(exact.is_exact());
        assert_eq!(exact.step(1_000_000), 1);
        assert!(Resolution::of([5_000u64; 10].into_iter()).is_exact());
        // "14.2M": 1.42e7, 1.43e7.
        let m = Resolution::of([14_200_000u64, 14_300_000, 14_200_000].into_iter());
        assert_eq!(m.step(14_250_000), 100_000);
    }
}
