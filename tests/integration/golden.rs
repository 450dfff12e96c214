//! Golden files: `tests/golden/<fixture>.<format>` hold whole reports;
//! `UPDATE_GOLDEN=1 cargo test` rewrites them after a deliberate change.

use crate::util;

use std::fs;
use std::path::PathBuf;

use serde_json::{Value, json};
use util::{CSV_HEADER, assert_same_text, root};

const GOLDEN_FIXTURES: [&str; 2] = ["influencer-purge", "three-accounts"];

fn golden_path(name: &str, format: &str) -> PathBuf {
    let ext = if format == "text" { "txt" } else { format };
    root().join("tests/golden").join(format!("{name}.{ext}"))
}

/// Runs `followdrop <args> --format <format> --color never` and compares
/// its stdout with the golden file `name.<format>` (rewritten instead with
/// `UPDATE_GOLDEN=1`).
fn check_golden(name: &str, args: &[&str], format: &str, code: i32) {
    let mut all = args.to_vec();
    all.extend(["--format", format, "--color", "never"]);
    let mut cmd = util::followdrop(&root());
    cmd.args(&all);
    let run = util::run(cmd, None);
    run.expect_code(code);
    let path = golden_path(name, format);
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

/// A golden file of `scan` on a fixture (both have events: exit 1).
macro_rules! golden {
    ($test:ident, $fixture:literal, $format:literal) => {
        #[test]
        fn $test() {
            check_golden(
                $fixture,
                &["scan", concat!("fixtures/", $fixture, ".csv")],
                $format,
                1,
            );
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

/// A golden file of `show`: an account's own purge, and a member of a
/// platform glitch (each has a reported event: exit 1).
macro_rules! golden_show {
    ($test:ident, $account:literal, $fixture:literal, $format:literal) => {
        #[test]
        fn $test() {
            check_golden(
                concat!("show-", $account),
                &["show", $account, concat!("fixtures/", $fixture, ".csv")],
                $format,
                1,
            );
        }
    };
}

golden_show!(
    golden_show_purge_text,
    "someinfluencer",
    "influencer-purge",
    "text"
);
golden_show!(
    golden_show_purge_json,
    "someinfluencer",
    "influencer-purge",
    "json"
);
golden_show!(
    golden_show_glitch_text,
    "arianagrande",
    "instagram-2019-02-13",
    "text"
);
golden_show!(
    golden_show_glitch_json,
    "arianagrande",
    "instagram-2019-02-13",
    "json"
);

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
