//! One account's losses (stage a of detection): where its count fell by far
//! more than it usually moves, found at every width from one bucket to
//! about two days, each located tightly (the last snapshot before the loss
//! and the first at which it was complete) and measured against a trend
//! found from outside it.
//!
//! Windows of several widths are needed because losses have several
//! shapes: a glitch takes one step, a platform's batch removal of fake
//! followers takes a day or two, each of its steps only a deviation or two
//! down but the whole many. The window pass that finds them is the cohort's
//! ([`super::cohort`]): each account's windows are walked once, and every
//! window's change both counts towards the cohort and, when it is far
//! enough down, becomes a candidate here.

use super::model::{Noise, Trend, level};
use super::{Settings, Span};
use crate::grid::Track;

/// A step next to a loss is part of it when it falls this many standard
/// deviations: a wiggle of two deviations next to every drop would
/// otherwise stretch it by a snapshot now and then.
const Z_EXTEND: f64 = 3.0;

/// A window is a candidate loss when its change is this share of
/// `--sensitivity` down, judged against the whole series' trend. Lower
/// than the bar: the trend found from outside a slow loss, which the final
/// judgement uses, is steeper than the rolling one the loss itself pulled
/// down.
pub const SCREEN: f64 = 0.7;

/// A loss of one account: the snapshots it spans, measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loss {
    pub span: Span,
    /// Followers gone from `before` to `after`.
    pub lost: u64,
    /// `lost` as a share of the count before.
    pub relative: f64,
    /// How abnormal, in the account's robust standard deviations (negative).
    pub z: f64,
}

/// A window whose change was far enough down to look at: snapshots `a` to
/// `c`, and its z against the whole series' trend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub a: usize,
    pub c: usize,
    pub z: f64,
}

/// How a loss is sized against `--min-drop` and `--min-lost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizing {
    /// The followers actually gone: an account's own drop must be a real
    /// loss, not a growing account's pause.
    Observed,
    /// Beyond the account's usual trend (credited up to its long-run pace):
    /// inside a platform event, where the cohort's fall is evidence too, a
    /// growing account's day of growth must not hide its part of the loss.
    BeyondTrend,
}

/// A loss measured against the thresholds: its size in followers and the
/// count it is a share of, both as [`Sizing`] says.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    pub loss: Loss,
    pub size: f64,
    pub base: f64,
    /// The rounding step of the count before (1 when exact).
    pub step: u64,
}

/// Which reporting thresholds a loss meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// At least `--min-lost` followers.
    pub enough_followers: bool,
    /// At least `--min-drop` of the account.
    pub enough_share: bool,
    /// At least two steps of a rounded count (always true for exact counts).
    pub beyond_rounding: bool,
    /// At least the bar (`--sensitivity`, or half of it in a platform
    /// event) standard deviations below the account's usual movement.
    pub abnormal: bool,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.enough_followers && self.enough_share && self.beyond_rounding && self.abnormal
    }
}

/// Measures the loss of `track` from snapshot `s` to `e`, whatever its
/// size (`None` when the count did not fall), against what its
/// neighbourhood expects of the span ([`Noise::outside`]). That is looked
/// up only once the count is known to have fallen: it costs two of the
/// weeks' paces, and a platform event's search asks it of every account
/// several times, most of which did not fall (on hourly data, most of the
/// search's time).
pub fn measure(track: &Track, noise: &Noise, span: Span, sizing: Sizing) -> Option<Measured> {
    let Span {
        before: s,
        after: e,
    } = span;
    let (before, after) = (track.count(s), track.count(e));
    let lost = before.checked_sub(after).filter(|&l| l > 0)?;
    let relative = lost as f64 / before as f64;
    let trend = &noise.outside(track, s, e);
    let z = noise.z_with(trend, track, s, e);
    let (size, base) = match sizing {
        Sizing::Observed => (lost as f64, before as f64),
        Sizing::BeyondTrend => {
            let expected_after = (level(before) + noise.credited(trend, track, s, e)).exp() - 1.0;
            (expected_after - after as f64, expected_after)
        }
    };
    Some(Measured {
        loss: Loss {
            span,
            lost,
            relative,
            z,
        },
        size,
        base,
        step: noise.resolution.step(before),
    })
}

/// [`measure`] for a loss wanted only if it is `bar` standard deviations
/// down or more: `None` also when it surely is not, told before the costly
/// part of measuring it (see [`Noise::glance`]); a platform event
/// asks this of every account around it, and most did not fall much.
pub fn measure_beyond(
    track: &Track,
    noise: &Noise,
    span: Span,
    sizing: Sizing,
    bar: f64,
) -> Option<Measured> {
    let fell = track.count(span.after) < track.count(span.before);
    if !fell || noise.glance(track, span.before, span.after).above(bar) {
        return None;
    }
    measure(track, noise, span, sizing)
}

/// Which of the reporting thresholds a measured loss meets, judged at
/// `bar` standard deviations.
pub fn check(m: &Measured, settings: &Settings, bar: f64) -> Check {
    Check {
        enough_followers: m.size >= settings.min_lost as f64,
        enough_share: m.size >= settings.min_drop * m.base,
        beyond_rounding: m.loss.lost >= 2 * m.step,
        abnormal: m.loss.z <= -bar,
    }
}

