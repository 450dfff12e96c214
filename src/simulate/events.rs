//! Injected events and their truth: platform glitches and purges, account
//! purges and glitches, purges that coincide with a glitch, events too
//! close to the end of the data to judge, and the styles of the newer
//! scenarios (slow purges, events hidden by an outage, a Twitter-2018-like
//! sweep and its recount).

use super::population::Account;
use super::rng::Rng;
use crate::detect::{Class, Persistence, Scope};
use crate::time::Timestamp;
use serde::Serialize;

const HOUR: i64 = 3600;
use crate::time::DAY;

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

/// What a loss is measured in. Losses given in followers or in the
/// account's noise are turned into a share once the count just before the
/// onset is known (the account may have grown or gone viral since it was
/// drawn).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// This share of the account.
    Share(f64),
    /// This many followers.
    Followers(f64),
    /// This many of the account's standard deviations over one interval.
    Noise(f64),
    /// This share of the account, but at least this many of its standard
    /// deviations over one interval.
    ShareAtLeast(f64, f64),
}

/// A loss never takes more than this share of an account.
const MAX_LOSS: f64 = 0.9;

/// One account's part of one event: a multiplicative loss that sets in
/// over `onset..onset + duration` and may be restored later.
#[derive(Debug, Clone)]
pub struct Injection {
    pub event: usize,
    pub onset: i64,
    pub duration: i64,
    /// Share of the account lost (for other measures: 0 until sized).
    pub loss: f64,
    pub measure: Measure,
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
    /// A loss of `measure` that sets in over `onset..onset + duration` and
    /// stays.
    fn lasting(event: usize, onset: i64, duration: i64, measure: Measure) -> Injection {
        Injection {
            event,
            onset,
            duration,
            loss: match measure {
                Measure::Share(share) => share,
                _ => 0.0,
            },
            measure,
            following_loss: 0.0,
            restore: None,
            before: None,
            seen: 0.0,
        }
    }

    /// Notes the count just before the onset and, for a loss measured in
    /// followers or noise, sizes the loss from it.
    pub fn set_before(&mut self, count: f64, account: &Account, interval: i64) {
        self.before = Some(count);
        let sd = || account.noise_sd(count, interval as f64);
        let lost = match self.measure {
            Measure::Share(_) => return,
            Measure::Followers(n) => n,
            Measure::Noise(k) => k * sd(),
            Measure::ShareAtLeast(share, k) => (share * count).max(k * sd()),
        };
        self.loss = (lost / count.max(1.0)).min(MAX_LOSS);
    }

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
    pub style: Unfolding,
}

/// How a planned event unfolds, beyond what its kind says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfolding {
    /// As events of its kind usually do.
    Usual,
    /// Fake followers removed in batches: an account purge over 20–48
    /// hours, each step 0.6–2.5 of the account's standard deviations over
    /// one interval and the whole 7–15 of its standard deviations over the
    /// window; a platform purge over 6–14 hours per account, the onsets
    /// staggered over about 12 hours.
    Slow,
    /// While the collector is down for every account (`outage`, which
    /// holds the whole loss): a glitch is mended only some hours after the
    /// collector is back, so that the data can show it.
    Unseen { outage: (i64, i64) },
    /// Twitter's purge of July 2018: nearly every account is hit, those of
    /// a million followers or more losing 0.3–12 %, the others four
    /// followers or fewer.
    Sweep,
    /// A recount months after a sweep, about a third as big: nearly every
    /// account is hit, most losing a fraction of their noise over one
    /// interval, one in ten a third of what the sweep took from big
    /// accounts (0.1–4 %) and at least 10 times their noise.
    Recount,
}

/// An account of at least this many followers is big in a sweep.
const SWEEP_BIG: f64 = 1e6;

/// Everything injected: per-account injections and the truth skeleton.
pub struct Injected {
    pub per_account: Vec<Vec<Injection>>,
    pub events: Vec<TrueEvent>,
}

