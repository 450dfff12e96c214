//! Cron mode: `scan --state FILE` over a growing data set, overlapping
//! runs, state files that are not ours, and the guide's alert script run
//! for real.

use crate::util;

use serde_json::Value;
use std::fs;
use std::path::Path;
use util::{Run, Workdir};

/// Hourly snapshots of 30 quiet accounts over 25 days, one of which loses
/// 10 % of its followers for good on 18 January at noon; written whole to
/// `all.csv` and cut into the data a cron job would have seen on the 19th
/// (`d1.csv`: the loss, too recent to judge) and on the 23rd (`d2.csv`:
/// the recovery window has passed; a purge).
fn growing_data(w: &Workdir) {
    let mut sim = util::followdrop(w.path());
    sim.args([
        "simulate",
        "--scenario",
        "quiet",
        "--accounts",
        "30",
        "--days",
        "25",
        "--interval",
        "1h",
        "--no-following",
        "--inject",
        "account_purge@2024-01-18T12:00",
        "--seed",
        "5",
        "-o",
        "all.csv",
    ]);
    sim.assert().success();
    let all = w.read("all.csv");
    let upto = |end: &str| -> String {
        all.lines()
            .enumerate()
            .filter(|(i, l)| *i == 0 || l.as_bytes() < end.as_bytes())
            .map(|(_, l)| format!("{l}\n"))
            .collect()
    };
    w.create("d1.csv", upto("2024-01-19T12"));
    w.create("d2.csv", upto("2024-01-23"));
}

fn cron_scan(w: &Workdir, data: &str) -> Run {
    w.run(&["--state", "state.json", "--format", "json", data], None)
}

fn events(run: &Run) -> Vec<Value> {
    run.json()["events"].as_array().cloned().unwrap_or_default()
}

/// The bar: over a growing data set, the event is reported once,
/// then its change of persistence once, then nothing.
#[test]
fn an_event_is_reported_once_then_its_change_once_then_silence() {
    let w = Workdir::new("cron");
    growing_data(&w);

    let first = cron_scan(&w, "d1.csv");
    first.expect_code(1);
    let e = events(&first);
    assert_eq!(e.len(), 1, "{}", first.stdout);
    assert_eq!(e[0]["kind"], "account_drop");
    assert_eq!(e[0]["accounts"][0]["account"], "nimble_bakery_029");
    assert!(e[0].get("previous_kind").is_none());

    let second = cron_scan(&w, "d2.csv");
    second.expect_code(1);
    let e = events(&second);
    assert_eq!(e.len(), 1, "{}", second.stdout);
    assert_eq!(e[0]["kind"], "account_purge");
    assert_eq!(e[0]["previous_kind"], "account_drop");
    assert_eq!(second.json()["summary"]["events"], 1);

    let third = cron_scan(&w, "all.csv");
    third.expect_code(0);
    assert!(events(&third).is_empty(), "{}", third.stdout);
    // Once more over the same data: still nothing, in words too.
    let text = w.run(&["--state", "state.json", "all.csv"], None);
    text.expect_code(0);
    assert!(
        text.stdout
            .contains("Nothing new or changed since the last run with --state state.json."),
        "{}",
        text.stdout
    );
    // Without --state the event is of course still there.
    let plain = w.run(&["--format", "json", "all.csv"], None);
    plain.expect_code(1);
    assert_eq!(events(&plain).len(), 1);
}

