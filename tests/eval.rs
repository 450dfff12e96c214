//! The accuracy evaluation: `followdrop simulate` data of every scenario
//! and several seeds, scanned at the default settings and scored against
//! the truth (see `src/evaluate.rs` for the matching rule).
//!
//! `cargo test --release --test eval -- --nocapture` prints the CI-size
//! table; `cargo test --release --test eval -- --ignored --nocapture`
//! runs the larger suite whose table is in the README.

use followdrop::detect::Settings;
use followdrop::evaluate::{Score, score};
use followdrop::input::ReadOptions;
use followdrop::simulate::{Readout, Scenario, SimFormat, SimOptions, simulate};
use std::fs::File;
use std::io::BufWriter;

const DAY: i64 = 86_400;
/// 2024-01-01T00:00:00Z.
const START: i64 = 1_704_067_200;

/// One family of data sets: a scenario at one size and interval.
struct Case {
    scenario: Scenario,
    accounts: usize,
    days: i64,
    interval: i64,
    seeds: std::ops::RangeInclusive<u64>,
    /// How the counts are written: rounded, some hidden.
    readout: Readout,
}

impl Case {
    /// Counts shown to `figures` significant figures, as YouTube shows them.
    fn rounded(self, figures: u32) -> Case {
        Case {
            readout: Readout {
                significant_figures: Some(figures),
                ..self.readout
            },
            ..self
        }
    }

    /// A share of the counts hidden (and a fifth as many written as 0), and
    /// two accounts suspended.
    fn hidden(self, share: f64) -> Case {
        Case {
            readout: Readout {
                hidden: share,
                vanish: 2,
                ..self.readout
            },
            ..self
        }
    }
}

fn case(
    scenario: Scenario,
    accounts: usize,
    days: i64,
    interval: i64,
    seeds: std::ops::RangeInclusive<u64>,
) -> Case {
    Case {
        scenario,
        accounts,
        days,
        interval,
        seeds,
        readout: Readout::default(),
    }
}

/// Simulates, scans at the defaults and scores one data set.
fn run(c: &Case, seed: u64, dir: &std::path::Path) -> Score {
    let opts = SimOptions {
        accounts: c.accounts,
        start: START,
        end: START + c.days * DAY,
        interval: c.interval,
        seed,
        scenario: c.scenario,
        inject: vec![],
        following: true,
        format: SimFormat::Csv,
        readout: c.readout.clone(),
    };
    let path = dir.join(format!("{:?}-{seed}.csv", c.scenario));
    let mut out = BufWriter::new(File::create(&path).expect("temp file"));
    let truth = simulate(&opts, &mut out).expect("simulate");
    drop(out);
    let input = vec![path.to_string_lossy().into_owned()];
    let analysis = followdrop::analyze(&input, &ReadOptions::default(), &Settings::default(), None)
        .expect("scan");
    let s = score(&truth.events, &analysis.events, analysis.bucket);
    if s.matched != s.truth || s.matched != s.detected {
        eprintln!(
            "  {:?} seed {seed}: {} true, {} detected, {} matched",
            c.scenario, s.truth, s.detected, s.matched
        );
    }
    s
}

fn label(c: &Case) -> String {
    let interval = followdrop::time::format_duration(c.interval);
    let mut label =
        format!("{:?} {}×{}d/{interval}", c.scenario, c.accounts, c.days).to_lowercase();
    if let Some(figures) = c.readout.significant_figures {
        label.push_str(&format!(", {figures} figures"));
    }
    if c.readout.hidden > 0.0 {
        label.push_str(&format!(", {}% hidden", c.readout.hidden * 100.0));
    }
    label
}

