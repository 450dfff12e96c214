//! One account's losses, and why each was or was not reported: the
//! judgement of [`super::run`] replayed for a single account, with the
//! numbers each rule looked at (`followdrop show`).
//!
//! Nothing here decides anything new. The same stages detection runs — the
//! account's distinct losses ([`super::losses`]), its part in each platform
//! event ([`super::platform`]), the fate of its own losses
//! ([`super::account::fate`]), the thresholds ([`super::losses::check`]),
//! persistence — are run again on one account over what the detection
//! kept, so an explanation cannot disagree with the report. Like the
//! findings, an explanation is plain: snapshot indices and finding indices,
//! unrounded; [`crate::report::show`] writes it.

use super::account::{self, Fate};
use super::cohort::{self, CohortWindow, bracket_outside};
use super::losses::{self, Check, Loss, Measured, Sizing};
use super::persistence::{self, Outcome};
use super::{Ctx, Detection, Scope, Settings, Span};
use crate::grid::Grid;

/// Snapshots shown on either side of a reported drop, and of one that
/// was not.
const CONTEXT: usize = 2;
const CONTEXT_UNREPORTED: usize = 1;

/// Snapshots shown inside a drop before the middle is elided.
const MAX_INSIDE: usize = 6;

/// Everything `show` says about one account.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The account's index.
    pub account: usize,
    pub usual: Usual,
    /// Its parts in platform events, its reported losses, and its most
    /// abnormal unreported ones, in time order.
    pub drops: Vec<ExplainedDrop>,
    /// Unreported losses of its own not in `drops`, all less abnormal than
    /// those that are.
    pub more_falls: usize,
    /// The platform events it had no loss in.
    pub absent: Vec<Absent>,
}

/// How the account usually moves (its model).
#[derive(Debug, Clone, Copy)]
pub struct Usual {
    /// Its usual spacing of snapshots, in buckets.
    pub step: i64,
    /// Robust standard deviation of its relative change over one usual step.
    pub spread: f64,
    /// Its long-run relative change per bucket.
    pub trend: f64,
    /// The rounding step of its last count (1 when its counts are exact).
    pub count_step: u64,
}

/// One loss of the account, and what became of it.
#[derive(Debug, Clone)]
pub struct ExplainedDrop {
    pub loss: Loss,
    /// The other accounts across the same snapshots' window.
    pub cohort: CohortView,
    pub verdict: ExplainedFate,
    /// Persistence, judged as for an event (reported or not).
    pub outcome: Outcome,
    /// The largest share of the loss made up within the recovery window,
    /// beyond the usual trend (1 = all back); `None` when no snapshot lies
    /// in it.
    pub came_back: Option<f64>,
    /// The snapshots around the loss.
    pub rows: Vec<Row>,
}

/// The cohort across a loss's window.
#[derive(Debug, Clone, Copy)]
pub struct CohortView {
    /// Accounts observed around the window, the account itself included.
    pub observed: u32,
    /// Other accounts observed, and how many of them fell too (by
    /// [`cohort::Z_FALL`] of their own deviations).
    pub others: u32,
    pub others_fell: u32,
    /// Estimated share of the others affected (their falls beyond the
    /// ordinary rate).
    pub breadth: f64,
    /// Median relative change of the others.
    pub typical_change: Option<f64>,
}

/// What became of a loss.
#[derive(Debug, Clone)]
pub enum ExplainedFate {
    /// A member of platform event `finding` (an index into the detection's
    /// findings), which `window` started.
    Platform {
        finding: usize,
        window: CohortWindow,
        excess: bool,
        across_gap: bool,
    },
    /// Reported as its own event, of scope `account` or `unknown`.
    Own { finding: usize, scope: Scope },
    /// Not reported: a threshold was missed. `bar` is the number of
    /// deviations asked for; inside a platform event (`platform`) that is
    /// half of `--sensitivity`, and the loss is counted beyond the usual
    /// growth (`size`, `share`).
    Below {
        check: Check,
        bar: f64,
        size: f64,
        share: f64,
        platform: Option<(usize, CohortWindow)>,
    },
}

impl ExplainedFate {
    /// The finding it was reported in, if any.
    pub fn finding(&self) -> Option<usize> {
        match self {
            ExplainedFate::Platform { finding, .. } | ExplainedFate::Own { finding, .. } => {
                Some(*finding)
            }
            ExplainedFate::Below { .. } => None,
        }
    }
}

