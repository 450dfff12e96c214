//! Integration tests of `followdrop show ACCOUNT INPUT...` (the
//! drill-down of docs/GUIDE.md), in the style of `cli.rs`: the real binary on the
//! fixtures, expectations from their designed truth and from what `scan`
//! reports of the same data — an explanation must never disagree with the
//! report it explains.

use crate::util;

use serde_json::Value;
use std::collections::BTreeSet;
use util::{Run, Workdir, root, scan_json, thousands, truth};

/// Runs `followdrop show <args>` in the crate root.
fn show(args: &[&str]) -> Run {
    let mut cmd = util::followdrop(&root());
    cmd.arg("show").args(args);
    util::run(cmd, None)
}

/// The text with every run of whitespace made one space, so that phrases
/// can be found across the wrapping.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[track_caller]
fn assert_has(text: &str, wants: &[&str]) {
    let flat = unwrapped(text);
    for want in wants {
        assert!(flat.contains(want), "{want:?} not in\n{text}");
    }
}

/// The table row of `text` for the snapshot at `time` (`YYYY-MM-DD HH:MM`).
#[track_caller]
fn row<'a>(text: &'a str, time: &str) -> &'a str {
    text.lines()
        .find(|l| l.trim_start().starts_with(time))
        .unwrap_or_else(|| panic!("no row for {time} in\n{text}"))
}

/// `2019-02-13T14:00:00Z` → `2019-02-13 14:00`.
fn table_time(rfc3339: &Value) -> String {
    let t = rfc3339.as_str().unwrap();
    format!("{} {}", &t[..10], &t[11..16])
}

// ---------------------------------------------------------------------------
// The three verdicts: platform-wide, account-specific, no drop
// ---------------------------------------------------------------------------

/// An account of the Instagram glitch: its own loss with the snapshots the
/// truth gives, called platform-wide because of the cohort's breadth, with
/// the numbers of the event `scan` reports, and recovered.
#[test]
fn account_of_a_platform_event_is_platform_wide_because_of_breadth() {
    let t = truth("instagram-2019-02-13");
    let designed = &t["events"][0];
    let bieber = designed["affected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"] == "justinbieber")
        .unwrap();
    let (report, _) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    let event = &report["events"][0];
    let cohort = event["cohort_size"].as_u64().unwrap();
    let breadth = event["breadth"].as_f64().unwrap();
    let settings = &report["settings"];
    let sensitivity = settings["sensitivity"].as_f64().unwrap();
    let min_breadth = settings["min_breadth"].as_f64().unwrap();

    let run = show(&["justinbieber", "fixtures/instagram-2019-02-13.csv"]);
    run.expect_code(1);
    let text = &run.stdout;
    assert_has(
        text,
        &[
            "PLATFORM GLITCH",
            event["id"].as_str().unwrap(),
            &format!(
                "went from {} to {} followers",
                thousands(bieber["before"].as_u64().unwrap()),
                thousands(bieber["after"].as_u64().unwrap())
            ),
            "Platform-wide: in the window that started it,",
            &format!("of the {cohort} accounts observed fell by two"),
            &format!("about {:.0}% of them were affected", breadth * 100.0),
            &format!(
                "at least {:.0}% affected (--min-breadth)",
                min_breadth * 100.0
            ),
            "at least 5 accounts observed (--min-cohort)",
            &format!(
                "{:.1} standard deviations beyond chance",
                event["score"].as_f64().unwrap()
            ),
            &format!(
                "half the usual bar, {:.1} deviations (--sensitivity {sensitivity} ÷ 2)",
                sensitivity / 2.0
            ),
            "Recovered",
            "The event as a whole reverted",
            "Its following count went from",
            "justinbieber: 1 drop reported (1 platform-wide)",
        ],
    );
    // The snapshots around it, the designed ones marked.
    assert!(row(text, &table_time(&designed["start"])).ends_with("before"));
    assert!(row(text, &table_time(&designed["end"])).ends_with("after"));
    assert!(row(text, "2019-02-13 16:00").contains("-553,587"), "{text}");
}

