#![no_main]
//! The CSV reader (and gzip, detected by its magic bytes), then the whole
//! pipeline on whatever it accepted.

use libfuzzer_sys::fuzz_target;

mod pipeline;

fuzz_target!(|data: &[u8]| {
    pipeline::run("fuzz.csv", data);
});