/// Two overlapping runs on one state file report the event once between
/// them: the second waits for the first's lock, then finds it known.
#[test]
fn overlapping_runs_report_each_event_once() {
    let w = Workdir::new("cron-overlap");
    growing_data(&w);
    for round in 0..3 {
        let state = format!("state-{round}.json");
        let spawn = || {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("followdrop"));
            cmd.current_dir(w.path())
                .args(["scan", "--state", &state, "--format", "ndjson", "all.csv"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().expect("the binary runs")
        };
        // In the first round the test holds the lock while both start, so
        // both must wait for it (and say so first thing), then take turns.
        let held = (round == 0).then(|| {
            let lock = fs::File::create(w.path().join(format!("{state}.lock"))).unwrap();
            lock.lock().unwrap();
            lock
        });
        let mut children = [spawn(), spawn()];
        let (tx, rx) = std::sync::mpsc::channel();
        let readers: Vec<_> = children
            .iter_mut()
            .map(|c| {
                let stderr = c.stderr.take().unwrap();
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
                    let first = lines.next().and_then(Result::ok).unwrap_or_default();
                    let _ = tx.send(first.clone());
                    let rest: Vec<String> = lines.map_while(Result::ok).collect();
                    (first, rest)
                })
            })
            .collect();
        if let Some(lock) = held {
            for _ in 0..2 {
                let first = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
                assert!(first.contains("waiting for state-0.json.lock"), "{first}");
            }
            lock.unlock().unwrap();
        }
        let runs = children.map(|c| {
            let out = c.wait_with_output().unwrap();
            Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8(out.stdout).unwrap(),
                stderr: String::new(),
            }
        });
        for r in readers {
            let (first, rest) = r.join().unwrap();
            assert!(!first.contains("panicked") && !rest.iter().any(|l| l.contains("panicked")));
        }
        let reported: usize = runs.iter().map(|r| r.stdout.lines().count()).sum();
        assert_eq!(reported, 1, "round {round}: {runs:?}");
        let mut codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        assert_eq!(codes, [0, 1], "round {round}: {runs:?}");
        let saved: Value = serde_json::from_str(&w.read(&state)).unwrap();
        assert_eq!(saved["events"].as_object().unwrap().len(), 1);
    }
}

/// A file that is not a state file is refused before any scanning, with a
/// message naming it, and left exactly as it was.
#[test]
fn a_foreign_or_damaged_state_file_is_left_untouched() {
    let w = Workdir::new("cron-foreign");
    growing_data(&w);
    for (name, content) in [
        ("report.csv", "event_id,kind\n"),
        ("half.json", "{\"format\": \"followdrop-state\", \"vers"),
        ("other.json", "{\"events\": {}}"),
        (
            "newer.json",
            "{\"format\": \"followdrop-state\", \"version\": 7, \"events\": {}}",
        ),
    ] {
        w.create(name, content);
        let run = w.run(&["--state", name, "d1.csv"], None);
        run.expect_code(2);
        assert!(
            run.stderr.contains(name) && run.stderr.contains("left untouched"),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
        assert_eq!(w.read(name), content, "{name} was changed");
    }
    // An empty file (made with `touch`) is a fresh state.
    w.create("touched.json", "");
    w.run(&["--state", "touched.json", "d1.csv"], None)
        .expect_code(1);
    assert!(w.read("touched.json").contains("followdrop-state"));
}

/// A report that could not be delivered is not remembered: the next run
/// reports the event again.
#[test]
fn an_undelivered_report_is_not_remembered() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let w = Workdir::new("cron-undelivered");
    growing_data(&w);
    let failed = w.run(
        &["--state", "state.json", "-o", "/dev/full", "d1.csv"],
        None,
    );
    failed.expect_code(2);
    assert!(!w.path().join("state.json").exists());
    cron_scan(&w, "d1.csv").expect_code(1);
}

/// A report into a pipe whose reader has gone (`| head` that quit) is not
/// delivered: the run ends quietly, without remembering it, and the next
/// run reports the event again.
#[test]
fn a_report_into_a_closed_pipe_is_not_remembered() {
    let w = Workdir::new("cron-broken-pipe");
    growing_data(&w);
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(util::binary())
        .current_dir(w.path())
        .args(["scan", "-q", "--state", "state.json", "d1.csv"])
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(!w.path().join("state.json").exists(), "the state was saved");
    let again = cron_scan(&w, "d1.csv");
    again.expect_code(1);
    assert_eq!(events(&again).len(), 1);
}

/// A stdout closed before the run (`>&-`) would swallow the report without
/// an error: cron mode refuses it (status 2, nothing remembered), while a
/// stdout sent to /dev/null on purpose only brings the state up to date.
#[test]
fn a_closed_stdout_is_refused_in_cron_mode() {
    let w = Workdir::new("cron-closed-stdout");
    growing_data(&w);
    let shell = |redirect: &str| {
        let script = format!("exec \"$0\" scan -q --state state.json d1.csv {redirect}");
        let out = std::process::Command::new("sh")
            .current_dir(w.path())
            .args(["-c", &script])
            .arg(util::binary())
            .output()
            .unwrap();
        Run::from_output(out)
    };
    let closed = shell(">&-");
    closed.expect_code(2);
    assert!(
        closed.stderr.contains("stdout was closed"),
        "{}",
        closed.stderr
    );
    assert!(!w.path().join("state.json").exists(), "the state was saved");
    shell(">/dev/null").expect_code(1);
    cron_scan(&w, "d1.csv").expect_code(0);
}

