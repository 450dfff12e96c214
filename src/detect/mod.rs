//! Detection: from the grid to a list of events.
//!
//! 1. [`model`]: each account's usual movement (local trend and spread).
//! 2. [`cohort`]: windows where far more of the cohort fell together than
//!    chance allows become platform periods.
//! 3. Platform events: the accounts that fell abnormally in each period.
//! 4. Account events: runs of abnormal falls outside platform periods,
//!    scoped `account` when enough of the cohort was watching and did not
//!    fall with them, `unknown` when too few accounts were observed.
//! 5. [`persistence`]: whether the followers came back.
//!
//! [`explain`] replays these judgements for one account, to say in words
//! why each of its falls was or was not reported (`followdrop show`).

mod cohort;
pub mod explain;
mod model;
mod persistence;

pub use persistence::Persistence;

use crate::grid::{Grid, Track};
use crate::stats::{MAD_TO_SD, mad, median, quantile, round};
use crate::time::{format_compact, format_rfc3339};
use cohort::{Period, bracket};
use model::{Model, Noise, Trend, level};
use persistence::Outcome;
use rayon::prelude::*;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// A step next to a loss is part of it when it falls this many standard
/// deviations: stricter than [`model::Z_STEP`], since a wiggle of two deviations
/// next to every drop would otherwise stretch it by a snapshot now and then.
const Z_EXTEND: f64 = 3.0;

/// An account losing this many times the typical loss of a platform event
/// (and far outside the spread of the others' losses) is marked `excess`.
const EXCESS_RATIO: f64 = 3.0;

/// The detection thresholds (SPEC: options of `scan`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Smallest relative loss reported.
    pub min_drop: f64,
    /// Smallest absolute loss reported.
    pub min_lost: u64,
    /// How abnormal an account's own drop must be, in robust standard
    /// deviations of its usual movement. Inside a platform event half of
    /// this suffices: the cohort's fall is evidence too.
    pub sensitivity: f64,
    /// Share of the observed cohort that must fall together for a
    /// platform-wide event.
    pub min_breadth: f64,
    /// Fewest accounts observed for a scope to be judged.
    pub min_cohort: usize,
    #[serde(rename = "recovery_window_seconds")]
    pub recovery_window: i64,
    /// Share of the lost followers that must come back for a revert.
    pub recovery_share: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_drop: 0.005,
            min_lost: 10,
            sensitivity: 7.0,
            min_breadth: 0.3,
            min_cohort: 5,
            recovery_window: 3 * 86_400,
            recovery_share: 0.8,
        }
    }
}

/// Who a drop hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Much of the cohort fell together.
    Platform,
    /// The account fell while its cohort did not.
    Account,
    /// Too few accounts were observed to tell.
    Unknown,
}

/// An event's scope and persistence; its kind follows from the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub scope: Scope,
    pub persistence: Persistence,
}

impl Class {
    /// The SPEC's kind name (`platform_glitch`, `account_purge`, `drop`, …).
    pub fn kind(&self) -> &'static str {
        use Persistence::*;
        use Scope::*;
        match (self.scope, self.persistence) {
            (Platform, Reverted) => "platform_glitch",
            (Platform, Persistent) => "platform_purge",
            (Platform, Undetermined) => "platform_drop",
            (Account, Reverted) => "account_glitch",
            (Account, Persistent) => "account_purge",
            (Account, Undetermined) => "account_drop",
            (Unknown, Reverted) => "glitch",
            (Unknown, Persistent) => "purge",
            (Unknown, Undetermined) => "drop",
        }
    }
}

impl Serialize for Class {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("kind", self.kind())?;
        map.serialize_entry("scope", &self.scope)?;
        map.serialize_entry("persistence", &self.persistence)?;
        map.end()
    }
}

/// An instant, written as RFC 3339 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_rfc3339(self.0))
    }
}

/// One account's part in an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Affected {
    pub account: String,
    pub before: u64,
    pub after: u64,
    pub lost: u64,
    pub relative_loss: f64,
    pub recovered_at: Option<Timestamp>,
    /// Hit far harder than the rest of a platform event's accounts.
    pub excess: bool,
    pub following_before: Option<u64>,
    pub following_after: Option<u64>,
}

