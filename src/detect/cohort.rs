//! The cohort: at each grid window, how many observed accounts fell
//! abnormally together, judged against how often they do so on ordinary
//! windows. Windows where far more fall than chance allows become the
//! platform periods.
//!
//! Each account is looked at through a *bracket*: its last snapshot at or
//! before the window opens and its first at or after it closes. Accounts
//! sampled at different moments thus all see an event inside the window,
//! and windows of one and two buckets catch an event that straddles a
//! grid point.

use super::Settings;
use super::model::{Fit, Model};
use crate::grid::Track;
use crate::stats::{ln_binomial_tail, z_from_ln_tail};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// An account's change across a window counts as a fall when it is this
/// many of its own standard deviations below its usual movement. Lower than
/// `--sensitivity` on purpose: the evidence is the number of accounts that
/// fall together, not any one of them.
pub const Z_FALL: f64 = 2.0;

/// The widest window, in seconds: a cohort-wide loss spread over up to a
/// day is still one sudden event (Twitter's 2018 removal took about that).
const MAX_WINDOW: i64 = 86_400;

/// Window widths, in buckets: 1, 2, 3, then doubling (6, 12, 24, …) up to
/// a day's worth, so that an event unfolding over hours is seen whole.
fn widths(bucket: i64) -> Vec<i64> {
    let widest = (MAX_WINDOW / bucket.max(1)).max(3);
    let mut w = vec![1, 2, 3];
    while w[w.len() - 1] * 2 <= widest {
        let next = w[w.len() - 1] * 2;
        w.push(next);
    }
    w
}

/// A cohort-wide fall must be this unlikely by chance (about five standard
/// deviations).
pub const MAX_CHANCE: f64 = 3e-7;

/// Floor of the chance that an account falls on an ordinary window, so that
/// a cohort that never moves does not make two coincident falls a platform
/// event.
const MIN_BASE_RATE: f64 = 0.01;

/// What the cohort did across one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CohortWindow {
    /// Grid points the window spans.
    pub from: i64,
    pub to: i64,
    /// Accounts observed around the window.
    pub observed: u32,
    /// Of those, accounts that fell abnormally.
    pub fell: u32,
    /// Standard deviations by which `fell` exceeds chance.
    pub score: f64,
}

impl CohortWindow {
    pub fn breadth(&self) -> f64 {
        if self.observed == 0 {
            0.0
        } else {
            f64::from(self.fell) / f64::from(self.observed)
        }
    }
}

/// A span of grid points in which the cohort fell together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Period {
    pub from: i64,
    pub to: i64,
    /// The window of the period with the strongest evidence.
    pub best: CohortWindow,
}

impl Period {
    /// Whether the step from grid point `a` to `c` overlaps this period.
    pub fn overlaps(&self, a: i64, c: i64) -> bool {
        a < self.to && c > self.from
    }
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
    if !model.observes(track.g(a), track.g(c), to - from) {
        return None;
    }
    Some(Bracket { a, c })
}

/// Whether the account fell across snapshots `a` to `c`: its count went
/// down, by [`Z_FALL`] of its deviations (`z`, asked only when it went
/// down: it is the costly part).
fn fell(track: &Track, a: usize, c: usize, z: impl FnOnce() -> f64) -> bool {
    track.count(c) < track.count(a) && z() <= -Z_FALL
}

/// [`fell`] across a bracket.
fn fell_across(track: &Track, model: &Model, b: &Bracket) -> bool {
    fell(track, b.a, b.c, || model.followers.z(track, b.a, b.c))
}

/// Fits every account's model and finds the platform periods: runs of
/// windows in which at least `min_cohort` accounts were observed, at least
/// `min_breadth` of them fell, and that many falling together is beyond
/// chance. Both in one pass over the accounts, since the windows need the
/// trend the fit finds, and it is not kept (see [`super::model::Trend`]).
pub fn models_and_periods(
    tracks: &[Track],
    bucket: i64,
    settings: &Settings,
) -> (Vec<Model>, Vec<Period>) {
    let Some((lo, hi)) =
        tracks
            .iter()
            .filter(|t| !t.is_empty())
            .fold(None, |acc: Option<(i64, i64)>, t| {
                let (a, b) = (t.g(0), t.g(t.len() - 1));
                Some(acc.map_or((a, b), |(lo, hi)| (lo.min(a), hi.max(b))))
            })
    else {
        let models = tracks.iter().map(|t| Model::fit(t, bucket).model);
        return (models.collect(), Vec::new());
    };
    let mut flagged: Vec<CohortWindow> = Vec::new();
    let widths = widths(bucket);
    let (models, counts) = count_windows(tracks, bucket, lo, hi, &widths);
    for (&width, counts) in widths.iter().zip(counts) {
        let base = base_rate(&counts, settings);
        for (from, observed, fell) in counts.iter() {
            let w = CohortWindow {
                from,
                to: from + width,
                observed,
                fell,
                score: 0.0,
            };
            if (observed as usize) < settings.min_cohort || w.breadth() < settings.min_breadth {
                continue;
            }
            let ln_p = ln_binomial_tail(u64::from(observed), u64::from(fell), base);
            if ln_p <= MAX_CHANCE.ln() {
                flagged.push(CohortWindow {
                    score: z_from_ln_tail(ln_p),
                    ..w
                });
            }
        }
    }
    (models, merge(flagged))
}