/// The purged influencer: account-specific because its cohort did not fall
/// with it (breadth under --min-breadth), not recovered, with the designed
/// counts.
#[test]
fn purged_influencer_is_account_specific_because_the_cohort_held() {
    let t = truth("influencer-purge");
    let designed = &t["events"][0];
    let a = &designed["accounts"][0];
    let (report, _) = scan_json(&["fixtures/influencer-purge.csv"]);
    let event = &report["events"][0];
    let observed = event["cohort_size"].as_u64().unwrap();
    let breadth = event["breadth"].as_f64().unwrap();
    let sensitivity = report["settings"]["sensitivity"].as_f64().unwrap();

    let run = show(&["someinfluencer", "fixtures/influencer-purge.csv"]);
    run.expect_code(1);
    let text = &run.stdout;
    assert_has(
        text,
        &[
            "ACCOUNT PURGE",
            event["id"].as_str().unwrap(),
            &format!(
                "went from {} to {} followers",
                thousands(a["before"].as_u64().unwrap()),
                thousands(a["after"].as_u64().unwrap())
            ),
            &format!("Account-specific: {observed} accounts were observed around it (--min-cohort"),
            &format!(
                "the cohort did not fall with it: about {:.0}% of the others were affected",
                breadth * 100.0
            ),
            &format!("passes the bar of {sensitivity} (--sensitivity)"),
            "Not recovered: within 3d (--recovery-window)",
            "80% is needed (--recovery-share)",
            "someinfluencer: 1 drop reported (1 account-specific)",
        ],
    );
    assert!(!text.contains("Platform-wide"), "{text}");
    assert!(row(text, &table_time(&designed["start"])).ends_with("before"));
    assert!(row(text, &table_time(&designed["end"])).ends_with("after"));
}

/// A quiet account (the cohort of the purge fixture, and accounts with
/// viral jumps and slow declines): no drop, exit 0, and any fall it shows
/// is marked not reported with a reason.
#[test]
fn quiet_account_has_no_drop() {
    let purge = truth("influencer-purge");
    let quiet = truth("quiet-viral");
    let purged = purge["events"][0]["accounts"][0]["account"]
        .as_str()
        .unwrap();
    let mut cases = vec![(
        "fixtures/influencer-purge.csv",
        first_account_other_than("fixtures/influencer-purge.csv", purged),
    )];
    for jump in quiet["normal_life"]["viral_jumps"].as_array().unwrap() {
        cases.push((
            "fixtures/quiet-viral.csv",
            jump["account"].as_str().unwrap().to_string(),
        ));
    }
    for (fixture, account) in cases {
        let run = show(&[&account, fixture]);
        run.expect_code(0);
        let text = &run.stdout;
        assert_has(text, &[&format!("{account}: no drop reported")]);
        for title in ["PLATFORM ", "ACCOUNT ", "PURGE", "GLITCH"] {
            assert!(!text.contains(title), "{account}: {title:?} in\n{text}");
        }
        // Every fall shown says why it was not reported.
        let shown = text.matches("NOT REPORTED").count();
        let reasons = unwrapped(text).matches("Not reported:").count()
            + unwrapped(text)
                .matches("Not part of platform event")
                .count();
        assert_eq!(shown, reasons, "{text}");
    }
}

fn first_account_other_than(fixture: &str, not: &str) -> String {
    let text = std::fs::read_to_string(root().join(fixture)).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .find(|a| a != not)
        .unwrap()
}

// ---------------------------------------------------------------------------
// Falls that were not reported, and why
// ---------------------------------------------------------------------------

/// The ~300-follower account of the glitch lost a handful of followers with
/// everyone else: inside the platform event, but under --min-lost, so not
/// listed in it — and `show` says so.
#[test]
fn small_loss_inside_a_platform_event_is_explained() {
    let t = truth("instagram-2019-02-13");
    let small = t["events"][0]["small_account_near_300"].as_str().unwrap();
    let (report, _) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    let event = &report["events"][0];
    assert!(
        util::account(event, small).is_none(),
        "{small} is listed by scan: the test needs a new example"
    );
    let run = show(&[small, "fixtures/instagram-2019-02-13.csv"]);
    run.expect_code(0);
    assert_has(
        &run.stdout,
        &[
            &format!(
                "Not part of platform event {}",
                event["id"].as_str().unwrap()
            ),
            "under --min-lost 10",
            &format!("{small}: no drop reported"),
        ],
    );
}

