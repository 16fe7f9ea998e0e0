use clap::Parser;

/// Reports are allocated on the worker threads and freed on the writer's.
/// glibc's heaps fragmented under that traffic, and keeping the resident size
/// down meant handing back pages that the next batch faulted in again. With
/// mimalloc a run of 100,000 reports takes about 0.75x the time (README,
/// Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    match xxgk::cli::run(opts) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("xxgk: error: {err:#}");
            std::process::exit(2);
        }
    }
}
