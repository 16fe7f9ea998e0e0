//! Tells the tests whether the shared corpus sits beside the repository.
//! Without it, the tests that read it are marked ignored, so `cargo test`
//! lists them as such instead of passing them unseen (CI requires it).

fn main() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    println!("cargo::rustc-check-cfg=cfg(xxgk_corpus)");
    println!("cargo::rerun-if-changed={}", corpus.display());
    if corpus.is_dir() {
        println!("cargo::rustc-cfg=xxgk_corpus");
    }
}
