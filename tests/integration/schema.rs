//! The JSON, NDJSON and CSV reports' shape (docs/SPEC.md, "Output").

use crate::shapes::{csv, dataset};
use crate::util;

use std::fs;

use serde_json::{Value, json};
use util::{Workdir, per_account_files, root, scan, scan_json};

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
            0 | 1 => util::without_files(&run.stdout),
            code => panic!("{threads} {file}: status {code}: {}", run.stderr),
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
    assert_eq!(piped.code, 1, "{}", piped.stderr);
    assert_eq!(util::without_files(&piped.stdout), csv.1);
    let valid = records.clone();
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
    // Bytes that are not UTF-8 two thirds in (an é as Latin-1 writes it),
    // in a field not read, an account's name or a time: the records around
    // are read by their layout without checking the whole line, and these
    // must still be found at their line, alike on one thread or four.
    let latin1 = |text: &str| -> Vec<u8> {
        text.replace('é', "\u{1}")
            .bytes()
            .map(|b| if b == 1 { 0xE9 } else { b })
            .collect()
    };
    type Edit = fn(&str) -> String;
    let cases: [(&str, Edit, Edit); 3] = [
        (
            "latin1-note.ndjson",
            |r| r.replacen('{', "{\"note\":\"cafe\",", 1),
            |r| r.replacen('{', "{\"note\":\"café\",", 1),
        ),
        ("latin1-name.ndjson", str::to_string, |r| {
            r.replacen("\"account\":\"", "\"account\":\"café", 1)
        }),
        ("latin1-time.ndjson", str::to_string, |r| {
            r.replacen("\"timestamp\":\"", "\"timestamp\":\"é", 1)
        }),
    ];
    for (file, every, odd) in cases {
        let mut bytes = Vec::new();
        for (i, record) in valid.iter().enumerate() {
            let edit = if i == at { odd } else { every };
            bytes.extend(latin1(&edit(record)));
            bytes.push(b'\n');
        }
        w.create(file, &bytes);
        let four = report("4", file, &[]);
        assert_eq!(four, report("1", file, &[]), "{file}");
        assert_eq!(four.0, 2, "{file}: {}", four.2);
        assert!(
            four.2.contains(&format!("line {}", at + 1)),
            "{file}: {}",
            four.2
        );
    }
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
