//! `followdrop simulate`: realistic labelled snapshot data and its truth,
//! for demos, for trying thresholds, and for measuring accuracy.
//!
//! The run walks the time grid once; at each step every account's count
//! moves on (growth, rhythm, noise, viral moments), injected events scale
//! it, and the snapshots the collector would have taken are written. The
//! output therefore streams in time order, as collectors write it, with
//! the usual blemishes: jittered times, missing snapshots, outages, a few
//! duplicates and rows out of order.

mod events;
mod population;
mod rng;

pub use events::{Kind, TrueEvent};

use crate::time::Timestamp;
use crate::time::push_rfc3339;
use events::{Injection, Plan, material};
use population::{Account, Shape};
use rng::Rng;
use serde::Serialize;
use std::io::{self, Write};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Ready-made mixes of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Ordinary life only: growth, rhythm, viral gains, decline, gaps.
    Quiet,
    /// One platform glitch that reverts.
    Glitch,
    /// One platform purge (most accounts lose a few percent for good).
    Purge,
    /// Account purges and an account glitch in a quiet cohort.
    Account,
    /// Everything at once, including a purge during a glitch and an event
    /// too close to the end to judge.
    Mixed,
    /// Hard cases: staggered sampling, slow onsets, restorations spread
    /// over one to two days, two platform events days apart, a loss across
    /// a collection gap, a second loss the day after a platform event.
    Hard,
}

/// Output formats of the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimFormat {
    Csv,
    Json,
    Ndjson,
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub accounts: usize,
    pub start: i64,
    pub end: i64,
    pub interval: i64,
    pub seed: u64,
    pub scenario: Scenario,
    /// Events added by hand, on top of the scenario's.
    pub inject: Vec<(Kind, i64, Option<String>)>,
    pub following: bool,
    pub format: SimFormat,
}

/// The truth of a simulated data set (the `--truth` file).
#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    pub generator: &'static str,
    pub scenario: String,
    pub seed: u64,
    pub accounts: usize,
    pub interval_seconds: i64,
    pub start: Timestamp,
    pub end: Timestamp,
    pub recovery_window_seconds: i64,
    pub materiality: String,
    pub events: Vec<TrueEvent>,
}

/// Writes the simulated snapshots to `out` and returns their truth.
pub fn simulate(opts: &SimOptions, out: &mut dyn Write) -> io::Result<Truth> {
    let rng = Rng::new(opts.seed);
    let shape = Shape {
        start: opts.start,
        end: opts.end,
        interval: opts.interval,
        staggered: opts.scenario == Scenario::Hard,
    };
    let mut accounts: Vec<Account> = (0..opts.accounts)
        .map(|i| Account::draw(i, &mut rng.fork(i as u64), &shape))
        .collect();
    if opts.scenario == Scenario::Hard {
        force_gap(&mut accounts, opts);
    }
    let mut plan_rng = rng.fork(u64::MAX);
    let mut plans = scenario_plans(opts, &accounts, &mut plan_rng);
    for (kind, at, account) in &opts.inject {
        let account = account
            .as_ref()
            .and_then(|name| accounts.iter().position(|a| &a.name == name));
        plans.push(Plan {
            kind: *kind,
            at: *at,
            account,
        });
    }
    let slow = opts.scenario == Scenario::Hard;
    let mut injected = events::inject(
        &plans,
        &accounts,
        opts.interval,
        opts.end,
        slow,
        &mut plan_rng,
    );
    let outages = outages(opts, &mut plan_rng);
    let mut writer = RowWriter::new(opts.format, opts.following);
    writer.begin(out)?;
    let mut levels: Vec<f64> = accounts.iter().map(|a| a.size).collect();
    let mut following: Vec<f64> = accounts.iter().map(|a| a.following).collect();
    let mut rngs: Vec<Rng> = (0..accounts.len())
        .map(|i| rng.fork(1_000_000 + i as u64))
        .collect();
    let mut row_rng = rng.fork(u64::MAX - 1);
    let mut t = opts.start;
    while t <= opts.end {
        let collector_down = outages.iter().any(|&(a, b)| t >= a && t < b);
        for (i, a) in accounts.iter().enumerate() {
            let r = &mut rngs[i];
            let when = t + a.offset + (a.jitter * opts.interval as f64 * r.range(-1.0, 1.0)) as i64;
            levels[i] = a.evolve(levels[i], t, opts.interval as f64, r);
            following[i] = (following[i] + r.normal() * 0.3).max(0.0);
            for inj in injected.per_account[i].iter_mut() {
                if when <= inj.onset {
                    inj.before = Some(levels[i] * a.viral_factor(when));
                }
            }
            let seen = a.alive(t) && !a.in_gap(t) && !collector_down && !r.chance(a.miss);
            if !seen || when < opts.start || when > opts.end {
                continue;
            }
            for inj in injected.per_account[i].iter_mut() {
                inj.seen = inj.seen.max(inj.progress(when));
            }
            let injections = &injected.per_account[i];
            let factor: f64 = injections.iter().map(|inj| inj.factor(when)).product();
            let following_factor: f64 = injections
                .iter()
                .map(|inj| inj.following_factor(when))
                .product();
            let count = (levels[i] * a.viral_factor(when) * factor).round() as u64;
            let follows = (following[i] * following_factor).round() as u64;
            writer.row(out, when, &a.name, count, follows, &mut row_rng)?;
        }
        t += opts.interval;
    }
    writer.finish(out)?;
    Ok(truth(
        opts,
        &accounts,
        &injected.per_account,
        injected.events,
    ))
}

