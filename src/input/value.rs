//! Cell values shared by every format: follower counts, and errors that
//! name the file, line (or record), field and value.

use super::{Field, shorten};
use crate::time::{TimeError, TimeForm};
use std::fmt;

/// Where a record sits in its input, for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Position {
    /// 1-based line number (CSV, NDJSON).
    Line(u64),
    /// 1-based record number (elements of a JSON array).
    Record(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// An invalid cell: the message names the file, position, field and column,
/// shows the (shortened) value and says what was expected.
pub(crate) fn field_error(
    file: &str,
    pos: Position,
    field: Field,
    column: &str,
    value: &str,
    problem: &dyn fmt::Display,
) -> anyhow::Error {
    anyhow::anyhow!(
        "{file}: {pos}: {field} (column {column:?}): invalid value {}: {problem}",
        quoted(&shorten(value))
    )
}

/// A value in double quotes with control characters escaped, as `{:?}`
/// writes it, except NUL, which `{:?}` writes as `\0`: followed by digits
/// (`"12\034"`) that reads as an octal escape, so it is written `\u{0}`.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\0' => out.push_str("\\u{0}"),
            _ => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    out
}

/// Why a count could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CountError {
    Negative,
    Invalid,
    TooLarge,
    /// `17.734` or `17 734`: thousands, or a fraction? Asked, not guessed.
    Grouping(char),
}

impl fmt::Display for CountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountError::Negative => f.write_str("a count cannot be negative"),
            CountError::Invalid => f.write_str(
                "expected a whole number such as 1234 (also accepted: 1234.0, 1,234, and 17.7K, 1.2M, 3B)",
            ),
            CountError::TooLarge => f.write_str("count too large (more than 2^53)"),
            CountError::Grouping(c) => {
                let flag = if *c == ' ' { "space" } else { &c.to_string() };
                write!(
                    f,
                    "are the {c:?} thousands separators? say --thousands {flag} (followdrop does not guess)"
                )
            }
        }
    }
}

/// The character that groups thousands in counts (`--thousands`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Thousands {
    /// `1,234,567` (read by default too); the decimal mark is `.`.
    #[default]
    #[value(name = ",")]
    Comma,
    /// `1.234.567`, as in most of Europe; the decimal mark is `,` (`1,2M`).
    #[value(name = ".")]
    Dot,
    /// `1 234 567` (a space or a no-break space); the decimal mark is `.`.
    #[value(name = "space")]
    Space,
}

impl Thousands {
    fn is_separator(self, c: char) -> bool {
        match self {
            Thousands::Comma => c == ',',
            Thousands::Dot => c == '.',
            Thousands::Space => matches!(c, ' ' | '\u{a0}' | '\u{202f}'),
        }
    }

    fn decimal_mark(self) -> char {
        match self {
            Thousands::Dot => ',',
            _ => '.',
        }
    }
}

/// Largest count accepted: beyond 2^53 an `f64` (used for statistics) cannot
/// hold every integer, and no account has that many followers.
pub(crate) const MAX_COUNT: u64 = 1 << 53;

