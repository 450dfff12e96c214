//! The shapes real exports come in: a folder of files, a wide table (a
//! column per account), and reference accounts that only join the cohort.

use crate::util;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use util::{Workdir, root};

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
