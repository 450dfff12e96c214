//! The cohort (stage b of detection): at each window of the grid, from one
//! bucket to about two days wide, what the observed accounts did, judged
//! against what the cohort does on its ordinary windows of the same width.
//!
//! Each account is looked at through a *bracket*: its last snapshot at or
//! before the window opens and its first at or after it closes. Accounts
//! sampled at different moments thus all see an event inside the window,
//! windows of one and two buckets catch an event that straddles a grid
//! point, and a window as wide as a collector's outage sees an event that
//! happened while nobody was looking.
//!
//! Three pieces of evidence that the cohort fell together, each turned
//! into standard deviations of chance:
//!
//! - **many accounts fell** by two of their own deviations or more: a
//!   binomial tail against the ordinary rate of such falls;
//! - **many accounts each fell abnormally** (by `--sensitivity`): the same
//!   test against the much smaller ordinary rate of those;
//! - **the cohort as a whole moved down**: the sum of every observed
//!   account's change in its own deviations (each clipped, so a few wild
//!   accounts cannot make it), against the spread of that sum over the
//!   cohort's ordinary windows. This is what sees Twitter's 2018 recount,
//!   where most accounts lost a fraction of their daily noise: invisible
//!   one by one, unmistakable together.
//!
//! The share of the cohort affected (`breadth`) is estimated from the
//! excess of accounts below their usual movement over the ordinary rate,
//! so faint falls count, and from the excess of accounts that fell outright;
//! `--min-breadth` is a floor on it, applied after the evidence.

use super::Settings;
use super::losses::{self, Candidate, Measured, SCREEN};
use super::model::{Fit, Model, Sides, Spread, Whole, widths};
use crate::grid::Track;
use crate::stats::{MAD_TO_SD, ln_binomial_tail, mad, median, z_from_ln_tail};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// An account's change across a window counts as a fall when it is this
/// many of its own standard deviations below its usual movement. Lower than
/// `--sensitivity` on purpose: the evidence is the number of accounts that
/// fall together, not any one of them.
pub const Z_FALL: f64 = 2.0;

/// Each account's change enters the cohort's sum clipped to this many
/// deviations either way.
const Z_CLIP: f64 = 4.0;

/// The sum of clipped changes is kept in fixed point (this many units a
/// deviation), so that it adds up to the same whatever the order.
const SUM_SCALE: f64 = 256.0;

/// A cohort-wide fall must be this unlikely by chance (about five standard
/// deviations), on any of the three kinds of evidence.
pub const MAX_CHANCE: f64 = 3e-7;

/// Floor of the chance that an account falls on an ordinary window, so that
/// a cohort that never moves does not make two coincident falls a platform
/// event…
const MIN_BASE_RATE: f64 = 0.01;
/// …and of the chance that it falls abnormally.
const MIN_STRONG_RATE: f64 = 1e-4;

/// An ordinary window's tally is one whose falls are at least this likely
/// at the first estimate of the base rate: the base rate is then taken
/// again without the rest, so that the events do not raise it.
const ORDINARY_CHANCE: f64 = 1e-3;

/// Smallest spread of the cohort's sum (per √account) it is judged with:
/// a cohort of accounts that never move must not make one step a platform
/// event.
const MIN_SUM_SCALE: f64 = 0.5;

/// What the observed accounts did across one window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Accounts observed around the window.
    pub observed: u32,
    /// Of those, accounts that fell by [`Z_FALL`] deviations…
    pub fell: u32,
    /// …by `--sensitivity`…
    pub strong: u32,
    /// …or moved below their usual movement at all.
    pub below: u32,
    /// Sum of their changes in deviations, each clipped to ±[`Z_CLIP`],
    /// in units of 1/[`SUM_SCALE`].
    pub sum: i64,
}

impl Tally {
    fn add(&mut self, z: f64, strong: f64) {
        self.observed += 1;
        self.fell += u32::from(z <= -Z_FALL);
        self.strong += u32::from(z <= -strong);
        self.below += u32::from(z < 0.0);
        self.sum += round_small(z.clamp(-Z_CLIP, Z_CLIP) * SUM_SCALE);
    }

