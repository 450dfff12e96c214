//! followdrop: when followers vanish, was it the platform or the account,
//! and will they come back?
//!
//! Data flows one way: [`input`] reads snapshots, [`dataset`] groups them by
//! account, [`grid`] puts them on a common time grid, [`detect`] finds and
//! classifies the drops, and [`report`] writes them out. [`cli`] holds the
//! command line and [`run`] wires the steps together.

#![forbid(unsafe_code)]

pub mod cli;
pub mod dataset;
pub mod detect;
pub mod grid;
pub mod input;
pub mod report;
pub mod stats;
pub mod time;

pub use cli::run;
