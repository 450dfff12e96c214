//! Times and durations: parsing every time form the SPEC accepts, and
//! formatting instants as RFC 3339 UTC.
//!
//! Instants are `i64` Unix seconds throughout the crate: compact, totally
//! ordered, and cheap to put on a grid. Sub-second parts are truncated — no
//! follower collector is that precise, and whole seconds keep ids stable.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use std::fmt;

/// Seconds in a day: the grid, the windows and the recovery rules are
/// counted in them (UTC days: no leap seconds, no daylight saving).
pub const DAY: i64 = 86_400;

/// The zone in which times written without an offset are read (`--tz`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Zone {
    #[default]
    Utc,
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Zone {
    /// Parses `UTC`, a fixed offset such as `+02:00`, or an IANA name such as
    /// `Europe/Paris`.
    pub fn parse(s: &str) -> Result<Zone, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("z") {
            return Ok(Zone::Utc);
        }
        if let Some(offset) = parse_offset(s.as_bytes()) {
            return FixedOffset::east_opt(offset)
                .map(Zone::Fixed)
                .ok_or_else(|| format!("offset out of range: {s}"));
        }
        s.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("unknown time zone {s:?} (expected UTC, an offset like +02:00, or a name like Europe/Paris)"))
    }

    /// Converts a wall-clock time in this zone to Unix seconds. A wall-clock
    /// time skipped by a daylight-saving jump does not exist and is an error;
    /// one repeated by it is read as the earlier of the two instants.
    fn to_unix(self, naive: NaiveDateTime) -> Result<i64, TimeError> {
        match self {
            Zone::Utc => Ok(naive.and_utc().timestamp()),
            Zone::Fixed(off) => off
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.timestamp())
                .ok_or(TimeError::Nonexistent),
            Zone::Named(tz) => tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.timestamp())
                .ok_or(TimeError::Nonexistent),
        }
    }
}

/// Why a time could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    /// Not any of the accepted forms.
    Format,
    /// A well-formed date or time that does not exist (Feb 30, 25:00).
    OutOfRange,
    /// A local time skipped by a daylight-saving jump in `--tz`.
    Nonexistent,
    /// A date written with the year last (`01/02/2024`, `01.02.2024`): day
    /// first or month first is never guessed. Holds the separator.
    DayMonthOrder(char),
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeError::Format => f.write_str(
                "expected RFC 3339 (2019-02-13T14:00:00Z), YYYY-MM-DD HH:MM[:SS] (or with slashes, \
                 maybe followed by a zone such as EST), YYYY-MM-DD, RFC 2822, Twitter's form \
                 (Mon Jan 01 00:01:38 +0000 2024), or Unix epoch seconds or milliseconds; \
                 other forms: --time-format",
            ),
            TimeError::OutOfRange => f.write_str("no such date or time"),
            TimeError::Nonexistent => f.write_str(
                "this local time does not exist in the --tz zone (skipped by a daylight-saving change)",
            ),
            TimeError::DayMonthOrder(s) => write!(
                f,
                "day first or month first? followdrop does not guess: say --time-format '%d{s}%m{s}%Y' \
                 for 31{s}01{s}2024 or --time-format '%m{s}%d{s}%Y' for 01{s}31{s}2024 \
                 (add ' %H:%M' for a time of day)"
            ),
        }
    }
}

/// Epoch values with this many digits or more are milliseconds: 12 digits of
/// seconds would be past the year 5000, 12 digits of milliseconds is 1973.
const EPOCH_MILLIS_DIGITS: usize = 12;