/// Runs every case, prints the table and returns the overall score and the
/// number of events found in the quiet cases.
fn evaluate(cases: &[Case]) -> (Score, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut total = Score::default();
    let mut quiet_events = 0;
    println!(
        "| data sets | true | found | precision | recall | F1 | scope | persistence | Jaccard |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in cases {
        let mut s = Score::default();
        for seed in c.seeds.clone() {
            s += run(c, seed, dir.path());
        }
        if c.scenario == Scenario::Quiet {
            quiet_events += s.detected;
        }
        row(
            &format!("{} (seeds {}–{})", label(c), c.seeds.start(), c.seeds.end()),
            &s,
        );
        total += s;
    }
    row("**overall**", &total);
    println!("events found in quiet data: {quiet_events}");
    (total, quiet_events)
}

fn row(name: &str, s: &Score) {
    println!(
        "| {name} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
        s.truth,
        s.detected,
        s.precision(),
        s.recall(),
        s.f1(),
        s.scope_accuracy(),
        s.persistence_accuracy(),
        s.jaccard()
    );
}

/// Minimum figures: (event F1, scope accuracy, persistence accuracy,
/// platform Jaccard). No event may be found in quiet data.
struct Bars(f64, f64, f64, f64);

/// The accuracy the suite must keep (docs/METHOD.md, "Accuracy"): event
/// F1, scope and persistence accuracy, platform Jaccard.
const REQUIRED: Bars = Bars(0.95, 0.97, 0.95, 0.9);

/// What the CI-size suite achieves today (F1, scope and persistence 1.000,
/// Jaccard 0.952), less a small margin: a regression guard, so that a real
/// drop in accuracy fails CI long before the bars are at risk.
const CI_BARS: Bars = Bars(0.98, 0.99, 0.99, 0.93);

fn assert_bars(total: &Score, quiet_events: usize, bars: &Bars) {
    let Bars(f1, scope, persistence, jaccard) = *bars;
    assert!(total.f1() >= f1, "event F1 {:.3} < {f1}", total.f1());
    assert!(
        total.scope_accuracy() >= scope,
        "scope accuracy {:.3} < {scope}",
        total.scope_accuracy()
    );
    assert!(
        total.persistence_accuracy() >= persistence,
        "persistence accuracy {:.3} < {persistence}",
        total.persistence_accuracy()
    );
    assert!(
        total.jaccard() >= jaccard,
        "platform Jaccard {:.3} < {jaccard}",
        total.jaccard()
    );
    assert_eq!(quiet_events, 0, "events found in quiet data");
}

const H: i64 = 3600;

#[test]
fn accuracy_at_ci_size() {
    let cases = [
        case(Scenario::Quiet, 100, 45, H, 1..=3),
        case(Scenario::Glitch, 100, 45, H, 1..=3),
        case(Scenario::Purge, 100, 45, H, 1..=3),
        case(Scenario::Account, 100, 45, H, 1..=3),
        case(Scenario::Mixed, 100, 45, H, 1..=3),
        case(Scenario::Hard, 100, 45, H, 1..=3),
        case(Scenario::Mixed, 150, 120, 6 * H, 1..=2),
        case(Scenario::Mixed, 200, 365, DAY, 1..=2),
        case(Scenario::Quiet, 500, 365, DAY, 1..=1),
        case(Scenario::Slow, 150, 45, H, 1..=2),
        case(Scenario::Outage, 150, 45, H, 1..=2),
        case(Scenario::Recount, 128, 240, DAY, 1..=2),
        case(Scenario::Mixed, 100, 45, H, 1..=2).hidden(0.05),
        case(Scenario::Quiet, 250, 75, DAY, 1..=2).rounded(3),
    ];
    let (total, quiet) = evaluate(&cases);
    assert_bars(&total, quiet, &CI_BARS);
}

