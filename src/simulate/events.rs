//! Injected events and their truth: platform glitches and purges, account
//! purges and glitches, purges that coincide with a glitch, and events too
//! close to the end of the data to judge.

use super::population::Account;
use super::rng::Rng;
use crate::detect::{Class, Persistence, Scope};
use crate::time::Timestamp;
use serde::Serialize;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The recovery window the truth's persistence assumes (the scan default).
pub const TRUTH_RECOVERY_WINDOW: i64 = 3 * DAY;

/// An account's injected loss is *material*, and listed in the truth, when
/// it is at least this many followers, this share of the account, and this
/// many times the account's own noise over one snapshot interval: a loss
/// smaller than that is not there to be found in the data.
pub const MATERIAL_LOST: f64 = 10.0;
pub const MATERIAL_SHARE: f64 = 0.005;
pub const MATERIAL_NOISE: f64 = 4.0;

/// The kinds of event the generator injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    PlatformGlitch,
    PlatformPurge,
    AccountPurge,
    AccountGlitch,
    /// A purge of one account during the platform event planned just
    /// before it: the account is marked `excess` in that event.
    ExcessPurge,
}

/// Lost followers coming back.
#[derive(Debug, Clone, Copy)]
pub struct Restore {
    pub start: i64,
    pub duration: i64,
    pub share: f64,
}

/// One account's part of one event: a multiplicative loss that sets in
/// over `onset..onset + duration` and may be restored later.
#[derive(Debug, Clone)]
pub struct Injection {
    pub event: usize,
    pub onset: i64,
    pub duration: i64,
    pub loss: f64,
    pub following_loss: f64,
    pub restore: Option<Restore>,
    /// Count just before the onset, filled in while simulating.
    pub before: Option<f64>,
    /// The largest share of the loss any written snapshot showed.
    pub seen: f64,
}

fn ramp(t: i64, from: i64, duration: i64) -> f64 {
    if t <= from {
        0.0
    } else if duration <= 0 {
        1.0
    } else {
        ((t - from) as f64 / duration as f64).min(1.0)
    }
}

impl Injection {
    /// Share of the loss in effect at `t`.
    pub fn progress(&self, t: i64) -> f64 {
        let lost = ramp(t, self.onset, self.duration);
        match self.restore {
            Some(r) => lost * (1.0 - r.share * ramp(t, r.start, r.duration)),
            None => lost,
        }
    }

    pub fn factor(&self, t: i64) -> f64 {
        1.0 - self.loss * self.progress(t)
    }

    pub fn following_factor(&self, t: i64) -> f64 {
        1.0 - self.following_loss * self.progress(t)
    }
}

/// An event as the generator made it (the `--truth` file).
#[derive(Debug, Clone, Serialize)]
pub struct TrueEvent {
    pub id: String,
    #[serde(flatten)]
    pub class: Class,
    pub start: Timestamp,
    pub end: Timestamp,
    pub recovered_at: Option<Timestamp>,
    /// Accounts whose injected loss is material (see `materiality`).
    pub accounts: Vec<String>,
    /// Of those, accounts that also had a purge of their own at the time.
    pub excess: Vec<String>,
}

/// A planned event before it is spread over accounts.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub kind: Kind,
    pub at: i64,
    /// For account events: which account (else chosen at random).
    pub account: Option<usize>,
}

/// Everything injected: per-account injections and the truth skeleton.
pub struct Injected {
    pub per_account: Vec<Vec<Injection>>,
    pub events: Vec<TrueEvent>,
}

