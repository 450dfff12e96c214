//! The steps of a run after the read (data set, grid, detection's stages):
//! each one named on the terminal's status line while it runs (see
//! [`crate::progress::status`]), and with `FOLLOWDROP_TIMING` set, its time
//! and the peak memory so far printed on stderr when it ends — where to
//! look first when a number in BENCHMARKS.md moves.

use std::time::Instant;

/// The step a run is at, since when.
pub(crate) struct Steps {
    step: &'static str,
    since: Instant,
    timed: bool,
}

impl Steps {
    /// Starts the first step.
    pub(crate) fn start(step: &'static str) -> Steps {
        crate::progress::status(step);
        Steps {
            step,
            since: Instant::now(),
            timed: std::env::var_os("FOLLOWDROP_TIMING").is_some(),
        }
    }

    /// Ends the current step and starts `step`.
    pub(crate) fn next(&mut self, step: &'static str) {
        self.lap();
        crate::progress::status(step);
        self.step = step;
        self.since = Instant::now();
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
            "followdrop: timing: {} {:.3}s (peak RSS so far {}, now {}{})",
            self.step,
            self.since.elapsed().as_secs_f64(),
            field("VmHWM:"),
            field("VmRSS:"),
            live_heap()
        );
    }
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