/// A sudden loss of followers, classified (SPEC: Output, `events`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: String,
    #[serde(flatten)]
    pub class: Class,
    pub start: Timestamp,
    pub end: Timestamp,
    pub recovered_at: Option<Timestamp>,
    pub cohort_size: u32,
    pub accounts_affected: usize,
    pub breadth: f64,
    pub followers_lost: u64,
    pub median_relative_loss: f64,
    pub score: f64,
    pub following_breadth: Option<f64>,
    /// Typical relative change of the other observed accounts across the
    /// same window (null when none was observed).
    pub cohort_change: Option<f64>,
    pub accounts: Vec<Affected>,
    /// With `scan --state`: the kind the event was last reported as, when
    /// it has changed since (an `account_drop` now known to be an
    /// `account_purge`). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_kind: Option<String>,
}

/// Finds every event in the grid.
pub fn detect(grid: &Grid, names: &[String], settings: &Settings) -> Vec<Event> {
    run(grid, names, settings).events
}

/// A finished detection: the events, and what they were judged with (each
/// account's model, the platform periods, the cohort's movements), kept so
/// that [`explain`] can replay the judgement of one account without
/// detecting again.
pub struct Detection {
    /// Every event, sorted by start, then id.
    pub events: Vec<Event>,
    models: Vec<Model>,
    periods: Vec<Period>,
    /// The id of each period's platform event (`None` when no account's own
    /// fall passed the bar there).
    period_events: Vec<Option<String>>,
    movements: cohort::Movements,
}

/// Finds every event in the grid, keeping what they were judged with.
pub fn run(grid: &Grid, names: &[String], settings: &Settings) -> Detection {
    let mut timing = crate::timing::Timing::from_env();
    let (models, periods) = cohort::models_and_periods(&grid.tracks, grid.bucket, settings);
    timing.lap("detect: models and platform periods");
    let movements = cohort::Movements::default();
    let ctx = Context {
        tracks: &grid.tracks,
        models: &models,
        names,
        settings,
        movements: &movements,
        bucket: grid.bucket,
    };
    let mut events = Vec::new();
    let mut period_events = Vec::with_capacity(periods.len());
    // The snapshots each account lost across in a platform event: its own
    // drops must not report that loss again.
    let mut claimed: Vec<Vec<(usize, usize)>> = vec![Vec::new(); grid.tracks.len()];
    for p in &periods {
        if let Some((event, hits)) = ctx.platform_event(p) {
            period_events.push(Some(event.id.clone()));
            events.push(event);
            for (i, s, e) in hits {
                claimed[i].push((s, e));
            }
        } else {
            period_events.push(None);
        }
    }
    timing.lap("detect: platform events");
    // Each account's own drops big and abnormal enough to report, then the
    // cohort's movement across all their windows in one pass over the
    // accounts, then the events.
    let ctx = &ctx;
    let losses: Vec<(usize, Loss)> = grid
        .tracks
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, track)| {
            let runs = drop_runs(track, &models[i], &periods, &claimed[i]);
            runs.into_iter().filter_map(move |(s, e, trend)| {
                let loss = ctx.loss(i, s, e, settings.sensitivity, Sizing::Observed, &trend)?;
                Some((i, loss))
            })
        })
        .collect();
    let windows: Vec<(i64, i64)> = losses
        .iter()
        .map(|(i, l)| (grid.tracks[*i].g(l.s), grid.tracks[*i].g(l.e)))
        .collect();
    timing.lap("detect: own drops");
    movements.prepare(&grid.tracks, &models, &windows);
    timing.lap("detect: cohort movements");
    let own: Vec<Event> = losses
        .into_par_iter()
        .filter_map(|(i, loss)| ctx.account_event(i, loss))
        .collect();
    timing.lap("detect: account events");
    events.extend(own);
    events.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
    Detection {
        events,
        models,
        periods,
        period_events,
        movements,
    }
}

