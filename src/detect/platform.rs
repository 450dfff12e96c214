//! Platform events (stage c of detection, first half): from the windows in
//! which the cohort fell together to events with a core and members.
//!
//! A window that fired says *that* the cohort fell, not exactly *when*: a
//! window of two days that holds a one-hour glitch fires too. So each
//! event gets a **core**, the time in which its members actually fell: the
//! shortest stretch of the grid that holds the falls of most (80 %) of the
//! accounts that fell clearly in the strongest window. Only losses in the
//! core belong to the event; a fall hours away, with ordinary snapshots in
//! between, is the account's own.
//!
//! The **members** are the accounts whose own fall across the core passes
//! half the usual bar (the cohort's fall is evidence too), their loss taken
//! whole when it goes on for a step or two after the cohort stopped. An
//! account that was not observed during the core — its collector was down
//! — is judged on its loss across its gap, against its own noise over the
//! gap: a member *seen across a gap*, never a purge of its own. One that
//! lost far more than the members' typical loss is the event's *excess*
//! (a purge can coincide with a glitch). When everyone's collector was
//! down, the windows as wide as the outage carry the evidence, and the
//! shared gap is the core.

use super::cohort::{self, Bracket, CohortWindow, bracket, bracket_outside};
use super::losses::{self, Measured, Sizing};
use super::persistence::{self, Outcome};
use super::{Core, Ctx, Finding, Member, Scope, Span};
use crate::grid::Track;
use crate::stats::{MAD_TO_SD, mad, median, quantile};
use rayon::prelude::*;

/// Share of the clear fallers whose falls the core must hold.
const CORE_SHARE: f64 = 0.8;

/// With at least this many accounts falling by the full bar, the core is
/// theirs alone.
const MIN_SURE: usize = 3;

/// Fewest members of a platform event.
const MIN_MEMBERS: usize = 3;

/// Share of the members left out at either edge of an event's times.
const EDGE: f64 = 0.05;

/// An account losing this many times the typical loss of a platform event
/// (and far outside the spread of the others' losses) is marked `excess`.
const EXCESS_RATIO: f64 = 3.0;

/// A platform event as detection found it: the finding, and what was
/// judged to be its own (the stretch of the grid its members' losses
/// cover, and each member's loss), so that no other event claims them.
pub struct Platform {
    pub finding: Finding,
    /// The window whose evidence started it.
    pub window: CohortWindow,
    /// Grid points from the earliest member's loss to the latest's.
    pub reach: Core,
}

/// Every platform event: the windows that fired, strongest first, each
/// making an event unless an event already found reaches it. `own` are each
/// account's distinct losses (which also decide membership where they
/// overlap the core).
pub fn events(ctx: &Ctx, flagged: &[CohortWindow], own: &[Vec<Measured>]) -> Vec<Platform> {
    let mut found: Vec<Platform> = Vec::new();
    for w in flagged {
        if found.iter().any(|p| p.reach.overlaps(w.from, w.to)) {
            continue;
        }
        let Some(core) = core(ctx, w) else { continue };
        if found.iter().any(|p| p.reach.overlaps(core.from, core.to)) {
            continue;
        }
        if let Some(p) = event(ctx, w, core, own) {
            found.push(p);
        }
    }
    found
}

/// How many times the core is looked for again around the last one.
const REFINE: usize = 4;

/// The core of the event window `w` fired for: the shortest stretch of the
/// grid that holds the falls of [`CORE_SHARE`] of the accounts whose own
/// fall in the window passes half the bar (`None` when no account's does);
/// then the same around that core and as much again on either side, of the
/// falls that overlap it, until it holds still. The strongest window of a
/// slow platform purge holds only the middle of it: each account's fall is
/// cut short by it, and the core grows to take it whole. A glitch's core
/// holds still at once, and falls elsewhere in the wider look (any account
/// has one somewhere over days) are not the event's.
pub fn core(ctx: &Ctx, w: &CohortWindow) -> Option<Core> {
    let mut core = falls_core(
        ctx,
        Core {
            from: w.from,
            to: w.to,
        },
        None,
    )?;
    for _ in 0..REFINE {
        let width = (core.to - core.from).max(1);
        let around = Core {
            from: core.from - width,
            to: core.to + width,
        };
        match falls_core(ctx, around, Some(core)) {
            Some(next) if next != core => core = next,
            _ => break,
        }
    }
    Some(core)
}

