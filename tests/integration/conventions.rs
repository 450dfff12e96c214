//! What people expect of a command-line tool: completions, a manual page,
//! `--quiet`, `--version`, help with examples.

use crate::util;

use util::{Run, Workdir, root};

fn followdrop(args: &[&str]) -> Run {
    let mut cmd = util::followdrop(&root());
    cmd.args(args);
    util::run(cmd, None)
}

/// Every shell gets a completion script that knows the commands and options.
#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = followdrop(&["completions", shell]);
        run.expect_code(0);
        for word in ["scan", "simulate", "state", "min-breadth"] {
            assert!(run.stdout.contains(word), "{shell}: no {word}");
        }
    }
    let run = followdrop(&["completions", "tcsh"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("invalid value 'tcsh'"),
        "{}",
        run.stderr
    );
}

/// `followdrop man` is a roff page naming every command; `man scan` is the
/// page of `followdrop-scan`, with every option; an unknown command is an
/// error.
#[test]
fn manual_pages() {
    let run = followdrop(&["man"]);
    run.expect_code(0);
    assert!(run.stdout.contains(".TH followdrop 1"), "{}", run.stdout);
    for command in ["scan", "plot", "simulate", "completions"] {
        assert!(run.stdout.contains(command), "no {command}");
    }
    // Every command listed has a page; `followdrop help` has none.
    assert!(!run.stdout.contains("followdrop\\-help"), "{}", run.stdout);
    let scan = followdrop(&["man", "scan"]);
    scan.expect_code(0);
    assert!(scan.stdout.contains(".TH followdrop-scan 1"));
    for option in [
        "min\\-breadth",
        "recovery\\-window",
        "state",
        "reference",
        "wide",
    ] {
        assert!(scan.stdout.contains(option), "no {option}");
    }
    let bad = followdrop(&["man", "nosuch"]);
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("no command \"nosuch\""),
        "{}",
        bad.stderr
    );
}

/// The body of section `name` of a roff page (empty when it has none).
fn section<'a>(page: &'a str, name: &str) -> &'a str {
    let heading = if name.contains(' ') {
        format!(".SH \"{name}\"\n")
    } else {
        format!(".SH {name}\n")
    };
    let Some(start) = page.find(&heading).map(|i| i + heading.len()) else {
        return "";
    };
    let end = page[start..]
        .find("\n.SH ")
        .map_or(page.len(), |i| start + i);
    &page[start..end]
}

/// Every page has what a man page reader looks for, as ripgrep's has:
/// a synopsis naming each option's value, EXIT STATUS, ENVIRONMENT where
/// the command reads any, and EXAMPLES — the same as `--help` ends with.
#[test]
fn manual_pages_have_exit_status_environment_and_examples() {
    let scan = followdrop(&["man", "scan"]).stdout;
    let synopsis = section(&scan, "SYNOPSIS");
    for words in [
        "[\\fB\\-\\-format\\fR\\~\\fIFORMAT\\fR]",
        "[\\fB\\-o\\fR|\\fB\\-\\-output\\fR\\~\\fIFILE\\fR]",
        "[\\fB\\-\\-account\\fR\\~\\fINAME\\fR]...",
        "[\\fB\\-\\-wide\\fR]",
        "[\\fB\\-\\-color\\fR\\~\\fIWHEN\\fR]",
        "\\fIINPUT\\fR...",
    ] {
        assert!(synopsis.contains(words), "no {words} in {synopsis}");
    }
    assert_eq!(
        section(&scan, "EXIT STATUS"),
        "0 no event reported, 1 at least one event reported, 2 error."
    );
    assert!(!scan.contains(".SH EXTRA"), "{scan}");
    for page in ["", "scan", "show", "plot", "simulate", "completions", "man"] {
        // followdrop's own page and help, or a command's.
        let with = |args: &[&'static str]| {
            let args: Vec<&str> = args.iter().copied().filter(|a| !a.is_empty()).collect();
            followdrop(&args)
        };
        let man = with(&["man", page]);
        man.expect_code(0);
        let environment = section(&man.stdout, "ENVIRONMENT");
        let expected: &[&str] = match page {
            "" | "scan" => &[
                "NO_COLOR",
                "FOLLOWDROP_TIMING",
                "RAYON_NUM_THREADS",
                "LC_ALL",
            ],
            "show" => &["NO_COLOR", "FOLLOWDROP_TIMING", "RAYON_NUM_THREADS"],
            "plot" => &["FOLLOWDROP_TIMING", "RAYON_NUM_THREADS"],
            _ => &[],
        };
        for variable in expected {
            assert!(environment.contains(variable), "{page}: no {variable}");
        }
        assert_eq!(environment.is_empty(), expected.is_empty(), "{page}");
        assert!(
            section(&man.stdout, "EXIT STATUS").contains("2 error"),
            "{page}: {}",
            man.stdout
        );
        let examples = section(&man.stdout, "EXAMPLES");
        let help = with(&[page, "--help"]);
        let (_, help_examples) = help.stdout.split_once("Examples:\n").unwrap();
        for example in help_examples.lines().filter(|l| !l.trim().is_empty()) {
            let roff = example.trim().replace('-', "\\-");
            assert!(
                examples.contains(&roff),
                "{page}: no {roff:?} in {examples}"
            );
        }
    }
}

