//! The text report (docs/SPEC.md, "Output"): words, widths, colour.

use crate::shapes::{Snap, csv, dataset};
use crate::util;

use std::fs;

use serde_json::Value;
use util::{CSV_HEADER, Workdir, account, only_event, per_account_files, root, scan, scan_json};

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
