//! Progress on stderr, only for people: a bar for long reads, then a
//! status line naming the step a long run is at (building the grid, each
//! stage of detection). Both appear only when stderr is a terminal and the
//! work has taken more than a second, so pipes, cron jobs and quick scans
//! never see them.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long work runs before the bar shows.
const DELAY: Duration = Duration::from_secs(1);

/// Bytes read so far out of the inputs' total size.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    shown: AtomicBool,
    wanted: bool,
}

impl Progress {
    /// A bar for `total` bytes (0 when unknown, as for stdin); `None`: no
    /// bar at all (`--quiet`, or a library caller).
    pub fn new(total: Option<u64>) -> Arc<Progress> {
        let wanted = total.is_some() && io::stderr().is_terminal();
        let total = total.unwrap_or(0);
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let style = if total > 0 {
            ProgressStyle::with_template("reading {bar:20} {bytes}/{total_bytes} {bytes_per_sec}")
        } else {
            ProgressStyle::with_template("reading {spinner} {bytes} {bytes_per_sec}")
        };
        if let Ok(style) = style {
            bar.set_style(style);
        }
        Arc::new(Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
            wanted,
        })
    }

    /// Counts `bytes` more read; shows the bar once the delay has passed.
    pub fn add(&self, bytes: u64) {
        self.bar.inc(bytes);
        if self.wanted
            && !self.shown.load(Ordering::Relaxed)
            && self.start.elapsed() > DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// The bytes counted so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Removes the bar (reading is over).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A reader that counts what passes through it into a [`Progress`].
pub struct Counted<R> {
    pub inner: R,
    pub progress: Arc<Progress>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.add(n as u64);
        Ok(n)
    }
}

/// The status line of the steps after the read: turned on by
/// [`show_status`], one per process (stderr has one last line).
static STATUS: OnceLock<Status> = OnceLock::new();

struct Status {
    /// When the run began: the line shows once it has gone on for [`DELAY`].
    start: Instant,
    /// The spinner, once shown.
    bar: Mutex<Option<ProgressBar>>,
}

/// Turns the status line on, from now, when stderr is a terminal: the
/// command line does, unless `--quiet`.
pub fn show_status() {
    if io::stderr().is_terminal() {
        STATUS.get_or_init(|| Status {
            start: Instant::now(),
            bar: Mutex::new(None),
        });
    }
}

/// Says on the status line that the run is now at `step` (nothing when it
/// is off, or the run is young).
pub fn status(step: &str) {
    let Some(status) = STATUS.get() else { return };
    if status.start.elapsed() < DELAY {
        return;
    }
    let Ok(mut bar) = status.bar.lock() else {
        return;
    };
    let bar = bar.get_or_insert_with(|| {
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    bar.set_message(step.to_string());
    bar.reset_elapsed();
}

/// Clears the status line: the run's steps are over (or it failed), and
/// what comes next on the terminal is the report or an error.
pub fn clear_status() {
    if let Some(status) = STATUS.get()
        && let Ok(mut bar) = status.bar.lock()
        && let Some(bar) = bar.take()
    {
        bar.finish_and_clear();
    }
}
