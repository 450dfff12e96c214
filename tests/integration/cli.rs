//! Integration tests of the `followdrop` binary against its contract
//! (`SPEC.md`) and the designed truth of the fixtures (`fixtures/truth/`).
//!
//! One test binary, in the style of ripgrep and xsv: every test runs the real
//! binary, in its own temporary directory when it writes files, and shares
//! no mutable state with any other. The expectations come from the SPEC and
//! the truth files, never from what the binary happens to print today; where
//! the two disagree the test keeps asserting the truth and is marked
//! `#[ignore = "…"]` with the reason.
//!
//! Sections: fixtures vs truth · bad input · input shapes · options ·
//! golden files (`UPDATE_GOLDEN=1` rewrites them) · JSON schema shape.

use crate::util;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use predicates::prelude::*;
use serde_json::{Value, json};
use util::{
    Workdir, account, affected, assert_same_text, root, scan, scan_json, strings, thousands, truth,
    without_files,
};

// ---------------------------------------------------------------------------
// Fixtures vs designed truth
// ---------------------------------------------------------------------------

/// The one event a report must hold, with the right exit status (1).
#[track_caller]
fn only_event(report: &Value, run: &util::Run) -> Value {
    run.expect_code(1);
    let events = report["events"].as_array().expect("events is an array");
    assert_eq!(
        events.len(),
        1,
        "expected exactly one event, got {}:\n{:#}",
        events.len(),
        report["events"]
    );
    events[0].clone()
}

/// Kind, scope, persistence and start of `event` are the designed ones.
#[track_caller]
fn assert_class_and_start(event: &Value, designed: &Value) {
    for key in ["kind", "scope", "persistence", "start"] {
        assert_eq!(event[key], designed[key], "event {key}");
    }
}

/// `input.rows`, `accounts`, `first`, `last` and `bucket_seconds` are the
/// designed ones.
#[track_caller]
fn assert_input_matches(report: &Value, designed: &Value) {
    let input = &report["input"];
    for key in ["rows", "accounts", "first", "last", "bucket_seconds"] {
        assert_eq!(input[key], designed[key], "input.{key}");
    }
}

/// The summary counts what `events` holds.
#[track_caller]
fn assert_summary(report: &Value, platform: u64, account: u64, unknown: u64) {
    let s = &report["summary"];
    let events = report["events"].as_array().unwrap();
    assert_eq!(s["events"], json!(events.len()), "summary.events");
    assert_eq!(
        s["platform_events"],
        json!(platform),
        "summary.platform_events"
    );
    assert_eq!(
        s["account_events"],
        json!(account),
        "summary.account_events"
    );
    assert_eq!(
        s["unknown_scope_events"],
        json!(unknown),
        "summary.unknown_scope_events"
    );
    assert_eq!(
        s["events"],
        json!(platform + account + unknown),
        "summary.events is the sum by scope"
    );
    let lost: u64 = events
        .iter()
        .map(|e| e["followers_lost"].as_u64().unwrap())
        .sum();
    assert_eq!(s["followers_lost"], json!(lost), "summary.followers_lost");
}

/// Every affected entry's `before`, `after`, `lost` and `relative_loss`
/// agree with each other, and the event's totals with its entries.
#[track_caller]
fn assert_event_arithmetic(event: &Value) {
    let accounts = event["accounts"].as_array().unwrap();
    assert_eq!(event["accounts_affected"], json!(accounts.len()));
    let mut total = 0;
    for a in accounts {
        let (before, after, lost) = (
            a["before"].as_u64().unwrap(),
            a["after"].as_u64().unwrap(),
            a["lost"].as_u64().unwrap(),
        );
        assert_eq!(before - after, lost, "lost = before - after in {a}");
        let rel = a["relative_loss"].as_f64().unwrap();
        let want = lost as f64 / before as f64;
        assert!(
            (rel - want).abs() < 1e-4,
            "relative_loss {rel} should be {want:.5} in {a}"
        );
        total += lost;
    }
    assert_eq!(
        event["followers_lost"],
        json!(total),
        "event.followers_lost"
    );
}

/// `before`/`after` of the named account are the observed counts of the
/// truth file (at the event's start and end).
#[track_caller]
fn assert_counts(event: &Value, name: &str, before: &Value, after: &Value) {
    let a = account(event, name).unwrap_or_else(|| panic!("{name} is not among the affected"));
    assert_eq!(&a["before"], before, "{name}: before");
    assert_eq!(&a["after"], after, "{name}: after");
}

#[test]
fn instagram_is_one_reverted_platform_glitch() {
    let t = truth("instagram-2019-02-13");
    let designed = &t["events"][0];
    let (report, run) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    let event = only_event(&report, &run);

    assert_class_and_start(&event, designed);
    assert_eq!(event["end"], designed["end"], "event end");
    assert_input_matches(&report, &t);
    assert_summary(&report, 1, 0, 0);
    assert_event_arithmetic(&event);
    assert_eq!(event["cohort_size"], designed["cohort_size"]);
    assert!(
        event["id"].as_str().unwrap().starts_with('p'),
        "{}",
        event["id"]
    );

    // Restoration begins after 06:00Z on the 14th and is complete (95-100 %
    // back) at 12:00Z: the event recovered within those hours.
    let recovered = event["recovered_at"].as_str().expect("recovered_at is set");
    let (from, to) = (
        designed["restoration_begins_after"].as_str().unwrap(),
        designed["restoration_complete"].as_str().unwrap(),
    );
    assert!(
        from < recovered && recovered <= to,
        "recovered_at {recovered} is outside the designed restoration ({from}, {to}]"
    );

    // The following counts fell in the 45 affected accounts of 52.
    let fb = event["following_breadth"].as_f64().unwrap();
    assert_eq!(
        (fb * 52.0).round() as u64,
        designed["following_fell_in"].as_u64().unwrap(),
        "following_breadth {fb}"
    );
    let breadth = event["breadth"].as_f64().unwrap();
    assert!(
        breadth >= report["settings"]["min_breadth"].as_f64().unwrap() && breadth <= 1.0,
        "breadth {breadth}"
    );
}

#[test]
fn instagram_affected_accounts_are_the_designed_ones() {
    let t = truth("instagram-2019-02-13");
    let designed = &t["events"][0];
    let (report, run) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    let event = only_event(&report, &run);
    let got: BTreeSet<String> = affected(&event).into_iter().collect();
    let truth_affected: BTreeSet<String> = strings(&designed["affected_accounts"])
        .into_iter()
        .collect();

    let stray: Vec<&String> = got.difference(&truth_affected).collect();
    assert!(
        stray.is_empty(),
        "accounts listed that the glitch did not touch: {stray:?}"
    );
    assert!(
        got.len() >= 40,
        "only {} affected accounts listed: {got:?}",
        got.len()
    );
    for name in strings(&designed["unaffected_accounts"]) {
        assert!(!got.contains(&name), "{name} was not affected");
    }
    // The named accounts of the press report, with their observed counts.
    for a in designed["affected"].as_array().unwrap() {
        if a["named"] != true {
            continue;
        }
        let name = a["account"].as_str().unwrap();
        assert_counts(&event, name, &a["before"], &a["after"]);
        let entry = account(&event, name).unwrap();
        assert_eq!(entry["following_before"], a["following_before"], "{name}");
        assert_eq!(entry["following_after"], a["following_after"], "{name}");
    }
}

/// Each affected account's own `recovered_at` is within the designed
/// restoration hours when its observed 80 %-back time is (every account but
/// the three whose handful of lost followers is blurred by noise).
#[test]
#[ignore = "known, by design (docs/METHOD.md: persistence): recovery is judged against the account's \
            trend, and this fixture pauses growth during the glitch, so three accounts come \
            back to their pre-glitch count but not to their trend in time — fitwithdre \
            2019-02-16T15:00Z, desertbloom.co 2019-02-14T13:00Z, paper.cranes.co none \
            (truth, counting lost followers only: 11:00Z, 10:00Z, 10:00Z)"]
fn instagram_accounts_recover_within_the_designed_restoration() {
    let t = truth("instagram-2019-02-13");
    let designed = &t["events"][0];
    let complete = designed["restoration_complete"].as_str().unwrap();
    let begins = designed["restoration_begins_after"].as_str().unwrap();
    let (report, run) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    let event = only_event(&report, &run);
    let mut wrong = Vec::new();
    for a in designed["affected"].as_array().unwrap() {
        let name = a["account"].as_str().unwrap();
        let back = a["observed_first_80pct_back"].as_str().unwrap();
        let Some(entry) = account(&event, name) else {
            continue;
        };
        if back > complete {
            continue;
        }
        match entry["recovered_at"].as_str() {
            Some(at) if begins < at && at <= complete => {}
            other => wrong.push(format!("{name}: {other:?} (80 % back at {back})")),
        }
    }
    assert!(
        wrong.is_empty(),
        "accounts not recovered within ({begins}, {complete}]:\n{}",
        wrong.join("\n")
    );
}

