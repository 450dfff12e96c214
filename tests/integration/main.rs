//! The integration tests: the real binary on real files, one module per
//! concern, built as one test binary (`cargo test --test integration`).
//! The accuracy suite (`tests/eval.rs`) and the property tests
//! (`tests/properties.rs`) are binaries of their own.
//!
//! Every test runs the real binary, in its own temporary directory when it
//! writes files, and shares no mutable state with any other. Expectations
//! come from docs/SPEC.md and the fixtures' designed truth
//! (`fixtures/truth/`), never from what the binary happens to print today.

mod bad_input;
mod conventions;
mod cron;
mod exports;
mod faults;
mod fixtures;
mod golden;
mod html;
mod limits;
mod live_files;
mod nasty;
mod options;
mod phenomena;
mod plot;
mod schema;
mod shapes;
mod show;
mod text;
mod util;