/// `--quiet` (anywhere on the line) silences warnings, never errors.
#[test]
fn quiet_silences_warnings_not_errors() {
    let w = Workdir::new("quiet");
    w.create(
        "dups.csv",
        "timestamp,account,followers\n2024-01-01,a,10\n2024-01-01,a,10\n2024-01-02,a,11\n",
    );
    let loud = w.run(&["dups.csv"], None);
    loud.expect_code(0);
    assert!(
        loud.stderr.contains("warning: 1 exact duplicate"),
        "{}",
        loud.stderr
    );
    for args in [&["-q", "dups.csv"][..], &["dups.csv", "--quiet"][..]] {
        let quiet = w.run(args, None);
        quiet.expect_code(0);
        assert_eq!(quiet.stderr, "");
        assert_eq!(quiet.stdout, loud.stdout);
    }
    let mut cmd = util::followdrop(w.path());
    cmd.args(["--quiet", "scan", "missing.csv"]);
    let failed = util::run(cmd, None);
    failed.expect_code(2);
    assert!(failed.stderr.contains("missing.csv"), "{}", failed.stderr);
}

/// `--color` and `-q`, like `--quiet`, are taken before the command, after
/// it or after its inputs, by `scan` and `show` alike.
#[test]
fn color_and_quiet_anywhere_on_the_line() {
    let w = Workdir::new("anywhere");
    // The influencer's purge with a duplicate row: a warning for `-q`.
    let text = std::fs::read_to_string(root().join("fixtures/influencer-purge.csv")).unwrap();
    let row = text.lines().nth(1).unwrap();
    w.create("dup.csv", format!("{text}{row}\n"));
    let run = |command: &[&str], before: &[&str], after: &[&str], at_end: &[&str]| {
        let mut cmd = util::followdrop(w.path());
        cmd.args(before)
            .args(command)
            .args(after)
            .arg("dup.csv")
            .args(at_end);
        util::run(cmd, None)
    };
    for command in [&["scan"][..], &["show", "someinfluencer"][..]] {
        let plain = run(command, &[], &[], &[]);
        plain.expect_code(1);
        assert!(plain.stderr.contains("warning"), "{}", plain.stderr);
        let coloured = run(command, &[], &["--color", "always", "-q"], &[]);
        assert!(coloured.stdout.contains("\x1b["), "{:?}", coloured.stdout);
        assert_eq!(coloured.stderr, "");
        for (before, at_end) in [
            (&["--color", "always", "-q"][..], &[][..]),
            (&[][..], &["--color=always", "-q"][..]),
            (&["-q"][..], &["--color", "always"][..]),
        ] {
            let moved = run(command, before, &[], at_end);
            moved.expect_code(1);
            let what = format!("{command:?} {before:?} {at_end:?}");
            assert_eq!(moved.stdout, coloured.stdout, "{what}");
            assert_eq!(moved.stderr, "", "{what}");
        }
        let never = run(command, &["--color", "never"], &[], &[]);
        assert_eq!(never.stdout, plain.stdout, "{command:?}");
    }
}

