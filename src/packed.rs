//! Columns of integers kept in as few bytes a value as the values allow.
//!
//! A year of daily snapshots of 100,000 accounts is 36 million times and as
//! many counts of each kind: at 8 bytes each, most of a gigabyte before any
//! work is done. One account's values lie near each other: its following
//! count moves by a few a day, its follower count within a few thousand or
//! million, its times within a year or two. So a column grown value by
//! value stores each as a difference from its first one, in the narrowest
//! of 1, 2, 3, 4 or 8 bytes that has held every difference so far; the
//! first difference that does not fit re-encodes the column at a width that
//! holds it (at most four times in its life). A column made whole at once
//! (a track's, which nothing changes after) stores each value as a
//! difference from the least in just the bits their spread needs, packed
//! end to end: a track's grid points, times and following counts need 3 to
//! 10 bits, not a byte or two (a 100,000-account scan's peak memory is a
//! fifth lower for it). Reading a value costs an addition, a well-predicted
//! branch and, bit-packed, a shift and a mask.

/// The integer types a [`Packed`] column holds: both convert to `i64`
/// without loss (counts are at most 2^53, so `u64` ones fit).
pub trait Value: Copy {
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
}

impl Value for i64 {
    fn to_i64(self) -> i64 {
        self
    }
    fn from_i64(v: i64) -> i64 {
        v
    }
}

impl Value for u64 {
    fn to_i64(self) -> i64 {
        debug_assert!(i64::try_from(self).is_ok(), "counts are at most 2^53");
        self as i64
    }
    fn from_i64(v: i64) -> u64 {
        v as u64
    }
}

/// A stored difference: `i8`, `i16`, [`I24`], `i32` or `i64`.
trait Offset: Copy + Into<i64> + TryFrom<i64> + From<i8> {
    /// `d` at this width, if it fits.
    fn narrow(d: i64) -> Option<Self> {
        Self::try_from(d).ok()
    }
}

impl Offset for i8 {}
impl Offset for i16 {}
impl Offset for I24 {}
impl Offset for i32 {}
impl Offset for i64 {}

/// A signed integer in three bytes: a year of an account's follower counts
/// often spreads over more than 2^15 and far less than 2^23, and a piece of
/// a file read in parallel spans days of seconds, not weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct I24([u8; 3]);

impl I24 {
    const MIN: i64 = -(1 << 23);
    const MAX: i64 = (1 << 23) - 1;
}

impl TryFrom<i64> for I24 {
    type Error = ();

    #[inline]
    fn try_from(d: i64) -> Result<I24, ()> {
        if (I24::MIN..=I24::MAX).contains(&d) {
            let [a, b, c, ..] = d.to_le_bytes();
            Ok(I24([a, b, c]))
        } else {
            Err(())
        }
    }
}

impl From<I24> for i64 {
    #[inline]
    fn from(v: I24) -> i64 {
        let [a, b, c] = v.0;
        // The high byte carries the sign.
        i64::from(a) | i64::from(b) << 8 | i64::from(c as i8) << 16
    }
}

impl From<i8> for I24 {
    fn from(v: i8) -> I24 {
        I24::try_from(i64::from(v)).expect("an i8 fits three bytes")
    }
}

/// Values `base + offsets[i]`, each offset of one width.
#[derive(Debug, Clone)]
struct Narrow<O> {
    base: i64,
    offsets: Vec<O>,
}

impl<O: Offset> Narrow<O> {
    /// `v` as an offset from the base, if it fits this width.
    #[inline]
    fn offset(&self, v: i64) -> Option<O> {
        v.checked_sub(self.base).and_then(O::narrow)
    }

    /// Appends values that all fit this width, in one allocation.
    fn extend_fitting(&mut self, values: impl ExactSizeIterator<Item = i64>) {
        self.offsets.reserve_exact(values.len());
        let base = self.base;
        self.offsets.extend(values.map(|v| narrowed::<O>(v - base)));
    }

    /// The same values at a wider offset `W`, with room for as many.
    fn widened<W: Offset>(&self) -> Narrow<W> {
        let mut offsets = Vec::with_capacity(self.offsets.capacity());
        offsets.extend(
            self.offsets
                .iter()
                .map(|&o| W::narrow(o.into()).expect("a wider offset holds every narrower one")),
        );
        Narrow {
            base: self.base,
            offsets,
        }
    }
}

