//! `FOLLOWDROP_TIMING`: how long each step of a run took, for benchmarks.

/// With `FOLLOWDROP_TIMING` set, prints to stderr how long each step took
/// and the peak memory so far (Linux): where to look first when a number in
/// BENCHMARKS.md moves.
pub(crate) struct Timing(Option<std::time::Instant>);

impl Timing {
    pub(crate) fn from_env() -> Timing {
        Timing(std::env::var_os("FOLLOWDROP_TIMING").map(|_| std::time::Instant::now()))
    }

    pub(crate) fn lap(&mut self, step: &str) {
        let Some(start) = self.0 else { return };
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
                .unwrap_or_else(|| "?".to_string())
        };
        eprintln!(
            "followdrop: timing: {step} {:.3}s (peak RSS so far {}, now {})",
            start.elapsed().as_secs_f64(),
            field("VmHWM:"),
            field("VmRSS:")
        );
        self.0 = Some(std::time::Instant::now());
    }
}
