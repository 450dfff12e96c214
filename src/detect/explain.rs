//! One account's falls, and why each was or was not reported: the
//! judgement of [`super::run`] replayed for a single account, with the
//! numbers each rule looked at (`followdrop show`).
//!
//! Nothing here decides anything new. The same pieces that detection uses
//! — [`super::platform_part`] and the half bar inside a platform period,
//! [`super::drop_runs`] for the account's own drops, the thresholds of
//! `Context::check`, the cohort around a drop and `Context::own_scope`,
//! [`persistence`](super::persistence) — are run again on one account, over
//! the models, platform periods and cohort movements the detection kept, so
//! an explanation cannot disagree with the report.

use super::cohort::{self, Around, CohortWindow, Period};
use super::persistence::{self, Outcome};
use super::{Check, Context, Detection, Loss, Scope, Settings, Sizing, Timestamp};
use super::{drop_runs, own_id, platform_part};
use crate::grid::Grid;
use crate::stats::round;
use serde::Serialize;

pub use super::cohort::MAX_CHANCE;

/// Snapshots shown on either side of a reported drop, and of one that
/// was not.
const CONTEXT: usize = 2;
const CONTEXT_UNREPORTED: usize = 1;

/// Snapshots shown inside a drop before the middle is elided.
const MAX_INSIDE: usize = 6;

/// Everything `show` says about one account.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub account: String,
    /// Snapshots on the grid (one per grid point).
    pub snapshots: usize,
    pub first: Timestamp,
    pub last: Timestamp,
    pub first_followers: u64,
    pub last_followers: u64,
    pub usual: Usual,
    /// The account's reported drops, its falls in platform periods, and its
    /// most abnormal unreported falls, in time order.
    pub drops: Vec<Drop>,
    /// Unreported abnormal falls of the account's own not in `drops`, all
    /// less abnormal than those that are.
    pub more_falls: usize,
    /// The platform events the account had no fall in, and why.
    pub platform_without: Vec<Absent>,
}

/// How the account usually moves (its model).
#[derive(Debug, Clone, Serialize)]
pub struct Usual {
    /// Its usual spacing of snapshots, in seconds.
    pub step_seconds: i64,
    /// Robust standard deviation of its relative change over one usual
    /// step, around its trend.
    pub spread: f64,
    /// Its long-run relative change per day.
    pub trend_per_day: f64,
}

/// One fall of the account, and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Drop {
    /// The last snapshot before the loss and the first at which it was complete.
    pub start: Timestamp,
    pub end: Timestamp,
    pub before: u64,
    pub after: u64,
    pub lost: u64,
    pub relative_loss: f64,
    /// How abnormal the loss is, in the account's own robust standard
    /// deviations (negative: below its usual movement).
    pub z: f64,
    /// The other accounts across the same snapshots' window.
    pub cohort: CohortView,
    pub verdict: Verdict,
    /// Persistence, judged as for an event (reported or not).
    pub persistence: super::Persistence,
    pub recovered_at: Option<Timestamp>,
    /// The largest share of the loss made up within the recovery window,
    /// beyond the usual trend (1 = all back); null when no snapshot lies in it.
    pub came_back: Option<f64>,
    /// The snapshots around the drop.
    pub rows: Vec<Row>,
}

/// The cohort across a drop's window (SPEC: `cohort_change`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CohortView {
    /// Accounts observed around the window, the account itself included.
    pub observed: u32,
    /// Other accounts observed, and how many of them fell too (by
    /// [`cohort::Z_FALL`] of their own deviations).
    pub others: u32,
    pub others_fell: u32,
    /// Median relative change of the others.
    pub typical_change: Option<f64>,
}

impl CohortView {
    fn of(a: &Around) -> CohortView {
        CohortView {
            observed: a.observed,
            others: a.others,
            others_fell: a.others_fell,
            typical_change: a.typical_change.map(|c| round(c, 5)),
        }
    }

    /// Share of the others that fell.
    pub fn breadth(&self) -> f64 {
        if self.others == 0 {
            0.0
        } else {
            f64::from(self.others_fell) / f64::from(self.others)
        }
    }
}

/// A window of the cohort that detection judged platform-wide.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Window {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Accounts observed around it, and how many fell.
    pub observed: u32,
    pub fell: u32,
    /// Standard deviations by which that many falling together exceeds
    /// chance (the platform event's score).
    pub score: f64,
}

impl Window {
    fn of(w: &CohortWindow, bucket: i64) -> Window {
        Window {
            from: Timestamp(w.from * bucket),
            to: Timestamp(w.to * bucket),
            observed: w.observed,
            fell: w.fell,
            score: round(w.score, 2),
        }
    }

    pub fn breadth(&self) -> f64 {
        if self.observed == 0 {
            0.0
        } else {
            f64::from(self.fell) / f64::from(self.observed)
        }
    }
}

