//! Pictures: sparklines in the text report and `followdrop plot`'s SVG.

use crate::util;

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use serde_json::Value;
use util::{Workdir, assert_same_text, binary, root, scan, scan_json};

const BLOCKS: &str = "▁▂▃▄▅▆▇█";
const ASCII_HEIGHTS: &str = "_.-:=+*#";

/// The line under each listed account's row of a platform event's table,
/// keyed by account (the text report's lines after the table header).
fn sparkline_rows(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut rows = Vec::new();
    let mut in_table = false;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("account ") {
            in_table = true;
            continue;
        }
        if line.is_empty() {
            in_table = false;
        }
        if !in_table || !line.starts_with("  ") || line.starts_with("   ") {
            continue;
        }
        let name = line.split_whitespace().next().unwrap();
        if name == "…" || name == "!" {
            in_table = false;
            continue;
        }
        let under = lines.get(i + 1).copied().unwrap_or_default();
        rows.push((name.to_string(), under.to_string()));
    }
    rows
}

/// Every account listed in a platform event's table has a sparkline under
/// its row, on the same 48-mark window: flat before the glitch, at the
/// bottom during it, back up after; the window is said once.
#[test]
fn sparklines_under_each_listed_account() {
    let run = scan(&["fixtures/instagram-2019-02-13.csv"]);
    run.expect_code(1);
    assert!(
        run.stdout
            .contains("Sparklines: followers 02-11 15:00 → 02-17 12:00 UTC, one mark per 3h."),
        "{}",
        run.stdout
    );
    let rows = sparkline_rows(&run.stdout);
    assert_eq!(rows.len(), 10, "{}", run.stdout);
    for (name, under) in &rows {
        let spark = under.trim_start();
        assert_eq!(
            under.len() - spark.len(),
            19,
            "{name}: aligned under the numbers"
        );
        assert_eq!(spark.chars().count(), 48, "{name}: {under:?}");
        assert!(
            spark.chars().all(|c| BLOCKS.contains(c)),
            "{name}: {under:?}"
        );
        // The glitch (14:00-17:00, back the next morning) is the lowest
        // stretch: the marks from the start's on are at the bottom.
        let marks: Vec<char> = spark.chars().collect();
        assert!(marks[16..21].iter().all(|&c| c == '▁'), "{name}: {spark}");
        assert!(marks[..15].iter().all(|&c| c >= '▄'), "{name}: {spark}");
        assert!(marks[30..].iter().all(|&c| c >= '▄'), "{name}: {spark}");
    }
}