/// Every account's model and, for each width and each window start in
/// `lo..=hi - width`: (accounts observed, accounts that fell). Each account
/// walks its own lifetime with two pointers, once per width, while its
/// trend and levels are at hand.
fn count_windows(
    tracks: &[Track],
    bucket: i64,
    lo: i64,
    hi: i64,
    widths: &[i64],
) -> (Vec<Model>, Vec<Counts>) {
    let snapshots: usize = tracks.iter().map(Track::len).sum();
    let new_counts = || -> Vec<Counts> {
        widths
            .iter()
            .map(|&width| {
                let len = (hi - lo - width + 1).max(0) as usize;
                Counts::new(len <= 16 * snapshots.max(64), lo, len)
            })
            .collect()
    };
    // Each share of the accounts is counted on its own (a few shares per
    // thread), then the counts are added up. Integer sums, so the result
    // does not depend on how the accounts were shared out.
    let shares = rayon::current_num_threads() * 2;
    let share = tracks.len().div_ceil(shares).max(1);
    let parts: Vec<(Vec<Model>, Vec<Counts>)> = tracks
        .par_chunks(share)
        .map(|tracks| {
            let mut counts = new_counts();
            let models = tracks
                .iter()
                .map(|track| {
                    let fit = Model::fit(track, bucket);
                    for (counts, &width) in counts.iter_mut().zip(widths) {
                        add_account(counts, track, &fit, width);
                    }
                    fit.model
                })
                .collect();
            (models, counts)
        })
        .collect();
    let mut models = Vec::with_capacity(tracks.len());
    let mut total = new_counts();
    for (some, counts) in parts {
        models.extend(some);
        total = total
            .into_iter()
            .zip(counts)
            .map(|(a, b)| a.merge(b))
            .collect();
    }
    (models, total)
}

/// Per window start: (accounts observed around it, accounts that fell).
/// Dense over the grid when the snapshots fill it; sparse when a few stray
/// snapshots (a date typed as 4042) stretch the span far beyond the data,
/// so that memory follows the data, not the span.
enum Counts {
    Dense { lo: i64, cells: Vec<(u32, u32)> },
    Sparse(BTreeMap<i64, (u32, u32)>),
}

impl Counts {
    fn new(dense: bool, lo: i64, len: usize) -> Counts {
        if dense {
            Counts::Dense {
                lo,
                cells: vec![(0, 0); len],
            }
        } else {
            Counts::Sparse(BTreeMap::new())
        }
    }

    fn add(&mut self, from: i64, fell: bool) {
        let cell = match self {
            Counts::Dense { lo, cells } => &mut cells[(from - *lo) as usize],
            Counts::Sparse(map) => map.entry(from).or_default(),
        };
        cell.0 += 1;
        cell.1 += u32::from(fell);
    }

    fn merge(self, other: Counts) -> Counts {
        match (self, other) {
            (Counts::Dense { lo, mut cells }, Counts::Dense { cells: more, .. }) => {
                for (x, y) in cells.iter_mut().zip(more) {
                    x.0 += y.0;
                    x.1 += y.1;
                }
                Counts::Dense { lo, cells }
            }
            (Counts::Sparse(mut map), Counts::Sparse(more)) => {
                for (from, (n, k)) in more {
                    let cell = map.entry(from).or_default();
                    cell.0 += n;
                    cell.1 += k;
                }
                Counts::Sparse(map)
            }
            // Both sides are made with the same choice of layout.
            (a, _) => a,
        }
    }

    /// (window start, observed, fell), in order of start.
    fn iter(&self) -> Box<dyn Iterator<Item = (i64, u32, u32)> + '_> {
        match self {
            Counts::Dense { lo, cells } => Box::new(
                cells
                    .iter()
                    .enumerate()
                    .map(move |(i, &(n, k))| (lo + i as i64, n, k)),
            ),
            Counts::Sparse(map) => Box::new(map.iter().map(|(&from, &(n, k))| (from, n, k))),
        }
    }
}

