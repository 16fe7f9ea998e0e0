use clap::Parser;

/// Reports are allocated on the worker threads and freed on the writer's.
/// glibc's heaps fragmented under that traffic, and keeping the resident size
/// down meant handing back pages that the next batch faulted in again. With
/// mimalloc a run of 100,000 reports takes about 0.75x the time (README,
/// Performance).
#[cfg(not(feature = "heap-peak"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "heap-peak")]
#[global_allocator]
static ALLOCATOR: heap_peak::Counting<mimalloc::MiMalloc> = heap_peak::Counting(mimalloc::MiMalloc);

/// mimalloc's `mi_option_purge_delay`, which libmimalloc-sys does not name
/// (mimalloc keeps its option numbers stable). At -1, freed pages stay with
/// the process for the next batch: handing them back after the default
/// delay had every batch fault them in again. The resident size still
/// levels off, as a run holds only a few batches at a time.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // SAFETY: sets an integer option, which mimalloc reads at each use.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let opts = xxgk::cli::Opts::parse();
    xxgk::console::set_log_format(opts.log_format);
    let code = match xxgk::cli::run(opts) {
        Ok(code) => code,
        // `xxgk check | head -1`: the reader has what it wanted.
        Err(err) if xxgk::console::is_broken_pipe(&err) => 0,
        Err(err) => {
            let code = exit_code(&err);
            let fields = serde_json::json!({ "exit": code });
            // "Retry later" reads as a state, not an error.
            let prefix = if code == 3 { "" } else { "error: " };
            xxgk::console::event("error", format_args!("{prefix}{err:#}"), fields);
            code
        }
    };
    #[cfg(feature = "heap-peak")]
    xxgk::console::note(format_args!("peak heap {} bytes", heap_peak::peak()));
    std::process::exit(code);
}

/// The exit status of a failed command, which cron can act on: 3 another
/// run holds the lock (retry later), 4 the dataset needs a person (damaged
/// state, a file xxgk did not write), 2 any other usage or setup error.
fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|e| e.is::<xxgk::sink::Busy>()) {
        3
    } else if err.chain().any(|e| e.is::<xxgk::sink::NeedsAttention>()) {
        4
    } else {
        2
    }
}

/// For `benches/end_to_end.sh`: counts the bytes allocated and not yet freed,
/// and their peak. The resident size also holds the pages the allocator
/// keeps for reuse; this is what the program itself holds (less zstd's
/// contexts, which it allocates in C). Every allocation then updates two
/// shared counters, so the build is for measuring only.
#[cfg(feature = "heap-peak")]
mod heap_peak {
    use std::alloc::{GlobalAlloc, Layout};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    pub struct Counting<A>(pub A);

    static LIVE: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    pub fn peak() -> usize {
        PEAK.load(Relaxed)
    }

    fn grow(bytes: usize) {
        let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
        PEAK.fetch_max(live, Relaxed);
    }

    // SAFETY: every call is passed on to the inner allocator unchanged.
    unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let block = unsafe { self.0.alloc(layout) };
            if !block.is_null() {
                grow(layout.size());
            }
            block
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let block = unsafe { self.0.alloc_zeroed(layout) };
            if !block.is_null() {
                grow(layout.size());
            }
            block
        }

        unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
            unsafe { self.0.dealloc(block, layout) };
            LIVE.fetch_sub(layout.size(), Relaxed);
        }

        unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let moved = unsafe { self.0.realloc(block, layout, new_size) };
            if !moved.is_null() {
                match new_size.checked_sub(layout.size()) {
                    Some(more) => grow(more),
                    None => {
                        LIVE.fetch_sub(layout.size() - new_size, Relaxed);
                    }
                }
            }
            moved
        }
    }
}
