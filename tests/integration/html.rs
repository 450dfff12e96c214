//! `scan --format html`: one self-contained page (SPEC: Output; issue 18),
//! read with an HTML parser as a browser would build it, not matched as
//! strings. The page in a real browser is `tests/browser/`.

use crate::util;

use std::fs;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use sha2::{Digest, Sha256};
use util::{Workdir, followdrop, root, run, scan_json};

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    let s = Selector::parse(css).unwrap_or_else(|e| panic!("{css}: {e:?}"));
    doc.select(&s).collect()
}

fn within<'a>(el: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    let s = Selector::parse(css).unwrap_or_else(|e| panic!("{css}: {e:?}"));
    el.select(&s).collect()
}

fn text(el: ElementRef) -> String {
    el.text().collect()
}

/// Runs `followdrop scan -o page.html <args>` in `w` (fixture paths are
/// absolute) and parses the page; the exit status beside it.
fn page(w: &Workdir, args: &[&str]) -> (Html, String, i32) {
    let mut cmd = followdrop(w.path());
    cmd.args(["scan", "-q", "-o", "page.html"]).args(args);
    let r = run(cmd, None);
    assert!(r.code == 0 || r.code == 1, "exit {}: {}", r.code, r.stderr);
    let source = w.read("page.html");
    (Html::parse_document(&source), source, r.code)
}

fn fixture(name: &str) -> String {
    root().join("fixtures").join(name).display().to_string()
}

/// The data rows of an event's accounts table (each followed by its
/// drill-down row, when it has one).
fn data_rows(section: ElementRef) -> Vec<ElementRef> {
    within(section, "table.accounts > tbody > tr:not(.why)")
}

