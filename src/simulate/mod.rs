//! `followdrop simulate`: realistic labelled snapshot data and its truth,
//! for demos, for trying thresholds, and for measuring accuracy.
//!
//! The run walks the time grid once; at each step every account's count
//! moves on (growth, rhythm, noise, viral moments), injected events scale
//! it, and the snapshots the collector would have taken are written. The
//! output therefore streams in time order, as collectors write it, with
//! the usual blemishes: jittered times, missing snapshots, outages, a few
//! duplicates and rows out of order; and on request rounded, missing or
//! zero counts and suspended accounts (`readout.rs`).

mod events;
mod population;
mod readout;
mod rng;

pub use events::{Kind, TrueEvent};
pub use readout::Readout;

use crate::time::Timestamp;
use crate::time::push_rfc3339;
use events::{Injection, Plan, Unfolding, material};
use population::{Account, Shape};
use readout::Reader;
use rng::Rng;
use serde::Serialize;
use std::io::{self, Write};

const HOUR: i64 = 3600;
use crate::time::DAY;

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
    /// Fake followers removed in batches: three account purges over 20–48
    /// hours, each step within the account's noise (0.6–2.5 of its
    /// standard deviations) but 7–15 over the window, and a platform purge
    /// whose accounts each lose over 6–14 hours, onsets staggered over
    /// about 12 hours.
    Slow,
    /// A platform glitch or purge while the collector is down for every
    /// account (an outage of 20–36 hours around it), and a platform purge
    /// across which 10–20 % of the accounts have collection gaps of one to
    /// three days of their own (they are members of it, not purges of
    /// their own).
    Outage,
    /// A Twitter-2018-like history, for daily data (--interval 1d --days
    /// 240): a purge in which accounts of a million followers or more lose
    /// 0.3–12 % and the others four followers or fewer, and months later a
    /// recount about a third as big: most accounts lose a fraction of a
    /// day's noise, one in ten 0.1–4 % and at least 10 times a day's noise.
    Recount,
}

/// Output formats of the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimFormat {
    Csv,
    Json,
    Ndjson,
}

impl SimFormat {
    /// The format a file's name asks for, as `scan` would read it back
    /// (`data.json`, `data.ndjson.gz`); CSV for any other name.
    pub fn from_name(name: &str) -> SimFormat {
        let name = name.strip_suffix(".gz").unwrap_or(name);
        match crate::input::format_from_name(name) {
            Some(crate::input::Format::Json) => SimFormat::Json,
            Some(crate::input::Format::Ndjson) => SimFormat::Ndjson,
            _ => SimFormat::Csv,
        }
    }
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
    /// Rounded, missing and zero counts, suspended accounts.
    pub readout: Readout,
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
    Ok(write(opts, out)?.truth())
}

/// A simulated data set once written: what its truth is told from.
pub struct Simulated<'a> {
    opts: &'a SimOptions,
    accounts: Vec<Account>,
    per_account: Vec<Vec<Injection>>,
    events: Vec<TrueEvent>,
}

impl Simulated<'_> {
    /// The truth of the data set: which accounts each injected event hit
    /// materially.
    pub fn truth(self) -> Truth {
        truth(self.opts, &self.accounts, &self.per_account, self.events)
    }
}

/// Writes the simulated snapshots to `out`. Their truth is told from the
/// result only when asked for: `simulate -o` without `--truth` has no use
/// for it.
pub fn write<'a>(opts: &'a SimOptions, out: &mut dyn Write) -> io::Result<Simulated<'a>> {
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
            style: Unfolding::Usual,
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
    let mut outages = outages(opts, &mut plan_rng);
    if opts.scenario == Scenario::Outage {
        // Its own outage and gaps are the only ones within two days of its
        // events.
        outages.retain(|&(from, to)| {
            let events = &injected.events;
            events
                .iter()
                .all(|e| to <= e.start.0 - 2 * DAY || from >= e.end.0 + 2 * DAY)
        });
        // The scenario's second event (its plans come first, and a
        // platform plan always makes an event).
        gap_members(
            &mut accounts,
            &injected.per_account,
            1,
            opts.interval,
            &mut plan_rng,
        );
    }
    outages.extend(plans.iter().filter_map(|p| match p.style {
        Unfolding::Unseen { outage } => Some(outage),
        _ => None,
    }));
    let involved = |i: usize| !injected.per_account[i].is_empty();
    let suspended = readout::suspensions(
        opts.readout.vanish,
        &accounts,
        &involved,
        (opts.start, opts.end),
        &mut rng.fork(u64::MAX - 3),
    );
    let mut reader = Reader::new(&opts.readout, suspended, rng.fork(u64::MAX - 2));
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
                    inj.set_before(levels[i] * a.viral_factor(when), a, opts.interval);
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
            let (count, follows) = reader.read(i, when, count, follows);
            writer.row(out, when, &a.name, count, follows, &mut row_rng)?;
        }
        t += opts.interval;
    }
    writer.finish(out)?;
    Ok(Simulated {
        opts,
        accounts,
        per_account: injected.per_account,
        events: injected.events,
    })
}