/// The guide's alert script with stand-ins for mail(1) and curl(1) that
/// log what they were given to `sent.log`; curl fails as a real one does
/// where nothing listens (status 7) when the URL names `unreachable`.
struct Alerter<'a> {
    w: &'a Workdir,
    path: String,
}

impl<'a> Alerter<'a> {
    fn new(w: &'a Workdir) -> Alerter<'a> {
        let log = w.path().join("sent.log").display().to_string();
        let fake = |name: &str, fail: &str| {
            let path = w.create(
                &format!("bin/{name}"),
                format!(
                    "#!/bin/sh\n{fail}echo \"{name}: $*\" >> '{log}'\ncat >> '{log}'\necho >> '{log}'\n"
                ),
            );
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        };
        fake("mail", "");
        fake(
            "curl",
            "case \"$*\" in *unreachable*) echo 'curl: (7) Failed to connect' >&2; exit 7;; esac\n",
        );
        let path = format!(
            "{}:{}",
            w.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Alerter { w, path }
    }

    /// The script as cron would run it, with `env` set.
    fn command(&self, state: &str, data: &str, env: (&str, &str)) -> std::process::Command {
        let mut cmd = std::process::Command::new("sh");
        cmd.current_dir(self.w.path())
            .arg(util::root().join("scripts/followdrop-alert.sh"))
            .args([state, data])
            .env("PATH", &self.path)
            .env("FOLLOWDROP", assert_cmd::cargo::cargo_bin!("followdrop"))
            .env(env.0, env.1);
        cmd
    }

    /// Runs the script to its end.
    fn run(&self, state: &str, data: &str, env: (&str, &str)) -> Run {
        Run::from_output(self.command(state, data, env).output().unwrap())
    }

    /// What the stand-ins were given so far.
    fn sent(&self) -> String {
        fs::read_to_string(self.w.path().join("sent.log")).unwrap_or_default()
    }
}

/// The guide's alert script, run as cron would run it: the first run
/// mails the new event, the second finds nothing new and sends nothing;
/// with a webhook it posts valid JSON.
#[test]
fn the_alert_script_sends_each_event_once() {
    let w = Workdir::new("cron-alert");
    growing_data(&w);
    let alert = Alerter::new(&w);

    let run = alert.run("mail.json", "d1.csv", ("ALERT_TO", "analyst@example.org"));
    run.expect_code(0);
    let mail = alert.sent();
    assert!(
        mail.starts_with(
            "mail: -s followdrop: 1 new or changed follower-loss event(s) analyst@example.org\n"
        ),
        "{mail}"
    );
    assert!(
        mail.contains("account_drop since 2024-01-18T") && mail.contains("nimble_bakery_029"),
        "{mail}"
    );
    alert
        .run("mail.json", "d1.csv", ("ALERT_TO", "analyst@example.org"))
        .expect_code(0);
    assert_eq!(alert.sent(), mail, "a second run sent something");

    fs::remove_file(w.path().join("sent.log")).unwrap();
    alert
        .run(
            "hook.json",
            "d2.csv",
            ("ALERT_WEBHOOK", "https://hooks.example.org/x"),
        )
        .expect_code(0);
    let posted = alert.sent();
    let body = posted.lines().nth(1).expect("a body was posted");
    let json: Value = serde_json::from_str(body).expect("the webhook body is JSON");
    let text = json["text"].as_str().unwrap();
    assert!(text.contains("account_purge since 2024-01-18T"), "{text}");
}

/// At least once: an alert that could not be delivered (curl exits 7)
/// fails the run and leaves the state as it was, so the next run, whose
/// delivery works, sends the same event again; then nothing more. The same
/// for the event's change of kind.
#[test]
fn the_alert_script_sends_again_what_it_failed_to_deliver() {
    let w = Workdir::new("cron-alert-retry");
    growing_data(&w);
    let alert = Alerter::new(&w);
    let down = ("ALERT_WEBHOOK", "http://unreachable.example.org/");
    let up = ("ALERT_WEBHOOK", "https://hooks.example.org/x");
    let leftovers = || {
        (fs::read_dir(w.path()).unwrap())
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.contains(".pending."))
            .collect::<Vec<_>>()
    };

    let failed = alert.run("hook.json", "d1.csv", down);
    failed.expect_code(7);
    assert!(failed.stderr.contains("not delivered"), "{}", failed.stderr);
    assert!(!w.path().join("hook.json").exists(), "the state was saved");
    assert_eq!(leftovers(), Vec::<String>::new());
    alert.run("hook.json", "d1.csv", up).expect_code(0);
    let posted = alert.sent();
    assert!(
        posted.contains("account_drop since 2024-01-18T") && posted.contains("nimble_bakery_029"),
        "{posted}"
    );
    alert.run("hook.json", "d1.csv", up).expect_code(0);
    assert_eq!(alert.sent(), posted, "a delivered event was sent again");

    let before = w.read("hook.json");
    alert.run("hook.json", "d2.csv", down).expect_code(7);
    assert_eq!(w.read("hook.json"), before, "the state changed");
    alert.run("hook.json", "d2.csv", up).expect_code(0);
    let again = alert.sent();
    assert!(
        again[posted.len()..].contains("account_purge since 2024-01-18T"),
        "{again}"
    );
    assert_eq!(leftovers(), Vec::<String>::new());
}

/// Overlapping runs of the script take turns on the state's own lock
/// (`STATE.lock`, which `followdrop scan --state` takes too): while it is
/// held elsewhere both runs wait, say so, and neither touches the state
/// nor sends anything; once it is released the event is sent once between
/// them.
#[test]
fn overlapping_alert_runs_take_turns_on_the_state_lock() {
    let w = Workdir::new("cron-alert-overlap");
    growing_data(&w);
    let alert = Alerter::new(&w);
    let lock = fs::File::create(w.path().join("hook.json.lock")).unwrap();
    lock.lock().unwrap();
    let up = ("ALERT_WEBHOOK", "https://hooks.example.org/x");
    let (tx, rx) = std::sync::mpsc::channel();
    let children: Vec<_> = (0..2)
        .map(|_| {
            let mut child = (alert.command("hook.json", "d1.csv", up))
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let stderr = child.stderr.take().unwrap();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
                    let _ = tx.send(line.unwrap_or_default());
                }
            });
            child
        })
        .collect();
    for _ in 0..2 {
        let line = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
        assert!(
            line.contains("waiting for") && line.contains("hook.json.lock"),
            "{line}"
        );
    }
    assert_eq!(alert.sent(), "", "sent while another run held the lock");
    assert!(!w.path().join("hook.json").exists());
    lock.unlock().unwrap();
    for mut child in children {
        assert_eq!(child.wait().unwrap().code(), Some(0));
    }
    let posted = alert.sent();
    assert_eq!(posted.matches("nimble_bakery_029").count(), 1, "{posted}");
}

