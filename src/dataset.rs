//! The data set: every snapshot of every input, grouped by account and
//! sorted by time, with exact duplicates merged and conflicting ones
//! resolved, counts of zero where the account had followers taken as
//! missing, and accounts that vanished named (all counted as warnings).

use crate::input::{Collected, Labels, Series, Snapshot};
use crate::time::{DAY, Timestamp, format_rfc3339};
use rayon::prelude::*;
use serde::Serialize;

/// Something the user should know about the data that did not stop the scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
    pub count: u64,
    /// For a warning about one account (`account_vanished`): the account,
    /// its last follower count and when it was taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
}

impl Warning {
    /// A warning about the data as a whole.
    fn new(code: &'static str, message: String, count: u64) -> Warning {
        Warning {
            code,
            message,
            count,
            account: None,
            last_count: None,
            last_seen: None,
        }
    }
}

/// A warning about the data as a whole, when `count` things called for it:
/// the count in words (`one`, `many`), then `rest`.
fn tally(
    code: &'static str,
    count: u64,
    (one, many): (&str, &str),
    rest: String,
) -> Option<Warning> {
    (count > 0).then(|| Warning::new(code, format!("{} {rest}", counted(count, one, many)), count))
}

/// Fewest snapshots of an account whose snapshots stop for it to be said
/// to have vanished.
const MIN_SEEN: usize = 3;

/// Accounts named one by one in `account_vanished` warnings; the rest are
/// counted in one more.
const MAX_VANISHED_NAMED: usize = 20;

/// What is known of the data set as a whole: names, inputs, counts, span
/// and warnings. The snapshots themselves go on to the grid.
#[derive(Debug)]
pub struct Dataset {
    pub names: Vec<String>,
    pub files: Vec<String>,
    /// Snapshot records read, duplicates included.
    pub rows: usize,
    pub first: i64,
    pub last: i64,
    pub warnings: Vec<Warning>,
    /// Accounts from this id on come only from reference inputs
    /// (`--reference`): they join the cohort but are never reported.
    pub first_reference: usize,
    /// How the cohort is split (a `platform` column, `--cohort-by`).
    pub cohorts: Cohorts,
    /// Display names read beside the accounts' names (a channel's title
    /// beside its id), by account.
    pub labels: Labels,
}

/// The cohorts accounts are judged in: one, or one per platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cohorts {
    /// The cohorts' names, sorted; empty when the cohort is whole.
    pub names: Vec<String>,
    /// Each account's cohort, an index into `names`; empty when whole.
    pub of: Vec<u32>,
}

impl Cohorts {
    /// Takes apart the names accounts of split cohorts were interned by
    /// (`account`, the separator, `cohort`: see [`crate::input::COHORT_SEPARATOR`])
    /// and names each account plainly — as `account@cohort` where the same
    /// handle is in several cohorts (two accounts).
    fn split(names: &mut [String]) -> Cohorts {
        let sep = crate::input::COHORT_SEPARATOR;
        if !names.iter().any(|n| n.contains(sep)) {
            return Cohorts::default();
        }
        let parts: Vec<(String, String)> = names
            .iter()
            .map(|n| match n.split_once(sep) {
                Some((a, c)) => (a.to_string(), c.to_string()),
                None => (n.clone(), String::new()),
            })
            .collect();
        let mut cohort_names: Vec<String> = parts.iter().map(|p| p.1.clone()).collect();
        cohort_names.sort();
        cohort_names.dedup();
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (a, _) in &parts {
            *seen.entry(a.as_str()).or_default() += 1;
        }
        let of = parts
            .iter()
            .map(|(_, c)| cohort_names.binary_search(c).unwrap_or(0) as u32)
            .collect();
        for (name, (a, c)) in names.iter_mut().zip(&parts) {
            *name = if seen[a.as_str()] > 1 {
                format!("{a}@{c}")
            } else {
                a.clone()
            };
        }
        Cohorts {
            names: cohort_names,
            of,
        }
    }

    /// The accounts of each cohort, in order; one group of all `n` accounts
    /// when the cohort is whole.
    pub fn groups(&self, n: usize) -> Vec<Vec<usize>> {
        if self.names.is_empty() {
            return vec![(0..n).collect()];
        }
        let mut groups = vec![Vec::new(); self.names.len()];
        for (i, &c) in self.of.iter().enumerate() {
            groups[c as usize].push(i);
        }
        groups
    }

    /// The name of account `i`'s cohort, when the cohort is split.
    pub fn name_of(&self, i: usize) -> Option<&str> {
        let c = *self.of.get(i)?;
        self.names.get(c as usize).map(String::as_str)
    }
}