/// An account event's sparkline follows its sentence, with its window.
#[test]
fn sparkline_of_an_account_event() {
    let run = scan(&["fixtures/influencer-purge.csv"]);
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("  Followers 2020-03-31 → 2020-05-17 UTC, one mark per 1d:"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    let spark = lines[at + 1].strip_prefix("  ").unwrap();
    // A purge of 23.6 %: high before, at the bottom after, for good.
    assert_eq!(spark, format!("{}{}", "█".repeat(16), "▁".repeat(32)));
}

/// `--sparkline ascii` draws the same lines in plain ASCII, `none` leaves
/// them out, and `auto` into a pipe draws blocks whatever the locale (the
/// report is UTF-8 anyway); nothing else in the report changes.
#[test]
fn sparkline_styles() {
    let fixture = "fixtures/instagram-2019-02-13.csv";
    let unicode = scan(&[fixture, "--sparkline", "unicode"]).stdout;
    let ascii = scan(&[fixture, "--sparkline", "ascii"]).stdout;
    let none = scan(&[fixture, "--sparkline", "none"]).stdout;
    assert!(!ascii.chars().any(|c| BLOCKS.contains(c)), "{ascii}");
    let rows = sparkline_rows(&ascii);
    assert_eq!(rows.len(), 10);
    for (name, under) in rows {
        let spark = under.trim_start();
        assert_eq!(spark.len(), 48, "{name}: {under:?}");
        assert!(
            spark.chars().all(|c| ASCII_HEIGHTS.contains(c)),
            "{name}: {under:?}"
        );
    }
    let translated: String = unicode
        .chars()
        .map(|c| match BLOCKS.chars().position(|b| b == c) {
            Some(i) => ASCII_HEIGHTS.chars().nth(i).unwrap(),
            None => c,
        })
        .collect();
    assert_same_text(
        "ascii is the unicode report, translated",
        &translated,
        &ascii,
    );
    let without: Vec<&str> = unicode
        .lines()
        .filter(|l| !l.chars().any(|c| BLOCKS.contains(c)) && !l.contains("Sparklines:"))
        .collect();
    assert_same_text("none", &(without.join("\n") + "\n"), &none);
    for locale in ["C", "en_US.ISO-8859-1", "C.UTF-8"] {
        let mut cmd = util::followdrop(&root());
        cmd.args(["scan", fixture]).env("LC_ALL", locale);
        let auto = util::run(cmd, None);
        assert_eq!(auto.stdout, unicode, "LC_ALL={locale} into a pipe");
    }
    usage_error_of("scan", &[fixture, "--sparkline", "fancy"], "--sparkline");
}

/// On a terminal (`script` from util-linux gives the binary one), `auto`
/// draws ASCII when the locale is not UTF-8 (an unset one is C) and blocks
/// when it is; `plot` refuses to pour an SVG onto it, and `scan` an HTML
/// page.
#[test]
fn sparklines_and_plot_on_a_terminal() {
    let on_terminal = |args: &str, locale: Option<&str>| {
        let mut cmd = Command::new("script");
        cmd.args([
            "-qec",
            &format!("'{}' {args}", binary().display()),
            "/dev/null",
        ])
        .current_dir(root())
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("LANG");
        if let Some(locale) = locale {
            cmd.env("LC_ALL", locale);
        }
        let out = cmd.output().expect("script (util-linux) runs");
        let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
        (out.status.code(), text)
    };
    let scan = "scan --color never fixtures/three-accounts.csv";
    let spark = |text: &str| {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines.iter().position(|l| l.contains("one mark per 1d:"));
        at.map(|i| lines[i + 1].trim().to_string())
            .unwrap_or_else(|| panic!("no sparkline in {text:?}"))
    };
    for locale in [Some("C"), Some("de_DE.ISO-8859-1"), None] {
        let (code, text) = on_terminal(scan, locale);
        assert_eq!(code, Some(1), "{text}");
        let line = spark(&text);
        assert!(
            line.len() == 48 && line.chars().all(|c| ASCII_HEIGHTS.contains(c)),
            "{locale:?}: {line:?}"
        );
    }
    for locale in ["C.UTF-8", "en_US.utf8"] {
        let (_, text) = on_terminal(scan, Some(locale));
        let line = spark(&text);
        assert!(
            line.chars().all(|c| BLOCKS.contains(c)),
            "{locale}: {line:?}"
        );
    }
    let (_, text) = on_terminal(&format!("{scan} --sparkline unicode"), Some("C"));
    assert!(spark(&text).chars().all(|c| BLOCKS.contains(c)), "{text}");
    let (code, text) = on_terminal("plot fixtures/three-accounts.csv", Some("C.UTF-8"));
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("not writing an SVG picture to a terminal"),
        "{text}"
    );
    assert!(!text.contains("<svg"), "{text}");
    let (code, text) = on_terminal(&format!("{scan} --format html"), Some("C.UTF-8"));
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("not writing an HTML page to a terminal"),
        "{text}"
    );
    assert!(!text.contains("<html"), "{text}");
}

/// Sparklines are for people: the JSON, NDJSON and CSV reports do not have
/// them, whatever `--sparkline` says.
#[test]
fn sparklines_stay_out_of_the_machine_formats() {
    for format in ["json", "ndjson", "csv"] {
        let plain = scan(&["fixtures/instagram-2019-02-13.csv", "--format", format]);
        let asked = scan(&[
            "fixtures/instagram-2019-02-13.csv",
            "--format",
            format,
            "--sparkline",
            "unicode",
        ]);
        assert_eq!(plain.stdout, asked.stdout, "{format}");
        assert!(
            !plain.stdout.chars().any(|c| BLOCKS.contains(c)),
            "{format}"
        );
    }
}

/// Runs `followdrop plot <args>` in `dir`.
fn plot_in(dir: &std::path::Path, args: &[&str]) -> util::Run {
    let mut cmd = util::followdrop(dir);
    cmd.arg("plot").args(args);
    util::run(cmd, None)
}

/// `cmd args` is a clap usage error naming `option`.
#[track_caller]
fn usage_error_of(cmd: &str, args: &[&str], option: &str) {
    let mut c = util::followdrop(&root());
    c.arg(cmd).args(args);
    let run = util::run(c, None);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.contains(option),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr.contains("--help"), "{:?}", run.stderr);
}