/// Nothing on the page can make a request: no element with a `src`, no
/// `href` but to a place on the page, no `url(` anywhere, no element that
/// loads or embeds, and a Content-Security-Policy that allows only the
/// page's own style and script, by their hashes.
fn assert_self_contained(doc: &Html, source: &str) {
    for el in select(doc, "*") {
        for (name, value) in el.value().attrs() {
            assert_ne!(name, "src", "an element with src: {:?}", el.value());
            assert!(
                !name.starts_with("on"),
                "an event handler attribute: {:?}",
                el.value()
            );
            if name == "href" || name.ends_with(":href") {
                assert!(value.starts_with('#'), "a link out of the page: {value:?}");
            }
            assert!(
                !value.contains("url("),
                "url() in an attribute: {:?}",
                el.value()
            );
        }
    }
    for tag in [
        "link", "img", "iframe", "object", "embed", "image", "use", "audio", "video", "base",
    ] {
        assert!(select(doc, tag).is_empty(), "a <{tag}> element");
    }
    assert!(!source.contains("url("), "url() in the page");
    let style = select(doc, "style");
    let script = select(doc, "script");
    assert_eq!((style.len(), script.len()), (1, 1), "one style, one script");
    let hash = |el: ElementRef| {
        use base64::Engine;
        let digest = Sha256::digest(text(el).as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    };
    let csp = select(doc, r#"meta[http-equiv="Content-Security-Policy"]"#);
    assert_eq!(csp.len(), 1, "a CSP meta tag");
    let policy = csp[0].value().attr("content").unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(
        policy.contains(&format!("style-src {}", hash(style[0]))),
        "the style's hash: {policy}"
    );
    assert!(
        policy.contains(&format!("script-src {}", hash(script[0]))),
        "the script's hash: {policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
}

/// The Instagram fixture's page: one section per event of the JSON report,
/// in its order, each with its kind, its span, its words, its picture and
/// every affected account, each of those with `show`'s drill-down.
#[test]
fn the_page_says_what_the_report_says() {
    let (report, _) = scan_json(&["fixtures/instagram-2019-02-13.csv"]);
    let w = Workdir::new("html-instagram");
    let (doc, source, code) = page(&w, &[&fixture("instagram-2019-02-13.csv")]);
    assert_eq!(code, 1, "events found: status 1, as for any format");
    assert_self_contained(&doc, &source);
    assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some("en"));
    assert!(select(&doc, "title").len() == 1);
    assert!(
        text(select(&doc, "header .lead")[0]).contains("1 event: 1 platform-wide"),
        "the headline"
    );
    let facts = text(select(&doc, "dl.facts")[0]);
    for said in [
        "instagram-2019-02-13.csv",
        "24,960",
        "52",
        "2019-02-01",
        "1h",
    ] {
        assert!(facts.contains(said), "{said:?} in {facts:?}");
    }
    // The timeline: an inline SVG picture with a text alternative.
    let timeline = select(&doc, "figure.timeline [role=img]");
    assert_eq!(timeline.len(), 1);
    assert!(timeline[0].value().attr("aria-label").unwrap().len() > 40);
    assert_eq!(within(timeline[0], "svg").len(), 1);

    let events = report["events"].as_array().unwrap();
    let sections = select(&doc, "main > section.event");
    assert_eq!(sections.len(), events.len(), "one section per event");
    for (section, event) in sections.iter().zip(events) {
        let heading = text(within(*section, "h2")[0]);
        let kind = event["kind"].as_str().unwrap().replace('_', " ");
        assert!(
            heading.to_lowercase().contains(&kind),
            "{heading:?} names {kind:?}"
        );
        let words = text(*section);
        assert!(words.contains(event["id"].as_str().unwrap()));
        assert!(words.contains("The cohort fell together"), "the why");
        assert!(words.contains("Platform-wide: in the window that started it"));
        let picture = within(*section, "figure [role=img] svg");
        assert_eq!(picture.len(), 1, "the event's picture");
        let rows = data_rows(*section);
        let accounts = event["accounts"].as_array().unwrap();
        assert_eq!(rows.len(), accounts.len(), "every affected account");
        for (row, account) in rows.iter().zip(accounts) {
            let cells = within(*row, "td");
            assert_eq!(
                text(within(cells[0], "bdi")[0]),
                account["account"].as_str().unwrap()
            );
            let before = account["before"].as_u64().unwrap();
            assert_eq!(text(cells[1]).replace(',', ""), before.to_string());
        }
        // Every account here has its drill-down: show's words and table.
        let drills = within(*section, "tr.why details");
        assert_eq!(drills.len(), accounts.len());
        for d in &drills {
            let said = text(*d);
            assert!(said.contains("went from"), "{said}");
            assert!(said.contains("Usual movement"), "{said}");
            assert!(said.contains("Recovered"), "{said}");
            let table = text(within(*d, "pre")[0]);
            assert!(
                table.contains("before") && table.contains("after"),
                "{table}"
            );
        }
    }
    // The headings of the accounts table are buttons (keyboard sorting).
    let heads = select(&doc, "table.accounts thead th[scope=col] button");
    assert!(heads.len() >= 7, "{} sortable headings", heads.len());
}

/// The drill-down is what `show` says: its sentence for this account and
/// event, word for word.
#[test]
fn a_drill_down_is_what_show_says() {
    let w = Workdir::new("html-show");
    let data = fixture("instagram-2019-02-13.csv");
    let (doc, _, _) = page(&w, &[&data]);
    let mut cmd = followdrop(w.path());
    cmd.args(["show", "arianagrande", &data]);
    let shown = run(cmd, None).stdout;
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let row = select(&doc, "tr")
        .into_iter()
        .find(|r| {
            within(*r, "bdi")
                .first()
                .is_some_and(|b| text(*b) == "arianagrande")
        })
        .expect("arianagrande's row");
    let why = row
        .next_siblings()
        .filter_map(ElementRef::wrap)
        .next()
        .expect("its drill-down row");
    let sentence = text(within(why, "p")[0]);
    assert!(sentence.starts_with("arianagrande went from 145,012,331"));
    assert!(
        flat(&shown).contains(&flat(&sentence)),
        "{sentence:?} is in show's text:\n{shown}"
    );
}

/// `-o report.html` alone writes the page; `--format html` writes it to
/// stdout; the JSON of the same scan is unchanged by it.
#[test]
fn the_extension_or_the_flag_picks_the_page() {
    let w = Workdir::new("html-pick");
    let data = fixture("influencer-purge.csv");
    let mut cmd = followdrop(w.path());
    cmd.args(["scan", "-q", "-o", "Report.HTML", &data]);
    run(cmd, None).expect_code(1);
    assert!(w.read("Report.HTML").starts_with("<!DOCTYPE html>"));
    let mut cmd = followdrop(w.path());
    cmd.args(["scan", "-q", "--format", "html", &data]);
    let r = run(cmd, None);
    r.expect_code(1);
    assert!(r.stdout.starts_with("<!DOCTYPE html>"));
    assert!(r.stdout.trim_end().ends_with("</html>"));
    let doc = Html::parse_document(&r.stdout);
    let sections = select(&doc, "main > section.event.account");
    assert!(!sections.is_empty(), "the account purge");
    let words = text(sections[0]);
    assert!(words.contains("someinfluencer lost"), "{words}");
    assert!(
        words.contains("Account-specific"),
        "show's verdict: {words}"
    );
}

/// A quiet data set: a page that says plainly that nothing fell, with the
/// timeline, and status 0.
#[test]
fn a_quiet_page_says_so() {
    let w = Workdir::new("html-quiet");
    let (doc, source, code) = page(&w, &[&fixture("quiet-viral.csv")]);
    assert_eq!(code, 0);
    assert_self_contained(&doc, &source);
    assert!(select(&doc, "section.event").is_empty());
    let lead = text(select(&doc, "header .lead")[0]);
    assert!(lead.starts_with("No sudden follower loss found"), "{lead}");
    assert_eq!(select(&doc, "figure.timeline svg").len(), 1);
}

/// Hostile account names render as text: markup, a bidi override and
/// terminal escapes in a name make no element, no attribute and no
/// reordering, and the name is still there to read.
#[test]
fn hostile_names_are_text() {
    let w = Workdir::new("html-hostile");
    let name = "<img src=x onerror=alert(1)>\u{202e}</bdi><script>alert(2)</script>&amp;\u{1b}[31m";
    let data = fs::read_to_string(root().join("fixtures/influencer-purge.csv"))
        .unwrap()
        .replace("someinfluencer", name);
    w.create("hostile.csv", data);
    let (doc, source, code) = page(&w, &["hostile.csv"]);
    assert_eq!(code, 1);
    assert_self_contained(&doc, &source);
    let shown =
        "<img src=x onerror=alert(1)>\u{fffd}</bdi><script>alert(2)</script>&amp;\u{fffd}[31m";
    let names: Vec<String> = select(&doc, "table.accounts bdi")
        .into_iter()
        .map(text)
        .collect();
    assert!(
        names.iter().any(|n| n == shown),
        "the name as text: {names:?}"
    );
    assert!(!source.contains('\u{202e}') && !source.contains('\u{1b}'));
    // The nasty fixture's names, skipped rows and all.
    let (doc, source, _) = page(&w, &["--on-error", "skip", &fixture("nasty/nasty.csv")]);
    assert_self_contained(&doc, &source);
    let page_text = text(select(&doc, "body")[0]);
    assert!(page_text.contains(r#"=HYPERLINK("http://x.example","click")"#));
    assert!(page_text.contains("\u{fffd}[2J\u{fffd}[31mred"));
}

/// 100 events of about 50 accounts each: under 2 MB, every account listed
/// (the script pages long lists; nothing is dropped), and the largest
/// losses of every event keep their drill-down.
#[test]
fn a_hundred_events_stay_under_two_megabytes() {
    let w = Workdir::new("html-size");
    let mut cmd = followdrop(w.path());
    cmd.args([
        "simulate",
        "--scenario",
        "quiet",
        "--accounts",
        "100",
        "--days",
        "310",
        "--interval",
        "2h",
        "-o",
        "many.csv",
    ]);
    for i in 0..100 {
        let day = chrono_day(i * 3 + 2);
        let kind = if i % 2 == 0 {
            "platform_glitch"
        } else {
            "platform_purge"
        };
        cmd.args(["--inject", &format!("{kind}@{day}T14:00")]);
    }
    run(cmd, None).expect_code(0);
    let mut cmd = followdrop(w.path());
    cmd.args([
        "scan",
        "-q",
        "--format",
        "json",
        "-o",
        "many.json",
        "many.csv",
    ]);
    run(cmd, None);
    let report: Value = serde_json::from_str(&w.read("many.json")).unwrap();
    let events = report["events"].as_array().unwrap();
    let listed: usize = events
        .iter()
        .map(|e| e["accounts"].as_array().unwrap().len())
        .sum();
    assert!(events.len() >= 95, "{} events", events.len());
    assert!(listed >= 4_500, "{listed} accounts listed");
    let (doc, source, _) = page(&w, &["many.csv"]);
    assert!(
        source.len() < 2_000_000,
        "{} bytes for {} events and {listed} rows",
        source.len(),
        events.len()
    );
    let sections = select(&doc, "main > section.event");
    assert_eq!(sections.len(), events.len());
    for (section, event) in sections.iter().zip(events) {
        let rows = data_rows(*section);
        assert_eq!(rows.len(), event["accounts"].as_array().unwrap().len());
        // The largest loss is explained, right under its row.
        let first = rows[0]
            .next_siblings()
            .filter_map(ElementRef::wrap)
            .next()
            .expect("a row after the first");
        assert!(first.value().classes().any(|c| c == "why"), "a drill-down");
    }
}

/// `2024-01-01` plus `days`, as `YYYY-MM-DD`.
fn chrono_day(days: u64) -> String {
    let first = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    (first + chrono::Days::new(days)).to_string()
}
