//! Text from the input made safe to show. Account names, file names,
//! column names and cell values are written by others — a scraper, a
//! platform, whoever named a file in a scanned folder — and may hold
//! escape sequences that clear a terminal or set its title, or bidi
//! overrides that make a name read backwards. Every such string that
//! reaches a terminal, an SVG or a page goes through here.

use std::borrow::Cow;

/// The bidirectional formatting characters (embeddings, overrides,
/// isolates and marks): they reorder the text around them.
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// For a report on a terminal: control and bidi characters become U+FFFD,
/// one column each, so that tables keep their widths.
pub fn for_terminal(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || is_bidi(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// For a message (an error or a warning): control and bidi characters,
/// line breaks and tabs aside, are written as escapes (`\u{1b}`), which
/// say what is there.
pub fn escaped(s: &str) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_bidi(c);
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// For XML (an SVG): what XML 1.0 cannot hold even escaped (control
/// characters, U+FFFE, U+FFFF) and bidi characters become U+FFFD, so that
/// any name gives a well-formed document that reads as written.
pub fn for_xml(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c if c.is_control() || is_bidi(c) => '\u{fffd}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_keeps_its_width() {
        assert_eq!(for_terminal("\x1b[2Jx"), "\u{fffd}[2Jx");
        assert_eq!(for_terminal("abc\u{202e}fed"), "abc\u{fffd}fed");
        assert_eq!(for_terminal("ok\u{2067}"), "ok\u{fffd}");
        assert_eq!(for_terminal("café ☕"), "café ☕");
    }

    #[test]
    fn messages_show_escapes() {
        assert_eq!(escaped("plain\nline"), "plain\nline");
        assert_eq!(
            escaped("a\x1b]0;title\x07b\u{202e}c"),
            "a\\u{1b}]0;title\\u{7}b\\u{202e}c"
        );
    }

    #[test]
    fn xml_text_is_well_formed() {
        assert_eq!(
            for_xml("a\u{0}b\u{ffff}\u{202e}"),
            "a\u{fffd}b\u{fffd}\u{fffd}"
        );
    }
}