/// The longest a platform glitch or purge of the usual style takes to set
/// in.
pub fn longest_onset(kind: Kind) -> i64 {
    if kind == Kind::PlatformGlitch {
        4 * HOUR
    } else {
        20 * HOUR
    }
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
        let (class, start, end, restore) = match plan.kind {
            Kind::PlatformPurge if plan.style.spreads() => {
                let Some((start, end)) =
                    spread_purge(plan, accounts, event, &mut per_account, &observed_at, rng)
                else {
                    continue;
                };
                (Scope::Platform, start, end, None)
            }
            Kind::AccountPurge if plan.style == Unfolding::Slow => {
                let Some((i, injection)) =
                    slow_account_purge(plan, accounts, interval, event, &observed_at, rng)
                else {
                    continue;
                };
                let end = injection.onset + injection.duration;
                per_account[i].push(injection);
                (Scope::Account, plan.at, end, None)
            }
            Kind::PlatformGlitch | Kind::PlatformPurge => {
                let glitch = plan.kind == Kind::PlatformGlitch;
                let duration = onset_len(rng, HOUR, longest_onset(plan.kind));
                let restore =
                    glitch.then(|| restoration(plan, duration, interval, slow_restore, rng));
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
                        measure: Measure::Share(loss),
                        following_loss: if glitch { rng.range(0.01, 0.1) } else { 0.0 },
                        restore: restore.map(|r| Restore {
                            start: r.start + rng.below(0, r.duration / 4 + 1),
                            ..r
                        }),
                        before: None,
                        seen: 0.0,
                    });
                }
                (Scope::Platform, plan.at, plan.at + duration, restore)
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
                per_account[i].push(Injection::lasting(
                    host,
                    onset,
                    duration,
                    Measure::Share(loss),
                ));
                events[host].excess.push(accounts[i].name.clone());
                continue;
            }
            Kind::AccountPurge | Kind::AccountGlitch => {
                let glitch = plan.kind == Kind::AccountGlitch;
                let Some(i) = plan.account.or_else(|| {
                    pick_account(accounts, rng, &|a: &Account| observed_at(a, plan.at))
                }) else {
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
                    restore,
                    ..Injection::lasting(event, plan.at, duration, Measure::Share(loss))
                });
                (Scope::Account, plan.at, plan.at + duration, restore)
            }
        };
        let (persistence, recovered_at) = truth_persistence(end, restore, data_end);
        events.push(TrueEvent {
            id: format!("t{}", event + 1),
            class: Class {
                scope: class,
                persistence,
            },
            start: Timestamp(start),
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

impl Unfolding {
    /// Whether a platform purge of this style is spread by [`spread_purge`].
    fn spreads(self) -> bool {
        matches!(
            self,
            Unfolding::Slow | Unfolding::Sweep | Unfolding::Recount
        )
    }
}

/// When a platform glitch is mended. No sooner than every account has been
/// sampled during it (and, after an outage that hid it, since the
/// collector came back), so that the data can show it; a slow restoration
/// (the hard scenario) takes one to two days, else two hours to a day.
fn restoration(plan: &Plan, duration: i64, interval: i64, slow: bool, rng: &mut Rng) -> Restore {
    let settle = (6 * HOUR).max(3 * interval / 2);
    let lost = plan.at + duration;
    // After an outage, soon enough that the truth still calls it reverted.
    let (from, delay, length) = match plan.style {
        Unfolding::Unseen { outage } => (lost.max(outage.1), 6 * HOUR, (2 * HOUR, DAY)),
        _ if slow => (lost, 6 * HOUR, (DAY, 2 * DAY)),
        _ => (lost, 30 * HOUR, (2 * HOUR, DAY)),
    };
    Restore {
        start: from + settle + rng.below(0, delay),
        duration: rng.below(length.0, length.1),
        share: rng.range(0.95, 1.0),
    }
}

/// Spreads a platform purge of the slow, sweep or recount style over the
/// accounts; returns when the first loss begins and when the last is
/// complete (none when no account was hit).
fn spread_purge(
    plan: &Plan,
    accounts: &[Account],
    event: usize,
    per_account: &mut [Vec<Injection>],
    observed: &dyn Fn(&Account, i64) -> bool,
    rng: &mut Rng,
) -> Option<(i64, i64)> {
    // Onsets staggered over about 12 hours, each account's loss then
    // taking 6–14 hours (slow); else onsets and a common length as in the
    // usual platform purge, but nearly every account hit.
    let (stagger, share, length) = if plan.style == Unfolding::Slow {
        (rng.below(10 * HOUR, 14 * HOUR), rng.range(0.6, 0.95), None)
    } else {
        let duration = rng.below(HOUR, longest_onset(Kind::PlatformPurge));
        let share = rng.range(0.85, 1.0);
        (duration / 4 + 1, share, Some(duration - duration / 4))
    };
    let mut span: Option<(i64, i64)> = None;
    for (i, a) in accounts.iter().enumerate() {
        if !observed(a, plan.at) || !rng.chance(share) {
            continue;
        }
        let onset = plan.at + rng.below(0, stagger);
        let length = length.unwrap_or_else(|| rng.below(6 * HOUR, 14 * HOUR));
        let measure = purge_measure(plan.style, a, rng);
        per_account[i].push(Injection::lasting(event, onset, length, measure));
        let (first, last) = span.unwrap_or((onset, onset + length));
        span = Some((first.min(onset), last.max(onset + length)));
    }
    span
}

/// One account's loss in a platform purge of the given style.
fn purge_measure(style: Unfolding, a: &Account, rng: &mut Rng) -> Measure {
    match style {
        Unfolding::Sweep if a.size >= SWEEP_BIG => Measure::Share(rng.log_range(0.003, 0.12)),
        Unfolding::Sweep => Measure::Followers(rng.below(1, 5) as f64),
        Unfolding::Recount if rng.chance(0.1) => {
            Measure::ShareAtLeast(rng.log_range(0.001, 0.04), rng.range(10.0, 20.0))
        }
        Unfolding::Recount => Measure::Noise(rng.range(0.1, 0.9)),
        _ => Measure::Share(rng.log_range(0.005, 0.05)),
    }
}

/// A slow account purge: fake followers removed in batches over 20–48
/// hours, each step 0.6–2.5 of the account's standard deviations over one
/// interval, the whole 7–15 of its standard deviations over the window
/// (√steps times a step's: the noise is a random walk). When the interval
/// is too long for both (fewer than eight steps in the window), the
/// window's size wins. The account is one whose loss will be material,
/// with room to grow.
fn slow_account_purge(
    plan: &Plan,
    accounts: &[Account],
    interval: i64,
    event: usize,
    observed: &dyn Fn(&Account, i64) -> bool,
    rng: &mut Rng,
) -> Option<(usize, Injection)> {
    let duration = rng.below(20 * HOUR, 48 * HOUR);
    let steps = (duration as f64 / interval as f64).max(1.0);
    let (lo, hi) = (7f64.max(0.6 * steps.sqrt()), 15f64.min(2.5 * steps.sqrt()));
    let window = if lo < hi {
        rng.range(lo, hi)
    } else {
        rng.range(7.0, 15.0)
    };
    let noises = window * steps.sqrt();
    let fits = |a: &Account| {
        observed(a, plan.at)
            && noises * a.noise_sd(a.size, interval as f64) >= 2.0 * MATERIAL_SHARE * a.size
    };
    let i = plan
        .account
        .or_else(|| pick_account(accounts, rng, &fits))?;
    let injection = Injection::lasting(event, plan.at, duration, Measure::Noise(noises));
    Some((i, injection))
}

/// An account for an account event: one that `fits`, big enough that a
/// purge of a few percent stands out of its noise.
fn pick_account(
    accounts: &[Account],
    rng: &mut Rng,
    fits: &dyn Fn(&Account) -> bool,
) -> Option<usize> {
    let candidates: Vec<usize> = (0..accounts.len())
        .filter(|&i| accounts[i].size >= 1000.0 && fits(&accounts[i]))
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
    use super::super::population::Shape;
    use super::*;

    #[test]
    fn injection_shape() {
        let inj = Injection {
            event: 0,
            onset: 100,
            duration: 100,
            loss: 0.1,
            measure: Measure::Share(0.1),
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

    /// A slow account purge's steps hide in the account's noise (0.6–2.5
    /// standard deviations each at hourly sampling) while the window stands
    /// out (7–15 of its standard deviations), at any interval; and the loss
    /// is material.
    #[test]
    fn slow_account_purges() {
        let days = 30 * DAY;
        for interval in [HOUR, 6 * HOUR, DAY] {
            let shape = Shape {
                start: 0,
                end: days,
                interval,
                staggered: false,
            };
            let rng = Rng::new(5);
            let accounts: Vec<Account> = (0..80)
                .map(|i| Account::draw(i, &mut rng.fork(i as u64), &shape))
                .collect();
            for seed in 0..20 {
                let plan = Plan {
                    kind: Kind::AccountPurge,
                    at: 10 * DAY,
                    account: None,
                    style: Unfolding::Slow,
                };
                let mut injected = inject(
                    &[plan],
                    &accounts,
                    interval,
                    days,
                    false,
                    &mut Rng::new(seed),
                );
                let (i, inj) = (0..accounts.len())
                    .find_map(|i| Some((i, injected.per_account[i].pop()?)))
                    .expect("an account");
                let (a, mut inj) = (&accounts[i], inj);
                inj.set_before(a.size, a, interval);
                let (lost, sd) = (a.size * inj.loss, a.noise_sd(a.size, interval as f64));
                let steps = (inj.duration as f64 / interval as f64).max(1.0);
                assert!((20 * HOUR..48 * HOUR).contains(&inj.duration));
                let window = lost / sd / steps.sqrt();
                assert!((7.0..=15.0).contains(&window), "{window}");
                if interval == HOUR {
                    let step = lost / steps / sd;
                    assert!((0.6..=2.5).contains(&step), "{step}");
                }
                assert!(material(a, &inj, interval));
            }
        }
    }

    /// The sweep takes 0.3–12 % from accounts of a million followers or
    /// more and one to four followers from the others; the recount takes a
    /// fraction of their noise from most, and more from about one in ten.
    #[test]
    fn sweep_and_recount_losses() {
        let shape = Shape {
            start: 0,
            end: 240 * DAY,
            interval: DAY,
            staggered: false,
        };
        let rng = Rng::new(9);
        let accounts: Vec<Account> = (0..400)
            .map(|i| Account::draw(i, &mut rng.fork(i as u64), &shape))
            .collect();
        let plan = |at, style| Plan {
            kind: Kind::PlatformPurge,
            at,
            account: None,
            style,
        };
        let plans = [
            plan(60 * DAY, Unfolding::Sweep),
            plan(170 * DAY, Unfolding::Recount),
        ];
        let injected = inject(&plans, &accounts, DAY, 240 * DAY, false, &mut Rng::new(1));
        let (mut hit, mut heavy) = ([0; 2], 0);
        for (a, injections) in accounts.iter().zip(&injected.per_account) {
            for inj in injections {
                hit[inj.event] += 1;
                match (inj.event, inj.measure) {
                    (0, Measure::Share(s)) => {
                        assert!(a.size >= SWEEP_BIG && (0.003..0.12).contains(&s))
                    }
                    (0, Measure::Followers(n)) => {
                        assert!(a.size < SWEEP_BIG && (1.0..=4.0).contains(&n))
                    }
                    (1, Measure::Noise(k)) => assert!(k < 1.0),
                    (1, Measure::ShareAtLeast(s, k)) => {
                        assert!((0.001..0.04).contains(&s) && k >= 10.0);
                        heavy += 1;
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
        assert!(hit.iter().all(|&n| n >= 300), "{hit:?}");
        let share = heavy as f64 / hit[1] as f64;
        assert!((0.06..0.14).contains(&share), "{share}");
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
