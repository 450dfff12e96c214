//! Columns of integers kept in 4 bytes a value where the values allow it.
//!
//! A year of daily snapshots of 100,000 accounts is 36 million times and as
//! many counts: at 8 bytes each, over half a gigabyte before any work is
//! done. One account's times lie within decades of each other and its
//! counts within a few billion, so a column stores each value as a 32-bit
//! difference from its first one — and, the first time a value does not
//! fit (a date typed centuries off, a count billions away from the first),
//! switches the whole column to 8 bytes a value. Reading a value costs an
//! addition and a well-predicted branch.

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

/// A column of `T`, 4 bytes a value while every value is within `i32` of
/// the first one pushed, 8 bytes a value otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed<T> {
    store: Store,
    kind: std::marker::PhantomData<T>,
}

#[derive(Debug, Clone, PartialEq)]
enum Store {
    /// Value `i` is `base + offsets[i]`.
    Narrow {
        base: i64,
        offsets: Vec<i32>,
    },
    Wide(Vec<i64>),
}

impl<T> Default for Packed<T> {
    fn default() -> Self {
        Packed {
            store: Store::Narrow {
                base: 0,
                offsets: Vec::new(),
            },
            kind: std::marker::PhantomData,
        }
    }
}

impl<T: Value> Packed<T> {
    /// A column of `len` copies of `value`.
    pub fn filled(value: T, len: usize) -> Packed<T> {
        Packed {
            store: Store::Narrow {
                base: value.to_i64(),
                offsets: vec![0; len],
            },
            kind: std::marker::PhantomData,
        }
    }

