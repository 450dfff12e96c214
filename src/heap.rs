//! The live heap, counted: a build with the `heap-stats` feature (for
//! memory work, never a release) wraps the system allocator in
//! [`Counting`], and `FOLLOWDROP_TIMING=1` then adds to each step's line
//! the bytes allocated and not yet freed, now and at their peak.
//!
//! The resident set a step ends with is those live bytes plus what the
//! allocator holds free without giving it back (glibc keeps freed memory in
//! the arena of the thread that allocated it, and hands pages back only
//! from the top of a heap): telling the two apart says whether memory
//! work should hold fewer bytes or free them where they can be reused
//! (BENCHMARKS.md).
//!
//! Implementing an allocator is `unsafe`: the crate root forbids it in
//! every build without this feature.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Bytes allocated and not freed…
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// …and the most there have been.
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting the bytes it hands out.
pub struct Counting;

impl Counting {
    /// Counts `by` bytes more, if the allocation `ptr` succeeded.
    fn grew(ptr: *mut u8, by: usize) -> *mut u8 {
        if !ptr.is_null() {
            let live = LIVE.fetch_add(by, Relaxed) + by;
            PEAK.fetch_max(live, Relaxed);
        }
        ptr
    }
}

// SAFETY: every call is passed on to `System` unchanged; the counters are
// atomics, and counting never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `layout` are `System`'s.
        Counting::grew(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        Counting::grew(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            // The old block is freed and the new one counted in full.
            LIVE.fetch_sub(layout.size(), Relaxed);
            Counting::grew(moved, new_size);
        }
        moved
    }
}

/// Bytes allocated and not freed, now and at their peak.
pub fn live() -> (usize, usize) {
    (LIVE.load(Relaxed), PEAK.load(Relaxed))
}
