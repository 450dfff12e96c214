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
use followdrop::simulate::{Scenario, SimFormat, SimOptions, simulate};
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
    format!("{:?} {}×{}d/{interval}", c.scenario, c.accounts, c.days).to_lowercase()
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

/// The bars of the accuracy issue; a drop below any of them fails.
fn assert_bars(total: &Score, quiet_events: usize) {
    assert!(total.f1() >= 0.95, "event F1 {:.3} < 0.95", total.f1());
    assert!(
        total.scope_accuracy() >= 0.97,
        "scope accuracy {:.3} < 0.97",
        total.scope_accuracy()
    );
    assert!(
        total.persistence_accuracy() >= 0.95,
        "persistence accuracy {:.3} < 0.95",
        total.persistence_accuracy()
    );
    assert!(
        total.jaccard() >= 0.9,
        "platform Jaccard {:.3} < 0.9",
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
    ];
    let (total, quiet) = evaluate(&cases);
    assert_bars(&total, quiet);
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
    ];
    let (total, quiet) = evaluate(&cases);
    assert_bars(&total, quiet);
}
