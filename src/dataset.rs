//! The data set: every snapshot of every input, grouped by account and
//! sorted by time, with exact duplicates merged and conflicting ones
//! resolved (and counted as warnings).

use crate::input::Collected;
use serde::Serialize;

/// Something the user should know about the data that did not stop the scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
    pub count: u64,
}

/// One account's snapshots, sorted by time, one per instant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub times: Vec<i64>,
    pub followers: Vec<u64>,
    pub following: Vec<Option<u64>>,
}

/// All accounts' series, indexed by account id.
#[derive(Debug)]
pub struct Dataset {
    pub names: Vec<String>,
    pub series: Vec<Series>,
    pub files: Vec<String>,
    /// Snapshot records read, duplicates included.
    pub rows: usize,
    pub first: i64,
    pub last: i64,
    pub warnings: Vec<Warning>,
}

impl Dataset {
    /// Groups rows by account and time. Rows may come in any order: the
    /// result does not depend on it. Of conflicting snapshots (same account
    /// and instant, different counts) the one with most followers is kept:
    /// a scraper's failure tends to read too few followers, not too many.
    pub fn build(input: Collected) -> Dataset {
        let Collected {
            names,
            mut rows,
            files,
            repeated_headers,
        } = input;
        let total = rows.len();
        rows.sort_unstable();
        let mut series = vec![Series::default(); names.len()];
        let (mut exact, mut conflicting) = (0u64, 0u64);
        let mut i = 0;
        while i < rows.len() {
            // Rows of one (account, time) are adjacent, sorted by count: the last has most followers.
            let mut j = i + 1;
            while j < rows.len()
                && rows[j].account == rows[i].account
                && rows[j].time == rows[i].time
            {
                if rows[j] == rows[j - 1] {
                    exact += 1;
                } else {
                    conflicting += 1;
                }
                j += 1;
            }
            let keep = rows[j - 1];
            let s = &mut series[keep.account as usize];
            s.times.push(keep.time);
            s.followers.push(keep.followers);
            s.following.push(keep.following);
            i = j;
        }
        let first = rows
            .first()
            .map_or(0, |_| rows.iter().map(|r| r.time).min().unwrap_or(0));
        let last = rows.iter().map(|r| r.time).max().unwrap_or(0);
        let mut warnings = Vec::new();
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
        Dataset {
            names,
            series,
            files,
            rows: total,
            first,
            last,
            warnings,
        }
    }
}

/// `1 snapshot`, `2 snapshots`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Row;

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
        let names = vec!["a".to_string(), "b".to_string()];
        let collected = |rows| Collected {
            names: names.clone(),
            rows,
            ..Collected::default()
        };
        let a = Dataset::build(collected(rows));
        let b = Dataset::build(collected(reversed));
        assert_eq!(a.series, b.series);
        assert_eq!(a.series[0].times, vec![5, 10]);
        assert_eq!(a.series[1].followers, vec![4, 7]);
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
        let d = Dataset::build(Collected {
            names: vec!["a".to_string()],
            rows: vec![row(0, 5, 2)],
            repeated_headers: 2,
            ..Collected::default()
        });
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