/// Spreads the plans over the accounts. With `slow_restore`, platform
/// glitches mend over one to two days instead of hours.
pub fn inject(
    plans: &[Plan],
    accounts: &[Account],
    interval: i64,
    data_end: i64,
    slow_restore: bool,
    rng: &mut Rng,
) -> Injected {
    let mut per_account: Vec<Vec<Injection>> = vec![Vec::new(); accounts.len()];
    let mut events = Vec::new();
    let observed_at = |a: &Account, t: i64| {
        a.alive(t - DAY)
            && a.alive((t + DAY).min(data_end))
            && !a.in_gap(t - interval)
            && !a.in_gap(t + interval)
    };
    for plan in plans {
        let event = events.len();
        let onset_len = |rng: &mut Rng, lo: i64, hi: i64| rng.below(lo, hi.max(lo + 1));
        let (class, duration, restore) = match plan.kind {
            Kind::PlatformGlitch | Kind::PlatformPurge => {
                let glitch = plan.kind == Kind::PlatformGlitch;
                let duration = onset_len(rng, HOUR, if glitch { 4 * HOUR } else { 20 * HOUR });
                // Restored no sooner than every account has been sampled
                // during the glitch, so that the data can show it.
                let settle = (6 * HOUR).max(3 * interval / 2);
                // A slow restoration (the hard scenario) takes one to two days.
                let (delay, length) = if slow_restore {
                    (6 * HOUR, (DAY, 2 * DAY))
                } else {
                    (30 * HOUR, (2 * HOUR, DAY))
                };
                let restore = glitch.then(|| Restore {
                    start: plan.at + duration + settle + rng.below(0, delay),
                    duration: rng.below(length.0, length.1),
                    share: rng.range(0.95, 1.0),
                });
                let share = rng.range(0.6, 0.95);
                for (i, a) in accounts.iter().enumerate() {
                    if !observed_at(a, plan.at) || !rng.chance(share) {
                        continue;
                    }
                    let loss = if glitch {
                        rng.log_range(0.008, 0.04)
                    } else {
                        rng.log_range(0.005, 0.05)
                    };
                    per_account[i].push(Injection {
                        event,
                        onset: plan.at + rng.below(0, duration / 4 + 1),
                        duration: duration - duration / 4,
                        loss,
                        following_loss: if glitch { rng.range(0.01, 0.1) } else { 0.0 },
                        restore: restore.map(|r| Restore {
                            start: r.start + rng.below(0, r.duration / 4 + 1),
                            ..r
                        }),
                        before: None,
                        seen: 0.0,
                    });
                }
                (Scope::Platform, duration, restore)
            }
            Kind::ExcessPurge => {
                let Some(host) = events
                    .iter()
                    .rposition(|e: &TrueEvent| e.class.scope == Scope::Platform)
                else {
                    continue;
                };
                let hit: Vec<usize> = (0..accounts.len())
                    .filter(|&i| {
                        accounts[i].size >= 1000.0
                            && per_account[i].iter().any(|inj| inj.event == host)
                    })
                    .collect();
                if hit.is_empty() {
                    continue;
                }
                let i = plan
                    .account
                    .unwrap_or_else(|| hit[rng.below(0, hit.len() as i64) as usize]);
                let onset = events[host].start.0;
                let duration = events[host].end.0 - onset;
                let loss = rng.log_range(0.1, 0.4);
                per_account[i].push(Injection {
                    event: host,
                    onset,
                    duration,
                    loss,
                    following_loss: 0.0,
                    restore: None,
                    before: None,
                    seen: 0.0,
                });
                events[host].excess.push(accounts[i].name.clone());
                continue;
            }
            Kind::AccountPurge | Kind::AccountGlitch => {
                let glitch = plan.kind == Kind::AccountGlitch;
                let Some(i) = plan
                    .account
                    .or_else(|| pick_account(accounts, plan.at, rng, &observed_at))
                else {
                    continue;
                };
                let duration = if glitch {
                    0
                } else {
                    onset_len(rng, 0, 6 * HOUR)
                };
                let restore = glitch.then(|| Restore {
                    start: plan.at + rng.below(3 * HOUR, 2 * DAY),
                    duration: rng.below(0, 2 * HOUR),
                    share: 1.0,
                });
                let loss = if glitch {
                    rng.range(0.2, 0.9)
                } else {
                    rng.log_range(0.05, 0.4)
                };
                per_account[i].push(Injection {
                    event,
                    onset: plan.at,
                    duration,
                    loss,
                    following_loss: 0.0,
                    restore,
                    before: None,
                    seen: 0.0,
                });
                (Scope::Account, duration, restore)
            }
        };
        let end = plan.at + duration;
        let (persistence, recovered_at) = truth_persistence(end, restore, data_end);
        events.push(TrueEvent {
            id: format!("t{}", event + 1),
            class: Class {
                scope: class,
                persistence,
            },
            start: Timestamp(plan.at),
            end: Timestamp(end),
            recovered_at: recovered_at.map(Timestamp),
            accounts: Vec::new(),
            excess: Vec::new(),
        });
    }
    Injected {
        per_account,
        events,
    }
}

