//! Sparklines for the text report: each affected account's followers
//! around an event, one character a mark, so a reader sees at a glance the
//! cliff, whether the count climbed back, and (in a platform event's
//! table, where every line shares one time window) that the accounts fell
//! together.
//!
//! A window is [`MARKS`] marks of a whole number of grid steps each, wide
//! enough for the event and its `--recovery-window`, with the event's start
//! a third of the way in. Each mark shows the account's *lowest* count in
//! its steps (so a glitch shorter than a mark still shows), scaled between
//! the line's own lowest and highest count; a mark with no snapshot holds
//! the count last seen, and is a space before the account's first snapshot
//! or after its last.

use super::event::Event;
use crate::grid::Track;
use crate::time::{format_duration, format_with};

/// Marks in a sparkline: fits under a platform table's number columns and
/// leaves room for the caption beside a single event's line.
pub const MARKS: usize = 48;
/// Marks before the event starts.
const BEFORE: usize = MARKS / 3;

/// The eight heights, lowest first.
const UNICODE: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// The same heights in plain ASCII, for terminals that cannot show the
/// block elements.
const ASCII: [char; 8] = ['_', '.', '-', ':', '=', '+', '*', '#'];

/// How sparklines are drawn (`--sparkline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Style {
    /// Unicode blocks, or ASCII on a terminal whose locale is not UTF-8.
    Auto,
    /// Unicode block elements ▁▂▃▄▅▆▇█.
    Unicode,
    /// Plain ASCII _.-:=+*#.
    Ascii,
    /// No sparklines.
    None,
}

/// The characters a sparkline is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Unicode,
    Ascii,
}

impl Style {
    /// The characters to draw with, or `None` for no sparklines. `Auto`
    /// draws ASCII only on a terminal whose locale (the first of `LC_ALL`,
    /// `LC_CTYPE`, `LANG` that is set and not empty) does not name UTF-8,
    /// an unset one included (the C locale); a file or a pipe gets the
    /// block elements, as the rest of the report is UTF-8 too. `var`
    /// looks up an environment variable.
    pub fn charset(
        self,
        to_terminal: bool,
        var: impl Fn(&str) -> Option<String>,
    ) -> Option<Charset> {
        match self {
            Style::Unicode => Some(Charset::Unicode),
            Style::Ascii => Some(Charset::Ascii),
            Style::None => None,
            Style::Auto if !to_terminal => Some(Charset::Unicode),
            Style::Auto => {
                let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
                    .iter()
                    .filter_map(|v| var(v))
                    .find(|v| !v.is_empty())
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if locale.contains("utf-8") || locale.contains("utf8") {
                    Some(Charset::Unicode)
                } else {
                    Some(Charset::Ascii)
                }
            }
        }
    }
}

/// The stretch of time an event's sparklines cover, in grid points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First grid point of the first mark.
    pub first: i64,
    /// Grid points a mark.
    pub step: i64,
    /// Seconds between grid points.
    pub bucket: i64,
    /// Marks that reach the data (all but those after its end, when the
    /// data is shorter than the window): what the caption names.
    pub marks: usize,
}

impl Window {
    /// The window around `event`: long enough for the event and the
    /// recovery window after it, with [`BEFORE`] marks before its start,
    /// then shifted to stay within the data (`first`..`last`, times) where
    /// that keeps the start in view, so that a line is not half blank.
    pub fn around(event: &Event, bucket: i64, recovery_window: i64, first: i64, last: i64) -> Self {
        let point = |t: i64| (t + bucket / 2).div_euclid(bucket);
        let start = point(event.start.0);
        let end = point(event.end.0).max(start);
        let after = (end - start) + recovery_window.div_euclid(bucket).max(1);
        let room = (MARKS - BEFORE) as i64;
        let step = ((after + room - 1) / room).max(1);
        // The start is the last point of mark BEFORE - 1: the loss shows from
        // mark BEFORE on.
        let mut w = Window {
            first: start - BEFORE as i64 * step + 1,
            step,
            bucket,
            marks: MARKS,
        };
        let (data_first, data_last) = (point(first), point(last));
        let overshoot = w.last() - data_last;
        if overshoot > 0 {
            w.first -= overshoot.min(w.first + w.span() - 1 - start).max(0);
        }
        if w.first < data_first {
            w.first += (data_first - w.first).min(start - w.first).max(0);
        }
        let reached = (data_last - w.first).div_euclid(w.step) + 1;
        w.marks = usize::try_from(reached).map_or(1, |m| m.clamp(1, MARKS));
        w
    }