    fn merge(&mut self, o: &Tally) {
        self.observed += o.observed;
        self.fell += o.fell;
        self.strong += o.strong;
        self.below += o.below;
        self.sum += o.sum;
    }

    /// The cohort's sum per √account, in deviations: about a standard
    /// normal on ordinary windows of independent accounts.
    fn mean_z(&self) -> f64 {
        self.sum as f64 / SUM_SCALE / f64::from(self.observed.max(1)).sqrt()
    }
}

/// `x` rounded half away from zero, as `f64::round` rounds it, for `|x|`
/// far below 2^52 (NaN gives 0, as `NaN.round() as i64` does). The build
/// targets x86-64 without SSE4.1, where `round` is a call into libm, and
/// this is done for every window of every account: the fraction left by
/// truncation is exact at these sizes, so comparing it with ½ is too.
fn round_small(x: f64) -> i64 {
    let t = x as i64;
    let rest = x - t as f64;
    t + i64::from(rest >= 0.5) - i64::from(rest <= -0.5)
}

/// Per window start: the tally. Dense over the grid when the snapshots fill
/// it; sparse when a few stray snapshots (a date typed as 4042) stretch the
/// span far beyond the data, so that memory follows the data, not the span.
enum Cells {
    Dense { lo: i64, cells: Vec<Tally> },
    Sparse(BTreeMap<i64, Tally>),
}

impl Cells {
    fn new(dense: bool, lo: i64, len: usize) -> Cells {
        if dense {
            Cells::Dense {
                lo,
                cells: vec![Tally::default(); len],
            }
        } else {
            Cells::Sparse(BTreeMap::new())
        }
    }

    fn at(&mut self, from: i64) -> &mut Tally {
        match self {
            Cells::Dense { lo, cells } => &mut cells[(from - *lo) as usize],
            Cells::Sparse(map) => map.entry(from).or_default(),
        }
    }

    fn merge(self, other: Cells) -> Cells {
        match (self, other) {
            (Cells::Dense { lo, mut cells }, Cells::Dense { cells: more, .. }) => {
                for (x, y) in cells.iter_mut().zip(&more) {
                    x.merge(y);
                }
                Cells::Dense { lo, cells }
            }
            (Cells::Sparse(mut map), Cells::Sparse(more)) => {
                for (from, t) in more {
                    map.entry(from).or_default().merge(&t);
                }
                Cells::Sparse(map)
            }
            // Both sides are made with the same choice of layout.
            (a, _) => a,
        }
    }

    /// (window start, tally) of windows someone observed, in order of start.
    fn iter(&self) -> Box<dyn Iterator<Item = (i64, Tally)> + '_> {
        match self {
            Cells::Dense { lo, cells } => Box::new(
                cells
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.observed > 0)
                    .map(move |(i, &t)| (lo + i as i64, t)),
            ),
            Cells::Sparse(map) => Box::new(map.iter().map(|(&from, &t)| (from, t))),
        }
    }
}

/// How the cohort behaves on its ordinary windows of one width.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    /// Width in buckets.
    pub width: i64,
    /// Chance that an observed account falls by [`Z_FALL`], by
    /// `--sensitivity`, or moves below its usual movement at all.
    pub fell: f64,
    pub strong: f64,
    pub below: f64,
    /// The usual value of [`Tally::mean_z`] and its robust spread.
    pub center: f64,
    pub scale: f64,
}

/// How strongly a window's tally says that the cohort fell together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// The strongest of the three pieces of evidence, in standard
    /// deviations of chance.
    pub score: f64,
    /// Estimated share of the observed accounts affected.
    pub breadth: f64,
}

/// The share of `n` in excess of the ordinary rate `p`, as a share of what
/// could have been in excess: (k/n − p) / (1 − p), within 0 and 1.
fn excess(k: u32, n: u32, p: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    ((f64::from(k) / f64::from(n) - p) / (1.0 - p)).clamp(0.0, 1.0)
}

