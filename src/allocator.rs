//! How the binary's allocator (mimalloc, chosen in `main.rs`) is tuned.

/// mimalloc's `mi_option_purge_delay`, which libmimalloc-sys does not name
/// (mimalloc keeps its option numbers stable).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed pages stay with the process for the next batch: handing them back
/// after mimalloc's default delay had every batch fault them in again. The
/// resident size still levels off, as a run holds only a few batches at a
/// time.
pub fn keep_freed_pages() {
    // SAFETY: sets an integer option, which mimalloc reads at each use.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}