/// Parses a follower count as people and exports write it: digits, maybe
/// grouped by thousands (`1,234` by default; `1.234` or `1 234` with
/// `--thousands`), maybe with a zero fraction (`1234.0`, as some JSON
/// encoders write integers), or shortened with a suffix as platforms show
/// large counts (`17.7K`, `1.2M`, `3B`: thousand, million, billion).
pub(crate) fn parse_count(s: &str, thousands: Thousands) -> Result<u64, CountError> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('-') {
        return if parse_count(rest, thousands).is_ok() {
            Err(CountError::Negative)
        } else {
            Err(CountError::Invalid)
        };
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let (number, scale) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let exponent = match c.to_ascii_uppercase() {
                'K' => 3,
                'M' => 6,
                'B' => 9,
                _ => return Err(CountError::Invalid),
            };
            (s[..i].trim_end(), Some(exponent))
        }
        _ => (s, None),
    };
    let mark = thousands.decimal_mark();
    let (int, frac) = number.split_once(mark).unwrap_or((number, ""));
    if number.ends_with(mark) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CountError::Invalid);
    }
    let whole = grouped_digits(int, thousands)?;
    let value = match scale {
        // 17.7K: the digits shown, times the power of ten the suffix and
        // the decimals leave.
        Some(exponent) => {
            let decimals = u32::try_from(frac.len()).map_err(|_| CountError::Invalid)?;
            if decimals > exponent {
                return Err(CountError::Invalid);
            }
            let shown = frac.bytes().try_fold(whole, |v, b| {
                v.checked_mul(10)?.checked_add(u64::from(b - b'0'))
            });
            shown
                .and_then(|v| v.checked_mul(10u64.pow(exponent - decimals)))
                .ok_or(CountError::TooLarge)?
        }
        None if frac.bytes().all(|b| b == b'0') => whole,
        // 17.734 by default: a fraction, or thousands grouped by dots?
        None if thousands == Thousands::Comma
            && frac.len() == 3
            && (1..=3).contains(&int.len()) =>
        {
            return Err(CountError::Grouping(mark));
        }
        None => return Err(CountError::Invalid),
    };
    if value > MAX_COUNT {
        return Err(CountError::TooLarge);
    }
    Ok(value)
}

/// The digits of `int`, grouped by threes with `thousands`' separator or
/// not grouped at all.
fn grouped_digits(int: &str, thousands: Thousands) -> Result<u64, CountError> {
    if int.is_empty() {
        return Err(CountError::Invalid);
    }
    let groups: Vec<&str> = int.split(|c| thousands.is_separator(c)).collect();
    let grouped = groups.len() > 1;
    let mut value: u64 = 0;
    for (i, group) in groups.iter().enumerate() {
        let ok_len =
            !grouped || (i == 0 && (1..=3).contains(&group.len())) || (i > 0 && group.len() == 3);
        if !ok_len || !group.bytes().all(|b| b.is_ascii_digit()) {
            // 17 734 without --thousands space: asked, not guessed.
            let spaced = int.split(' ').collect::<Vec<_>>();
            if thousands != Thousands::Space
                && spaced.len() > 1
                && spaced.iter().enumerate().all(|(i, g)| {
                    g.bytes().all(|b| b.is_ascii_digit())
                        && if i == 0 {
                            (1..=3).contains(&g.len())
                        } else {
                            g.len() == 3
                        }
                })
            {
                return Err(CountError::Grouping(' '));
            }
            return Err(CountError::Invalid);
        }
        for b in group.bytes() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .ok_or(CountError::TooLarge)?;
        }
    }
    Ok(value)
}

/// Reads a time cell, or fails naming where and what.
pub(crate) fn time_cell(
    src: &super::Source,
    pos: Position,
    column: &str,
    value: &str,
) -> anyhow::Result<i64> {
    let zone = src.opts.zone;
    let parsed = match &src.opts.time_format {
        Some(format) => format.read(value, zone),
        None => crate::time::parse_time(value, zone),
    };
    parsed.map_err(|e| {
        let problem = time_problem(value, e).unwrap_or_else(|| e.to_string());
        field_error(src.name, pos, Field::Time, column, value, &problem)
    })
}

/// The last time cell read, and its time, and the last one of another day:
/// collectors write many rows of one instant, and of one day, so most cells
/// are read from the last one; and where a day's round runs past midnight,
/// its rows alternate between two days (a fifth of the rows of the
/// benchmarks' daily data, each parsed in full before).
#[derive(Debug, Clone, Default)]
pub(crate) struct LastTime {
    last: Read,
    other_day: Read,
}

/// A time cell read: its text, its time, and the start of its day when it
/// is written `YYYY-MM-DDTHH:MM:SSZ` (see [`utc_clock`]).
#[derive(Debug, Clone, Default)]
struct Read {
    text: Vec<u8>,
    time: i64,
    midnight: Option<i64>,
}