/// Fills each true event's accounts with those whose loss was material,
/// and drops events that hit nobody materially. Linear in the accounts and
/// their injections: a platform event can hit every one of a million
/// accounts, so nothing here searches an event's list of accounts.
fn truth(
    opts: &SimOptions,
    accounts: &[Account],
    per_account: &[Vec<Injection>],
    mut events: Vec<TrueEvent>,
) -> Truth {
    // A loss under one rounding step is not in the data to be found.
    let shown = |inj: &Injection| {
        inj.before
            .is_some_and(|before| opts.readout.shows_loss(before, before * inj.loss))
    };
    // The last account listed in each event: accounts are visited in
    // turn, so an account with two injections of one event is listed once
    // by checking only that.
    let mut last_listed: Vec<Option<usize>> = vec![None; events.len()];
    for (i, (a, injections)) in accounts.iter().zip(per_account).enumerate() {
        for inj in injections {
            let listed = last_listed[inj.event] == Some(i);
            if !listed && material(a, inj, opts.interval) && shown(inj) {
                events[inj.event].accounts.push(a.name.clone());
                last_listed[inj.event] = Some(i);
            }
        }
    }
    for e in &mut events {
        e.accounts.sort();
        let accounts = &e.accounts;
        e.excess.retain(|x| accounts.binary_search(x).is_ok());
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
        materiality: materiality(&opts.readout),
        events,
    }
}

/// The truth's materiality rule, in words.
fn materiality(readout: &Readout) -> String {
    let mut rule = format!(
        "an account is listed when its injected loss is at least {} followers, {} of the account, and {} times its noise over one interval",
        events::MATERIAL_LOST,
        events::MATERIAL_SHARE,
        events::MATERIAL_NOISE
    );
    if let Some(n) = readout.significant_figures {
        rule.push_str(&format!(
            ", and at least one rounding step of counts written to {n} significant figures"
        ));
    }
    rule
}

/// The events of a scenario, placed in the data's span.
fn scenario_plans(opts: &SimOptions, accounts: &[Account], rng: &mut Rng) -> Vec<Plan> {
    let span = (opts.end - opts.start) as f64;
    let at = |rng: &mut Rng, lo: f64, hi: f64| opts.start + (span * rng.range(lo, hi)) as i64;
    let plan = |kind, at| Plan {
        kind,
        at,
        account: None,
        style: Unfolding::Usual,
    };
    let styled = |kind, at, style| Plan {
        style,
        ..plan(kind, at)
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
        Scenario::Slow => vec![
            styled(Kind::AccountPurge, at(rng, 0.15, 0.3), Unfolding::Slow),
            styled(Kind::PlatformPurge, at(rng, 0.4, 0.5), Unfolding::Slow),
            styled(Kind::AccountPurge, at(rng, 0.55, 0.65), Unfolding::Slow),
            styled(Kind::AccountPurge, at(rng, 0.7, 0.78), Unfolding::Slow),
        ],
        Scenario::Outage => outage_plans(opts, rng),
        Scenario::Recount => vec![
            styled(Kind::PlatformPurge, at(rng, 0.2, 0.3), Unfolding::Sweep),
            styled(Kind::PlatformPurge, at(rng, 0.65, 0.75), Unfolding::Recount),
        ],
    }
}

