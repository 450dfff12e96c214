//! Files that change while they are read, as collectors and people change
//! them while cron scans: appended to (normal: the bytes appended are left
//! for the next run), replaced or cut short (an error, never a report), and
//! a last line cut mid-write (docs/RELIABILITY.md).
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