/// Adds one account's windows of `width` to `counts`, walking its lifetime
/// with two pointers.
fn add_account(counts: &mut Counts, track: &Track, fit: &Fit, width: i64) {
    let (model, g, lv) = (&fit.model, &fit.whole.points, &fit.whole.levels);
    if g.len() < 2 {
        return;
    }
    let last = g[g.len() - 1] - width;
    let (mut a, mut c) = (0usize, 0usize);
    let mut from = g[0];
    while from <= last {
        while a + 1 < g.len() && g[a + 1] <= from {
            a += 1;
        }
        while g[c] < from + width {
            c += 1;
        }
        if !model.observes(g[a], g[c], width) {
            // The bracket only widens until `a` moves on: skip the rest of
            // this gap at once (a stray snapshot years away must not cost a
            // step per grid point in between).
            match g.get(a + 1) {
                Some(&next) if next > from => from = next,
                _ => from += 1,
            }
            continue;
        }
        let fell = fell(track, a, c, || {
            model
                .followers
                .z_of_change(&fit.whole.trend, track, a, c, lv[c] - lv[a])
        });
        counts.add(from, fell);
        from += 1;
    }
}

/// How often an account falls on an ordinary window: the pooled rate over
/// windows that are not themselves broad falls.
fn base_rate(counts: &Counts, settings: &Settings) -> f64 {
    let (mut n, mut k) = (0u64, 0u64);
    for (_, observed, fell) in counts.iter() {
        if (observed as usize) >= settings.min_cohort
            && f64::from(fell) < settings.min_breadth * f64::from(observed)
        {
            n += u64::from(observed);
            k += u64::from(fell);
        }
    }
    if n == 0 {
        MIN_BASE_RATE
    } else {
        (k as f64 / n as f64).max(MIN_BASE_RATE)
    }
}

/// Merges overlapping or touching windows into periods.
fn merge(mut windows: Vec<CohortWindow>) -> Vec<Period> {
    windows.sort_by_key(|w| (w.from, w.to));
    let mut periods: Vec<Period> = Vec::new();
    for w in windows {
        match periods.last_mut() {
            Some(p) if w.from <= p.to => {
                p.to = p.to.max(w.to);
                if w.score > p.best.score {
                    p.best = w;
                }
            }
            _ => periods.push(Period {
                from: w.from,
                to: w.to,
                best: w,
            }),
        }
    }
    periods
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

impl Around {
    /// Share of the other observed accounts that fell at the same time.
    pub fn breadth(&self) -> f64 {
        if self.others == 0 {
            0.0
        } else {
            f64::from(self.others_fell) / f64::from(self.others)
        }
    }
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
        type Tally = Vec<(u32, u32, Vec<f64>)>;
        let empty = || -> Tally { vec![(0, 0, Vec::new()); windows.len()] };
        let tally = tracks
            .par_iter()
            .zip(models)
            .fold(empty, |mut tally, (track, model)| {
                for (w, &(from, to)) in tally.iter_mut().zip(windows) {
                    if let Some(b) = bracket(track, model, from, to) {
                        w.0 += 1;
                        w.1 += u32::from(fell_across(track, model, &b));
                        w.2.extend(change(track, &b));
                    }
                }
                tally
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
        for (&window, (observed, fell, mut changes)) in windows.iter().zip(tally) {
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

/// Share of the accounts with a following count whose following fell
/// abnormally across `from..to` — by [`Z_FALL`] of its own deviations and
/// by at least `min_drop` of it, since following counts often sit still
/// for days and then move by one; `None` when no account has one there.
pub fn following_breadth(models: &[Model], from: i64, to: i64, min_drop: f64) -> Option<f64> {
    let (mut observed, mut fell_count) = (0u32, 0u32);
    for model in models {
        let Some(f) = &model.following else { continue };
        let Some(a) = f.track.partition_point(|x| x <= from).checked_sub(1) else {
            continue;
        };
        let c = f.track.partition_point(|x| x < to);
        if c >= f.track.len() || !model.observes(f.track.g(a), f.track.g(c), to - from) {
            continue;
        }
        observed += 1;
        let dropped = f.track.count(a).saturating_sub(f.track.count(c)) as f64
            >= min_drop * f.track.count(a) as f64;
        fell_count += u32::from(
            f.track.count(c) < f.track.count(a) && dropped && f.noise.z(&f.track, a, c) <= -Z_FALL,
        );
    }
    (observed > 0).then(|| f64::from(fell_count) / f64::from(observed))
}

#[cfg(test)]
mod tests {
    /// The middle of a list gives the median of the whole list with any one
    /// of its values left out, ties and short lists included.
    #[test]
    fn median_leaving_one_out() {
        use super::Middle;
        use crate::stats::median;
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

    #[test]
    fn window_widths() {
        assert_eq!(super::widths(3600), vec![1, 2, 3, 6, 12, 24]);
        assert_eq!(super::widths(86_400), vec![1, 2, 3]);
        assert_eq!(super::widths(21_600), vec![1, 2, 3]);
    }
}