/// Parses one time value as Unix seconds.
///
/// Accepted: RFC 3339 / ISO 8601 with `Z` or an offset (`+00:00`, `+0000`,
/// `+00`), optionally with fractional seconds; `YYYY-MM-DD HH:MM[:SS]` (or
/// with `T`) read in `zone`; `YYYY-MM-DD` as midnight UTC; Unix epoch seconds
/// or milliseconds. A leap second (`:60`) is read as `:59`.
pub fn parse_time(s: &str, zone: Zone) -> Result<i64, TimeError> {
    let t = TimeForm::parse(s)?.resolve(zone)?;
    // Only instants that RFC 3339 can write back (years 0001 to 9999 UTC):
    // a time zone's offset can push year 0001 or 9999 just outside.
    if !(EARLIEST..=LATEST).contains(&t) {
        return Err(TimeError::OutOfRange);
    }
    Ok(t)
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
const EARLIEST: i64 = -62_135_596_800;
const LATEST: i64 = 253_402_300_799;

/// A time as written, before a zone is applied. Parsing it checks the form
/// (so a command-line value can be rejected as a usage error before the
/// `--tz` zone is known); [`TimeForm::resolve`] then places it on the
/// timeline, which can fail only for a local time skipped by daylight saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeForm {
    /// An instant: written with `Z` or an offset, or as a Unix epoch.
    Instant(i64),
    /// A wall-clock time without an offset, read in the `--tz` zone.
    Local(NaiveDateTime),
    /// A bare date, which names a whole UTC day.
    Date(NaiveDate),
}

impl TimeForm {
    /// Reads any of the forms [`parse_time`] accepts.
    pub fn parse(s: &str) -> Result<TimeForm, TimeError> {
        let b = s.trim().as_bytes();
        if b.is_empty() {
            return Err(TimeError::Format);
        }
        // Digits alone, of any length, are an epoch (`0` is 1970-01-01;
        // data that is all 1970 is stopped later as misread).
        if b[0].is_ascii_digit() && b.get(4).is_none_or(|&c| c != b'-' && c != b'/') {
            let dots = b.iter().filter(|&&c| c == b'.').count();
            if dots <= 1 && b.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
                return parse_epoch(b).map(TimeForm::Instant);
            }
            return parse_written(s.trim());
        }
        match parse_calendar(b) {
            Err(TimeError::Format) => parse_written(s.trim()),
            other => other,
        }
    }

    /// The instant this form names in `zone`; a bare date is midnight UTC.
    pub fn resolve(self, zone: Zone) -> Result<i64, TimeError> {
        match self {
            TimeForm::Instant(t) => Ok(t),
            TimeForm::Local(naive) => zone.to_unix(naive),
            TimeForm::Date(date) => Ok(date.and_time(NaiveTime::MIN).and_utc().timestamp()),
        }
    }

    /// The last second this form names in `zone`: a bare date means its
    /// 23:59:59 UTC (an inclusive upper bound such as `--until 2020-04-15`
    /// takes in the whole day); any other form is one instant.
    pub fn resolve_end(self, zone: Zone) -> Result<i64, TimeError> {
        match self {
            TimeForm::Date(_) => Ok(self.resolve(zone)? + 86_399),
            _ => self.resolve(zone),
        }
    }
}

impl fmt::Display for TimeForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeForm::Instant(t) => f.write_str(&format_rfc3339(*t)),
            TimeForm::Local(naive) => write!(f, "{}", naive.format("%Y-%m-%d %H:%M:%S")),
            TimeForm::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
        }
    }
}

fn parse_epoch(b: &[u8]) -> Result<i64, TimeError> {
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(dot) => (&b[..dot], &b[dot + 1..]),
        None => (b, &b[b.len()..]),
    };
    if int.is_empty() || !int.iter().all(u8::is_ascii_digit) || !frac.iter().all(u8::is_ascii_digit)
    {
        return Err(TimeError::Format);
    }
    if int.len() > 18 {
        return Err(TimeError::OutOfRange);
    }
    let n: i64 = std::str::from_utf8(int)
        .map_err(|_| TimeError::Format)?
        .parse()
        .map_err(|_| TimeError::Format)?;
    let secs = if int.len() >= EPOCH_MILLIS_DIGITS {
        n / 1000
    } else {
        n
    };
    // Reject instants chrono cannot print (past the year 9999).
    DateTime::<Utc>::from_timestamp(secs, 0)
        .filter(|t| {
            t.naive_utc().date() <= NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
        })
        .map(|_| secs)
        .ok_or(TimeError::OutOfRange)
}