/// The pooled rate `pick / observed` over the tallies with at least
/// `min_cohort` accounts, and then again over the ordinary ones among them.
fn pooled(tallies: &[Tally], pick: impl Fn(&Tally) -> u32, floor: f64) -> f64 {
    let rate = |keep: &dyn Fn(&Tally) -> bool| {
        let (mut n, mut k) = (0u64, 0u64);
        for t in tallies.iter().filter(|t| keep(t)) {
            n += u64::from(t.observed);
            k += u64::from(pick(t));
        }
        if n == 0 {
            floor
        } else {
            (k as f64 / n as f64).max(floor)
        }
    };
    let first = rate(&|_| true);
    rate(&|t| {
        ln_binomial_tail(u64::from(t.observed), u64::from(pick(t)), first) > ORDINARY_CHANCE.ln()
    })
}

impl Baseline {
    /// The baseline of one width's windows.
    fn of(width: i64, cells: &Cells, min_cohort: usize) -> Baseline {
        let tallies: Vec<Tally> = cells
            .iter()
            .map(|(_, t)| t)
            .filter(|t| t.observed as usize >= min_cohort.max(1))
            .collect();
        let mut means: Vec<f64> = tallies.iter().map(Tally::mean_z).collect();
        let center = median(&mut means).unwrap_or(0.0);
        let scale = mad(&means, center).map_or(1.0, |m| MAD_TO_SD * m);
        Baseline {
            width,
            fell: pooled(&tallies, |t| t.fell, MIN_BASE_RATE),
            strong: pooled(&tallies, |t| t.strong, MIN_STRONG_RATE),
            below: pooled(&tallies, |t| t.below, MIN_BASE_RATE).min(0.99),
            center,
            scale: scale.max(MIN_SUM_SCALE),
        }
    }

    /// What a window's tally says.
    pub fn judge(&self, t: &Tally) -> Evidence {
        let (n, fell, strong) = (
            u64::from(t.observed),
            u64::from(t.fell),
            u64::from(t.strong),
        );
        let by_falls = z_from_ln_tail(ln_binomial_tail(n, fell, self.fell));
        let by_strong = z_from_ln_tail(ln_binomial_tail(n, strong, self.strong));
        let by_sum = (self.center - t.mean_z()) / self.scale;
        Evidence {
            score: by_falls.max(by_strong).max(by_sum),
            breadth: excess(t.below, t.observed, self.below)
                .max(excess(t.fell, t.observed, self.fell)),
        }
    }
}

/// A window in which the cohort fell together beyond chance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CohortWindow {
    /// Grid points the window spans.
    pub from: i64,
    pub to: i64,
    pub tally: Tally,
    pub evidence: Evidence,
}

/// What the first pass over the accounts found: every account's model and
/// distinct losses, the cohort's baselines by width, and the windows in
/// which the cohort fell together.
pub struct FirstPass {
    pub models: Vec<Model>,
    /// Each account's own losses ([`losses::distinct`]).
    pub own: Vec<Vec<Measured>>,
    pub baselines: Vec<Baseline>,
    /// Windows with enough evidence, broad enough, over enough accounts;
    /// strongest first.
    pub flagged: Vec<CohortWindow>,
}