/// A column's storage as it grows, by width; `W8`'s base is always 0, so
/// that any `i64` is an offset from it.
#[derive(Debug, Clone)]
enum Bytes {
    W1(Narrow<i8>),
    W2(Narrow<i16>),
    W3(Narrow<I24>),
    W4(Narrow<i32>),
    W8(Narrow<i64>),
}

/// Runs `$body` with `$n` bound to the store's [`Narrow`], whatever its width.
macro_rules! each_width {
    ($store:expr, $n:ident => $body:expr) => {
        match $store {
            Bytes::W1($n) => $body,
            Bytes::W2($n) => $body,
            Bytes::W3($n) => $body,
            Bytes::W4($n) => $body,
            Bytes::W8($n) => $body,
        }
    };
}

/// The width, in bytes, that holds difference `d`.
fn width_of(d: Option<i64>) -> u8 {
    match d {
        Some(d) if i8::narrow(d).is_some() => 1,
        Some(d) if i16::narrow(d).is_some() => 2,
        Some(d) if I24::narrow(d).is_some() => 3,
        Some(d) if i32::narrow(d).is_some() => 4,
        _ => 8,
    }
}

impl Bytes {
    /// A store of `values` at the width their spread from the first one
    /// needs, in one allocation of just their size.
    fn of(values: impl ExactSizeIterator<Item = i64> + Clone) -> Bytes {
        let mut store = Bytes::W1(Narrow {
            base: 0,
            offsets: Vec::new(),
        });
        let mut spread = values.clone();
        if let Some(first) = spread.next() {
            each_width!(&mut store, n => n.base = first);
            let (lo, hi) = spread.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
            // Widening a store that holds nothing yet costs nothing; every
            // value between the extremes then fits.
            store.make_room_for(lo);
            store.make_room_for(hi);
        }
        each_width!(&mut store, n => n.extend_fitting(values));
        store
    }

    fn width(&self) -> u8 {
        match self {
            Bytes::W1(_) => 1,
            Bytes::W2(_) => 2,
            Bytes::W3(_) => 3,
            Bytes::W4(_) => 4,
            Bytes::W8(_) => 8,
        }
    }

    fn base(&self) -> i64 {
        each_width!(self, n => n.base)
    }

    fn len(&self) -> usize {
        each_width!(self, n => n.offsets.len())
    }

    /// Re-encodes at `width` bytes a value (not narrower than now).
    fn widen_to(&mut self, width: u8) {
        *self = match (&*self, width) {
            (Bytes::W1(n), 2) => Bytes::W2(n.widened()),
            (Bytes::W1(n), 3) => Bytes::W3(n.widened()),
            (Bytes::W2(n), 3) => Bytes::W3(n.widened()),
            (Bytes::W1(n), 4) => Bytes::W4(n.widened()),
            (Bytes::W2(n), 4) => Bytes::W4(n.widened()),
            (Bytes::W3(n), 4) => Bytes::W4(n.widened()),
            (_, 8) => {
                let mut values = Vec::with_capacity(each_width!(&*self, n => n.offsets.capacity()));
                values.extend((0..self.len()).map(|i| self.get(i)));
                Bytes::W8(Narrow {
                    base: 0,
                    offsets: values,
                })
            }
            _ => return,
        };
    }

    /// Inlined always: detection's innermost loops read values one by one,
    /// and a call for each (what the optimiser chose once there were five
    /// widths) cost 8 % of a scan.
    #[inline(always)]
    fn get(&self, i: usize) -> i64 {
        each_width!(self, n => n.base + wide(n.offsets[i]))
    }

    /// Widens the store if `v` does not fit it.
    fn make_room_for(&mut self, v: i64) {
        if !each_width!(&*self, n => n.offset(v).is_some()) {
            self.widen_for(v);
        }
    }

    /// Widens until `v` fits.
    #[cold]
    fn widen_for(&mut self, v: i64) {
        self.widen_to(width_of(v.checked_sub(self.base())));
    }
}

/// Values `base + offset`, each offset `width` bits (0 to [`Bits::MAX_WIDTH`])
/// packed end to end: a column made whole at once, never changed after
/// (a track's). A byte a value is the least [`Bytes`] can do, where an
/// account's grid points skip a few, its times stray from them by minutes
/// and its following count moves by tens: 3 to 10 bits each.
#[derive(Debug, Clone)]
struct Bits {
    base: i64,
    len: u32,
    width: u8,
    /// The offsets, lowest bit first, and 7 bytes more: any value is read
    /// with one 8-byte load (at least 8 bytes).
    bytes: Box<[u8]>,
}