/// A tiny cursor over ASCII digits, so that the common forms are read straight
/// from bytes without going through chrono's format-string machinery.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Result<u32, TimeError> {
        let end = self.i + n;
        let part = self.b.get(self.i..end).ok_or(TimeError::Format)?;
        let mut v = 0u32;
        for &c in part {
            if !c.is_ascii_digit() {
                return Err(TimeError::Format);
            }
            v = v * 10 + u32::from(c - b'0');
        }
        self.i = end;
        Ok(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn rest(&self) -> &[u8] {
        &self.b[self.i..]
    }
}

fn parse_calendar(b: &[u8]) -> Result<TimeForm, TimeError> {
    let mut c = Cursor { b, i: 0 };
    let year = c.digits(4)?;
    // `2024-01-31` or `2024/01/31`, the same separator twice.
    let sep = match c.b.get(c.i) {
        Some(&s @ (b'-' | b'/')) => s,
        _ => return Err(TimeError::Format),
    };
    c.i += 1;
    let month = c.digits(2)?;
    if !c.eat(sep) {
        return Err(TimeError::Format);
    }
    let day = c.digits(2)?;
    let date = NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(TimeError::OutOfRange)?;
    if c.rest().is_empty() {
        return Ok(TimeForm::Date(date));
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return Err(TimeError::Format);
    }
    let hour = c.digits(2)?;
    if !c.eat(b':') {
        return Err(TimeError::Format);
    }
    let minute = c.digits(2)?;
    let mut second = 0;
    if c.eat(b':') {
        second = c.digits(2)?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            while c.b.get(c.i).is_some_and(u8::is_ascii_digit) {
                c.i += 1;
            }
            if c.i == start {
                return Err(TimeError::Format);
            }
        }
    }
    let second = if second == 60 { 59 } else { second };
    let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or(TimeError::OutOfRange)?;
    let naive = date.and_time(time);
    let rest = c.rest();
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    if rest.is_empty() {
        return Ok(TimeForm::Local(naive));
    }
    if rest.eq_ignore_ascii_case(b"z")
        || rest.eq_ignore_ascii_case(b"utc")
        || rest.eq_ignore_ascii_case(b"gmt")
    {
        return Ok(TimeForm::Instant(naive.and_utc().timestamp()));
    }
    let offset = parse_offset(rest)
        .or_else(|| zone_abbreviation(rest))
        .ok_or(TimeError::Format)?;
    if offset.abs() >= 24 * 3600 {
        return Err(TimeError::OutOfRange);
    }
    Ok(TimeForm::Instant(
        naive.and_utc().timestamp() - i64::from(offset),
    ))
}

/// Zone abbreviations read after a time (`2024-01-01 10:00 EST`), as
/// seconds east of UTC. Only unambiguous ones, and the US meaning of `CST`
/// (as RFC 2822 has it); `IST` (India, Ireland, Israel) is not read.
pub const ZONE_ABBREVIATIONS: &[(&str, i32)] = &[
    ("UT", 0),
    ("WET", 0),
    ("WEST", 3600),
    ("BST", 3600),
    ("CET", 3600),
    ("CEST", 2 * 3600),
    ("EET", 2 * 3600),
    ("EEST", 3 * 3600),
    ("MSK", 3 * 3600),
    ("JST", 9 * 3600),
    ("KST", 9 * 3600),
    ("AEST", 10 * 3600),
    ("AEDT", 11 * 3600),
    ("NZST", 12 * 3600),
    ("NZDT", 13 * 3600),
    ("EST", -5 * 3600),
    ("EDT", -4 * 3600),
    ("CST", -6 * 3600),
    ("CDT", -5 * 3600),
    ("MST", -7 * 3600),
    ("MDT", -6 * 3600),
    ("PST", -8 * 3600),
    ("PDT", -7 * 3600),
    ("AKST", -9 * 3600),
    ("AKDT", -8 * 3600),
    ("HST", -10 * 3600),
];

