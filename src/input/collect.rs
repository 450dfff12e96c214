//! Where the readers put what they read: a [`Collector`] that interns
//! account names and appends each row to its account's [`Series`], and for
//! parallel reads the [`Chunk`] of one piece of a file, whose rows are kept
//! flat and appended to the collector a whole account at a time.

use super::OnError;
use super::cut_line::HeldBack;
use super::names::Names;
use super::series::{Series, Snapshot};
use crate::packed::Packed;
use anyhow::Result;
use std::sync::Arc;

/// What a format reader hands its records to.
pub(crate) trait Sink {
    /// The id of an account name, interning it on first sight.
    fn intern(&mut self, name: &str) -> u32;
    /// The id of a name already interned, if cheaply found (see
    /// [`Names::guess`]); `None` says nothing.
    fn guess(&mut self, name: &[u8]) -> Option<u32>;
    /// Takes a row whose account id came from [`Sink::intern`].
    fn push(&mut self, row: Row);
    /// Counts a record whose account name was not valid UTF-8.
    fn replaced_name(&mut self);
    /// Counts a CSV record that repeats its file's header and was skipped.
    fn repeated_header(&mut self);
    /// Counts a record whose follower count is missing or hidden (an empty
    /// cell, a JSON `null` or absent field): a missing snapshot, skipped.
    fn missing_count(&mut self);
    /// Gives an account its display name (the latest one read wins).
    fn label(&mut self, account: u32, label: &str);
}

/// Display names by account id, kept only where one was read; set only
/// when it changes, so that a name repeated on every row costs a
/// comparison, not an allocation.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Labels(Vec<Option<Box<str>>>);

impl Labels {
    fn set(&mut self, account: u32, label: &str) {
        let i = account as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, None);
        }
        if self.0[i].as_deref() != Some(label) {
            self.0[i] = Some(label.into());
        }
    }

    /// The display name of account `i`, if one was read.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.0.get(i)?.as_deref()
    }

    /// The display names of the accounts `ids`, in that order.
    pub fn select(&self, ids: &[usize]) -> Labels {
        Labels(ids.iter().map(|&i| self.get(i).map(Into::into)).collect())
    }
}

/// One snapshot: an account's follower (and following) count at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    pub account: u32,
    pub time: i64,
    pub followers: u64,
    /// `None` when the input has no following column or the cell is empty.
    pub following: Option<u64>,
}

impl Row {
    /// The snapshot, without its account.
    fn snapshot(&self) -> Snapshot {
        Snapshot {
            time: self.time,
            followers: self.followers,
            following: self.following,
        }
    }
}

/// The following counts of a series, stored without a tag per value: an
/// empty cell is [`FollowingCounts::MISSING`], and an account that never had one
/// stores nothing at all (most inputs have no following column). Either
/// empty or as long as its series. A following count moves little, so most
/// take a byte (see [`Packed`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowingCounts(Packed<i64>);

impl FollowingCounts {
    /// Marks an empty cell; counts are never negative.
    const MISSING: i64 = -1;

    /// The following count of snapshot `i`, if it has one.
    pub fn get(&self, i: usize) -> Option<u64> {
        (i < self.0.len())
            .then(|| self.0.get(i))
            .filter(|&v| v != Self::MISSING)
            .map(|v| v as u64)
    }

    /// Appends the value of a series that held `len` snapshots before.
    pub fn push(&mut self, len: usize, value: Option<u64>) {
        if value.is_none() && self.0.is_empty() {
            return;
        }
        self.0.resize(len, Self::MISSING);
        self.0.push(value.map_or(Self::MISSING, |v| v as i64));
    }

    /// The counts `values`, one a snapshot, in one allocation of their
    /// size (see [`Packed::from_values`]).
    pub fn from_values(values: impl ExactSizeIterator<Item = Option<u64>> + Clone) -> Self {
        FollowingCounts(Packed::from_values(
            values.map(|v| v.map_or(Self::MISSING, |v| v as i64)),
        ))
    }

    /// Sets the value of snapshot `i` of a series that has following counts.
    pub fn set(&mut self, i: usize, value: Option<u64>) {
        if self.is_present() {
            self.0.set(i, value.map_or(Self::MISSING, |v| v as i64));
        }
    }

    /// Whether any snapshot has a following count.
    pub fn is_present(&self) -> bool {
        !self.0.is_empty()
    }

    /// The following counts of snapshots `range` (all `None` where there
    /// are none), in order, each given to `f` (see [`Packed::for_each_in`]).
    pub fn for_each_in(&self, range: std::ops::Range<usize>, mut f: impl FnMut(Option<u64>)) {
        if !self.is_present() {
            return range.for_each(|_| f(None));
        }
        self.0.for_each_in(range, |v| {
            f((v != Self::MISSING).then_some(v as u64));
        });
    }
}