/// What an SVG shows, read back with an XML parser (which also proves it
/// well-formed): its text, and the polylines of its curves.
struct Svg {
    texts: Vec<String>,
    /// (stroke colour, number of points) of every polyline.
    lines: Vec<(String, usize)>,
    /// Filled rectangles' colours (the events' bands among them).
    fills: Vec<String>,
}

impl Svg {
    #[track_caller]
    fn parse(svg: &str) -> Svg {
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let width: f64 = root.attribute("width").unwrap().parse().unwrap();
        assert!(width >= 800.0, "{width}");
        let mut texts = Vec::new();
        let mut lines = Vec::new();
        let mut fills = Vec::new();
        for node in root.descendants() {
            match node.tag_name().name() {
                "text" => texts.push(node.text().unwrap_or_default().trim().to_string()),
                "polyline" => {
                    let points = node.attribute("points").unwrap_or_default();
                    let stroke = node.attribute("stroke").unwrap_or_default();
                    lines.push((stroke.to_string(), points.split_whitespace().count()));
                }
                "rect" => fills.push(node.attribute("fill").unwrap_or_default().to_string()),
                _ => {}
            }
        }
        Svg {
            texts,
            lines,
            fills,
        }
    }

    fn has_text(&self, part: &str) -> bool {
        self.texts.iter().any(|t| t.contains(part))
    }

    /// Colours of the long lines: the cohort's median and named accounts'
    /// curves (axes and key samples have two points).
    fn curve_colours(&self) -> BTreeSet<String> {
        self.lines
            .iter()
            .filter(|(_, n)| *n >= 20)
            .map(|(c, _)| c.clone())
            .collect()
    }
}

/// The key line of `event` (kind and start, as people read them) is in the
/// picture, and so is its numbered tag.
#[track_caller]
fn assert_event_shown(svg: &Svg, event: &Value, number: usize) {
    let kind = event["kind"].as_str().unwrap();
    let start = event["start"].as_str().unwrap();
    let start = format!("{} {}", &start[..10], &start[11..16]);
    assert!(
        svg.texts
            .iter()
            .any(|t| t.starts_with(kind) && t.contains(&start)),
        "no label {kind} {start} in {:?}",
        svg.texts
    );
    assert!(
        svg.texts
            .iter()
            .filter(|t| **t == number.to_string())
            .count()
            >= 2,
        "tag {number} on the chart and in the key: {:?}",
        svg.texts
    );
}