/// Fills each true event's accounts with those whose loss was material,
/// and drops events that hit nobody materially.
fn truth(
    opts: &SimOptions,
    accounts: &[Account],
    per_account: &[Vec<Injection>],
    mut events: Vec<TrueEvent>,
) -> Truth {
    for (a, injections) in accounts.iter().zip(per_account) {
        for inj in injections {
            let listed = events[inj.event].accounts.contains(&a.name);
            if !listed && material(a, inj, opts.interval) {
                events[inj.event].accounts.push(a.name.clone());
            }
        }
    }
    for e in &mut events {
        e.accounts.sort();
        let accounts = &e.accounts;
        e.excess.retain(|x| accounts.contains(x));
    }
    events.retain(|e| !e.accounts.is_empty());
    events.sort_by_key(|e| e.start);
    Truth {
        generator: "followdrop simulate",
        scenario: format!("{:?}", opts.scenario).to_lowercase(),
        seed: opts.seed,
        accounts: opts.accounts,
        interval_seconds: opts.interval,
        start: Timestamp(opts.start),
        end: Timestamp(opts.end),
        recovery_window_seconds: events::TRUTH_RECOVERY_WINDOW,
        materiality: format!(
            "an account is listed when its injected loss is at least {} followers, {} of the account, and {} times its noise over one interval",
            events::MATERIAL_LOST,
            events::MATERIAL_SHARE,
            events::MATERIAL_NOISE
        ),
        events,
    }
}

/// The events of a scenario, placed in the data's span.
fn scenario_plans(opts: &SimOptions, accounts: &[Account], rng: &mut Rng) -> Vec<Plan> {
    let span = (opts.end - opts.start) as f64;
    let at = |rng: &mut Rng, lo: f64, hi: f64| opts.start + (span * rng.range(lo, hi)) as i64;
    let plan = |kind, at| Plan {
        kind,
        at,
        account: None,
    };
    match opts.scenario {
        Scenario::Quiet => vec![],
        Scenario::Glitch => vec![plan(Kind::PlatformGlitch, at(rng, 0.3, 0.7))],
        Scenario::Purge => vec![plan(Kind::PlatformPurge, at(rng, 0.3, 0.7))],
        Scenario::Account => vec![
            plan(Kind::AccountPurge, at(rng, 0.25, 0.45)),
            plan(Kind::AccountPurge, at(rng, 0.45, 0.65)),
            plan(Kind::AccountPurge, at(rng, 0.65, 0.85)),
            plan(Kind::AccountGlitch, at(rng, 0.3, 0.8)),
        ],
        Scenario::Mixed => {
            let glitch = at(rng, 0.25, 0.35);
            vec![
                plan(Kind::PlatformGlitch, glitch),
                plan(Kind::ExcessPurge, glitch),
                plan(Kind::AccountPurge, at(rng, 0.4, 0.5)),
                plan(Kind::PlatformPurge, at(rng, 0.55, 0.65)),
                plan(Kind::AccountGlitch, at(rng, 0.7, 0.8)),
                plan(Kind::AccountPurge, at(rng, 0.8, 0.9)),
                plan(
                    Kind::AccountPurge,
                    opts.end - (span * 0.02).min(DAY as f64) as i64,
                ),
            ]
        }
        Scenario::Hard => hard_plans(opts, accounts, rng),
    }
}

/// The hard cases of the accuracy issue.
fn hard_plans(opts: &SimOptions, accounts: &[Account], rng: &mut Rng) -> Vec<Plan> {
    let span = (opts.end - opts.start) as f64;
    let at = |rng: &mut Rng, lo: f64| opts.start + (span * lo) as i64 + rng.below(0, DAY);
    let first = at(rng, 0.35);
    let mut plans = vec![
        // Two platform events a few days apart.
        Plan {
            kind: Kind::PlatformGlitch,
            at: first,
            account: None,
        },
        Plan {
            kind: Kind::PlatformPurge,
            at: first + 4 * DAY,
            account: None,
        },
    ];
    // A loss across a week-long collection gap, away from the platform
    // events (a gap that spans one makes its loss the event's).
    if let Some((i, a)) = accounts
        .iter()
        .enumerate()
        .find(|(_, a)| quiet_gap(a, opts))
    {
        let (from, to) = a.gap.unwrap_or_default();
        plans.push(Plan {
            kind: Kind::AccountPurge,
            at: from + (to - from) / 2,
            account: Some(i),
        });
    }
    // An account that loses more the day after the platform glitch.
    plans.push(Plan {
        kind: Kind::AccountPurge,
        at: first + DAY + 6 * HOUR,
        account: None,
    });
    plans.push(Plan {
        kind: Kind::AccountPurge,
        at: at(rng, 0.75),
        account: None,
    });
    plans
}