/// Gathers rows from every input into one data set, interning account names
/// and appending each row to its account's series as it is read: no global
/// sort is needed later, and rows cost no more memory than their values.
#[derive(Debug, Default)]
pub struct Collector {
    pub(super) names: Names,
    pub(super) collected: Collected,
    /// The size of all inputs in bytes, when known (no stdin among them):
    /// what [`Chunk::through`] is a share of.
    pub(super) input_bytes: Option<u64>,
    /// The most rows to hold (`--max-rows`; `None`, no limit): those
    /// beyond are not stored, and [`Collector::check_room`] fails.
    pub(super) max_rows: Option<u64>,
    /// Whether rows were left out for want of room.
    pub(super) full: bool,
    /// Where a chunk's run of an account's snapshots is encoded before it
    /// is appended (see [`Series::extend`]).
    pub(super) scratch: Vec<u8>,
}

/// Everything read from the inputs, for [`crate::dataset::Dataset::build`].
#[derive(Debug, Default)]
pub struct Collected {
    /// Account names, indexed by [`Row::account`].
    pub names: Vec<String>,
    /// Each account's snapshots, indexed by [`Row::account`].
    pub series: Vec<Series>,
    /// Snapshot records read.
    pub rows: usize,
    /// The inputs read, as given (`-` for stdin).
    pub files: Vec<String>,
    /// CSV records identical to their file's header, skipped: what
    /// `cat a.csv b.csv > c.csv` leaves in the middle of a file.
    pub repeated_headers: u64,
    /// Invalid records skipped (`--on-error skip`), and the first few errors.
    pub skipped: u64,
    pub skipped_examples: Vec<String>,
    /// Records whose account name was not valid UTF-8 (its bad bytes
    /// replaced with U+FFFD).
    pub replaced_names: u64,
    /// Records without a follower count (see [`Sink::missing_count`]).
    pub missing_counts: u64,
    /// Files in the folders read that were left out: not snapshot files
    /// by their names.
    pub unread_files: Vec<String>,
    /// Display names read beside the accounts' names.
    pub labels: Labels,
    /// Last lines without a line end whose snapshots were held back.
    pub held_back: Vec<HeldBack>,
    /// CSV records with a quoted field that spans lines, read as one.
    pub quoted_line_breaks: u64,
    /// Accounts from this id on were seen only in reference inputs
    /// (`--reference`): in the cohort, never reported. `None` until the
    /// references are read; [`Collector::finish`] makes it the number of
    /// accounts when there are none.
    pub first_reference: Option<usize>,
}

impl Sink for Collector {
    fn intern(&mut self, name: &str) -> u32 {
        let (id, new) = self.names.intern(name);
        if new {
            self.collected.series.push(Series::default());
        }
        id
    }

    fn guess(&mut self, name: &[u8]) -> Option<u32> {
        self.names.guess(name)
    }

    fn push(&mut self, row: Row) {
        if self
            .max_rows
            .is_some_and(|max| self.collected.rows as u64 >= max)
        {
            self.full = true;
            return;
        }
        self.collected.series[row.account as usize].push(row.snapshot());
        self.collected.rows += 1;
    }

    fn replaced_name(&mut self) {
        self.collected.replaced_names += 1;
    }

    fn repeated_header(&mut self) {
        self.collected.repeated_headers += 1;
    }

    fn missing_count(&mut self) {
        self.collected.missing_counts += 1;
    }

    fn label(&mut self, account: u32, label: &str) {
        self.collected.labels.set(account, label);
    }
}

impl Collector {
    /// Appends the rows of a chunk read after everything this collector
    /// has, grouped by [`Chunk::group`]: the chunk's accounts are looked up
    /// (or added, in the order the chunk first saw them) and each one's
    /// rows appended at once.
    /// Fails when rows were left out for want of room (`--max-rows`).
    pub(crate) fn check_room(&self, progress: &crate::progress::Progress) -> Result<()> {
        match (self.full, self.max_rows) {
            (true, Some(max)) => Err(super::limits::too_many_rows(max, progress.position())),
            _ => Ok(()),
        }
    }

    pub(crate) fn absorb(&mut self, grouped: Chunk) {
        let rows = (self.collected.rows + grouped.rows()) as u64;
        if self.max_rows.is_some_and(|max| rows > max) {
            self.full = true;
            return;
        }
        let share = grouped
            .through
            .zip(self.input_bytes)
            .map(|(through, all)| through as f64 / all.max(1) as f64);
        for (k, rows) in grouped.starts.windows(2).enumerate() {
            let rows = rows[0] as usize..rows[1] as usize;
            if rows.is_empty() {
                // A known account the chunk did not see.
                continue;
            }
            let id = if k < grouped.known {
                k
            } else {
                self.intern(grouped.names.get((k - grouped.known) as u32)) as usize
            };
            if let Some(label) = grouped.labels.get(k) {
                self.collected.labels.set(id as u32, label);
            }
            let snapshots = rows.map(|r| grouped.snapshot(r));
            self.collected.series[id].extend(snapshots, share, &mut self.scratch);
        }
        self.collected.rows += grouped.times.len();
        self.collected.repeated_headers += grouped.repeated_headers;
        self.collected.replaced_names += grouped.replaced_names;
        self.collected.missing_counts += grouped.missing_counts;
    }

