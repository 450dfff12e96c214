//! One account's snapshots as read: a stream of small differences, appended
//! to while reading and read back in order by the data set and the grid.
//!
//! While a large input is read, its snapshots are most of the memory the
//! whole run will ever hold, and nothing needs them in any order but the
//! one read in: the data set checks each account's order once, and the grid
//! makes each account's track from them in one pass. So each snapshot is
//! stored as what a reader could not guess from the one before: its time
//! less the last time and the account's usual step, its follower (and
//! following) count less the last one, each as a variable-length integer
//! (LEB128, seven bits a byte, signs folded in by zigzag). A year of daily
//! snapshots takes 4–5 bytes each, where columns of values (as
//! [`crate::packed::Packed`] keeps them) took 7–8.
//!
//! A snapshot that repeats the one before exactly (a collector that wrote
//! its row twice) is not stored but counted: the data set merges such
//! duplicates anyway, and an account with one stored would be out of order
//! and sorted again whole.

/// One snapshot of an account: when, and its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Snapshot {
    pub time: i64,
    pub followers: u64,
    /// `None` when the input has no following column or the cell is empty.
    pub following: Option<u64>,
}

/// One account's snapshots, in the order read (sorted and deduplicated later,
/// by [`crate::dataset::Dataset::build`]), but for exact repeats of the one
/// before, which are only counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    bytes: Vec<u8>,
    /// What the next snapshot is told apart from.
    last: State,
    /// The first snapshot's time (meaningless while there is none).
    first_time: i64,
    /// Whether each snapshot's time is later than the one before.
    increasing: bool,
    /// Whether a follower count is 0.
    zero: bool,
    /// Whether the last snapshot has a following count (`last` holds the
    /// rest of it).
    last_following: bool,
    /// Snapshots not stored, each the same as the one before it.
    repeats: u32,
}

/// What decoding (and encoding) a snapshot needs of the ones before it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct State {
    /// Snapshots so far.
    len: usize,
    time: i64,
    /// The account's step: the first positive gap between two times (0 until
    /// there is one). Most gaps are this step give or take a collector's
    /// jitter, so what is stored is a gap less the step.
    step: i64,
    followers: u64,
    /// The last following count given (0 before the first).
    following: u64,
    /// The first snapshot with a following count; from it on, every
    /// snapshot stores one (or its absence). `usize::MAX` while none has.
    following_from: usize,
}

impl Default for State {
    /// Before the first snapshot.
    fn default() -> State {
        State {
            len: 0,
            time: 0,
            step: 0,
            followers: 0,
            following: 0,
            following_from: usize::MAX,
        }
    }
}

impl State {
    /// What time `t` is guessed to be: the last time plus the step.
    fn guess(&self) -> i64 {
        if self.len == 0 {
            0
        } else {
            self.time.wrapping_add(self.step)
        }
    }

    /// Moves past snapshot `s` (encoded or decoded).
    fn advance(&mut self, s: Snapshot) {
        let gap = s.time.wrapping_sub(self.time);
        if self.len > 0 && self.step == 0 && gap > 0 {
            self.step = gap;
        }
        self.time = s.time;
        self.followers = s.followers;
        if let Some(g) = s.following {
            self.following = g;
        }
        self.len += 1;
    }

    /// Appends snapshot `s`, told apart from the state, to `out`.
    fn encode(&mut self, s: Snapshot, out: &mut Vec<u8>) {
        if s.following.is_some() && self.following_from == usize::MAX {
            self.following_from = self.len;
        }
        put(out, zigzag(s.time.wrapping_sub(self.guess())));
        put(
            out,
            zigzag((s.followers as i64).wrapping_sub(self.followers as i64)),
        );
        if self.len >= self.following_from {
            let g = s.following.map_or(0, |g| {
                zigzag((g as i64).wrapping_sub(self.following as i64)).wrapping_add(1)
            });
            put(out, g);
        }
        self.advance(s);
    }

