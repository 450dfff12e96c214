//! Which column (or JSON path) holds which field: the SPEC's alias lists,
//! name normalisation, and `--*-col` overrides.

use super::shorten;
use std::fmt;

/// The fields of a snapshot that `followdrop` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Time,
    Account,
    Followers,
    Following,
    /// Which cohort an account belongs to (its platform): accounts of
    /// different cohorts are judged apart.
    Cohort,
    /// A name for people beside an account's handle or id (a channel's
    /// title beside its opaque id): shown, never an account's identity.
    Label,
}

impl Field {
    /// Accepted column names, in order of preference (SPEC: Input).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Time => &[
                "timestamp",
                "time",
                "date",
                "datetime",
                "ts",
                "snapshot_time",
                "captured_at",
                "collected_at",
                "fetched_at",
                "scraped_at",
                "retrieved_at",
                "requested_at",
                "checked_at",
                "crawled_at",
                "recorded_at",
                "observed_at",
                "snapshot_date",
            ],
            Field::Account => &[
                "account",
                "handle",
                "username",
                "user",
                "screen_name",
                "account_id",
                "user_id",
                "channel_id",
                "channel",
                "id",
                "name",
                // The APIs' own names (Twitch, Reddit, Facebook pages), and a
                // display name when nothing better is there.
                "login",
                "broadcaster_login",
                "broadcaster_name",
                "channel_name",
                "page_name",
                "channel_title",
                "display_name",
            ],
            Field::Followers => &[
                "followers",
                "followers_count",
                "follower_count",
                "subscribers",
                "subscriber_count",
                "fan_count",
            ],
            Field::Following => &[
                "following",
                "following_count",
                "friends_count",
                "follows_count",
            ],
            Field::Cohort => &["platform", "network", "site", "source"],
            Field::Label => &[
                "display_name",
                "channel_title",
                "page_name",
                "full_name",
                "title",
                "name",
            ],
        }
    }

    /// Names that hold the followers only in a table that leaves no doubt
    /// (see [`followers`]): `count`, `value` and `total` name many things.
    fn fallbacks(self) -> &'static [&'static str] {
        match self {
            Field::Followers => &["count", "value", "total"],
            _ => &[],
        }
    }

    /// The option that names this field's column.
    pub fn flag(self) -> &'static str {
        match self {
            Field::Time => "--time-col",
            Field::Account => "--account-col",
            Field::Followers => "--followers-col",
            Field::Following => "--following-col",
            Field::Cohort => "--cohort-by",
            Field::Label => "--label-col",
        }
    }

    /// The field's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::Time => "time",
            Field::Account => "account",
            Field::Followers => "followers",
            Field::Following => "following",
            Field::Cohort => "cohort",
            Field::Label => "display name",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// User overrides of column names (`--time-col` and friends).
#[derive(Debug, Clone, Default)]
pub struct ColumnOverrides {
    pub time: Option<String>,
    pub account: Option<String>,
    pub followers: Option<String>,
    pub following: Option<String>,
    /// The column that names each account's cohort (`--cohort-by COLUMN`).
    pub cohort: Option<String>,
    /// The column of display names (`--label-col`).
    pub label: Option<String>,
    /// No column names a cohort, whatever its name (`--cohort-by none`: a
    /// `source` column that names the collector, not the platform).
    pub whole_cohort: bool,
}

impl ColumnOverrides {
    fn get(&self, field: Field) -> Option<&str> {
        match field {
            Field::Time => self.time.as_deref(),
            Field::Account => self.account.as_deref(),
            Field::Followers => self.followers.as_deref(),
            Field::Following => self.following.as_deref(),
            Field::Cohort => self.cohort.as_deref(),
            Field::Label => self.label.as_deref(),
        }
    }
}

/// Normalises a column name for comparison: lower case, without `_`, `-`,
/// spaces or a trailing `utc`, so that `FollowerCount`, `followers count`
/// and `date_utc` match their aliases.
pub fn normalize(name: &str) -> String {
    let mut s: String = name
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '\t'))
        .flat_map(char::to_lowercase)
        .collect();
    if s.len() > 3 && s.ends_with("utc") {
        s.truncate(s.len() - 3);
    }
    s
}