impl Read {
    /// The time of a cell on the same day, `clock` seconds into it.
    fn same_day(&self, cell: &[u8], clock: Option<i64>) -> Option<i64> {
        let time = self.midnight? + clock?;
        // Both are written in full: their first 11 bytes are the day.
        (self.text[..11] == cell[..11]).then_some(time)
    }
}

impl LastTime {
    /// The time of `cell`: the last one's when it is the same text, found
    /// from the last one or the other day's when on the same day as either,
    /// else from `parse`.
    pub(crate) fn read(
        &mut self,
        cell: &[u8],
        parse: impl FnOnce() -> anyhow::Result<i64>,
    ) -> anyhow::Result<i64> {
        // Before the first time there is no last one: an empty cell is no
        // time (it read as 1970 when it came first).
        if cell == self.last.text.as_slice() && !cell.is_empty() {
            return Ok(self.last.time);
        }
        let clock = utc_clock(cell);
        let time = match self.last.same_day(cell, clock) {
            Some(time) => time,
            None => {
                let time = match self.other_day.same_day(cell, clock) {
                    Some(time) => time,
                    None => parse()?,
                };
                // Another day than the last: the last one's is the other.
                std::mem::swap(&mut self.last, &mut self.other_day);
                time
            }
        };
        self.last.text.clear();
        self.last.text.extend_from_slice(cell);
        self.last.time = time;
        self.last.midnight = clock.map(|clock| time - clock);
        Ok(time)
    }
}

/// When `t` is written `YYYY-MM-DDTHH:MM:SSZ`, its seconds into its day
/// (UTC): collectors write many rows of one day, and the calendar arithmetic
/// is then done once a day instead of once a row. `None` leaves `t` to the
/// general parser (which also handles `:60`); the date is not checked here,
/// only compared with one already parsed.
fn utc_clock(t: &[u8]) -> Option<i64> {
    const LEN: usize = "2024-03-17T08:41:05Z".len();
    if t.len() != LEN || t[10] != b'T' || t[13] != b':' || t[16] != b':' || t[19] != b'Z' {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        let (a, b) = (t[i].wrapping_sub(b'0'), t[i + 1].wrapping_sub(b'0'));
        // Lazily: `a * 10` overflows for a byte that is no digit.
        (a < 10 && b < 10).then(|| i64::from(a * 10 + b))
    };
    let (h, m, s) = (two(11)?, two(14)?, two(17)?);
    (h < 24 && m < 60 && s < 60).then_some(h * 3600 + m * 60 + s)
}

/// Says why a time of an accepted shape was refused, where the parser's own
/// message would leave a user guessing: times are limited to the years that
/// RFC 3339 can write (0001 to 9999, UTC), and epochs cannot be negative.
fn time_problem(value: &str, e: TimeError) -> Option<String> {
    let v = value.trim();
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    let years = "outside the years 0001 to 9999 (UTC), the only ones RFC 3339 can write";
    let problem = match e {
        // `10000-01-01`: a year of five digits or more.
        TimeError::Format if digits > 4 && v.as_bytes().get(digits) == Some(&b'-') => years,
        // `-86400`: an epoch before 1970.
        TimeError::Format
            if v.len() > 1 && v.starts_with('-') && v[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            "a negative epoch (before 1970) is not read; write such times as RFC 3339, \
             e.g. 1969-12-31T00:00:00Z"
        }
        // A huge epoch, or a well-formed time that lands outside the years
        // RFC 3339 can write (`0000-01-01`, `9999-12-31T23:00:00-02:00`).
        TimeError::OutOfRange if digits > 4 || TimeForm::parse(v).is_ok() => years,
        // `2024-01-01T07:00:00+25:00`: a fine time with an impossible offset.
        TimeError::OutOfRange if offset_too_large(v) => {
            "a UTC offset must be less than 24 hours (such as +05:45 or -0800)"
        }
        _ => return None,
    };
    Some(problem.to_string())
}