    /// The snapshot at `bytes[*at..]`, moving `at` past it.
    fn decode(&mut self, bytes: &[u8], at: &mut usize) -> Snapshot {
        let time = self.guess().wrapping_add(unzigzag(take(bytes, at)));
        let followers = (self.followers as i64).wrapping_add(unzigzag(take(bytes, at))) as u64;
        let following = if self.len >= self.following_from {
            match take(bytes, at) {
                0 => None,
                g => Some((self.following as i64).wrapping_add(unzigzag(g - 1)) as u64),
            }
        } else {
            None
        };
        let s = Snapshot {
            time,
            followers,
            following,
        };
        self.advance(s);
        s
    }
}

/// Appends `v` as LEB128: seven bits a byte, low first, the high bit set on
/// all but the last. Most take one or two bytes, written here; a longer
/// one is written whole from a buffer by [`put_long`].
#[inline(always)]
fn put(out: &mut Vec<u8>, v: u64) {
    if v < 0x80 {
        out.push(v as u8);
    } else if v < 0x4000 {
        out.extend_from_slice(&[v as u8 | 0x80, (v >> 7) as u8]);
    } else {
        put_long(out, v);
    }
}

fn put_long(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; MAX_VARINT];
    let mut n = 0;
    while v >= 0x80 {
        buf[n] = v as u8 | 0x80;
        v >>= 7;
        n += 1;
    }
    buf[n] = v as u8;
    out.extend_from_slice(&buf[..=n]);
}

/// The most bytes a LEB128 `u64` takes.
const MAX_VARINT: usize = 10;

/// The LEB128 integer at `bytes[*at..]`, moving `at` past it.
#[inline(always)]
fn take(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

/// A signed number as an unsigned one small when it is near 0 either side.
#[inline]
fn zigzag(d: i64) -> u64 {
    ((d << 1) ^ (d >> 63)) as u64
}

#[inline]
fn unzigzag(u: u64) -> i64 {
    ((u >> 1) as i64) ^ -((u & 1) as i64)
}

impl Series {
    /// The snapshots `snapshots`, in that order.
    pub fn from_snapshots(snapshots: impl IntoIterator<Item = Snapshot>) -> Series {
        let mut s = Series::default();
        for snapshot in snapshots {
            s.push(snapshot);
        }
        s.bytes.shrink_to_fit();
        s
    }

    /// Makes the series `snapshots` (its own, reordered or thinned) in
    /// its own storage: new storage, allocated on the thread that does this
    /// (a pool's thread, in its own allocator arena), would leave the old
    /// as holes in the reading thread's arena, where the grid next puts
    /// every track (80 MB more at 100,000 accounts with many duplicates).
    pub fn refill(&mut self, snapshots: impl IntoIterator<Item = Snapshot>) {
        let new = Series::from_snapshots(snapshots);
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.clear();
        bytes.reserve_exact(new.bytes.len());
        bytes.extend_from_slice(&new.bytes);
        *self = Series { bytes, ..new };
    }

    pub fn len(&self) -> usize {
        self.last.len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a snapshot (or counts it, if it repeats the last one).
    pub fn push(&mut self, s: Snapshot) {
        if self.repeats_last(&s) {
            self.repeats += 1;
            return;
        }
        self.note(s);
        self.last.encode(s, &mut self.bytes);
    }

    /// Whether `s` is the same as the last snapshot (and there is room to
    /// count one more repeat: beyond, it is stored, and merged later).
    fn repeats_last(&self, s: &Snapshot) -> bool {
        !self.is_empty()
            && s.time == self.last.time
            && s.followers == self.last.followers
            && s.following == self.last_following.then_some(self.last.following)
            && self.repeats < u32::MAX
    }

    /// How many snapshots were not stored as they repeated the one before.
    pub fn repeats(&self) -> u64 {
        u64::from(self.repeats)
    }

    /// Appends snapshots `more`, encoded first in `scratch` so that room is
    /// made once, and as [`make_room`] says for the input read to `share`
    /// of its size.
    pub(super) fn extend(
        &mut self,
        more: impl ExactSizeIterator<Item = Snapshot>,
        share: Option<f64>,
        scratch: &mut Vec<u8>,
    ) {
        let len = self.len();
        scratch.clear();
        for s in more {
            if self.repeats_last(&s) {
                self.repeats += 1;
                continue;
            }
            self.note(s);
            self.last.encode(s, scratch);
        }
        let rows = self.len() - len;
        make_room(&mut self.bytes, len, rows, scratch.len(), share);
        self.bytes.extend_from_slice(scratch);
    }

    /// Keeps what is known of the whole series up to date with a snapshot
    /// about to be appended.
    fn note(&mut self, s: Snapshot) {
        if self.is_empty() {
            self.first_time = s.time;
            self.increasing = true;
        } else if s.time <= self.last.time {
            self.increasing = false;
        }
        self.zero |= s.followers == 0;
        self.last_following = s.following.is_some();
    }

    /// Every snapshot, in the order read.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            bytes: &self.bytes,
            at: 0,
            state: State {
                following_from: self.last.following_from,
                ..State::default()
            },
            len: self.len(),
        }
    }

    /// The time of the first snapshot and of the last.
    pub fn span(&self) -> Option<(i64, i64)> {
        (!self.is_empty()).then_some((self.first_time, self.last.time))
    }

    /// The last snapshot's follower count.
    pub fn last_followers(&self) -> Option<u64> {
        (!self.is_empty()).then_some(self.last.followers)
    }

    /// Whether each snapshot is later than the one before: nothing to sort
    /// or merge.
    pub fn is_increasing(&self) -> bool {
        self.increasing || self.is_empty()
    }

    /// Whether some follower count is 0.
    pub fn has_zero(&self) -> bool {
        self.zero
    }

    /// Whether some snapshot has a following count.
    pub fn has_following(&self) -> bool {
        self.last.following_from != usize::MAX && !self.is_empty()
    }

    /// Bytes held (for tests of the layout).
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.bytes.len()
    }
}