    /// Handles an invalid record: with `--on-error fail` the error stops the
    /// read; with `skip` the record is counted (and its error kept among the
    /// first few) and reading goes on.
    pub(crate) fn invalid(&mut self, policy: OnError, error: anyhow::Error) -> Result<()> {
        /// How many skipped records' errors the warning quotes.
        const EXAMPLES: usize = 3;
        match policy {
            OnError::Fail => Err(error),
            OnError::Skip => {
                self.collected.skipped += 1;
                if self.collected.skipped_examples.len() < EXAMPLES {
                    self.collected.skipped_examples.push(format!("{error:#}"));
                }
                Ok(())
            }
        }
    }

    /// Consumes the collector: everything read.
    pub fn finish(self) -> Collected {
        let accounts = self.names.len();
        Collected {
            names: self.names.into_vec(),
            first_reference: Some(self.collected.first_reference.unwrap_or(accounts)),
            ..self.collected
        }
    }
}

/// The rows of one chunk of a file read in parallel, flat in the order
/// read: a chunk holds a few rows of each of many accounts, and storage of
/// their own, grown row by row, would cost an allocation or more per
/// account and chunk. [`Chunk::group`] orders them by account for
/// [`Collector::absorb`].
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    /// The collector's names, shared by the chunks read meanwhile
    /// ([`Chunk::knowing`]).
    base: Option<Base>,
    /// Ids below this are the base's; the chunk's own names (accounts the
    /// base does not know) are numbered from it.
    known: usize,
    names: Names,
    /// Each row's account (an id of `names`), time and counts.
    accounts: Vec<u32>,
    times: Packed<i64>,
    followers: Packed<u64>,
    following: FollowingCounts,
    /// Where each account's rows start, once grouped (one more than the
    /// accounts: the last is the number of rows).
    starts: Vec<u32>,
    /// The bytes of the inputs read through the end of this chunk, counted
    /// over all of them, when known: how far the read is when it is
    /// absorbed.
    through: Option<u64>,
    repeated_headers: u64,
    replaced_names: u64,
    missing_counts: u64,
    /// Display names, by the chunk's ids.
    labels: Labels,
}

/// Names a chunk shares, and what it learns of their order as it reads
/// (as [`Names`] does of its own).
#[derive(Debug)]
struct Base {
    names: Arc<Names>,
    /// For each id, the one seen right after it last ([`Names::order`]).
    next: Vec<u32>,
    /// The id seen last (`u32::MAX` before the first).
    last: u32,
}

impl Base {
    /// Takes note that `id` was seen after the last one.
    fn saw(&mut self, id: u32) {
        if let Some(next) = self.next.get_mut(self.last as usize) {
            *next = id;
        }
        self.last = id;
    }
}

impl Sink for Chunk {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(base) = &mut self.base
            && let Some(id) = base.names.find(name)
        {
            base.saw(id);
            return id;
        }
        self.known as u32 + self.names.intern(name).0
    }

    fn guess(&mut self, name: &[u8]) -> Option<u32> {
        match &mut self.base {
            Some(base) => {
                let id = base.names.guess_in(&base.next, base.last, name)?;
                base.last = id;
                Some(id)
            }
            None => self.names.guess(name),
        }
    }

    fn push(&mut self, row: Row) {
        self.following.push(self.times.len(), row.following);
        self.accounts.push(row.account);
        self.times.push(row.time);
        self.followers.push(row.followers);
    }

    fn replaced_name(&mut self) {
        self.replaced_names += 1;
    }

    fn repeated_header(&mut self) {
        self.repeated_headers += 1;
    }

    fn missing_count(&mut self) {
        self.missing_counts += 1;
    }

    fn label(&mut self, account: u32, label: &str) {
        self.labels.set(account, label);
    }
}

impl Chunk {
    /// A chunk that starts from the collector's names: its accounts keep
    /// their ids, and the order they were last seen in guesses each next
    /// one from the chunk's first line on (a chunk of its own names guesses
    /// nothing until it has seen each account once, and the collector then
    /// looks each one up again). The names are shared, not copied: a copy
    /// a chunk was 5 MB at 100,000 accounts, held by the reading threads'
    /// allocator arenas after the read.
    pub(crate) fn knowing(names: Arc<Names>) -> Chunk {
        Chunk {
            known: names.len(),
            base: Some(Base {
                next: names.order(),
                names,
                last: u32::MAX,
            }),
            ..Chunk::default()
        }
    }