/// The shortest stretch of the grid that holds the falls of
/// [`CORE_SHARE`] of the accounts whose own fall in `w` passes half the
/// bar (and overlaps `core`, if given).
fn falls_core(ctx: &Ctx, w: Core, core: Option<Core>) -> Option<Core> {
    let bar = ctx.settings.sensitivity / 2.0;
    let falls: Vec<(i64, i64, f64)> = ctx
        .tracks
        .par_iter()
        .zip(ctx.models)
        .filter_map(|(track, model)| {
            let b = bracket(track, model, w.from, w.to).filter(|b| goes_down(track, b))?;
            let noise = &model.followers;
            let trend = noise.long_run_trend(b.a, b.c);
            let span = losses::steepest_loss(track, noise, &trend, b.a, b.c);
            let m = losses::measure_beyond(track, noise, span, Sizing::BeyondTrend, bar)?;
            let fall = (
                track.grid_point(span.before),
                track.grid_point(span.after),
                m.loss.z,
            );
            (m.loss.z <= -bar && core.is_none_or(|c| c.overlaps(fall.0, fall.1))).then_some(fall)
        })
        .collect();
    // The accounts that fell by the full bar are located surely; a faint
    // fall's steepest stretch wanders with the noise around it.
    let sure: Vec<(i64, i64)> = falls
        .iter()
        .filter(|f| f.2 <= -ctx.settings.sensitivity)
        .map(|f| (f.0, f.1))
        .collect();
    if sure.len() >= MIN_SURE {
        return shortest_holding(&sure, CORE_SHARE);
    }
    let all: Vec<(i64, i64)> = falls.iter().map(|f| (f.0, f.1)).collect();
    shortest_holding(&all, CORE_SHARE)
}

/// Whether the count goes down anywhere within bracket `b`. Where it never
/// does, no stretch of it has a loss to measure ([`losses::measure_beyond`]
/// wants the count lower at the end), and locating one is skipped: around
/// a one-bucket window most accounts just grew.
fn goes_down(track: &Track, b: &Bracket) -> bool {
    (b.a + 1..=b.c).any(|k| track.count(k) < track.count(k - 1))
}

/// The shortest `[from, to]` that holds (each whole) at least `share` of
/// `spans`, the earliest of those; `None` for no spans.
fn shortest_holding(spans: &[(i64, i64)], share: f64) -> Option<Core> {
    if spans.is_empty() {
        return None;
    }
    let need = ((spans.len() as f64 * share).ceil() as usize).clamp(1, spans.len());
    let mut by_start = spans.to_vec();
    by_start.sort_unstable();
    // From the latest start back: the `need` smallest ends of the spans
    // starting at or after `from`, in a max-heap.
    let mut ends = std::collections::BinaryHeap::new();
    let mut best: Option<Core> = None;
    for &(from, to) in by_start.iter().rev() {
        ends.push(to);
        if ends.len() > need {
            ends.pop();
        }
        if ends.len() == need {
            let to = *ends.peek().expect("need >= 1");
            if best.is_none_or(|b| to - from <= b.to - b.from) {
                best = Some(Core { from, to });
            }
        }
    }
    best
}

/// One account's part in an event: its loss, whether it was seen only
/// across a gap, and the span of its fall within the bracket of the core
/// (for the event's times).
struct Part {
    account: usize,
    measured: Measured,
    across_gap: bool,
    within: Span,
}

/// The event of core `core`, found by window `w`; `None` when no account's
/// loss qualifies it.
fn event(ctx: &Ctx, w: &CohortWindow, core: Core, own: &[Vec<Measured>]) -> Option<Platform> {
    let mut parts: Vec<Part> = (0..ctx.tracks.len())
        .into_par_iter()
        .filter_map(|i| part(ctx, i, core, &own[i]))
        .collect();
    // A platform event is many accounts falling together: one or two that
    // pass the bar in a window the cohort's sum flagged are not one.
    if parts.len() < MIN_MEMBERS {
        return None;
    }
    let outcomes: Vec<Outcome> = parts
        .par_iter()
        .map(|p| {
            let track = &ctx.tracks[p.account];
            let noise = &ctx.models[p.account].followers;
            persistence::judge(track, noise, p.measured.loss.span, ctx.settings)
        })
        .collect();
    let excess = excess(ctx, &parts);
    // The event's persistence is its observed members'; those seen across a
    // gap follow it (unless nobody was observed, when theirs is all there is).
    let observed: Vec<Outcome> = parts
        .iter()
        .zip(&outcomes)
        .filter(|(p, _)| !p.across_gap)
        .map(|(_, o)| *o)
        .collect();
    let outcome = persistence::majority(if observed.is_empty() {
        &outcomes
    } else {
        &observed
    });
    let times = |pick: &dyn Fn(&Part) -> i64, q: f64| {
        let mut t: Vec<i64> = parts.iter().filter(|p| !p.across_gap).map(pick).collect();
        if t.is_empty() {
            t = parts.iter().map(pick).collect();
        }
        quantile(&mut t, q)
    };
    let time = |p: &Part, k: usize| ctx.tracks[p.account].time(k);
    let g = |p: &Part, k: usize| ctx.tracks[p.account].grid_point(k);
    // The event's times are its members': when the first of them (but a
    // stray few) began to lose, and when the last had (the truth of a slow
    // platform purge is when it began, not when most accounts showed it).
    let start = times(&|p| time(p, p.within.before), EDGE)?;
    let end = times(&|p| time(p, p.within.after), 1.0 - EDGE)?;
    // How far the observed members' losses reach (a member seen across a
    // gap of days says nothing of when the event was).
    let reach = parts
        .iter()
        .filter(|p| !p.across_gap)
        .fold(core, |r, p| Core {
            from: r.from.min(g(p, p.measured.loss.span.before)),
            to: r.to.max(g(p, p.measured.loss.span.after)),
        });
    parts.sort_by_key(|p| p.account);
    let members: Vec<Member> = parts
        .iter()
        .zip(outcomes)
        .zip(excess)
        .map(|((p, o), excess)| Member {
            account: p.account,
            loss: p.measured.loss,
            recovered_at: o.recovered_at,
            excess,
            across_gap: p.across_gap,
            count_step: p.measured.step,
        })
        .collect();
    let around = cohort::around(
        ctx.tracks,
        ctx.models,
        ctx.movements,
        core.from,
        core.to,
        usize::MAX,
    );
    let finding = Finding {
        scope: Scope::Platform,
        outcome,
        start,
        end,
        core,
        cohort_size: w.tally.observed,
        breadth: w.evidence.breadth,
        score: w.evidence.score,
        following_breadth: cohort::following_breadths(
            ctx.tracks,
            ctx.models,
            &[(core.from, core.to)],
            ctx.settings.min_drop,
        )[0],
        cohort_change: around.typical_change,
        cohort: None,
        members,
    };
    Some(Platform {
        finding,
        window: *w,
        reach,
    })
}