fn zone_abbreviation(b: &[u8]) -> Option<i32> {
    ZONE_ABBREVIATIONS
        .iter()
        .find(|(name, _)| b.eq_ignore_ascii_case(name.as_bytes()))
        .map(|&(_, offset)| offset)
}

/// The forms people and APIs write that are not ISO 8601: RFC 2822
/// (`Mon, 01 Jan 2024 00:01:38 +0000`, e-mail and RSS), Twitter's v1.1
/// `created_at` form (`Mon Jan 01 00:01:38 +0000 2024`); and dates with
/// slashes and the year last, whose order is asked for, never guessed.
fn parse_written(s: &str) -> Result<TimeForm, TimeError> {
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Ok(TimeForm::Instant(t.timestamp()));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y") {
        return Ok(TimeForm::Instant(t.timestamp()));
    }
    let date = s.split([' ', 'T']).next().unwrap_or(s);
    let sep = if date.contains('.') { '.' } else { '/' };
    let parts: Vec<&str> = date.split(sep).collect();
    if let [d, m, y] = parts[..]
        && [d, m].iter().all(|p| (1..=2).contains(&p.len()))
        && y.len() == 4
        && [d, m, y]
            .iter()
            .all(|p| p.bytes().all(|c| c.is_ascii_digit()))
    {
        return Err(TimeError::DayMonthOrder(sep));
    }
    Err(TimeError::Format)
}

/// How the time column is written when it is none of the forms read by
/// default (`--time-format`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFormat {
    /// Excel serial dates: days since 1899-12-30, the time of day as the
    /// fraction (`45292.25` is 2024-01-01 06:00), a wall-clock time read in
    /// the `--tz` zone.
    Excel,
    /// A strftime pattern (`%d/%m/%Y %H:%M`), read with chrono: with `%z` an
    /// instant, without it a wall-clock time in the `--tz` zone, and without
    /// a time of day midnight UTC (as a bare date always is).
    Pattern(String),
}

impl TimeFormat {
    /// Reads the value of `--time-format`: `excel` or a pattern that names
    /// at least a year, month and day (`%Y`, `%m`, `%d`, or a composite such
    /// as `%F`).
    pub fn parse(s: &str) -> Result<TimeFormat, String> {
        if s.eq_ignore_ascii_case("excel") {
            return Ok(TimeFormat::Excel);
        }
        let composite = ["%F", "%D", "%x", "%c", "%+", "%s"];
        let has = |parts: &[&str]| parts.iter().any(|p| s.contains(p));
        let complete = has(&composite)
            || (has(&["%Y", "%y", "%G"]) && has(&["%m", "%b", "%B", "%h"]) && has(&["%d", "%e"]));
        if !complete {
            return Err(format!(
                "{s:?} does not name a year, month and day (such as %d/%m/%Y %H:%M), and is not `excel`"
            ));
        }
        Ok(TimeFormat::Pattern(s.to_string()))
    }

    /// The instant `s` names in this format, wall-clock times in `zone`.
    pub fn read(&self, s: &str, zone: Zone) -> Result<i64, TimeError> {
        let s = s.trim();
        let t = match self {
            TimeFormat::Excel => {
                let days: f64 = s.parse().map_err(|_| TimeError::Format)?;
                if !(0.0..=2_958_465.999_999).contains(&days) {
                    return Err(TimeError::OutOfRange);
                }
                let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
                    .ok_or(TimeError::OutOfRange)?
                    .and_time(NaiveTime::MIN);
                let secs = (days * 86_400.0).round() as i64;
                zone.to_unix(epoch + chrono::Duration::seconds(secs))?
            }
            TimeFormat::Pattern(p) => {
                if let Ok(t) = DateTime::parse_from_str(s, p) {
                    t.timestamp()
                } else if let Ok(naive) = NaiveDateTime::parse_from_str(s, p) {
                    zone.to_unix(naive)?
                } else {
                    NaiveDate::parse_from_str(s, p)
                        .map_err(|_| TimeError::Format)?
                        .and_time(NaiveTime::MIN)
                        .and_utc()
                        .timestamp()
                }
            }
        };
        if !(EARLIEST..=LATEST).contains(&t) {
            return Err(TimeError::OutOfRange);
        }
        Ok(t)
    }
}