/// The Twitter accounts with a designed relative loss of at least the default
/// `--min-drop` (0.005), among the truth's list `field`.
fn twitter_clear_drops(t: &Value, min_drop: f64, only_named: bool) -> Vec<String> {
    let e = &t["events"][0];
    let clear: BTreeSet<String> = strings(&e["individually_clear"]).into_iter().collect();
    e["accounts_detail"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !only_named || a["group"] == "named")
        .filter(|a| only_named || clear.contains(a["username"].as_str().unwrap()))
        .filter(|a| a["designed_relative_loss"].as_f64().unwrap() >= min_drop)
        .map(|a| a["username"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn twitter_is_one_persistent_platform_purge() {
    let t = truth("twitter-2018-07-locked");
    let designed = &t["events"][0];
    let (report, run) = scan_json(&["fixtures/twitter-2018-07-locked.ndjson.gz"]);
    let event = only_event(&report, &run);

    assert_class_and_start(&event, designed);
    assert_eq!(event["recovered_at"], Value::Null, "not recovered");
    assert_input_matches(&report, &t);
    assert_summary(&report, 1, 0, 0);
    assert_event_arithmetic(&event);
    assert_eq!(event["cohort_size"], designed["cohort_size"]);
}

#[test]
fn twitter_event_ends_when_the_loss_is_complete() {
    let t = truth("twitter-2018-07-locked");
    let (report, run) = scan_json(&["fixtures/twitter-2018-07-locked.ndjson.gz"]);
    let event = only_event(&report, &run);
    assert_eq!(event["end"], t["events"][0]["end"]);
}

/// Twitter's removal did not touch following counts: no account's following
/// count fell abnormally (a fall of 1 happens on 10-20 of the 46 days of
/// every account), and the text must not call it a sign of a platform fault.
#[test]
fn twitter_following_counts_did_not_fall() {
    let (report, run) = scan_json(&["fixtures/twitter-2018-07-locked.ndjson.gz"]);
    let event = only_event(&report, &run);
    assert_eq!(event["following_breadth"].as_f64(), Some(0.0));
    let text = scan(&["fixtures/twitter-2018-07-locked.ndjson.gz"]);
    assert!(
        !text.stdout.contains("sign of a platform fault"),
        "{}",
        text.stdout
    );
}

#[test]
fn twitter_affected_accounts_are_the_clear_drops() {
    let t = truth("twitter-2018-07-locked");
    let designed = &t["events"][0];
    let (report, run) = scan_json(&["fixtures/twitter-2018-07-locked.ndjson.gz"]);
    let event = only_event(&report, &run);
    let min_drop = report["settings"]["min_drop"].as_f64().unwrap();
    assert_eq!(min_drop, 0.005, "the default --min-drop");
    let got: BTreeSet<String> = affected(&event).into_iter().collect();

    let named = twitter_clear_drops(&t, min_drop, true);
    assert_eq!(named.len(), 9, "named accounts losing >= 0.5 %: {named:?}");
    let clear = twitter_clear_drops(&t, min_drop, false);
    assert_eq!(clear.len(), 12, "clear drops passing --min-drop: {clear:?}");
    for name in named.iter().chain(&clear) {
        assert!(got.contains(name), "{name} is missing from {got:?}");
    }
    for name in strings(&designed["accounts_not_touched"]) {
        assert!(!got.contains(&name), "{name} lost nothing but is listed");
    }
    let lost: BTreeSet<String> = strings(&designed["accounts_that_lost_followers_list"])
        .into_iter()
        .collect();
    let stray: Vec<&String> = got.difference(&lost).collect();
    assert!(
        stray.is_empty(),
        "listed but designed to lose nothing: {stray:?}"
    );

    // The four slow accounts lose the rest on the 14th: their `after` is the
    // complete loss.
    for a in designed["accounts_detail"].as_array().unwrap() {
        let name = a["username"].as_str().unwrap();
        if strings(&designed["accounts_completing_2018_07_14"]).contains(&name.to_string()) {
            assert_counts(&event, name, &a["before"], &a["at_2018_07_14"]);
        } else if a["group"] == "named" && got.contains(name) {
            assert_counts(&event, name, &a["before"], &a["at_2018_07_13"]);
        }
    }
}

#[test]
fn influencer_purge_is_one_account_purge() {
    let t = truth("influencer-purge");
    let designed = &t["events"][0];
    let (report, run) = scan_json(&["fixtures/influencer-purge.csv"]);
    let event = only_event(&report, &run);

    assert_class_and_start(&event, designed);
    assert_eq!(event["end"], designed["end"]);
    assert_eq!(event["recovered_at"], designed["recovered_at"]);
    assert_input_matches(&report, &t);
    assert_summary(&report, 0, 1, 0);
    assert_event_arithmetic(&event);
    assert_eq!(affected(&event), ["someinfluencer"]);
    // The purge leaves following counts alone, everyone's.
    assert_eq!(event["following_breadth"].as_f64(), Some(0.0));
    let d = &designed["accounts"][0];
    assert_counts(&event, "someinfluencer", &d["before"], &d["after"]);
    let a = &event["accounts"][0];
    assert_eq!(a["following_before"], d["following_before"]);
    assert_eq!(a["following_after"], d["following_after"]);
    assert_eq!(a["recovered_at"], Value::Null);
    assert_eq!(a["excess"], false);
}

#[test]
fn quiet_viral_has_no_event() {
    let t = truth("quiet-viral");
    let (report, run) = scan_json(&["fixtures/quiet-viral.csv"]);
    run.expect_code(t["expected_exit_status"].as_i64().unwrap() as i32);
    assert_eq!(report["events"], json!([]));
    assert_input_matches(&report, &t);
    assert_summary(&report, 0, 0, 0);
    assert_eq!(report["summary"]["followers_lost"], 0);
    assert_eq!(report["warnings"], json!([]));
}

#[test]
fn three_accounts_is_a_purge_of_unknown_scope() {
    let t = truth("three-accounts");
    let designed = &t["events"][0];
    let (report, run) = scan_json(&["fixtures/three-accounts.csv"]);
    let event = only_event(&report, &run);

    assert_eq!(event["kind"], "purge");
    assert_eq!(event["scope"], "unknown");
    assert_class_and_start(&event, designed);
    assert_eq!(event["end"], designed["end"]);
    assert_eq!(event["recovered_at"], Value::Null);
    assert_input_matches(&report, &t);
    assert_summary(&report, 0, 0, 1);
    assert_event_arithmetic(&event);
    assert_eq!(affected(&event), ["lonely"]);
    let d = &designed["accounts"][0];
    assert_counts(&event, "lonely", &d["before"], &d["after"]);
}

#[test]
fn end_of_data_is_an_undetermined_platform_drop() {
    let t = truth("end-of-data");
    let designed = &t["events"][0];
    let (report, run) = scan_json(&["fixtures/end-of-data.csv"]);
    let event = only_event(&report, &run);

    assert_eq!(event["kind"], "platform_drop");
    assert_eq!(event["persistence"], "undetermined");
    assert_class_and_start(&event, designed);
    assert_eq!(event["end"], designed["end"]);
    assert_eq!(event["recovered_at"], Value::Null);
    assert_input_matches(&report, &t);
    assert_summary(&report, 1, 0, 0);
    assert_event_arithmetic(&event);
    assert_eq!(event["cohort_size"], designed["cohort_size"]);
    assert_eq!(event["breadth"].as_f64(), designed["breadth"].as_f64());
    // "Following counts are not touched by this drop."
    assert_eq!(event["following_breadth"].as_f64(), Some(0.0));
    let got: BTreeSet<String> = affected(&event).into_iter().collect();
    let want: BTreeSet<String> = strings(&designed["affected_accounts"])
        .into_iter()
        .collect();
    assert_eq!(got, want);
    for d in designed["accounts"].as_array().unwrap() {
        let name = d["account"].as_str().unwrap();
        assert_eq!(account(&event, name).unwrap()["recovered_at"], Value::Null);
    }
}

/// Every affected account's `before` and `after` are its counts at the
/// event's `start` and `end` (the truth files record them, noise included).
#[test]
#[ignore = "known, by design (docs/METHOD.md: how it decides): each account's before/after are \
            its own snapshots around its own loss, located by its most abnormal fall — for \
            desertbloom.co the 13:00 count (21504; truth 21492 at the event's 14:00 start), \
            for retro.rides the 18:00 count (330; truth 331 at 17:00)"]
fn platform_event_counts_are_taken_at_its_start_and_end() {
    let mut wrong = Vec::new();
    for (fixture, list) in [
        ("end-of-data", "accounts"),
        ("instagram-2019-02-13", "affected"),
    ] {
        let t = truth(fixture);
        let (report, run) = scan_json(&[&format!("fixtures/{fixture}.csv")]);
        let event = only_event(&report, &run);
        for d in t["events"][0][list].as_array().unwrap() {
            let name = d["account"].as_str().unwrap();
            let Some(a) = account(&event, name) else {
                continue;
            };
            if (&a["before"], &a["after"]) != (&d["before"], &d["after"]) {
                wrong.push(format!(
                    "{fixture} {name}: {} -> {}, truth {} -> {}",
                    a["before"], a["after"], d["before"], d["after"]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The six per-account files, in the order `ls` gives them.
fn per_account_files() -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(root().join("fixtures/per-account"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".csv"))
        .map(|n| format!("fixtures/per-account/{n}"))
        .collect();
    files.sort();
    files
}

#[test]
fn per_account_folder_is_one_account_purge_of_nytimes() {
    let t = truth("per-account");
    let designed = &t["events"][0];
    let files = per_account_files();
    assert_eq!(files.len(), 6);
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (report, run) = scan_json(&args);
    let event = only_event(&report, &run);

    assert_eq!(event["kind"], "account_purge");
    assert_class_and_start(&event, designed);
    assert_eq!(event["end"], designed["end"]);
    assert_eq!(event["recovered_at"], Value::Null);
    assert_summary(&report, 0, 1, 0);
    assert_event_arithmetic(&event);
    assert_eq!(affected(&event), ["nytimes"]);
    let d = &designed["accounts"][0];
    assert_counts(&event, "nytimes", &d["before"], &d["after"]);
    // No following column: every following field is null.
    assert_eq!(event["following_breadth"], Value::Null);
    assert_eq!(event["accounts"][0]["following_before"], Value::Null);
    assert_eq!(event["accounts"][0]["following_after"], Value::Null);

    let rows: u64 = t["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(report["input"]["rows"], json!(rows));
    assert_eq!(report["input"]["accounts"], 6);
    assert_eq!(strings(&report["input"]["files"]), files);
    assert_eq!(report["input"]["first"], "2019-01-01T07:56:29Z");
    assert_eq!(report["input"]["last"], "2019-12-31T23:26:49Z");
}

#[test]
fn per_account_duplicates_are_merged_with_a_warning() {
    let files = per_account_files();
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (report, run) = scan_json(&args);
    run.expect_code(1);
    let warnings = report["warnings"].as_array().unwrap();
    let dup: Vec<&Value> = warnings
        .iter()
        .filter(|w| w["code"] == "duplicate_snapshot")
        .collect();
    assert_eq!(dup.len(), 1, "one duplicate warning in {warnings:?}");
    assert_eq!(dup[0]["count"], 16);
    assert!(dup[0]["message"].as_str().unwrap().contains("16"));
    assert!(
        run.stderr.contains("16") && run.stderr.contains("duplicate"),
        "the warning also goes to stderr: {:?}",
        run.stderr
    );
}

#[test]
fn nytimes_alone_is_a_purge_of_unknown_scope() {
    let t = truth("per-account");
    let designed = &t["events"][0];
    let (report, run) = scan_json(&["fixtures/per-account/nytimes.csv"]);
    let event = only_event(&report, &run);

    assert_eq!(event["kind"], "purge");
    assert_eq!(event["scope"], "unknown");
    assert_eq!(event["persistence"], "persistent");
    assert_eq!(event["start"], designed["start"]);
    assert_eq!(event["end"], designed["end"]);
    assert_summary(&report, 0, 0, 1);
    assert_eq!(affected(&event), ["nytimes"]);
    assert_eq!(report["input"]["accounts"], 1);
    assert_eq!(report["input"]["rows"], 141);
    assert_eq!(report["warnings"][0]["count"], 4);
}

/// The `[default: …]` of each detection option in `followdrop scan --help`.
fn help_defaults() -> Vec<(String, String)> {
    let help = scan(&["--help"]);
    help.expect_code(0);
    let mut option = None;
    let mut out = Vec::new();
    for line in help.stdout.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("--") {
            option = rest.split([' ', '<']).next().map(str::to_string);
        }
        if let (Some(opt), Some(i)) = (&option, line.find("[default: ")) {
            let value = &line[i + 10..line[i..].find(']').unwrap() + i];
            out.push((opt.clone(), value.to_string()));
        }
    }
    out
}

fn seconds(duration: &str) -> u64 {
    let (n, unit) = duration.split_at(duration.len() - 1);
    let n: u64 = n.parse().unwrap();
    n * match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => panic!("unit of {duration}"),
    }
}

#[test]
fn settings_echo_the_defaults() {
    let (report, run) = scan_json(&["fixtures/three-accounts.csv"]);
    run.expect_code(1);
    let settings = &report["settings"];
    let defaults = help_defaults();
    let mut checked = 0;
    for (option, value) in &defaults {
        let key = match option.as_str() {
            "recovery-window" => {
                assert_eq!(settings["recovery_window_seconds"], json!(seconds(value)));
                checked += 1;
                continue;
            }
            key @ ("min-drop" | "min-lost" | "sensitivity" | "min-breadth" | "min-cohort"
            | "recovery-share") => key.replace('-', "_"),
            _ => continue,
        };
        let got = settings[&key]
            .as_f64()
            .unwrap_or_else(|| panic!("settings.{key} missing"));
        assert_eq!(got, value.parse::<f64>().unwrap(), "settings.{key}");
        checked += 1;
    }
    assert_eq!(checked, 7, "defaults found in --help: {defaults:?}");
    assert_eq!(settings["min_drop"], 0.005);
    assert!(settings["min_lost"].is_u64() && settings["min_cohort"].is_u64());
}

#[test]
fn settings_echo_the_options_given() {
    let (report, _) = scan_json(&[
        "fixtures/three-accounts.csv",
        "--min-drop",
        "0.02",
        "--min-lost",
        "50",
        "--sensitivity",
        "4.5",
        "--min-breadth",
        "0.4",
        "--min-cohort",
        "7",
        "--recovery-window",
        "2d",
        "--recovery-share",
        "0.9",
    ]);
    assert_eq!(
        report["settings"],
        json!({"min_drop": 0.02, "min_lost": 50, "sensitivity": 4.5, "min_breadth": 0.4,
               "min_cohort": 7, "recovery_window_seconds": 172800, "recovery_share": 0.9})
    );
}

// ---------------------------------------------------------------------------
// Bad input: exit 2, nothing on stdout, a message naming file, line, field
// ---------------------------------------------------------------------------

/// Scans `fixtures/bad/<name>` and checks what `truth/bad.json` demands.
fn check_bad(name: &str) -> util::Run {
    let t = truth("bad");
    let spec = &t["files"][name];
    assert!(spec.is_object(), "{name} is not in truth/bad.json");
    let path = format!("fixtures/bad/{name}");
    let run = scan(&[&path]);
    run.expect_code(t["expected_exit_status"].as_i64().unwrap() as i32);
    assert_eq!(run.stdout, "", "stdout must stay empty");
    let err = &run.stderr;
    assert!(err.contains(name), "stderr does not name the file: {err:?}");
    if let Some(line) = spec["line"].as_u64() {
        assert!(
            err.contains(&format!("line {line}")),
            "stderr does not name line {line}: {err:?}"
        );
    }
    if let Some(column) = spec["column"].as_u64() {
        assert!(
            err.contains(&format!("column {column}")),
            "stderr does not name column {column}: {err:?}"
        );
    }
    for key in ["field", "value"] {
        if let Some(text) = spec[key].as_str() {
            assert!(
                err.contains(text),
                "stderr does not name the {key} {text:?}: {err:?}"
            );
        }
    }
    assert_eq!(err.lines().count(), 1, "one line of error: {err:?}");
    run
}

macro_rules! bad_fixture {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            check_bad($file);
        }
    };
    ($test:ident, $file:literal, ignore = $why:literal) => {
        #[test]
        #[ignore = $why]
        fn $test() {
            check_bad($file);
        }
    };
}

bad_fixture!(bad_missing_followers, "missing-followers.csv");
bad_fixture!(bad_time, "bad-time.csv");
bad_fixture!(bad_count, "bad-count.csv");
bad_fixture!(bad_negative_count, "negative-count.csv");
bad_fixture!(bad_empty, "empty.csv");
bad_fixture!(bad_header_only, "header-only.csv");
bad_fixture!(bad_corrupt_gzip, "corrupt.csv.gz");
bad_fixture!(bad_not_gzip, "not-gzip.csv.gz");
bad_fixture!(bad_json_syntax, "bad-json.json");
bad_fixture!(bad_ndjson_line, "bad-line.ndjson");

#[test]
fn every_bad_fixture_is_covered() {
    let t = truth("bad");
    let mut in_truth: Vec<String> = t["files"].as_object().unwrap().keys().cloned().collect();
    let mut on_disk: Vec<String> = fs::read_dir(root().join("fixtures/bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    in_truth.sort();
    on_disk.sort();
    assert_eq!(in_truth, on_disk);
}

#[test]
fn missing_column_lists_columns_found_and_names_accepted() {
    let run = check_bad("missing-followers.csv");
    let err = &run.stderr;
    assert!(
        err.contains("timestamp, account, likes"),
        "the columns found: {err:?}"
    );
    for alias in [
        "followers",
        "followers_count",
        "follower_count",
        "subscribers",
        "subscriber_count",
        "fan_count",
    ] {
        assert!(
            err.contains(alias),
            "accepted name {alias} not listed: {err:?}"
        );
    }
}

#[test]
fn missing_column_mentions_what_the_truth_requires() {
    let t = truth("bad");
    let run = check_bad("missing-followers.csv");
    for text in strings(&t["files"]["missing-followers.csv"]["must_mention"]) {
        assert!(
            run.stderr.contains(&text),
            "{text:?} not in {:?}",
            run.stderr
        );
    }
}

#[test]
fn unreadable_file_is_an_error_naming_it() {
    let wd = Workdir::new("missing-file");
    let run = wd.run(&["nowhere.csv"], None);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("nowhere.csv"), "{:?}", run.stderr);
}

#[test]
fn a_bad_file_among_good_ones_fails_the_whole_scan() {
    let run = scan(&["fixtures/three-accounts.csv", "fixtures/bad/bad-count.csv"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("bad-count.csv") && run.stderr.contains("line 3"));
}

// ---------------------------------------------------------------------------
// Input shapes: the same data written every way the SPEC accepts
// ---------------------------------------------------------------------------

/// 2024-03-04T00:00:00Z.
const T0: i64 = 1_709_510_400;
const HOURS: i64 = 40;
/// The first snapshot after `dropper.co` lost 30 % of its followers.
const DROP_HOUR: i64 = 24;
const ACCOUNTS: [(&str, f64); 8] = [
    ("acorn_cafe", 1_250.0),
    ("bay.radio", 5_400.0),
    ("cinder_lab", 23_000.0),
    ("dropper.co", 88_000.0),
    ("elm-street-band", 310_000.0),
    ("fjord_films", 1_250_000.0),
    ("gale.news", 4_800_000.0),
    ("harbor_fc", 17_000_000.0),
];

/// One snapshot of the small data set.
#[derive(Debug, Clone, Copy)]
struct Snap {
    account: &'static str,
    hour: i64,
    followers: u64,
}

impl Snap {
    fn epoch(&self) -> i64 {
        T0 + self.hour * 3600
    }

    /// `2024-03-04T05:00:00` (no zone).
    fn local(&self) -> String {
        format!(
            "2024-03-{:02}T{:02}:00:00",
            4 + self.hour / 24,
            self.hour % 24
        )
    }

    fn rfc3339(&self) -> String {
        format!("{}Z", self.local())
    }
}

/// A small deterministic pseudo-random number in [-1, 1).
fn noise(seed: u64) -> f64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// 8 accounts × 40 hourly snapshots, sorted by time then account: slow
/// growth, a small random walk, and `dropper.co` losing 30 % for good at
/// hour 24.
fn dataset() -> Vec<Snap> {
    let mut level: Vec<f64> = ACCOUNTS.iter().map(|&(_, size)| size).collect();
    let mut out = Vec::new();
    for hour in 0..HOURS {
        for (i, &(account, size)) in ACCOUNTS.iter().enumerate() {
            if hour > 0 {
                let sd = (0.02 * size.powf(0.75) / 24f64.sqrt()).max(0.5);
                level[i] += size * 0.00004 + sd * noise((i as u64) << 32 | hour as u64);
                if account == "dropper.co" && hour == DROP_HOUR {
                    level[i] *= 0.7;
                }
            }
            out.push(Snap {
                account,
                hour,
                followers: level[i].round() as u64,
            });
        }
    }
    out
}

/// Rows as delimited text: `header`, then `row(snap)` for each snapshot.
fn delimited(
    snaps: &[Snap],
    header: &[&str],
    sep: &str,
    eol: &str,
    time: impl Fn(&Snap) -> String,
) -> String {
    let mut s = header.join(sep) + eol;
    for snap in snaps {
        s += &[
            time(snap),
            snap.account.to_string(),
            snap.followers.to_string(),
        ]
        .join(sep);
        s += eol;
    }
    s
}

fn csv(snaps: &[Snap]) -> String {
    delimited(
        snaps,
        &["timestamp", "account", "followers"],
        ",",
        "\n",
        Snap::rfc3339,
    )
}

fn csv_with_times(time: impl Fn(&Snap) -> String) -> String {
    delimited(
        &dataset(),
        &["timestamp", "account", "followers"],
        ",",
        "\n",
        time,
    )
}

fn flat_objects(snaps: &[Snap]) -> Vec<Value> {
    snaps
        .iter()
        .map(|s| json!({"timestamp": s.rfc3339(), "account": s.account, "followers": s.followers}))
        .collect()
}

/// Objects shaped like the Twitter API v2 user object.
fn nested_objects(snaps: &[Snap]) -> Vec<Value> {
    snaps
        .iter()
        .map(|s| {
            json!({"collected_at": s.rfc3339(), "username": s.account,
                   "public_metrics": {"followers_count": s.followers, "tweet_count": 42,
                                      "listed_count": 3}})
        })
        .collect()
}

fn ndjson(objects: &[Value]) -> String {
    objects.iter().map(|o| format!("{o}\n")).collect()
}

/// A deterministic shuffle (Fisher–Yates with [`noise`]).
fn shuffled(mut snaps: Vec<Snap>) -> Vec<Snap> {
    for i in (1..snaps.len()).rev() {
        let j = ((noise(0xABCD_0000 + i as u64) + 1.0) / 2.0 * (i + 1) as f64) as usize;
        snaps.swap(i, j.min(i));
    }
    snaps
}

/// The `--format json` report of the canonical CSV, which every other shape
/// must reproduce byte for byte (apart from `input.files`).
fn canonical_report(wd: &Workdir) -> String {
    wd.create("canonical.csv", csv(&dataset()));
    let run = wd.run(&["--format", "json", "canonical.csv"], None);
    run.expect_code(1);
    without_files(&run.stdout)
}

/// Writes each `(name, contents)` file, scans them (plus `args`) and checks
/// the report is the canonical one.
fn assert_same_report(test: &str, files: &[(&str, Vec<u8>)], args: &[&str], stdin: Option<&[u8]>) {
    let wd = Workdir::new(test);
    let expected = canonical_report(&wd);
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    for (name, contents) in files {
        if name.ends_with(".gz") {
            wd.create_gz(name, contents);
        } else {
            wd.create(name, contents);
        }
        all.push(name);
    }
    let run = wd.run(&all, stdin);
    run.expect_code(1);
    assert_same_text(test, &expected, &without_files(&run.stdout));
}

#[test]
fn shape_canonical_report_finds_the_designed_drop() {
    let wd = Workdir::new("canonical");
    wd.create("canonical.csv", csv(&dataset()));
    let run = wd.run(&["--format", "json", "canonical.csv"], None);
    let report = run.json();
    let event = only_event(&report, &run);
    assert_eq!(
        report["input"]["rows"],
        json!(ACCOUNTS.len() as i64 * HOURS)
    );
    assert_eq!(report["input"]["accounts"], 8);
    assert_eq!(report["input"]["bucket_seconds"], 3600);
    assert_eq!(report["input"]["first"], "2024-03-04T00:00:00Z");
    assert_eq!(report["input"]["last"], "2024-03-05T15:00:00Z");
    assert_eq!(affected(&event), ["dropper.co"]);
    assert_eq!(event["scope"], "account");
    // The data ends 16 h after the drop, inside the 3-day recovery window.
    assert_eq!(event["persistence"], "undetermined");
    assert_eq!(event["kind"], "account_drop");
    assert_eq!(event["start"], "2024-03-04T23:00:00Z");
    assert_eq!(event["end"], "2024-03-05T00:00:00Z");
    let rel = event["accounts"][0]["relative_loss"].as_f64().unwrap();
    assert!((rel - 0.3).abs() < 0.01, "relative loss {rel}");
}

#[test]
fn shape_semicolon_csv_with_bom_and_crlf() {
    let text = delimited(
        &dataset(),
        &["timestamp", "account", "followers"],
        ";",
        "\r\n",
        Snap::rfc3339,
    );
    let bytes = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    assert_same_report("semicolon", &[("data.csv", bytes)], &[], None);
}

#[test]
fn shape_tab_separated() {
    let text = delimited(
        &dataset(),
        &["timestamp", "account", "followers"],
        "\t",
        "\n",
        Snap::rfc3339,
    );
    assert_same_report("tab", &[("data.csv", text.into_bytes())], &[], None);
}

#[test]
fn shape_delimiter_option() {
    let text = delimited(
        &dataset(),
        &["timestamp", "account", "followers"],
        "|",
        "\n",
        Snap::rfc3339,
    );
    assert_same_report(
        "pipe-delimited",
        &[("data.csv", text.into_bytes())],
        &["--delimiter", "|"],
        None,
    );
}

#[test]
fn shape_json_array() {
    let text = serde_json::to_string_pretty(&flat_objects(&dataset())).unwrap();
    assert_same_report("json", &[("data.json", text.into_bytes())], &[], None);
}

#[test]
fn shape_ndjson() {
    let text = ndjson(&flat_objects(&dataset()));
    assert_same_report("ndjson", &[("data.ndjson", text.into_bytes())], &[], None);
}

#[test]
fn shape_json_lines_extension() {
    let text = ndjson(&flat_objects(&dataset()));
    assert_same_report("jsonl", &[("data.jsonl", text.into_bytes())], &[], None);
}

#[test]
fn shape_gzip_csv() {
    assert_same_report(
        "gzip",
        &[("data.csv.gz", csv(&dataset()).into_bytes())],
        &[],
        None,
    );
}

#[test]
fn shape_gzip_ndjson() {
    let text = ndjson(&flat_objects(&dataset()));
    assert_same_report(
        "gzip-ndjson",
        &[("data.ndjson.gz", text.into_bytes())],
        &[],
        None,
    );
}

#[test]
fn shape_stdin_csv_with_input_format() {
    let text = csv(&dataset());
    assert_same_report(
        "stdin-csv",
        &[],
        &["--input-format", "csv", "-"],
        Some(text.as_bytes()),
    );
}

#[test]
fn shape_stdin_json_sniffed() {
    let text = serde_json::to_string(&flat_objects(&dataset())).unwrap();
    assert_same_report("stdin-json", &[], &["-"], Some(text.as_bytes()));
}

#[test]
fn shape_stdin_ndjson_sniffed() {
    let text = ndjson(&flat_objects(&dataset()));
    assert_same_report("stdin-ndjson", &[], &["-"], Some(text.as_bytes()));
}

#[test]
fn shape_stdin_ndjson_with_input_format() {
    let text = ndjson(&flat_objects(&dataset()));
    assert_same_report(
        "stdin-ndjson-forced",
        &[],
        &["--input-format", "ndjson", "-"],
        Some(text.as_bytes()),
    );
}

#[test]
fn shape_split_across_two_files() {
    let (early, late): (Vec<Snap>, Vec<Snap>) =
        dataset().into_iter().partition(|s| s.hour < HOURS / 2);
    assert_same_report(
        "split",
        &[
            ("day1.csv", csv(&early).into_bytes()),
            ("day2.csv", csv(&late).into_bytes()),
        ],
        &[],
        None,
    );
}

#[test]
fn shape_split_across_two_files_given_in_reverse() {
    let (early, late): (Vec<Snap>, Vec<Snap>) =
        dataset().into_iter().partition(|s| s.hour < HOURS / 2);
    assert_same_report(
        "split-reverse",
        &[
            ("b-late.csv", csv(&late).into_bytes()),
            ("a-early.csv", csv(&early).into_bytes()),
        ],
        &[],
        None,
    );
}

#[test]
fn shape_split_across_csv_and_ndjson() {
    let (early, late): (Vec<Snap>, Vec<Snap>) =
        dataset().into_iter().partition(|s| s.hour < HOURS / 2);
    assert_same_report(
        "split-mixed",
        &[
            ("day1.csv", csv(&early).into_bytes()),
            ("day2.ndjson", ndjson(&flat_objects(&late)).into_bytes()),
        ],
        &[],
        None,
    );
}

#[test]
fn shape_shuffled_rows() {
    let text = csv(&shuffled(dataset()));
    assert_ne!(text, csv(&dataset()), "the shuffle moved rows");
    assert_same_report("shuffled", &[("data.csv", text.into_bytes())], &[], None);
}

#[test]
fn shape_epoch_seconds() {
    let text = csv_with_times(|s| s.epoch().to_string());
    assert_same_report("epoch-s", &[("data.csv", text.into_bytes())], &[], None);
}

#[test]
fn shape_epoch_milliseconds() {
    let text = csv_with_times(|s| (s.epoch() * 1000).to_string());
    assert_same_report("epoch-ms", &[("data.csv", text.into_bytes())], &[], None);
}

#[test]
fn shape_offset_without_colon() {
    let text = csv_with_times(|s| format!("{}+0000", s.local()));
    assert_same_report("offset", &[("data.csv", text.into_bytes())], &[], None);
}

#[test]
fn shape_other_offsets() {
    // The same instants written at +05:30 and -0800.
    let text = csv_with_times(|s| {
        let (h, m) = if s.hour % 2 == 0 { (5, 30) } else { (-8, 0) };
        let t = s.epoch() + h * 3600 + h.signum() * m * 60;
        let (days, secs) = ((t - T0).div_euclid(86_400), (t - T0).rem_euclid(86_400));
        let sign = if h < 0 { '-' } else { '+' };
        format!(
            "2024-03-{:02}T{:02}:{:02}:00{sign}{:02}{:02}",
            4 + days,
            secs / 3600,
            secs % 3600 / 60,
            h.abs(),
            m
        )
    });
    assert_same_report(
        "other-offsets",
        &[("data.csv", text.into_bytes())],
        &[],
        None,
    );
}

#[test]
fn shape_date_and_minutes_without_zone() {
    let text = csv_with_times(|s| s.local()[..16].replace('T', " "));
    assert!(text.contains("\n2024-03-04 05:00,"));
    assert_same_report("minutes", &[("data.csv", text.into_bytes())], &[], None);
}

#[test]
fn shape_local_times_with_tz() {
    // Paris is UTC+1 in early March: 01:00 there is 00:00Z.
    let text = csv_with_times(|s| {
        let t = s.epoch() + 3600 - T0;
        format!(
            "2024-03-{:02} {:02}:00:00",
            4 + t / 86_400,
            t % 86_400 / 3600
        )
    });
    assert_same_report(
        "tz",
        &[("data.csv", text.into_bytes())],
        &["--tz", "Europe/Paris"],
        None,
    );
}

#[test]
fn shape_aliased_column_names() {
    let text = delimited(
        &dataset(),
        &["Date_UTC", "Username", "Followers Count"],
        ",",
        "\n",
        Snap::rfc3339,
    );
    assert_same_report("aliases", &[("data.csv", text.into_bytes())], &[], None);
}

#[test]
fn shape_column_overrides() {
    let text = delimited(
        &dataset(),
        &["when", "who", "fans"],
        ",",
        "\n",
        Snap::rfc3339,
    );
    assert_same_report(
        "overrides",
        &[("data.csv", text.into_bytes())],
        &[
            "--time-col",
            "when",
            "--account-col",
            "who",
            "--followers-col",
            "fans",
        ],
        None,
    );
}

#[test]
fn shape_override_beats_an_alias() {
    // `followers` holds junk; `--followers-col real` must win over the alias.
    let snaps = dataset();
    let mut text = String::from("timestamp,account,followers,real\n");
    for s in &snaps {
        text += &format!("{},{},7,{}\n", s.rfc3339(), s.account, s.followers);
    }
    assert_same_report(
        "override-alias",
        &[("data.csv", text.into_bytes())],
        &["--followers-col", "real"],
        None,
    );
}

#[test]
fn shape_nested_json_with_dotted_path() {
    let text = ndjson(&nested_objects(&dataset()));
    assert_same_report(
        "nested-dotted",
        &[("data.ndjson", text.into_bytes())],
        &["--followers-col", "public_metrics.followers_count"],
        None,
    );
}

#[test]
fn shape_nested_json_auto_detected() {
    let text = ndjson(&nested_objects(&dataset()));
    assert_same_report(
        "nested-auto",
        &[("data.ndjson", text.into_bytes())],
        &[],
        None,
    );
}

#[test]
fn shape_nested_json_array_auto_detected() {
    let text = serde_json::to_string(&nested_objects(&dataset())).unwrap();
    assert_same_report(
        "nested-array",
        &[("data.json", text.into_bytes())],
        &[],
        None,
    );
}

#[test]
fn shape_one_file_per_account() {
    // No account column: each file is one account, named after its stem.
    let snaps = dataset();
    let files: Vec<(String, Vec<u8>)> = ACCOUNTS
        .iter()
        .map(|&(name, _)| {
            let mut text = String::from("date,followers_count\n");
            for s in snaps.iter().filter(|s| s.account == name) {
                text += &format!("{},{}\n", s.rfc3339(), s.followers);
            }
            (format!("{name}.csv"), text.into_bytes())
        })
        .collect();
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    assert_same_report("per-account", &files, &[], None);
}

#[test]
fn shape_ndjson_with_crlf_and_blank_lines() {
    // CRLF line ends, a few blank lines inside and two at the end.
    let text = ndjson(&flat_objects(&dataset())).replace('\n', "\r\n") + "\r\n\n";
    let text = text.replacen("\r\n", "\r\n\n", 3);
    assert_same_report(
        "ndjson-blank",
        &[("data.ndjson", text.into_bytes())],
        &[],
        None,
    );
}

#[test]
fn shape_json_with_bom() {
    let text = serde_json::to_string(&flat_objects(&dataset())).unwrap();
    let bytes = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    assert_same_report("json-bom", &[("data.json", bytes)], &[], None);
}

#[test]
fn shape_concatenated_gzip_members() {
    // A cron job appending one gzip member a day to the same `.gz` file.
    let snaps = dataset();
    let (early, late): (Vec<Snap>, Vec<Snap>) = snaps.into_iter().partition(|s| s.hour < 20);
    let header_and_early = csv(&early);
    let late_rows: String = csv(&late)
        .lines()
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    let gz = |text: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, text.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let bytes = [gz(&header_and_early), gz(&late_rows)].concat();
    let wd = Workdir::new("multigz");
    let expected = canonical_report(&wd);
    wd.create("data.csv.gz", bytes);
    let run = wd.run(&["--format", "json", "data.csv.gz"], None);
    run.expect_code(1);
    assert_same_text("multigz", &expected, &without_files(&run.stdout));
}

#[test]
fn shape_gzip_on_stdin() {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut e, ndjson(&flat_objects(&dataset())).as_bytes()).unwrap();
    let bytes = e.finish().unwrap();
    assert_same_report("stdin-gz", &[], &["-"], Some(&bytes));
}

#[test]
fn shape_counts_with_separators_and_decimals() {
    // The accepted spellings named in the error message: 1234.0 and "1,234".
    let snaps = dataset();
    let mut text = String::from("timestamp,account,followers\n");
    for (i, s) in snaps.iter().enumerate() {
        let n = s.followers;
        let count = match i % 3 {
            0 => format!("\"{}\"", thousands(n)),
            1 => format!("{n}.0"),
            _ => n.to_string(),
        };
        text += &format!("{},{},{count}\n", s.rfc3339(), s.account);
    }
    assert!(text.contains(",\"4,8"), "{}", &text[..300]);
    assert_same_report("separators", &[("data.csv", text.into_bytes())], &[], None);
}

#[test]
fn shape_exact_duplicates_are_merged_with_a_warning() {
    let wd = Workdir::new("duplicates");
    let expected = canonical_report(&wd);
    let snaps = dataset();
    let mut doubled = snaps.clone();
    doubled.extend_from_slice(&snaps[..5]);
    wd.create("data.csv", csv(&doubled));
    let run = wd.run(&["--format", "json", "data.csv"], None);
    run.expect_code(1);
    let report = run.json();
    assert_eq!(report["warnings"][0]["code"], "duplicate_snapshot");
    assert_eq!(report["warnings"][0]["count"], 5);
    assert!(run.stderr.contains('5'), "{:?}", run.stderr);
    let mut got: Value = report;
    let want: Value = serde_json::from_str(&expected).unwrap();
    got["input"]["files"] = Value::Null;
    got["input"]["rows"] = want["input"]["rows"].clone();
    got["warnings"] = json!([]);
    assert_eq!(got, want, "the duplicates change nothing else");
}

#[test]
fn shape_conflicting_duplicates_are_reported() {
    let wd = Workdir::new("conflicts");
    let mut text = csv(&dataset());
    text += "2024-03-04T03:00:00Z,acorn_cafe,999\n";
    wd.create("data.csv", text);
    let run = wd.run(&["--format", "json", "data.csv"], None);
    assert!(
        run.code == 1 || run.code == 2,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert!(
        run.stderr.contains("acorn_cafe") || run.stderr.contains("conflict"),
        "the conflict is reported on stderr: {:?}",
        run.stderr
    );
}

/// `cat a.csv b.csv > c.csv` leaves b's header in the middle of c: it is not
/// data, it is skipped and counted, and the report is otherwise the same.
#[test]
fn shape_concatenated_csv_files_repeat_their_header() {
    let wd = Workdir::new("concatenated");
    let expected = canonical_report(&wd);
    let snaps = dataset();
    let (a, b) = snaps.split_at(snaps.len() / 2);
    let (b, c) = b.split_at(b.len() / 2);
    // The third part comes from a file with a BOM and CRLF line ends.
    let third = delimited(
        c,
        &["timestamp", "account", "followers"],
        ",",
        "\r\n",
        Snap::rfc3339,
    );
    wd.create("joined.csv", csv(a) + &csv(b) + "\u{feff}" + &third);
    let run = wd.run(&["--format", "json", "joined.csv"], None);
    run.expect_code(1);
    let mut got = run.json();
    assert_eq!(
        got["warnings"],
        json!([{"code": "repeated_header", "message": "2 repeated header lines skipped",
                "count": 2}])
    );
    assert!(
        run.stderr.contains("2 repeated header lines skipped"),
        "{:?}",
        run.stderr
    );
    let want: Value = serde_json::from_str(&expected).unwrap();
    got["input"]["files"] = Value::Null;
    got["warnings"] = json!([]);
    assert_eq!(got, want, "the repeated headers change nothing else");
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// Scans influencer-purge.csv with `args` and returns (events, exit status).
fn filtered(args: &[&str]) -> (Value, i32) {
    let mut all = vec!["fixtures/influencer-purge.csv"];
    all.extend_from_slice(args);
    let (report, run) = scan_json(&all);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    let events = report["events"].clone();
    let n = events.as_array().unwrap().len();
    assert_eq!(
        report["summary"]["events"],
        json!(n),
        "summary counts what is reported"
    );
    assert_eq!(
        run.code,
        i32::from(n > 0),
        "exit status follows the events reported"
    );
    (events, run.code)
}

#[test]
fn since_and_until_filter_by_start() {
    // The purge starts at 2020-04-15T00:00:00Z.
    for (args, code) in [
        (vec!["--since", "2020-04-15T00:00:00Z"], 1),
        (vec!["--since", "2020-04-15"], 1),
        (vec!["--since", "2020-04-15 00:01"], 0),
        (vec!["--since", "2020-05-01"], 0),
        (vec!["--until", "2020-04-15T00:00:00Z"], 1),
        (vec!["--until", "2020-04-14T23:59:59Z"], 0),
        (vec!["--since", "2020-04-01", "--until", "2020-04-30"], 1),
        (vec!["--since", "2020-04-16", "--until", "2020-04-30"], 0),
        (vec!["--since", "1586908800"], 1),
    ] {
        let (_, got) = filtered(&args);
        assert_eq!(got, code, "{args:?}");
    }
}

/// The nytimes purge of the per-account folder starts at 2019-06-09T23:17Z,
/// late in the day: a bare `--until` date takes in the whole day, a bare
/// `--since` date starts at its midnight (both UTC, even with `--tz`).
#[test]
fn bare_dates_cover_whole_days() {
    let files = per_account_files();
    for (args, code) in [
        (vec!["--until", "2019-06-09"], 1),
        (vec!["--until", "2019-06-08"], 0),
        (vec!["--until", "2019-06-09 23:00"], 0),
        (vec!["--until", "2019-06-09T23:59:59Z"], 1),
        (vec!["--until", "2019-06-09", "--tz", "Asia/Tokyo"], 1),
        (vec!["--since", "2019-06-09"], 1),
        (vec!["--since", "2019-06-10"], 0),
        (vec!["--since", "2019-06-09", "--until", "2019-06-09"], 1),
    ] {
        let mut all: Vec<&str> = files.iter().map(String::as_str).collect();
        all.extend_from_slice(&args);
        let (report, run) = scan_json(&all);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        assert_eq!(report["summary"]["events"], json!(code), "{args:?}");
    }
}

#[test]
fn since_keeps_all_data_as_history() {
    let (all, _) = filtered(&[]);
    let (late, code) = filtered(&["--since", "2020-04-10"]);
    assert_eq!(code, 1);
    assert_eq!(all, late, "the event is the same with or without --since");
}

#[test]
fn account_filter() {
    assert_eq!(filtered(&["--account", "someinfluencer"]).1, 1);
    assert_eq!(filtered(&["--account", "nobody"]).1, 0);
    assert_eq!(
        filtered(&["--account", "nobody", "--account", "someinfluencer"]).1,
        1
    );
}

#[test]
fn account_filter_on_a_platform_event() {
    let (report, run) = scan_json(&[
        "fixtures/twitter-2018-07-locked.ndjson.gz",
        "--account",
        "jack",
        "--account",
        "katyperry",
    ]);
    let event = only_event(&report, &run);
    let mut got = affected(&event);
    got.sort();
    assert_eq!(got, ["jack", "katyperry"]);
    assert_eq!(event["cohort_size"], 40, "the cohort is still everyone");
    // An unaffected account of the cohort has no event of its own.
    let (report, run) = scan_json(&[
        "fixtures/twitter-2018-07-locked.ndjson.gz",
        "--account",
        "moonlit_maps",
    ]);
    run.expect_code(0);
    assert_eq!(report["events"], json!([]));
}

#[test]
fn scope_filter() {
    assert_eq!(filtered(&["--scope", "account"]).1, 1);
    assert_eq!(filtered(&["--scope", "platform"]).1, 0);
    assert_eq!(filtered(&["--scope", "unknown"]).1, 0);
    assert_eq!(
        filtered(&["--scope", "platform", "--scope", "account"]).1,
        1
    );
    let (report, run) = scan_json(&["fixtures/instagram-2019-02-13.csv", "--scope", "account"]);
    run.expect_code(0);
    assert_eq!(report["summary"]["platform_events"], 0);
}

#[test]
fn everything_filtered_away_still_prints_a_report() {
    for format in ["text", "json", "ndjson", "csv"] {
        let run = scan(&[
            "fixtures/influencer-purge.csv",
            "--scope",
            "platform",
            "--format",
            format,
        ]);
        run.expect_code(0);
        match format {
            "ndjson" => assert_eq!(run.stdout, ""),
            "csv" => assert_eq!(run.stdout.lines().count(), 1, "header only"),
            "json" => assert_eq!(run.json()["events"], json!([])),
            _ => assert!(!run.stdout.is_empty()),
        }
    }
}

#[test]
fn bad_filter_time_is_a_usage_error() {
    assert_usage_error(&["--since", "yesterday"], "--since", "yesterday");
    assert_usage_error(&["--until", "2020-02-30"], "--until", "2020-02-30");
    assert_usage_error(&["--until", "2020-04-15 25:00"], "--until", "25:00");
}

/// A well-formed local time that the `--tz` zone skips (a daylight-saving
/// gap) can only be told once the zone is known: still exit 2, naming it.
#[test]
fn filter_time_in_a_daylight_saving_gap_is_an_error() {
    let run = scan(&[
        "fixtures/influencer-purge.csv",
        "--tz",
        "Europe/Paris",
        "--since",
        "2019-03-31 02:30",
    ]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("--since") && run.stderr.contains("02:30"),
        "{:?}",
        run.stderr
    );
}

#[test]
fn output_file_is_written_and_stdout_stays_empty() {
    let wd = Workdir::new("output");
    let fixture = root().join("fixtures/influencer-purge.csv");
    let fixture = fixture.to_str().unwrap();
    let run = wd.run(&["--format", "json", "-o", "report.json", fixture], None);
    run.expect_code(1);
    assert_eq!(run.stdout, "");
    let written = wd.read("report.json");
    let on_stdout = wd.run(&["--format", "json", fixture], None);
    assert_eq!(written, on_stdout.stdout);

    // --output, and an existing file is replaced.
    let run = wd.run(
        &["--format", "csv", "--output", "report.json", fixture],
        None,
    );
    run.expect_code(1);
    assert!(wd.read("report.json").starts_with("event_id,"));
    // Nothing but the report is left behind.
    let names: Vec<String> = fs::read_dir(wd.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["report.json"]);
}

/// `-o FILE` without `--format` writes the format FILE's extension names
/// (any other name gets text), as `--help` says; `--format` still wins.
#[test]
fn output_format_follows_the_file_extension() {
    let wd = Workdir::new("output-extension");
    let fixture = root().join("fixtures/influencer-purge.csv");
    let fixture = fixture.to_str().unwrap();
    for (name, format) in [
        ("report.json", "json"),
        ("report.ndjson", "ndjson"),
        ("report.JSONL", "ndjson"),
        ("report.csv", "csv"),
        ("report.txt", "text"),
        ("report", "text"),
    ] {
        wd.run(&["-o", name, fixture], None).expect_code(1);
        let expected = wd.run(&["--format", format, fixture], None);
        assert_eq!(wd.read(name), expected.stdout, "{name}");
    }
    wd.run(&["--format", "text", "-o", "report.json", fixture], None)
        .expect_code(1);
    let text = wd.run(&[fixture], None);
    assert_eq!(wd.read("report.json"), text.stdout);
    let help = wd.run(&["--help"], None);
    let help = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("Without --format, FILE's extension gives the format: -o report.json"),
        "{help}"
    );
}

#[test]
fn output_file_survives_a_failed_run() {
    let wd = Workdir::new("output-kept");
    wd.create("report.json", "precious\n");
    wd.create(
        "bad.csv",
        "timestamp,account,followers\n2024-01-01T00:00:00Z,a,12a4\n",
    );
    let run = wd.run(&["--format", "json", "-o", "report.json", "bad.csv"], None);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(wd.read("report.json"), "precious\n");
    let names: BTreeSet<String> = fs::read_dir(wd.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["bad.csv".to_string(), "report.json".to_string()]),
        "no temporary file is left behind"
    );
}

#[test]
fn output_into_a_missing_directory_is_an_error() {
    let wd = Workdir::new("output-nodir");
    let fixture = root().join("fixtures/three-accounts.csv");
    let run = wd.run(
        &["-o", "no/such/dir/report.txt", fixture.to_str().unwrap()],
        None,
    );
    run.expect_code(2);
    assert!(run.stderr.contains("report.txt"), "{:?}", run.stderr);
}

/// A bad option value is a clap usage error: exit 2, nothing on stdout,
/// clap's message naming the option and value.
#[track_caller]
fn assert_usage_error(args: &[&str], option: &str, value: &str) {
    let mut all = vec!["fixtures/three-accounts.csv"];
    all.extend_from_slice(args);
    let mut cmd = util::followdrop(&root());
    cmd.arg("scan").args(&all);
    cmd.assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::starts_with("error: invalid value")
                .and(predicate::str::contains(option))
                .and(predicate::str::contains(value))
                .and(predicate::str::contains("--help")),
        );
}

#[test]
fn bad_option_values_are_usage_errors() {
    assert_usage_error(&["--min-breadth", "1.5"], "--min-breadth", "1.5");
    assert_usage_error(&["--bucket", "5x"], "--bucket", "5x");
    assert_usage_error(&["--bucket", "60w"], "--bucket", "60w");
    assert_usage_error(&["--tz", "Mars/Base"], "--tz", "Mars/Base");
    assert_usage_error(&["--min-drop=-0.1"], "--min-drop", "-0.1");
    assert_usage_error(&["--recovery-share", "2"], "--recovery-share", "2");
    assert_usage_error(&["--recovery-window", "soon"], "--recovery-window", "soon");
    assert_usage_error(&["--sensitivity", "0"], "--sensitivity", "0");
    assert_usage_error(&["--min-cohort", "many"], "--min-cohort", "many");
    assert_usage_error(&["--format", "xml"], "--format", "xml");
    assert_usage_error(&["--scope", "galaxy"], "--scope", "galaxy");
    assert_usage_error(&["--color", "sometimes"], "--color", "sometimes");
}

/// A `--*-col` naming a column the input lacks is a usage error too, worded
/// as clap words a bad value, with the file and the columns it does have;
/// in JSON the columns are dotted paths.
#[test]
fn a_column_option_naming_no_column_is_a_usage_error() {
    for (flag, input, found) in [
        (
            "--time-col",
            "fixtures/three-accounts.csv",
            "timestamp, account, followers, following",
        ),
        (
            "--account-col",
            "fixtures/three-accounts.csv",
            "timestamp, account, followers, following",
        ),
        (
            "--following-col",
            "fixtures/three-accounts.csv",
            "timestamp, account, followers, following",
        ),
        (
            "--followers-col",
            "fixtures/twitter-2018-07-locked.ndjson.gz",
            "collected_at, id, name, public_metrics.followers_count, ",
        ),
    ] {
        let run = scan(&[flag, "nosuch", input]);
        run.expect_code(2);
        assert_eq!(run.stdout, "");
        let want = format!(
            "error: invalid value 'nosuch' for '{flag} <NAME>': {input} has no such column (columns found: {found}"
        );
        assert!(run.stderr.starts_with(&want), "{flag}: {:?}", run.stderr);
        assert!(
            run.stderr.ends_with(
                ")\n\nUsage: followdrop scan [OPTIONS] <INPUT>...\n\nFor more information, try '--help'.\n"
            ),
            "{flag}: {:?}",
            run.stderr
        );
    }
    // The same name given the right way round is read.
    let run = scan(&[
        "--followers-col",
        "followers",
        "fixtures/three-accounts.csv",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn usage_errors_without_a_value() {
    let mut cmd = util::followdrop(&root());
    cmd.arg("scan")
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("Usage"));
    let mut cmd = util::followdrop(&root());
    cmd.args(["frobnicate", "x.csv"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty());
}

#[test]
fn help_and_version_exit_zero() {
    let mut cmd = util::followdrop(&root());
    cmd.arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("0.1.0"));
    let mut cmd = util::followdrop(&root());
    cmd.args(["scan", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status"));
}

#[test]
fn bucket_option_changes_the_grid() {
    let (report, run) = scan_json(&["fixtures/instagram-2019-02-13.csv", "--bucket", "1d"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert_eq!(report["input"]["bucket_seconds"], 86_400);
    let (report, _) = scan_json(&["fixtures/instagram-2019-02-13.csv", "--bucket", "6h"]);
    assert_eq!(report["input"]["bucket_seconds"], 21_600);
}

#[test]
fn text_colour_follows_the_color_option() {
    let plain = scan(&["fixtures/influencer-purge.csv", "--color", "never"]);
    assert!(!plain.stdout.contains('\x1b'));
    let auto = scan(&["fixtures/influencer-purge.csv"]);
    assert!(!auto.stdout.contains('\x1b'), "no colour into a pipe");
    assert_eq!(plain.stdout, auto.stdout);
    let always = scan(&["fixtures/influencer-purge.csv", "--color", "always"]);
    assert!(always.stdout.contains("\x1b["), "colour when asked");
    for format in ["json", "ndjson", "csv"] {
        let run = scan(&[
            "fixtures/influencer-purge.csv",
            "--color",
            "always",
            "--format",
            format,
        ]);
        assert!(!run.stdout.contains('\x1b'), "{format} is never coloured");
    }
}

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin!("followdrop").to_path_buf()
}

#[test]
fn closed_pipe_after_one_line_is_quiet() {
    let mut child = Command::new(binary())
        .current_dir(root())
        .args(["scan", "fixtures/instagram-2019-02-13.csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("followdrop"), "{line:?}");
    drop(reader);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}", out.status);
}

#[test]
fn closed_pipe_before_any_output_is_quiet() {
    // The read end is closed before the binary starts: every write fails.
    for format in ["text", "json", "ndjson", "csv"] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(binary())
            .current_dir(root())
            .args([
                "scan",
                "--format",
                format,
                "fixtures/instagram-2019-02-13.csv",
            ])
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert_eq!(stderr, "", "{format}: a closed pipe ends quietly");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{format}: {:?}",
            out.status
        );
    }
}

/// A report bigger than the write buffers (`scan --format csv | head -1` on
/// a platform glitch over 400 accounts; the text report lists fewer
/// accounts) meets the closed pipe in the middle of its rows: every format
/// then ends as it would have into an open pipe: the same exit status (1,
/// events found) and no error on stderr.
#[test]
fn closed_pipe_in_the_middle_of_a_big_report_is_quiet_in_every_format() {
    let w = Workdir::new("closed-pipe-big");
    let mut sim = util::followdrop(w.path());
    sim.args(["simulate", "--scenario", "glitch", "--accounts", "400"])
        .args(["--days", "20", "--seed", "1", "-o", "glitch.csv"]);
    sim.assert().success();
    for format in ["text", "json", "ndjson", "csv"] {
        let open = w.run(&["-q", "--format", format, "glitch.csv"], None);
        open.expect_code(1);
        if format != "text" {
            assert!(
                open.stdout.len() > 32 << 10,
                "{format}: the report must outgrow the 8 KB write buffers ({} bytes)",
                open.stdout.len()
            );
        }
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let closed = Command::new(binary())
            .current_dir(w.path())
            .args(["scan", "-q", "--format", format, "glitch.csv"])
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&closed.stderr);
        assert_eq!(stderr, "", "{format}: a closed pipe ends quietly");
        assert_eq!(closed.status.code(), Some(1), "{format}: {stderr}");
    }
}

/// `scan -` on a terminal: `script` (util-linux) gives the binary one,
/// types the lines it is given, then Ctrl-D. The scan says once, on
/// stderr, that it reads standard input and how to end it, unless `-q`;
/// one Ctrl-D ends the input, as for `cat` (the readers ask again after
/// the end, and a terminal would wait for a second).
#[test]
fn snapshots_typed_on_a_terminal() {
    const NOTICE: &str = "followdrop: reading snapshots from standard input (end with Ctrl-D)";
    const TYPED: &str = "timestamp,account,followers\n2024-01-01,a,10\n2024-01-02,a,11\n";
    for args in ["scan -", "-q scan -"] {
        let mut cmd = assert_cmd::Command::new("script");
        cmd.args(["-qec", &format!("'{}' {args}", binary().display())])
            .arg("/dev/null")
            .current_dir(root())
            .timeout(std::time::Duration::from_secs(10))
            .write_stdin(TYPED);
        let run = util::Run::from_output(cmd.output().expect("script (util-linux) runs"));
        run.expect_code(0);
        assert!(
            run.stdout.contains("No sudden follower loss found."),
            "{}",
            run.stdout
        );
        let notices = run.stdout.matches(NOTICE).count();
        assert_eq!(
            notices,
            usize::from(args == "scan -"),
            "{args}: {}",
            run.stdout
        );
    }
    // From a pipe or a file, not a word.
    let w = Workdir::new("stdin-not-terminal");
    let piped = w.run(&["-"], Some(TYPED.as_bytes()));
    piped.expect_code(0);
    assert_eq!(piped.stderr, "");
    w.create("typed.csv", TYPED);
    let mut cmd = w.scan();
    cmd.arg("-").pipe_stdin(w.path().join("typed.csv")).unwrap();
    let from_file = util::run(cmd, None);
    from_file.expect_code(0);
    assert_eq!(from_file.stderr, "");
}

// ---------------------------------------------------------------------------
// Golden files: `tests/golden/<fixture>.<format>`; UPDATE_GOLDEN=1 rewrites
// ---------------------------------------------------------------------------

const GOLDEN_FIXTURES: [&str; 2] = ["influencer-purge", "three-accounts"];
const CSV_HEADER: &str = "event_id,kind,scope,persistence,start,end,recovered_at,account,\
                          before,after,lost,relative_loss,excess";

fn golden_path(fixture: &str, format: &str) -> PathBuf {
    let ext = if format == "text" { "txt" } else { format };
    root().join("tests/golden").join(format!("{fixture}.{ext}"))
}

fn check_golden(fixture: &str, format: &str) {
    let run = scan(&[
        "--format",
        format,
        "--color",
        "never",
        &format!("fixtures/{fixture}.csv"),
    ]);
    run.expect_code(1);
    let path = golden_path(fixture, format);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &run.stdout).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_same_text(&path.display().to_string(), &expected, &run.stdout);
}

macro_rules! golden {
    ($test:ident, $fixture:literal, $format:literal) => {
        #[test]
        fn $test() {
            check_golden($fixture, $format);
        }
    };
}

golden!(golden_influencer_text, "influencer-purge", "text");
golden!(golden_influencer_json, "influencer-purge", "json");
golden!(golden_influencer_ndjson, "influencer-purge", "ndjson");
golden!(golden_influencer_csv, "influencer-purge", "csv");
golden!(golden_three_accounts_text, "three-accounts", "text");
golden!(golden_three_accounts_json, "three-accounts", "json");
golden!(golden_three_accounts_ndjson, "three-accounts", "ndjson");
golden!(golden_three_accounts_csv, "three-accounts", "csv");

fn read_golden(fixture: &str, format: &str) -> String {
    fs::read_to_string(golden_path(fixture, format)).unwrap()
}

#[test]
fn golden_csv_has_the_spec_header_and_one_row_per_affected_account() {
    for fixture in GOLDEN_FIXTURES {
        let csv = read_golden(fixture, "csv");
        let json: Value = serde_json::from_str(&read_golden(fixture, "json")).unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER), "{fixture}");
        let rows: Vec<&str> = lines.collect();
        let mut want = Vec::new();
        for e in json["events"].as_array().unwrap() {
            for a in e["accounts"].as_array().unwrap() {
                want.push(format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{},{}",
                    e["id"].as_str().unwrap(),
                    e["kind"].as_str().unwrap(),
                    e["scope"].as_str().unwrap(),
                    e["persistence"].as_str().unwrap(),
                    e["start"].as_str().unwrap(),
                    e["end"].as_str().unwrap(),
                    a["recovered_at"].as_str().unwrap_or(""),
                    a["account"].as_str().unwrap(),
                    a["before"],
                    a["after"],
                    a["lost"],
                    a["relative_loss"],
                    a["excess"],
                ));
            }
        }
        assert_eq!(rows, want, "{fixture}: CSV rows match the JSON events");
    }
}

#[test]
fn golden_ndjson_is_the_json_events_one_a_line() {
    for fixture in GOLDEN_FIXTURES {
        let ndjson = read_golden(fixture, "ndjson");
        let json: Value = serde_json::from_str(&read_golden(fixture, "json")).unwrap();
        assert!(ndjson.ends_with('\n'), "{fixture}: ends with a newline");
        let events: Vec<Value> = ndjson
            .lines()
            .map(|l| {
                assert!(l.starts_with('{') && l.ends_with('}'), "{l}");
                serde_json::from_str(l).unwrap()
            })
            .collect();
        assert_eq!(&json!(events), &json["events"], "{fixture}");
    }
}

#[test]
fn golden_json_is_one_document() {
    for fixture in GOLDEN_FIXTURES {
        let text = read_golden(fixture, "json");
        let mut stream = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
        assert!(stream.next().unwrap().unwrap().is_object());
        assert!(stream.next().is_none(), "{fixture}: exactly one document");
    }
}

#[test]
fn golden_text_says_what_and_why() {
    let text = read_golden("influencer-purge", "text");
    assert!(text.contains("ACCOUNT PURGE"), "{text}");
    assert!(text.contains("someinfluencer"));
    assert!(text.contains("49,673"), "thousands separators: {text}");
    let text = read_golden("three-accounts", "text");
    assert!(text.contains("PURGE"), "{text}");
    assert!(text.contains("lonely"));
    assert!(text.contains("1,285"), "thousands separators: {text}");
    assert!(
        text.contains("--min-cohort"),
        "says why the scope is unknown"
    );
}

#[test]
fn golden_text_fits_80_columns() {
    let mut wide = Vec::new();
    for fixture in GOLDEN_FIXTURES {
        for line in read_golden(fixture, "text").lines() {
            let width = line.chars().count();
            if width > 80 {
                wide.push(format!("{fixture}: {width}: {line}"));
            }
        }
    }
    assert!(wide.is_empty(), "lines wider than 80:\n{}", wide.join("\n"));
}

// ---------------------------------------------------------------------------
// Text report (SPEC: Output, text)
// ---------------------------------------------------------------------------

/// The text report's lines joined back into one string of words, so that a
/// sentence can be searched for wherever it was wrapped.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name far wider than any column or line.
const WIDE: &str = "a.very.long.account.name.that.a.scraper.might.well.produce.from.a.display.\
                    name.with.no.spaces.at.all.0123456789";

/// Every line of every text report fits an 80-column terminal (counted in
/// characters: `→`, `·` and `…` are one column, three bytes).
#[test]
fn text_reports_fit_80_columns() {
    let wd = Workdir::new("eighty");
    // A wide name in an account event, in an event of unknown scope (only
    // three accounts), and in a platform event's table.
    let snaps = dataset();
    wd.create("wide.csv", csv(&snaps).replace("dropper.co", WIDE));
    let few: Vec<Snap> = snaps
        .iter()
        .filter(|s| ["acorn_cafe", "bay.radio", "dropper.co"].contains(&s.account))
        .copied()
        .collect();
    wd.create("wide-few.csv", csv(&few).replace("dropper.co", WIDE));
    let instagram = fs::read_to_string(root().join("fixtures/instagram-2019-02-13.csv")).unwrap();
    wd.create("wide-platform.csv", instagram.replace("selenagomez", WIDE));
    let path = |name: &str| wd.path().join(name).to_str().unwrap().to_string();
    let per_account = per_account_files();
    let mut runs: Vec<Vec<String>> = [
        "fixtures/end-of-data.csv",
        "fixtures/influencer-purge.csv",
        "fixtures/instagram-2019-02-13.csv",
        "fixtures/quiet-viral.csv",
        "fixtures/three-accounts.csv",
        "fixtures/twitter-2018-07-locked.ndjson.gz",
    ]
    .iter()
    .map(|f| vec![f.to_string()])
    .collect();
    runs.push(per_account.clone());
    runs.push(vec![path("wide.csv")]);
    runs.push(vec![path("wide-few.csv")]);
    runs.push(vec![path("wide-platform.csv")]);
    runs.push(
        [
            "fixtures/twitter-2018-07-locked.ndjson.gz",
            "--account",
            "jack",
        ]
        .map(String::from)
        .to_vec(),
    );
    let mut wide = Vec::new();
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = scan(&args);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        for line in run.stdout.lines() {
            let width = line.chars().count();
            if width > 80 {
                wide.push(format!("{args:?}: {width}: {line}"));
            }
        }
    }
    assert!(wide.is_empty(), "lines wider than 80:\n{}", wide.join("\n"));
    // The wide name is still there in full where it is the subject of a sentence.
    let run = scan(&[&path("wide.csv")]);
    assert!(
        unwrapped(&run.stdout).replace(' ', "").contains(WIDE),
        "{}",
        run.stdout
    );
}

#[test]
fn text_plurals() {
    let wd = Workdir::new("plurals");
    wd.create(
        "solo.csv",
        "timestamp,followers\n2024-01-01T00:00:00Z,100\n",
    );
    let run = wd.run(&["solo.csv"], None);
    run.expect_code(0);
    let header = run.stdout.lines().next().unwrap();
    assert!(
        header.ends_with(" · 1 file · 1 snapshot · 1 account"),
        "{header}"
    );
    // One exact duplicate and one conflicting snapshot.
    let mut text = csv(&dataset());
    text += "2024-03-04T03:00:00Z,acorn_cafe,999\n";
    let first = text.lines().nth(1).unwrap().to_string();
    text += &format!("{first}\n");
    wd.create("data.csv", text);
    let run = wd.run(&["data.csv", "solo.csv"], None);
    run.expect_code(1);
    assert!(run.stdout.contains(" · 2 files · "), "{}", run.stdout);
    assert!(
        run.stderr.contains("1 exact duplicate snapshot merged"),
        "{:?}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 snapshot conflicts with"),
        "{:?}",
        run.stderr
    );
}

/// A platform event's sentence agrees with its JSON: how many of the cohort
/// fell (`breadth` × `cohort_size`), and how many of them lost abnormally
/// (`accounts_affected`, the accounts listed).
#[test]
fn platform_text_numbers_are_the_json_ones() {
    for fixture in [
        "fixtures/instagram-2019-02-13.csv",
        "fixtures/twitter-2018-07-locked.ndjson.gz",
        "fixtures/end-of-data.csv",
    ] {
        let (report, run) = scan_json(&[fixture]);
        let event = only_event(&report, &run);
        let text = unwrapped(&scan(&[fixture]).stdout);
        let cohort = event["cohort_size"].as_u64().unwrap();
        let breadth = event["breadth"].as_f64().unwrap();
        let affected = event["accounts_affected"].as_u64().unwrap();
        assert_eq!(affected, affected_count(&event));
        for want in [
            format!(
                "about {}% of {cohort} accounts observed were affected",
                (breadth * 100.0).round()
            ),
            format!("{affected} accounts lost abnormally (listed"),
        ] {
            assert!(text.contains(&want), "{fixture}: {want:?} not in\n{text}");
        }
    }
}

fn affected_count(event: &Value) -> u64 {
    event["accounts"].as_array().unwrap().len() as u64
}

/// Following counts that fell with the followers are called a sign of a
/// platform fault only in a platform event, and only when they fell across
/// at least `--min-breadth` of the cohort; a smaller share is stated plainly.
#[test]
fn following_is_called_a_platform_sign_only_when_broad() {
    let mut saw = (false, false);
    for args in [
        vec!["fixtures/instagram-2019-02-13.csv"],
        vec!["fixtures/twitter-2018-07-locked.ndjson.gz"],
        vec!["fixtures/influencer-purge.csv"],
        vec!["fixtures/instagram-2019-02-13.csv", "--min-breadth", "0.88"],
    ] {
        let (report, _) = scan_json(&args);
        let text = unwrapped(&scan(&args).stdout);
        let min_breadth = report["settings"]["min_breadth"].as_f64().unwrap();
        let events = report["events"].as_array().unwrap();
        let sign = events.iter().any(|e| {
            e["scope"] == "platform" && e["following_breadth"].as_f64() >= Some(min_breadth)
        });
        assert_eq!(
            text.contains("a sign of a platform fault"),
            sign,
            "{args:?}:\n{text}"
        );
        let plain = events.iter().any(|e| {
            e["scope"] == "platform"
                && e["following_breadth"]
                    .as_f64()
                    .is_some_and(|b| b > 0.0 && b < min_breadth)
        });
        assert_eq!(
            text.contains("Following counts fell at the same time in"),
            plain,
            "{args:?}:\n{text}"
        );
        saw = (saw.0 || sign, saw.1 || !sign);
    }
    assert!(saw.0 && saw.1, "both cases exercised");
}

#[test]
fn csv_recovered_at_is_each_accounts_own() {
    let fixture = "fixtures/instagram-2019-02-13.csv";
    let (report, run) = scan_json(&[fixture]);
    let event = only_event(&report, &run);
    let csv = scan(&["--format", "csv", fixture]);
    csv.expect_code(1);
    let mut rows = csv.stdout.lines();
    assert_eq!(rows.next(), Some(CSV_HEADER));
    let mut differ = 0;
    for row in rows {
        let cells: Vec<&str> = row.split(',').collect();
        let a = account(&event, cells[7]).expect("the row's account is affected");
        assert_eq!(cells[6], a["recovered_at"].as_str().unwrap_or(""), "{row}");
        differ += usize::from(a["recovered_at"] != event["recovered_at"]);
    }
    assert!(
        differ > 0,
        "some accounts recovered at another time than the event"
    );
}

// ---------------------------------------------------------------------------
// Pictures: sparklines in the text report, `followdrop plot`
// ---------------------------------------------------------------------------

const BLOCKS: &str = "▁▂▃▄▅▆▇█";
const ASCII_HEIGHTS: &str = "_.-:=+*#";

/// The line under each listed account's row of a platform event's table,
/// keyed by account (the text report's lines after the table header).
fn sparkline_rows(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut rows = Vec::new();
    let mut in_table = false;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("account ") {
            in_table = true;
            continue;
        }
        if line.is_empty() {
            in_table = false;
        }
        if !in_table || !line.starts_with("  ") || line.starts_with("   ") {
            continue;
        }
        let name = line.split_whitespace().next().unwrap();
        if name == "…" || name == "!" {
            in_table = false;
            continue;
        }
        let under = lines.get(i + 1).copied().unwrap_or_default();
        rows.push((name.to_string(), under.to_string()));
    }
    rows
}

/// Every account listed in a platform event's table has a sparkline under
/// its row, on the same 48-mark window: flat before the glitch, at the
/// bottom during it, back up after; the window is said once.
#[test]
fn sparklines_under_each_listed_account() {
    let run = scan(&["fixtures/instagram-2019-02-13.csv"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("Sparklines: followers 02-11 15:00 → 02-17 12:00 UTC, one mark per 3h."),
        "{}",
        run.stdout
    );
    let rows = sparkline_rows(&run.stdout);
    assert_eq!(rows.len(), 10, "{}", run.stdout);
    for (name, under) in &rows {
        let spark = under.trim_start();
        assert_eq!(
            under.len() - spark.len(),
            19,
            "{name}: aligned under the numbers"
        );
        assert_eq!(spark.chars().count(), 48, "{name}: {under:?}");
        assert!(
            spark.chars().all(|c| BLOCKS.contains(c)),
            "{name}: {under:?}"
        );
        // The glitch (14:00-17:00, back the next morning) is the lowest
        // stretch: the marks from the start's on are at the bottom.
        let marks: Vec<char> = spark.chars().collect();
        assert!(marks[16..21].iter().all(|&c| c == '▁'), "{name}: {spark}");
        assert!(marks[..15].iter().all(|&c| c >= '▄'), "{name}: {spark}");
        assert!(marks[30..].iter().all(|&c| c >= '▄'), "{name}: {spark}");
    }
}

/// An account event's sparkline follows its sentence, with its window.
#[test]
fn sparkline_of_an_account_event() {
    let run = scan(&["fixtures/influencer-purge.csv"]);
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("  Followers 2020-03-31 → 2020-05-17 UTC, one mark per 1d:"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let spark = lines[at + 1].strip_prefix("  ").unwrap();
    // A purge of 23.6 %: high before, at the bottom after, for good.
    assert_eq!(spark, format!("{}{}", "█".repeat(16), "▁".repeat(32)));
}

/// `--sparkline ascii` draws the same lines in plain ASCII, `none` leaves
/// them out, and `auto` into a pipe draws blocks whatever the locale (the
/// report is UTF-8 anyway); nothing else in the report changes.
#[test]
fn sparkline_styles() {
    let fixture = "fixtures/instagram-2019-02-13.csv";
    let unicode = scan(&[fixture, "--sparkline", "unicode"]).stdout;
    let ascii = scan(&[fixture, "--sparkline", "ascii"]).stdout;
    let none = scan(&[fixture, "--sparkline", "none"]).stdout;
    assert!(!ascii.chars().any(|c| BLOCKS.contains(c)), "{ascii}");
    let rows = sparkline_rows(&ascii);
    assert_eq!(rows.len(), 10);
    for (name, under) in rows {
        let spark = under.trim_start();
        assert_eq!(spark.len(), 48, "{name}: {under:?}");
        assert!(
            spark.chars().all(|c| ASCII_HEIGHTS.contains(c)),
            "{name}: {under:?}"
        );
    }
    let translated: String = unicode
        .chars()
        .map(|c| match BLOCKS.chars().position(|b| b == c) {
            Some(i) => ASCII_HEIGHTS.chars().nth(i).unwrap(),
            None => c,
        })
        .collect();
    assert_same_text(
        "ascii is the unicode report, translated",
        &translated,
        &ascii,
    );
    let without: Vec<&str> = unicode
        .lines()
        .filter(|l| !l.chars().any(|c| BLOCKS.contains(c)) && !l.contains("Sparklines:"))
        .collect();
    assert_same_text("none", &(without.join("\n") + "\n"), &none);
    for locale in ["C", "en_US.ISO-8859-1", "C.UTF-8"] {
        let mut cmd = util::followdrop(&root());
        cmd.args(["scan", fixture]).env("LC_ALL", locale);
        let auto = util::run(cmd, None);
        assert_eq!(auto.stdout, unicode, "LC_ALL={locale} into a pipe");
    }
    usage_error_of("scan", &[fixture, "--sparkline", "fancy"], "--sparkline");
}

/// On a terminal (`script` from util-linux gives the binary one), `auto`
/// draws ASCII when the locale is not UTF-8 (an unset one is C) and blocks
/// when it is; `plot` refuses to pour an SVG onto it.
#[test]
fn sparklines_and_plot_on_a_terminal() {
    let on_terminal = |args: &str, locale: Option<&str>| {
        let mut cmd = Command::new("script");
        cmd.args([
            "-qec",
            &format!("'{}' {args}", binary().display()),
            "/dev/null",
        ])
        .current_dir(root())
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("LANG");
        if let Some(locale) = locale {
            cmd.env("LC_ALL", locale);
        }
        let out = cmd.output().expect("script (util-linux) runs");
        let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        (out.status.code(), text)
    };
    let scan = "scan --color never fixtures/three-accounts.csv";
    let spark = |text: &str| {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines.iter().position(|l| l.contains("one mark per 1d:"));
        at.map(|i| lines[i + 1].trim().to_string())
            .unwrap_or_else(|| panic!("no sparkline in {text:?}"))
    };
    for locale in [Some("C"), Some("de_DE.ISO-8859-1"), None] {
        let (code, text) = on_terminal(scan, locale);
        assert_eq!(code, Some(1), "{text}");
        let line = spark(&text);
        assert!(
            line.len() == 48 && line.chars().all(|c| ASCII_HEIGHTS.contains(c)),
            "{locale:?}: {line:?}"
        );
    }
    for locale in ["C.UTF-8", "en_US.utf8"] {
        let (_, text) = on_terminal(scan, Some(locale));
        let line = spark(&text);
        assert!(
            line.chars().all(|c| BLOCKS.contains(c)),
            "{locale}: {line:?}"
        );
    }
    let (_, text) = on_terminal(&format!("{scan} --sparkline unicode"), Some("C"));
    assert!(spark(&text).chars().all(|c| BLOCKS.contains(c)), "{text}");
    let (code, text) = on_terminal("plot fixtures/three-accounts.csv", Some("C.UTF-8"));
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("not writing an SVG picture to a terminal"),
        "{text}"
    );
    assert!(!text.contains("<svg"), "{text}");
}

/// Sparklines are for people: the JSON, NDJSON and CSV reports do not have
/// them, whatever `--sparkline` says.
#[test]
fn sparklines_stay_out_of_the_machine_formats() {
    for format in ["json", "ndjson", "csv"] {
        let plain = scan(&["fixtures/instagram-2019-02-13.csv", "--format", format]);
        let asked = scan(&[
            "fixtures/instagram-2019-02-13.csv",
            "--format",
            format,
            "--sparkline",
            "unicode",
        ]);
        assert_eq!(plain.stdout, asked.stdout, "{format}");
        assert!(
            !plain.stdout.chars().any(|c| BLOCKS.contains(c)),
            "{format}"
        );
    }
}

/// Runs `followdrop plot <args>` in `dir`.
fn plot_in(dir: &std::path::Path, args: &[&str]) -> util::Run {
    let mut cmd = util::followdrop(dir);
    cmd.arg("plot").args(args);
    util::run(cmd, None)
}

/// `cmd args` is a clap usage error naming `option`.
#[track_caller]
fn usage_error_of(cmd: &str, args: &[&str], option: &str) {
    let mut c = util::followdrop(&root());
    c.arg(cmd).args(args);
    let run = util::run(c, None);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.contains(option),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr.contains("--help"), "{:?}", run.stderr);
}

/// What an SVG shows, read back with an XML parser (which also proves it
/// well-formed): its text, and the polylines of its curves.
struct Svg {
    texts: Vec<String>,
    /// (stroke colour, number of points) of every polyline.
    lines: Vec<(String, usize)>,
    /// Filled rectangles' colours (the events' bands among them).
    fills: Vec<String>,
}

impl Svg {
    #[track_caller]
    fn parse(svg: &str) -> Svg {
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let width: f64 = root.attribute("width").unwrap().parse().unwrap();
        assert!(width >= 800.0, "{width}");
        let mut texts = Vec::new();
        let mut lines = Vec::new();
        let mut fills = Vec::new();
        for node in root.descendants() {
            match node.tag_name().name() {
                "text" => texts.push(node.text().unwrap_or_default().trim().to_string()),
                "polyline" => {
                    let points = node.attribute("points").unwrap_or_default();
                    let stroke = node.attribute("stroke").unwrap_or_default();
                    lines.push((stroke.to_string(), points.split_whitespace().count()));
                }
                "rect" => fills.push(node.attribute("fill").unwrap_or_default().to_string()),
                _ => {}
            }
        }
        Svg {
            texts,
            lines,
            fills,
        }
    }

    fn has_text(&self, part: &str) -> bool {
        self.texts.iter().any(|t| t.contains(part))
    }

    /// Colours of the long lines: the cohort's median and named accounts'
    /// curves (axes and key samples have two points).
    fn curve_colours(&self) -> BTreeSet<String> {
        self.lines
            .iter()
            .filter(|(_, n)| *n >= 20)
            .map(|(c, _)| c.clone())
            .collect()
    }
}

/// The key line of `event` (kind and start, as people read them) is in the
/// picture, and so is its numbered tag.
#[track_caller]
fn assert_event_shown(svg: &Svg, event: &Value, number: usize) {
    let kind = event["kind"].as_str().unwrap();
    let start = event["start"].as_str().unwrap();
    let start = format!("{} {}", &start[..10], &start[11..16]);
    assert!(
        svg.texts
            .iter()
            .any(|t| t.starts_with(kind) && t.contains(&start)),
        "no label {kind} {start} in {:?}",
        svg.texts
    );
    assert!(
        svg.texts
            .iter()
            .filter(|t| **t == number.to_string())
            .count()
            >= 2,
        "tag {number} on the chart and in the key: {:?}",
        svg.texts
    );
}

/// The Instagram glitch: a well-formed SVG written atomically with -o,
/// exit 0 (a picture, not an alert), the event shaded and labelled, the
/// cohort's median and the two named accounts' curves in the key and
/// drawn, time labels as dates.
#[test]
fn plot_instagram() {
    let wd = Workdir::new("plot-instagram");
    let fixture = root().join("fixtures/instagram-2019-02-13.csv");
    let run = plot_in(
        wd.path(),
        &[
            fixture.to_str().unwrap(),
            "-o",
            "ig.svg",
            "--account",
            "kimkardashian",
            "--account",
            "hiking.hannah",
        ],
    );
    run.expect_code(0);
    assert_eq!(run.stdout, "");
    let svg = Svg::parse(&wd.read("ig.svg"));
    let (report, _) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    let events = report["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_event_shown(&svg, &events[0], 1);
    assert!(svg.has_text("43 accounts"), "{:?}", svg.texts);
    assert!(
        svg.has_text("recovered 2019-02-14 10:00 UTC"),
        "{:?}",
        svg.texts
    );
    assert!(
        svg.has_text("median index of the 52 accounts"),
        "{:?}",
        svg.texts
    );
    assert!(
        svg.has_text("kimkardashian (100 = 125,650,315 followers at 2019-02-01 00:00 UTC)"),
        "{:?}",
        svg.texts
    );
    assert!(svg.has_text("hiking.hannah (100 = "), "{:?}", svg.texts);
    assert_eq!(
        svg.curve_colours().len(),
        3,
        "median + 2 accounts: {:?}",
        svg.lines
    );
    // The event's band is filled in the platform colour.
    assert!(svg.fills.iter().any(|f| f == "#8228AA"), "{:?}", svg.fills);
    for day in ["2019-02-01", "2019-02-13", "2019-02-19"] {
        assert!(
            svg.texts.iter().any(|t| t == day),
            "tick {day}: {:?}",
            svg.texts
        );
    }
    assert!(svg.has_text("time (UTC)"));
}

/// A simulated mixed data set straight from `simulate`, drawn to stdout:
/// every event the scan reports is in the picture, in order.
#[test]
fn plot_mixed_simulation_shows_every_event() {
    let wd = Workdir::new("plot-mixed");
    let mut sim = util::followdrop(wd.path());
    sim.args([
        "simulate",
        "--scenario",
        "mixed",
        "--seed",
        "7",
        "-o",
        "mixed.csv",
    ]);
    util::run(sim, None).expect_code(0);
    let run = plot_in(wd.path(), &["mixed.csv", "--account", "hazel_atlas_007"]);
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    let report = wd.run(&["--format", "json", "mixed.csv"], None).json();
    let events = report["events"].as_array().unwrap();
    assert!(events.len() >= 5, "{report}");
    for (i, e) in events.iter().enumerate() {
        assert_event_shown(&svg, e, i + 1);
    }
    for e in events.iter().filter(|e| e["scope"] == "account") {
        let who = e["accounts"][0]["account"].as_str().unwrap();
        assert!(svg.has_text(who), "{who}: {:?}", svg.texts);
    }
    assert_eq!(svg.curve_colours().len(), 2, "{:?}", svg.lines);
    // --since and --until draw a part: only the events in it are shown.
    let run = plot_in(
        wd.path(),
        &[
            "mixed.csv",
            "--since",
            "2024-01-20",
            "--until",
            "2024-01-25",
        ],
    );
    run.expect_code(0);
    let part = Svg::parse(&run.stdout);
    for e in events {
        let start = e["start"].as_str().unwrap();
        let label = format!("{} {}", &start[..10], &start[11..16]);
        let inside = ("2024-01-20".."2024-01-26").contains(&&start[..10]);
        assert_eq!(part.has_text(&label), inside, "{label}: {:?}", part.texts);
    }
    assert!(
        part.has_text("2024-01-20 00:00 → 2024-01-25 23:59 UTC"),
        "{:?}",
        part.texts
    );
}

/// plot takes scan's detection and input options: a --min-drop no event
/// reaches leaves a picture with no event, and --followers-col reads a
/// nested JSON path.
#[test]
fn plot_takes_scans_options() {
    let run = plot_in(
        &root(),
        &["fixtures/instagram-2019-02-13.csv", "--min-drop", "0.5"],
    );
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    assert!(!svg.has_text("platform_glitch"), "{:?}", svg.texts);
    assert!(svg.has_text("median index"));
    let run = plot_in(
        &root(),
        &[
            "fixtures/twitter-2018-07-locked.ndjson.gz",
            "--followers-col",
            "public_metrics.followers_count",
            "--account",
            "jack",
        ],
    );
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    assert!(svg.has_text("platform_purge"), "{:?}", svg.texts);
    assert!(svg.has_text("jack (100 = "), "{:?}", svg.texts);
    usage_error_of(
        "plot",
        &["fixtures/three-accounts.csv", "--time-col", "nosuch"],
        "--time-col",
    );
    usage_error_of(
        "plot",
        &["fixtures/three-accounts.csv", "--bucket", "5x"],
        "--bucket",
    );
    usage_error_of("plot", &[], "<INPUT>");
}

/// The guide's picture is what `plot` draws today, byte for byte (the
/// same data gives the same SVG); `UPDATE_GOLDEN=1` redraws it.
#[test]
fn golden_readme_picture() {
    let run = plot_in(
        &root(),
        &[
            "fixtures/instagram-2019-02-13.csv",
            "--account",
            "kimkardashian",
            "--account",
            "hiking.hannah",
        ],
    );
    run.expect_code(0);
    let path = root().join("docs/plot-instagram.svg");
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        fs::write(&path, &run.stdout).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap();
    assert_same_text("docs/plot-instagram.svg", &expected, &run.stdout);
}

/// Of more than 10,000 accounts, the cohort's quartiles come from an even
/// sample of about 10,000 (memory stays bounded), the same whatever the
/// order of the input; the key says so.
#[test]
fn plot_of_a_large_cohort_takes_a_sample() {
    let wd = Workdir::new("plot-sample");
    let mut rows: Vec<String> = Vec::new();
    for i in 0..12_000u64 {
        for day in 1..=3 {
            rows.push(format!(
                "2024-01-0{day}T00:00:00Z,acct{i},{}",
                1000 + i % 7 * day
            ));
        }
    }
    let header = "timestamp,account,followers\n";
    wd.create("big.csv", format!("{header}{}\n", rows.join("\n")));
    rows.reverse();
    wd.create("reversed.csv", format!("{header}{}\n", rows.join("\n")));
    let run = plot_in(wd.path(), &["big.csv"]);
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    let key = svg
        .texts
        .iter()
        .find(|t| t.starts_with("cohort: median index of "))
        .unwrap_or_else(|| panic!("{:?}", svg.texts));
    let n: u64 = key["cohort: median index of ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert!((9_000..=10_500).contains(&n), "{key}");
    assert!(
        key.ends_with("accounts (an even sample of the 12,000)"),
        "{key}"
    );
    let reversed = plot_in(wd.path(), &["reversed.csv"]);
    assert_eq!(
        reversed.stdout.replace("reversed.csv", "big.csv"),
        run.stdout,
        "the same picture whatever the order of the rows"
    );
}

/// A plot that fails leaves the file at -o as it was (and no temporary
/// file); an account that is not in the data is an error naming it.
#[test]
fn plot_errors() {
    let wd = Workdir::new("plot-errors");
    wd.create("old.svg", "precious\n");
    wd.create(
        "bad.csv",
        "timestamp,account,followers\n2024-01-01T00:00:00Z,a,12a4\n",
    );
    let run = plot_in(wd.path(), &["bad.csv", "-o", "old.svg"]);
    run.expect_code(2);
    assert!(run.stderr.contains("bad.csv"), "{:?}", run.stderr);
    let fixture = root().join("fixtures/three-accounts.csv");
    let fixture = fixture.to_str().unwrap();
    let run = plot_in(
        wd.path(),
        &[fixture, "-o", "old.svg", "--account", "nobody"],
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("--account \"nobody\": no such account"),
        "{:?}",
        run.stderr
    );
    let run = plot_in(
        wd.path(),
        &[fixture, "--since", "2030-01-01", "-o", "old.svg"],
    );
    run.expect_code(2);
    assert!(run.stderr.contains("nothing to draw"), "{:?}", run.stderr);
    assert_eq!(wd.read("old.svg"), "precious\n");
    let names: BTreeSet<String> = fs::read_dir(wd.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, BTreeSet::from(["bad.csv".into(), "old.svg".into()]));
    // The same -o replaced on success.
    plot_in(wd.path(), &[fixture, "-o", "old.svg"]).expect_code(0);
    Svg::parse(&wd.read("old.svg"));
}

/// Names that XML cannot hold as they are (markup, terminal escapes and
/// other control characters) still give a well-formed picture, the markup
/// shown as text.
#[test]
fn plot_of_nasty_names_is_well_formed() {
    let run = plot_in(&root(), &["--on-error", "skip", "fixtures/nasty/nasty.csv"]);
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    assert!(
        svg.has_text("\u{fffd}[2J\u{fffd}[31mred"),
        "{:?}",
        svg.texts
    );
    let wd = Workdir::new("plot-markup");
    let mut text = String::from("timestamp,account,followers\n");
    for day in 1..=20 {
        for (name, n) in [
            ("<b>&amp;\"x\"</b>", 5000),
            ("ok", 7000),
            ("tab\u{1}bell", 900),
        ] {
            let n = if day > 10 && name == "ok" {
                n / 2
            } else {
                n + day
            };
            text += &format!(
                "2024-01-{day:02}T00:00:00Z,\"{}\",{n}\n",
                name.replace('"', "\"\"")
            );
        }
    }
    wd.create("markup.csv", text);
    let run = plot_in(
        wd.path(),
        &[
            "markup.csv",
            "--account",
            "<b>&amp;\"x\"</b>",
            "--account",
            "tab\u{1}bell",
        ],
    );
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    assert!(
        svg.has_text("<b>&amp;\"x\"</b> (100 = 5,001 followers"),
        "{:?}",
        svg.texts
    );
    assert!(
        svg.has_text("tab\u{fffd}bell (100 = 901 followers"),
        "{:?}",
        svg.texts
    );
}

// ---------------------------------------------------------------------------
// JSON schema shape (SPEC: Output, json)
// ---------------------------------------------------------------------------

/// The example document of the SPEC, verbatim.
const SPEC_EXAMPLE: &str = r#"{
  "schema_version": 1,
  "tool": {"name": "followdrop", "version": "0.1.0"},
  "input": {"files": ["snapshots.csv"], "rows": 2400, "accounts": 12,
            "first": "2019-02-01T00:00:00Z", "last": "2019-02-20T23:00:00Z", "bucket_seconds": 3600},
  "settings": {"min_drop": 0.005, "min_lost": 100, "sensitivity": 6.0, "min_breadth": 0.3,
               "min_cohort": 5, "recovery_window_seconds": 259200, "recovery_share": 0.8},
  "summary": {"events": 2, "platform_events": 1, "account_events": 1, "unknown_scope_events": 0,
              "followers_lost": 9461731},
  "events": [
    {
      "id": "p-20190213T140000Z",
      "kind": "platform_glitch", "scope": "platform", "persistence": "reverted",
      "start": "2019-02-13T14:00:00Z",
      "end": "2019-02-13T17:00:00Z",
      "recovered_at": "2019-02-14T09:00:00Z",
      "cohort_size": 12, "accounts_affected": 11, "breadth": 0.9167,
      "followers_lost": 9412331, "median_relative_loss": 0.012, "score": 14.2,
      "following_breadth": 0.41,
      "accounts": [
        {"account": "kimkardashian", "before": 126100000, "after": 124200000, "lost": 1900000,
         "relative_loss": 0.01507, "recovered_at": "2019-02-14T09:00:00Z", "excess": false,
         "following_before": 210, "following_after": 154}
      ]
    }
  ],
  "warnings": [{"code": "duplicate_snapshot", "message": "3 exact duplicate snapshots merged", "count": 3}]
}"#;

/// Keys the SPEC says may be null (`recovered_at` unless reverted; the
/// following fields without a following column).
const NULLABLE: [&str; 5] = [
    "recovered_at",
    "following_breadth",
    "following_before",
    "following_after",
    "cohort_change",
];

/// Checks `got` has every key of `want` (recursively), with the same JSON
/// type: integers stay integers, other numbers may be any number, arrays are
/// checked element by element against the example's first element.
fn check_shape(path: &str, want: &Value, got: &Value, nullable: bool, problems: &mut Vec<String>) {
    if nullable && got.is_null() {
        return;
    }
    let ok = match want {
        Value::Null => true,
        Value::Bool(_) => got.is_boolean(),
        Value::Number(n) if n.is_u64() || n.is_i64() => got.is_u64() || got.is_i64(),
        Value::Number(_) => got.is_number(),
        Value::String(_) => got.is_string(),
        Value::Array(items) => {
            if let (Some(template), Some(got_items)) = (items.first(), got.as_array()) {
                for (i, item) in got_items.iter().enumerate() {
                    check_shape(&format!("{path}[{i}]"), template, item, false, problems);
                }
            }
            got.is_array()
        }
        Value::Object(map) => {
            if let Some(got_map) = got.as_object() {
                for (key, value) in map {
                    let sub = format!("{path}.{key}");
                    match got_map.get(key) {
                        None => problems.push(format!("{sub}: missing")),
                        Some(g) => {
                            check_shape(&sub, value, g, NULLABLE.contains(&key.as_str()), problems)
                        }
                    }
                }
            }
            got.is_object()
        }
    };
    if !ok {
        problems.push(format!("{path}: expected the type of {want}, got {got}"));
    }
}

#[test]
fn json_reports_have_the_spec_shape() {
    let example: Value = serde_json::from_str(SPEC_EXAMPLE).unwrap();
    let per_account = per_account_files();
    let mut checked = Vec::new();
    for args in [
        vec!["fixtures/instagram-2019-02-13.csv"],
        vec!["fixtures/twitter-2018-07-locked.ndjson.gz"],
        vec!["fixtures/three-accounts.csv"],
        vec!["fixtures/quiet-viral.csv"],
        per_account.iter().map(String::as_str).collect(),
    ] {
        let (report, run) = scan_json(&args);
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        let mut problems = Vec::new();
        check_shape("$", &example, &report, false, &mut problems);
        assert!(problems.is_empty(), "{args:?}:\n{}", problems.join("\n"));
        checked.push(report);
    }
    // Between them the reports exercise every part of the example: events
    // with and without a following column, a reverted one, and a warning.
    let events: Vec<&Value> = checked
        .iter()
        .flat_map(|r| r["events"].as_array().unwrap())
        .collect();
    assert!(events.iter().any(|e| e["recovered_at"].is_string()));
    assert!(events.iter().any(|e| e["following_breadth"].is_number()));
    assert!(events.iter().any(|e| e["following_breadth"].is_null()));
    assert!(
        checked
            .iter()
            .any(|r| !r["warnings"].as_array().unwrap().is_empty())
    );
    assert_eq!(checked[0]["schema_version"], 1);
    assert_eq!(checked[0]["tool"]["name"], "followdrop");
}

#[test]
fn json_nulls_follow_the_spec() {
    for args in [
        vec!["fixtures/instagram-2019-02-13.csv"],
        vec!["fixtures/twitter-2018-07-locked.ndjson.gz"],
        vec!["fixtures/influencer-purge.csv"],
        vec!["fixtures/end-of-data.csv"],
        vec!["fixtures/per-account/nytimes.csv"],
    ] {
        let (report, _) = scan_json(&args);
        for e in report["events"].as_array().unwrap() {
            let reverted = e["persistence"] == "reverted";
            assert_eq!(e["recovered_at"].is_string(), reverted, "{args:?}: {e}");
            // A one-account event's persistence is its account's.
            if e["scope"] != "platform" {
                for a in e["accounts"].as_array().unwrap() {
                    assert_eq!(a["recovered_at"], e["recovered_at"], "{args:?}: {a}");
                }
            }
        }
    }
}

#[test]
fn events_are_sorted_and_ids_are_stable_when_data_is_appended() {
    // The Instagram glitch keeps its id when more snapshots are appended.
    let full = fs::read_to_string(root().join("fixtures/instagram-2019-02-13.csv")).unwrap();
    let cut = full
        .lines()
        .take_while(|l| !l.starts_with("2019-02-18"))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let wd = Workdir::new("stable-ids");
    wd.create("partial.csv", &cut);
    let partial = wd.run(&["--format", "json", "partial.csv"], None).json();
    let (whole, _) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    assert_eq!(partial["events"][0]["id"], whole["events"][0]["id"]);

    // Two fixtures scanned together: an account purge in 2020 and a purge of
    // unknown scope in 2022, given in the reverse order.
    let (report, run) = scan_json(&[
        "fixtures/three-accounts.csv",
        "fixtures/influencer-purge.csv",
    ]);
    run.expect_code(1);
    let starts: Vec<(String, String)> = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap().to_string(),
                e["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(starts.len(), 2, "{starts:?}");
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted, "events sorted by start, then id");
}

#[test]
fn ndjson_and_csv_of_every_fixture_agree_with_json() {
    for fixture in [
        "fixtures/instagram-2019-02-13.csv",
        "fixtures/twitter-2018-07-locked.ndjson.gz",
        "fixtures/end-of-data.csv",
    ] {
        let (json, _) = scan_json(&[fixture]);
        let ndjson = scan(&["--format", "ndjson", fixture]);
        ndjson.expect_code(1);
        let events: Vec<Value> = ndjson
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(json!(events), json["events"], "{fixture}");
        let csv = scan(&["--format", "csv", fixture]);
        let rows = csv.stdout.lines().count() - 1;
        let want: usize = json["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["accounts"].as_array().unwrap().len())
            .sum();
        assert_eq!(rows, want, "{fixture}: one CSV row per affected account");
    }
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised() {
    // An account named like a formula, purged while its cohort is quiet.
    let wd = Workdir::new("formula");
    let text = csv(&dataset()).replace("dropper.co", "=1+2");
    wd.create("data.csv", text);
    let run = wd.run(&["--format", "csv", "data.csv"], None);
    run.expect_code(1);
    let row = run.stdout.lines().nth(1).expect("one row");
    assert!(!row.contains(",=1+2"), "{row}");
    assert!(row.contains(",'=1+2,"), "{row}");
}

#[test]
fn stdout_carries_only_the_report() {
    let files = per_account_files();
    let mut args = vec!["--format", "ndjson"];
    args.extend(files.iter().map(String::as_str));
    let run = scan(&args);
    run.expect_code(1);
    // The duplicate warning goes to stderr, never into the NDJSON stream.
    assert!(run.stderr.contains("duplicate"));
    for line in run.stdout.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v["id"].is_string() && v["kind"].is_string(), "{line}");
    }
}

/// Simulates `big.csv` in `w`: a year of 1,200 accounts, big enough (over
/// 16 MB) to be read in parallel pieces. Returns its text.
fn big_simulated_csv(w: &util::Workdir) -> String {
    let data = w.path().join("big.csv");
    let mut sim = util::followdrop(w.path());
    sim.args([
        "simulate",
        "--accounts",
        "1200",
        "--days",
        "365",
        "--interval",
        "1d",
    ]);
    sim.args(["--scenario", "mixed", "--seed", "3", "-o"])
        .arg(&data);
    sim.assert().success();
    assert!(
        fs::metadata(&data).unwrap().len() > 16 << 20,
        "the file must be big enough to be split"
    );
    fs::read_to_string(&data).unwrap()
}

/// The report is byte-identical whatever the number of threads: a file big
/// enough to be read in parallel chunks (over 16 MB) gives the same JSON on
/// one thread as on four, and as the same rows shuffled (read serially).
#[test]
fn report_is_the_same_whatever_the_thread_count() {
    let w = util::Workdir::new("threads");
    let text = big_simulated_csv(&w);
    let report = |threads: &str, file: &str| {
        let mut cmd = w.scan();
        cmd.env("RAYON_NUM_THREADS", threads)
            .args(["--format", "json", file]);
        let run = util::run(cmd, None);
        assert_eq!(run.code, 1, "{}", run.stderr);
        util::without_files(&run.stdout)
    };
    let one = report("1", "big.csv");
    assert_eq!(one, report("4", "big.csv"));
    // Rows in reverse order, with the header first: the same report.
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    w.create("reversed.csv", lines.join("\n") + "\n");
    assert_eq!(one, report("2", "reversed.csv"));
    // Windows line ends and no newline at the end: the same report.
    w.create("crlf.csv", text.trim_end().replace('\n', "\r\n"));
    assert_eq!(one, report("4", "crlf.csv"));
    // From stdin, in pieces in parallel: from a file (its size known, the
    // accounts' storage sized to its pace) or a pipe (not): the same.
    let stdin = |file: Option<&str>| {
        let args = ["scan", "--format", "json", "-"];
        let run = match file {
            Some(f) => {
                let mut cmd =
                    std::process::Command::new(assert_cmd::cargo::cargo_bin!("followdrop"));
                cmd.current_dir(w.path())
                    .env("RAYON_NUM_THREADS", "4")
                    .args(args);
                cmd.stdin(fs::File::open(w.path().join(f)).unwrap());
                util::Run::from_output(cmd.output().unwrap())
            }
            None => {
                let mut cmd = util::followdrop(w.path());
                cmd.env("RAYON_NUM_THREADS", "4").args(args);
                util::run(cmd, Some(text.as_bytes()))
            }
        };
        assert_eq!(run.code, 1, "{}", run.stderr);
        util::without_files(&run.stdout)
    };
    assert_eq!(one, stdin(Some("big.csv")));
    assert_eq!(one, stdin(None));
    // Compressed, the stream is read in pieces in parallel: the same.
    w.create_gz("big.csv.gz", &text);
    assert_eq!(one, report("4", "big.csv.gz"));
    assert_eq!(one, report("1", "big.csv.gz"));
    // A quoted cell two thirds in: the chunks from there on are read by the
    // serial reader, and the report is still the same.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let at = lines.len() * 2 / 3;
    let row = lines[at].clone();
    let cells: Vec<&str> = row.split(',').collect();
    let mut quoted = cells.clone();
    let name = format!("\"{}\"", cells[1]);
    quoted[1] = &name;
    lines[at] = quoted.join(",");
    w.create("quoted.csv", lines.join("\n") + "\n");
    assert_eq!(one, report("4", "quoted.csv"));
    // In a stream, a quoted cell near the end: read serially from its
    // piece on, after pieces read in parallel.
    let mut near_end = text.lines().map(str::to_string).collect::<Vec<_>>();
    let last = near_end.len() - 3;
    let late: Vec<String> = near_end[last].split(',').map(str::to_string).collect();
    near_end[last] = format!("{},\"{}\",{}", late[0], late[1], late[2..].join(","));
    w.create_gz("quoted-late.csv.gz", near_end.join("\n") + "\n");
    assert_eq!(one, report("4", "quoted-late.csv.gz"));
    // An invalid count there: the error names its exact line, whatever the
    // thread count.
    let mut invalid = cells.clone();
    invalid[2] = "many";
    lines[at] = invalid.join(",");
    w.create("invalid.csv", lines.join("\n") + "\n");
    let message = |threads: &str, file: &str| {
        let mut cmd = w.scan();
        cmd.env("RAYON_NUM_THREADS", threads).arg(file);
        let run = util::run(cmd, None);
        assert_eq!(run.code, 2, "{}", run.stderr);
        run.stderr
    };
    let four = message("4", "invalid.csv");
    assert!(
        four.contains(&format!("line {}", at + 1)) && four.contains("many"),
        "{four}"
    );
    assert_eq!(four, message("1", "invalid.csv"));
    // The same from a compressed stream.
    w.create_gz("invalid.csv.gz", lines.join("\n") + "\n");
    let gz = message("4", "invalid.csv.gz");
    assert_eq!(gz, four.replace("invalid.csv", "invalid.csv.gz"));
    assert_eq!(gz, message("1", "invalid.csv.gz"));
    // A gzip file cut short (copied while it was written): the same error
    // whatever the thread count.
    let whole = fs::read(w.path().join("big.csv.gz")).unwrap();
    w.create("cut.csv.gz", &whole[..whole.len() * 3 / 4]);
    let cut = message("4", "cut.csv.gz");
    assert!(
        cut.contains("cut.csv.gz") && cut.contains("cannot read"),
        "{cut}"
    );
    assert_eq!(cut, message("1", "cut.csv.gz"));
}

/// NDJSON over 16 MB is read in parallel after its first record (a file by
/// byte ranges, a stream in pieces): the same report as the same rows in
/// CSV, on one thread or four, from a file, gzip or a pipe; an invalid
/// record is reported at its exact line, or skipped alike.
#[test]
fn ndjson_is_read_alike_in_parallel() {
    let w = util::Workdir::new("ndjson-threads");
    let text = big_simulated_csv(&w);
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let mut records: Vec<String> = rows
        .map(|row| {
            let object: serde_json::Map<String, Value> = header
                .iter()
                .zip(row.split(','))
                .map(|(&k, v)| {
                    let v = match v.parse::<u64>() {
                        Ok(n) => Value::from(n),
                        Err(_) => Value::from(v),
                    };
                    (k.to_string(), v)
                })
                .collect();
            Value::Object(object).to_string()
        })
        .collect();
    // A blank line early on, and CRLF at the end: both read alike.
    records.insert(10, String::new());
    let ndjson = records.join("\n") + "\r\n";
    w.create("big.ndjson", &ndjson);
    w.create_gz("big.ndjson.gz", &ndjson);
    let report = |threads: &str, file: &str, extra: &[&str]| {
        let mut cmd = w.scan();
        cmd.env("RAYON_NUM_THREADS", threads)
            .args(["--format", "json"])
            .args(extra)
            .arg(file);
        let run = util::run(cmd, None);
        let stdout = match run.code {
            2 => run.stdout,
            _ => util::without_files(&run.stdout),
        };
        (run.code, stdout, run.stderr)
    };
    let csv = report("1", "big.csv", &[]);
    assert_eq!(csv.0, 1, "{}", csv.2);
    // A file starts its byte ranges after a byte-order mark and the first
    // record, which it reads alone.
    w.create("bom.ndjson", format!("\u{feff}{ndjson}"));
    for (threads, file) in [
        ("1", "big.ndjson"),
        ("4", "big.ndjson"),
        ("4", "bom.ndjson"),
        ("4", "big.ndjson.gz"),
    ] {
        assert_eq!(report(threads, file, &[]).1, csv.1, "{threads} {file}");
    }
    let mut cmd = util::followdrop(w.path());
    cmd.env("RAYON_NUM_THREADS", "4").args([
        "scan",
        "--format",
        "json",
        "--input-format",
        "ndjson",
        "-",
    ]);
    let piped = util::run(cmd, Some(ndjson.as_bytes()));
    assert_eq!(util::without_files(&piped.stdout), csv.1);
    // A record with an invalid count two thirds in: the same error, naming
    // its line, on one thread or four; skipped, the same report.
    let at = records.len() * 2 / 3;
    records[at] = records[at].replace("\"followers\":", "\"followers\":\"many\",\"x\":");
    w.create("invalid.ndjson", records.join("\n") + "\n");
    let four = report("4", "invalid.ndjson", &[]);
    assert_eq!(four.0, 2);
    assert!(
        four.2.contains(&format!("line {}", at + 1)) && four.2.contains("many"),
        "{}",
        four.2
    );
    assert_eq!(four, report("1", "invalid.ndjson", &[]));
    let skip = ["--on-error", "skip"];
    let skipped = report("4", "invalid.ndjson", &skip);
    assert_eq!(skipped.0, 1, "{}", skipped.2);
    assert!(
        skipped.2.contains("1 invalid record skipped"),
        "{}",
        skipped.2
    );
    assert_eq!(skipped, report("1", "invalid.ndjson", &skip));
}

/// `-o` onto something that is not a regular file (here the stdout pipe,
/// through /dev/stdout) writes into it: renaming a temporary file over it
/// would replace the device or pipe (as root, even /dev/null).
#[test]
fn output_to_a_device_writes_into_it() {
    let run = scan(&[
        "--format",
        "json",
        "-o",
        "/dev/stdout",
        "fixtures/three-accounts.csv",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("\"schema_version\": 1"),
        "{}",
        run.stdout
    );
}

/// A new report is readable by all (0644), not private like the temporary
/// file it was written to; a replaced report keeps its mode.
#[cfg(unix)]
#[test]
fn output_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let w = util::Workdir::new("perms");
    let input = util::root().join("fixtures/three-accounts.csv");
    let mode = |name: &str| {
        fs::metadata(w.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    w.run(&["-o", "new.txt", input.to_str().unwrap()], None)
        .expect_code(1);
    assert_eq!(mode("new.txt"), 0o644);
    let kept = w.create("kept.txt", "old");
    fs::set_permissions(&kept, fs::Permissions::from_mode(0o600)).unwrap();
    w.run(&["-o", "kept.txt", input.to_str().unwrap()], None)
        .expect_code(1);
    assert_eq!(mode("kept.txt"), 0o600);
    assert!(w.read("kept.txt").contains("PURGE"));
}

/// `--on-error skip` skips invalid records, counts them in the warnings
/// with the first locations, and scans the rest; the default stays strict;
/// a file of nothing but invalid records is still an error.
#[test]
fn on_error_skip_counts_and_goes_on() {
    let (report, run) = scan_json(&["--on-error", "skip", "fixtures/bad/bad-count.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning = &report["warnings"][0];
    assert_eq!(warning["code"], "invalid_record");
    assert_eq!(warning["count"], 1);
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("bad-count.csv: line 3") && message.contains("12a4"),
        "{message}"
    );
    assert!(
        run.stderr.contains("1 invalid record skipped"),
        "{}",
        run.stderr
    );
    scan(&["fixtures/bad/bad-count.csv"]).expect_code(2);
    let (_, run) = scan_json(&["--on-error", "skip", "fixtures/bad/bad-line.ndjson"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let w = util::Workdir::new("all-invalid");
    w.create(
        "bad.csv",
        "timestamp,account,followers\nnope,a,1\n2024-01-01,a,x\n",
    );
    let run = w.run(&["--on-error", "skip", "bad.csv"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no valid snapshots"), "{}", run.stderr);
}

/// An account name that is not UTF-8 is replaced (the JSON report stays
/// valid UTF-8) and said so in the warnings, never silently.
#[test]
fn invalid_utf8_names_are_replaced_and_warned_about() {
    let w = util::Workdir::new("latin1");
    w.create(
        "latin1.csv",
        b"timestamp,account,followers\n2024-01-01,caf\xe9,10\n2024-01-02,caf\xe9,11\n",
    );
    let run = w.run(&["--format", "json", "latin1.csv"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["warnings"][0]["code"], "invalid_utf8");
    assert_eq!(report["warnings"][0]["count"], 2);
    assert!(run.stderr.contains("not valid UTF-8"), "{}", run.stderr);
}

/// A full disk is an error (status 2), on stdout and with `-o`.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error() {
    let run = scan(&["-o", "/dev/full", "fixtures/three-accounts.csv"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("No space left"), "{}", run.stderr);
    let mut cmd = util::followdrop(&util::root());
    cmd.args(["scan", "fixtures/three-accounts.csv"]);
    let out = std::process::Command::new(cmd.get_program())
        .args(cmd.get_args())
        .current_dir(util::root())
        .stdout(fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to stdout"));
}

/// A grid far finer than the data's span is refused with a clear message
/// rather than taking gigabytes (a year of data at one second).
#[test]
fn a_grid_too_fine_for_the_span_is_refused() {
    let run = scan(&[
        "--bucket",
        "1s",
        "fixtures/per-account/nytimes.csv",
        "fixtures/per-account/cnn.csv",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("use a larger --bucket"),
        "{}",
        run.stderr
    );
}

/// A stray snapshot centuries away (a year typed as 4042) stretches the
/// data's span, not the work: the scan still finishes with the same
/// events (the cohort counts follow the snapshots, not the span).
#[test]
fn a_stray_far_future_snapshot_changes_nothing() {
    let w = util::Workdir::new("stray");
    let mut text = fs::read_to_string(util::root().join("fixtures/influencer-purge.csv")).unwrap();
    text.push_str("4042-01-01T00:00:00Z,someinfluencer,160000,100\n");
    w.create("stray.csv", text);
    let run = w.run(&["--format", "json", "stray.csv"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["input"]["last"], "4042-01-01T00:00:00Z");
    let (reference, _) = scan_json(&["fixtures/influencer-purge.csv"]);
    assert_eq!(report["events"][0]["id"], reference["events"][0]["id"]);
    assert_eq!(report["events"][0]["kind"], reference["events"][0]["kind"]);
}

// ---------------------------------------------------------------------------
// Limits: huge cells, many accounts, extreme counts and times
// ---------------------------------------------------------------------------

/// `simulate` keeps its accounts as big as real ones: hundreds of millions
/// of followers at the top, never a billion, over a year of weekly
/// snapshots of 20,000 accounts (growth compounds fastest when the weekly
/// rhythm is sampled at one phase) or ten years of them every four weeks.
#[test]
fn simulated_accounts_stay_below_a_billion_followers() {
    for args in [
        ["--accounts", "20000", "--days", "365", "--interval", "1w"],
        ["--accounts", "5000", "--days", "3650", "--interval", "4w"],
    ] {
        let mut sim = util::followdrop(&root());
        sim.arg("simulate")
            .args(args)
            .args(["--scenario", "quiet", "--no-following"]);
        let run = util::run(sim, None);
        run.expect_code(0);
        let most = run
            .stdout
            .lines()
            .skip(1)
            .map(|row| row.split(',').nth(2).unwrap().parse::<u64>().unwrap())
            .max()
            .unwrap();
        assert!(
            (500_000_000..1_000_000_000).contains(&most),
            "{args:?}: the largest account has {most} followers"
        );
    }
}

/// Runs `followdrop <args>` in `dir` under GNU time (`/usr/bin/time -f %M`)
/// and returns what it did with its peak resident memory in KiB; the memory
/// is `None` where GNU time is not installed (the run itself still happens,
/// so callers assert on it either way).
fn run_measured(dir: &std::path::Path, args: &[&str]) -> (util::Run, Option<u64>) {
    let report = tempfile::NamedTempFile::new().expect("temp file");
    let timed = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output();
    let peak = |out: &std::process::Output| {
        let text = fs::read_to_string(report.path()).ok()?;
        let kib = text.lines().last()?.trim().parse().ok()?;
        out.status.code().map(|_| kib)
    };
    match timed {
        Ok(out) if peak(&out).is_some() => {
            let kib = peak(&out);
            (util::Run::from_output(out), kib)
        }
        _ => {
            let mut cmd = util::followdrop(dir);
            cmd.args(args);
            (util::run(cmd, None), None)
        }
    }
}

/// A 10 MB account name is read (memory stays near the file's size), and a
/// 10 MB time cell or line is rejected with a message that shows only the
/// start of the value.
#[test]
fn ten_megabyte_cells_and_lines() {
    const BIG: usize = 10 << 20;
    let w = Workdir::new("long-cells");
    let long_name = "n".repeat(BIG);
    let mut text = String::from("timestamp,account,followers\n");
    for h in 0..24 {
        text.push_str(&format!("2024-01-01T{h:02}:00:00Z,short,{}\n", 500 + h));
    }
    text.push_str(&format!("2024-01-01T05:00:00Z,{long_name},1000\n"));
    w.create("long-name.csv", &text);
    let (run, peak) = run_measured(w.path(), &["scan", "--format", "json", "long-name.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["input"]["accounts"], 2);
    assert_eq!(report["input"]["rows"], 25);
    if let Some(kib) = peak {
        // The file is 10 MiB; the name is held about once or twice.
        assert!(kib < 64 << 10, "peak RSS {kib} KiB for a 10 MiB name");
    }

    let header = "timestamp,account,followers\n2024-01-01T00:00:00Z,a,5\n";
    w.create(
        "long-time.csv",
        format!("{header}{},a,6\n", "9".repeat(BIG)),
    );
    let (run, peak) = run_measured(w.path(), &["scan", "long-time.csv"]);
    run.expect_code(2);
    let shown = format!("invalid value \"{}…\"", "9".repeat(40));
    assert!(
        run.stderr
            .starts_with("followdrop: error: long-time.csv: line 3: time")
            && run.stderr.contains(&shown),
        "{}",
        &run.stderr[..run.stderr.len().min(500)]
    );
    assert!(run.stderr.len() < 1000, "the message is short");
    if let Some(kib) = peak {
        assert!(kib < 64 << 10, "peak RSS {kib} KiB for a 10 MiB cell");
    }

    w.create(
        "long-line.csv",
        format!("{header}2024-01-01T01:00:00Z,a,6,{}\n", "x".repeat(BIG)),
    );
    let run = w.run(&["long-line.csv"], None);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("long-line.csv: line 3: expected 3 fields as in the header, found 4"),
        "{}",
        &run.stderr[..run.stderr.len().min(500)]
    );
    assert!(run.stderr.len() < 1000, "the message is short");
}

/// Memory does not depend on the order of the rows: a large file grouped
/// by account (each account's history in one place, as many exports write
/// it) peaks near the same file in time order, read in parallel chunks.
#[test]
fn memory_does_not_depend_on_row_order() {
    let w = Workdir::new("row-order");
    let mut sim = util::followdrop(w.path());
    sim.args(["simulate", "--accounts", "1200", "--days", "365"]);
    sim.args(["--interval", "1d", "--seed", "5", "-o", "ordered.csv"]);
    sim.assert().success();
    let text = w.read("ordered.csv");
    let mut lines: Vec<&str> = text.lines().collect();
    let account = |l: &str| l.split(',').nth(1).unwrap_or("").to_string();
    lines[1..].sort_by_key(|l| account(l));
    w.create("grouped.csv", lines.join("\n") + "\n");
    assert!(text.len() > 16 << 20, "big enough to be read in chunks");
    let scan = |file: &str| {
        let (run, peak) = run_measured(w.path(), &["scan", "--format", "json", file]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        (util::without_files(&run.stdout), peak)
    };
    let (ordered, ordered_peak) = scan("ordered.csv");
    let (grouped, grouped_peak) = scan("grouped.csv");
    assert_eq!(ordered, grouped);
    if let (Some(a), Some(b)) = (ordered_peak, grouped_peak) {
        assert!(
            b < a * 5 / 4 + (4 << 10),
            "grouped {b} KiB, in time order {a} KiB"
        );
    }
}

/// A million distinct accounts with one snapshot each (a scraper's flat
/// export of everyone it saw once) is read and scanned; memory grows with
/// the number of accounts, not faster. Fewer accounts in a debug build.
#[test]
fn a_million_distinct_accounts() {
    let accounts: usize = if cfg!(debug_assertions) {
        100_000
    } else {
        1_000_000
    };
    let w = Workdir::new("million");
    let mut text = String::with_capacity(accounts * 40);
    text.push_str("timestamp,account,followers\n");
    for i in 0..accounts {
        // Spread over 1,000 hours, so the grid has real length too.
        let t = 1_704_067_200 + (i % 1000) * 3600;
        text.push_str(&format!("{t},acct{i:07},{}\n", 1000 + i % 777));
    }
    w.create("million.csv", &text);
    drop(text);
    let (run, peak) = run_measured(w.path(), &["scan", "--format", "json", "million.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["input"]["accounts"], accounts);
    assert_eq!(report["input"]["rows"], accounts);
    assert_eq!(report["events"], json!([]));
    if let Some(kib) = peak {
        // 0.58 KiB per account measured at 79d2d2a (577 MB for a million);
        // the bound is linear and leaves room.
        let bound = (64 << 10) + accounts as u64;
        assert!(
            kib < bound,
            "peak RSS {kib} KiB for {accounts} accounts (bound {bound})"
        );
    }
}

/// "A 1 MB input never needs more than a few tens of MB of memory", on the
/// kinds of 1 MB input that cost most per byte: every row a new account, a
/// few accounts sampled every minute, and rows stretched over decades by a
/// stray far-away snapshot. Measured where GNU time is installed.
#[test]
fn a_one_megabyte_input_needs_a_few_tens_of_megabytes() {
    let w = Workdir::new("one-mb");
    let fill = |name: &str, row: &dyn Fn(usize) -> String, tail: &str| {
        let mut text = String::from("timestamp,account,followers\n");
        let mut i = 0;
        while text.len() < 1_000_000 - tail.len() - 64 {
            text.push_str(&row(i));
            i += 1;
        }
        text.push_str(tail);
        w.create(name, &text);
    };
    fill(
        "accounts.csv",
        &|i| {
            format!(
                "{},a{i:06},{}\n",
                1_704_067_200 + (i % 1000) * 3600,
                1000 + i % 777
            )
        },
        "",
    );
    fill(
        "minutes.csv",
        &|i| {
            format!(
                "{},m{},{}\n",
                1_104_537_600 + 60 * (i / 20),
                i % 20,
                1000 + i % 7
            )
        },
        "",
    );
    fill(
        "stretched.csv",
        &|i| {
            format!(
                "{},m{},{}\n",
                1_104_537_600 + 60 * (i / 20),
                i % 20,
                1000 + i % 7
            )
        },
        "2041-01-01T00:00:00Z,m1,1000\n",
    );
    for name in ["accounts.csv", "minutes.csv", "stretched.csv"] {
        let (run, peak) = run_measured(w.path(), &["scan", "--format", "json", name]);
        assert!(run.code == 0 || run.code == 1, "{name}: {}", run.stderr);
        assert!(
            run.json()["input"]["rows"].as_u64() > Some(10_000),
            "{name}"
        );
        if let Some(kib) = peak {
            assert!(kib < 64 << 10, "{name}: peak RSS {kib} KiB for 1 MB");
        }
    }
}

/// Counts up to 2^53 are read; one more, or one beyond u64, is rejected
/// naming file, line (record in JSON), field and value, in every format.
#[test]
fn counts_beyond_two_to_the_53_are_rejected() {
    let w = Workdir::new("huge-counts");
    let ok = "2024-01-01T00:00:00Z";
    w.create(
        "max.csv",
        format!("timestamp,account,followers\n{ok},a,9007199254740992\n"),
    );
    let (report, run) = {
        let run = w.run(&["--format", "json", "max.csv"], None);
        (run.json(), run)
    };
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(report["input"]["rows"], 1);
    for (name, value, shown) in [
        ("over.csv", "9007199254740993", "9007199254740993"),
        ("u64.csv", "18446744073709551616", "18446744073709551616"),
        (
            "huge.csv",
            &"9".repeat(60)[..],
            &format!("{}…", "9".repeat(40))[..],
        ),
    ] {
        w.create(
            name,
            format!("timestamp,account,followers\n{ok},a,5\n{ok},b,{value}\n"),
        );
        let run = w.run(&[name], None);
        run.expect_code(2);
        let want = format!(
            "{name}: line 3: followers (column \"followers\"): invalid value \"{shown}\": count too large (more than 2^53)"
        );
        assert!(run.stderr.contains(&want), "{}", run.stderr);
    }
    for (name, value, shown) in [
        ("over.json", "9007199254740993", "9007199254740993"),
        ("u64.json", "18446744073709551616", "1.8446744073709552e+19"),
        ("float.json", "1.0e20", "1e+20"),
    ] {
        w.create(
            name,
            format!(r#"[{{"ts": "{ok}", "user": "a", "followers": {value}}}]"#),
        );
        let run = w.run(&[name], None);
        run.expect_code(2);
        let want = format!(
            "{name}: record 1: followers (column \"followers\"): invalid value \"{shown}\": count too large (more than 2^53)"
        );
        assert!(run.stderr.contains(&want), "{}", run.stderr);
    }
}

/// Times before 1970 are read when written as dates (any year from 0001);
/// a negative epoch is refused with a message saying how to write them.
#[test]
fn times_before_1970() {
    let w = Workdir::new("pre-1970");
    w.create(
        "old.csv",
        "timestamp,account,followers\n\
         1969-07-20T20:17:00Z,apollo,5\n\
         1969-07-21 20:17,apollo,6\n\
         1950-01-01,hal,7\n",
    );
    let run = w.run(&["--format", "json", "old.csv"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["input"]["first"], "1950-01-01T00:00:00Z");
    assert_eq!(report["input"]["last"], "1969-07-21T20:17:00Z");

    w.create(
        "first-year.csv",
        "timestamp,account,followers\n0001-01-01T00:00:00Z,a,5\n0001-01-01T06:00:00Z,a,6\n",
    );
    let run = w.run(&["--format", "json", "first-year.csv"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["input"]["first"], "0001-01-01T00:00:00Z");

    w.create(
        "negative.csv",
        "timestamp,account,followers\n1969-07-20T20:17:00Z,a,5\n-86400,a,6\n",
    );
    let run = w.run(&["negative.csv"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains(
            "negative.csv: line 3: time (column \"timestamp\"): invalid value \"-86400\": \
             a negative epoch (before 1970) is not read"
        ),
        "{}",
        run.stderr
    );
}

/// The year 9999 is the last one read; anything later (a five-digit year,
/// an offset or zone pushing 9999-12-31 into 10000, a huge epoch) is
/// rejected saying so.
#[test]
fn times_after_9999_are_rejected() {
    let w = Workdir::new("y10k");
    w.create(
        "last.csv",
        "timestamp,account,followers\n9999-12-31T20:00:00Z,a,5\n9999-12-31T23:59:59Z,a,6\n",
    );
    let run = w.run(&["--format", "json", "last.csv"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["input"]["last"], "9999-12-31T23:59:59Z");
    for (i, (value, tz)) in [
        ("10000-01-01T00:00:00Z", "UTC"),
        ("9999-12-31T23:30:00-01:00", "UTC"),
        ("9999-12-31 23:30", "America/New_York"),
        ("999999999999999", "UTC"),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("late{i}.csv");
        w.create(
            &name,
            format!("timestamp,account,followers\n9999-12-31T20:00:00Z,a,5\n{value},a,6\n"),
        );
        let run = w.run(&["--tz", tz, &name], None);
        run.expect_code(2);
        let want = format!(
            "{name}: line 3: time (column \"timestamp\"): invalid value \"{value}\": \
             outside the years 0001 to 9999 (UTC)"
        );
        assert!(run.stderr.contains(&want), "{}", run.stderr);
    }
}

/// A leap second (`23:59:60`) is read as `23:59:59`, with or without a zone.
#[test]
fn leap_second_is_read_as_59() {
    let w = Workdir::new("leap");
    w.create(
        "leap.csv",
        "timestamp,account,followers\n\
         2016-12-31T23:00:00Z,a,5\n\
         2016-12-31T23:59:60Z,a,6\n\
         2016-12-31 23:59:60,b,6\n",
    );
    let run = w.run(&["--format", "json", "leap.csv"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 3);
    assert_eq!(report["input"]["last"], "2016-12-31T23:59:59Z");
}

/// Local times under `--tz` across daylight-saving changes: a time the
/// spring change skips is rejected naming line, field and value; a time
/// the autumn change repeats is read as the earlier instant, so a collector
/// writing local times files its two 02:30 snapshots at the same instant,
/// and they are merged or reported as conflicting like any duplicate.
#[test]
fn daylight_saving_jumps_under_tz() {
    let w = Workdir::new("dst");
    w.create(
        "spring.csv",
        "timestamp,account,followers\n\
         2019-03-31 01:30,a,100\n\
         2019-03-31 02:30,a,101\n\
         2019-03-31 03:30,a,102\n",
    );
    let run = w.run(&["--tz", "Europe/Paris", "spring.csv"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains(
            "spring.csv: line 3: time (column \"timestamp\"): invalid value \"2019-03-31 02:30\": \
             this local time does not exist in the --tz zone (skipped by a daylight-saving change)"
        ),
        "{}",
        run.stderr
    );
    // In UTC (the default) the same file is fine: nothing is skipped.
    let run = w.run(&["spring.csv"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);

    w.create(
        "autumn.csv",
        "timestamp,account,followers\n\
         2019-10-27 01:30,a,100\n\
         2019-10-27 02:30,a,101\n\
         2019-10-27 02:30,a,102\n\
         2019-10-27 03:30,a,103\n",
    );
    let run = w.run(
        &["--tz", "Europe/Paris", "--format", "json", "autumn.csv"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    // 01:30 CEST is 23:30Z; 03:30 CET is 02:30Z; both 02:30 are read as CEST.
    assert_eq!(report["input"]["first"], "2019-10-26T23:30:00Z");
    assert_eq!(report["input"]["last"], "2019-10-27T02:30:00Z");
    assert_eq!(report["input"]["rows"], 4);
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "conflicting_snapshot"),
        "the repeated 02:30 is a conflicting duplicate: {}",
        report["warnings"]
    );
}

// ---------------------------------------------------------------------------
// Nasty rows, as a new user meets them (fixtures/nasty/, docs/NASTY_INPUT.md)
// ---------------------------------------------------------------------------

/// The nasty fixture's bytes and its truth.
fn nasty() -> (Vec<u8>, Value) {
    let bytes = fs::read(root().join("fixtures/nasty/nasty.csv")).unwrap();
    (bytes, truth("nasty"))
}

/// Lines of `truth` rows with the given outcome.
fn nasty_lines(rows: &Value, outcome: &str) -> Vec<u64> {
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == outcome)
        .map(|r| r["line"].as_u64().unwrap())
        .collect()
}

/// `bytes` with the given (1-based) lines emptied: line numbers stay put.
fn blank_lines(bytes: &[u8], blank: &[u64]) -> Vec<u8> {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| {
            if blank.contains(&(i as u64 + 1)) {
                &[][..]
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join(&b'\n')
}

/// Every nasty row the truth says is rejected, alone among good rows (the
/// other rejected rows emptied), stops a strict scan with status 2 and one
/// line naming the file, the line, the field (where one cell is at fault),
/// the value as written, and what was wrong.
#[test]
fn every_nasty_row_gets_a_clear_message() {
    let (bytes, t) = nasty();
    let rows = &t["rows"];
    let rejected = nasty_lines(rows, "rejected");
    assert!(rejected.len() >= 15, "the fixture has its nasty rows");
    let w = Workdir::new("nasty-rows");
    for row in rows.as_array().unwrap() {
        if row["outcome"] != "rejected" {
            continue;
        }
        let line = row["line"].as_u64().unwrap();
        let others: Vec<u64> = rejected.iter().copied().filter(|&l| l != line).collect();
        w.create("nasty.csv", blank_lines(&bytes, &others));
        let run = w.run(&["nasty.csv"], None);
        let what = row["defect"].as_str().unwrap();
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{what}");
        let err = &run.stderr;
        assert_eq!(err.lines().count(), 1, "{what}: one line: {err:?}");
        let at = format!("followdrop: error: nasty.csv: line {line}: ");
        assert!(err.starts_with(&at), "{what}: {err:?}");
        if let Some(field) = row["field"].as_str() {
            let column = if field == "time" { "timestamp" } else { field };
            let named = format!("{at}{field} (column \"{column}\"): invalid value ");
            assert!(err.starts_with(&named), "{what}: {err:?}");
        }
        if let Some(shown) = row["shown"].as_str() {
            assert!(
                err.contains(&format!("invalid value {shown}: ")),
                "{what}: {err:?}"
            );
        }
        let problem = row["problem"].as_str().unwrap();
        assert!(err.contains(problem), "{what}: {problem:?} in {err:?}");
    }
}

/// The whole nasty file, run as a new user would: strict, it stops at the
/// first bad row and `-o` leaves yesterday's report untouched; with
/// `--on-error skip` every bad row is counted, the rest is read, the two
/// drops are found and the report replaces the old one.
#[test]
fn nasty_file_strict_and_skipped_with_output_file() {
    let (bytes, t) = nasty();
    let w = Workdir::new("nasty-file");
    w.create("nasty.csv", &bytes);
    w.create(
        "good.csv",
        fs::read(root().join("fixtures/three-accounts.csv")).unwrap(),
    );
    let run = w.run(&["--format", "json", "-o", "report.json", "good.csv"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let good = w.read("report.json");
    let listing = || {
        let mut names: Vec<String> = fs::read_dir(w.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let before = listing();

    let run = w.run(
        &["--format", "json", "-o", "report.json", "nasty.csv"],
        None,
    );
    assert_eq!(
        run.code,
        t["strict"]["exit_status"].as_i64().unwrap() as i32
    );
    assert_eq!(run.stdout, "");
    let first = t["strict"]["first_rejected_line"].as_u64().unwrap();
    assert!(
        run.stderr
            .starts_with(&format!("followdrop: error: nasty.csv: line {first}: ")),
        "{}",
        run.stderr
    );
    assert_eq!(
        w.read("report.json"),
        good,
        "-o left the old report untouched"
    );
    assert_eq!(listing(), before, "and no temporary file behind");

    let args = [
        "--on-error",
        "skip",
        "--format",
        "json",
        "-o",
        "report.json",
        "nasty.csv",
    ];
    let run = w.run(&args, None);
    let skip = &t["skip"];
    assert_eq!(
        run.code,
        skip["exit_status"].as_i64().unwrap() as i32,
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    let report: Value = serde_json::from_str(&w.read("report.json")).unwrap();
    assert_eq!(report["input"]["rows"], skip["rows_read"]);
    let warning = |code: &str| {
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("no {code} warning: {}", report["warnings"]))
    };
    let invalid = warning("invalid_record");
    assert_eq!(invalid["count"], skip["invalid_records"]);
    let message = invalid["message"].as_str().unwrap();
    for line in nasty_lines(&t["rows"], "rejected").iter().take(3) {
        assert!(
            message.contains(&format!("nasty.csv: line {line}: ")),
            "{message}"
        );
    }
    assert_eq!(warning("invalid_utf8")["count"], 1);
    assert_eq!(warning("repeated_header")["count"], 1);
    // An empty follower count is a missing snapshot, not an invalid record.
    assert_eq!(warning("missing_count")["count"], skip["missing_counts"]);
    assert!(
        run.stderr.contains("invalid records skipped"),
        "{}",
        run.stderr
    );
    let names: BTreeSet<String> = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(affected)
        .collect();
    let hostile = strings(&t["accounts_in_good_rows"]);
    assert_eq!(
        names,
        BTreeSet::from([hostile[2].clone(), hostile[4].clone()]),
        "the two drops, whatever the names"
    );
    assert_eq!(listing(), before, "-o replaced the report in place");
}

/// Hostile names from the nasty file are neutralised where they could do
/// harm: escapes never reach the terminal from the text report, formulas
/// never run from the CSV report; JSON keeps them exactly.
#[test]
fn nasty_names_are_neutralised_in_reports() {
    let base = ["--on-error", "skip", "fixtures/nasty/nasty.csv"];
    let text = scan(&[&base[..], &["--color", "never"]].concat());
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert!(!text.stdout.contains('\x1b'), "{}", text.stdout);
    assert!(
        text.stdout.contains("\u{fffd}[2J\u{fffd}[31mred"),
        "{}",
        text.stdout
    );
    let csv = scan(&[&base[..], &["--format", "csv"]].concat());
    assert!(
        csv.stdout
            .contains(r#""'=HYPERLINK(""http://x.example"",""click"")""#),
        "{}",
        csv.stdout
    );
    let json = scan(&[&base[..], &["--format", "json"]].concat()).json();
    let names: Vec<String> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(affected)
        .collect();
    assert!(
        names.contains(&"\x1b[2J\x1b[31mred".to_string()),
        "{names:?}"
    );
}

/// Stray quotes: a quote inside an unquoted field is read literally and the
/// lines after it as usual; a quote that opens a field and never closes is
/// an error naming its line.
#[test]
fn stray_quotes_do_not_swallow_lines() {
    let t = &truth("nasty")["stray_quotes"];
    let path = "fixtures/nasty/stray-quotes.csv";
    let run = scan(&[path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let line = t["strict"]["first_rejected_line"].as_u64().unwrap();
    assert!(
        run.stderr.contains(&format!("{path}: line {line}: "))
            && run.stderr.contains("never closed"),
        "{}",
        run.stderr
    );
    let (report, run) = scan_json(&["--on-error", "skip", path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(report["input"]["rows"], t["skip"]["rows_read"]);
    assert_eq!(report["warnings"][0]["count"], t["skip"]["invalid_records"]);
}

/// Found by fuzzing (`fuzz/regressions/csv-slow-7rows-year4200.bin`, cut
/// down from a `json` slow unit): seven rows, one of them 2,200 years after
/// the rest, on an hourly grid of 19 M points. The grid is under
/// `grid::MAX_POINTS`, so the scan runs, and it must stay as small as any
/// other small input.
#[test]
fn seven_rows_spanning_centuries_stay_small() {
    let w = Workdir::new("sparse-span");
    w.create(
        "sparse.csv",
        fs::read(root().join("fuzz/regressions/csv-slow-7rows-year4200.bin")).unwrap(),
    );
    let (run, peak) = run_measured(w.path(), &["scan", "--format", "json", "sparse.csv"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    assert_eq!(run.json()["input"]["last"], "4200-07-25T00:00:00Z");
    if let Some(kib) = peak {
        assert!(kib < 64 << 10, "peak RSS {kib} KiB for 7 rows");
    }
}

// ---------------------------------------------------------------------------
// The judgement's phenomena (docs/SPEC.md, "What is detected")
// ---------------------------------------------------------------------------

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