/// An account for an account event: one observed around `at`, big enough
/// that a purge of a few percent stands out of its noise.
fn pick_account(
    accounts: &[Account],
    at: i64,
    rng: &mut Rng,
    observed: &dyn Fn(&Account, i64) -> bool,
) -> Option<usize> {
    let candidates: Vec<usize> = (0..accounts.len())
        .filter(|&i| accounts[i].size >= 1000.0 && observed(&accounts[i], at))
        .collect();
    (!candidates.is_empty()).then(|| candidates[rng.below(0, candidates.len() as i64) as usize])
}

/// Persistence as the SPEC defines it, with the default recovery window
/// and share: reverted when 80 % of the loss is back within the window,
/// undetermined when the data ends first, persistent otherwise.
fn truth_persistence(
    end: i64,
    restore: Option<Restore>,
    data_end: i64,
) -> (Persistence, Option<i64>) {
    let deadline = end + TRUTH_RECOVERY_WINDOW;
    if let Some(r) = restore.filter(|r| r.share >= 0.8) {
        let back = r.start + (r.duration as f64 * 0.8 / r.share).ceil() as i64;
        if back <= deadline && back <= data_end {
            return (Persistence::Reverted, Some(back));
        }
    }
    if data_end < deadline {
        (Persistence::Undetermined, None)
    } else {
        (Persistence::Persistent, None)
    }
}

/// Whether one account's loss is material enough to be in the truth.
pub fn material(account: &Account, injection: &Injection, interval: i64) -> bool {
    let Some(before) = injection.before else {
        return false;
    };
    let lost = before * injection.loss;
    lost >= MATERIAL_LOST
        && injection.loss >= MATERIAL_SHARE
        && lost >= MATERIAL_NOISE * account.noise_sd(before, interval as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injection_shape() {
        let inj = Injection {
            event: 0,
            onset: 100,
            duration: 100,
            loss: 0.1,
            following_loss: 0.0,
            restore: Some(Restore {
                start: 300,
                duration: 100,
                share: 1.0,
            }),
            before: None,
            seen: 0.0,
        };
        assert_eq!(inj.factor(100), 1.0);
        assert!((inj.factor(150) - 0.95).abs() < 1e-12);
        assert!((inj.factor(250) - 0.9).abs() < 1e-12);
        assert!((inj.factor(400) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn persistence_of_the_truth() {
        let r = Restore {
            start: 10 * HOUR,
            duration: 10 * HOUR,
            share: 1.0,
        };
        assert_eq!(
            truth_persistence(0, Some(r), 30 * DAY),
            (Persistence::Reverted, Some(18 * HOUR))
        );
        assert_eq!(
            truth_persistence(0, None, 30 * DAY).0,
            Persistence::Persistent
        );
        assert_eq!(truth_persistence(0, None, DAY).0, Persistence::Undetermined);
        assert_eq!(
            truth_persistence(0, Some(r), 12 * HOUR).0,
            Persistence::Undetermined
        );
    }
}