/// Fits every account's model, finds its candidate losses (made distinct
/// at once: an account's candidates are many, its losses few, and a
/// hundred thousand accounts' candidates held until all are found would
/// be tens of megabytes), and tallies the cohort's windows, all in one
/// pass over the accounts (the windows need the trend the fit finds, and
/// it is not kept, see [`super::model::Trend`]); then judges the windows.
pub fn first_pass(tracks: &[Track], bucket: i64, settings: &Settings) -> FirstPass {
    let span = tracks
        .iter()
        .filter(|t| !t.is_empty())
        .fold(None, |acc: Option<(i64, i64)>, t| {
            let (a, b) = (t.grid_point(0), t.grid_point(t.len() - 1));
            Some(acc.map_or((a, b), |(lo, hi)| (lo.min(a), hi.max(b))))
        });
    let (lo, hi) = span.unwrap_or((0, 0));
    let widths = widths(bucket);
    let snapshots: usize = tracks.iter().map(Track::len).sum();
    let new_cells = || -> Vec<Cells> {
        widths
            .iter()
            .map(|&width| {
                let len = (hi - lo - width + 1).max(0) as usize;
                Cells::new(len <= 16 * snapshots.max(64), lo, len)
            })
            .collect()
    };
    // Each share of the accounts is counted on its own (a few shares per
    // thread), then the counts are added up. Integer sums, so the result
    // does not depend on how the accounts were shared out.
    let shares = rayon::current_num_threads() * 2;
    let share = tracks.len().div_ceil(shares).max(1);
    type Part = (Vec<Model>, Vec<Vec<Measured>>, Vec<Cells>);
    let parts: Vec<Part> = tracks
        .par_chunks(share)
        .map(|tracks| {
            let mut cells = new_cells();
            let mut models = Vec::with_capacity(tracks.len());
            let mut own = Vec::with_capacity(tracks.len());
            for track in tracks {
                let fit = Model::fit(track, bucket, &widths);
                let walk = Walk::new(track, &fit, bucket, settings, SCREEN * settings.sensitivity);
                let mut found = walk.steps();
                for (cells, &width) in cells.iter_mut().zip(&widths) {
                    walk.windows(Some(cells), width, &mut found);
                }
                own.push(losses::distinct(track, &fit.model.followers, found));
                models.push(fit.model);
            }
            (models, own, cells)
        })
        .collect();
    let mut models = Vec::with_capacity(tracks.len());
    let mut own = Vec::with_capacity(tracks.len());
    let mut total = new_cells();
    for (some, losses, cells) in parts {
        models.extend(some);
        own.extend(losses);
        total = total
            .into_iter()
            .zip(cells)
            .map(|(a, b)| a.merge(b))
            .collect();
    }
    let mut baselines = Vec::with_capacity(widths.len());
    let mut flagged = Vec::new();
    for (&width, cells) in widths.iter().zip(&total) {
        let baseline = Baseline::of(width, cells, settings.min_cohort);
        for (from, tally) in cells.iter() {
            if (tally.observed as usize) < settings.min_cohort {
                continue;
            }
            let evidence = baseline.judge(&tally);
            if evidence.score >= z_from_ln_tail(MAX_CHANCE.ln())
                && evidence.breadth >= settings.min_breadth
            {
                flagged.push(CohortWindow {
                    from,
                    to: from + width,
                    tally,
                    evidence,
                });
            }
        }
        baselines.push(baseline);
    }
    flagged.sort_by(|a, b| {
        b.evidence
            .score
            .total_cmp(&a.evidence.score)
            .then((a.to - a.from).cmp(&(b.to - b.from)))
            .then(a.from.cmp(&b.from))
    });
    FirstPass {
        models,
        own,
        baselines,
        flagged,
    }
}

/// One account's series prepared for walking its windows.
struct Walk<'a> {
    track: &'a Track,
    model: &'a Model,
    whole: &'a Whole,
    /// Variance of each count's rounding, as a share of the count.
    rounding: Vec<f64>,
    /// The series' spread over windows of each length in buckets up to a
    /// few times the widest (computed once, asked for every window).
    spreads: Vec<Spread>,
    /// Candidates are windows at least this many deviations down…
    screen: f64,
    /// …and strong falls this many.
    strong: f64,
}