/// A platform event the account had no loss in.
#[derive(Debug, Clone, Copy)]
pub struct Absent {
    pub finding: usize,
    pub window: CohortWindow,
    /// Its snapshots just before and after the event's core (either `None`
    /// where it has none).
    pub before: Option<usize>,
    pub after: Option<usize>,
}

/// One snapshot in the table around a loss.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub snapshot: usize,
    /// How abnormal its change from the previous snapshot is, in the
    /// account's own deviations (`None` for the first snapshot).
    pub z: Option<f64>,
    pub mark: Mark,
    /// Snapshots left out just before this one.
    pub skipped: usize,
}

/// What a row of the table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Explains account `i`'s losses after `detection` ran on `grid`: its part
/// in every platform event, every reported loss, and of its other losses
/// (abnormal enough to be looked at, but below a threshold) the
/// `unreported_shown` most abnormal; the rest are only counted.
pub fn explain(
    detection: &Detection,
    grid: &Grid,
    settings: &Settings,
    i: usize,
    unreported_shown: usize,
) -> Explanation {
    let ctx = detection.ctx(grid, settings);
    let track = &grid.tracks[i];
    let model = &detection.models[i];
    let half = settings.sensitivity / 2.0;
    let mut found: Vec<(Measured, ExplainedFate)> = Vec::new();
    let mut absent = Vec::new();
    for (k, p) in detection.platforms.iter().enumerate() {
        let finding = detection.platform_findings[k];
        let window = p.window;
        if let Some(member) = p.finding.member(i) {
            let verdict = ExplainedFate::Platform {
                finding,
                window,
                excess: member.excess,
                across_gap: member.across_gap,
            };
            let noise = &model.followers;
            let span = member.loss.span;
            if let Some(m) = losses::measure(track, noise, span, Sizing::BeyondTrend) {
                found.push((m, verdict));
            }
            continue;
        }
        let core = p.finding.core;
        let part = bracket_outside(track, core.from, core.to).and_then(|b| {
            let noise = &model.followers;
            let trend = noise.long_run_trend(b.a, b.c);
            let span = losses::steepest_loss(track, noise, &trend, b.a, b.c);
            losses::measure(track, noise, span, Sizing::BeyondTrend)
        });
        match part {
            Some(m) => {
                let check = losses::check(&m, settings, half);
                let verdict = ExplainedFate::Below {
                    check,
                    bar: half,
                    size: m.size,
                    share: m.size / m.base,
                    platform: Some((finding, window)),
                };
                found.push((m, verdict));
            }
            None => {
                let b = bracket_outside(track, core.from, core.to);
                absent.push(Absent {
                    finding,
                    window,
                    before: b.as_ref().map(|b| b.a),
                    after: b.map(|b| b.c),
                });
            }
        }
    }
    // Its own losses, judged as the account events are; those inside a
    // platform event were listed with it.
    let mut unreported: Vec<(Measured, ExplainedFate)> = Vec::new();
    for m in &detection.own[i] {
        if found
            .iter()
            .any(|(f, _)| f.loss.span.overlaps(&m.loss.span))
        {
            continue;
        }
        match account::fate(&ctx, i, m, &detection.platforms) {
            Fate::Own => {
                let finding = detection
                    .findings
                    .iter()
                    .position(|f| {
                        f.scope != Scope::Platform
                            && f.members
                                .first()
                                .is_some_and(|x| x.account == i && x.loss.span == m.loss.span)
                    })
                    .expect("an account's own event is among the findings");
                let scope = detection.findings[finding].scope;
                found.push((*m, ExplainedFate::Own { finding, scope }));
            }
            Fate::Platform(_) => {}
            Fate::Below => {
                let verdict = ExplainedFate::Below {
                    check: losses::check(m, settings, settings.sensitivity),
                    bar: settings.sensitivity,
                    size: m.size,
                    share: m.size / m.base,
                    platform: None,
                };
                unreported.push((*m, verdict));
            }
        }
    }
    // Its smaller falls, which detection did not look at closely: those two
    // of its deviations down or more, apart from everything above.
    let small = cohort::candidates(track, grid.bucket, settings, cohort::Z_FALL);
    for m in losses::distinct(track, &model.followers, small) {
        let known = |f: &Measured| f.loss.span.overlaps(&m.loss.span);
        if found.iter().any(|(f, _)| known(f))
            || unreported.iter().any(|(f, _)| known(f))
            || detection.own[i].iter().any(known)
            || m.loss.z > -cohort::Z_FALL
        {
            continue;
        }
        let verdict = ExplainedFate::Below {
            check: losses::check(&m, settings, settings.sensitivity),
            bar: settings.sensitivity,
            size: m.size,
            share: m.size / m.base,
            platform: None,
        };
        unreported.push((m, verdict));
    }
    unreported.sort_by(|(a, _), (b, _)| {
        a.loss
            .z
            .total_cmp(&b.loss.z)
            .then(a.loss.span.before.cmp(&b.loss.span.before))
    });
    let more_falls = unreported.len().saturating_sub(unreported_shown);
    unreported.truncate(unreported_shown);
    found.extend(unreported);
    found.sort_by_key(|(m, _)| (m.loss.span.before, m.loss.span.after));
    let windows: Vec<(i64, i64)> = found
        .iter()
        .map(|(m, _)| {
            (
                track.grid_point(m.loss.span.before),
                track.grid_point(m.loss.span.after),
            )
        })
        .collect();
    ctx.movements
        .prepare(&grid.tracks, &detection.models, &windows);
    let drops = found
        .into_iter()
        .map(|(m, verdict)| {
            let span = m.loss.span;
            let (from, to) = (track.grid_point(span.before), track.grid_point(span.after));
            let around =
                cohort::around(&grid.tracks, &detection.models, ctx.movements, from, to, i);
            let outcome = persistence::judge(track, &model.followers, span, settings);
            let came_back = persistence::progress(track, &model.followers, span, settings);
            let reported = verdict.finding().is_some();
            ExplainedDrop {
                loss: m.loss,
                cohort: CohortView {
                    observed: around.observed,
                    others: around.others,
                    others_fell: around.others_fell,
                    breadth: around.breadth(ctx.baseline(to - from)),
                    typical_change: around.typical_change,
                },
                rows: rows(&ctx, i, span, &outcome, reported),
                verdict,
                outcome,
                came_back,
            }
        })
        .collect();
    let f = &model.followers;
    let spread = f.spread_over(model.step as f64);
    Explanation {
        account: i,
        usual: Usual {
            step: model.step,
            spread,
            trend: f.long_run(),
            count_step: f.resolution.step(track.followers.last().unwrap_or(0)),
        },
        drops,
        more_falls,
        absent,
    }
}