/// What became of a fall.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Reported in platform event `event`: the cohort fell together in
    /// `window`, and the account's own fall passed half the usual bar.
    Platform { event: String, window: Window },
    /// Reported as its own event, of scope `account` or `unknown`.
    Own { event: String, scope: Scope },
    /// Not reported: the cohort fell with it (at least `--min-breadth` of
    /// the others) and it lost less than three times the cohort's typical
    /// loss, so the loss is the cohort's, not its own.
    WithCohort,
    /// Not reported: a threshold was missed. `bar` is the number of
    /// deviations asked for; inside a platform period (`platform`) that is
    /// half of `--sensitivity`, and the loss is counted beyond the usual
    /// growth (`size`, `share`).
    Below {
        check: Check,
        bar: f64,
        size: f64,
        share: f64,
        platform: Option<PlatformPeriod>,
    },
}

/// The platform period a fall lay in, and its event, if any account's
/// fall passed the bar there.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformPeriod {
    pub event: Option<String>,
    pub window: Window,
}

/// A platform event the account had no fall in.
#[derive(Debug, Clone, Serialize)]
pub struct Absent {
    pub event: String,
    pub window: Window,
    /// Its counts before and after, when it was observed around the event
    /// (null: no snapshot close enough on one side).
    pub before: Option<u64>,
    pub after: Option<u64>,
}

/// One snapshot in the table around a drop.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub time: Timestamp,
    pub followers: u64,
    pub following: Option<u64>,
    /// Change since the previous snapshot, and how abnormal it is in the
    /// account's own deviations (null for the first snapshot).
    pub change: Option<i64>,
    pub z: Option<f64>,
    pub mark: Mark,
    /// Snapshots left out just before this one.
    pub skipped: usize,
}

/// What a row of the table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    None,
    /// The last snapshot before the loss.
    Before,
    /// Within the loss.
    During,
    /// The first snapshot at which the loss was complete.
    After,
    /// Where the account recovered.
    Recovered,
}

/// Explains account `i`'s falls after `detection` ran on `grid`: every
/// reported drop and every fall in a platform period, and of its other
/// falls (runs of steps at least two deviations down that missed a
/// threshold) the `unreported_shown` most abnormal; the rest are only
/// counted.
pub fn explain(
    detection: &Detection,
    grid: &Grid,
    names: &[String],
    settings: &Settings,
    i: usize,
    unreported_shown: usize,
) -> Explanation {
    let ctx = Context {
        tracks: &grid.tracks,
        models: &detection.models,
        names,
        settings,
        movements: &detection.movements,
        bucket: grid.bucket,
    };
    let track = &grid.tracks[i];
    let model = &detection.models[i];
    let mut found: Vec<(Loss, Verdict)> = Vec::new();
    let mut platform_without = Vec::new();
    // Its part in each platform period, judged as `platform_event` does.
    let mut claimed = Vec::new();
    for (p, event) in detection.periods.iter().zip(&detection.period_events) {
        let window = Window::of(&p.best, grid.bucket);
        let part = platform_part(track, model, p);
        let measured =
            part.and_then(|(s, e, trend)| ctx.measure(i, s, e, Sizing::BeyondTrend, &trend));
        let Some(m) = measured else {
            if let Some(event) = event {
                let (before, after) = observed_around(grid, i, model, p);
                platform_without.push(Absent {
                    event: event.clone(),
                    window,
                    before,
                    after,
                });
            }
            continue;
        };
        let bar = settings.sensitivity / 2.0;
        let check = ctx.check(&m, bar);
        let verdict = match event {
            Some(event) if check.passed() => {
                claimed.push((m.loss.s, m.loss.e));
                Verdict::Platform {
                    event: event.clone(),
                    window,
                }
            }
            _ => Verdict::Below {
                check,
                bar,
                size: round(m.size, 2),
                share: round(m.size / m.base, 5),
                platform: Some(PlatformPeriod {
                    event: event.clone(),
                    window,
                }),
            },
        };
        found.push((m.loss, verdict));
    }
    // Its own drops, judged as `run` and `account_event` do; those that
    // pass the bar need the cohort around them.
    let mut unreported: Vec<(Loss, Verdict)> = Vec::new();
    let mut passed: Vec<Loss> = Vec::new();
    for (s, e, trend) in drop_runs(track, model, &detection.periods, &claimed) {
        let Some(m) = ctx.measure(i, s, e, Sizing::Observed, &trend) else {
            continue;
        };
        let check = ctx.check(&m, settings.sensitivity);
        if check.passed() {
            passed.push(m.loss);
        } else {
            let verdict = Verdict::Below {
                check,
                bar: settings.sensitivity,
                size: round(m.size, 2),
                share: round(m.size / m.base, 5),
                platform: None,
            };
            unreported.push((m.loss, verdict));
        }
    }
    unreported.sort_by(|(a, _), (b, _)| a.z.total_cmp(&b.z).then(a.s.cmp(&b.s)));
    let more_falls = unreported.len().saturating_sub(unreported_shown);
    unreported.truncate(unreported_shown);
    found.extend(unreported);
    let windows: Vec<(i64, i64)> = found
        .iter()
        .map(|(l, _)| (l.s, l.e))
        .chain(passed.iter().map(|l| (l.s, l.e)))
        .map(|(s, e)| (track.g(s), track.g(e)))
        .collect();
    detection
        .movements
        .prepare(&grid.tracks, &detection.models, &windows);
    let around = |l: &Loss| {
        cohort::around(
            &grid.tracks,
            &detection.models,
            &detection.movements,
            track.g(l.s),
            track.g(l.e),
            i,
        )
    };
    for loss in passed {
        let verdict = match ctx.own_scope(&around(&loss), &loss) {
            Some(scope) => Verdict::Own {
                event: own_id(scope, track.time(loss.s), &names[i]),
                scope,
            },
            None => Verdict::WithCohort,
        };
        found.push((loss, verdict));
    }
    found.sort_by_key(|(l, _)| (l.s, l.e));
    let drops = found
        .into_iter()
        .map(|(loss, verdict)| {
            let outcome = ctx.outcome(i, &loss);
            let came_back =
                persistence::progress(track, &model.followers, loss.s, loss.e, settings);
            let full = !matches!(verdict, Verdict::Below { .. });
            let rows = rows(&ctx, i, &loss, &outcome, full);
            Drop {
                start: Timestamp(track.time(loss.s)),
                end: Timestamp(track.time(loss.e)),
                before: track.count(loss.s),
                after: track.count(loss.e),
                lost: loss.lost,
                relative_loss: round(loss.relative, 5),
                z: round(loss.z, 3),
                cohort: CohortView::of(&around(&loss)),
                verdict,
                persistence: outcome.persistence,
                recovered_at: outcome.recovered_at.map(Timestamp),
                came_back: came_back.map(|b| round(b, 4)),
                rows,
            }
        })
        .collect();
    let n = track.len();
    let bucket = grid.bucket;
    let f = &model.followers;
    Explanation {
        account: names[i].clone(),
        snapshots: n,
        first: Timestamp(if track.is_empty() { 0 } else { track.time(0) }),
        last: Timestamp(if track.is_empty() {
            0
        } else {
            track.time(track.len() - 1)
        }),
        first_followers: track.followers.first().unwrap_or(0),
        last_followers: track.followers.last().unwrap_or(0),
        usual: Usual {
            step_seconds: model.step * bucket,
            spread: round(f.sigma * (model.step as f64).sqrt(), 7),
            trend_per_day: round((f.long_run() * 86_400.0 / bucket as f64).exp_m1(), 7),
        },
        drops,
        more_falls,
        platform_without,
    }
}