/// Where the hard scenario's platform events may fall: from a day before
/// 35 % of the span to six days after (see [`hard_plans`]).
fn platform_days(opts: &SimOptions) -> (i64, i64) {
    let first = opts.start + (opts.end - opts.start) * 7 / 20;
    (first - DAY, first + 6 * DAY)
}

/// Whether a sizeable account has a collection gap clear of the hard
/// scenario's platform events, for a purge of its own inside it.
fn quiet_gap(a: &Account, opts: &SimOptions) -> bool {
    let (lo, hi) = platform_days(opts);
    a.size >= 1000.0 && a.gap.is_some_and(|(from, to)| to <= lo || from >= hi)
}

/// Makes sure one sizeable account of the hard scenario has a week-long
/// collection gap clear of the platform events (its purge happens inside
/// it).
fn force_gap(accounts: &mut [Account], opts: &SimOptions) {
    if accounts.iter().any(|a| quiet_gap(a, opts)) {
        return;
    }
    if let Some(a) = accounts
        .iter_mut()
        .find(|a| a.size >= 1000.0 && a.begin == opts.start && a.end == opts.end)
    {
        let from = opts.start + (opts.end - opts.start) * 11 / 20;
        a.gap = Some((from, from + 7 * DAY));
    }
}

/// Collector outages: about one a month, hours to a day long, when no
/// account is collected.
fn outages(opts: &SimOptions, rng: &mut Rng) -> Vec<(i64, i64)> {
    let months = ((opts.end - opts.start) / (30 * DAY)).max(1);
    (0..months)
        .map(|_| {
            let from = rng.below(opts.start, opts.end);
            (from, from + rng.below(2 * opts.interval.min(6 * HOUR), DAY))
        })
        .collect()
}

/// Writes rows in the chosen format with the blemishes of real collectors:
/// a few exact duplicates and rows swapped with their neighbour.
struct RowWriter {
    format: SimFormat,
    following: bool,
    rows: u64,
    held: Option<String>,
    line: String,
}

impl RowWriter {
    fn new(format: SimFormat, following: bool) -> RowWriter {
        RowWriter {
            format,
            following,
            rows: 0,
            held: None,
            line: String::new(),
        }
    }

    fn begin(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            SimFormat::Csv => writeln!(
                out,
                "timestamp,account,followers{}",
                if self.following { ",following" } else { "" }
            ),
            SimFormat::Json => out.write_all(b"["),
            SimFormat::Ndjson => Ok(()),
        }
    }

    fn row(
        &mut self,
        out: &mut dyn Write,
        t: i64,
        account: &str,
        followers: u64,
        following: u64,
        rng: &mut Rng,
    ) -> io::Result<()> {
        use std::fmt::Write as _;
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        match self.format {
            SimFormat::Csv => {
                push_rfc3339(&mut line, t);
                let _ = write!(line, ",{account},{followers}");
                if self.following {
                    let _ = write!(line, ",{following}");
                }
            }
            SimFormat::Json | SimFormat::Ndjson => {
                line.push_str("{\"timestamp\":\"");
                push_rfc3339(&mut line, t);
                let _ = write!(
                    line,
                    "\",\"account\":\"{account}\",\"followers\":{followers}"
                );
                if self.following {
                    let _ = write!(line, ",\"following\":{following}");
                }
                line.push('}');
            }
        }
        if rng.chance(0.002) {
            self.emit(out, &line)?;
        }
        if rng.chance(0.01) && self.held.is_none() {
            self.held = Some(line.clone()); // written after the next row
        } else {
            self.emit(out, &line)?;
            if let Some(held) = self.held.take() {
                self.emit(out, &held)?;
            }
        }
        self.line = line;
        Ok(())
    }

    fn emit(&mut self, out: &mut dyn Write, line: &str) -> io::Result<()> {
        if self.format == SimFormat::Json {
            out.write_all(if self.rows == 0 { b"\n" } else { b",\n" })?;
            out.write_all(line.as_bytes())?;
        } else {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if let Some(held) = self.held.take() {
            self.emit(out, &held)?;
        }
        if self.format == SimFormat::Json {
            out.write_all(b"\n]\n")?;
        }
        Ok(())
    }
}
