//! Real faults around the files followdrop writes: symbolic links, a
//! report or state that would overwrite the data or each other, a run
//! killed while writing, the umask, and waits that may never end (a lock
//! held elsewhere, a FIFO nothing writes to). docs/RELIABILITY.md says
//! what is promised; each test here checks one promise.

use crate::util;

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use util::{Run, Workdir};

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

/// The names of the temporary files followdrop leaves in `dir`.
fn temporary_files(dir: &Path) -> Vec<String> {
    (fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".followdrop-"))
        .collect()
}

/// SIGTERM or SIGINT while `simulate -o` writes a large file removes the
/// temporary file, leaves no output, and ends the run as the signal does
/// (status 143 or 130 in the shell).
#[test]
fn a_killed_run_leaves_no_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    for (signal, number) in [("TERM", 15), ("INT", 2)] {
        let w = Workdir::new("killed");
        let mut cmd = Command::new(util::binary());
        cmd.current_dir(w.path())
            .args(["simulate", "--accounts", "20000", "--days", "400"])
            .args(["-o", "big.csv"]);
        let mut child = cmd.spawn().unwrap();
        // Killed once it is writing (the temporary file has grown).
        let writing = || {
            fs::read_dir(w.path()).unwrap().any(|e| {
                let e = e.unwrap();
                let name = e.file_name().into_string().unwrap();
                name.starts_with(".followdrop-") && e.metadata().is_ok_and(|m| m.len() > 0)
            })
        };
        for _ in 0..3000 {
            if writing() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(writing(), "no temporary file being written");
        let pid = child.id().to_string();
        let kill = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status();
        assert!(kill.unwrap().success());
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(number), "{status:?}");
        assert_eq!(temporary_files(w.path()), Vec::<String>::new(), "{signal}");
        assert!(!w.path().join("big.csv").exists());
    }
}

/// New files get the mode `File::create` would give (0666 less the umask),
/// as the shell's `>` does; a replaced file keeps its own.
#[test]
fn new_files_honour_the_umask() {
    let w = Workdir::new("umask");
    data(&w);
    let mode = |name: &str| {
        fs::metadata(w.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    let sh = |command: &str| {
        let out = Command::new("sh")
            .current_dir(w.path())
            .args(["-c", &format!("umask 027 && exec \"$0\" {command}")])
            .arg(util::binary())
            .output()
            .unwrap();
        Run::from_output(out)
    };
    sh("simulate --accounts 3 --days 2 -o sim.csv --truth truth.json").expect_code(0);
    sh("scan -q --state state.json -o report.json data.csv").expect_code(1);
    for name in ["sim.csv", "truth.json", "state.json", "report.json"] {
        assert_eq!(mode(name), 0o640, "{name}");
    }
    fs::set_permissions(
        w.path().join("report.json"),
        fs::Permissions::from_mode(0o604),
    )
    .unwrap();
    sh("scan -q -o report.json data.csv").expect_code(1);
    assert_eq!(mode("report.json"), 0o604);
}

/// A FIFO that nothing writes to would hold a cron run (and its state's
/// lock) for ever without a word: after a few seconds the run says so,
/// once, and goes on when data comes.
#[test]
fn a_fifo_nothing_writes_to_is_told_about() {
    let w = Workdir::new("fifo");
    data(&w);
    let made = Command::new("mkfifo").arg(w.path().join("in.csv")).status();
    assert!(made.unwrap().success());
    let mut child = spawn(w.path(), &["scan", "--state", "state.json", "in.csv"]);
    let lines = stderr_lines(&mut child);
    let notice = lines.recv_timeout(Duration::from_secs(60));
    // Written whatever came, so that the run never hangs.
    fs::write(w.path().join("in.csv"), w.read("data.csv")).unwrap();
    let notice = notice.expect("a notice on stderr");
    assert!(
        notice.contains("in.csv") && notice.contains("FIFO") && notice.contains("state.json.lock"),
        "{notice}"
    );
    assert_eq!(child.wait().unwrap().code(), Some(1));
    let rest: Vec<String> = lines.iter().collect();
    assert!(!rest.iter().any(|l| l.contains("FIFO")), "{rest:?}");
}
