#![no_main]
//! The JSON reader alone (plain text: inputs that start like compressed data or
//! a container are skipped): `input::read_bytes("fuzz.json", data, &ReadOptions::default())`,
//! nothing after it.

use followdrop::input::ReadOptions;
use libfuzzer_sys::fuzz_target;

mod readers;

fuzz_target!(init: readers::init(), |data: &[u8]| {
    readers::run("fuzz.json", data, &ReadOptions::default());
});