/// Makes room in `bytes`, which hold `len` snapshots, for `more` of them
/// taking `more_bytes`, which bring the input read to `share` of its size:
/// as much as this pace of the account's snapshots needs to the end of the
/// input, so that in a file ordered by time every account ends with room
/// for just its snapshots, where doubling would leave up to half unused (a
/// sixth of the memory of a large scan). Within bounds that keep appending
/// cheap whatever the order (a file grouped by account, many files): at
/// least a sixteenth more each time (so at most 16 copies of each
/// snapshot, amortized), and never more than double, as a `Vec` would grow.
///
/// When the input's size is unknown (`share` is `None`: a pipe), half as
/// much again: growth by half leaves a fifth of the storage unused on
/// average, where doubling leaves a third.
fn make_room(bytes: &mut Vec<u8>, len: usize, more: usize, more_bytes: usize, share: Option<f64>) {
    /// Room above the pace so far: the last chunks of a file must not fall
    /// a few snapshots short and grow once more.
    const MARGIN: f64 = 1.02;
    let (held, need) = (bytes.len(), bytes.len() + more_bytes);
    if need <= bytes.capacity() {
        return;
    }
    let room = match share {
        Some(share) => {
            let per_row = need as f64 / (len + more).max(1) as f64;
            let rows = (len + more) as f64 / share.max(f64::EPSILON);
            (rows * per_row * MARGIN).ceil() as usize
        }
        None => held + held / 2,
    };
    bytes.reserve_exact(room.clamp(held + held / 16, 2 * held).max(need) - held);
}

/// The snapshots of a [`Series`], decoded in order.
pub struct Iter<'a> {
    bytes: &'a [u8],
    at: usize,
    state: State,
    len: usize,
}

