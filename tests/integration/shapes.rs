//! Input shapes: the same data written every way docs/SPEC.md accepts,
//! and the shapes real exports come in: a folder of files, a wide table (a
//! column per account), and reference accounts that only join the cohort.

use crate::util;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use util::{Workdir, affected, assert_same_text, only_event, root, thousands, without_files};

/// The Instagram fixture's rows: (time, account, followers).
fn instagram() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(root().join("fixtures/instagram-2019-02-13.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].to_string(), c[1].to_string(), c[2].to_string())
        })
        .collect()
}

fn long_csv(rows: &[&(String, String, String)]) -> String {
    let mut out = String::from("timestamp,account,followers\n");
    for (t, a, v) in rows {
        out.push_str(&format!("{t},{a},{v}\n"));
    }
    out
}

fn json_report(w: &Workdir, args: &[&str]) -> (Value, String) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = w.run(&all, None);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    (run.json(), util::without_files(&run.stdout))
}

/// A folder reads as its snapshot files, in name order: the same report as
/// naming them; hidden files and other files are left out.
#[test]
fn a_folder_is_read_as_its_snapshot_files() {
    let w = Workdir::new("folder");
    let rows = instagram();
    let (early, late): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.0.as_str() < "2019-02-10");
    w.create("daily/2019-02-a.csv", long_csv(&early));
    w.create_gz("daily/2019-02-b.csv.gz", long_csv(&late));
    w.create("daily/.followdrop-tmp123", "not,a,snapshot\n");
    w.create("daily/notes.md", "# not data\n");
    w.create(
        "daily/sub/ignored.csv",
        "timestamp,account,followers\nbad\n",
    );
    let (mut folder, _) = json_report(&w, &["daily"]);
    let (files, _) = json_report(&w, &["daily/2019-02-a.csv", "daily/2019-02-b.csv.gz"]);
    // The file left out is named once; hidden files and subfolders are not.
    let warnings = folder["warnings"].as_array().unwrap().clone();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["code"], "unread_file");
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("notes.md")
    );
    folder["warnings"] = files["warnings"].clone();
    assert_eq!(folder["events"], files["events"]);
    assert_eq!(folder["summary"], files["summary"]);
    assert_eq!(folder["input"]["files"], files["input"]["files"]);
    assert_eq!(folder["events"][0]["kind"], "platform_glitch");

    w.create("empty/readme.txt.bak", "");
    let run = w.run(&["empty"], None);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("empty: no snapshot files in this folder"),
        "{}",
        run.stderr
    );
}