/// `--version` and every command's help, which ends with examples.
#[test]
fn version_and_help_with_examples() {
    let run = followdrop(&["--version"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!("followdrop {}\n", env!("CARGO_PKG_VERSION"))
    );
    for command in ["scan", "plot", "simulate", "completions", "man"] {
        let help = followdrop(&[command, "--help"]);
        help.expect_code(0);
        assert!(
            help.stdout.contains("Examples:\n  followdrop "),
            "{command} --help has no examples:\n{}",
            help.stdout
        );
    }
}

/// On a terminal, a run that has gone on for a second names the step it is
/// at after the read (the grid, each stage of detection) on a status line,
/// cleared before the output; `--quiet` and a stderr that is not a terminal
/// see none of it. The terminal is `script`'s pseudo-terminal; the read is
/// held for 1.5 s (`FOLLOWDROP_TEST_PAUSE`) so that the run is long
/// whatever the machine's speed.
#[test]
fn a_long_run_names_its_steps_on_a_terminal_only() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let w = Workdir::new("status-line");
    // The fixture with one row repeated: a warning to print after the steps.
    let mut rows =
        std::fs::read_to_string(root().join("fixtures/instagram-2019-02-13.csv")).unwrap();
    let repeated = rows.lines().nth(1).unwrap().to_string();
    rows.push_str(&format!("{repeated}\n"));
    let input = w.create("instagram.csv", rows);
    let on_terminal = |quiet: &str| {
        let flag = w.path().join("paused");
        let out = w.path().join("report.json");
        let command = format!(
            "{} scan {quiet} --format json -o {} {}",
            util::binary().display(),
            out.display(),
            input.display()
        );
        let child = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("FOLLOWDROP_TEST_PAUSE", format!("{}:0", flag.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("`script` (util-linux) runs the binary on a pseudo-terminal");
        let waited = Instant::now();
        while !flag.exists() {
            assert!(waited.elapsed() < Duration::from_secs(60), "never paused");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(1500));
        std::fs::remove_file(&flag).unwrap();
        let run = Run::from_output(child.wait_with_output().unwrap());
        run.expect_code(1);
        let report: serde_json::Value = serde_json::from_str(&w.read("report.json")).unwrap();
        assert_eq!(report["summary"]["platform_events"], 1);
        run.stdout
    };
    let seen = on_terminal("");
    for step in ["grid", "detect: platform events", "detect: account events"] {
        assert!(seen.contains(step), "no {step:?} in {seen:?}");
    }
    // Cleared: the terminal's last line is erased after the last step shown,
    // before the warning, which has its line to itself.
    let last_step = seen.rfind("detect: account events").unwrap();
    let warning = seen.find("followdrop: warning: 1 exact duplicate").unwrap();
    assert!(last_step < warning, "{seen:?}");
    assert!(seen[last_step..warning].contains("\u{1b}[2K"), "{seen:?}");
    assert!(!seen[warning..].contains("detect"), "{seen:?}");
    let quiet = on_terminal("--quiet");
    assert!(!quiet.contains("detect"), "{quiet:?}");
    // Not a terminal: stderr holds the warnings alone.
    let piped = util::scan(&["--format", "json", input.to_str().unwrap()]);
    assert!(!piped.stderr.contains("detect"), "{}", piped.stderr);
}