impl Bits {
    /// Wider offsets would not fit one load shifted by up to 7 bits.
    const MAX_WIDTH: u32 = 56;

    /// `values` packed, if they are not empty, their spread fits
    /// [`Bits::MAX_WIDTH`] bits and their number a `u32`.
    fn of(values: impl ExactSizeIterator<Item = i64> + Clone) -> Option<Bits> {
        let len = u32::try_from(values.len()).ok().filter(|&n| n > 0)?;
        let (lo, hi) = values
            .clone()
            .fold((i64::MAX, i64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let width = u64::BITS - (hi.wrapping_sub(lo) as u64).leading_zeros();
        if width > Bits::MAX_WIDTH {
            return None;
        }
        // The last value's load starts within the packed bytes (at the
        // first one, when every value is alike and takes none).
        let packed = (len as usize * width as usize).div_ceil(8).max(1);
        let mut bytes = vec![0u8; packed + 7];
        // Bits not yet written, low first, and how many.
        let (mut pending, mut held, mut at) = (0u64, 0u32, 0);
        for v in values {
            pending |= (v.wrapping_sub(lo) as u64) << held;
            held += width;
            while held >= 8 {
                bytes[at] = pending as u8;
                (pending, held, at) = (pending >> 8, held - 8, at + 1);
            }
        }
        if held > 0 {
            bytes[at] = pending as u8;
        }
        Some(Bits {
            base: lo,
            len,
            width: width as u8,
            bytes: bytes.into_boxed_slice(),
        })
    }

    fn len(&self) -> usize {
        self.len as usize
    }

    /// Values `range`, in order, each given to `f` (see
    /// [`Packed::for_each_in`]).
    #[inline(always)]
    fn for_each_in(&self, range: std::ops::Range<usize>, mut f: impl FnMut(i64)) {
        if range.is_empty() {
            return;
        }
        assert!(
            range.end <= self.len(),
            "values {range:?} out of a column of {}",
            self.len
        );
        let width = usize::from(self.width);
        let mask = (1u64 << self.width) - 1;
        let mut bit = range.start * width;
        for _ in range {
            let at = bit / 8;
            let word = u64::from_le_bytes(
                self.bytes[at..at + 8]
                    .try_into()
                    .expect("a slice of 8 bytes"),
            );
            f(self.base.wrapping_add(((word >> (bit % 8)) & mask) as i64));
            bit += width;
        }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> i64 {
        assert!(i < self.len(), "index {i} out of a column of {}", self.len);
        let bit = i * usize::from(self.width);
        let at = bit / 8;
        let word = u64::from_le_bytes(
            self.bytes[at..at + 8]
                .try_into()
                .expect("a slice of 8 bytes"),
        );
        let mask = (1u64 << self.width) - 1;
        self.base.wrapping_add(((word >> (bit % 8)) & mask) as i64)
    }
}

/// A column's storage: bytes while it grows, bits once made whole.
#[derive(Debug, Clone)]
enum Store {
    Bytes(Bytes),
    Bits(Bits),
}

/// The values of a bit-packed column, byte-wide (see [`Packed::bytes_mut`]:
/// nothing does this in a scan).
#[cold]
#[inline(never)]
fn byte_wide(bits: &Bits) -> Bytes {
    Bytes::of((0..bits.len()).map(|i| bits.get(i)))
}

/// A column of `T`. Grown value by value ([`Packed::push`]), each value is
/// a difference from the first one in 1, 2, 3, 4 or 8 bytes: the narrowest
/// that holds them all. Made whole at once ([`Packed::from_values`]), each
/// is a difference from the least in as few bits as their spread needs.
#[derive(Debug, Clone)]
pub struct Packed<T> {
    store: Store,
    kind: std::marker::PhantomData<T>,
}

/// Columns are equal when their values are, however they are stored.
impl<T: Value + PartialEq> PartialEq for Packed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T> Default for Packed<T> {
    fn default() -> Self {
        Packed::of(Store::Bytes(Bytes::W1(Narrow {
            base: 0,
            offsets: Vec::new(),
        })))
    }
}

impl<T> Packed<T> {
    fn of(store: Store) -> Packed<T> {
        Packed {
            store,
            kind: std::marker::PhantomData,
        }
    }
}

impl<T: Value> Packed<T> {
    /// A column of `len` copies of `value`.
    pub fn filled(value: T, len: usize) -> Packed<T> {
        Packed::of(Store::Bytes(Bytes::W1(Narrow {
            base: value.to_i64(),
            offsets: vec![0; len],
        })))
    }

    /// A column of `values`, bit-packed, in one allocation of just their
    /// size (byte-wide if their spread needs more than 56 bits).
    pub fn from_values(values: impl ExactSizeIterator<Item = T> + Clone) -> Packed<T> {
        let values = values.map(T::to_i64);
        Packed::of(match Bits::of(values.clone()) {
            Some(bits) => Store::Bits(bits),
            None => Store::Bytes(Bytes::of(values)),
        })
    }

    pub fn len(&self) -> usize {
        match &self.store {
            Store::Bytes(b) => b.len(),
            Store::Bits(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i`; panics if `i` is out of bounds, like indexing a slice.
    #[inline(always)]
    pub fn get(&self, i: usize) -> T {
        T::from_i64(match &self.store {
            Store::Bytes(b) => b.get(i),
            Store::Bits(b) => b.get(i),
        })
    }

    pub fn first(&self) -> Option<T> {
        (!self.is_empty()).then(|| self.get(0))
    }

    pub fn last(&self) -> Option<T> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    /// Every value, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = T> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Values `range`, in order, each given to `f`; panics if the range is
    /// out of bounds. The storage's kind and width are looked at once, not
    /// once a value: detection reads runs of neighbouring values (a week of
    /// counts around a snapshot, a whole series in its fit).
    #[inline]
    pub fn for_each_in(&self, range: std::ops::Range<usize>, mut f: impl FnMut(T)) {
        match &self.store {
            Store::Bytes(b) => each_width!(b, n => {
                let base = n.base;
                n.offsets[range]
                    .iter()
                    .for_each(|&o| f(T::from_i64(base + wide(o))));
            }),
            Store::Bits(b) => b.for_each_in(range, |v| f(T::from_i64(v))),
        }
    }

    /// The storage as bytes, to change it: a bit-packed column is made
    /// byte-wide first (nothing changes a track's columns; this keeps any
    /// change possible all the same). Inlined, as the reader pushes every
    /// row's values through it; the conversion is kept out of line.
    #[inline]
    fn bytes_mut(&mut self) -> &mut Bytes {
        if let Store::Bits(bits) = &self.store {
            self.store = Store::Bytes(byte_wide(bits));
        }
        match &mut self.store {
            Store::Bytes(b) => b,
            Store::Bits(_) => unreachable!("made byte-wide above"),
        }
    }

    /// Appends a value; the first one of a narrow column becomes its base.
    #[inline]
    pub fn push(&mut self, value: T) {
        let v = value.to_i64();
        let store = self.bytes_mut();
        if store.len() == 0 && store.width() < 8 {
            each_width!(&mut *store, n => n.base = v);
        }
        // Twice at most: widening makes room for `v`.
        while !each_width!(&mut *store, n => n.offset(v).map(|o| n.offsets.push(o)).is_some()) {
            store.widen_for(v);
        }
    }

    /// Sets value `i` (which must exist).
    #[inline]
    pub fn set(&mut self, i: usize, value: T) {
        let v = value.to_i64();
        let store = self.bytes_mut();
        while !each_width!(&mut *store, n => n.offset(v).map(|o| n.offsets[i] = o).is_some()) {
            store.widen_for(v);
        }
    }

    /// Moves value `i` to place `to[i]`, for each `i` (`to` is a
    /// permutation of `0..len`): the stored offsets are moved as they are,
    /// none decoded or checked again (a parallel read groups every row of
    /// its chunks so, and a `set` of each value cost 70 instructions a row).
    pub fn permute(&mut self, to: &[u32]) {
        assert_eq!(to.len(), self.len(), "a permutation of every value");
        each_width!(self.bytes_mut(), n => {
            let mut moved = vec![wide_zero(); to.len()];
            for (&o, &k) in n.offsets.iter().zip(to) {
                moved[k as usize] = o;
            }
            n.offsets = moved;
        });
    }

    /// Makes the column `len` long, new values being `value`.
    pub fn resize(&mut self, len: usize, value: T) {
        if len <= self.len() {
            self.truncate(len);
            return;
        }
        if self.is_empty() {
            *self = Packed::filled(value, len);
            return;
        }
        let v = value.to_i64();
        let store = self.bytes_mut();
        store.make_room_for(v);
        each_width!(store, n => n.offsets.resize(len, narrowed(v - n.base)));
    }

    /// Makes room for exactly `more` values beyond those held.
    pub fn reserve_exact(&mut self, more: usize) {
        each_width!(self.bytes_mut(), n => n.offsets.reserve_exact(more));
    }

    /// How many values it holds room for.
    #[cfg(test)]
    fn capacity(&self) -> usize {
        match &self.store {
            Store::Bytes(b) => each_width!(b, n => n.offsets.capacity()),
            Store::Bits(b) => b.len(),
        }
    }

    pub fn truncate(&mut self, len: usize) {
        if len < self.len() {
            each_width!(self.bytes_mut(), n => n.offsets.truncate(len));
        }
    }

    /// Bits a value: for tests of the layout.
    #[cfg(test)]
    fn bits(&self) -> u32 {
        match &self.store {
            Store::Bytes(b) => 8 * u32::from(b.width()),
            Store::Bits(b) => u32::from(b.width),
        }
    }
}

/// An offset as an `i64` (generic, so that the same code serves every width).
#[inline]
fn wide<O: Offset>(o: O) -> i64 {
    o.into()
}

/// A zero offset of any width.
fn wide_zero<O: Offset>() -> O {
    0i8.into()
}

/// A difference already checked to fit the column's width.
#[inline]
fn narrowed<O: Offset>(d: i64) -> O {
    O::narrow(d).expect("make_room_for widened the column for it")
}

impl<T: Value> FromIterator<T> for Packed<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut column = Packed::default();
        for v in iter {
            column.push(v);
        }
        column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_column_takes_the_width_its_spread_needs() {
        let days: Vec<i64> = (0..1000).map(|i| 1_700_000_000 + i * 86_400).collect();
        let following: Vec<i64> = (0..1000).map(|i| 180 + i % 7 - 3).collect();
        let followers: Vec<i64> = (0..1000).map(|i| 45_000 + 11 * i).collect();
        for (values, width) in [(&days, 4), (&following, 1), (&followers, 2)] {
            let column: Packed<i64> = values.iter().copied().collect();
            assert_eq!(column.bits(), 8 * width);
            assert_eq!(column.iter().collect::<Vec<_>>(), *values);
            assert_eq!(
                (column.first(), column.last()),
                (values.first().copied(), values.last().copied())
            );
        }
    }

    #[test]
    fn a_value_far_away_widens_the_column_and_keeps_every_value() {
        let mut column = Packed::<i64>::default();
        let values = [
            5,
            -3,
            300,
            70_000,
            -(1 << 23) + 5,
            (1 << 23) + 10,
            i64::from(i32::MAX) + 10,
            i64::MIN,
            i64::MAX,
            7,
        ];
        let widths = [1, 1, 2, 3, 3, 4, 8, 8, 8, 8];
        for (v, width) in values.into_iter().zip(widths) {
            column.push(v);
            assert_eq!(column.bits(), 8 * width, "after {v}");
        }
        assert_eq!(column.iter().collect::<Vec<_>>(), values);
        column.set(1, 9);
        assert_eq!(column.get(1), 9);
        // Setting a far value in a narrow column widens it too.
        let mut column: Packed<u64> = [10, 20, 30].into_iter().collect();
        column.set(2, 1 << 53);
        assert_eq!(column.iter().collect::<Vec<_>>(), [10, 20, 1 << 53]);
        assert_eq!(column.bits(), 64);
    }

    /// A column made at once takes the bits its spread needs, from none
    /// (every value alike) to 56; a wider spread is stored in 8 bytes.
    #[test]
    fn a_column_made_at_once_is_bit_packed() {
        let cases: [(Vec<i64>, u32); 5] = [
            (vec![7; 10], 0),
            ((0..365).map(|d| 86_400 * d + d % 3).collect(), 25),
            ((0..100).map(|i| 180 + i % 9).collect(), 4),
            (vec![-(1 << 55), (1 << 55) - 1, 0], 56),
            (vec![i64::MIN, i64::MAX], 64),
        ];
        for (values, bits) in cases {
            let column = Packed::from_values(values.iter().copied());
            assert_eq!(column.bits(), bits, "{values:?}");
            assert_eq!(column.iter().collect::<Vec<_>>(), values);
        }
    }

    #[test]
    fn resizing_fills_with_the_value_given() {
        let mut column = Packed::<i64>::default();
        column.resize(3, -1);
        column.push(100);
        column.resize(6, -1);
        assert_eq!(column.iter().collect::<Vec<_>>(), [-1, -1, -1, 100, -1, -1]);
        assert_eq!(column.bits(), 8);
        column.resize(2, 0);
        assert_eq!(column.iter().collect::<Vec<_>>(), [-1, -1]);
    }

    #[test]
    fn widening_keeps_the_room_made() {
        let mut column = Packed::<i64>::default();
        column.reserve_exact(100);
        column.push(0);
        column.push(1 << 20);
        assert_eq!(column.bits(), 24);
        column.push(1 << 30);
        assert_eq!(column.bits(), 32);
        assert!(column.capacity() >= 100);
    }

    /// One change to a column and to its model, a `Vec<i64>`.
    #[derive(Debug, Clone)]
    enum Op {
        Push(i64),
        Set(usize, i64),
        Resize(usize, i64),
        Truncate(usize),
        /// Makes a column of these values at once.
        FromValues(Vec<i64>),
        /// Moves the values by a permutation (drawn from this seed).
        Permute(u64),
    }

    /// Values near each other (the common case) and anywhere in `i64`.
    fn value() -> impl proptest::strategy::Strategy<Value = i64> {
        use proptest::prelude::*;
        prop_oneof![
            -200i64..200,
            -70_000i64..70_000,
            1_700_000_000i64..1_800_000_000,
            any::<i64>(),
        ]
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            value().prop_map(Op::Push),
            (any::<usize>(), value()).prop_map(|(i, v)| Op::Set(i, v)),
            (0usize..40, value()).prop_map(|(n, v)| Op::Resize(n, v)),
            (0usize..40).prop_map(Op::Truncate),
            proptest::collection::vec(value(), 0..12).prop_map(Op::FromValues),
            any::<u64>().prop_map(Op::Permute),
        ]
    }

    proptest::proptest! {
        /// Whatever is pushed, set, resized, cut, permuted or made at once (values
        /// near each other or anywhere in `i64`, so across every widening),
        /// the column reads back as a plain vector would (whole, or any run
        /// of it at once), and one made at once takes no more room a value
        /// than pushing would.
        #[test]
        fn a_column_holds_what_a_vector_would(ops in proptest::collection::vec(op(), 0..60)) {
            let mut column = Packed::<i64>::default();
            let mut model: Vec<i64> = Vec::new();
            for op in ops {
                match op {
                    Op::Push(v) => {
                        column.push(v);
                        model.push(v);
                    }
                    Op::Set(i, v) if !model.is_empty() => {
                        let i = i % model.len();
                        column.set(i, v);
                        model[i] = v;
                    }
                    Op::Set(..) => {}
                    Op::Resize(n, v) => {
                        column.resize(n, v);
                        model.resize(n, v);
                    }
                    Op::Truncate(n) => {
                        column.truncate(n);
                        model.truncate(n);
                    }
                    Op::FromValues(values) => {
                        let pushed: Packed<i64> = values.iter().copied().collect();
                        column = Packed::from_values(values.iter().copied());
                        proptest::prop_assert!(column.bits() <= pushed.bits());
                        model = values;
                    }
                    Op::Permute(mut seed) => {
                        // A Fisher–Yates shuffle of the places.
                        let mut to: Vec<u32> = (0..model.len() as u32).collect();
                        for i in (1..to.len()).rev() {
                            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                            to.swap(i, (seed >> 33) as usize % (i + 1));
                        }
                        column.permute(&to);
                        let mut moved = model.clone();
                        for (i, &k) in to.iter().enumerate() {
                            moved[k as usize] = model[i];
                        }
                        model = moved;
                    }
                }
                proptest::prop_assert_eq!(column.iter().collect::<Vec<_>>(), model.clone());
                // Any run of it, read at once, as the vector's slice.
                for start in 0..=model.len() {
                    for end in start..=model.len() {
                        let mut run = Vec::new();
                        column.for_each_in(start..end, |v| run.push(v));
                        proptest::prop_assert_eq!(&run[..], &model[start..end]);
                    }
                }
            }
        }
    }
}
