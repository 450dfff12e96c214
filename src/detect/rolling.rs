//! The rolling median of a series' step rates: the local trend of an
//! account's log count. Kept apart from the model because it is the
//! innermost loop of detection (it runs for every snapshot in the fit) and
//! has two implementations chosen by the window's width.

use crate::stats::median;
use std::ops::Range;

/// For each step `k` of `ks`, the median of `rates[j]` over the steps `j`
/// whose grid point `g[j]` lies within `half` buckets of `g[k]` (`g` and
/// `rates` hold the same steps, in order). A window slides along, each
/// step letting a rate or two in and out (this is the innermost loop of
/// detection: it runs for every snapshot in the fit): a sorted one for the
/// usual few dozen rates, counts by rank for wide ones (a minute grid's
/// three days either side are 8,641 rates, whose sorted window would move
/// thousands of them a step).
pub fn rolling_median(g: &[i64], rates: &[f64], half: i64, ks: Range<usize>) -> Vec<f64> {
    /// Up to this many steps, each median is selected from its own window:
    /// filling a sorted window costs more than that for a bracket's few
    /// steps, which is what most callers ask for.
    const FEW: usize = 4;
    /// Windows wider than this many rates are counted by rank.
    const WIDE: usize = 64;
    if ks.len() <= FEW {
        return ks
            .map(|k| {
                let lo = g.partition_point(|&x| x < g[k] - half);
                let hi = g.partition_point(|&x| x <= g[k] + half);
                median(&mut rates[lo..hi].to_vec()).unwrap_or(0.0)
            })
            .collect();
    }
    let first = ks.start;
    let lo = g.partition_point(|&x| x < g[first] - half);
    let width = g.partition_point(|&x| x <= g[first] + half) - lo;
    if width > WIDE {
        slide(g, half, ks, lo, Ranked::new(rates))
    } else {
        slide(g, half, ks, lo, Sorted::new(rates))
    }
}

/// [`rolling_median`] with `window`, starting at step `lo`.
fn slide(
    g: &[i64],
    half: i64,
    ks: Range<usize>,
    mut lo: usize,
    mut window: impl Window,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(ks.len());
    // The window holds steps lo..hi.
    let mut hi = lo;
    for k in ks {
        let (mut start, mut end) = (lo, hi);
        while end < g.len() && g[end] <= g[k] + half {
            end += 1;
        }
        while g[start] < g[k] - half {
            start += 1;
        }
        // Steps leaving and entering in pairs, then the rest of either.
        while lo < start && hi < end {
            window.replace(lo, hi);
            (lo, hi) = (lo + 1, hi + 1);
        }
        (hi..end).for_each(|j| window.insert(j));
        (lo..start).for_each(|j| window.remove(j));
        (lo, hi) = (start, end);
        out.push(window.median());
    }
    out
}

/// The rates of the steps in a sliding window, by step index.
trait Window {
    fn insert(&mut self, j: usize);
    /// Removes step `j`, which it holds.
    fn remove(&mut self, j: usize);
    /// Removes step `old`, which it holds, and inserts step `new`.
    fn replace(&mut self, old: usize, new: usize) {
        self.remove(old);
        self.insert(new);
    }
    /// The median (the mean of the middle two for an even count); 0 when
    /// empty.
    fn median(&self) -> f64;
}

/// The window's rates kept in order.
struct Sorted<'r> {
    rates: &'r [f64],
    sorted: Vec<f64>,
}

impl<'r> Sorted<'r> {
    fn new(rates: &'r [f64]) -> Self {
        Sorted {
            rates,
            sorted: Vec::new(),
        }
    }
}

/// How many of `w` are less than `x`: where `x` goes in the sorted
/// window. Counted, not searched: a window holds a few dozen rates, which
/// are compared all at once, where a search's every step is a branch the
/// processor guesses wrong half the time.
fn place(w: &[f64], x: f64) -> usize {
    w.iter().map(|&y| usize::from(y < x)).sum()
}

