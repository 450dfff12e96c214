//! Nasty rows as a new user meets them (`fixtures/nasty/`,
//! docs/NASTY_INPUT.md).

use crate::util;

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;
use util::{Workdir, affected, root, run_measured, scan, scan_json, strings, truth};

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

/// Every string from the input that reaches a terminal is neutralised, not
/// only the report's body: `show`'s event id (which holds the account's
/// name), file names and values in errors and warnings; and no bidi
/// override reaches an SVG.
#[test]
fn nasty_names_are_neutralised_everywhere() {
    const EVIL: &str = "\x1b[2J\x1b[31mred";
    let mut cmd = util::followdrop(&root());
    cmd.args(["show", EVIL, "--on-error", "skip", "--color", "never"])
        .arg("fixtures/nasty/nasty.csv");
    let show = util::run(cmd, None);
    assert_eq!(show.code, 1, "{}", show.stderr);
    assert!(!show.stdout.contains('\x1b'), "{}", show.stdout);
    assert!(show.stdout.contains("\u{fffd}[2J\u{fffd}[31mred"));

    let w = Workdir::new("nasty-file-names");
    // A file name that sets the terminal's title and reads backwards.
    let name = "evil\x1b]0;pwned\x07\u{202e}vsc.csv";
    w.create(name, "timestamp,account,followers\n2024-01-01,a,x\n");
    let run = w.run(&[name], None);
    assert_eq!(run.code, 2);
    for bad in ['\x1b', '\x07', '\u{202e}'] {
        assert!(!run.stderr.contains(bad), "{:?}", run.stderr);
    }
    assert!(
        run.stderr
            .contains("evil\\u{1b}]0;pwned\\u{7}\\u{202e}vsc.csv: line 2"),
        "{}",
        run.stderr
    );
    // In a folder: the unread file's name in a warning.
    w.create(
        "dir/good.csv",
        "timestamp,account,followers\n2024-01-01,a,5\n",
    );
    w.create("dir/\x1b[2Jnotes.md", "not snapshots");
    let run = w.run(&["dir"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
    assert!(run.stderr.contains("\\u{1b}[2Jnotes.md"), "{}", run.stderr);

    // An SVG of an account whose name holds a right-to-left override.
    let mut csv = String::from("timestamp,account,followers\n");
    for day in 1..=20 {
        csv.push_str(&format!("2024-01-{day:02},abc\u{202e}fed,{}\n", 1000 + day));
        csv.push_str(&format!("2024-01-{day:02},other,{}\n", 2000 + day));
    }
    w.create("rlo.csv", csv);
    let mut cmd = util::followdrop(w.path());
    cmd.args([
        "plot",
        "rlo.csv",
        "--account",
        "abc\u{202e}fed",
        "-o",
        "rlo.svg",
    ]);
    let plot = util::run(cmd, None);
    assert_eq!(plot.code, 0, "{}", plot.stderr);
    let svg = w.read("rlo.svg");
    assert!(!svg.contains('\u{202e}'), "an override in the SVG");
    assert!(svg.contains("abc\u{fffd}fed"));
}