/// How a loss is sized against `--min-drop` and `--min-lost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sizing {
    /// The followers actually gone: an account's own drop must be a real
    /// loss, not a growing account's pause.
    Observed,
    /// Beyond the account's usual trend (credited up to its long-run pace):
    /// inside a platform event, where the cohort's fall is evidence too, a
    /// growing account's day of growth must not hide its part of the loss.
    BeyondTrend,
}

/// An account's part in a platform event: the account and the snapshots
/// its loss spans (before, after).
type Claim = (usize, usize, usize);

/// Everything the event builders read.
struct Context<'a> {
    tracks: &'a [Track],
    models: &'a [Model],
    names: &'a [String],
    settings: &'a Settings,
    movements: &'a cohort::Movements,
    bucket: i64,
}

/// A loss measured against the thresholds: its size in followers and the
/// count it is a share of, both as [`Sizing`] says.
struct Measured {
    loss: Loss,
    size: f64,
    base: f64,
}

/// Which reporting thresholds a loss meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Check {
    /// At least `--min-lost` followers.
    pub enough_followers: bool,
    /// At least `--min-drop` of the account.
    pub enough_share: bool,
    /// At least the bar (`--sensitivity`, or half of it in a platform
    /// event) standard deviations below the account's usual movement.
    pub abnormal: bool,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.enough_followers && self.enough_share && self.abnormal
    }
}

/// One account's loss from snapshot `s` to `e`, measured.
struct Loss {
    s: usize,
    e: usize,
    lost: u64,
    relative: f64,
    z: f64,
}

