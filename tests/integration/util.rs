//! Helpers for the integration tests: a temporary work directory per test
//! (xsv's `Workdir`), a runner that captures what the real binary did, and
//! access to the fixtures and their designed truth.
//!
//! Nothing here is shared between tests: every test makes its own `Workdir`
//! and runs the binary afresh.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

/// The crate root; fixtures and golden files are found from here, and
/// fixture scans run here so that reported file names are stable.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The designed truth of a fixture: `fixtures/truth/<name>.json`.
pub fn truth(name: &str) -> Value {
    let path = root().join("fixtures/truth").join(format!("{name}.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A `followdrop` command that runs in `dir`, with colour and the user's
/// environment kept out of the way.
pub fn followdrop(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("followdrop");
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .timeout(std::time::Duration::from_secs(30));
    cmd
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    /// The stdout parsed as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); exit {}\n--- stdout\n{}\n--- stderr\n{}",
                self.code, self.stdout, self.stderr
            )
        })
    }

    /// Panics, showing everything, unless the exit status is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert!(
            self.code == code,
            "expected exit {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            self.stdout,
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "the binary panicked:\n{}",
            self.stderr
        );
        self
    }
}

/// Runs `cmd` to completion, feeding it `stdin` if given.
pub fn run(mut cmd: assert_cmd::Command, stdin: Option<&[u8]>) -> Run {
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_vec());
    }
    Run::from_output(cmd.output().expect("the binary runs"))
}

/// Runs `followdrop scan <args>` in the crate root (fixture paths are
/// relative to it).
pub fn scan(args: &[&str]) -> Run {
    let mut cmd = followdrop(&root());
    cmd.arg("scan").args(args);
    run(cmd, None)
}

/// Runs `followdrop scan --format json <args>` in the crate root and parses
/// the report; the exit status is returned beside it.
pub fn scan_json(args: &[&str]) -> (Value, Run) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = scan(&all);
    (run.json(), run)
}

/// A temporary directory for one test, removed when the test ends.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new(name: &str) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("followdrop-{name}-"))
            .tempdir()
            .expect("temp dir");
        Workdir { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` to `name` inside the work directory.
    pub fn create(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, contents).unwrap();
        path
    }

    /// Writes `contents` gzip-compressed to `name`.
    pub fn create_gz(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(contents.as_ref()).unwrap();
        self.create(name, gz.finish().unwrap())
    }

    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    /// A `followdrop scan` command running inside the work directory.
    pub fn scan(&self) -> assert_cmd::Command {
        let mut cmd = followdrop(self.path());
        cmd.arg("scan");
        cmd
    }

    /// Runs `followdrop scan <args>` here, optionally with stdin.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        let mut cmd = self.scan();
        cmd.args(args);
        run(cmd, stdin)
    }
}

/// The JSON report with the `input.files` array replaced by `null`, every
/// other byte untouched: reports of the same data read from different files
/// must be byte-identical apart from that field.
pub fn without_files(report: &str) -> String {
    let key = "\"files\": [";
    let start = report
        .find(key)
        .unwrap_or_else(|| panic!("no input.files in report:\n{report}"));
    assert_eq!(
        report.matches(key).count(),
        1,
        "`files` appears more than once"
    );
    let close = start + report[start..].find(']').expect("files array closes");
    format!(
        "{}\"files\": null{}",
        &report[..start],
        &report[close + 1..]
    )
}

/// Asserts two texts are equal, showing the first differing line.
#[track_caller]
pub fn assert_same_text(what: &str, expected: &str, got: &str) {
    if expected == got {
        return;
    }
    let mut msg = format!("{what}: texts differ\n");
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    match (0..e.len().max(g.len())).find(|&i| e.get(i) != g.get(i)) {
        Some(i) => {
            let _ = writeln!(msg, "first difference at line {}:", i + 1);
            let _ = writeln!(msg, "  expected: {:?}", e.get(i));
            let _ = writeln!(msg, "  got:      {:?}", g.get(i));
        }
        None => {
            let _ = writeln!(msg, "(only line endings or a final newline differ)");
        }
    }
    let _ = write!(msg, "--- expected\n{expected}\n--- got\n{got}");
    panic!("{msg}");
}

/// Names of the accounts an event lists as affected.
pub fn affected(event: &Value) -> Vec<String> {
    event["accounts"]
        .as_array()
        .expect("event.accounts is an array")
        .iter()
        .map(|a| {
            a["account"]
                .as_str()
                .expect("account is a string")
                .to_string()
        })
        .collect()
}

/// The affected-account entry named `name`, if listed.
pub fn account<'a>(event: &'a Value, name: &str) -> Option<&'a Value> {
    event["accounts"]
        .as_array()?
        .iter()
        .find(|a| a["account"] == name)
}

/// A JSON array of strings as a `Vec<String>`.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

/// A count as the text report writes it: `12345678` → `12,345,678`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The one event a report must hold, with the right exit status (1).
#[track_caller]
pub fn only_event(report: &Value, run: &Run) -> Value {
    run.expect_code(1);
    let events = report["events"].as_array().expect("events is an array");
    assert_eq!(
        events.len(),
        1,
        "expected exactly one event, got {}:\n{:#}",
        events.len(),
        report["events"]
    );
    events[0].clone()
}

/// The six per-account files, in the order `ls` gives them.
pub fn per_account_files() -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(root().join("fixtures/per-account"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".csv"))
        .map(|n| format!("fixtures/per-account/{n}"))
        .collect();
    files.sort();
    files
}

/// Runs `followdrop <args>` in `dir` under GNU time (`/usr/bin/time -f %M`)
/// and returns what it did with its peak resident memory in KiB; the memory
/// is `None` where GNU time is not installed (the run itself still happens,
/// so callers assert on it either way).
pub fn run_measured(dir: &Path, args: &[&str]) -> (Run, Option<u64>) {
    let report = tempfile::NamedTempFile::new().expect("temp file");
    let timed = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output();
    let peak = |out: &std::process::Output| {
        let text = fs::read_to_string(report.path()).ok()?;
        let kib = text.lines().last()?.trim().parse().ok()?;
        out.status.code().map(|_| kib)
    };
    match timed {
        Ok(out) if peak(&out).is_some() => {
            let kib = peak(&out);
            (Run::from_output(out), kib)
        }
        _ => {
            let mut cmd = followdrop(dir);
            cmd.args(args);
            (run(cmd, None), None)
        }
    }
}

pub fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin!("followdrop").to_path_buf()
}

pub const CSV_HEADER: &str = "event_id,kind,scope,persistence,start,end,recovered_at,account,\
                          before,after,lost,relative_loss,excess";
