//! The judgement's phenomena (docs/SPEC.md, "What is detected"): each
//! kind of loss the detection must tell apart.

use crate::util;

use std::collections::BTreeSet;

use serde_json::Value;
use util::{Workdir, affected, strings};

/// Runs `followdrop simulate <args> -o data.csv --truth truth.json` in `w`
/// and returns the truth's events.
fn simulated(w: &Workdir, args: &[&str]) -> Vec<Value> {
    let mut sim = util::followdrop(w.path());
    sim.arg("simulate")
        .args(args)
        .args(["-q", "-o", "data.csv", "--truth", "truth.json"]);
    sim.assert().success();
    let truth: Value = serde_json::from_str(&w.read("truth.json")).unwrap();
    truth["events"].as_array().unwrap().clone()
}

/// Two accounts purged at the same hour in a cohort of 400 are two account
/// purges, not a platform event: coincidence is not co-movement.
#[test]
fn two_coincident_purges_in_a_large_cohort_stay_two_account_purges() {
    let w = Workdir::new("coincident");
    let at = "account_purge@2024-01-20T12:00";
    let truth = simulated(
        &w,
        &["--scenario", "quiet", "--accounts", "400", "--days", "30"],
    );
    assert!(truth.is_empty());
    let truth = simulated(
        &w,
        &[
            "--scenario",
            "quiet",
            "--accounts",
            "400",
            "--days",
            "30",
            "--seed",
            "3",
            "--inject",
            at,
            "--inject",
            at,
        ],
    );
    let purged: BTreeSet<String> = truth.iter().flat_map(affected_names).collect();
    assert_eq!(purged.len(), 2, "{truth:?}");
    let run = w.run(&["--format", "json", "data.csv"], None);
    run.expect_code(1);
    let events = run.json()["events"].as_array().unwrap().clone();
    assert!(events.iter().all(|e| e["scope"] == "account"), "{events:?}");
    let found: BTreeSet<String> = events.iter().flat_map(affected).collect();
    assert_eq!(found, purged);
}

/// The names listed in a truth event.
fn affected_names(event: &Value) -> Vec<String> {
    strings(&event["accounts"])
}

/// A missing count (an empty cell, a JSON null) and a count of 0 where the
/// account had followers are missing snapshots, counted in one warning,
/// never a purge; an account that goes to 0 for good is named.
#[test]
fn missing_and_zero_counts_are_missing_snapshots() {
    let w = Workdir::new("missing-counts");
    let mut csv = String::from("timestamp,account,followers\n");
    let mut ndjson = String::new();
    for day in 0..30 {
        for (i, base) in [1_000u64, 5_000, 20_000, 90_000, 400_000, 2_000_000]
            .iter()
            .enumerate()
        {
            let t = format!("2024-01-{:02}", day % 30 + 1);
            let v = base + (day as u64 * 7 + i as u64 * 13) % 11;
            let cell = match (i, day) {
                (0, 10) => String::new(),
                (1, 12) => "0".to_string(),
                (2, d) if d >= 25 => "0".to_string(),
                _ => v.to_string(),
            };
            csv.push_str(&format!("{t},acct{i},{cell}\n"));
            let count = if (i, day) == (3, 15) {
                "null".to_string()
            } else {
                v.to_string()
            };
            ndjson.push_str(&format!(
                "{{\"timestamp\": \"{t}\", \"account\": \"acct{i}\", \"followers\": {count}}}\n"
            ));
        }
    }
    w.create("counts.csv", &csv);
    w.create("counts.ndjson", &ndjson);
    let warning = |report: &Value, code: &str| -> Vec<Value> {
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["code"] == code)
            .cloned()
            .collect()
    };
    let run = w.run(&["--format", "json", "counts.csv"], None);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["events"], serde_json::json!([]));
    let missing = warning(&report, "missing_count");
    assert_eq!(missing.len(), 1, "{report}");
    // One empty cell, one 0 among followers, five zeros at acct2's end.
    assert_eq!(missing[0]["count"], 7);
    let vanished = warning(&report, "account_vanished");
    assert_eq!(vanished.len(), 1, "{report}");
    assert_eq!(vanished[0]["account"], "acct2");
    assert_eq!(vanished[0]["last_seen"], "2024-01-25T00:00:00Z");
    let run = w.run(&["--format", "json", "counts.ndjson"], None);
    run.expect_code(0);
    assert_eq!(warning(&run.json(), "missing_count")[0]["count"], 1);
    // Counts missing from most records: a misread column, not a quiet day.
    w.create(
        "empty.csv",
        "timestamp,account,followers\n2024-01-01,a,\n2024-01-02,a,\n2024-01-03,a,5\n",
    );
    let run = w.run(&["empty.csv"], None);
    run.expect_code(2);
    assert!(run.stderr.contains("--followers-col"), "{}", run.stderr);
}

/// A platform event during which some accounts' collectors were down:
/// those accounts are its members, marked as seen across their gap, not
/// purges of their own.
#[test]
fn members_seen_across_a_gap_are_marked_not_purged() {
    let w = Workdir::new("across-gap");
    let truth = simulated(
        &w,
        &[
            "--scenario",
            "outage",
            "--accounts",
            "150",
            "--days",
            "45",
            "--seed",
            "1",
        ],
    );
    assert!(truth.iter().all(|e| e["scope"] == "platform"), "{truth:?}");
    let run = w.run(&["--format", "json", "data.csv"], None);
    run.expect_code(1);
    let events = run.json()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), truth.len(), "{events:?}");
    assert!(
        events.iter().all(|e| e["scope"] == "platform"),
        "{events:?}"
    );
    let gap = events
        .iter()
        .flat_map(|e| e["accounts"].as_array().unwrap())
        .find(|a| !a["across_gap"].is_null())
        .expect("a member seen across a gap");
    assert!(
        gap["across_gap"]["from"].as_str().unwrap() < gap["across_gap"]["to"].as_str().unwrap()
    );
}

/// A purge of an account whose counts are shown to three significant
/// figures is found, and says its counts are rounded.
#[test]
fn rounded_counts_carry_their_step() {
    let w = Workdir::new("rounded");
    let truth = simulated(
        &w,
        &[
            "--scenario",
            "quiet",
            "--accounts",
            "60",
            "--days",
            "30",
            "--interval",
            "1d",
            "--seed",
            "4",
            "--significant-figures",
            "3",
            "--inject",
            "account_purge@2024-01-20T12:00",
        ],
    );
    let run = w.run(&["--format", "json", "data.csv"], None);
    run.expect_code(1);
    let events = run.json()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    let a = &events[0]["accounts"][0];
    assert_eq!(a["account"].as_str(), truth[0]["accounts"][0].as_str());
    let before = a["before"].as_u64().unwrap();
    let step = a["count_step"].as_u64().expect("a rounded count's step");
    assert_eq!(step, 10u64.pow(before.ilog10() - 2), "{a}");
}
