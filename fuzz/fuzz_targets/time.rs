#![no_main]
//! `parse_time` on arbitrary UTF-8, in UTC and in Europe/Paris: never a
//! panic, and any accepted time formatted as RFC 3339 reads back the same.

use followdrop::time::{format_rfc3339, parse_time, Zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let paris = Zone::parse("Europe/Paris").expect("Europe/Paris is a known zone");
    for zone in [Zone::Utc, paris] {
        if let Ok(t) = parse_time(s, zone) {
            let formatted = format_rfc3339(t);
            let back = parse_time(&formatted, Zone::Utc);
            assert_eq!(
                back.as_ref().ok(),
                Some(&t),
                "{s:?} (zone {zone:?}) parsed to {t}, formatted as {formatted:?}, which reads back as {back:?}"
            );
        }
    }
});
