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
    fn grew(by: usize) {
        let live = LIVE.fetch_add(by, Relaxed) + by;
        PEAK.fetch_max(live, Relaxed);
    }
}

// SAFETY: every call is passed on to `System` unchanged; the counters are
// atomics, and counting never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Counting::grew(layout.size());
        // SAFETY: the caller's guarantees for `layout` are `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Counting::grew(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match new_size.checked_sub(layout.size()) {
            Some(more) => Counting::grew(more),
            None => {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Bytes allocated and not freed, now and at their peak.
pub fn live() -> (usize, usize) {
    (LIVE.load(Relaxed), PEAK.load(Relaxed))
}
