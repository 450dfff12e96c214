#![no_main]
//! `parse_duration` on arbitrary UTF-8: never a panic, any accepted value is
//! strictly positive, and `format_duration` of it reads back the same.

use followdrop::time::{format_duration, parse_duration};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = parse_duration(s) {
        assert!(v > 0, "{s:?} parsed to {v}, not > 0");
        let formatted = format_duration(v);
        let back = parse_duration(&formatted);
        assert_eq!(
            back,
            Ok(v),
            "{s:?} parsed to {v}, formatted as {formatted:?}, which reads back as {back:?}"
        );
    }
});
