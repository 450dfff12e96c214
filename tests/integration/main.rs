//! The integration tests: the real binary on real files, one module per
//! concern, built as one test binary (`cargo test --test integration`).
//! The accuracy suite (`tests/eval.rs`) and the property tests
//! (`tests/properties.rs`) are binaries of their own.

mod cli;
mod conventions;
mod cron;
mod exports;
mod shapes;
mod show;
mod util;
