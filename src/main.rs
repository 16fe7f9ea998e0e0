/// Reports are allocated on the worker threads and freed on the writer's.
/// glibc's heaps fragmented under that traffic, and keeping the resident size
/// down meant handing back pages that the next batch faulted in again. With
/// mimalloc a run of 100,000 reports takes about 0.75x the time (README,
/// Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    xxgk::allocator::keep_freed_pages();
    std::process::exit(xxgk::cli::main());
}