/// Account `i`'s part in the event of core `core`, if it has one: its
/// steepest loss between its last snapshot before the core and its first
/// after it, taken whole, passing half the bar beyond its usual
/// trend; or else one of its own losses that overlaps the core.
fn part(ctx: &Ctx, i: usize, core: Core, own: &[Measured]) -> Option<Part> {
    let track = &ctx.tracks[i];
    let model = &ctx.models[i];
    let noise = &model.followers;
    let width = core.to - core.from;
    let across = |span: Span| {
        !model.observes(
            track.grid_point(span.before),
            track.grid_point(span.after),
            width,
        )
    };
    let measured = bracket_outside(track, core.from, core.to).and_then(|b| {
        let trend = noise.long_run_trend(b.a, b.c);
        let within = losses::steepest_loss(track, noise, &trend, b.a, b.c);
        let span = losses::extend(track, noise, within);
        let bar = ctx.settings.sensitivity / 2.0;
        let m = losses::measure_beyond(track, noise, span, Sizing::BeyondTrend, bar)?;
        losses::check(&m, ctx.settings, bar)
            .passed()
            .then_some((m, within))
    });
    if let Some((measured, within)) = measured {
        return Some(Part {
            account: i,
            across_gap: across(within),
            measured,
            within,
        });
    }
    // Its own loss that passed the full bar and overlaps the core is the
    // event's, even where the fall across the core alone did not pass.
    let m = own.iter().find(|m| {
        let s = m.loss.span;
        core.overlaps(track.grid_point(s.before), track.grid_point(s.after))
            && losses::check(m, ctx.settings, ctx.settings.sensitivity).passed()
    })?;
    Some(Part {
        account: i,
        across_gap: across(m.loss.span),
        measured: *m,
        within: m.loss.span,
    })
}

/// Which parts lost far more than the event's typical member: at least
/// [`EXCESS_RATIO`] times the median relative loss, and beyond
/// `--sensitivity` deviations of the spread of the members' losses and of
/// the account's own noise over its loss (wide for a member seen across a
/// long gap).
fn excess(ctx: &Ctx, parts: &[Part]) -> Vec<bool> {
    let mut losses: Vec<f64> = parts
        .iter()
        .filter(|p| !p.across_gap)
        .map(|p| p.measured.loss.relative)
        .collect();
    if losses.is_empty() {
        losses = parts.iter().map(|p| p.measured.loss.relative).collect();
    }
    let Some(typical) = median(&mut losses) else {
        return vec![false; parts.len()];
    };
    let spread = MAD_TO_SD * mad(&losses, typical).unwrap_or(0.0);
    parts
        .iter()
        .map(|p| {
            let track = &ctx.tracks[p.account];
            let span = p.measured.loss.span;
            let own = ctx.models[p.account]
                .followers
                .sd(track, span.before, span.after);
            let rel = p.measured.loss.relative;
            rel >= EXCESS_RATIO * typical
                && rel - typical > ctx.settings.sensitivity * spread.hypot(own)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_core_holds_most_falls() {
        // Eight accounts fall in 10..12, one stray at 3..4, one at 20..21.
        let mut spans = vec![(10, 11); 5];
        spans.extend([(11, 12), (10, 12), (9, 11), (3, 4), (20, 21)]);
        let core = shortest_holding(&spans, 0.8).unwrap();
        assert_eq!((core.from, core.to), (9, 12));
        assert!(shortest_holding(&[], 0.8).is_none());
        let one = shortest_holding(&[(5, 7)], 0.8).unwrap();
        assert_eq!((one.from, one.to), (5, 7));
    }
}