/// Reads `+HH:MM`, `+HHMM` or `+HH` (or `-`) as seconds east of UTC.
fn parse_offset(b: &[u8]) -> Option<i32> {
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut c = Cursor { b, i: 1 };
    let hours = c.digits(2).ok()?;
    let minutes = if c.rest().is_empty() {
        0
    } else {
        c.eat(b':');
        c.digits(2).ok()?
    };
    if !c.rest().is_empty() || minutes >= 60 {
        return None;
    }
    Some(sign * (hours as i32 * 3600 + minutes as i32 * 60))
}

/// An instant (Unix seconds), written as RFC 3339 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_rfc3339(self.0))
    }
}

/// Formats Unix seconds as RFC 3339 UTC (`2019-02-13T14:00:00Z`).
pub fn format_rfc3339(t: i64) -> String {
    match DateTime::<Utc>::from_timestamp(t, 0) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => t.to_string(),
    }
}

/// Appends Unix seconds as RFC 3339 UTC to `out` without going through
/// chrono's formatter: the simulator writes tens of millions of these.
pub fn push_rfc3339(out: &mut String, t: i64) {
    let days = t.div_euclid(DAY);
    let secs = t.rem_euclid(DAY);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let two = |out: &mut String, v: i64| {
        out.push(char::from(b'0' + (v / 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
    };
    two(out, year / 100);
    two(out, year % 100);
    out.push('-');
    two(out, month);
    out.push('-');
    two(out, day);
    out.push('T');
    two(out, secs / 3600);
    out.push(':');
    two(out, secs / 60 % 60);
    out.push(':');
    two(out, secs % 60);
    out.push('Z');
}

/// Formats Unix seconds compactly for ids (`20190213T140000Z`).
pub fn format_compact(t: i64) -> String {
    match DateTime::<Utc>::from_timestamp(t, 0) {
        Some(dt) => dt.format("%Y%m%dT%H%M%SZ").to_string(),
        None => t.to_string(),
    }
}

/// Formats Unix seconds for people with a chrono format string, in UTC.
pub fn format_with(t: i64, fmt: &str) -> String {
    match DateTime::<Utc>::from_timestamp(t, 0) {
        Some(dt) => dt.format(fmt).to_string(),
        None => t.to_string(),
    }
}

/// Parses a duration such as `90s`, `15m`, `1h`, `6h`, `1d`, `2w` or `1h30m`
/// into whole seconds (strictly positive).
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let err =
        || format!("invalid duration {s:?} (expected a number and a unit: 30m, 1h, 6h, 1d, 2w)");
    if s.is_empty() {
        return Err(err());
    }
    let mut total: i64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(err());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| err())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => DAY,
            "w" | "week" | "weeks" => 7 * DAY,
            _ => return Err(err()),
        };
        rest = &rest[unit_len..];
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(err)?;
    }
    if total <= 0 || total > 100 * 366 * DAY {
        return Err(format!(
            "duration {s:?} out of range (must be between 1s and 100 years)"
        ));
    }
    Ok(total)
}