/// The snapshots around a loss: a few before, those of the loss (the
/// middle elided when long), a few after, and, when `full` (a reported
/// loss), more context and the snapshot it recovered at.
fn rows(ctx: &Ctx, i: usize, span: Span, outcome: &Outcome, full: bool) -> Vec<Row> {
    let track = &ctx.tracks[i];
    let model = &ctx.models[i];
    let n = track.len();
    let context = if full { CONTEXT } else { CONTEXT_UNREPORTED };
    let Span {
        before: s,
        after: e,
    } = span;
    let mut picked: Vec<usize> = (s.saturating_sub(context)..=s).collect();
    let inside: Vec<usize> = (s + 1..=e).collect();
    if inside.len() > MAX_INSIDE {
        picked.extend(&inside[..MAX_INSIDE / 2]);
        picked.extend(&inside[inside.len() - MAX_INSIDE / 2..]);
    } else {
        picked.extend(&inside);
    }
    picked.extend(e + 1..(e + 1 + context).min(n));
    let recovered = outcome
        .recovered_at
        .filter(|_| full)
        .and_then(|t| (e..n).find(|&k| track.time(k) == t));
    if let Some(k) = recovered.filter(|k| !picked.contains(k)) {
        picked.push(k);
    }
    let mut last: Option<usize> = None;
    picked
        .into_iter()
        .map(|k| {
            let mark = if Some(k) == recovered {
                Mark::Recovered
            } else if k == s {
                Mark::Before
            } else if k == e {
                Mark::After
            } else if k > s && k < e {
                Mark::During
            } else {
                Mark::None
            };
            let skipped = last.map_or(0, |l| k - l - 1);
            last = Some(k);
            Row {
                snapshot: k,
                z: (k > 0).then(|| model.followers.z(track, k - 1, k)),
                mark,
                skipped,
            }
        })
        .collect()
}
