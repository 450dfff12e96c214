//! The `followdrop` binary: parse arguments, run, map the outcome to the
//! exit status (0 no event, 1 events, 2 error). A closed stdout pipe ends
//! the program quietly; SIGINT and SIGTERM end it after removing the
//! temporary files it was writing.

#![forbid(unsafe_code)]

use clap::Parser;
use followdrop::cli::{Cli, Exit};
use followdrop::sanitize::escaped;
use std::io::{self, Write};
use std::process::ExitCode;

/// The live heap, counted for `FOLLOWDROP_TIMING` (a `heap-stats` build only).
#[cfg(feature = "heap-stats")]
#[global_allocator]
static HEAP: followdrop::heap::Counting = followdrop::heap::Counting;

fn main() -> ExitCode {
    // Before any other thread exists.
    followdrop::allocator::keep_large_blocks_apart();
    followdrop::output::remove_temporary_files_on_signals();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match followdrop::run(cli) {
        Ok(Exit::Quiet) => ExitCode::from(0),
        Ok(Exit::Events) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(0),
        Err(e) => {
            followdrop::progress::clear_status();
            match e.downcast_ref::<clap::Error>() {
                // A usage error found only once the input was read (a
                // `--*-col` naming no column of it): printed as clap's own.
                Some(usage) => {
                    let _ = usage.print();
                }
                None => {
                    // File names, column names and values quoted from the
                    // input: none may drive the terminal.
                    let message = format!("{e:#}");
                    let _ = writeln!(io::stderr(), "followdrop: error: {}", escaped(&message));
                }
            }
            ExitCode::from(2)
        }
    }
}

/// Whether the error comes from writing into a closed pipe (`| head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
