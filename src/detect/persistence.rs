//! Persistence: did the lost followers come back within the recovery
//! window? Judged against the account's own trend, so that a growing
//! account does not "recover" from a purge merely by growing.

use super::model::{Noise, level};
use super::{Settings, Span};
use crate::grid::Track;
use serde::Serialize;

/// Whether a drop came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Persistence {
    /// The followers came back within the recovery window: a glitch.
    Reverted,
    /// The window passed without that: a purge.
    Persistent,
    /// The data ends before the window does.
    Undetermined,
}

/// The outcome of one account's drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub persistence: Persistence,
    pub recovered_at: Option<i64>,
}

/// Judges the drop of `track` over `span`.
///
/// Recovered at the first snapshot within `recovery_window` of `e` whose
/// count has made up `recovery_share` of the gap between two paths from
/// the drop on, both following the account's usual drift: the path had the
/// followers stayed lost, and the path had they never gone.
pub fn judge(track: &Track, noise: &Noise, span: Span, settings: &Settings) -> Outcome {
    let paths = Paths::new(track, noise, span);
    for k in paths.window(settings) {
        let (stayed, never_left) = paths.at(k);
        let target = stayed + settings.recovery_share * (never_left - stayed);
        if level(track.count(k)).exp() >= target {
            return Outcome {
                persistence: Persistence::Reverted,
                recovered_at: Some(track.time(k)),
            };
        }
    }
    let deadline = paths.deadline(settings);
    let persistence = if track.time(track.len() - 1) >= deadline {
        Persistence::Persistent
    } else {
        Persistence::Undetermined
    };
    Outcome {
        persistence,
        recovered_at: None,
    }
}

/// How far the account got back within the recovery window after its drop
/// over `span`: the largest share of the gap between the two paths of
/// [`judge`] made up at any snapshot of the window (1 = all the followers
/// back, beyond the usual trend); `None` when no snapshot lies in it.
pub fn progress(track: &Track, noise: &Noise, span: Span, settings: &Settings) -> Option<f64> {
    let paths = Paths::new(track, noise, span);
    paths
        .window(settings)
        .map(|k| {
            let (stayed, never_left) = paths.at(k);
            (level(track.count(k)).exp() - stayed) / (never_left - stayed)
        })
        .filter(|share| share.is_finite())
        .reduce(f64::max)
}

/// The two paths a drop's recovery is judged between.
struct Paths<'a> {
    track: &'a Track,
    s: usize,
    e: usize,
    before: f64,
    after: f64,
    drift: f64,
}

impl<'a> Paths<'a> {
    fn new(track: &'a Track, noise: &Noise, span: Span) -> Paths<'a> {
        let Span {
            before: s,
            after: e,
        } = span;
        Paths {
            track,
            s,
            e,
            before: level(track.count(s)),
            after: level(track.count(e)),
            drift: noise.trend_at(track, s),
        }
    }

    /// When the recovery window closes.
    fn deadline(&self, settings: &Settings) -> i64 {
        self.track
            .time(self.e)
            .saturating_add(settings.recovery_window)
    }

    /// The snapshots after the drop within the recovery window.
    fn window(&self, settings: &Settings) -> impl Iterator<Item = usize> + '_ {
        let deadline = self.deadline(settings);
        (self.e + 1..self.track.len()).take_while(move |&k| self.track.time(k) <= deadline)
    }

    /// At snapshot `k`: the count had the followers stayed lost, and had
    /// they never left (both `+1`, as [`level`] counts).
    fn at(&self, k: usize) -> (f64, f64) {
        let g = |k| self.track.grid_point(k);
        let stayed = (self.after + self.drift * (g(k) - g(self.e)) as f64).exp();
        let never_left = (self.before + self.drift * (g(k) - g(self.s)) as f64).exp();
        (stayed, never_left)
    }
}

/// A platform event reverted when most of its affected accounts did; it is
/// persistent once that can no longer happen; otherwise undetermined. It
/// recovered when the majority had.
pub fn majority(outcomes: &[Outcome]) -> Outcome {
    let n = outcomes.len();
    let mut recovered: Vec<i64> = outcomes.iter().filter_map(|o| o.recovered_at).collect();
    let open = outcomes
        .iter()
        .filter(|o| o.persistence == Persistence::Undetermined)
        .count();
    let majority = n / 2 + 1;
    if recovered.len() >= majority {
        recovered.sort_unstable();
        return Outcome {
            persistence: Persistence::Reverted,
            recovered_at: Some(recovered[majority - 1]),
        };
    }
    let persistence = if recovered.len() + open >= majority {
        Persistence::Undetermined
    } else {
        Persistence::Persistent
    };
    Outcome {
        persistence,
        recovered_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(values: &[u64]) -> Track {
        let n = values.len() as i64;
        Track::on_points((0..n).collect(), 3600, values.to_vec())
    }

    fn settings() -> Settings {
        Settings {
            recovery_window: 3 * 3600,
            recovery_share: 0.8,
            ..Settings::default()
        }
    }

    /// A drop from the first snapshot to the second.
    const SPAN: Span = Span {
        before: 0,
        after: 1,
    };

    fn flat() -> Noise {
        Noise::steady(0.0, 1e-4)
    }

    #[test]
    fn reverted_persistent_undetermined() {
        let o = judge(
            &track(&[1000, 900, 950, 990, 1000, 1000]),
            &flat(),
            SPAN,
            &settings(),
        );
        assert_eq!(
            o,
            Outcome {
                persistence: Persistence::Reverted,
                recovered_at: Some(3 * 3600)
            }
        );
        let o = judge(
            &track(&[1000, 900, 900, 910, 905, 900]),
            &flat(),
            SPAN,
            &settings(),
        );
        assert_eq!(o.persistence, Persistence::Persistent);
        let o = judge(&track(&[1000, 900, 900]), &flat(), SPAN, &settings());
        assert_eq!(o.persistence, Persistence::Undetermined);
    }

    #[test]
    fn growth_alone_is_not_recovery() {
        // Grows 2 % a bucket; loses 10 %; keeps growing from the lower level.
        let grow = Noise::steady((1.02f64).ln(), 1e-4);
        let mut v: Vec<f64> = vec![10_000.0, 9_000.0];
        for _ in 0..5 {
            v.push(v[v.len() - 1] * 1.02);
        }
        let values: Vec<u64> = v.iter().map(|x| x.round() as u64).collect();
        let o = judge(&track(&values), &grow, SPAN, &settings());
        assert_eq!(o.persistence, Persistence::Persistent, "{values:?}");
    }

    #[test]
    fn majority_rule() {
        let r = |t| Outcome {
            persistence: Persistence::Reverted,
            recovered_at: Some(t),
        };
        let p = Outcome {
            persistence: Persistence::Persistent,
            recovered_at: None,
        };
        let u = Outcome {
            persistence: Persistence::Undetermined,
            recovered_at: None,
        };
        assert_eq!(majority(&[r(5), r(3), p]), r(5));
        assert_eq!(majority(&[r(5), p, p]).persistence, Persistence::Persistent);
        assert_eq!(
            majority(&[r(5), u, p]).persistence,
            Persistence::Undetermined
        );
    }
}
