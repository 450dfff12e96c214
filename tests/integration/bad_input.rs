//! Bad input: exit status 2, nothing on stdout, and a message naming the
//! file, the line and the field.

use crate::util;

use std::fs;

use util::{Workdir, root, scan, strings, truth};

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

/// An empty time cell is no time, in the first record as anywhere else (it
/// was once read as 1970 there, and the scan ended quiet with status 0).
#[test]
fn an_empty_first_time_is_an_error() {
    let wd = Workdir::new("empty-first-time");
    wd.create(
        "first.csv",
        "timestamp,account,followers\n,a,100\n2024-01-01T00:00:00Z,a,100\n",
    );
    wd.create(
        "first.ndjson",
        "{\"timestamp\":\"\",\"account\":\"a\",\"followers\":100}\n\
         {\"timestamp\":\"2024-01-01T00:00:00Z\",\"account\":\"a\",\"followers\":100}\n",
    );
    for (file, place) in [("first.csv", "line 2"), ("first.ndjson", "line 1")] {
        let run = wd.run(&[file], None);
        run.expect_code(2);
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr.contains(&format!("{file}: {place}: time")),
            "{}",
            run.stderr
        );
    }
}