    /// Grid points the window covers.
    fn span(&self) -> i64 {
        self.step * MARKS as i64
    }

    /// Last grid point of the last mark.
    fn last(&self) -> i64 {
        self.first + self.span() - 1
    }

    /// The window's first and last times (seconds).
    pub fn times(&self) -> (i64, i64) {
        (self.first * self.bucket, self.last() * self.bucket)
    }

    /// The lowest follower count of `track` in each mark. A mark without a
    /// snapshot holds the count last seen (a count stands until it is seen
    /// to change, and sparse sampling would otherwise leave more holes than
    /// line); before the account's first snapshot and after its last a
    /// mark is `None`.
    pub fn lows(&self, track: &Track) -> Vec<Option<u64>> {
        let mut lows = vec![None; MARKS];
        let from = track.count_before(self.first);
        // The count last seen (before the window, to begin with) and the
        // first mark not yet filled.
        let mut held = from.checked_sub(1).map(|i| track.count(i));
        let mut next = 0;
        for (g, f) in (from..track.len()).map(|i| (track.grid_point(i), track.count(i))) {
            let mark = ((g - self.first) / self.step) as usize;
            if next < mark.min(MARKS) {
                lows[next..mark.min(MARKS)].fill(held);
            }
            if mark >= MARKS {
                break;
            }
            lows[mark] = Some(lows[mark].map_or(f, |l: u64| l.min(f)));
            held = Some(f);
            next = mark + 1;
        }
        lows
    }

    /// Says what the window covers, from the first mark's start to the
    /// start of the last one that reaches the data: `02-11 15:00 → 02-17
    /// 12:00 UTC, one mark per 3h` (dates alone when a mark is a whole
    /// number of days).
    pub fn caption(&self) -> String {
        let seconds = self.step * self.bucket;
        let format = if seconds % 86_400 == 0 {
            "%Y-%m-%d"
        } else {
            "%m-%d %H:%M"
        };
        let from = self.first * self.bucket;
        let to = (self.first + (self.marks as i64 - 1) * self.step) * self.bucket;
        format!(
            "{} → {} UTC, one mark per {}",
            format_with(from, format),
            format_with(to, format),
            format_duration(seconds)
        )
    }
}

