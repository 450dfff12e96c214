//! The steps of a run after the read (data set, grid, detection's stages):
//! each one named on the terminal's status line while it runs (see
//! [`crate::progress::status`]), and with `FOLLOWDROP_TIMING` set, its time
//! (wall and CPU: CPU above wall means the step ran on several threads)
//! and the peak memory so far printed on stderr when it ends — where to
//! look first when a number in BENCHMARKS.md moves.

use std::time::Instant;

/// The step a run is at, since when.
pub(crate) struct Steps {
    step: &'static str,
    since: Instant,
    /// The process's CPU time when the step started (when timed).
    cpu: f64,
    timed: bool,
}

impl Steps {
    /// Starts the first step.
    pub(crate) fn start(step: &'static str) -> Steps {
        crate::progress::status(step);
        let timed = std::env::var_os("FOLLOWDROP_TIMING").is_some();
        Steps {
            step,
            since: Instant::now(),
            cpu: if timed { cpu_seconds() } else { 0.0 },
            timed,
        }
    }

    /// Ends the current step and starts `step`.
    pub(crate) fn next(&mut self, step: &'static str) {
        self.lap();
        crate::progress::status(step);
        self.step = step;
        self.since = Instant::now();
        if self.timed {
            self.cpu = cpu_seconds();
        }
    }

    /// Ends the last step.
    pub(crate) fn end(self) {
        self.lap();
    }

    fn lap(&self) {
        if !self.timed {
            return;
        }
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
                .unwrap_or_else(|| "?".to_string())
        };
        eprintln!(
            "followdrop: timing: {} {:.3}s, CPU {:.2}s (peak RSS so far {}, now {}{})",
            self.step,
            self.since.elapsed().as_secs_f64(),
            cpu_seconds() - self.cpu,
            field("VmHWM:"),
            field("VmRSS:"),
            live_heap()
        );
    }
}

/// The CPU time (user and system) of the whole process so far, in
/// seconds, from `/proc/self/stat` (0 where there is none). Its unit is
/// Linux's `USER_HZ`, 100 a second on every architecture it runs on.
fn cpu_seconds() -> f64 {
    const USER_HZ: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's name (which may hold spaces) in
    // parentheses: state is field 3, utime 14 and stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    ticks as f64 / USER_HZ
}

/// With the `heap-stats` feature, the bytes allocated and not freed, now
/// and at their peak (see [`crate::heap`]); nothing otherwise.
fn live_heap() -> String {
    #[cfg(feature = "heap-stats")]
    {
        let (now, peak) = crate::heap::live();
        format!("; live heap {} kB, peak {} kB", now / 1024, peak / 1024)
    }
    #[cfg(not(feature = "heap-stats"))]
    String::new()
}