impl Context<'_> {
    /// Measures the loss of account `i` from `s` to `e`, if it is a loss big
    /// enough to report (`--min-lost`, `--min-drop`) and at least `bar`
    /// standard deviations abnormal.
    /// `trend` holds the account's steps `s + 1..=e`.
    fn loss(
        &self,
        i: usize,
        s: usize,
        e: usize,
        bar: f64,
        sizing: Sizing,
        trend: &Trend,
    ) -> Option<Loss> {
        let m = self.measure(i, s, e, sizing, trend)?;
        self.check(&m, bar).passed().then_some(m.loss)
    }

    /// Measures the loss of account `i` from `s` to `e`, whatever its size
    /// (`None` when the count did not fall). `trend` holds the account's
    /// steps `s + 1..=e`.
    fn measure(
        &self,
        i: usize,
        s: usize,
        e: usize,
        sizing: Sizing,
        trend: &Trend,
    ) -> Option<Measured> {
        let t = &self.tracks[i];
        let (before, after) = (t.count(s), t.count(e));
        let lost = before.checked_sub(after).filter(|&l| l > 0)?;
        let relative = lost as f64 / before as f64;
        let noise = &self.models[i].followers;
        let z = noise.z_with(trend, t, s, e);
        let (size, base) = match sizing {
            Sizing::Observed => (lost as f64, before as f64),
            Sizing::BeyondTrend => {
                let expected_after = (level(before) + noise.credited(trend, t, s, e)).exp() - 1.0;
                (expected_after - after as f64, expected_after)
            }
        };
        Some(Measured {
            loss: Loss {
                s,
                e,
                lost,
                relative,
                z,
            },
            size,
            base,
        })
    }

    /// Which of the reporting thresholds a measured loss meets, judged at
    /// `bar` standard deviations.
    fn check(&self, m: &Measured, bar: f64) -> Check {
        Check {
            enough_followers: m.size >= self.settings.min_lost as f64,
            enough_share: m.size >= self.settings.min_drop * m.base,
            abnormal: m.loss.z <= -bar,
        }
    }

    fn affected(&self, i: usize, loss: &Loss, outcome: &Outcome) -> Affected {
        let t = &self.tracks[i];
        Affected {
            account: self.names[i].clone(),
            before: t.count(loss.s),
            after: t.count(loss.e),
            lost: loss.lost,
            relative_loss: round(loss.relative, 5),
            recovered_at: outcome.recovered_at.map(Timestamp),
            excess: false,
            following_before: t.following.get(loss.s),
            following_after: t.following.get(loss.e),
        }
    }

    fn outcome(&self, i: usize, loss: &Loss) -> Outcome {
        persistence::judge(
            &self.tracks[i],
            &self.models[i].followers,
            loss.s,
            loss.e,
            self.settings,
        )
    }

    /// The platform event of a period: the accounts whose own fall across
    /// it passes half the usual bar. `None` if no account does.
    /// Also returns, for each affected account, the snapshots its loss spans.
    fn platform_event(&self, p: &Period) -> Option<(Event, Vec<Claim>)> {
        let bar = self.settings.sensitivity / 2.0;
        let hits: Vec<(usize, Loss, Outcome)> = self
            .tracks
            .par_iter()
            .zip(self.models)
            .enumerate()
            .filter_map(|(i, (track, model))| {
                let (s, e, trend) = platform_part(track, model, p)?;
                let loss = self.loss(i, s, e, bar, Sizing::BeyondTrend, &trend)?;
                let outcome = self.outcome(i, &loss);
                Some((i, loss, outcome))
            })
            .collect();
        if hits.is_empty() {
            return None;
        }
        // The loss began when the first accounts began to lose, and was complete
        // when nearly all had: low and high quantiles, robust to a stray account.
        let at = |q: f64, pick: &dyn Fn(&Track, &Loss) -> i64| {
            quantile(
                &mut hits
                    .iter()
                    .map(|(i, l, _)| pick(&self.tracks[*i], l))
                    .collect::<Vec<_>>(),
                q,
            )
        };
        let start = at(0.1, &|t, l| t.time(l.s))?;
        let span = Period {
            from: at(0.1, &|t, l| t.g(l.s))?,
            to: at(0.9, &|t, l| t.g(l.e))?,
            best: p.best,
        };
        let end = at(0.9, &|t, l| t.time(l.e))?;
        let outcomes: Vec<Outcome> = hits.iter().map(|(_, _, o)| *o).collect();
        let verdict = persistence::majority(&outcomes);
        let mut accounts: Vec<Affected> = hits
            .iter()
            .map(|(i, l, o)| self.affected(*i, l, o))
            .collect();
        mark_excess(&mut accounts, self.settings.sensitivity);
        accounts.sort_by(|a, b| b.lost.cmp(&a.lost).then_with(|| a.account.cmp(&b.account)));
        let mut relative: Vec<f64> = hits.iter().map(|(_, l, _)| l.relative).collect();
        let around = cohort::around(
            self.tracks,
            self.models,
            self.movements,
            span.from,
            span.to,
            usize::MAX,
        );
        let event = Event {
            // Named by the grid point where it starts, not the snapshot's
            // second: which accounts count among its hits (and so the
            // quantile of their times) can change as later snapshots
            // sharpen their models, and the id must not (SPEC: stable
            // when snapshots are appended).
            id: format!("p-{}", format_compact(span.from * self.bucket)),
            class: Class {
                scope: Scope::Platform,
                persistence: verdict.persistence,
            },
            start: Timestamp(start),
            end: Timestamp(end),
            recovered_at: verdict.recovered_at.map(Timestamp),
            cohort_size: p.best.observed,
            accounts_affected: accounts.len(),
            breadth: round(p.best.breadth(), 4),
            followers_lost: accounts.iter().map(|a| a.lost).sum(),
            median_relative_loss: round(median(&mut relative).unwrap_or(0.0), 5),
            score: round(p.best.score, 1),
            following_breadth: cohort::following_breadth(
                self.models,
                span.from,
                span.to,
                self.settings.min_drop,
            )
            .map(|b| round(b, 4)),
            cohort_change: around.typical_change.map(|c| round(c, 5)),
            accounts,
            previous_kind: None,
        };
        Some((event, hits.iter().map(|(i, l, _)| (*i, l.s, l.e)).collect()))
    }

    /// The scope of an account's own drop given the cohort around it;
    /// `None` when the cohort fell with it: a loss across a long collection
    /// gap that spans a platform event is that event's, unless the account
    /// lost far more than its cohort.
    fn own_scope(&self, around: &cohort::Around, loss: &Loss) -> Option<Scope> {
        let cohort_loss = -around.typical_change.unwrap_or(0.0);
        if around.breadth() >= self.settings.min_breadth
            && loss.relative < EXCESS_RATIO * cohort_loss
        {
            return None;
        }
        Some(if around.observed as usize >= self.settings.min_cohort {
            Scope::Account
        } else {
            Scope::Unknown
        })
    }

    /// An account's own drop, a loss that passed the full bar, as an event
    /// unless its cohort fell with it.
    fn account_event(&self, i: usize, loss: Loss) -> Option<Event> {
        let (s, e) = (loss.s, loss.e);
        let track = &self.tracks[i];
        let (from, to) = (track.g(s), track.g(e));
        let around = cohort::around(self.tracks, self.models, self.movements, from, to, i);
        let scope = self.own_scope(&around, &loss)?;
        let outcome = self.outcome(i, &loss);
        Some(Event {
            id: own_id(scope, track.time(s), &self.names[i]),
            class: Class {
                scope,
                persistence: outcome.persistence,
            },
            start: Timestamp(track.time(s)),
            end: Timestamp(track.time(e)),
            recovered_at: outcome.recovered_at.map(Timestamp),
            cohort_size: around.observed,
            accounts_affected: 1,
            breadth: round(around.breadth(), 4),
            followers_lost: loss.lost,
            median_relative_loss: round(loss.relative, 5),
            score: round(-loss.z, 1),
            following_breadth: cohort::following_breadth(
                self.models,
                from,
                to,
                self.settings.min_drop,
            )
            .map(|b| round(b, 4)),
            cohort_change: around.typical_change.map(|c| round(c, 5)),
            accounts: vec![self.affected(i, &loss, &outcome)],
            previous_kind: None,
        })
    }
}