impl Dataset {
    /// The count of the warning of code `code` (0 when there is none).
    pub fn warning_count(&self, code: &str) -> u64 {
        self.warnings
            .iter()
            .filter(|w| w.code == code)
            .map(|w| w.count)
            .sum()
    }

    /// Groups rows by account and time. Rows may come in any order: the
    /// result does not depend on it. Of conflicting snapshots (same account
    /// and instant, different counts) the one with most followers is kept:
    /// a scraper's failure tends to read too few followers, not too many.
    /// Returns the data set and each account's series (indexed by id).
    pub fn build(input: Collected) -> (Dataset, Vec<Series>) {
        let Collected {
            names,
            mut series,
            rows,
            files,
            repeated_headers,
            skipped,
            skipped_examples,
            replaced_names,
            missing_counts,
            unread_files,
            labels,
            first_reference,
            held_back,
            quoted_line_breaks,
        } = input;
        let (exact, conflicting) = series
            .par_iter_mut()
            .map(sort_and_merge)
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let zeros: Vec<(u64, Option<Last>)> = series.par_iter_mut().map(drop_zeros).collect();
        let missing = missing_counts + zeros.iter().map(|z| z.0).sum::<u64>();
        let spans = || series.iter().filter_map(Series::span);
        let first = spans().map(|(first, _)| first).min().unwrap_or(0);
        let last = spans().map(|(_, last)| last).max().unwrap_or(0);
        const SHOWN: usize = 5;
        let mut unread = unread_files[..unread_files.len().min(SHOWN)].join(", ");
        if unread_files.len() > SHOWN {
            unread.push_str(&format!(" and {} more", unread_files.len() - SHOWN));
        }
        let mut warnings: Vec<Warning> = [
            tally(
                "invalid_record",
                skipped,
                ("invalid record", "invalid records"),
                format!(
                    "skipped (--on-error skip); first: {}",
                    skipped_examples.join("; ")
                ),
            ),
            tally(
                "invalid_utf8",
                replaced_names,
                ("record", "records"),
                "had an account name that is not valid UTF-8; the bad bytes were replaced with U+FFFD".into(),
            ),
            tally(
                "repeated_header",
                repeated_headers,
                ("repeated header line", "repeated header lines"),
                "skipped".into(),
            ),
            tally(
                "duplicate_snapshot",
                exact,
                ("exact duplicate snapshot", "exact duplicate snapshots"),
                "merged".into(),
            ),
            tally(
                "unread_file",
                unread_files.len() as u64,
                ("file", "files"),
                format!("in the folders read left out, not snapshot files by their names: {unread}"),
            ),
            tally(
                "missing_count",
                missing,
                ("snapshot", "snapshots"),
                "without a follower count (empty, null, hidden, or 0 where the account had followers) taken as missing".into(),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        warnings.extend(vanished(&names, &series, &zeros));
        warnings.extend(tally(
            "quoted_line_break",
            quoted_line_breaks,
            ("record holds", "records hold"),
            "a quoted field that spans lines, read as one record each".into(),
        ));
        warnings.extend(held_back.into_iter().map(|held| {
            Warning::new(
                "cut_line",
                format!(
                    "{}: line {} has no line end (cut mid-write?) and {}: held back until a run that finds it complete",
                    held.input, held.line, held.why
                ),
                1,
            )
        }));
        warnings.extend(tally(
            "conflicting_snapshot",
            conflicting,
            ("snapshot conflicts", "snapshots conflict"),
            "with another of the same account and time; the one with most followers was kept"
                .into(),
        ));
        let mut names = names;
        let cohorts = Cohorts::split(&mut names);
        let dataset = Dataset {
            first_reference: first_reference.unwrap_or(names.len()),
            cohorts,
            labels,
            names,
            files,
            rows,
            first,
            last,
            warnings,
        };
        (dataset, series)
    }
}

/// The last snapshot an account had followers in, when its count then went
/// to zero for good: (count, time).
type Last = (u64, i64);

/// Takes out of a sorted series the snapshots of 0 followers taken after it
/// had some: a count of zero where there were followers is a scraper
/// reading nothing (or a suspended account), not a purge of every one of
/// them. Returns how many were taken out, and the last count before the
/// zeros when they run to the series' end.
fn drop_zeros(s: &mut Series) -> (u64, Option<Last>) {
    if !s.has_zero() {
        return (0, None);
    }
    let snapshots: Vec<Snapshot> = s.iter().collect();
    let Some(first) = snapshots.iter().position(|x| x.followers > 0) else {
        return (0, None);
    };
    let n = snapshots.len();
    if snapshots[first..].iter().all(|x| x.followers > 0) {
        return (0, None);
    }
    // Zero for good: at least its last two snapshots (one zero at the end is
    // as likely a scraper's miss).
    let to_the_end = n >= 2 && snapshots[n - 2..].iter().all(|x| x.followers == 0);
    let kept = snapshots[..first]
        .iter()
        .chain(snapshots[first..].iter().filter(|x| x.followers > 0));
    s.refill(kept.copied());
    let last = s
        .last_followers()
        .zip(s.span())
        .map(|(count, (_, at))| (count, at));
    ((n - s.len()) as u64, last.filter(|_| to_the_end))
}

/// Warnings naming the accounts that vanished: whose count went to 0 for
/// good, or whose snapshots stop well before the others' (a suspended or
/// deleted account must not just go silent). "Well before": more than a
/// day, and three of its own usual steps, before the time by which nine
/// accounts in ten have their last snapshot. An account seen fewer than
/// [`MIN_SEEN`] times had no run of snapshots to stop (a stray row, a typo
/// in a name): it is not said to have vanished.
fn vanished(names: &[String], series: &[Series], zeros: &[(u64, Option<Last>)]) -> Vec<Warning> {
    let mut ends: Vec<i64> = series.iter().filter_map(|s| Some(s.span()?.1)).collect();
    if ends.len() < 2 {
        return Vec::new();
    }
    ends.sort_unstable();
    let end = ends[(ends.len() - 1) * 9 / 10];
    let mut gone: Vec<(String, Last, bool)> = Vec::new();
    for ((name, s), &(_, zero)) in names.iter().zip(series).zip(zeros) {
        let Some((first, last)) = s.span() else {
            continue;
        };
        let step = (last - first) / (s.len().max(2) as i64 - 1);
        let stopped = s.len() >= MIN_SEEN && last < end - DAY.max(3 * step);
        match zero {
            Some(before) => gone.push((name.clone(), before, true)),
            None if stopped => {
                let count = s.last_followers().unwrap_or(0);
                gone.push((name.clone(), (count, last), false));
            }
            None => {}
        }
    }
    // In the order they vanished (and by name): not the order of the input.
    gone.sort_by(|a, b| (a.1.1, &a.0).cmp(&(b.1.1, &b.0)));
    let mut warnings: Vec<Warning> = gone
        .iter()
        .take(MAX_VANISHED_NAMED)
        .map(|(name, (count, at), zero)| {
            let how = if *zero {
                "then 0 to the end of its data"
            } else {
                "then no more snapshots while others go on"
            };
            Warning {
                account: Some(name.clone()),
                last_count: Some(*count),
                last_seen: Some(Timestamp(*at)),
                ..Warning::new(
                    "account_vanished",
                    format!(
                        "{name:?} vanished: {count} followers at {}, {how}",
                        format_rfc3339(*at)
                    ),
                    1,
                )
            }
        })
        .collect();
    if gone.len() > MAX_VANISHED_NAMED {
        let more = (gone.len() - MAX_VANISHED_NAMED) as u64;
        warnings.push(Warning::new(
            "account_vanished",
            format!(
                "{} more vanished (0 followers to the end, or no more snapshots)",
                counted(more, "account", "accounts")
            ),
            more,
        ));
    }
    warnings
}

/// Most names [`Dataset::close_names`] suggests.
const MAX_SUGGESTIONS: usize = 5;

impl Dataset {
    /// The id of the account named exactly `name`.
    pub fn account(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Account names close to `name`, the closest first, for "did you
    /// mean": the same name in another case, names that begin with it or
    /// hold it (or that it begins with), and names a few typing slips away
    /// (an edit distance of at most a third of its length, and at least 2).
    pub fn close_names(&self, name: &str) -> Vec<&str> {
        let wanted: Vec<char> = name.to_lowercase().chars().collect();
        let lower = name.to_lowercase();
        let slack = (wanted.len() / 3).max(2);
        let mut close: Vec<(usize, usize, &str)> = self
            .names
            .iter()
            .filter_map(|n| {
                let l = n.to_lowercase();
                let rank = if l == lower {
                    0
                } else if !lower.is_empty() && l.starts_with(&lower)
                    || l.chars().count() >= 3 && lower.starts_with(&l)
                {
                    1
                } else if lower.chars().count() >= 3 && l.contains(&lower) {
                    2
                } else {
                    let chars: Vec<char> = l.chars().collect();
                    if chars.len().abs_diff(wanted.len()) > slack {
                        return None;
                    }
                    let d = edit_distance(&wanted, &chars);
                    return (d <= slack).then_some((3, d, n.as_str()));
                };
                Some((rank, l.chars().count().abs_diff(wanted.len()), n.as_str()))
            })
            .collect();
        close.sort_unstable();
        close.truncate(MAX_SUGGESTIONS);
        close.into_iter().map(|(_, _, n)| n).collect()
    }
}

/// Levenshtein distance between two strings of characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Sorts one account's snapshots by time (only if they are not already:
/// collectors write in time order) and merges those of the same instant.
/// Returns the number of (exact, conflicting) duplicates merged, those
/// the series set aside while reading (each a repeat of the one before)
/// among the exact ones.
fn sort_and_merge(s: &mut Series) -> (u64, u64) {
    let repeats = s.repeats();
    if s.is_increasing() {
        return (repeats, 0);
    }
    // Order by time, then by count, so that of snapshots of one instant the
    // last has most followers whatever order they were read in.
    let mut rows: Vec<Snapshot> = s.iter().collect();
    rows.sort_unstable();
    let (mut exact, mut conflicting) = (0, 0);
    let kept = rows.iter().enumerate().filter(|&(k, x)| {
        let Some(next) = rows.get(k + 1).filter(|next| next.time == x.time) else {
            return true;
        };
        if next == x {
            exact += 1;
        } else {
            conflicting += 1;
        }
        false
    });
    s.refill(kept.map(|(_, x)| *x));
    (repeats + exact, conflicting)
}

/// `1 snapshot`, `2 snapshots`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Collector, Row, Sink};

    fn row(account: u32, time: i64, followers: u64) -> Row {
        Row {
            account,
            time,
            followers,
            following: None,
        }
    }

    #[test]
    fn close_names_for_did_you_mean() {
        assert_eq!(edit_distance(&['a', 'b'], &['b', 'a']), 2);
        assert_eq!(edit_distance(&[], &['x', 'y']), 2);
        let names = [
            "kimkardashian",
            "kyliejenner",
            "justinbieber",
            "KimK",
            "jamescharles",
        ];
        let ds = Dataset {
            names: names.iter().map(|n| n.to_string()).collect(),
            files: Vec::new(),
            rows: 0,
            first: 0,
            last: 0,
            warnings: Vec::new(),
            first_reference: names.len(),
            cohorts: Cohorts::default(),
            labels: Labels::default(),
        };
        assert_eq!(ds.account("KimK"), Some(3));
        assert_eq!(ds.account("kimk"), None);
        assert_eq!(ds.close_names("kimk"), ["KimK", "kimkardashian"]);
        assert_eq!(ds.close_names("justinbeiber"), ["justinbieber"]);
        assert_eq!(ds.close_names("JENNER"), ["kyliejenner"]);
        assert!(ds.close_names("zzzzzzzz").is_empty());
    }

    #[test]
    fn order_independent_and_deduplicated() {
        let rows = vec![
            row(1, 20, 5),
            row(0, 10, 1),
            row(0, 5, 2),
            row(0, 10, 1),
            row(1, 20, 7),
            row(1, 10, 4),
        ];
        let mut reversed = rows.clone();
        reversed.reverse();
        let collected = |rows: Vec<Row>| {
            let mut c = Collector::default();
            c.intern("a");
            c.intern("b");
            for r in rows {
                c.push(r);
            }
            c.finish()
        };
        let a = Dataset::build(collected(rows));
        let b = Dataset::build(collected(reversed));
        assert_eq!(a.1, b.1);
        assert_eq!(a.1[0].iter().map(|s| s.time).collect::<Vec<_>>(), [5, 10]);
        assert_eq!(
            a.1[1].iter().map(|s| s.followers).collect::<Vec<_>>(),
            [4, 7]
        );
        let a = a.0;
        assert_eq!(
            a.warnings
                .iter()
                .map(|w| (w.code, w.count))
                .collect::<Vec<_>>(),
            vec![("duplicate_snapshot", 1), ("conflicting_snapshot", 1)]
        );
        assert_eq!(a.warnings[0].message, "1 exact duplicate snapshot merged");
        assert!(
            a.warnings[1]
                .message
                .starts_with("1 snapshot conflicts with")
        );
        assert_eq!((a.rows, a.first, a.last), (6, 5, 20));
    }

    #[test]
    fn repeated_headers_are_a_warning() {
        let mut c = Collector::default();
        c.intern("a");
        c.push(row(0, 5, 2));
        c.repeated_header();
        c.repeated_header();
        let (d, _) = Dataset::build(c.finish());
        assert_eq!(
            d.warnings,
            vec![Warning::new(
                "repeated_header",
                "2 repeated header lines skipped".to_string(),
                2,
            )]
        );
    }
}