impl<'a> Walk<'a> {
    fn new(
        track: &'a Track,
        fit: &'a Fit,
        bucket: i64,
        settings: &Settings,
        screen: f64,
    ) -> Walk<'a> {
        let noise = &fit.model.followers;
        let rounding = (0..track.len())
            .map(|k| noise.rounding(track.count(k)))
            .collect();
        let longest = 4 * widths(bucket).last().copied().unwrap_or(1) + 1;
        Walk {
            track,
            model: &fit.model,
            whole: &fit.whole,
            rounding,
            spreads: (0..longest)
                .map(|g| noise.spread(g.max(1) as f64))
                .collect(),
            screen,
            strong: settings.sensitivity,
        }
    }

    /// The change from snapshot `a` to `c` in the account's deviations,
    /// against its neighbourhoods `reach` away, `sides` if they are of that
    /// reach (as [`super::model::Noise::z`]).
    fn z(&self, a: usize, c: usize, reach: i64, sides: &Sides) -> f64 {
        let w = self.whole;
        let noise = &self.model.followers;
        let gap = (w.points[c] - w.points[a]).max(1);
        let spread = match self.spreads.get(gap as usize) {
            Some(s) => *s,
            None => noise.spread(gap as f64),
        };
        let paces = w.paces_around(noise, (a, c), reach, sides);
        let e = w.expected(noise, (a, c), paces, &spread);
        let sd = (spread.var + self.rounding[a] + e.doubt).sqrt();
        (w.levels[c] - w.levels[a] - gap as f64 * e.rate) / sd
    }

    /// Candidate losses of one step each, gaps included: a loss across a
    /// collection gap is one step. Steps differ in length: each has its
    /// own neighbourhood, mostly that of a one-bucket window.
    fn steps(&self) -> Vec<Candidate> {
        let g = &self.whole.points;
        let noise = &self.model.followers;
        let usual = self.whole.sides(noise, noise.neighbours(1));
        (1..g.len())
            .filter_map(|k| {
                if self.track.count(k) >= self.track.count(k - 1) {
                    return None;
                }
                let reach = noise.neighbours(g[k] - g[k - 1]);
                let z = self.z(k - 1, k, reach, &usual);
                (z <= -self.screen).then_some(Candidate { a: k - 1, c: k, z })
            })
            .collect()
    }

    /// Adds the account's windows of `width` to `cells` (if any), walking
    /// its lifetime with two pointers; windows of two buckets or more whose
    /// change is far enough down are candidate losses.
    fn windows(&self, mut cells: Option<&mut Cells>, width: i64, found: &mut Vec<Candidate>) {
        let g = &self.whole.points;
        if g.len() < 2 {
            return;
        }
        let last = g[g.len() - 1] - width;
        let reach = self.model.followers.neighbours(width);
        let sides = self.whole.sides(&self.model.followers, reach);
        let (mut a, mut c) = (0usize, 0usize);
        let mut from = g[0];
        while from <= last {
            while a + 1 < g.len() && g[a + 1] <= from {
                a += 1;
            }
            while g[c] < from + width {
                c += 1;
            }
            if !self.model.observes(g[a], g[c], width) {
                // The bracket only widens until `a` moves on: skip the rest of
                // this gap at once (a stray snapshot years away must not cost a
                // step per grid point in between).
                match g.get(a + 1) {
                    Some(&next) if next > from => from = next,
                    _ => from += 1,
                }
                continue;
            }
            let z = self.z(a, c, reach, &sides);
            if let Some(cells) = cells.as_deref_mut() {
                cells.at(from).add(z, self.strong);
            }
            if width > 1
                && z <= -self.screen
                && self.track.count(c) < self.track.count(a)
                && found.last().is_none_or(|f| (f.a, f.c) != (a, c))
            {
                found.push(Candidate { a, c, z });
            }
            from += 1;
        }
    }
}

/// One account's candidate losses down to `screen` deviations, walked as the
/// first pass walks it (for `show`, which lists falls far below the
/// screen of detection).
pub fn candidates(track: &Track, bucket: i64, settings: &Settings, screen: f64) -> Vec<Candidate> {
    let widths = widths(bucket);
    let fit = Model::fit(track, bucket, &widths);
    let walk = Walk::new(track, &fit, bucket, settings, screen);
    let mut found = walk.steps();
    for &width in &widths {
        walk.windows(None, width, &mut found);
    }
    found
}

/// The snapshots of an account around a window it observes: the last at or
/// before its start and the first at or after its end.
pub struct Bracket {
    pub a: usize,
    pub c: usize,
}

/// The bracket of `track` around the window `from..to`, if it observes it.
pub fn bracket(track: &Track, model: &Model, from: i64, to: i64) -> Option<Bracket> {
    let a = track.last_at_or_before(from)?;
    let c = track.first_at_or_after(to)?;
    (c > a && model.observes(track.grid_point(a), track.grid_point(c), to - from))
        .then_some(Bracket { a, c })
}