/// Draws counts as a sparkline scaled from their lowest (lowest block) to
/// their highest (full block); a flat line sits in the middle, a missing
/// mark is a space. Trailing spaces are left out.
pub fn draw(counts: &[Option<u64>], charset: Charset) -> String {
    let chars = match charset {
        Charset::Unicode => &UNICODE,
        Charset::Ascii => &ASCII,
    };
    let present = counts.iter().flatten();
    let lo = present.clone().min().copied().unwrap_or(0);
    let hi = present.max().copied().unwrap_or(0);
    let line: String = counts
        .iter()
        .map(|c| match c {
            None => ' ',
            Some(_) if hi == lo => chars[3],
            Some(v) => {
                let level = ((v - lo) as f64 / (hi - lo) as f64 * 7.0).round() as usize;
                chars[level.min(7)]
            }
        })
        .collect();
    line.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Class, Persistence, Scope};
    use crate::time::Timestamp;

    fn event(start: i64, end: i64) -> Event {
        Event {
            id: String::new(),
            class: Class {
                scope: Scope::Account,
                persistence: Persistence::Persistent,
            },
            start: Timestamp(start),
            end: Timestamp(end),
            recovered_at: None,
            cohort_size: 1,
            accounts_affected: 1,
            breadth: 0.0,
            followers_lost: 0,
            median_relative_loss: 0.0,
            score: 0.0,
            following_breadth: None,
            cohort_change: None,
            cohort: None,
            accounts: Vec::new(),
            previous_kind: None,
        }
    }

    const H: i64 = 3600;

    #[test]
    fn heights_and_gaps() {
        let counts = [Some(10), Some(20), None, Some(0), Some(5), None, None];
        assert_eq!(draw(&counts, Charset::Unicode), "▅█ ▁▃");
        assert_eq!(draw(&counts, Charset::Ascii), "=# _-");
        assert_eq!(draw(&[Some(7), Some(7)], Charset::Unicode), "▄▄");
        assert_eq!(draw(&[None, None], Charset::Ascii), "");
        assert_eq!(
            draw(&[Some(0), Some(u64::MAX)], Charset::Unicode),
            "▁█",
            "no overflow at the extremes"
        );
    }

    #[test]
    fn window_fits_the_recovery_window_with_the_start_a_third_in() {
        // Hourly grid, a 3-hour loss, a 3-day recovery window: 75 points
        // after the start need 32 marks of 3h.
        let w = Window::around(&event(100 * H, 103 * H), H, 72 * H, 0, 1000 * H);
        assert_eq!(w.step, 3);
        assert_eq!(w.first, 100 - 16 * 3 + 1);
        assert_eq!(
            w.caption(),
            "01-03 05:00 → 01-09 02:00 UTC, one mark per 3h"
        );
        // Daily grid: one mark a day.
        let d = 86_400;
        let w = Window::around(&event(40 * d, 41 * d), d, 3 * d, 0, 100 * d);
        assert_eq!((w.step, w.first), (1, 25));
        assert_eq!(w.caption(), "1970-01-26 → 1970-03-14 UTC, one mark per 1d");
    }

    #[test]
    fn window_stays_within_the_data_when_it_can() {
        let d = 86_400;
        // Near the end of the data: shifted left.
        let w = Window::around(&event(90 * d, 91 * d), d, 3 * d, 0, 100 * d);
        assert_eq!(w.last(), 100);
        // Near the start: shifted right, the start kept in view.
        let w = Window::around(&event(3 * d, 4 * d), d, 3 * d, 0, 100 * d);
        assert_eq!(w.first, 0);
        // Data shorter than the window on both sides: the start stays in.
        let w = Window::around(&event(3 * d, 4 * d), d, 3 * d, 0, 10 * d);
        assert!(w.first <= 3 && w.last() >= 3, "{w:?}");
        // The caption ends at the data's last day, not the window's.
        assert_eq!(w.marks, 11);
        assert_eq!(w.caption(), "1970-01-01 → 1970-01-11 UTC, one mark per 1d");
    }

    #[test]
    fn lows_take_the_lowest_count_of_each_mark() {
        let track = |g: Vec<i64>, followers: Vec<u64>| Track::on_points(g, 1, followers);
        let ended = track(vec![0, 1, 2, 3, 4, 7], vec![50, 40, 45, 30, 60, 10]);
        let w = Window {
            first: 1,
            step: 2,
            bucket: H,
            marks: MARKS,
        };
        let lows = w.lows(&ended);
        assert_eq!(lows.len(), MARKS);
        // Mark 2 (points 5-6) has no snapshot: it holds the last count seen
        // (60 at point 4, not the mark's lowest). After the account's last
        // snapshot: nothing.
        assert_eq!(&lows[..5], &[Some(40), Some(30), Some(60), Some(10), None]);
        assert!(lows[4..].iter().all(Option::is_none));
        // Before the account's first snapshot: nothing.
        let early = Window { first: -10, ..w };
        assert_eq!(
            &early.lows(&ended)[..6],
            &[None, None, None, None, None, Some(40)]
        );
        // Between snapshots before and after the window: the count before.
        let goes_on = track(
            vec![0, 1, 2, 3, 4, 7, 200],
            vec![50, 40, 45, 30, 60, 10, 99],
        );
        let late = Window { first: 8, ..w };
        assert!(late.lows(&goes_on).iter().all(|&l| l == Some(10)));
        assert!(late.lows(&ended).iter().all(Option::is_none));
    }

    #[test]
    fn auto_is_ascii_only_on_a_terminal_without_utf8() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let utf8 = env(&[("LANG", "en_US.UTF-8")]);
        let latin = env(&[("LC_ALL", "de_DE.ISO-8859-1"), ("LANG", "en_US.UTF-8")]);
        let c = env(&[("LC_ALL", ""), ("LANG", "C")]);
        let unset = env(&[]);
        let ctype = env(&[("LC_CTYPE", "C.utf8"), ("LANG", "C")]);
        assert_eq!(Style::Auto.charset(true, utf8), Some(Charset::Unicode));
        assert_eq!(Style::Auto.charset(true, latin), Some(Charset::Ascii));
        assert_eq!(Style::Auto.charset(true, c), Some(Charset::Ascii));
        assert_eq!(Style::Auto.charset(true, unset), Some(Charset::Ascii));
        assert_eq!(Style::Auto.charset(true, ctype), Some(Charset::Unicode));
        assert_eq!(Style::Auto.charset(false, c), Some(Charset::Unicode));
        assert_eq!(Style::Ascii.charset(false, utf8), Some(Charset::Ascii));
        assert_eq!(Style::Unicode.charset(true, c), Some(Charset::Unicode));
        assert_eq!(Style::None.charset(true, utf8), None);
    }
}