/// Where each field sits: an index into the columns the caller listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub time: usize,
    /// `None` when the input has no account column: one account per file.
    pub account: Option<usize>,
    pub followers: usize,
    pub following: Option<usize>,
    /// The column naming each account's cohort (its platform), if any.
    pub cohort: Option<usize>,
    /// A column of display names beside the account column, if any.
    pub label: Option<usize>,
}

/// A required column that is not there; carries what is needed for a helpful
/// message (the columns found and the accepted names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    pub field: Field,
    /// The accepted names, or the one name given with `--*-col`.
    pub wanted: Vec<String>,
    pub found: Vec<String>,
    /// Whether `wanted` is a name given with `--*-col` (a usage error: the
    /// option named a column the input does not have).
    pub named: bool,
}

impl fmt::Display for MissingColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let found = found_list(&self.found);
        let hint = hint(&self.found);
        if self.named {
            return write!(
                f,
                "no column named {} (columns found: {found}){hint}",
                self.wanted.join(", ")
            );
        }
        write!(
            f,
            "no {} column; columns found: {found}; accepted names: {} (or name it with {}){hint}",
            self.field,
            self.wanted.join(", "),
            self.field.flag()
        )
    }
}

/// A header that cannot be read as snapshots, and the input it heads: the
/// error the readers return. Typed so that the command line can tell a
/// `--*-col` option naming a column the input lacks (a usage error, only
/// found once the header is read) from an input that lacks a column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct HeaderError {
    /// The input's name, as messages show it.
    pub input: String,
    pub layout: Layout,
}

impl HeaderError {
    pub fn new(input: &str, layout: impl Into<Layout>) -> HeaderError {
        HeaderError {
            input: input.to_string(),
            layout: layout.into(),
        }
    }

    /// Whether an option named a column the input does not have: the
    /// user's mistake, reported as clap reports a bad option value.
    pub fn is_usage(&self) -> bool {
        matches!(&self.layout, Layout::Missing(m) if m.named)
    }

    /// Whether the input lacks `field` under every accepted name.
    pub fn lacks(&self, field: Field) -> bool {
        matches!(&self.layout, Layout::Missing(m) if m.field == field && !m.named)
    }
}

/// Worded as clap words a bad option value when it is one (`invalid value
/// 'nosuch' for '--time-col <NAME>': data.csv has no such column (columns
/// found: a, b, c)`), else the input's name and what is wrong.
impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.layout {
            Layout::Missing(m) if m.named => write!(
                f,
                "invalid value '{}' for '{} <NAME>': {} has no such column (columns found: {}){}",
                m.wanted.join(", "),
                m.field.flag(),
                self.input,
                found_list(&m.found),
                hint(&m.found)
            ),
            layout => write!(f, "{}: {layout}", self.input),
        }
    }
}