#[test]
#[ignore = "the larger suite (minutes); run with --ignored"]
fn accuracy_full() {
    let cases = [
        case(Scenario::Quiet, 200, 60, H, 1..=5),
        case(Scenario::Glitch, 200, 60, H, 1..=5),
        case(Scenario::Purge, 200, 60, H, 1..=5),
        case(Scenario::Account, 200, 60, H, 1..=5),
        case(Scenario::Mixed, 200, 60, H, 1..=5),
        case(Scenario::Hard, 200, 60, H, 1..=5),
        case(Scenario::Mixed, 300, 180, 6 * H, 1..=5),
        case(Scenario::Hard, 300, 180, 6 * H, 1..=5),
        case(Scenario::Mixed, 500, 365, DAY, 1..=5),
        case(Scenario::Quiet, 500, 365, DAY, 1..=5),
        case(Scenario::Slow, 200, 45, H, 1..=5),
        case(Scenario::Outage, 200, 45, H, 1..=5),
        case(Scenario::Recount, 128, 240, DAY, 1..=5),
        case(Scenario::Mixed, 200, 60, H, 1..=5).hidden(0.05),
        case(Scenario::Mixed, 250, 75, DAY, 1..=5).rounded(3),
        case(Scenario::Quiet, 250, 75, DAY, 1..=5).rounded(3),
    ];
    let (total, quiet) = evaluate(&cases);
    assert_bars(&total, quiet, &REQUIRED);
}

/// Writes `rows` (time, account, followers) as CSV and scans them at the
/// defaults.
fn scan_rows(rows: &[(i64, String, u64)]) -> Vec<followdrop::report::event::Event> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rows.csv");
    let mut text = String::from("timestamp,account,followers\n");
    for (t, account, followers) in rows {
        text.push_str(&format!("{t},{account},{followers}\n"));
    }
    std::fs::write(&path, text).expect("write");
    let input = vec![path.to_string_lossy().into_owned()];
    followdrop::analyze(&input, &ReadOptions::default(), &Settings::default(), None)
        .expect("scan")
        .events
}

/// A quiet cohort of eight daily accounts of different sizes for 60 days,
/// each walking with noise of about a tenth of the square root of its size
/// a day (a fixed pseudo-random sequence, so the test is the same every
/// time); `change` may alter one account's count.
fn cohort(change: impl Fn(usize, i64, u64) -> u64) -> Vec<(i64, String, u64)> {
    let sizes = [
        50u64, 900, 4_000, 25_000, 180_000, 1_200_000, 9_000_000, 60_000_000,
    ];
    let mut rows = Vec::new();
    let mut walk = [0.0f64; 8];
    for day in 0..60i64 {
        for (i, &size) in sizes.iter().enumerate() {
            let growth = size as f64 * 0.001 * day as f64;
            walk[i] += noise(day as u64 * 8 + i as u64) * (size as f64).sqrt() * 0.1;
            let v = (size as f64 + growth + walk[i]).round().max(0.0) as u64;
            rows.push((START + day * DAY, format!("acct{i}"), change(i, day, v)));
        }
    }
    rows
}

/// A standard-normal-like number from `k` (a sum of four uniforms from a
/// multiplicative hash, centred and scaled).
fn noise(k: u64) -> f64 {
    let mut x = k.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut sum = 0.0;
    for _ in 0..4 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        sum += (x >> 11) as f64 / (1u64 << 53) as f64;
    }
    (sum - 2.0) * 3f64.sqrt()
}

#[test]
fn a_tiny_account_losing_three_followers_is_not_an_event() {
    // 50 followers, 3 lost on day 30: 6 %, but three followers.
    let events = scan_rows(&cohort(
        |i, day, v| if i == 0 && day >= 30 { v - 3 } else { v },
    ));
    assert!(events.is_empty(), "{events:#?}");
}

#[test]
fn the_same_account_losing_a_fifth_is_an_event() {
    // The cohort of the test above is not simply blind: 180,000 followers
    // losing 20 % on day 30 is found, as an account purge.
    let events = scan_rows(&cohort(
        |i, day, v| if i == 4 && day >= 30 { v * 4 / 5 } else { v },
    ));
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].class.kind(), "account_purge");
    assert_eq!(events[0].accounts[0].account, "acct4");
}