/// The outage scenario: a platform glitch or purge inside a collector
/// outage of 20–36 hours that holds its whole loss, and later a platform
/// purge across which some members have collection gaps of their own
/// ([`gap_members`]).
fn outage_plans(opts: &SimOptions, rng: &mut Rng) -> Vec<Plan> {
    let span = (opts.end - opts.start) as f64;
    let at = opts.start + (span * rng.range(0.25, 0.4)) as i64;
    let kind = if rng.chance(0.5) {
        Kind::PlatformGlitch
    } else {
        Kind::PlatformPurge
    };
    // From one hour or more before the event to an hour or more after its
    // loss is complete.
    let after = events::longest_onset(kind) + HOUR;
    let length = rng.below(20 * HOUR, 36 * HOUR).max(after + HOUR);
    let before = rng.below(HOUR, length - after + 1);
    let outage = (at - before, at - before + length);
    let spanned = opts.start + (span * rng.range(0.55, 0.7)) as i64;
    vec![
        Plan {
            kind,
            at,
            account: None,
            style: Unfolding::Unseen { outage },
        },
        Plan {
            kind: Kind::PlatformPurge,
            at: spanned,
            account: None,
            style: Unfolding::Usual,
        },
    ]
}

/// Gives 10–20 % of the accounts, members of platform event `event`
/// without a collection gap of their own, a gap of one to three days that
/// spans their whole loss: the last snapshot before it shows none of the
/// loss, the first after it all of it.
fn gap_members(
    accounts: &mut [Account],
    per_account: &[Vec<Injection>],
    event: usize,
    interval: i64,
    rng: &mut Rng,
) {
    let mut members: Vec<(usize, i64, i64)> = per_account
        .iter()
        .enumerate()
        .filter(|&(i, _)| accounts[i].gap.is_none())
        .filter_map(|(i, injections)| {
            let inj = injections.iter().find(|inj| inj.event == event)?;
            Some((i, inj.onset, inj.duration))
        })
        .collect();
    // Margins for sampling offsets (under one interval) and jitter.
    let (lead, tail) = (interval + interval / 10, interval / 10 + 1);
    let wanted = (accounts.len() as f64 * rng.range(0.1, 0.2)).round() as usize;
    for _ in 0..wanted.min(members.len()) {
        let (i, onset, duration) = members.swap_remove(rng.below(0, members.len() as i64) as usize);
        let length = rng.below(DAY, 3 * DAY).max(lead + duration + tail);
        let from = onset - rng.below(lead, length - duration - tail + 1);
        accounts[i].gap = Some((from, from + length));
    }
}