    /// How many accounts it holds rows of (once grouped).
    pub(crate) fn accounts(&self) -> usize {
        self.starts.windows(2).filter(|r| r[0] < r[1]).count()
    }

    /// The chunk, said to end `through` bytes into the inputs.
    pub(crate) fn ending_at(self, through: u64) -> Chunk {
        Chunk {
            through: Some(through),
            ..self
        }
    }

    /// Rows read.
    pub(crate) fn rows(&self) -> usize {
        self.times.len()
    }

    /// Row `r`'s snapshot.
    fn snapshot(&self, r: usize) -> Snapshot {
        Snapshot {
            time: self.times.get(r),
            followers: self.followers.get(r),
            following: self.following.get(r),
        }
    }

    /// The rows ordered by account (in order of the accounts' first rows),
    /// each account's in the order read: a counting sort, done on the
    /// reading thread so that the collector only copies runs.
    pub(crate) fn group(self) -> Chunk {
        let accounts = self.known + self.names.len();
        let mut starts = vec![0u32; accounts + 1];
        for &a in &self.accounts {
            starts[a as usize + 1] += 1;
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        // Each row's place once grouped (in the storage of its account):
        // after the rows of the accounts before its own, and the rows of its
        // own read before it.
        let mut at = starts.clone();
        let mut to = self.accounts;
        for a in &mut to {
            let k = &mut at[*a as usize];
            *a = *k;
            *k += 1;
        }
        let (mut times, mut followers, mut following) =
            (self.times, self.followers, self.following);
        times.permute(&to);
        followers.permute(&to);
        // Following counts are stored for every row or for none.
        if following.is_present() {
            following.0.permute(&to);
        }
        Chunk {
            accounts: Vec::new(),
            times,
            followers,
            following,
            starts,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(account: u32, time: i64, following: Option<u64>) -> Row {
        Row {
            account,
            time,
            followers: time as u64 * 10,
            following,
        }
    }

    /// A chunk's rows reach the collector as if pushed one by one: accounts
    /// numbered in order of first sight, each account's rows in the order
    /// read, following counts where they were given.
    #[test]
    fn a_chunk_is_absorbed_like_its_rows() {
        let rows = [
            ("y", 1, None),
            ("x", 1, Some(5)),
            ("y", 2, Some(6)),
            ("z", 1, None),
            ("x", 2, None),
        ];
        let mut direct = Collector::default();
        direct.intern("w");
        let mut via_chunk = Collector::default();
        via_chunk.intern("w");
        let mut chunk = Chunk::default();
        for (name, time, following) in rows {
            let id = direct.intern(name);
            direct.push(row(id, time, following));
            let id = chunk.intern(name);
            chunk.push(row(id, time, following));
        }
        assert_eq!(chunk.rows(), 5);
        via_chunk.absorb(chunk.group());
        let (direct, via_chunk) = (direct.finish(), via_chunk.finish());
        assert_eq!(direct.names, ["w", "y", "x", "z"]);
        assert_eq!(via_chunk.names, direct.names);
        assert_eq!(via_chunk.series, direct.series);
        assert_eq!(via_chunk.rows, 5);
        let following = |s: &Series| s.iter().map(|x| x.following).collect::<Vec<_>>();
        assert_eq!(following(&direct.series[1]), [None, Some(6)]);
        assert!(!direct.series[3].has_following());
    }

    /// A chunk that starts from the collector's names appends as one of
    /// its own would: known accounts keep their ids (one it did not see
    /// gets nothing), new ones come after them in the order first seen.
    #[test]
    fn a_chunk_knowing_the_names_is_absorbed_alike() {
        let rows = [("y", 1), ("x", 1), ("v", 1), ("y", 2), ("x", 2)];
        let known = ["w", "y", "z"];
        let mut own = Collector::default();
        let mut knowing = Collector::default();
        for name in known {
            own.intern(name);
            knowing.intern(name);
        }
        let mut plain = Chunk::default();
        let mut seeded = Chunk::knowing(Arc::new(knowing.names.clone()));
        for (name, time) in rows {
            let id = plain.intern(name);
            plain.push(row(id, time, None));
            let id = seeded.intern(name);
            seeded.push(row(id, time, None));
        }
        let seeded = seeded.group();
        assert_eq!(seeded.accounts(), 3);
        own.absorb(plain.group());
        knowing.absorb(seeded);
        let (own, knowing) = (own.finish(), knowing.finish());
        assert_eq!(own.names, ["w", "y", "z", "x", "v"]);
        assert_eq!(knowing.names, own.names);
        assert_eq!(knowing.series, own.series);
        assert!(knowing.series[0].is_empty() && knowing.series[2].is_empty());
    }
}