/// The id of an account's own event: `a-<start>-<account>`, or
/// `u-<start>-<account>` when its scope is unknown.
fn own_id(scope: Scope, start: i64, name: &str) -> String {
    let prefix = if scope == Scope::Account { "a" } else { "u" };
    format!("{prefix}-{}-{name}", format_compact(start))
}

/// Where an account's part in a platform period would lie: its steepest
/// loss within its bracket around the period, as `(before, after)`
/// snapshots, with the trend of the bracket's steps (which holds the
/// loss's); `None` when it does not observe the period.
fn platform_part(track: &Track, model: &Model, p: &Period) -> Option<(usize, usize, Trend)> {
    let b = bracket(track, model, p.from, p.to)?;
    let trend = model.followers.trend(track, b.a + 1, b.c);
    let (s, e) = steepest_loss(track, &model.followers, &trend, b.a, b.c);
    Some((s, e, trend))
}

/// Within snapshots `a..=c`, the loss as `(s, e)`: "the last snapshot
/// before the loss began" and "the first at which it was complete".
///
/// The core is the most abnormal fall: the bottom is the lowest point once
/// the account's usual trend is removed, the start the earlier point from
/// which the fall to it is the most standard deviations, the end the first
/// point where the fall from the start is at its most abnormal. The core is
/// then widened over neighbouring steps that are themselves abnormal falls,
/// so a loss spread over several snapshots is taken whole, while a slow
/// wander before or after it is left out. `trend` holds steps `a + 1..=c`.
fn steepest_loss(
    track: &Track,
    noise: &Noise,
    trend: &Trend,
    a: usize,
    c: usize,
) -> (usize, usize) {
    let v = |k| track.count(k);
    // Detrended log level of each point, from `a` on.
    let mut usual = 0.0;
    let u: Vec<f64> = (a..=c)
        .map(|k| {
            if k > a {
                usual += trend.at(k) * (track.g(k) - track.g(k - 1)) as f64;
            }
            level(v(k)) - usual
        })
        .collect();
    let at = |k: usize| u[k - a];
    // How abnormal the fall from i to j is, in standard deviations.
    let fall = |i: usize, j: usize| {
        let rounding = 1.0 / (v(i) as f64 + 1.0);
        let sd = (noise.sigma.powi(2) * (track.g(j) - track.g(i)) as f64 + rounding.powi(2)).sqrt();
        (at(i) - at(j)) / sd
    };
    let low = (a + 1..=c).fold(a + 1, |low, k| if at(k) < at(low) { k } else { low });
    let mut s = (a..low).fold(a, |s, k| if fall(k, low) >= fall(s, low) { k } else { s });
    let mut e = low;
    for k in (s + 1..low).rev() {
        if fall(s, k) >= fall(s, e) {
            e = k;
        }
    }
    while s > a && fall(s - 1, s) >= Z_EXTEND {
        s -= 1;
    }
    while e < c && fall(e, e + 1) >= Z_EXTEND {
        e += 1;
    }
    (s, e)
}