/// The hard cases (docs/METHOD.md, "Accuracy"): staggered sampling, slow
/// onsets, restorations spread over days.
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
            style: Unfolding::Usual,
        },
        Plan {
            kind: Kind::PlatformPurge,
            at: first + 4 * DAY,
            account: None,
            style: Unfolding::Usual,
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
            style: Unfolding::Usual,
        });
    }
    // An account that loses more the day after the platform glitch.
    plans.push(Plan {
        kind: Kind::AccountPurge,
        at: first + DAY + 6 * HOUR,
        account: None,
        style: Unfolding::Usual,
    });
    plans.push(Plan {
        kind: Kind::AccountPurge,
        at: at(rng, 0.75),
        account: None,
        style: Unfolding::Usual,
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
        followers: Option<u64>,
        following: u64,
        rng: &mut Rng,
    ) -> io::Result<()> {
        use std::fmt::Write as _;
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        match self.format {
            SimFormat::Csv => {
                push_rfc3339(&mut line, t);
                let _ = write!(line, ",{account},");
                if let Some(followers) = followers {
                    let _ = write!(line, "{followers}");
                }
                if self.following {
                    let _ = write!(line, ",{following}");
                }
            }
            SimFormat::Json | SimFormat::Ndjson => {
                line.push_str("{\"timestamp\":\"");
                push_rfc3339(&mut line, t);
                let _ = write!(line, "\",\"account\":\"{account}\",\"followers\":");
                match followers {
                    Some(followers) => {
                        let _ = write!(line, "{followers}");
                    }
                    None => line.push_str("null"),
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Persistence, Scope};

    /// 2024-01-01T00:00:00Z.
    const START: i64 = 1_704_067_200;

    fn options(scenario: Scenario, accounts: usize, days: i64, interval: i64) -> SimOptions {
        SimOptions {
            accounts,
            start: START,
            end: START + days * DAY,
            interval,
            seed: 1,
            scenario,
            inject: vec![],
            following: true,
            format: SimFormat::Csv,
            readout: Readout::default(),
        }
    }

    fn run(opts: &SimOptions) -> (String, Truth) {
        let mut out = Vec::new();
        let truth = simulate(opts, &mut out).expect("simulate");
        (String::from_utf8(out).expect("UTF-8"), truth)
    }

    /// The rows of a CSV data set: (time, account, followers).
    fn rows(csv: &str) -> Vec<(i64, &str, &str)> {
        csv.lines()
            .skip(1)
            .map(|line| {
                let mut cells = line.split(',');
                let t = crate::time::parse_time(cells.next().unwrap(), crate::time::Zone::Utc);
                (t.unwrap(), cells.next().unwrap(), cells.next().unwrap())
            })
            .collect()
    }

    fn kinds(truth: &Truth) -> Vec<(Scope, Persistence)> {
        truth
            .events
            .iter()
            .map(|e| (e.class.scope, e.class.persistence))
            .collect()
    }

    /// Hidden and zero counts come in the asked shares, the same for the
    /// same seed; every other cell, and the truth, are as without them.
    #[test]
    fn hidden_counts() {
        let plain = options(Scenario::Purge, 40, 20, HOUR);
        let hidden = SimOptions {
            readout: Readout {
                hidden: 0.1,
                ..Readout::default()
            },
            ..plain.clone()
        };
        let (base, base_truth) = run(&plain);
        let (data, truth) = run(&hidden);
        assert_eq!(data, run(&hidden).0);
        assert_eq!(
            serde_json::to_string(&truth).unwrap(),
            serde_json::to_string(&base_truth).unwrap()
        );
        let (all, written) = (rows(&base), rows(&data));
        assert_eq!(all.len(), written.len());
        let (mut empty, mut zero) = (0, 0);
        for (a, b) in all.iter().zip(&written) {
            if a != b {
                assert_eq!((a.0, a.1), (b.0, b.1));
                match b.2 {
                    "" => empty += 1,
                    "0" => zero += 1,
                    other => panic!("{other} for {}", a.2),
                }
            }
        }
        let n = all.len() as f64;
        assert!((empty as f64 / n - 0.1).abs() < 0.01, "{empty} of {n}");
        assert!((zero as f64 / n - 0.02).abs() < 0.005, "{zero} of {n}");
        let json = SimOptions {
            format: SimFormat::Ndjson,
            ..hidden
        };
        assert_eq!(run(&json).0.matches("\"followers\":null").count(), empty);
    }

    /// Suspended accounts end at 0 followers and 0 following for good, in
    /// the second half, and are no event.
    #[test]
    fn vanished_accounts() {
        let opts = SimOptions {
            readout: Readout {
                vanish: 3,
                ..Readout::default()
            },
            ..options(Scenario::Quiet, 30, 20, HOUR)
        };
        let (data, truth) = run(&opts);
        assert!(truth.events.is_empty());
        let mut gone = std::collections::BTreeMap::new();
        for line in data.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            if cells[3] == "0" {
                let t = crate::time::parse_time(cells[0], crate::time::Zone::Utc).unwrap();
                gone.entry(cells[1]).or_insert(t);
            }
        }
        assert_eq!(gone.len(), 3, "{gone:?}");
        for (account, from) in gone {
            assert!(from >= START + 10 * DAY, "{account}");
            for (t, a, followers) in rows(&data) {
                if a == account && t > from {
                    assert!(followers == "0", "{account} at {t}: {followers}");
                }
            }
        }
    }

    /// Three slow account purges and one slow platform purge, each as long
    /// as described.
    #[test]
    fn slow_scenario() {
        for seed in 1..=3 {
            let (_, truth) = run(&SimOptions {
                seed,
                ..options(Scenario::Slow, 80, 30, HOUR)
            });
            let persistent = Persistence::Persistent;
            assert_eq!(
                kinds(&truth),
                [
                    (Scope::Account, persistent),
                    (Scope::Platform, persistent),
                    (Scope::Account, persistent),
                    (Scope::Account, persistent)
                ],
                "seed {seed}"
            );
            for e in &truth.events {
                let hours = (e.end.0 - e.start.0) as f64 / HOUR as f64;
                if e.class.scope == Scope::Account {
                    assert!((20.0..48.0).contains(&hours), "{hours}");
                } else {
                    assert!((6.0..28.0).contains(&hours), "{hours}");
                    assert!(e.accounts.len() >= 80 / 3, "{}", e.accounts.len());
                }
            }
        }
    }

    /// A platform event inside a global outage, and a platform purge that
    /// 10–20 % of the accounts have a collection gap across.
    #[test]
    fn outage_scenario() {
        let accounts = 100;
        let mut glitches = 0;
        for seed in 1..=4 {
            let (data, truth) = run(&SimOptions {
                seed,
                ..options(Scenario::Outage, accounts, 30, HOUR)
            });
            let kinds = kinds(&truth);
            assert_eq!(kinds.len(), 2, "seed {seed}");
            assert!(kinds.iter().all(|k| k.0 == Scope::Platform));
            assert_eq!(kinds[1].1, Persistence::Persistent);
            glitches += usize::from(kinds[0].1 == Persistence::Reverted);
            let rows = rows(&data);
            // Nothing collected from before the first event to after its
            // loss, for 20–36 hours.
            let (first, second) = (&truth.events[0], &truth.events[1]);
            let last_before = rows
                .iter()
                .map(|r| r.0)
                .filter(|&t| t < first.start.0)
                .max();
            let first_after = rows.iter().map(|r| r.0).filter(|&t| t > first.end.0).min();
            let silence = (first_after.unwrap() - last_before.unwrap()) as f64 / HOUR as f64;
            assert!((20.0..=37.0).contains(&silence), "seed {seed}: {silence} h");
            // Accounts with a silence of 20 hours or more (a gap of a day,
            // less sampling offsets) during the second event.
            let mut gapped = Vec::new();
            for i in 0..accounts {
                let suffix = format!("_{i:03}");
                let mut times: Vec<i64> = rows
                    .iter()
                    .filter(|r| r.1.ends_with(&suffix))
                    .map(|r| r.0)
                    .collect();
                times.sort();
                let silent = times.windows(2).any(|w| {
                    w[1] - w[0] >= 20 * HOUR && w[0] < second.end.0 && w[1] > second.start.0
                });
                if silent {
                    gapped.push(rows.iter().find(|r| r.1.ends_with(&suffix)).unwrap().1);
                }
            }
            assert!((10..=23).contains(&gapped.len()), "seed {seed}: {gapped:?}");
            let listed = gapped
                .iter()
                .filter(|a| second.accounts.iter().any(|b| b == *a))
                .count();
            assert!(listed >= 3, "seed {seed}: {listed} of {gapped:?} listed");
        }
        assert!(glitches > 0 && glitches < 4, "{glitches} glitches");
    }

    /// A sweep and a recount, both persistent platform purges, the recount
    /// listing about a third as many accounts.
    #[test]
    fn recount_scenario() {
        for seed in 1..=3 {
            let (_, truth) = run(&SimOptions {
                seed,
                ..options(Scenario::Recount, 200, 240, DAY)
            });
            let persistent = (Scope::Platform, Persistence::Persistent);
            assert_eq!(kinds(&truth), [persistent, persistent], "seed {seed}");
            let (sweep, recount) = (
                truth.events[0].accounts.len(),
                truth.events[1].accounts.len(),
            );
            assert!((40..=100).contains(&sweep), "seed {seed}: {sweep}");
            assert!((8..=30).contains(&recount), "seed {seed}: {recount}");
            let ratio = recount as f64 / sweep as f64;
            assert!((0.15..0.5).contains(&ratio), "seed {seed}: {ratio}");
            let months = (truth.events[1].start.0 - truth.events[0].start.0) / (30 * DAY);
            assert!(months >= 3, "seed {seed}");
        }
    }

    /// Rounded counts have at most N significant figures, and a loss under
    /// one rounding step is not in the truth.
    #[test]
    fn rounded_counts() {
        let plain = options(Scenario::Purge, 60, 30, HOUR);
        let rounded = SimOptions {
            readout: Readout {
                significant_figures: Some(2),
                ..Readout::default()
            },
            ..plain.clone()
        };
        let (data, truth) = run(&rounded);
        for (_, _, followers) in rows(&data) {
            assert!(followers.trim_end_matches('0').len() <= 2, "{followers}");
        }
        let (_, full) = run(&plain);
        let (listed, all) = (
            truth.events[0].accounts.len(),
            full.events[0].accounts.len(),
        );
        assert!(listed < all && listed > 0, "{listed} of {all}");
        assert!(truth.materiality.ends_with("to 2 significant figures"));
    }
}