/// The account's counts across its bracket around a platform period, where
/// it observed it.
fn observed_around(
    grid: &Grid,
    i: usize,
    model: &super::Model,
    p: &Period,
) -> (Option<u64>, Option<u64>) {
    let track = &grid.tracks[i];
    match cohort::bracket(track, model, p.from, p.to) {
        Some(b) => (Some(track.count(b.a)), Some(track.count(b.c))),
        None => (None, None),
    }
}

/// The snapshots around a loss: a few before, those of the loss (the
/// middle elided when long), a few after, and, when `full` (a reported
/// drop), more context and the snapshot it recovered at.
fn rows(ctx: &Context, i: usize, loss: &Loss, outcome: &Outcome, full: bool) -> Vec<Row> {
    let track = &ctx.tracks[i];
    let model = &ctx.models[i];
    let n = track.len();
    let context = if full { CONTEXT } else { CONTEXT_UNREPORTED };
    let mut picked: Vec<usize> = (loss.s.saturating_sub(context)..=loss.s).collect();
    let inside: Vec<usize> = (loss.s + 1..=loss.e).collect();
    if inside.len() > MAX_INSIDE {
        picked.extend(&inside[..MAX_INSIDE / 2]);
        picked.extend(&inside[inside.len() - MAX_INSIDE / 2..]);
    } else {
        picked.extend(&inside);
    }
    picked.extend(loss.e + 1..(loss.e + 1 + context).min(n));
    let recovered = outcome
        .recovered_at
        .filter(|_| full)
        .and_then(|t| (loss.e..n).find(|&k| track.time(k) == t));
    if let Some(k) = recovered.filter(|k| !picked.contains(k)) {
        picked.push(k);
    }
    let mut last: Option<usize> = None;
    picked
        .into_iter()
        .map(|k| {
            let mark = if Some(k) == recovered {
                Mark::Recovered
            } else if k == loss.s {
                Mark::Before
            } else if k == loss.e {
                Mark::After
            } else if k > loss.s && k < loss.e {
                Mark::During
            } else {
                Mark::None
            };
            let skipped = last.map_or(0, |l| k - l - 1);
            last = Some(k);
            Row {
                time: Timestamp(track.time(k)),
                followers: track.count(k),
                following: track.following.get(k),
                change: (k > 0).then(|| track.count(k) as i64 - track.count(k - 1) as i64),
                z: (k > 0).then(|| round(model.followers.z(track, k - 1, k), 3)),
                mark,
                skipped,
            }
        })
        .collect()
}
