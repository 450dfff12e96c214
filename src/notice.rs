//! Notices for waits that may never end: a run that waits for another
//! run's lock, or for a FIFO that nothing writes to, says so once on stderr
//! after a few seconds — not at once, since short waits are normal and
//! cron mails every line of stderr.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How long a wait goes on before it is worth a word.
pub const PATIENCE: Duration = Duration::from_secs(3);

/// Says its message on stderr once [`PATIENCE`] has passed, unless it was
/// dropped before (the wait is over).
#[derive(Debug)]
pub struct Notice {
    /// Dropping it wakes the thread that would speak, which then ends.
    _over: mpsc::Sender<()>,
}

impl Notice {
    /// Starts the clock for `message`.
    pub fn after_patience(message: String) -> Notice {
        let (over, wait) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if wait.recv_timeout(PATIENCE) == Err(RecvTimeoutError::Timeout) {
                // It names files: none may drive the terminal.
                eprintln!("followdrop: {}", crate::sanitize::escaped(&message));
            }
        });
        Notice { _over: over }
    }
}

/// A notice for reading `inputs` (`-` is stdin, a pipe from a program that
/// is there to write it): named FIFOs among them wait for ever while
/// nothing writes to them, and meanwhile a `--state` run holds `lock`.
/// `None` when no input is a FIFO.
pub fn fifo_inputs(inputs: &[String], lock: Option<&str>) -> Option<Notice> {
    let fifo = inputs.iter().find(|i| *i != "-" && is_fifo(i))?;
    let held = lock.map_or(String::new(), |l| format!(" (meanwhile it holds {l})"));
    Some(Notice::after_patience(format!(
        "still reading {fifo}, a FIFO: this run waits until something writes to it and closes \
         it{held}"
    )))
}

#[cfg(unix)]
fn is_fifo(path: &str) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

#[cfg(not(unix))]
fn is_fifo(_: &str) -> bool {
    false
}
