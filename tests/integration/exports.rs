//! Real exports as they come (docs/GUIDE.md, "Where your data comes
//! from"), each from a file of
//! `fixtures/shapes/` made to the documented format by
//! `scripts/make_shape_fixtures.py`: every one holds the same panel of 12
//! accounts with one account purge (`bob_builds`, 2024-02-09), so every one
//! must report that purge and nothing else. And data that would be misread
//! stops with status 2 and a message naming the option that reads it right.

use crate::util;

use serde_json::Value;
use util::{Workdir, scan, scan_json};

/// The one event of the shapes' panel, found from `report`.
fn assert_the_purge(report: &Value, code: i32) {
    assert_eq!(code, 1, "an event means status 1");
    let events = report["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["kind"], "account_purge");
    assert_eq!(util::affected(&events[0]), ["bob_builds"]);
    assert!(
        events[0]["start"]
            .as_str()
            .unwrap()
            .starts_with("2024-02-09")
    );
    assert_eq!(report["input"]["accounts"], 12);
}

#[test]
fn a_folder_of_date_count_files_is_one_account_a_file() {
    let (report, run) = scan_json(&["fixtures/shapes/history"]);
    assert_the_purge(&report, run.code);
}

#[test]
fn twitch_broadcaster_login_and_total() {
    let (report, run) = scan_json(&["fixtures/shapes/twitch-followers.ndjson"]);
    assert_the_purge(&report, run.code);
}

#[test]
fn reddit_display_name_and_subscribers() {
    let (report, run) = scan_json(&["fixtures/shapes/reddit-subscribers.csv"]);
    assert_the_purge(&report, run.code);
}

#[test]
fn excel_serial_dates_are_never_read_as_1970() {
    let run = scan(&["fixtures/shapes/excel-serial.csv"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--time-format excel"), "{}", run.stderr);
    let (report, run) = scan_json(&["fixtures/shapes/excel-serial.csv", "--time-format", "excel"]);
    assert_the_purge(&report, run.code);
    assert_eq!(report["input"]["first"], "2024-01-01T06:00:00Z");
}

/// Forced to read each `date,count` file as a wide table, the twelve files
/// are one account called `count` whose snapshots conflict: a misread, not
/// a quiet report.
#[test]
fn most_snapshots_conflicting_is_a_misread() {
    let run = scan(&["fixtures/shapes/history", "--wide"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--account-col"), "{}", run.stderr);
}

/// A time and one other column named like no field: one account's
/// followers, or a wide table of one account? Asked, not guessed; either
/// option then reads it.
#[test]
fn one_unknown_column_beside_the_time_is_asked_about() {
    let w = Workdir::new("one-column");
    let history =
        std::fs::read_to_string(util::root().join("fixtures/shapes/history/bob_builds.csv"))
            .unwrap();
    w.create(
        "bob.csv",
        history.replacen("date,count", "date,bob_builds", 1),
    );
    let run = w.run(&["bob.csv"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains("--followers-col") && run.stderr.contains("--wide"),
        "{}",
        run.stderr
    );
    for (flag, account) in [
        (&["--wide"][..], "bob_builds"),
        (&["--followers-col", "bob_builds"][..], "bob"),
    ] {
        let mut args = vec!["bob.csv", "--format", "json"];
        args.extend_from_slice(flag);
        let run = w.run(&args, None);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(util::affected(&run.json()["events"][0]), [account]);
    }
}

#[test]
fn day_first_or_month_first_is_asked_never_guessed() {
    let w = Workdir::new("day-month");
    let mut text = String::from("date,account,followers\n");
    let days = ["05/01/2024", "06/01/2024", "07/01/2024"];
    for (d, v) in days.iter().zip([100, 101, 102]) {
        text.push_str(&format!("{d},a,{v}\n"));
    }
    w.create("eu.csv", text);
    let run = w.run(&["eu.csv"], None);
    run.expect_code(2);
    assert!(
        run.stderr.contains("--time-format '%d/%m/%Y'"),
        "{}",
        run.stderr
    );
    let run = w.run(
        &["eu.csv", "--format", "json", "--time-format", "%d/%m/%Y"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["input"]["first"], "2024-01-05T00:00:00Z");
}

/// Every snapshot of an account at one instant, several of them: the time
/// column is not the snapshots' time.
#[test]
fn every_snapshot_at_one_instant_is_a_misread() {
    let w = Workdir::new("one-instant");
    w.create(
        "export.csv",
        "exported_at,date,account,followers\n\
         2024-03-01T00:00:00Z,2024-02-01,a,100\n\
         2024-03-01T00:00:00Z,2024-02-02,a,100\n\
         2024-03-01T00:00:00Z,2024-02-01,b,200\n\
         2024-03-01T00:00:00Z,2024-02-02,b,200\n",
    );
    let run = w.run(&["export.csv", "--time-col", "exported_at"], None);
    run.expect_code(2);
    assert!(run.stderr.contains("same instant"), "{}", run.stderr);
}

/// Twitter/X API v2 responses saved one a day with the time only in the
/// file's name: asked for, then read with --time-from-name.
#[test]
fn api_responses_timed_by_their_names() {
    let run = scan(&["fixtures/shapes/twitter-v2"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--time-from-name"), "{}", run.stderr);
    let (report, run) = scan_json(&["fixtures/shapes/twitter-v2", "--time-from-name"]);
    assert_the_purge(&report, run.code);
}

/// YouTube channels.list responses (records under `items`, counts as
/// strings) with the collector's `fetched_at` beside them.
#[test]
fn api_responses_with_the_fetch_time_beside_the_records() {
    let (report, run) = scan_json(&["fixtures/shapes/youtube"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let events = report["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0]["kind"], "account_purge");
    assert_eq!(util::affected(&events[0]), ["UC0000000000000000000001"]);
    // The channel's title is shown beside its opaque id, never instead.
    assert_eq!(events[0]["accounts"][0]["display_name"], "bob_builds");
    let run = scan(&["fixtures/shapes/youtube"]);
    assert!(
        run.stdout
            .contains("UC0000000000000000000001 (bob_builds) lost"),
        "{}",
        run.stdout
    );
}

#[test]
fn pandas_split_orientation() {
    let (report, run) = scan_json(&["fixtures/shapes/pandas-split.json"]);
    assert_the_purge(&report, run.code);
}

/// Counts as apps show them (8.36K, 1.2M): read, and their rounding is the
/// series' resolution, so that the flicker of a shown count is no event.
#[test]
fn counts_shortened_with_k_and_m() {
    let (report, run) = scan_json(&["fixtures/shapes/tiktok-scraped.csv"]);
    assert_the_purge(&report, run.code);
    let bob = util::account(&report["events"][0], "bob_builds").unwrap();
    assert_eq!(bob["count_step"], 10);
}

/// A European spreadsheet: semicolons, day-first dates, dots between
/// thousands, headers in German. Each missing piece is asked for by name,
/// and the options asked for read it.
#[test]
fn a_european_spreadsheet_with_the_options_it_asks_for() {
    let file = "fixtures/shapes/european.csv";
    let run = scan(&[file]);
    run.expect_code(2);
    assert!(run.stderr.contains("--time-col"), "{}", run.stderr);
    let cols = [
        file,
        "--time-col",
        "Datum",
        "--account-col",
        "Konto",
        "--followers-col",
        "Follower",
    ];
    let run = scan(&cols);
    run.expect_code(2);
    assert!(
        run.stderr.contains("--time-format '%d.%m.%Y'"),
        "{}",
        run.stderr
    );
    let mut timed = cols.to_vec();
    timed.extend(["--time-format", "%d.%m.%Y %H:%M"]);
    let run = scan(&timed);
    run.expect_code(2);
    assert!(run.stderr.contains("--thousands ."), "{}", run.stderr);
    timed.extend(["--thousands", "."]);
    let mut args = vec!["--format", "json"];
    args.extend(timed);
    let run = scan(&args);
    assert_the_purge(&run.json(), run.code);
}

/// Every container collectors write, told by its first bytes: each holds
/// the same panel, and reports its one purge.
#[test]
fn compressed_files_archives_workbooks_databases_and_parquet() {
    for file in [
        "snapshots.csv.xz",
        "snapshots.csv.bz2",
        "history.zip",
        "analytics.xlsx",
        "collector.sqlite",
        "export.parquet",
    ] {
        let path = format!("fixtures/shapes/containers/{file}");
        let (report, run) = scan_json(&[&path]);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        assert_the_purge(&report, run.code);
    }
}

/// zstd (no standard-library writer makes the fixture: compressed here),
/// recognised by content under any name, and a damaged stream is an error.
#[test]
fn zstd_by_content_and_damage_is_an_error() {
    let w = Workdir::new("zstd");
    let csv = std::fs::read(util::root().join("fixtures/shapes/reddit-subscribers.csv")).unwrap();
    let packed = ruzstd::encoding::compress_to_vec(
        csv.as_slice(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    w.create("snapshots.csv.zst", &packed);
    w.create("download.bin", &packed);
    for name in ["snapshots.csv.zst", "download.bin"] {
        let run = w.run(&[name, "--format", "json"], None);
        assert_the_purge(&run.json(), run.code);
    }
    w.create("cut.csv.zst", &packed[..packed.len() / 2]);
    let run = w.run(&["cut.csv.zst"], None);
    run.expect_code(2);
    assert!(run.stderr.contains("zstd"), "{}", run.stderr);
}

/// A workbook opens on a sheet of notes: the sheet with the snapshots is
/// found; one named with --sheet is read, and a wrong name lists the sheets.
#[test]
fn workbook_sheets() {
    let book = "fixtures/shapes/containers/analytics.xlsx";
    let run = scan(&[book, "--sheet", "Notes"]);
    run.expect_code(2);
    let run = scan(&[book, "--sheet", "Nope"]);
    run.expect_code(2);
    assert!(run.stderr.contains("Notes, Followers"), "{}", run.stderr);
    let (report, run) = scan_json(&[book, "--sheet", "Followers"]);
    assert_the_purge(&report, run.code);
}

/// A file named .gz (or .xz…) that is not is an error naming it.
#[test]
fn a_compression_suffix_without_its_content_is_an_error() {
    let w = Workdir::new("not-xz");
    w.create("snapshots.csv.xz", "timestamp,account,followers\n");
    let run = w.run(&["snapshots.csv.xz"], None);
    run.expect_code(2);
    assert!(run.stderr.contains("not xz data"), "{}", run.stderr);
}

/// Three platforms in one export: Instagram's glitch is judged against
/// Instagram's accounts alone, names its cohort, and the same handle on
/// another platform is another account, untouched.
#[test]
fn several_platforms_are_judged_apart() {
    let check = |report: &Value| {
        let events = report["events"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{events:#?}");
        let e = &events[0];
        assert_eq!(e["kind"], "platform_glitch");
        assert_eq!(e["cohort"], "instagram");
        assert_eq!(e["cohort_size"], 10);
        let mut affected = util::affected(e);
        affected.sort();
        assert_eq!(affected.len(), 10);
        assert!(
            affected.contains(&"alice_art@instagram".to_string()),
            "{affected:?}"
        );
        assert!(
            affected
                .iter()
                .all(|a| a.starts_with("insta_") || a.ends_with("@instagram"))
        );
        assert_eq!(report["input"]["accounts"], 40);
        e["id"].as_str().unwrap().to_string()
    };
    let (column, run) = scan_json(&["fixtures/shapes/platforms.csv"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (files, run) = scan_json(&["fixtures/shapes/platforms", "--cohort-by", "file"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let id = check(&column);
    assert_eq!(id, check(&files));
    assert!(id.starts_with("p-instagram-"), "{id}");
    // `show` judges an account in its own cohort, as the scan did.
    let mut cmd = util::followdrop(&util::root());
    cmd.args([
        "show",
        "alice_art@instagram",
        "fixtures/shapes/platforms.csv",
    ]);
    let run = util::run(cmd, None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains(&id), "{}", run.stdout);
}

/// JSON Lines named `.json` (as collectors often name them) are read as
/// such, and a pretty-printed API response on stdin as a document.
#[test]
fn json_lines_and_documents_by_their_content() {
    let w = Workdir::new("json-lines");
    let lines =
        std::fs::read_to_string(util::root().join("fixtures/shapes/twitch-followers.ndjson"))
            .unwrap();
    w.create("twitch.json", &lines);
    let run = w.run(&["twitch.json", "--format", "json"], None);
    assert_the_purge(&run.json(), run.code);
    let doc = r#"{
  "fetched_at": "2024-01-01T06:00:00Z",
  "data": [{"username": "a", "followers_count": 5}]
}"#;
    let run = w.run(&["-", "--format", "json"], Some(doc.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["input"]["rows"], 1);
}

/// Two accounts in a file without an account column: half of the
/// snapshots of the one account they are read as conflict — a misread.
#[test]
fn two_accounts_read_as_one_is_a_misread() {
    let w = Workdir::new("two-as-one");
    let mut text = String::from("date,followers,following\n");
    for d in 1..=20 {
        text.push_str(&format!("2024-01-{d:02},{},10\n", 1000 + d));
        text.push_str(&format!("2024-01-{d:02},{},20\n", 5000 + d));
    }
    w.create("export.csv", text);
    let run = w.run(&["export.csv"], None);
    run.expect_code(2);
    assert!(run.stderr.contains("--account-col"), "{}", run.stderr);
}