/// The same purge with a --min-drop above its loss: the options are scan's,
/// and the purge is then a fall not reported, for that reason.
#[test]
fn detection_options_change_the_verdict_as_in_scan() {
    let args = ["--min-drop", "0.3", "fixtures/influencer-purge.csv"];
    let (report, run) = scan_json(&args);
    run.expect_code(0);
    assert_eq!(report["events"].as_array().unwrap().len(), 0);
    let run = show(&[&["someinfluencer"][..], &args[..]].concat());
    run.expect_code(0);
    assert_has(
        &run.stdout,
        &[
            "NOT REPORTED 2020-04-15 00:00 → 2020-04-16 00:00 UTC",
            "too small a share (23.63% of the account, under --min-drop 30.0%)",
        ],
    );
}

/// --falls sets how many unreported falls of its own are shown; the
/// reported drop is always shown.
#[test]
fn falls_option_limits_the_unreported_falls_shown() {
    let count = |falls: &str| {
        let run = show(&[
            "--falls",
            falls,
            "someinfluencer",
            "fixtures/influencer-purge.csv",
        ]);
        run.expect_code(1);
        assert!(run.stdout.contains("ACCOUNT PURGE"), "{}", run.stdout);
        (
            run.stdout.matches("NOT REPORTED").count(),
            unwrapped(&run.stdout),
        )
    };
    let (none, text) = count("0");
    assert_eq!(none, 0, "{text}");
    assert!(text.contains("not reported, not shown (--falls)"), "{text}");
    let (one, text) = count("1");
    assert_eq!(one, 1, "{text}");
    assert!(text.contains("shown above"), "{text}");
    let (all, _) = count("1000");
    assert!(all >= one, "{all} {one}");
}

/// With --reference (an input option, shared with scan), the reference
/// accounts still make the cohort platform-wide; one's own history can be
/// shown, but it is never reported (exit 0), as in scan; the events are
/// scan's, reference accounts left out.
#[test]
fn reference_accounts_judge_but_are_never_reported() {
    let wd = Workdir::new("show-reference");
    let data = std::fs::read_to_string(root().join("fixtures/instagram-2019-02-13.csv")).unwrap();
    let mine = ["justinbieber", "hiking.hannah"];
    let (mut own, mut reference) = (String::new(), String::new());
    for (n, line) in data.lines().enumerate() {
        let account = line.split(',').nth(1).unwrap();
        if n == 0 || mine.contains(&account) {
            own.push_str(line);
            own.push('\n');
        }
        if n == 0 || !mine.contains(&account) {
            reference.push_str(line);
            reference.push('\n');
        }
    }
    wd.create("mine.csv", own);
    wd.create("ref.csv", reference);
    let run = |args: &[&str]| {
        let mut cmd = util::followdrop(wd.path());
        cmd.args(args).args(["mine.csv", "--reference", "ref.csv"]);
        util::run(cmd, None)
    };
    let scan = run(&["scan", "--format", "json"]);
    scan.expect_code(1);
    let report = scan.json();
    let bieber = run(&["show", "justinbieber"]);
    bieber.expect_code(1);
    assert_has(
        &bieber.stdout,
        &["PLATFORM GLITCH", "of the 52 accounts observed"],
    );
    let json = run(&["show", "--format", "json", "justinbieber"]);
    assert_eq!(json.json()["events"], report["events"]);
    let kim = run(&["show", "kimkardashian"]);
    kim.expect_code(0);
    assert_has(
        &kim.stdout,
        &[
            "A reference account (--reference)",
            "Platform-wide: in the window that started it",
            "kimkardashian: no drop reported",
        ],
    );
    assert!(!kim.stdout.contains("PLATFORM GLITCH"), "{}", kim.stdout);
}

