//! Fuzzes the per-document parse (`xxgk::report::parse`), which promises to be
//! panic-free: any bytes must give a Report or a Reject, never a panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use xxgk::config::Reference;

// Loaded once per process, not per input. `load(None)` reads config/ when
// the working directory has it and otherwise the copy built into the binary.
static REFERENCE: LazyLock<Reference> = LazyLock::new(|| xxgk::config::load(None).expect("configuration loads").1);

fuzz_target!(|data: &[u8]| {
    // Both paths: HTML goes through html5gum, text through the line layouts.
    for is_html in [false, true] {
        let _ = xxgk::report::parse("fuzz-input", data, is_html, None, &REFERENCE);
    }
});
