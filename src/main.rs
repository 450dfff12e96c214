//! The `followdrop` binary: parse arguments, run, map the outcome to the
//! exit status (0 no event, 1 events, 2 error). A closed stdout pipe ends
//! the program quietly; SIGINT and SIGTERM end it after removing the
//! temporary files it was writing.

#![deny(unsafe_code)]

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
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    give_large_blocks_back();
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

/// Keeps glibc's allocator from holding on to the large blocks a read
/// frees. A parallel read fills and frees, on the pool's threads, buffers of
/// a piece of the input each (hundreds of kilobytes to megabytes). glibc
/// maps a block that large on its own and unmaps it when freed, but after
/// the first such free it raises that threshold to the block's size (up to
/// 32 MiB), so the next ones come from the threads' arenas instead, where
/// what is freed stays resident and no other thread reuses it: 20–25 MB of
/// a 100,000-account scan's peak (343–345 MB with the raise, 320 MB
/// without; 78–80 MB and 71 MB at 20,000 accounts; no measurable change in
/// time). Setting the threshold, to glibc's own default of 128 KiB, turns
/// the raise off.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn give_large_blocks_back() {
    /// glibc's default `M_MMAP_THRESHOLD`.
    const THRESHOLD: libc::c_int = 128 * 1024;
    // SAFETY: `mallopt` only sets a parameter of the allocator, and is
    // called before any other thread exists; on failure (0) the allocator
    // keeps its defaults, which are correct, only larger.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
    }
}

/// Whether the error comes from writing into a closed pipe (`| head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
