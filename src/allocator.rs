//! The `imr-search` binary's allocator: mimalloc while `index` builds, the
//! system allocator for everything else.
//!
//! Parsing a letter makes thousands of short strings, and tantivy's writer
//! allocates per document: with mimalloc a 100,000-letter build took 25-27
//! CPU-seconds instead of 32-35 (15.3-16.6 s instead of 18.9-21.0 s wall)
//! for about 100 MB more peak RSS. A query process is the other way round:
//! it allocates little, once, and mimalloc's start-up (committing its first
//! arena) made `antalgic` 0.63 -> 0.95 ms. So the choice is made per
//! process, in `main`, before any worker thread starts ([`use_mimalloc`]).
//!
//! Memory the system allocator handed out before the switch can still be
//! freed or grown after it: each free asks mimalloc whether it owns the
//! pointer (`mi_is_in_heap_region`, a range check), and a block moves to
//! mimalloc when it grows.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

/// Set once, by [`use_mimalloc`]: new blocks come from mimalloc.
static MIMALLOC: AtomicBool = AtomicBool::new(false);

/// From now on, allocate with mimalloc. Call before starting threads.
pub fn use_mimalloc() {
    MIMALLOC.store(true, Ordering::SeqCst);
}

/// The global allocator of the binary (see the module docs).
pub struct Allocator;

fn mimalloc_owns(ptr: *mut u8) -> bool {
    // Before the switch nothing can be mimalloc's, and asking would start it.
    // SAFETY: a read-only range check on any pointer value.
    MIMALLOC.load(Ordering::Relaxed)
        && unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr as *const _) }
}

// SAFETY: every block is freed, grown or shrunk by the allocator that made
// it: blocks are made by one allocator at a time, and `mimalloc_owns`
// tells them apart afterwards.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if MIMALLOC.load(Ordering::Relaxed) {
            unsafe { MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if MIMALLOC.load(Ordering::Relaxed) {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if mimalloc_owns(ptr) {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if mimalloc_owns(ptr) {
            return unsafe { MiMalloc.realloc(ptr, layout, new_size) };
        }
        if !MIMALLOC.load(Ordering::Relaxed) {
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // A system block grown after the switch moves to mimalloc.
        // SAFETY: `new_size` with the old alignment is a valid layout (the
        // `GlobalAlloc::realloc` contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let new = unsafe { MiMalloc.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and at least this long.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                System.dealloc(ptr, layout);
            }
        }
        new
    }
}