impl Window for Sorted<'_> {
    fn insert(&mut self, j: usize) {
        let x = self.rates[j];
        self.sorted.insert(place(&self.sorted, x), x);
    }

    fn remove(&mut self, j: usize) {
        let at = place(&self.sorted, self.rates[j]);
        self.sorted.remove(at);
    }

    /// The values between the two places shift by one.
    fn replace(&mut self, old: usize, new: usize) {
        let (old, new) = (self.rates[old], self.rates[new]);
        let w = &mut self.sorted;
        let (from, to) = (place(w, old), place(w, new));
        if to > from {
            // `old` is among the values less than `new`.
            w.copy_within(from + 1..to, from);
            w[to - 1] = new;
        } else {
            w.copy_within(to..from, to + 1);
            w[to] = new;
        }
    }

    fn median(&self) -> f64 {
        let (w, m) = (&self.sorted, self.sorted.len());
        match m {
            0 => 0.0,
            _ if m % 2 == 1 => w[m / 2],
            _ => (w[m / 2 - 1] + w[m / 2]) / 2.0,
        }
    }
}

/// The window as counts of its rates' ranks among all the rates, in a
/// Fenwick tree: a step in or out and a median each cost O(log n).
struct Ranked<'r> {
    rates: &'r [f64],
    /// Steps in order of their rates…
    order: Vec<usize>,
    /// …and each step's place in that order.
    rank: Vec<usize>,
    /// Fenwick tree of the counts by rank (1-based).
    tree: Vec<u32>,
    count: usize,
}

impl<'r> Ranked<'r> {
    fn new(rates: &'r [f64]) -> Self {
        let mut order: Vec<usize> = (0..rates.len()).collect();
        order.sort_unstable_by(|&a, &b| rates[a].total_cmp(&rates[b]));
        let mut rank = vec![0; rates.len()];
        for (r, &j) in order.iter().enumerate() {
            rank[j] = r;
        }
        Ranked {
            rates,
            order,
            rank,
            tree: vec![0; rates.len() + 1],
            count: 0,
        }
    }

    fn add(&mut self, j: usize, up: bool) {
        let mut i = self.rank[j] + 1;
        while i < self.tree.len() {
            if up {
                self.tree[i] += 1;
            } else {
                self.tree[i] -= 1;
            }
            i += i & i.wrapping_neg();
        }
        if up {
            self.count += 1;
        } else {
            self.count -= 1;
        }
    }

    /// The `k`-th smallest rate in the window (from 0).
    fn nth(&self, k: usize) -> f64 {
        let n = self.tree.len() - 1;
        let (mut at, mut left) = (0, k as u32 + 1);
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            if at + step <= n && self.tree[at + step] < left {
                at += step;
                left -= self.tree[at];
            }
            step >>= 1;
        }
        self.rates[self.order[at]]
    }
}

impl Window for Ranked<'_> {
    fn insert(&mut self, j: usize) {
        self.add(j, true);
    }

    fn remove(&mut self, j: usize) {
        self.add(j, false);
    }

    fn median(&self) -> f64 {
        let m = self.count;
        match m {
            0 => 0.0,
            _ if m % 2 == 1 => self.nth(m / 2),
            _ => (self.nth(m / 2 - 1) + self.nth(m / 2)) / 2.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every median `rolling_median` gives for steps `ks` is the median of
    /// the rates within `half` of the step.
    fn check_rolling_median(g: &[i64], rates: &[f64], half: i64, ks: Range<usize>) {
        let fast = rolling_median(g, rates, half, ks.clone());
        for (k, fast) in ks.zip(fast) {
            let mut w: Vec<f64> = (0..g.len())
                .filter(|&j| (g[j] - g[k]).abs() <= half)
                .map(|j| rates[j])
                .collect();
            assert_eq!(Some(fast), median(&mut w), "half {half}, step {k}");
        }
    }

    #[test]
    fn rolling_median_matches_a_direct_median() {
        let g: Vec<i64> = vec![1, 2, 4, 5, 9, 10, 11, 12];
        let rates: Vec<f64> = vec![5.0, -1.0, 3.0, 8.0, 2.0, 2.5, -4.0, 7.0];
        for ks in [0..g.len(), 1..7, 2..5, 6..7] {
            check_rolling_median(&g, &rates, 3, ks);
        }
        // Wide windows (counted by rank), with gaps and repeated rates.
        let g: Vec<i64> = (0..2_000i64).map(|i| i + i / 7).collect();
        let rates: Vec<f64> = (0..2_000u64)
            .map(|i| ((i * 7919) % 101) as f64 - 50.0)
            .collect();
        for ks in [0..g.len(), 500..900] {
            check_rolling_median(&g, &rates, 150, ks);
        }
    }
}
