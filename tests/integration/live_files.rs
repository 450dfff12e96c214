//! Files that change while they are read, as collectors and people change
//! them while cron scans: appended to (normal: the bytes appended are left
//! for the next run), replaced or cut short (an error, never a report), a
//! last line cut mid-write, and a collector that stopped writing
//! (`--max-age`). See docs/RELIABILITY.md.
//!
//! Races are made deterministic with `FOLLOWDROP_TEST_PAUSE=FLAG:BYTES`:
//! the binary creates FLAG once it has read past byte BYTES of a file and
//! waits until FLAG is deleted, so the test changes the file at a known
//! point.

use crate::util::{Run, Workdir, binary};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A data set large enough to be read by byte ranges on several threads
/// (over 16 MB): 400 accounts, hourly for 50 days.
fn large(w: &Workdir, name: &str) -> PathBuf {
    let path = w.path().join(name);
    let out = Command::new(binary())
        .args(["simulate", "--accounts", "400", "--days", "50"])
        .args(["--interval", "1h", "--seed", "7", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(fs::metadata(&path).unwrap().len() > 16 << 20);
    path
}

/// Runs `followdrop scan --format json <input>` on two threads, paused once
/// past byte `at` of the input, calls `change` while it waits, and returns
/// what the run did.
fn scan_changed_at(w: &Workdir, input: &Path, at: u64, change: impl FnOnce()) -> Run {
    let flag = w.path().join("paused");
    let mut child = Command::new(binary())
        .args(["scan", "--format", "json"])
        .arg(input)
        .current_dir(w.path())
        .env("RAYON_NUM_THREADS", "2")
        .env("FOLLOWDROP_TEST_PAUSE", format!("{}:{at}", flag.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    while !flag.exists() {
        if child.try_wait().unwrap().is_some() {
            let run = Run::from_output(child.wait_with_output().unwrap());
            panic!("the scan ended before it paused: {}", run.stderr);
        }
        assert!(
            waited.elapsed() < Duration::from_secs(120),
            "the scan never paused"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    change();
    fs::remove_file(&flag).unwrap();
    Run::from_output(child.wait_with_output().unwrap())
}

#[test]
fn a_file_replaced_during_the_read_is_an_error_not_a_report() {
    let w = Workdir::new("replaced");
    let data = large(&w, "t.csv");
    let other = w.path().join("new.csv");
    fs::copy(&data, &other).unwrap();
    // Another data set under the same name, as `mv new.csv t.csv` does.
    let run = scan_changed_at(&w, &data, 4 << 20, || fs::rename(&other, &data).unwrap());
    run.expect_code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("t.csv: the file was replaced"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_cut_short_during_the_read_is_an_error_not_a_report() {
    let w = Workdir::new("truncated");
    let data = large(&w, "t.csv");
    // `: > t.csv` while it is read.
    let run = scan_changed_at(&w, &data, 4 << 20, || {
        fs::File::create(&data).unwrap();
    });
    run.expect_code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("t.csv: "), "{}", run.stderr);
    assert!(run.stderr.contains("shrank"), "{}", run.stderr);
}

#[test]
fn a_small_file_replaced_after_its_read_is_an_error_too() {
    let w = Workdir::new("replaced-small");
    let data = w.create(
        "t.csv",
        "timestamp,account,followers\n2024-01-01,a,100\n2024-01-02,a,101\n",
    );
    let other = w.create("new.csv", "timestamp,account,followers\n");
    let run = scan_changed_at(&w, &data, 1, || fs::rename(&other, &data).unwrap());
    run.expect_code(2);
    assert!(run.stderr.contains("was replaced"), "{}", run.stderr);
}

#[test]
fn bytes_appended_during_the_read_are_left_for_the_next_run() {
    let w = Workdir::new("appended");
    let data = large(&w, "t.csv");
    let quiet = w.run(&["--format", "json", "t.csv"], None);
    let accounts = quiet.json()["input"]["accounts"].clone();
    let rows = quiet.json()["input"]["rows"].clone();
    // A collector appends a new account's rows while the scan runs.
    let run = scan_changed_at(&w, &data, 4 << 20, || {
        use std::io::Write;
        let mut f = fs::OpenOptions::new().append(true).open(&data).unwrap();
        for day in 1..=9 {
            writeln!(f, "2024-03-0{day}T00:00:00Z,latecomer,1000,10").unwrap();
        }
    });
    assert_eq!(run.code, quiet.code, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["input"]["accounts"], accounts);
    assert_eq!(report["input"]["rows"], rows);
    // The next run reads them.
    let next = w.run(&["--format", "json", "t.csv"], None);
    assert_eq!(
        next.json()["input"]["accounts"].as_u64(),
        accounts.as_u64().map(|n| n + 1)
    );
}

/// Ten accounts, daily for 30 days, steady; `last` is appended as written
/// (no line end added).
fn daily(last: &str) -> String {
    let mut text = String::from("timestamp,account,followers\n");
    for day in 1..=30 {
        for a in 0..10 {
            let n = 587_000 + a * 1000 + day * 10;
            text.push_str(&format!("2024-01-{day:02}T00:00:00Z,acc{a},{n}\n"));
        }
    }
    text + last
}

#[test]
fn a_cut_last_line_that_would_show_a_drop_is_held_back() {
    let w = Workdir::new("cut-line");
    // A scraper appending `acc9,596310` has written `acc9,59`.
    w.create("t.csv", daily("2024-01-31T00:00:00Z,acc9,59"));
    let run = w.run(&["--format", "json", "t.csv"], None);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 300);
    let warning = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "cut_line")
        .expect("a cut_line warning");
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.starts_with("t.csv: line 302 has no line end") && message.contains("\"acc9\""),
        "{message}"
    );
    assert!(run.stderr.contains("line 302"), "{}", run.stderr);
    // The next run, with the line complete, takes it.
    w.create("t.csv", daily("2024-01-31T00:00:00Z,acc9,596310\n"));
    let next = w.run(&["--format", "json", "t.csv"], None);
    next.expect_code(0);
    assert_eq!(next.json()["input"]["rows"], 301);
    assert!(!next.stderr.contains("cut_line") && !next.stderr.contains("no line end"));
}

#[test]
fn a_last_line_without_a_line_end_is_used_when_it_shows_no_drop() {
    let w = Workdir::new("unterminated");
    // Many exports end without a newline: a whole record, and a rise.
    w.create("t.csv", daily("2024-01-31T00:00:00Z,acc9,596400"));
    let run = w.run(&["--format", "json", "t.csv"], None);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 301);
    assert_eq!(report["input"]["last"], "2024-01-31T00:00:00Z");
    assert!(
        report["warnings"].as_array().unwrap().is_empty(),
        "{report}"
    );
    // Blanks after the last line end are no cut line.
    w.create("blank.csv", daily("   "));
    let blank = w.run(&["--format", "json", "blank.csv"], None);
    blank.expect_code(0);
    assert!(blank.json()["warnings"].as_array().unwrap().is_empty());
    // The same as with the line end.
    let ended = w.create("e.csv", daily("2024-01-31T00:00:00Z,acc9,596400\n"));
    let with_end = w.run(&["--format", "json", ended.to_str().unwrap()], None);
    assert_eq!(
        crate::util::without_files(&run.stdout),
        crate::util::without_files(&with_end.stdout)
    );
}

#[test]
fn a_cut_last_line_that_cannot_be_read_is_held_back_not_an_error() {
    let w = Workdir::new("cut-unreadable");
    w.create("t.csv", daily("2024-01-3"));
    let run = w.run(&["t.csv"], None);
    run.expect_code(0);
    assert!(
        run.stderr.contains("t.csv: line 302 has no line end")
            && run.stderr.contains("cannot be read"),
        "{}",
        run.stderr
    );
    // NDJSON: a record cut short is not valid JSON.
    let mut nd = String::new();
    for day in 1..=30 {
        for a in 0..10 {
            let n = 587_000 + a * 1000 + day * 10;
            nd.push_str(&format!(
                "{{\"timestamp\":\"2024-01-{day:02}T00:00:00Z\",\"account\":\"acc{a}\",\"followers\":{n}}}\n"
            ));
        }
    }
    nd.push_str("{\"timestamp\":\"2024-01-31T00:00:00Z\",\"account\":\"acc9\",\"followers\":59");
    w.create("t.ndjson", nd);
    let run = w.run(&["--format", "json", "t.ndjson"], None);
    run.expect_code(0);
    assert_eq!(run.json()["input"]["rows"], 300);
    assert!(
        run.stderr.contains("t.ndjson: line 301 has no line end"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_stray_quote_that_swallows_records_is_an_error_and_spanning_fields_are_counted() {
    let w = Workdir::new("stray-quote");
    let mut text = String::from("timestamp,account,followers\n");
    for day in 1..=30 {
        for a in 0..10 {
            let name = match (day, a) {
                (5, 3) => "\"acc3".to_string(),
                (7, 3) => "acc3\"".to_string(),
                _ => format!("acc{a}"),
            };
            text.push_str(&format!(
                "2024-01-{day:02}T00:00:00Z,{name},{}\n",
                1000 + day
            ));
        }
    }
    w.create("t.csv", &text);
    let run = w.run(&["t.csv"], None);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("t.csv: line 45: a quoted field opened on this line runs on to line 65")
            && run.stderr.contains("stray quote"),
        "{}",
        run.stderr
    );
    // Skipped on request: the lines it swallowed are read as records.
    let run = w.run(&["--format", "json", "--on-error", "skip", "t.csv"], None);
    assert_eq!(run.json()["input"]["rows"], 299);
    // A field that holds a line break, in records of their own, is read
    // and counted.
    let mut bio = String::from("timestamp,account,followers,bio\n");
    for day in 1..=30 {
        bio.push_str(&format!(
            "2024-01-{day:02}T00:00:00Z,acc0,{},\"line one\nline two\"\n",
            1000 + day
        ));
    }
    w.create("bio.csv", bio);
    let run = w.run(&["--format", "json", "bio.csv"], None);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 30);
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "quoted_line_break" && w["count"] == 30),
        "{report}"
    );
}

/// Hourly snapshots of three accounts for ten days, the last one `hours`
/// hours before now.
fn ending_hours_ago(hours: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let last = now - hours * 3600;
    let mut text = String::from("timestamp,account,followers\n");
    for h in (0..240).rev() {
        for a in 0..3 {
            text.push_str(&format!("{},acc{a},{}\n", last - h * 3600, 1000 + a * 10));
        }
    }
    text
}

#[test]
fn a_collector_that_stopped_writing_fails_max_age() {
    let w = Workdir::new("max-age");
    w.create("t.csv", ending_hours_ago(72));
    let run = w.run(&["--max-age", "2d", "t.csv"], None);
    run.expect_code(2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("no snapshot since ") && run.stderr.contains("more than --max-age 2d"),
        "{}",
        run.stderr
    );
    // Fresh enough, and without the option: the usual verdict.
    w.run(&["--max-age", "4d", "t.csv"], None).expect_code(0);
    w.run(&["t.csv"], None).expect_code(0);
}