    pub fn len(&self) -> usize {
        match &self.store {
            Store::Narrow { offsets, .. } => offsets.len(),
            Store::Wide(values) => values.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i`; panics if `i` is out of bounds, like indexing a slice.
    #[inline]
    pub fn get(&self, i: usize) -> T {
        T::from_i64(match &self.store {
            Store::Narrow { base, offsets } => base + i64::from(offsets[i]),
            Store::Wide(values) => values[i],
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

    pub fn push(&mut self, value: T) {
        let v = value.to_i64();
        if let Store::Narrow { base, offsets } = &mut self.store {
            if offsets.is_empty() {
                *base = v;
            }
            if let Some(d) = narrow(*base, v) {
                offsets.push(d);
                return;
            }
            self.widen();
        }
        if let Store::Wide(values) = &mut self.store {
            values.push(v);
        }
    }

    /// Sets value `i` (which must exist).
    pub fn set(&mut self, i: usize, value: T) {
        let v = value.to_i64();
        if let Store::Narrow { base, offsets } = &mut self.store {
            if let Some(d) = narrow(*base, v) {
                offsets[i] = d;
                return;
            }
            self.widen();
        }
        if let Store::Wide(values) = &mut self.store {
            values[i] = v;
        }
    }

    /// Appends values `range` of `other`. Between two narrow columns whose
    /// offsets still fit once moved to this column's base, a shift of each
    /// offset (appending a chunk's runs to every account is a large share
    /// of a read, on one thread); otherwise value by value.
    pub fn extend_from(&mut self, other: &Packed<T>, range: std::ops::Range<usize>) {
        if let (
            Store::Narrow { base, offsets },
            Store::Narrow {
                base: from,
                offsets: src,
            },
        ) = (&mut self.store, &other.store)
        {
            let src = &src[range.clone()];
            if let Some(&first) = src.first().filter(|_| offsets.is_empty()) {
                // As `push` would: the first value is the base.
                *base = *from + i64::from(first);
            }
            let shift = *from - *base;
            let (lo, hi) = src
                .iter()
                .fold((i32::MAX, i32::MIN), |(lo, hi), &o| (lo.min(o), hi.max(o)));
            let fits = |o: i32| i32::try_from(i64::from(o) + shift).is_ok();
            if src.is_empty() || (fits(lo) && fits(hi)) {
                offsets.extend(src.iter().map(|&o| (i64::from(o) + shift) as i32));
                return;
            }
        }
        self.reserve(range.len());
        for i in range {
            self.push(other.get(i));
        }
    }

    pub fn reserve(&mut self, more: usize) {
        match &mut self.store {
            Store::Narrow { offsets, .. } => offsets.reserve(more),
            Store::Wide(values) => values.reserve(more),
        }
    }

    /// Makes room for exactly `more` values beyond those held.
    pub fn reserve_exact(&mut self, more: usize) {
        match &mut self.store {
            Store::Narrow { offsets, .. } => offsets.reserve_exact(more),
            Store::Wide(values) => values.reserve_exact(more),
        }
    }

    /// How many values it holds room for.
    pub fn capacity(&self) -> usize {
        match &self.store {
            Store::Narrow { offsets, .. } => offsets.capacity(),
            Store::Wide(values) => values.capacity(),
        }
    }

    pub fn truncate(&mut self, len: usize) {
        match &mut self.store {
            Store::Narrow { offsets, .. } => offsets.truncate(len),
            Store::Wide(values) => values.truncate(len),
        }
    }

    pub fn clear(&mut self) {
        self.truncate(0);
    }

    /// Gives back spare capacity.
    pub fn shrink_to_fit(&mut self) {
        match &mut self.store {
            Store::Narrow { offsets, .. } => offsets.shrink_to_fit(),
            Store::Wide(values) => values.shrink_to_fit(),
        }
    }

    /// The index of the first value for which `pred` is false, the values
    /// being partitioned by it (as [`slice::partition_point`]).
    pub fn partition_point(&self, mut pred: impl FnMut(T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(self.get(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Whether the values strictly increase.
    pub fn is_increasing(&self) -> bool {
        match &self.store {
            Store::Narrow { offsets, .. } => offsets.windows(2).all(|w| w[0] < w[1]),
            Store::Wide(values) => values.windows(2).all(|w| w[0] < w[1]),
        }
    }

    /// Bytes of storage held (capacity, not length): for tests of the
    /// layout.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        match &self.store {
            Store::Narrow { offsets, .. } => offsets.capacity() * 4,
            Store::Wide(values) => values.capacity() * 8,
        }
    }

    /// Switches to 8 bytes a value.
    fn widen(&mut self) {
        if let Store::Narrow { base, offsets } = &self.store {
            let values = offsets.iter().map(|&d| base + i64::from(d)).collect();
            self.store = Store::Wide(values);
        }
    }
}

/// `v` as a 32-bit difference from `base`, if it fits.
fn narrow(base: i64, v: i64) -> Option<i32> {
    v.checked_sub(base).and_then(|d| i32::try_from(d).ok())
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
    fn values_near_the_first_take_four_bytes() {
        let times: Vec<i64> = (0..1000).map(|i| 1_700_000_000 + i * 86_400).collect();
        let mut column: Packed<i64> = times.iter().copied().collect();
        column.shrink_to_fit();
        assert_eq!(column.bytes(), 4 * 1000);
        assert_eq!(column.iter().collect::<Vec<_>>(), times);
        assert_eq!(
            (column.first(), column.last()),
            (Some(times[0]), Some(times[999]))
        );
        assert!(column.is_increasing());
    }

    #[test]
    fn a_value_far_away_widens_the_column_and_keeps_every_value() {
        let mut column = Packed::<i64>::default();
        let values = [5, -3, i64::from(i32::MAX) + 5, i64::MIN, i64::MAX, 7];
        for v in values {
            column.push(v);
        }
        assert_eq!(column.iter().collect::<Vec<_>>(), values);
        column.set(1, 9);
        assert_eq!(column.get(1), 9);
        // Appending another column's values takes the same care, starting
        // narrow from the first value.
        let far: Packed<i64> = [1 << 40, (1 << 40) + 1].into_iter().collect();
        let near: Packed<i64> = [2, 3].into_iter().collect();
        let mut column = Packed::<i64>::default();
        column.extend_from(&far, 0..2);
        assert!(matches!(column.store, Store::Narrow { .. }));
        column.extend_from(&near, 0..2);
        assert_eq!(
            column.iter().collect::<Vec<_>>(),
            [1 << 40, (1 << 40) + 1, 2, 3]
        );
        // Setting a far value in a narrow column widens it too.
        let mut column: Packed<u64> = [10, 20, 30].into_iter().collect();
        column.set(2, 1 << 53);
        assert_eq!(column.iter().collect::<Vec<_>>(), [10, 20, 1 << 53]);
        assert!(column.bytes() >= 8 * 3);
    }

    #[test]
    fn a_cleared_column_starts_from_its_next_value() {
        let mut column: Packed<i64> = [1, 2, 3].into_iter().collect();
        column.clear();
        assert!(column.is_empty() && column.first().is_none());
        column.push(5_000_000_000);
        column.push(5_000_000_001);
        assert_eq!(
            column.iter().collect::<Vec<_>>(),
            [5_000_000_000, 5_000_000_001]
        );
        assert!(matches!(column.store, Store::Narrow { .. }));
    }

    /// Appending part of another column gives the values pushed one by
    /// one would, stored the same way: narrow across bases near each other,
    /// widened when a value is too far from this column's base.
    #[test]
    fn extending_from_another_column_is_pushing_its_values() {
        let near: Packed<i64> = [1_000_000, 999_000, 1_002_000].into_iter().collect();
        let far: Packed<i64> = [5_000_000_000, 5_000_000_001].into_iter().collect();
        let cases: [(&[i64], &Packed<i64>, std::ops::Range<usize>); 4] = [
            (&[], &near, 1..3),
            (&[7, 8], &near, 0..3),
            (&[7, 8], &near, 2..2),
            (&[7, 8], &far, 0..2),
        ];
        for (start, other, range) in cases {
            let mut fast: Packed<i64> = start.iter().copied().collect();
            fast.extend_from(other, range.clone());
            let mut slow: Packed<i64> = start.iter().copied().collect();
            for i in range.clone() {
                slow.push(other.get(i));
            }
            assert_eq!(fast, slow, "{start:?} + {range:?}");
        }
    }

    #[test]
    fn partition_point_is_a_binary_search() {
        let column: Packed<i64> = [1, 3, 3, 7, 9].into_iter().collect();
        assert_eq!(column.partition_point(|x| x < 3), 1);
        assert_eq!(column.partition_point(|x| x <= 3), 3);
        assert_eq!(column.partition_point(|x| x < 100), 5);
        assert_eq!(column.partition_point(|x| x < 0), 0);
        assert!(!column.is_increasing());
    }
}
