//! Simulated accounts living ordinary lives: sizes from tens to hundreds of
//! millions, growth that saturates or declines, a weekly rhythm, viral
//! jumps, noise relatively larger for small accounts, accounts that begin
//! or end part-way, collection gaps, and sampling at their own moments.

use super::rng::Rng;

const DAY: f64 = crate::time::DAY as f64;

/// No simulated account reaches this many followers: the largest real
/// accounts have some hundreds of millions.
const MOST_FOLLOWERS: f64 = 1e9;

/// The most an account's growth and viral jump may take it to, a tenth
/// below [`MOST_FOLLOWERS`]: many times the reach of the noise at that size
/// (at most about 0.02 % of the count in a day).
const CEILING: f64 = MOST_FOLLOWERS / 1.1;

/// The share of its ceiling from which an account's growth slows (see
/// [`Account::crowding`]); below it, it grows as drawn.
const CROWDING_ONSET: f64 = 0.5;

/// A viral moment: followers jump by `gain` over `duration`, then a small
/// share of the newcomers drift away over two weeks.
#[derive(Debug, Clone)]
pub struct Viral {
    pub at: i64,
    pub gain: f64,
    pub duration: f64,
    pub fade: f64,
}

/// One account's parameters, fixed for the whole run.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub size: f64,
    /// Growth per day (negative: slow decline).
    pub growth: f64,
    /// Saturation level for logistic growth.
    pub cap: Option<f64>,
    /// The level its growth cannot pass: [`CEILING`], divided by its viral
    /// jump if it has one.
    pub ceiling: f64,
    /// Weekly rhythm of the growth rate: amplitude and phase (days).
    pub rhythm: (f64, f64),
    /// Noise scale: a day's random change is about `noise × size^0.75` followers.
    pub noise: f64,
    /// When the account is first and last collected.
    pub begin: i64,
    pub end: i64,
    /// Sampling offset from the grid, and jitter as a share of the interval.
    pub offset: i64,
    pub jitter: f64,
    /// Chance that any one snapshot is missing.
    pub miss: f64,
    /// A long collection gap.
    pub gap: Option<(i64, i64)>,
    pub viral: Option<Viral>,
    pub following: f64,
}

/// Words for readable, deterministic account names.
const FIRST: [&str; 16] = [
    "amber", "brisk", "cedar", "dusty", "ember", "fable", "gilded", "hazel", "indigo", "jolly",
    "kindred", "lunar", "mossy", "nimble", "olive", "pebble",
];
const SECOND: [&str; 16] = [
    "atlas", "bakery", "canvas", "diner", "echo", "forge", "garden", "harbor", "island", "journal",
    "kitchen", "lantern", "meadow", "notes", "orchard", "studio",
];

/// How the population is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub start: i64,
    pub end: i64,
    pub interval: i64,
    /// Every account sampled at its own moment (else most are aligned).
    pub staggered: bool,
}

impl Account {
    pub fn draw(i: usize, rng: &mut Rng, shape: &Shape) -> Account {
        let span = (shape.end - shape.start) as f64;
        let at = |rng: &mut Rng, lo: f64, hi: f64| shape.start + (span * rng.range(lo, hi)) as i64;
        let name = format!("{}_{}_{:03}", FIRST[i % 16], SECOND[(i / 16) % 16], i);
        let size = rng.log_range(30.0, 3e8);
        let kind = rng.unit();
        let growth = if kind < 0.70 {
            rng.range(0.0002, 0.003)
        } else if kind < 0.85 {
            rng.range(0.003, 0.01)
        } else if kind < 0.95 {
            -rng.range(0.0002, 0.001)
        } else {
            0.0
        };
        let cap = (growth > 0.0 && rng.chance(0.2)).then(|| size * rng.range(1.1, 2.0));
        let begin = if rng.chance(0.08) {
            at(rng, 0.05, 0.4)
        } else {
            shape.start
        };
        let end = if rng.chance(0.05) {
            at(rng, 0.6, 0.95)
        } else {
            shape.end
        };
        let staggered = shape.staggered || rng.chance(0.3);
        let offset = if staggered {
            rng.below(0, shape.interval)
        } else {
            0
        };
        let jitter = if staggered || rng.chance(0.3) {
            rng.range(0.0, 0.04)
        } else {
            0.0
        };
        let gap = rng.chance(0.03).then(|| {
            let from = at(rng, 0.2, 0.8);
            (from, from + (DAY * rng.range(4.0, 9.0)) as i64)
        });
        let viral = rng.chance(0.06).then(|| Viral {
            at: at(rng, 0.1, 0.9),
            // A jump that would take the account past the ceiling at once
            // is smaller (bounded once drawn: the draws stay the same).
            gain: rng.log_range(0.1, 3.0).min(CEILING / size - 1.0),
            duration: DAY * rng.range(0.25, 3.0),
            fade: rng.range(0.02, 0.1),
        });
        let ceiling = CEILING / viral.as_ref().map_or(1.0, |v| 1.0 + v.gain);
        Account {
            name,
            size,
            growth,
            cap,
            ceiling,
            rhythm: (rng.range(0.0, 0.6), rng.range(0.0, 7.0)),
            noise: rng.range(0.01, 0.03),
            begin,
            end,
            offset,
            jitter,
            miss: rng.range(0.0, 0.03),
            gap,
            viral,
            following: rng.log_range(50.0, 5000.0),
        }
    }