/// The Instagram glitch: a well-formed SVG written atomically with -o,
/// exit 0 (a picture, not an alert), the event shaded and labelled, the
/// cohort's median and the two named accounts' curves in the key and
/// drawn, time labels as dates.
#[test]
fn plot_instagram() {
    let wd = Workdir::new("plot-instagram");
    let fixture = root().join("fixtures/instagram-2019-02-13.csv");
    let run = plot_in(
        wd.path(),
        &[
            fixture.to_str().unwrap(),
            "-o",
            "ig.svg",
            "--account",
            "kimkardashian",
            "--account",
            "hiking.hannah",
        ],
    );
    run.expect_code(0);
    assert_eq!(run.stdout, "");
    let svg = Svg::parse(&wd.read("ig.svg"));
    let (report, _) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    let events = report["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_event_shown(&svg, &events[0], 1);
    assert!(svg.has_text("43 accounts"), "{:?}", svg.texts);
    assert!(
        svg.has_text("recovered 2019-02-14 10:00 UTC"),
        "{:?}",
        svg.texts
    );
    assert!(
        svg.has_text("median index of the 52 accounts"),
        "{:?}",
        svg.texts
    );
    assert!(
        svg.has_text("kimkardashian (100 = 125,650,315 followers at 2019-02-01 00:00 UTC)"),
        "{:?}",
        svg.texts
    );
    assert!(svg.has_text("hiking.hannah (100 = "), "{:?}", svg.texts);
    assert_eq!(
        svg.curve_colours().len(),
        3,
        "median + 2 accounts: {:?}",
        svg.lines
    );
    // The event's band is filled in the platform colour.
    assert!(svg.fills.iter().any(|f| f == "#8228AA"), "{:?}", svg.fills);
    for day in ["2019-02-01", "2019-02-13", "2019-02-19"] {
        assert!(
            svg.texts.iter().any(|t| t == day),
            "tick {day}: {:?}",
            svg.texts
        );
    }
    assert!(svg.has_text("time (UTC)"));
}

/// A simulated mixed data set straight from `simulate`, drawn to stdout:
/// every event the scan reports is in the picture, in order.
#[test]
fn plot_mixed_simulation_shows_every_event() {
    let wd = Workdir::new("plot-mixed");
    let mut sim = util::followdrop(wd.path());
    sim.args([
        "simulate",
        "--scenario",
        "mixed",
        "--seed",
        "7",
        "-o",
        "mixed.csv",
    ]);
    util::run(sim, None).expect_code(0);
    let run = plot_in(wd.path(), &["mixed.csv", "--account", "hazel_atlas_007"]);
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    let report = wd.run(&["--format", "json", "mixed.csv"], None).json();
    let events = report["events"].as_array().unwrap();
    assert!(events.len() >= 5, "{report}");
    for (i, e) in events.iter().enumerate() {
        assert_event_shown(&svg, e, i + 1);
    }
    for e in events.iter().filter(|e| e["scope"] == "account") {
        let who = e["accounts"][0]["account"].as_str().unwrap();
        assert!(svg.has_text(who), "{who}: {:?}", svg.texts);
    }
    assert_eq!(svg.curve_colours().len(), 2, "{:?}", svg.lines);
    // --since and --until draw a part: only the events in it are shown.
    let run = plot_in(
        wd.path(),
        &[
            "mixed.csv",
            "--since",
            "2024-01-20",
            "--until",
            "2024-01-25",
        ],
    );
    run.expect_code(0);
    let part = Svg::parse(&run.stdout);
    for e in events {
        let start = e["start"].as_str().unwrap();
        let label = format!("{} {}", &start[..10], &start[11..16]);
        let inside = ("2024-01-20".."2024-01-26").contains(&&start[..10]);
        assert_eq!(part.has_text(&label), inside, "{label}: {:?}", part.texts);
    }
    assert!(
        part.has_text("2024-01-20 00:00 → 2024-01-25 23:59 UTC"),
        "{:?}",
        part.texts
    );
}

/// plot takes scan's detection and input options: a --min-drop no event
/// reaches leaves a picture with no event, and --followers-col reads a
/// nested JSON path.
#[test]
fn plot_takes_scans_options() {
    let run = plot_in(
        &root(),
        &["fixtures/instagram-2019-02-13.csv", "--min-drop", "0.5"],
    );
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    assert!(!svg.has_text("platform_glitch"), "{:?}", svg.texts);
    assert!(svg.has_text("median index"));
    let run = plot_in(
        &root(),
        &[
            "fixtures/twitter-2018-07-locked.ndjson.gz",
            "--followers-col",
            "public_metrics.followers_count",
            "--account",
            "jack",
        ],
    );
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    assert!(svg.has_text("platform_purge"), "{:?}", svg.texts);
    assert!(svg.has_text("jack (100 = "), "{:?}", svg.texts);
    usage_error_of(
        "plot",
        &["fixtures/three-accounts.csv", "--time-col", "nosuch"],
        "--time-col",
    );
    usage_error_of(
        "plot",
        &["fixtures/three-accounts.csv", "--bucket", "5x"],
        "--bucket",
    );
    usage_error_of("plot", &[], "<INPUT>");
}

/// The guide's picture is what `plot` draws today, byte for byte (the
/// same data gives the same SVG); `UPDATE_GOLDEN=1` redraws it.
#[test]
fn golden_readme_picture() {
    let run = plot_in(
        &root(),
        &[
            "fixtures/instagram-2019-02-13.csv",
            "--account",
            "kimkardashian",
            "--account",
            "hiking.hannah",
        ],
    );
    run.expect_code(0);
    let path = root().join("docs/plot-instagram.svg");
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        fs::write(&path, &run.stdout).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap();
    assert_same_text("docs/plot-instagram.svg", &expected, &run.stdout);
}

/// Of more than 10,000 accounts, the cohort's quartiles come from an even
/// sample of about 10,000 (memory stays bounded), the same whatever the
/// order of the input; the key says so.
#[test]
fn plot_of_a_large_cohort_takes_a_sample() {
    let wd = Workdir::new("plot-sample");
    let mut rows: Vec<String> = Vec::new();
    for i in 0..12_000u64 {
        for day in 1..=3 {
            rows.push(format!(
                "2024-01-0{day}T00:00:00Z,acct{i},{}",
                1000 + i % 7 * day
            ));
        }
    }
    let header = "timestamp,account,followers\n";
    wd.create("big.csv", format!("{header}{}\n", rows.join("\n")));
    rows.reverse();
    wd.create("reversed.csv", format!("{header}{}\n", rows.join("\n")));
    let run = plot_in(wd.path(), &["big.csv"]);
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    let key = svg
        .texts
        .iter()
        .find(|t| t.starts_with("cohort: median index of "))
        .unwrap_or_else(|| panic!("{:?}", svg.texts));
    let n: u64 = key["cohort: median index of ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap();
    assert!((9_000..=10_500).contains(&n), "{key}");
    assert!(
        key.ends_with("accounts (an even sample of the 12,000)"),
        "{key}"
    );
    let reversed = plot_in(wd.path(), &["reversed.csv"]);
    assert_eq!(
        reversed.stdout.replace("reversed.csv", "big.csv"),
        run.stdout,
        "the same picture whatever the order of the rows"
    );
}

/// A plot that fails leaves the file at -o as it was (and no temporary
/// file); an account that is not in the data is an error naming it.
#[test]
fn plot_errors() {
    let wd = Workdir::new("plot-errors");
    wd.create("old.svg", "precious\n");
    wd.create(
        "bad.csv",
        "timestamp,account,followers\n2024-01-01T00:00:00Z,a,12a4\n",
    );
    let run = plot_in(wd.path(), &["bad.csv", "-o", "old.svg"]);
    run.expect_code(2);
    assert!(run.stderr.contains("bad.csv"), "{:?}", run.stderr);
    let fixture = root().join("fixtures/three-accounts.csv");
    let fixture = fixture.to_str().unwrap();
    let run = plot_in(
        wd.path(),
        &[fixture, "-o", "old.svg", "--account", "nobody"],
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("--account \"nobody\": no such account"),
        "{:?}",
        run.stderr
    );
    let run = plot_in(
        wd.path(),
        &[fixture, "--since", "2030-01-01", "-o", "old.svg"],
    );
    run.expect_code(2);
    assert!(run.stderr.contains("nothing to draw"), "{:?}", run.stderr);
    assert_eq!(wd.read("old.svg"), "precious\n");
    let names: BTreeSet<String> = fs::read_dir(wd.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, BTreeSet::from(["bad.csv".into(), "old.svg".into()]));
    // The same -o replaced on success.
    plot_in(wd.path(), &[fixture, "-o", "old.svg"]).expect_code(0);
    Svg::parse(&wd.read("old.svg"));
}

/// Names that XML cannot hold as they are (markup, terminal escapes and
/// other control characters) still give a well-formed picture, the markup
/// shown as text.
#[test]
fn plot_of_nasty_names_is_well_formed() {
    let run = plot_in(&root(), &["--on-error", "skip", "fixtures/nasty/nasty.csv"]);
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    assert!(
        svg.has_text("\u{fffd}[2J\u{fffd}[31mred"),
        "{:?}",
        svg.texts
    );
    let wd = Workdir::new("plot-markup");
    let mut text = String::from("timestamp,account,followers\n");
    for day in 1..=20 {
        for (name, n) in [
            ("<b>&amp;\"x\"</b>", 5000),
            ("ok", 7000),
            ("tab\u{1}bell", 900),
        ] {
            let n = if day > 10 && name == "ok" {
                n / 2
            } else {
                n + day
            };
            text += &format!(
                "2024-01-{day:02}T00:00:00Z,\"{}\",{n}\n",
                name.replace('"', "\"\"")
            );
        }
    }
    wd.create("markup.csv", text);
    let run = plot_in(
        wd.path(),
        &[
            "markup.csv",
            "--account",
            "<b>&amp;\"x\"</b>",
            "--account",
            "tab\u{1}bell",
        ],
    );
    run.expect_code(0);
    let svg = Svg::parse(&run.stdout);
    assert!(
        svg.has_text("<b>&amp;\"x\"</b> (100 = 5,001 followers"),
        "{:?}",
        svg.texts
    );
    assert!(
        svg.has_text("tab\u{fffd}bell (100 = 901 followers"),
        "{:?}",
        svg.texts
    );
}
