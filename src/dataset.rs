//! The data set: every snapshot of every input, grouped by account and
//! sorted by time, with exact duplicates merged and conflicting ones
//! resolved (and counted as warnings).

use crate::input::{Collected, Following, Series};
use rayon::prelude::*;
use serde::Serialize;

/// Something the user should know about the data that did not stop the scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
    pub count: u64,
}

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
}

impl Dataset {
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
            first_reference,
        } = input;
        let (exact, conflicting) = series
            .par_iter_mut()
            .map(sort_and_merge)
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let first = series
            .iter()
            .filter_map(|s| s.times.first())
            .min()
            .copied()
            .unwrap_or(0);
        let last = series
            .iter()
            .filter_map(|s| s.times.last())
            .max()
            .copied()
            .unwrap_or(0);
        let mut warnings = Vec::new();
        if skipped > 0 {
            warnings.push(Warning {
                code: "invalid_record",
                message: format!(
                    "{} skipped (--on-error skip); first: {}",
                    counted(skipped, "invalid record", "invalid records"),
                    skipped_examples.join("; ")
                ),
                count: skipped,
            });
        }
        if replaced_names > 0 {
            warnings.push(Warning {
                code: "invalid_utf8",
                message: format!(
                    "{} had an account name that is not valid UTF-8; the bad bytes were replaced with U+FFFD",
                    counted(replaced_names, "record", "records")
                ),
                count: replaced_names,
            });
        }
        if repeated_headers > 0 {
            warnings.push(Warning {
                code: "repeated_header",
                message: format!(
                    "{} skipped",
                    counted(
                        repeated_headers,
                        "repeated header line",
                        "repeated header lines"
                    )
                ),
                count: repeated_headers,
            });
        }
        if exact > 0 {
            warnings.push(Warning {
                code: "duplicate_snapshot",
                message: format!(
                    "{} merged",
                    counted(
                        exact,
                        "exact duplicate snapshot",
                        "exact duplicate snapshots"
                    )
                ),
                count: exact,
            });
        }
        if conflicting > 0 {
            let (what, verb) = if conflicting == 1 {
                ("snapshot", "conflicts")
            } else {
                ("snapshots", "conflict")
            };
            warnings.push(Warning {
                code: "conflicting_snapshot",
                message: format!(
                    "{conflicting} {what} {verb} with another of the same account and time; the one with most followers was kept"
                ),
                count: conflicting,
            });
        }
        let dataset = Dataset {
            first_reference: first_reference.unwrap_or(names.len()),
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

/// Sorts one account's snapshots by time (only if they are not already:
/// collectors write in time order) and merges those of the same instant.
/// Returns the number of (exact, conflicting) duplicates merged.
fn sort_and_merge(s: &mut Series) -> (u64, u64) {
    let n = s.len();
    let sorted = s.times.windows(2).all(|w| w[0] < w[1]);
    if sorted {
        return (0, 0);
    }
    // Order by time, then by count, so that of snapshots of one instant the
    // last has most followers whatever order they were read in. Sorted in
    // a scratch copy and written back into the series' own storage: new
    // storage for every account would leave the old scattered in the heap.
    let mut rows: Vec<(i64, u64, Option<u64>)> = (0..n)
        .map(|i| (s.times[i], s.followers[i], s.following.get(i)))
        .collect();
    rows.sort_unstable();
    let (mut exact, mut conflicting) = (0, 0);
    let present = s.following.is_present();
    s.times.clear();
    s.followers.clear();
    let mut following = Following::default();
    for (k, &(t, v, f)) in rows.iter().enumerate() {
        if let Some(&(next, w, g)) = rows.get(k + 1)
            && next == t
        {
            if (w, g) == (v, f) {
                exact += 1;
            } else {
                conflicting += 1;
            }
            continue;
        }
        if present {
            following.push(s.times.len(), f);
        }
        s.times.push(t);
        s.followers.push(v);
    }
    s.following = following;
    (exact, conflicting)
}

/// `1 snapshot`, `2 snapshots`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Collector, Row};

    fn row(account: u32, time: i64, followers: u64) -> Row {
        Row {
            account,
            time,
            followers,
            following: None,
        }
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
        assert_eq!(a.1[0].times, vec![5, 10]);
        assert_eq!(a.1[1].followers, vec![4, 7]);
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
            vec![Warning {
                code: "repeated_header",
                message: "2 repeated header lines skipped".to_string(),
                count: 2,
            }]
        );
    }
}