/// Formats seconds as the largest whole unit that divides them (`1h`, `6h`, `1d`).
pub fn format_duration(secs: i64) -> String {
    for (unit, name) in [(7 * DAY, "w"), (DAY, "d"), (3600, "h"), (60, "m")] {
        if secs % unit == 0 {
            return format!("{}{name}", secs / unit);
        }
    }
    format!("{secs}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        parse_time(s, Zone::Utc).unwrap()
    }

    #[test]
    fn rfc3339_forms_agree() {
        let t = 1_550_066_400; // 2019-02-13T14:00:00Z
        for s in [
            "2019-02-13T14:00:00Z",
            "2019-02-13T14:00:00z",
            "2019-02-13T14:00:00+00:00",
            "2019-02-13T14:00:00+0000",
            "2019-02-13T15:00:00+01:00",
            "2019-02-13T09:00:00-0500",
            "2019-02-13T14:00:00.123Z",
            "2019-02-13 14:00:00",
            "2019-02-13 14:00",
            "2019-02-13T14:00",
            " 2019-02-13 14:00:00 UTC ",
            "1550066400",
            "1550066400000",
            "1550066400.5",
        ] {
            assert_eq!(utc(s), t, "{s}");
        }
    }

    #[test]
    fn date_only_is_midnight_utc_even_with_tz() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        assert_eq!(parse_time("2019-02-13", paris).unwrap(), 1_550_016_000);
        assert_eq!(format_rfc3339(1_550_016_000), "2019-02-13T00:00:00Z");
    }

    #[test]
    fn forms_are_told_apart_before_the_zone_is_known() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        let date = TimeForm::parse("2020-04-15").unwrap();
        assert!(matches!(date, TimeForm::Date(_)));
        assert_eq!(date.resolve(paris), Ok(utc("2020-04-15T00:00:00Z")));
        assert_eq!(date.resolve_end(paris), Ok(utc("2020-04-15T23:59:59Z")));
        let local = TimeForm::parse("2020-04-15 14:00").unwrap();
        assert!(matches!(local, TimeForm::Local(_)));
        assert_eq!(local.resolve_end(paris), Ok(utc("2020-04-15T12:00:00Z")));
        let instant = TimeForm::parse("2020-04-15T14:00:00Z").unwrap();
        assert_eq!(instant.resolve_end(paris), Ok(utc("2020-04-15T14:00:00Z")));
        // Only a local time in a daylight-saving gap fails once the zone is known.
        let gap = TimeForm::parse("2019-03-31 02:30").unwrap();
        assert_eq!(gap.resolve(paris), Err(TimeError::Nonexistent));
        assert_eq!(gap.to_string(), "2019-03-31 02:30:00");
        assert_eq!(TimeForm::parse("yesterday"), Err(TimeError::Format));
    }

    #[test]
    fn naive_times_use_the_zone() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        assert_eq!(
            parse_time("2019-02-13 15:00", paris).unwrap(),
            utc("2019-02-13T14:00:00Z")
        );
        let fixed = Zone::parse("+05:30").unwrap();
        assert_eq!(
            parse_time("2019-02-13 19:30", fixed).unwrap(),
            utc("2019-02-13T14:00:00Z")
        );
        // 02:30 on the last Sunday of March does not exist in Paris.
        assert_eq!(
            parse_time("2019-03-31 02:30", paris),
            Err(TimeError::Nonexistent)
        );
        // 02:30 on the last Sunday of October happens twice: the earlier is taken.
        assert_eq!(
            parse_time("2019-10-27 02:30", paris).unwrap(),
            utc("2019-10-27T00:30:00Z")
        );
    }

    #[test]
    fn forms_people_and_apis_write() {
        let at = |s: &str| parse_time(s, Zone::Utc);
        let noon = utc("2024-01-31T12:00:00Z");
        assert_eq!(at("2024/01/31 12:00"), Ok(noon));
        assert_eq!(at("2024-01-31 07:00 EST"), Ok(noon));
        assert_eq!(at("2024-01-31 13:00:00 CET"), Ok(noon));
        assert_eq!(at("Wed, 31 Jan 2024 12:00:00 +0000"), Ok(noon));
        assert_eq!(at("Wed, 31 Jan 2024 12:00:00 GMT"), Ok(noon));
        assert_eq!(at("Wed Jan 31 12:00:00 +0000 2024"), Ok(noon));
        for s in ["31/01/2024", "01/31/2024 12:00", "31.01.2024"] {
            assert!(matches!(at(s), Err(TimeError::DayMonthOrder(_))), "{s}");
        }
        // Epoch seconds of any length, the first instants included.
        assert_eq!(at("0"), Ok(0));
        assert_eq!(at("1"), Ok(1));
        assert_eq!(at("86400"), Ok(86_400));
        assert_eq!(at("1706702400"), Ok(noon));
    }

    #[test]
    fn explicit_time_formats() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        let day_first = TimeFormat::parse("%d/%m/%Y %H:%M").unwrap();
        assert_eq!(
            day_first.read("31/01/2024 13:00", paris),
            Ok(utc("2024-01-31T12:00:00Z"))
        );
        let date = TimeFormat::parse("%m/%d/%Y").unwrap();
        assert_eq!(
            date.read("01/31/2024", paris),
            Ok(utc("2024-01-31T00:00:00Z"))
        );
        let excel = TimeFormat::parse("excel").unwrap();
        assert_eq!(
            excel.read("45292.25", Zone::Utc),
            Ok(utc("2024-01-01T06:00:00Z"))
        );
        assert_eq!(
            excel.read("45292", Zone::Utc),
            Ok(utc("2024-01-01T00:00:00Z"))
        );
        assert!(excel.read("yesterday", Zone::Utc).is_err());
        assert!(TimeFormat::parse("%H:%M").is_err());
    }

    #[test]
    fn bad_times_are_rejected() {
        for s in [
            "",
            "yesterday",
            "2019-02-3x 10:00",
            "2019-13-01",
            "2019-02-30",
            "2019-02-13T25:00",
            "2019/02-13",
            "2019-02-13 10:00 XYZ",
            "2019-02-13T14:00:00+2500",
            "12.5.6",
            "-5",
        ] {
            assert!(parse_time(s, Zone::Utc).is_err(), "{s}");
        }
        assert_eq!(
            parse_time("2019-02-30", Zone::Utc),
            Err(TimeError::OutOfRange)
        );
        assert_eq!(
            parse_time("99999999999999999", Zone::Utc),
            Err(TimeError::OutOfRange)
        );
    }

    #[test]
    fn fast_formatter_agrees_with_chrono() {
        for t in [
            0,
            951_782_400,
            1_550_066_400,
            4_102_444_799,
            86_399,
            1_709_164_800,
        ] {
            let mut s = String::new();
            push_rfc3339(&mut s, t);
            assert_eq!(s, format_rfc3339(t));
            assert_eq!(parse_time(&s, Zone::Utc), Ok(t));
        }
    }

    #[test]
    fn only_years_rfc_3339_can_write() {
        assert_eq!(parse_time("0001-01-01T00:00:00Z", Zone::Utc), Ok(EARLIEST));
        assert_eq!(parse_time("9999-12-31T23:59:59Z", Zone::Utc), Ok(LATEST));
        // Found by fuzzing: midnight of year 0 in Paris (LMT +0:09:21) is in year -1 UTC.
        let paris = Zone::parse("Europe/Paris").unwrap();
        assert_eq!(
            parse_time("0000-01-01T00:00", paris),
            Err(TimeError::OutOfRange)
        );
        assert_eq!(
            parse_time("0000-01-01T00:00:00Z", Zone::Utc),
            Err(TimeError::OutOfRange)
        );
        assert_eq!(
            parse_time("9999-12-31T23:59:59-01:00", Zone::Utc),
            Err(TimeError::OutOfRange)
        );
        for t in [EARLIEST, 0, LATEST] {
            assert_eq!(parse_time(&format_rfc3339(t), Zone::Utc), Ok(t));
        }
    }

    #[test]
    fn leap_second_reads_as_59() {
        assert_eq!(utc("2016-12-31T23:59:60Z"), utc("2016-12-31T23:59:59Z"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("3d"), Ok(259_200));
        assert_eq!(parse_duration("2w"), Ok(1_209_600));
        for bad in ["", "h", "1", "1x", "0h", "-1h", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(3600), "1h");
        assert_eq!(format_duration(86_400), "1d");
        assert_eq!(format_duration(90), "90s");
    }
}
