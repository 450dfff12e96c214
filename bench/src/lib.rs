//! Helpers for followdrop's benchmarks (`benches/kernels.rs`): deterministic
//! sample data and simulated input files. Everything goes through
//! followdrop's public API, which stays stable while its internals change.

use followdrop::simulate::{Readout, Scenario, SimFormat, SimOptions, simulate};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// 2024-01-01T00:00:00Z, the simulator's default start.
pub const START: i64 = 1_704_067_200;
pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;

/// `n` log changes like an account's day-to-day movement: small noise
/// around a slow trend, with now and then a larger step (deterministic).
pub fn log_changes(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64*: enough for benchmark data.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let u = next() - 0.5;
            let jump = if next() < 0.02 {
                0.2 * (next() - 0.5)
            } else {
                0.0
            };
            0.001 + 0.01 * u + jump
        })
        .collect()
}

/// Writes `simulate --scenario mixed --no-following` CSV data of `accounts`
/// accounts over `days` days, one snapshot each `interval` seconds, to `path`.
pub fn write_simulated(path: &Path, accounts: usize, days: i64, interval: i64) {
    let opts = SimOptions {
        accounts,
        start: START,
        end: START + days * DAY,
        interval,
        seed: 1,
        scenario: Scenario::Mixed,
        inject: Vec::new(),
        following: false,
        format: SimFormat::Csv,
        readout: Readout::default(),
    };
    let mut out = BufWriter::new(File::create(path).expect("create simulated file"));
    simulate(&opts, &mut out).expect("simulate");
    out.flush().expect("write simulated file");
}