/// The columns found, for a message: control characters escaped (a NUL or
/// carriage return must not reach the terminal raw), each name shortened,
/// and no more than a screenful of them.
fn found_list(found: &[String]) -> String {
    const MAX: usize = 30;
    if found.is_empty() {
        return "none".to_string();
    }
    let mut shown: Vec<String> = found
        .iter()
        .take(MAX)
        .map(|name| {
            let mut out = String::new();
            for c in shorten(name).chars() {
                if c.is_control() {
                    out.extend(c.escape_debug());
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect();
    if found.len() > MAX {
        shown.push(format!("… ({} more)", found.len() - MAX));
    }
    shown.join(", ")
}

/// Why a header may not have been read as the user meant: a file saved as
/// UTF-16 (NUL bytes between the letters, as Excel's "Unicode text" writes
/// it), or lines ended by a bare carriage return (old Mac files), which
/// makes the whole file one line.
fn encoding_hint(found: &[String]) -> Option<&'static str> {
    if found.iter().any(|n| n.contains('\0')) {
        Some("the file looks like UTF-16 (NUL bytes between the letters): save it as UTF-8")
    } else if found.iter().any(|n| n.contains('\r')) {
        Some("lines seem to end with a bare carriage return (\\r): convert them to \\n or \\r\\n")
    } else {
        None
    }
}

/// [`encoding_hint`] as the end of a message: empty, or `; ` and the hint.
fn hint(found: &[String]) -> String {
    encoding_hint(found).map_or_else(String::new, |hint| format!("; {hint}"))
}

/// Matches the columns `names` to fields. For nested JSON, `names` are dotted
/// paths; a path matches an alias by its whole name or by its last segment,
/// so `public_metrics.followers_count` is found without an override. Where
/// several columns match, the alias earlier in the list wins, then the
/// shallower path, then the earlier column.
pub fn resolve(names: &[String], overrides: &ColumnOverrides) -> Result<Resolved, MissingColumn> {
    let find = |field| find(names, overrides, field);
    let time = find(Field::Time)?.ok_or_else(|| missing(names, Field::Time))?;
    let followers = followers(names, overrides)?.ok_or_else(|| missing(names, Field::Followers))?;
    let account = find(Field::Account)?;
    let following = find(Field::Following)?;
    let cohort = match overrides.whole_cohort {
        true => None,
        false => find(Field::Cohort)?,
    };
    // A display name only beside an account column, and never the column
    // that names the account itself.
    let label = match overrides.label {
        Some(_) => find(Field::Label)?,
        None => account.and_then(|a| {
            let mut names = names.to_vec();
            names[a] = String::new();
            best_of(&names, Field::Label.aliases())
        }),
    };
    let resolved = Resolved {
        time,
        account,
        followers,
        following,
        cohort,
        label,
    };
    Ok(resolved)
}

/// The column of `field`: the one named with its `--*-col` option (an
/// error if there is none), else the best of its aliases (earlier aliases
/// first; in JSON, shallower paths first), else `None`.
fn find(
    names: &[String],
    overrides: &ColumnOverrides,
    field: Field,
) -> Result<Option<usize>, MissingColumn> {
    if let Some(wanted) = overrides.get(field) {
        let exact = names.iter().position(|n| n == wanted);
        let loose = || names.iter().position(|n| normalize(n) == normalize(wanted));
        return match exact.or_else(loose) {
            Some(i) => Ok(Some(i)),
            None => Err(MissingColumn {
                field,
                wanted: vec![wanted.to_string()],
                found: names.to_vec(),
                named: true,
            }),
        };
    }
    Ok(best_of(names, field.aliases()))
}

/// The column matching the earliest of `aliases` (by its whole name or, in
/// JSON, by its path's last segment; the shallower path, then the earlier
/// column, where several match).
fn best_of(names: &[String], aliases: &[&str]) -> Option<usize> {
    let normalized: Vec<(String, String, usize)> = names
        .iter()
        .map(|n| {
            let last = n.rsplit('.').next().unwrap_or(n);
            (normalize(n), normalize(last), n.matches('.').count())
        })
        .collect();
    aliases.iter().find_map(|alias| {
        let alias = normalize(alias);
        normalized
            .iter()
            .enumerate()
            .filter(|(_, (whole, last, _))| *whole == alias || *last == alias)
            .min_by_key(|(i, (_, _, depth))| (*depth, *i))
            .map(|(i, _)| i)
    })
}

/// The followers column: by its aliases, or else by a name of
/// [`Field::fallbacks`] where the table leaves no doubt that it is the
/// followers: beside an account column (Twitch's `broadcaster_login` and
/// `total`), or as the only column besides the time (and following) — a
/// file of one account's `date,count`, as follower-history repositories
/// keep them. Elsewhere (`date,total,nasa,cnn`) it is an account's column
/// of a wide table.
fn followers(
    names: &[String],
    overrides: &ColumnOverrides,
) -> Result<Option<usize>, MissingColumn> {
    if let Some(i) = find(names, overrides, Field::Followers)? {
        return Ok(Some(i));
    }
    let Some(i) = best_of(names, Field::Followers.fallbacks()) else {
        return Ok(None);
    };
    let known = [Field::Time, Field::Account, Field::Following, Field::Cohort]
        .map(|f| find(names, overrides, f).ok().flatten());
    let others = (0..names.len())
        .filter(|&k| k != i && !known.contains(&Some(k)) && !names[k].trim().is_empty())
        .count();
    Ok((known[1].is_some() || others == 0).then_some(i))
}

/// The column named like `field` by its aliases (no overrides, no
/// fallbacks): for telling what a JSON document holds.
pub fn find_field(names: &[String], field: Field) -> Option<usize> {
    best_of(names, field.aliases())
}

fn missing(names: &[String], field: Field) -> MissingColumn {
    MissingColumn {
        field,
        wanted: field.aliases().iter().map(|s| s.to_string()).collect(),
        found: names.to_vec(),
        named: false,
    }
}

/// The columns of a wide table: a time column, and one column of follower
/// counts per account, named after the account (as analytics tools export:
/// `date,nasa,cnn,bbcbreaking`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wide {
    pub time: usize,
    /// The account columns: every other column with a name.
    pub accounts: Vec<usize>,
}

/// Reads a header as a wide table: when `forced` (`--wide`), or when it has
/// a time column but no followers, following or account column and no
/// `--followers-col` or `--account-col` says otherwise. `Ok(None)`: a long
/// table.
pub fn wide(
    names: &[String],
    overrides: &ColumnOverrides,
    forced: bool,
) -> Result<Option<Wide>, Layout> {
    let looks_wide = || {
        overrides.followers.is_none()
            && overrides.account.is_none()
            && matches!(followers(names, overrides), Ok(None))
            && [Field::Account, Field::Following, Field::Cohort]
                .into_iter()
                .all(|f| matches!(find(names, overrides, f), Ok(None)))
    };
    let Some(time) = find(names, overrides, Field::Time)? else {
        return match forced {
            true => Err(missing(names, Field::Time).into()),
            false => Ok(None),
        };
    };
    let accounts: Vec<usize> = (0..names.len())
        .filter(|&i| i != time && !names[i].trim().is_empty())
        .collect();
    if accounts.is_empty() || !(forced || looks_wide()) {
        return Ok(None);
    }
    if let [only] = accounts[..]
        && !forced
    {
        return Err(Layout::OneColumn(names[only].clone()));
    }
    Ok(Some(Wide { time, accounts }))
}

/// Why a header cannot be read as a table of snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    Missing(MissingColumn),
    /// A time and one other column, named like no field: either one
    /// account's followers (the account named after the file) or a wide
    /// table of one account. Taken as the latter, a folder of one file per
    /// account merged into one account named after the column.
    OneColumn(String),
}

impl From<MissingColumn> for Layout {
    fn from(e: MissingColumn) -> Layout {
        Layout::Missing(e)
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layout::Missing(e) => e.fmt(f),
            Layout::OneColumn(name) => {
                let name = shorten(name);
                write!(
                    f,
                    "one column besides the time, {name:?}, and it is not a known name of the followers: \
                     if it holds the follower counts of one account (named after the file), \
                     say --followers-col {name:?}; if it is a wide table of one account named {name:?}, say --wide"
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("FollowerCount"), "followercount");
        assert_eq!(normalize("followers count"), "followerscount");
        assert_eq!(normalize("date_utc"), "date");
        assert_eq!(normalize("Date (UTC)"), "date(utc)");
        assert_eq!(normalize("\u{feff}timestamp"), "timestamp");
        assert_eq!(normalize("utc"), "utc");
    }

    #[test]
    fn aliases_and_precedence() {
        let r = resolve(
            &cols(&["Date_UTC", "id", "Username", "Followers Count"]),
            &ColumnOverrides::default(),
        )
        .unwrap();
        assert_eq!(
            r,
            Resolved {
                time: 0,
                account: Some(2),
                followers: 3,
                following: None,
                cohort: None,
                label: None
            }
        );
        let r = resolve(
            &cols(&["ts", "followers", "friends_count"]),
            &ColumnOverrides::default(),
        )
        .unwrap();
        assert_eq!((r.account, r.following), (None, Some(2)));
    }

    #[test]
    fn nested_paths_match_by_last_segment() {
        let names = cols(&[
            "collected_at",
            "id",
            "username",
            "public_metrics.followers_count",
            "public_metrics.following_count",
        ]);
        let r = resolve(&names, &ColumnOverrides::default()).unwrap();
        assert_eq!(
            r,
            Resolved {
                time: 0,
                account: Some(2),
                followers: 3,
                following: Some(4),
                cohort: None,
                label: None
            }
        );
    }

    #[test]
    fn overrides_win_and_must_exist() {
        let names = cols(&["when", "who", "n", "followers"]);
        let o = ColumnOverrides {
            time: Some("when".into()),
            account: Some("who".into()),
            followers: Some("n".into()),
            following: None,
            cohort: None,
            label: None,
            whole_cohort: false,
        };
        assert_eq!(
            resolve(&names, &o).unwrap(),
            Resolved {
                time: 0,
                account: Some(1),
                followers: 2,
                following: None,
                cohort: None,
                label: None
            }
        );
        let o = ColumnOverrides {
            followers: Some("fans".into()),
            ..o
        };
        let err = resolve(&names, &o).unwrap_err();
        assert_eq!(err.field, Field::Followers);
    }

    #[test]
    fn a_missing_named_column_reads_as_a_usage_error() {
        let names = cols(&["ts", "who", "n"]);
        let o = ColumnOverrides {
            followers: Some("fans".into()),
            ..ColumnOverrides::default()
        };
        let err = resolve(&names, &o).unwrap_err();
        assert!(err.named);
        let err = HeaderError::new("data/x.csv", err);
        assert!(err.is_usage());
        assert_eq!(
            err.to_string(),
            "invalid value 'fans' for '--followers-col <NAME>': \
             data/x.csv has no such column (columns found: ts, who, n)"
        );
        // A column missing without an option naming it is the input's fault.
        let unnamed = HeaderError::new(
            "data/x.csv",
            resolve(&names, &ColumnOverrides::default()).unwrap_err(),
        );
        assert!(!unnamed.is_usage());
        assert!(
            unnamed
                .to_string()
                .starts_with("data/x.csv: no followers column; columns found: ts, who, n"),
            "{unnamed}"
        );
    }

    #[test]
    fn odd_headers_are_shown_escaped_with_a_hint() {
        // A UTF-16 header read as bytes: NUL between the letters.
        let utf16 = cols(&["\u{fffd}\u{fffd}t\0s\0", "\0f\0o\0l\0l\0o\0w\0e\0r\0s\0"]);
        let msg = resolve(&utf16, &ColumnOverrides::default())
            .unwrap_err()
            .to_string();
        assert!(!msg.contains('\0'), "{msg:?}");
        assert!(
            msg.contains("t\\0s\\0") && msg.contains("looks like UTF-16"),
            "{msg}"
        );
        // A file with bare CR line ends is all one line.
        let cr = cols(&[
            "timestamp",
            "account",
            "followers\r2024-01-01T00:00:00Z",
            "a",
        ]);
        let o = ColumnOverrides {
            followers: Some("followers".into()),
            ..ColumnOverrides::default()
        };
        let err = resolve(&cr, &o).unwrap_err();
        let msg = err.to_string();
        assert!(!msg.contains('\r'), "{msg:?}");
        assert!(msg.contains("bare carriage return"), "{msg}");
        let usage = HeaderError::new("x.csv", err).to_string();
        assert!(
            usage.starts_with(
                "invalid value 'followers' for '--followers-col <NAME>': x.csv has no such column"
            ) && usage.ends_with("convert them to \\n or \\r\\n"),
            "{usage}"
        );
        // Many or long names are cut.
        let many: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
        let msg = resolve(&many, &ColumnOverrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("c29, … (70 more)") && !msg.contains("c30"),
            "{msg}"
        );
        let long = cols(&[&"x".repeat(10_000)]);
        assert!(
            resolve(&long, &ColumnOverrides::default())
                .unwrap_err()
                .to_string()
                .len()
                < 400
        );
    }

    #[test]
    fn missing_column_lists_found_and_accepted() {
        let err = resolve(
            &cols(&["timestamp", "account", "likes"]),
            &ColumnOverrides::default(),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("no followers column"), "{msg}");
        assert!(
            msg.contains("columns found: timestamp, account, likes"),
            "{msg}"
        );
        assert!(msg.contains("followers_count"), "{msg}");
    }
}
