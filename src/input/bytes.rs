//! Byte searches eight bytes at a time: every row of a CSV file is split
//! and every string of an NDJSON record is scanned here, and a loop over
//! single bytes was most of that time. A word's matching bytes are found
//! with a few integer operations (exact per byte, so the lowest flagged
//! byte is the first match).

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that equals `byte`, and no other
/// bit (exact, unlike the shorter test that can also flag the byte after a
/// match).
pub(super) fn bytes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// The high bit of each byte of `word` below 0x20 (a control character),
/// and no other bit: a byte without its high bit is below 0x20 when adding
/// 0x60 leaves the high bit clear (no carry leaves a byte).
fn bytes_below_space(word: u64) -> u64 {
    !(((word & LOW7) + 0x6060_6060_6060_6060) | word) & HIGH
}

/// Where the text of a JSON string that starts at `bytes[0]` (after its
/// opening quote) stops: the first quote, backslash or control character.
pub(super) fn string_end(bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let found = bytes_equal(word, b'"') | bytes_equal(word, b'\\') | bytes_below_space(word);
        if found != 0 {
            return Some(base + found.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    let rest = words.remainder();
    let at = rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
    Some(base + at)
}

/// Where the first byte equal to `a` or `b` is: the end of a plain CSV
/// cell (its delimiter), or a quote that makes the row no plain one.
pub(super) fn first_of(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let found = bytes_equal(word, a) | bytes_equal(word, b);
        if found != 0 {
            return Some(base + found.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    let at = words.remainder().iter().position(|&c| c == a || c == b)?;
    Some(base + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn string_ends_are_found_as_a_byte_loop_finds_them(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::any::<u8>(),
                    proptest::sample::select(vec![b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, 0x9f, 0xa0, b'a']),
                ],
                0..40,
            ),
        ) {
            let expected = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            proptest::prop_assert_eq!(string_end(&bytes), expected);
        }

        #[test]
        fn firsts_of_two_are_found_as_a_byte_loop_finds_them(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b',', b'"', b'a', 0x80, 0xac, 0xa2]),
                0..40,
            ),
        ) {
            let expected = bytes.iter().position(|&b| b == b',' || b == b'"');
            proptest::prop_assert_eq!(first_of(&bytes, b',', b'"'), expected);
        }

        #[test]
        fn bytes_below_space_are_exact(word in proptest::prelude::any::<u64>()) {
            let expected = word
                .to_le_bytes()
                .iter()
                .enumerate()
                .fold(0u64, |m, (i, &b)| if b < 0x20 { m | 0x80 << (8 * i) } else { m });
            proptest::prop_assert_eq!(bytes_below_space(word), expected);
        }
    }
}