    /// Standard deviation of the random change over `dt` seconds, in
    /// followers, at `level`.
    pub fn noise_sd(&self, level: f64, dt: f64) -> f64 {
        (self.noise * level.max(1.0).powf(0.75) + 0.3) * (dt / DAY).sqrt()
    }

    /// Advances the underlying count by `dt` seconds ending at `t`.
    pub fn evolve(&self, level: f64, t: i64, dt: f64, rng: &mut Rng) -> f64 {
        let day = t as f64 / DAY;
        let weekly =
            1.0 + self.rhythm.0 * (std::f64::consts::TAU * (day + self.rhythm.1) / 7.0).sin();
        let saturation = self.cap.map_or(1.0, |cap| (1.0 - level / cap).max(-0.5));
        let rate = match self.growth * weekly * saturation {
            growing if growing > 0.0 => growing * self.crowding(level),
            rate => rate,
        };
        // Now and then a day moves twice as much as usual: mildly heavy tails.
        let heavy = if rng.chance(0.003) { 2.0 } else { 1.0 };
        let mut grown = level * (rate * dt / DAY).exp();
        if rate > 0.0 {
            // A step longer than about two weeks could leap past the
            // ceiling before the crowding slows it.
            grown = grown.min(self.ceiling.max(level));
        }
        let next = grown + heavy * self.noise_sd(level, dt) * rng.normal();
        next.max(0.0)
    }

    /// How much of its growth an account keeps at `level`: all of it below
    /// [`CROWDING_ONSET`] of its ceiling, less and less above (a parabola,
    /// smooth at the onset), none at the ceiling, and a pull back beyond it.
    /// Compounded, 1 % a day is 38 times in a year (345 times with
    /// snapshots a week apart, where the weekly rhythm never averages out)
    /// and 7 × 10^15 times in ten: without it, a 300-million account would
    /// reach billions. It acts on the level reached, noise and all, so it
    /// holds however long the run; an account that stays below the onset
    /// grows exactly as it would without it.
    fn crowding(&self, level: f64) -> f64 {
        let onset = CROWDING_ONSET * self.ceiling;
        if level <= onset {
            return 1.0;
        }
        let x = (level - onset) / (self.ceiling - onset);
        (1.0 - x * x).max(-0.5)
    }

    /// The multiplier of a viral moment at `t` (1 outside one).
    pub fn viral_factor(&self, t: i64) -> f64 {
        let Some(v) = &self.viral else { return 1.0 };
        let x = ((t - v.at) as f64 / v.duration).clamp(0.0, 1.0);
        let rise = x * x * (3.0 - 2.0 * x);
        let after = ((t - v.at) as f64 - v.duration) / (14.0 * DAY);
        1.0 + v.gain * rise * (1.0 - v.fade * after.clamp(0.0, 1.0))
    }

    /// Whether the collector has this account at grid time `t`.
    pub fn alive(&self, t: i64) -> bool {
        t >= self.begin && t <= self.end
    }

    pub fn in_gap(&self, t: i64) -> bool {
        self.gap.is_some_and(|(a, b)| t >= a && t < b)
    }
}