/// SPEC: an event keeps its id when the same data is scanned again with
/// more snapshots appended. Scans of ever longer prefixes of one simulated
/// data set name every settled event (its persistence known, so the
/// recovery window has passed) as the whole data set does: platform events
/// are named by their starting grid point, so the seconds of whichever
/// accounts count among their hits do not matter. (An event still forming
/// at the very end of the data can move by a bucket; cron mode recognises
/// it by its span.)
#[test]
fn ids_are_stable_as_snapshots_are_appended() {
    let w = Workdir::new("ids");
    let mut sim = util::followdrop(w.path());
    sim.args([
        "simulate",
        "--scenario",
        "mixed",
        "--accounts",
        "100",
        "--days",
        "45",
        "--interval",
        "1h",
        "--seed",
        "3",
        "-o",
        "all.csv",
    ]);
    sim.assert().success();
    let all = w.read("all.csv");
    let subject = |e: &Value| match e["scope"].as_str() {
        Some("platform") => "platform".to_string(),
        _ => e["accounts"][0]["account"].as_str().unwrap().to_string(),
    };
    let full = events(&w.run(&["-q", "--format", "json", "all.csv"], None));
    assert!(full.len() >= 5, "{}", full.len());
    let mut matched = 0;
    for day in (7..=43).step_by(3) {
        let cut = format!("2024-01-{day:02}T12");
        let prefix: String = all
            .lines()
            .enumerate()
            .filter(|(i, l)| *i == 0 || l.as_bytes() < cut.as_bytes())
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        w.create("prefix.csv", prefix);
        for e in events(&w.run(&["-q", "--format", "json", "prefix.csv"], None)) {
            if e["persistence"] == "undetermined" {
                continue;
            }
            let same = full.iter().find(|f| {
                subject(f) == subject(&e)
                    && f["start"].as_str() <= e["end"].as_str()
                    && e["start"].as_str() <= f["end"].as_str()
            });
            if let Some(f) = same {
                matched += 1;
                assert_eq!(f["id"], e["id"], "data up to {cut}: {} vs {}", e, f);
            }
        }
    }
    assert!(matched >= 10, "only {matched} events to compare");
}