/// Whether `v` is a valid time followed by an offset (`+HH:MM` or `+HHMM`)
/// of 24 hours or more.
fn offset_too_large(v: &str) -> bool {
    [6, 5].into_iter().any(|len| {
        let Some(cut) = v.len().checked_sub(len) else {
            return false;
        };
        let (Some(time), Some(offset)) = (v.get(..cut), v.get(cut..)) else {
            return false;
        };
        let b = offset.as_bytes();
        let digits: Vec<u8> = b[1..].iter().copied().filter(|&c| c != b':').collect();
        matches!(b[0], b'+' | b'-')
            && digits.len() == 4
            && digits.iter().all(u8::is_ascii_digit)
            && (len == 5 || b[3] == b':')
            && (digits[0] - b'0') * 10 + (digits[1] - b'0') >= 24
            && matches!(TimeForm::parse(time), Ok(TimeForm::Local(_)))
    })
}

/// Reads a count cell (followers or following), or fails naming where and what.
pub(crate) fn count_cell(
    src: &super::Source,
    pos: Position,
    field: Field,
    column: &str,
    value: &str,
) -> anyhow::Result<u64> {
    parse_count(value, src.opts.thousands)
        .map_err(|e| field_error(src.name, pos, field, column, value, &e))
}

/// Checks an account cell: an empty name cannot identify an account.
pub(crate) fn account_cell<'v>(
    src: &super::Source,
    pos: Position,
    column: &str,
    value: &'v str,
) -> anyhow::Result<&'v str> {
    let name = value.trim();
    if name.is_empty() {
        return Err(field_error(
            src.name,
            pos,
            Field::Account,
            column,
            value,
            &"an account name cannot be empty",
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever order times come in (an empty cell first, two days
    /// alternating, a day skipped, the same instant again, a clock that is
    /// no time), each is read as a parse of its own text reads it.
    #[test]
    fn times_read_from_the_last_ones_are_parsed_times() {
        let cells = [
            "",
            "2024-01-01T23:59:00Z",
            "2024-01-02T00:01:00Z",
            "2024-01-01T23:58:30Z",
            "2024-01-01T23:58:30Z",
            "2024-01-02T00:00:05Z",
            "2024-01-02T25:00:05Z",
            "2024-01-04T12:00:00Z",
            "2024-01-01T00:00:00Z",
            "2024-01-04T11:00:00+01:00",
            "2024-01-04T11:00:00Z",
            "2024-01-02T00:00:06Z",
        ];
        let parse = |cell: &str| crate::time::parse_time(cell, crate::time::Zone::Utc);
        let mut last = LastTime::default();
        for cell in cells {
            let read = last.read(cell.as_bytes(), || {
                parse(cell).map_err(|e| anyhow::anyhow!("{e:?}"))
            });
            assert_eq!(read.ok(), parse(cell).ok(), "{cell}");
        }
    }

    #[test]
    fn values_are_quoted_with_nul_unambiguous() {
        assert_eq!(quoted("alice"), "\"alice\"");
        assert_eq!(quoted("12\u{0}34"), "\"12\\u{0}34\"");
        assert_eq!(quoted("\u{1b}[2J\"x\\"), "\"\\u{1b}[2J\\\"x\\\\\"");
    }

    #[test]
    fn time_problems_say_why_a_well_formed_time_is_refused() {
        let problem = |s: &str| {
            let e = crate::time::parse_time(s, crate::time::Zone::Utc).unwrap_err();
            time_problem(s, e)
        };
        for s in [
            "10000-01-01T00:00:00Z",
            "0000-06-01",
            "9999-12-31T23:00:00-02:00",
            "99999999999999999",
        ] {
            assert!(
                problem(s).is_some_and(|p| p.contains("0001 to 9999")),
                "{s}"
            );
        }
        assert!(problem("-86400").is_some_and(|p| p.contains("negative epoch")));
        for s in [
            "2024-01-01T07:00:00+25:00",
            "2024-01-01T07:00:00-2400",
            "2024-01-01 07:00+99:00",
        ] {
            assert!(problem(s).is_some_and(|p| p.contains("offset")), "{s}");
        }
        // Nothing to add where the parser's message says it all.
        assert_eq!(problem("2019-02-30"), None);
        assert_eq!(problem("2019-02-13T25:00"), None);
        assert_eq!(problem("yesterday"), None);
    }

    #[test]
    fn counts() {
        let count = |s: &str| parse_count(s, Thousands::Comma);
        assert_eq!(count("1234"), Ok(1234));
        assert_eq!(count(" 1234 "), Ok(1234));
        assert_eq!(count("1,234"), Ok(1234));
        assert_eq!(count("145,012,331"), Ok(145_012_331));
        assert_eq!(count("1234.0"), Ok(1234));
        assert_eq!(count("0"), Ok(0));
        assert_eq!(count("-12"), Err(CountError::Negative));
        for bad in [
            "", "12a4", "1.5", "1,23", "12,3456", "1e6", ",123", "1234.", "-", "--1", "1.2345K",
            "K", "12X",
        ] {
            assert_eq!(count(bad), Err(CountError::Invalid), "{bad}");
        }
        assert_eq!(count("99999999999999999999999"), Err(CountError::TooLarge));
        assert_eq!(count("9007199254740993"), Err(CountError::TooLarge));
    }

    #[test]
    fn counts_as_platforms_show_them() {
        let count = |s: &str| parse_count(s, Thousands::Comma);
        assert_eq!(count("17.7K"), Ok(17_700));
        assert_eq!(count("17.7k"), Ok(17_700));
        assert_eq!(count("1.25M"), Ok(1_250_000));
        assert_eq!(count("3B"), Ok(3_000_000_000));
        assert_eq!(count("14.2 M"), Ok(14_200_000));
        assert_eq!(count("1,234K"), Ok(1_234_000));
        assert_eq!(parse_count("1,2M", Thousands::Dot), Ok(1_200_000));
    }

    #[test]
    fn thousands_separators_are_named_not_guessed() {
        assert_eq!(
            parse_count("17.734", Thousands::Comma),
            Err(CountError::Grouping('.'))
        );
        assert_eq!(
            parse_count("17 734", Thousands::Comma),
            Err(CountError::Grouping(' '))
        );
        assert_eq!(parse_count("17.734", Thousands::Dot), Ok(17_734));
        assert_eq!(parse_count("1.234.567", Thousands::Dot), Ok(1_234_567));
        assert_eq!(parse_count("17 734", Thousands::Space), Ok(17_734));
        assert_eq!(parse_count("17\u{a0}734", Thousands::Space), Ok(17_734));
        assert_eq!(
            parse_count("1,234", Thousands::Dot),
            Err(CountError::Invalid)
        );
    }

    /// The clock read from a time written in full agrees with the general
    /// parser, and every other form is left to it.
    #[test]
    fn clocks_agree_with_the_parser() {
        use crate::time::{Zone, parse_time};
        // A byte far from a digit where the hour is (found by fuzzing).
        assert_eq!(utc_clock(b"2024-01-08T\x106:00:00Z"), None);
        let midnight = parse_time("2024-03-17T00:00:00Z", Zone::Utc).unwrap();
        for t in [
            "2024-03-17T00:00:00Z",
            "2024-03-17T23:59:59Z",
            "2024-03-17T08:41:06Z",
        ] {
            let clock = utc_clock(t.as_bytes()).unwrap();
            assert_eq!(midnight + clock, parse_time(t, Zone::Utc).unwrap(), "{t}");
        }
        for t in [
            "2024-03-17T23:59:60Z",
            "2024-03-17T24:00:00Z",
            "2024-03-17T08:41:05+01:00",
            "2024-03-17 08:41:05Z",
            "2024-03-17T08:4a:05Z",
            "2024-03-17T08:41:05z",
            " 2024-03-17T08:41:05Z",
        ] {
            assert_eq!(utc_clock(t.as_bytes()), None, "{t}");
        }
    }
}
