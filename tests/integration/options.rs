//! The options of `scan`: filters, thresholds, grid, output file, colour.

use crate::util;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use predicates::prelude::*;
use serde_json::{Value, json};
use util::{Workdir, affected, binary, only_event, per_account_files, root, scan, scan_json};

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

/// `-o -` is stdout, as `-` is stdin among the inputs: no file named `-`.
#[test]
fn output_dash_is_stdout() {
    let w = Workdir::new("dash-output");
    let mut cmd = util::followdrop(w.path());
    cmd.args(["simulate", "--accounts", "5", "--days", "3", "-o", "-"]);
    let sim = util::run(cmd, None);
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    assert!(sim.stdout.starts_with("timestamp,account,followers"));
    w.create("s.csv", &sim.stdout);
    let scan = w.run(&["--format", "json", "-o", "-", "s.csv"], None);
    assert!(scan.code == 0 || scan.code == 1, "{}", scan.stderr);
    assert_eq!(scan.json()["input"]["accounts"], 5);
    assert!(!w.path().join("-").exists());
}

/// `simulate -o FILE` without `--format` writes what FILE's name says, as
/// `scan -o` does: data.json is a JSON array, data.ndjson.gz NDJSON in
/// gzip; `scan` reads each back alike.
#[test]
fn simulate_output_format_follows_the_file_extension() {
    let w = Workdir::new("simulate-extension");
    let mut reports = Vec::new();
    for name in ["s.csv", "s.json", "s.ndjson.gz", "s.JSONL", "s.txt"] {
        let mut cmd = util::followdrop(w.path());
        cmd.args([
            "simulate",
            "--accounts",
            "6",
            "--days",
            "4",
            "--seed",
            "3",
            "-o",
            name,
        ]);
        util::run(cmd, None).expect_code(0);
        let bytes = std::fs::read(w.path().join(name)).unwrap();
        let first = match name {
            "s.ndjson.gz" => b'\x1f',
            "s.json" => b'[',
            "s.JSONL" => b'{',
            _ => b't',
        };
        assert_eq!(bytes[0], first, "{name}");
        let scan = w.run(&["--format", "json", name], None);
        assert!(scan.code == 0 || scan.code == 1, "{name}: {}", scan.stderr);
        reports.push(scan.json()["input"]["rows"].clone());
    }
    assert!(reports.windows(2).all(|r| r[0] == r[1]), "{reports:?}");
}