/// The snapshots of `track` strictly outside the window `from..to` on
/// either side (observing it or not): a snapshot taken inside a coarse
/// grid's first or last bucket of an event may already show part of it.
pub fn bracket_outside(track: &Track, from: i64, to: i64) -> Option<Bracket> {
    let a = track.last_at_or_before(from - 1)?;
    let c = track.first_at_or_after(to + 1)?;
    Some(Bracket { a, c })
}

/// Whether the account fell across a bracket: its count went down, by
/// [`Z_FALL`] of its deviations. Most accounts around an account's event
/// are told at a glance, one way or the other; the rest by their z.
fn fell_across(track: &Track, model: &Model, b: &Bracket) -> bool {
    let noise = &model.followers;
    if track.count(b.c) >= track.count(b.a) {
        return false;
    }
    let glance = noise.glance(track, b.a, b.c);
    !glance.above(Z_FALL) && (glance.below(Z_FALL) || noise.z(track, b.a, b.c) <= -Z_FALL)
}

/// The cohort around one account's drop from grid point `from` to `to`.
pub struct Around {
    /// Accounts observed, the dropping one included.
    pub observed: u32,
    /// Other accounts observed, and how many of them fell too.
    pub others: u32,
    pub others_fell: u32,
    /// Typical relative change of the others (for "while its cohort moved +0.1 %").
    pub typical_change: Option<f64>,
}

/// The whole cohort's movement across one window: accounts observed, how
/// many fell, and the middle of their relative changes.
struct Movement {
    observed: u32,
    fell: u32,
    changes: Middle,
}

/// The values about the median of a sorted list, enough to give the median
/// of the list with any one value left out (the cohort's typical change
/// around one account's drop, without that account's own): a few numbers
/// a window instead of every account's change.
#[derive(Debug, Clone, PartialEq)]
struct Middle {
    /// How many values the list had.
    len: usize,
    /// Index in the list of `values[0]`.
    first: usize,
    /// The list's values `first..first + values.len()`.
    values: Vec<f64>,
}

impl Middle {
    fn of(sorted: &[f64]) -> Middle {
        let n = sorted.len();
        let first = (n / 2).saturating_sub(2);
        Middle {
            len: n,
            first,
            values: sorted[first..(n / 2 + 2).min(n)].to_vec(),
        }
    }

    /// The median of the list with one value equal to `left_out` taken out
    /// (the whole list's median if `None`).
    fn median_without(&self, left_out: Option<f64>) -> Option<f64> {
        let n = self.len - usize::from(left_out.is_some());
        let value = |k: usize| self.values[k - self.first];
        // The left-out value sits at the first index whose value is not
        // below it: from there on, each value is the next one's.
        let at = |k: usize| match left_out {
            Some(c) if !value(k).total_cmp(&c).is_lt() => value(k + 1),
            _ => value(k),
        };
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(at(n / 2)),
            _ => Some((at(n / 2 - 1) + at(n / 2)) / 2.0),
        }
    }
}

/// Cohort movements by window, each computed on first use: the drops of
/// many accounts fall in the same few windows, and walking every account
/// for each drop would make detection quadratic in the accounts.
#[derive(Default)]
pub struct Movements(Mutex<HashMap<(i64, i64), Arc<Movement>>>);

impl Movements {
    /// Computes the movement across every window of `windows` not yet
    /// known, in one pass over the accounts: each account's snapshots are
    /// read once for all the windows, not once a window.
    pub fn prepare(&self, tracks: &[Track], models: &[Model], windows: &[(i64, i64)]) {
        /// Windows measured in one pass: every account's change in each is
        /// held until the pass ends, so a few at a time.
        const BATCH: usize = 8;
        let mut todo: Vec<(i64, i64)> = windows.to_vec();
        todo.sort_unstable();
        todo.dedup();
        {
            let known = self.lock();
            todo.retain(|w| !known.contains_key(w));
        }
        for batch in todo.chunks(BATCH) {
            self.measure(tracks, models, batch);
        }
    }