impl Iterator for Iter<'_> {
    type Item = Snapshot;

    #[inline]
    fn next(&mut self) -> Option<Snapshot> {
        (self.state.len < self.len).then(|| self.state.decode(self.bytes, &mut self.at))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.len - self.state.len;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn snapshot(time: i64, followers: u64, following: Option<u64>) -> Snapshot {
        Snapshot {
            time,
            followers,
            following,
        }
    }

    /// A year of daily snapshots taken at about the same time of day, with
    /// a few missed days, takes about 4 bytes each.
    #[test]
    fn a_daily_series_takes_a_few_bytes_a_snapshot() {
        let day = 86_400;
        let snapshots: Vec<Snapshot> = (0..365i64)
            .filter(|d| d % 50 != 7)
            .map(|d| {
                let jitter = (d * 7919) % 600 - 300;
                snapshot(
                    1_700_000_000 + d * day + jitter,
                    45_000 + 37 * d as u64 + (d as u64 * 31) % 50,
                    Some(180 + (d as u64 % 5)),
                )
            })
            .collect();
        let s = Series::from_snapshots(snapshots.iter().copied());
        assert_eq!(s.iter().collect::<Vec<_>>(), snapshots);
        let per_snapshot = s.bytes() as f64 / snapshots.len() as f64;
        assert!((3.5..=5.0).contains(&per_snapshot), "{per_snapshot}");
        let last = snapshots.last().map(|x| x.time);
        assert_eq!(s.span(), Some(snapshots[0].time).zip(last));
        assert!(s.is_increasing() && !s.has_zero() && s.has_following());
    }

    /// Following counts start wherever the first one is given; snapshots
    /// before it and empty cells after it have none.
    #[test]
    fn following_counts_start_where_given() {
        let snapshots = [
            snapshot(10, 5, None),
            snapshot(20, 6, Some(3)),
            snapshot(15, 0, None),
            snapshot(30, 7, Some(1)),
        ];
        let s = Series::from_snapshots(snapshots);
        assert_eq!(s.iter().collect::<Vec<_>>(), snapshots);
        assert!(!s.is_increasing() && s.has_zero() && s.has_following());
        assert_eq!(s.last_followers(), Some(7));
        let none = Series::from_snapshots([snapshot(1, 1, None)]);
        assert!(!none.has_following());
    }

    proptest! {
        /// Whatever the values (extreme times and counts, any order), the
        /// snapshots come back as they went in, but for exact repeats of
        /// the one before, which are counted; pushed one by one or
        /// appended in pieces.
        #[test]
        fn snapshots_come_back_as_stored(
            rows in proptest::collection::vec(
                (
                    any::<i64>(),
                    0u64..=1 << 53,
                    proptest::option::of(0u64..=1 << 53),
                    // Repeat the snapshot before, or one like it but for
                    // its following count, instead.
                    prop_oneof![6 => Just(0u8), 2 => Just(1u8), 1 => Just(2u8)],
                ),
                0..60,
            ),
            piece in 1usize..8,
        ) {
            let mut snapshots: Vec<Snapshot> = Vec::new();
            for (t, f, g, repeat) in rows {
                let next = match (snapshots.last(), repeat) {
                    (Some(&last), 1) => last,
                    (Some(&last), 2) => Snapshot {
                        following: last.following.map_or(Some(0), |_| None),
                        ..last
                    },
                    _ => snapshot(t, f, g),
                };
                snapshots.push(next);
            }
            let mut kept = snapshots.clone();
            kept.dedup();
            let s = Series::from_snapshots(snapshots.iter().copied());
            prop_assert_eq!(s.len(), kept.len());
            prop_assert_eq!(s.repeats() as usize, snapshots.len() - kept.len());
            prop_assert_eq!(s.iter().collect::<Vec<_>>(), kept);
            let mut pieces = Series::default();
            for more in snapshots.chunks(piece) {
                pieces.extend(more.iter().copied(), None, &mut Vec::new());
            }
            prop_assert_eq!(pieces.iter().collect::<Vec<_>>(), s.iter().collect::<Vec<_>>());
            prop_assert_eq!(pieces.repeats(), s.repeats());
        }
    }
}
