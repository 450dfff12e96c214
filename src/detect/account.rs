//! Account events (stage c of detection, second half): an account's own
//! losses that passed the full bar and belong to no platform event.
//!
//! A loss belongs to a platform event when it overlaps the event's core,
//! or the loss the account had in it (a loss across a collection gap that
//! spans the core is the event's, never a purge of its own). The rest are
//! the account's own: of scope `account` when at least `--min-cohort`
//! accounts were observed around it (the cohort did not fall with it, or
//! there would be a platform event there), `unknown` when too few were.

use super::cohort;
use super::losses::{self, Measured};
use super::persistence;
use super::platform::Platform;
use super::{Core, Ctx, Finding, Member, Scope};
use rayon::prelude::*;

/// Why an account's own loss was or was not an event of its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fate {
    /// It missed a threshold.
    Below,
    /// It lies in platform event `.0` (an index into the platform events).
    Platform(usize),
    /// It is an event of its own.
    Own,
}

/// What became of an account's own loss: see [`Fate`].
pub fn fate(ctx: &Ctx, i: usize, m: &Measured, platforms: &[Platform]) -> Fate {
    if !losses::check(m, ctx.settings, ctx.settings.sensitivity).passed() {
        return Fate::Below;
    }
    let track = &ctx.tracks[i];
    let span = m.loss.span;
    let (from, to) = (track.grid_point(span.before), track.grid_point(span.after));
    let (start, end) = (track.time(span.before), track.time(span.after));
    let claimed = platforms.iter().position(|p| {
        p.finding.core.overlaps(from, to)
            || (start < p.finding.end && end > p.finding.start)
            || p.finding
                .member(i)
                .is_some_and(|x| x.loss.span.overlaps(&span))
    });
    claimed.map_or(Fate::Own, Fate::Platform)
}

/// The account events: each account's own losses whose [`fate`] is
/// [`Fate::Own`].
pub fn events(ctx: &Ctx, own: &[Vec<Measured>], platforms: &[Platform]) -> Vec<Finding> {
    let mine: Vec<(usize, Measured)> = own
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, losses)| {
            losses
                .iter()
                .filter(move |m| fate(ctx, i, m, platforms) == Fate::Own)
                .map(move |m| (i, *m))
        })
        .collect();
    let windows: Vec<(i64, i64)> = mine
        .iter()
        .map(|(i, m)| {
            let t = &ctx.tracks[*i];
            (
                t.grid_point(m.loss.span.before),
                t.grid_point(m.loss.span.after),
            )
        })
        .collect();
    ctx.movements.prepare(ctx.tracks, ctx.models, &windows);
    let following =
        cohort::following_breadths(ctx.tracks, ctx.models, &windows, ctx.settings.min_drop);
    mine.into_par_iter()
        .zip(following)
        .map(|((i, m), following_breadth)| finding(ctx, i, &m, following_breadth))
        .collect()
}

/// The event of account `i`'s own loss `m`, given the following breadth
/// across it (found for all account events at once).
fn finding(ctx: &Ctx, i: usize, m: &Measured, following_breadth: Option<f64>) -> Finding {
    let track = &ctx.tracks[i];
    let span = m.loss.span;
    let (from, to) = (track.grid_point(span.before), track.grid_point(span.after));
    let around = cohort::around(ctx.tracks, ctx.models, ctx.movements, from, to, i);
    let scope = scope(ctx, around.observed);
    let outcome = persistence::judge(track, &ctx.models[i].followers, span, ctx.settings);
    Finding {
        scope,
        outcome,
        start: track.time(span.before),
        end: track.time(span.after),
        core: Core { from, to },
        cohort_size: around.observed,
        breadth: around.breadth(ctx.baseline(to - from)),
        score: -m.loss.z,
        following_breadth,
        cohort_change: around.typical_change,
        cohort: None,
        members: vec![Member {
            account: i,
            loss: m.loss,
            recovered_at: outcome.recovered_at,
            excess: false,
            across_gap: false,
            count_step: m.step,
        }],
    }
}

/// The scope of an account's own event with `observed` accounts around it.
pub fn scope(ctx: &Ctx, observed: u32) -> Scope {
    if observed as usize >= ctx.settings.min_cohort {
        Scope::Account
    } else {
        Scope::Unknown
    }
}