    /// The movement across each of `windows`, in one pass over the
    /// accounts: each account's snapshots are read once for all of them.
    fn measure(&self, tracks: &[Track], models: &[Model], windows: &[(i64, i64)]) {
        // Per window: (observed, fell, changes), summed over shares of the
        // accounts; the changes are sorted at the end, so the result does
        // not depend on how the accounts were shared out.
        type Sums = Vec<(u32, u32, Vec<f64>)>;
        let empty = || -> Sums { vec![(0, 0, Vec::new()); windows.len()] };
        let sums = tracks
            .par_iter()
            .zip(models)
            .fold(empty, |mut sums, (track, model)| {
                for (w, &(from, to)) in sums.iter_mut().zip(windows) {
                    if let Some(b) = bracket(track, model, from, to) {
                        w.0 += 1;
                        w.1 += u32::from(fell_across(track, model, &b));
                        w.2.extend(change(track, &b));
                    }
                }
                sums
            })
            .reduce(empty, |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.0 += y.0;
                    x.1 += y.1;
                    x.2.extend(y.2);
                }
                a
            });
        let mut known = self.lock();
        for (&window, (observed, fell, mut changes)) in windows.iter().zip(sums) {
            changes.sort_unstable_by(f64::total_cmp);
            known.insert(
                window,
                Arc::new(Movement {
                    observed,
                    fell,
                    changes: Middle::of(&changes),
                }),
            );
        }
    }

    /// The movement across window `from..to`, measured now if it is not
    /// known yet.
    fn get(&self, tracks: &[Track], models: &[Model], from: i64, to: i64) -> Arc<Movement> {
        let known = |m: &Self| m.lock().get(&(from, to)).cloned();
        known(self).unwrap_or_else(|| {
            self.prepare(tracks, models, &[(from, to)]);
            known(self).expect("a window just measured is known")
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, i64), Arc<Movement>>> {
        // A panic elsewhere cannot leave the map half-written: use it anyway.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An account's relative change across a bracket (none from zero).
fn change(track: &Track, b: &Bracket) -> Option<f64> {
    let (va, vc) = (track.count(b.a) as f64, track.count(b.c) as f64);
    (va > 0.0).then(|| vc / va - 1.0)
}

/// The cohort around account `except`'s drop from grid point `from` to
/// `to` (`except` out of range: around a platform event, everyone).
pub fn around(
    tracks: &[Track],
    models: &[Model],
    movements: &Movements,
    from: i64,
    to: i64,
    except: usize,
) -> Around {
    let all = movements.get(tracks, models, from, to);
    let own = tracks.get(except).and_then(|track| {
        let b = bracket(track, &models[except], from, to)?;
        Some((fell_across(track, &models[except], &b), change(track, &b)))
    });
    // The others: everyone but the account's own bracket, if it has one.
    let others = all.observed - u32::from(own.is_some());
    Around {
        observed: all.observed,
        others,
        others_fell: all.fell - own.map_or(0, |(f, _)| u32::from(f)),
        typical_change: all.changes.median_without(own.and_then(|(_, c)| c)),
    }
}

impl Around {
    /// Estimated share of the other accounts affected at the same time: the
    /// excess of those that fell over the ordinary rate of falls.
    pub fn breadth(&self, baseline: Option<&Baseline>) -> f64 {
        let rate = baseline.map_or(MIN_BASE_RATE, |b| b.fell);
        excess(self.others_fell, self.others, rate)
    }
}

/// For each window `(from, to)`, the share of the accounts with a
/// following count whose following fell abnormally across it — by
/// [`Z_FALL`] of its own deviations and by at least `min_drop` of it, since
/// following counts often sit still for days and then move by one; `None`
/// where no account has one. All windows in one pass over the accounts: each
/// account's following track is visited once, not once per event.
pub fn following_breadths(
    tracks: &[Track],
    models: &[Model],
    windows: &[(i64, i64)],
    min_drop: f64,
) -> Vec<Option<f64>> {
    let counts = tracks
        .par_iter()
        .zip(models)
        .fold(
            || vec![(0u32, 0u32); windows.len()],
            |mut counts, (track, model)| {
                let Some(f) = &model.following else {
                    return counts;
                };
                let has = |k: &usize| track.following.get(*k).is_some();
                for (&(from, to), (observed, fell)) in windows.iter().zip(counts.iter_mut()) {
                    // The last snapshot with a following count at or before
                    // the window, and the first at or after it.
                    let until = track.count_at_or_before(from);
                    let Some(a) = (0..until).rev().find(has) else {
                        continue;
                    };
                    let Some(c) = (track.count_before(to)..track.len()).find(has) else {
                        continue;
                    };
                    if !model.observes(track.grid_point(a), track.grid_point(c), to - from) {
                        continue;
                    }
                    let (Some(before), Some(after), Some(z)) = (
                        track.following.get(a),
                        track.following.get(c),
                        f.z(track, a, c),
                    ) else {
                        continue;
                    };
                    *observed += 1;
                    let dropped = before.saturating_sub(after) as f64 >= min_drop * before as f64;
                    *fell += u32::from(after < before && dropped && z <= -Z_FALL);
                }
                counts
            },
        )
        .reduce(
            || vec![(0u32, 0u32); windows.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.0 += y.0;
                    x.1 += y.1;
                }
                a
            },
        );
    counts
        .into_iter()
        .map(|(observed, fell)| (observed > 0).then(|| f64::from(fell) / f64::from(observed)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_a_window_s_change_is_f64_round() {
        let half = 0.5f64;
        let mut xs = vec![
            0.0,
            -0.0,
            half,
            -half,
            1.5,
            -1.5,
            2.5,
            -2.5,
            half.next_down(),
            (-half).next_up(),
            1024.0,
            -1024.0,
            f64::NAN,
        ];
        xs.extend((-40_000..=40_000).map(|i| f64::from(i) / 37.0));
        for x in xs {
            assert_eq!(round_small(x), x.round() as i64, "{x}");
        }
    }

    /// The middle of a list gives the median of the whole list with any one
    /// of its values left out, ties and short lists included.
    #[test]
    fn median_leaving_one_out() {
        let lists: [&[f64]; 5] = [
            &[-0.5, -0.1, 0.0, 0.2, 0.3, 0.9],
            &[-0.5, -0.1, 0.0, 0.2, 0.3, 0.9, 1.5],
            &[0.1, 0.1, 0.1, 0.2, 0.2, -0.0, 0.0, 0.4],
            &[1.0, 2.0],
            &[1.0],
        ];
        for list in lists {
            let mut sorted = list.to_vec();
            sorted.sort_by(f64::total_cmp);
            let middle = Middle::of(&sorted);
            assert!(middle.values.len() <= 4);
            assert_eq!(middle.median_without(None), median(&mut sorted.clone()));
            for (k, &left_out) in sorted.iter().enumerate() {
                let mut rest: Vec<f64> = sorted.clone();
                rest.remove(k);
                assert_eq!(
                    middle.median_without(Some(left_out)),
                    median(&mut rest),
                    "{sorted:?} without {left_out}"
                );
            }
        }
    }

    fn tally(observed: u32, fell: u32, below: u32, mean: f64) -> Tally {
        Tally {
            observed,
            fell,
            strong: 0,
            below,
            sum: (mean * f64::from(observed).sqrt() * SUM_SCALE) as i64,
        }
    }

    fn ordinary() -> Baseline {
        Baseline {
            width: 1,
            fell: 0.025,
            strong: 1e-4,
            below: 0.5,
            center: 0.0,
            scale: 1.0,
        }
    }

    /// Most of 128 accounts a deviation down, few of them by two: the sum
    /// sees it, and the breadth counts the faint falls.
    #[test]
    fn faint_falls_of_most_of_the_cohort() {
        let b = ordinary();
        let t = tally(128, 36, 108, -(128f64.sqrt()));
        let e = b.judge(&t);
        assert!(e.score > 10.0, "{e:?}");
        assert!(e.breadth > 0.6, "{e:?}");
    }

    /// Two accounts of 400 falling together is no cohort event.
    #[test]
    fn two_of_four_hundred_is_chance() {
        let b = ordinary();
        let t = Tally {
            strong: 2,
            ..tally(400, 12, 200, -0.1)
        };
        let e = b.judge(&t);
        assert!(e.score < 5.0, "{e:?}");
        assert!(e.breadth < 0.05, "{e:?}");
    }
}