/// A wide table (a time column, a column per account) gives the same report
/// as the same snapshots in the long shape; it is recognised from its header,
/// or forced with --wide, and an empty cell is no snapshot.
#[test]
fn a_wide_table_reads_like_the_long_one() {
    let w = Workdir::new("wide");
    let rows = instagram();
    let accounts: BTreeSet<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let mut by_time: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for (t, a, v) in &rows {
        by_time.entry(t).or_default().insert(a, v);
    }
    let mut wide = String::from("date");
    for a in &accounts {
        wide.push(',');
        wide.push_str(a);
    }
    wide.push('\n');
    for (t, values) in &by_time {
        wide.push_str(t);
        for a in &accounts {
            wide.push(',');
            wide.push_str(values.get(a).copied().unwrap_or(""));
        }
        wide.push('\n');
    }
    w.create("wide.csv", &wide);
    w.create("long.csv", long_csv(&rows.iter().collect::<Vec<_>>()));
    let (report, wide_text) = json_report(&w, &["wide.csv"]);
    let (_, long_text) = json_report(&w, &["long.csv"]);
    assert_eq!(wide_text, long_text);
    assert_eq!(report["input"]["accounts"], accounts.len());
    assert_eq!(report["events"][0]["kind"], "platform_glitch");

    // --wide forces it on a header that would read as long: `followers` is
    // then the name of an account.
    w.create(
        "forced.csv",
        "time,followers,other\n2024-01-01,10,20\n2024-01-02,,21\n",
    );
    let (forced, _) = json_report(&w, &["--wide", "forced.csv"]);
    assert_eq!(forced["input"]["accounts"], 2);
    assert_eq!(forced["input"]["rows"], 3);

    // A bad cell names its line, its column (the account) and its value.
    w.create(
        "bad.csv",
        "date,nasa,cnn\n2024-01-01,10,20\n2024-01-02,11,lots\n",
    );
    let run = w.run(&["bad.csv"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains("bad.csv: line 3")
            && run.stderr.contains("\"cnn\"")
            && run.stderr.contains("lots"),
        "{}",
        run.stderr
    );
}

/// Reference accounts join the cohort, so a platform event among a few
/// clients is recognised as platform-wide, but they are never reported.
#[test]
fn reference_accounts_judge_the_cohort_but_are_never_reported() {
    let w = Workdir::new("reference");
    let rows = instagram();
    let clients = ["kimkardashian", "selenagomez", "bluebird.bakes"];
    let (mine, peers): (Vec<_>, Vec<_>) =
        rows.iter().partition(|r| clients.contains(&r.1.as_str()));
    w.create("clients.csv", long_csv(&mine));
    w.create("peers.csv", long_csv(&peers));

    let (alone, _) = json_report(&w, &["clients.csv"]);
    assert!(
        alone["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["scope"] != "platform"),
        "three accounts alone cannot show a platform event"
    );

    let (report, _) = json_report(&w, &["clients.csv", "--reference", "peers.csv"]);
    assert_eq!(report["input"]["reference_accounts"], 49);
    let events = report["events"].as_array().unwrap();
    let glitch = events
        .iter()
        .find(|e| e["kind"] == "platform_glitch")
        .expect("the glitch is platform-wide with the reference cohort");
    assert!(glitch["cohort_size"].as_u64().unwrap() >= 40);
    for e in events {
        for a in e["accounts"].as_array().unwrap() {
            let name = a["account"].as_str().unwrap();
            assert!(clients.contains(&name), "reference account {name} reported");
        }
    }
    let listed: BTreeSet<&str> = glitch["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account"].as_str().unwrap())
        .collect();
    assert!(listed.contains("kimkardashian") && listed.contains("selenagomez"));

    let text = w.run(&["clients.csv", "--reference", "peers.csv"], None);
    text.expect_code(1);
    assert!(
        text.stdout.contains("49 for reference only") && !text.stdout.contains("arianagrande"),
        "{}",
        text.stdout
    );
}

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
pub(crate) struct Snap {
    pub(crate) account: &'static str,
    pub(crate) hour: i64,
    pub(crate) followers: u64,
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
pub(crate) fn dataset() -> Vec<Snap> {
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

pub(crate) fn csv(snaps: &[Snap]) -> String {
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

/// Epoch seconds of any length are times (the first instants, `0` and `1`,
/// included), and a gzip file padded with zero bytes after its data, which
/// `gzip -d` accepts, reads like the plain file.
#[test]
fn short_epochs_and_zero_padded_gzip_are_read() {
    let w = Workdir::new("epochs-padding");
    let mut text = String::from("timestamp,account,followers\n0,first,10\n1,first,11\n");
    for day in 0..10 {
        let t = 1_704_067_200 + day * 86_400;
        text.push_str(&format!("{t},a,{}\n{t},b,{}\n", 100 + day, 200 + day));
    }
    w.create("epochs.csv", &text);
    let run = w.run(&["--format", "json", "epochs.csv"], None);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["input"]["rows"], 22);
    assert_eq!(report["input"]["first"], "1970-01-01T00:00:00Z");

    let plain = w.run(&["--format", "json", "epochs.csv"], None);
    let mut gz = {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    gz.extend([0u8; 512]);
    w.create("padded.csv.gz", gz);
    let padded = w.run(&["--format", "json", "padded.csv.gz"], None);
    assert_eq!(padded.code, plain.code, "{}", padded.stderr);
    assert_eq!(
        util::without_files(&padded.stdout),
        util::without_files(&plain.stdout)
    );
}
