//! Real faults around the files followdrop writes: symbolic links, and a
//! report or state that would overwrite the data or each other.

use crate::util;

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use util::Workdir;

/// A fixture with events (exit 1) and no warnings, copied in as `data.csv`.
fn data(w: &Workdir) {
    let fixture = util::root().join("fixtures/influencer-purge.csv");
    fs::copy(fixture, w.path().join("data.csv")).unwrap();
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The binary started in `dir` with `args`, its stderr piped.
fn spawn(dir: &Path, args: &[&str]) -> Child {
    Command::new(util::binary())
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

/// The lines of `child`'s stderr as they come.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// The next line, waiting at most a minute (a missing line fails the test
/// rather than hanging it).
#[track_caller]
fn next_line(lines: &mpsc::Receiver<String>) -> String {
    lines
        .recv_timeout(Duration::from_secs(60))
        .expect("a line on stderr")
}

/// `--state` through a symbolic link updates the link's target and keeps
/// the link (even a link to a state not written yet), so runs through the
/// link and through the target share one memory.
#[test]
fn a_state_behind_a_symbolic_link_is_its_target() {
    let w = Workdir::new("state-link");
    data(&w);
    fs::create_dir(w.path().join("real")).unwrap();
    symlink("real/state.json", w.path().join("link.json")).unwrap();
    w.run(&["--state", "link.json", "data.csv"], None)
        .expect_code(1);
    assert!(
        is_link(&w.path().join("link.json")),
        "the link was replaced"
    );
    assert!(w.read("real/state.json").contains("followdrop-state"));
    let through_target = w.run(&["--state", "real/state.json", "data.csv"], None);
    through_target.expect_code(0);
    w.run(&["--state", "link.json", "data.csv"], None)
        .expect_code(0);
    assert!(is_link(&w.path().join("link.json")));
}

/// The lock is the real file's: a run through the link waits while the
/// target's lock is held, and says so naming it.
#[test]
fn a_state_behind_a_symbolic_link_takes_its_targets_lock() {
    let w = Workdir::new("state-link-lock");
    data(&w);
    fs::create_dir(w.path().join("real")).unwrap();
    symlink("real/state.json", w.path().join("link.json")).unwrap();
    let lock = fs::File::create(w.path().join("real/state.json.lock")).unwrap();
    lock.lock().unwrap();
    let mut child = spawn(w.path(), &["scan", "--state", "link.json", "data.csv"]);
    let lines = stderr_lines(&mut child);
    let first = next_line(&lines);
    assert!(
        first.contains("waiting for") && first.contains("real/state.json.lock"),
        "{first}"
    );
    assert!(!w.path().join("real/state.json").exists());
    lock.unlock().unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(1));
    assert!(w.read("real/state.json").contains("followdrop-state"));
    assert!(!w.path().join("link.json.lock").exists());
}

/// `-o` through a symbolic link writes the target and keeps the link.
#[test]
fn a_report_behind_a_symbolic_link_is_written_to_its_target() {
    let w = Workdir::new("report-link");
    data(&w);
    fs::create_dir(w.path().join("reports")).unwrap();
    w.create("reports/latest.json", "old");
    symlink("reports/latest.json", w.path().join("report.json")).unwrap();
    w.run(&["-o", "report.json", "data.csv"], None)
        .expect_code(1);
    assert!(
        is_link(&w.path().join("report.json")),
        "the link was replaced"
    );
    let report: serde_json::Value = serde_json::from_str(&w.read("reports/latest.json")).unwrap();
    assert!(!report["events"].as_array().unwrap().is_empty());
}

/// A report that would replace its own input, or a state that would
/// replace the report, is refused before anything is read or written: by
/// name, through a link, or as the same new file. Stdin is never a file
/// to protect.
#[test]
fn a_report_or_state_over_the_data_or_each_other_is_refused() {
    let w = Workdir::new("self-overwrite");
    data(&w);
    let original = w.read("data.csv");
    symlink("data.csv", w.path().join("alias.csv")).unwrap();
    for args in [
        &["-o", "data.csv", "data.csv"][..],
        &["-o", "alias.csv", "data.csv"],
        &["-o", "data.csv", "alias.csv"],
        &["-o", "data.csv", "--reference", "data.csv", "-"],
    ] {
        let run = w.run(args, None);
        run.expect_code(2);
        assert!(
            run.stderr.contains("is the input") && run.stderr.contains("-o"),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(w.read("data.csv"), original, "{args:?}");
        assert!(is_link(&w.path().join("alias.csv")));
    }
    for state in ["new.json", "./new.json"] {
        let run = w.run(&["--state", state, "-o", "new.json", "data.csv"], None);
        run.expect_code(2);
        assert!(run.stderr.contains("same file"), "{}", run.stderr);
        assert!(!w.path().join("new.json").exists());
    }
    let run = w.run(&["-o", "report.txt", "-"], Some(original.as_bytes()));
    run.expect_code(1);
    assert!(w.read("report.txt").contains("event"));
}

/// `simulate -o FILE --truth FILE` would write the truth over the data.
#[test]
fn simulated_data_and_its_truth_in_one_file_are_refused() {
    let w = Workdir::new("simulate-self-overwrite");
    let mut cmd = util::followdrop(w.path());
    cmd.args(["simulate", "-o", "x.csv", "--truth", "x.csv"]);
    let run = util::run(cmd, None);
    run.expect_code(2);
    assert!(run.stderr.contains("same file"), "{}", run.stderr);
    assert!(!w.path().join("x.csv").exists());
}