/// Of the candidate windows of one account, the distinct losses: the most
/// abnormal window first, then each next one that does not overlap those
/// kept; each located ([`steepest_loss`]) within its window and half as
/// much again on either side, taken whole ([`extend`]), and measured
/// against what its neighbourhood expects. Losses that overlap or follow
/// one another are one.
pub fn distinct(track: &Track, noise: &Noise, mut candidates: Vec<Candidate>) -> Vec<Measured> {
    candidates.sort_by(|x, y| x.z.total_cmp(&y.z).then(x.a.cmp(&y.a)).then(x.c.cmp(&y.c)));
    let mut kept: Vec<Candidate> = Vec::new();
    for cand in candidates {
        if kept.iter().all(|k| cand.c <= k.a || k.c <= cand.a) {
            kept.push(cand);
        }
    }
    let mut spans: Vec<Span> = kept
        .iter()
        .map(|k| {
            let reach = (k.c - k.a) / 2;
            let lo = k.a.saturating_sub(reach);
            let hi = (k.c + reach).min(track.len() - 1);
            let trend = noise.trend(track, lo + 1, hi);
            extend(track, noise, steepest_loss(track, noise, &trend, lo, hi))
        })
        .collect();
    // Spans that overlap or follow one another are one loss.
    spans.sort_by_key(|s| (s.before, s.after));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.before <= last.after => last.after = last.after.max(span.after),
            _ => merged.push(span),
        }
    }
    let mut losses: Vec<Measured> = merged
        .into_iter()
        .filter_map(|span| measure(track, noise, span, Sizing::Observed))
        .collect();
    // Kept to the end of detection, for every account: no room beyond
    // them (most spans measure to nothing, and the room was theirs).
    losses.shrink_to_fit();
    losses
}

/// Within snapshots `a..=c`, the loss as a [`Span`]: "the last snapshot
/// before the loss began" and "the first at which it was complete".
///
/// The core is the most abnormal fall: the bottom is the lowest point once
/// the account's usual trend is removed, the start the earlier point from
/// which the fall to it is the most standard deviations, the end the first
/// point where the fall from the start is at its most abnormal. The core is
/// then widened over neighbouring steps that are themselves abnormal falls,
/// so a loss spread over several snapshots is taken whole, while a slow
/// wander before or after it is left out. `trend` holds steps `a + 1..=c`.
pub fn steepest_loss(track: &Track, noise: &Noise, trend: &Trend, a: usize, c: usize) -> Span {
    if c <= a {
        return Span {
            before: a,
            after: c.max(a),
        };
    }
    let v = |k| track.count(k);
    // Detrended log level of each point, from `a` on.
    let mut usual = 0.0;
    let u: Vec<f64> = (a..=c)
        .map(|k| {
            if k > a {
                usual += trend.at(k) * (track.grid_point(k) - track.grid_point(k - 1)) as f64;
            }
            level(v(k)) - usual
        })
        .collect();
    let at = |k: usize| u[k - a];
    // How abnormal the fall from i to j is, in standard deviations.
    let fall = |i: usize, j: usize| (at(i) - at(j)) / noise.sd_locating(track, i, j);
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
    Span {
        before: s,
        after: e,
    }
}

/// Extends a loss over the abnormal falls that go on right after it, and
/// right before it, beyond the snapshots it was looked for in: an account
/// of a platform event that went on losing for a step after the cohort
/// stopped lost all of it in the event.
pub fn extend(track: &Track, noise: &Noise, span: Span) -> Span {
    let Span {
        before: mut s,
        after: mut e,
    } = span;
    // Most steps around a loss are ordinary: told so at a glance.
    let falls = |i: usize, j: usize| {
        !noise.glance(track, i, j).above(Z_EXTEND) && -noise.z(track, i, j) >= Z_EXTEND
    };
    while s > 0 && falls(s - 1, s) {
        s -= 1;
    }
    while e + 1 < track.len() && falls(e, e + 1) {
        e += 1;
    }
    Span {
        before: s,
        after: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Span {
                before: 1,
                after: 4
            }
        );
        // A wiggle of one follower next to the drop is noise, not the drop.
        let t = Track::on_points((0..5).collect(), 1, vec![1000, 999, 800, 799, 850]);
        let noisy = Noise::steady(0.0, 0.002);
        assert_eq!(
            steepest_loss(&t, &noisy, &noisy.trend(&t, 1, 4), 0, 4),
            Span {
                before: 1,
                after: 2
            }
        );
    }

    #[test]
    fn overlapping_candidates_are_one_loss() {
        let t = Track::on_points(
            (0..8).collect(),
            1,
            vec![10_000, 10_001, 10_000, 9_000, 8_000, 8_001, 8_000, 8_001],
        );
        let quiet = Noise::steady(0.0, 1e-4);
        let candidates = vec![
            Candidate {
                a: 2,
                c: 3,
                z: -50.0,
            },
            Candidate {
                a: 2,
                c: 4,
                z: -80.0,
            },
            Candidate {
                a: 3,
                c: 4,
                z: -50.0,
            },
        ];
        let losses = distinct(&t, &quiet, candidates);
        assert_eq!(losses.len(), 1, "{losses:?}");
        assert_eq!(
            losses[0].loss.span,
            Span {
                before: 2,
                after: 4
            }
        );
        assert_eq!(losses[0].loss.lost, 2_000);
    }
}