/// Runs of consecutive falls ([`Model::falls`]) outside platform events,
/// each as the `(before, after)` snapshots of its loss and the trend of the
/// run's steps (which holds the loss's): a loss spread over several
/// snapshots is one run, and a loss across a collection gap is one step.
/// Steps the account lost across in a platform event (`claimed`), and steps
/// that observed a platform period, belong to that event; a long gap that
/// merely spans one does not.
fn drop_runs(
    track: &Track,
    model: &Model,
    periods: &[Period],
    claimed: &[(usize, usize)],
) -> Vec<(usize, usize, Trend)> {
    let own = |&k: &usize| {
        let (ga, gc) = (track.g(k - 1), track.g(k));
        !claimed.iter().any(|&(s, e)| s < k && k <= e)
            && !periods
                .iter()
                .any(|p| p.overlaps(ga, gc) && model.observes(ga, gc, p.to - p.from))
    };
    let mut falls = model
        .falls
        .iter()
        .map(|&k| k as usize)
        .filter(own)
        .peekable();
    let mut runs = Vec::new();
    while let Some(first) = falls.next() {
        let mut last = first;
        while falls.next_if(|&k| k == last + 1).is_some() {
            last += 1;
        }
        let trend = model.followers.trend(track, first, last);
        let (s, e) = steepest_loss(track, &model.followers, &trend, first - 1, last);
        runs.push((s, e, trend));
    }
    runs
}

/// Marks the accounts of a platform event that lost far more than its
/// typical account: at least [`EXCESS_RATIO`] times the median relative
/// loss, and beyond `sensitivity` robust deviations of the losses' spread.
fn mark_excess(accounts: &mut [Affected], sensitivity: f64) {
    let mut losses: Vec<f64> = accounts.iter().map(|a| a.relative_loss).collect();
    let Some(typical) = median(&mut losses) else {
        return;
    };
    let spread = MAD_TO_SD * mad(&losses, typical).unwrap_or(0.0);
    for a in accounts {
        a.excess = a.relative_loss >= EXCESS_RATIO * typical
            && a.relative_loss - typical > sensitivity * spread;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let c = |scope, persistence| Class { scope, persistence }.kind();
        assert_eq!(c(Scope::Platform, Persistence::Reverted), "platform_glitch");
        assert_eq!(c(Scope::Account, Persistence::Persistent), "account_purge");
        assert_eq!(c(Scope::Unknown, Persistence::Undetermined), "drop");
    }

    #[test]
    fn steepest_loss_finds_the_fall() {
        let t = Track::on_points(
            (0..6).collect(),
            1,
            vec![10_000, 10_500, 10_400, 8_000, 7_900, 9_000],
        );
        let quiet = Noise::steady(0.0, 1e-4);
        assert_eq!(
            steepest_loss(&t, &quiet, &quiet.trend(&t, 1, 5), 0, 5),
            (1, 4)
        );
        // A wiggle of one follower next to the drop is noise, not the drop.
        let t = Track::on_points((0..5).collect(), 1, vec![1000, 999, 800, 799, 850]);
        let noisy = Noise::steady(0.0, 0.002);
        assert_eq!(
            steepest_loss(&t, &noisy, &noisy.trend(&t, 1, 4), 0, 4),
            (1, 2)
        );
    }
}