/// A state file written by the release before the detection was rebuilt
/// (0.1.0 at 64acc46, kept in `tests/data/state-0.1.0/`) keeps working: the
/// events it already reported are recognised by account and span (their
/// ids and times moved a little with the new detection) and not reported
/// again, and the file is rewritten with the new ids.
#[test]
fn a_state_file_of_the_previous_release_is_recognised() {
    for fixture in [
        "instagram-2019-02-13",
        "influencer-purge",
        "end-of-data",
        "three-accounts",
    ] {
        let w = Workdir::new(&format!("old-state-{fixture}"));
        let old = util::root().join(format!("tests/data/state-0.1.0/{fixture}.json"));
        fs::copy(&old, w.path().join("state.json")).unwrap();
        let data = util::root().join(format!("fixtures/{fixture}.csv"));
        let run = cron_scan(&w, data.to_str().unwrap());
        run.expect_code(0);
        assert_eq!(events(&run), Vec::<Value>::new(), "{fixture}");
        // The state now holds this release's ids of the same events.
        let state: Value = serde_json::from_str(&w.read("state.json")).unwrap();
        let (report, _) = util::scan_json(&[data.to_str().unwrap()]);
        let ids: Vec<&str> = report["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        for id in ids {
            assert!(
                state["events"].get(id).is_some(),
                "{fixture}: {id} in {state}"
            );
        }
    }
}

/// The same with an event whose id moved (the core of a platform purge
/// starts an hour later than the old quantile of its accounts' starts):
/// recognised by its span. The data is `simulate --scenario hard --accounts
/// 100 --days 45 --seed 1`, the state the previous release's over it.
#[test]
fn a_moved_event_of_the_previous_release_is_recognised_by_its_span() {
    let w = Workdir::new("old-state-moved");
    let mut sim = util::followdrop(w.path());
    sim.args(["simulate", "--scenario", "hard", "--accounts", "100"]);
    sim.args(["--days", "45", "--seed", "1", "-o", "data.csv"]);
    sim.assert().success();
    let old = util::root().join("tests/data/state-0.1.0/hard-100x45d-seed1.json");
    let before: Value = serde_json::from_str(&fs::read_to_string(&old).unwrap()).unwrap();
    assert!(before["events"].get("p-20240120T230000Z").is_some());
    fs::copy(&old, w.path().join("state.json")).unwrap();
    let run = cron_scan(&w, "data.csv");
    run.expect_code(0);
    let state: Value = serde_json::from_str(&w.read("state.json")).unwrap();
    assert!(
        state["events"].get("p-20240121T000000Z").is_some(),
        "{state}"
    );
    assert!(
        state["events"].get("p-20240120T230000Z").is_none(),
        "{state}"
    );
}

/// `--state -` cannot be stdout: the state is read, locked and replaced.
#[test]
fn the_state_is_a_file_not_stdout() {
    let w = Workdir::new("state-dash");
    let run = w.run(
        &[
            "--state",
            "-",
            "-o",
            "r.json",
            &util::root()
                .join("fixtures/influencer-purge.csv")
                .display()
                .to_string(),
        ],
        None,
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("--state -: the state must be a file"),
        "{}",
        run.stderr
    );
    assert!(!w.path().join("r.json").exists() && !w.path().join("-").exists());
}