/// Too few accounts: a drop of unknown scope, and the rule that says so.
#[test]
fn unknown_scope_names_min_cohort() {
    let run = show(&["lonely", "fixtures/three-accounts.csv"]);
    run.expect_code(1);
    assert_has(
        &run.stdout,
        &[
            "PURGE",
            "Scope unknown: only 3 accounts were observed around it, fewer than --min-cohort 5",
            "lonely: 1 drop reported (1 of unknown scope)",
        ],
    );
}

// ---------------------------------------------------------------------------
// show agrees with scan, for every account
// ---------------------------------------------------------------------------

/// For every account of several data sets, `show` exits 1 exactly when
/// `scan` lists the account in an event, its JSON names the same events,
/// and every line of its text fits 80 columns.
#[test]
fn show_agrees_with_scan_for_every_account() {
    let wd = Workdir::new("show-agrees");
    let mut sim = util::followdrop(wd.path());
    sim.args([
        "simulate",
        "--scenario",
        "hard",
        "--seed",
        "3",
        "-o",
        "hard.csv",
    ]);
    util::run(sim, None).expect_code(0);
    let hard = wd.path().join("hard.csv");
    let hard = hard.to_str().unwrap();
    for fixture in [
        "fixtures/influencer-purge.csv",
        "fixtures/end-of-data.csv",
        "fixtures/three-accounts.csv",
        hard,
    ] {
        let (report, _) = scan_json(&[fixture]);
        let mut listed: BTreeSet<(String, String)> = BTreeSet::new();
        for e in report["events"].as_array().unwrap() {
            for a in util::affected(e) {
                listed.insert((a, e["id"].as_str().unwrap().to_string()));
            }
        }
        for account in accounts_of(fixture) {
            let text = show(&[&account, fixture]);
            let json = show(&["--format", "json", &account, fixture]);
            let ids: BTreeSet<String> = json.json()["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_string())
                .collect();
            let want: BTreeSet<String> = listed
                .iter()
                .filter(|(a, _)| *a == account)
                .map(|(_, id)| id.clone())
                .collect();
            assert_eq!(ids, want, "{fixture}: events of {account}");
            text.expect_code(if want.is_empty() { 0 } else { 1 });
            assert_eq!(json.code, text.code);
            for line in text.stdout.lines() {
                assert!(
                    line.chars().count() <= 80,
                    "{fixture} {account}: {} columns: {line:?}",
                    line.chars().count()
                );
            }
        }
    }
}

/// The accounts of a `timestamp,account,…` CSV.
fn accounts_of(path: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------
// Errors, width, colour, JSON
// ---------------------------------------------------------------------------

/// An account not in the data: status 2, nothing on stdout, close names
/// suggested (another case, a typo, a prefix).
#[test]
fn unknown_account_is_an_error_with_suggestions() {
    for (asked, suggested) in [
        ("SomeInfluencer", "someinfluencer"),
        ("someinfluencr", "someinfluencer"),
        ("someinf", "someinfluencer"),
    ] {
        let run = show(&[asked, "fixtures/influencer-purge.csv"]);
        run.expect_code(2);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(
            run.stderr.contains(&format!(
                "no account named {asked:?} in the data (30 accounts)"
            )),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("did you mean {suggested:?}")),
            "{asked}: {}",
            run.stderr
        );
    }
    let run = show(&["zzzzzzzzzzzz", "fixtures/influencer-purge.csv"]);
    run.expect_code(2);
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
    // Bad input is an error as in scan.
    let run = show(&["x", "fixtures/bad/bad-count.csv"]);
    run.expect_code(2);
    assert!(run.stderr.contains("bad-count.csv"), "{}", run.stderr);
}

/// An account seen once: nothing to judge, said plainly, exit 0; from
/// stdin as from a file.
#[test]
fn account_seen_once_is_described_without_a_movement() {
    let wd = Workdir::new("show-once");
    let data = "timestamp,account,followers\n\
                2024-01-01T00:00:00Z,a,100\n\
                2024-01-01T01:00:00Z,a,101\n\
                2024-01-01T00:00:00Z,solo,50\n";
    wd.create("once.csv", data);
    let mut cmd = util::followdrop(wd.path());
    cmd.args(["show", "solo", "once.csv"]);
    let file = util::run(cmd, None);
    file.expect_code(0);
    assert_has(
        &file.stdout,
        &[
            "1 snapshot, at 2024-01-01 00:00 UTC: 50 followers",
            "its movement cannot be judged",
            "solo: no drop reported.",
        ],
    );
    let mut cmd = util::followdrop(wd.path());
    cmd.args(["show", "solo", "-"]);
    let stdin = util::run(cmd, Some(data.as_bytes()));
    stdin.expect_code(0);
    assert_eq!(stdin.stdout, file.stdout);
}

/// A name far wider than a line, in colour and without: every line still
/// fits 80 columns (colour codes not counted), and no colour code is cut.
#[test]
fn long_names_fit_80_columns() {
    let wide = "a.very.long.account.name.that.a.scraper.might.well.produce.from.a.display.\
                name.with.no.spaces.at.all.0123456789";
    let wd = Workdir::new("show-wide");
    let data = std::fs::read_to_string(root().join("fixtures/influencer-purge.csv")).unwrap();
    wd.create("wide.csv", data.replace("someinfluencer", wide));
    for color in ["never", "always"] {
        let mut cmd = util::followdrop(wd.path());
        cmd.args(["show", "--color", color, wide, "wide.csv"]);
        let run = util::run(cmd, None);
        run.expect_code(1);
        for line in run.stdout.lines() {
            let plain = strip_ansi(line);
            assert!(plain.chars().count() <= 80, "{color}: {line:?}");
            assert_eq!(
                line.matches("\x1b[").count() % 2,
                0,
                "{color}: a colour code opened and not closed: {line:?}"
            );
        }
    }
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Colour as in the scan report: only when asked for (or on a terminal),
/// never with NO_COLOR in auto mode, never in JSON.
#[test]
fn colour_follows_the_color_option_and_no_color() {
    let args = ["someinfluencer", "fixtures/influencer-purge.csv"];
    let plain = show(&[&["--color", "never"][..], &args[..]].concat());
    let auto = show(&args);
    assert!(!plain.stdout.contains('\x1b'));
    assert_eq!(plain.stdout, auto.stdout, "no colour into a pipe");
    let always = show(&[&["--color", "always"][..], &args[..]].concat());
    assert!(always.stdout.contains("\x1b["));
    assert_eq!(strip_ansi(&always.stdout), plain.stdout);
    let mut cmd = util::followdrop(&root());
    cmd.env("NO_COLOR", "1").arg("show").args(args);
    assert!(!util::run(cmd, None).stdout.contains('\x1b'));
    let json = show(&[&["--color", "always", "--format", "json"][..], &args[..]].concat());
    assert!(!json.stdout.contains('\x1b'));
}

/// The JSON document: `schema_version` first, as in scan's; the account,
/// its usual movement, each drop with its verdict and the rows around it,
/// and the events as scan reports them.
#[test]
fn json_holds_the_explanation_and_the_events() {
    let (report, _) = scan_json(&["fixtures/influencer-purge.csv"]);
    let run = show(&[
        "--format",
        "json",
        "someinfluencer",
        "fixtures/influencer-purge.csv",
    ]);
    run.expect_code(1);
    assert!(
        run.stdout.starts_with("{\n  \"schema_version\": 1,\n"),
        "{}",
        run.stdout
    );
    let doc = run.json();
    assert_eq!(doc["schema_version"], report["schema_version"]);
    assert_eq!(doc["account"], "someinfluencer");
    assert_eq!(doc["settings"], report["settings"]);
    assert_eq!(doc["input"], report["input"]);
    assert_eq!(doc["events"], report["events"]);
    assert_eq!(doc["snapshots"], 92);
    assert!(doc["usual"]["spread"].as_f64().unwrap() > 0.0);
    let drops = doc["drops"].as_array().unwrap();
    let purge: Vec<&Value> = drops
        .iter()
        .filter(|d| d["verdict"]["verdict"] == "own")
        .collect();
    assert_eq!(purge.len(), 1, "{drops:#?}");
    let purge = purge[0];
    assert_eq!(purge["verdict"]["event"], report["events"][0]["id"]);
    assert_eq!(purge["verdict"]["scope"], "account");
    assert_eq!(
        purge["before"],
        report["events"][0]["accounts"][0]["before"]
    );
    assert_eq!(purge["persistence"], "persistent");
    assert!(purge["cohort"]["others"].as_u64().unwrap() == 29);
    let marks: Vec<&str> = purge["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["mark"].as_str().unwrap())
        .collect();
    assert!(
        marks.contains(&"before") && marks.contains(&"after"),
        "{marks:?}"
    );
    for d in drops.iter().filter(|d| d["verdict"]["verdict"] == "below") {
        let check = &d["verdict"]["check"];
        assert!(
            [
                &check["enough_followers"],
                &check["enough_share"],
                &check["abnormal"]
            ]
            .iter()
            .any(|c| **c == Value::Bool(false)),
            "a fall not reported misses a threshold: {d:#}"
        );
    }
}

/// `show` takes the same detection options as `scan`, with the same
/// defaults and help.
#[test]
fn show_help_has_scans_detection_options() {
    let section = |command: &str| {
        let mut cmd = util::followdrop(&root());
        cmd.args([command, "--help"]);
        let run = util::run(cmd, None);
        run.expect_code(0);
        let mut lines = run.stdout.lines().skip_while(|l| *l != "Detection:");
        let heading = lines.next().expect("a Detection section").to_string();
        let options: Vec<&str> = lines
            .take_while(|l| l.is_empty() || l.starts_with(' '))
            .collect();
        format!("{heading}\n{}", options.join("\n"))
    };
    let scan = section("scan");
    assert!(scan.contains("--sensitivity"), "{scan}");
    assert_eq!(section("show"), scan);
}

/// The guide's sample of `show` is a real run's output, kept in step.
#[test]
fn guide_sample_is_real() {
    let guide = std::fs::read_to_string(root().join("docs/GUIDE.md")).unwrap();
    let section = &guide[guide.find("## Drill-down").expect("a show section")..];
    let start = section.find("```text\n").expect("a text sample") + "```text\n".len();
    let sample = &section[start..start + section[start..].find("```").unwrap()];
    let run = show(&["justinbieber", "fixtures/instagram-2019-02-13.csv"]);
    run.expect_code(1);
    util::assert_same_text("the guide's sample of show", sample, &run.stdout);
}

/// The conventions of every command: help with examples, a manual page,
/// completions, and `--quiet` silencing warnings but not errors.
#[test]
fn show_follows_the_conventions() {
    let help = show(&["--help"]);
    help.expect_code(0);
    assert!(
        help.stdout.contains("Examples:\n  followdrop show "),
        "{}",
        help.stdout
    );
    let mut cmd = util::followdrop(&root());
    cmd.args(["man", "show"]);
    let man = util::run(cmd, None);
    man.expect_code(0);
    assert!(
        man.stdout.contains(".TH followdrop-show 1"),
        "{}",
        man.stdout
    );
    assert!(man.stdout.contains("falls"), "{}", man.stdout);
    let mut cmd = util::followdrop(&root());
    cmd.args(["completions", "bash"]);
    let bash = util::run(cmd, None);
    bash.expect_code(0);
    assert!(
        bash.stdout.contains("followdrop__subcmd__show"),
        "no show in the completions"
    );

    let files: Vec<String> = [
        "bbcbreaking",
        "berniesanders",
        "cnn",
        "nasa",
        "nytimes",
        "smallbakery",
    ]
    .iter()
    .map(|n| format!("fixtures/per-account/{n}.csv"))
    .collect();
    let args: Vec<&str> = std::iter::once("nytimes")
        .chain(files.iter().map(String::as_str))
        .collect();
    let loud = show(&args);
    loud.expect_code(1);
    assert!(
        loud.stderr.contains("warning: 16 exact duplicate"),
        "{}",
        loud.stderr
    );
    let quiet = show(&[&["--quiet"][..], &args[..]].concat());
    quiet.expect_code(1);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, loud.stdout);
    let failed = show(&["-q", "nytimes", "missing.csv"]);
    failed.expect_code(2);
    assert!(failed.stderr.contains("missing.csv"), "{}", failed.stderr);
}
