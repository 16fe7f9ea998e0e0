//! Writing to the terminal without dying of it. A command's output whose
//! reader went away (`xxgk check | head -1`) ends quietly; a note on
//! standard error that cannot be written (a dead logger, `2>&1 | head`) is
//! lost, never the run that wrote it.

use std::io::{ErrorKind, Write};

use anyhow::{Context, Result};

/// Writes a command's output to standard output.
pub fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).context("cannot write to standard output")
}

/// A line for the person running xxgk, on standard error, after `xxgk: `;
/// written in one call, so that lines from several threads or processes
/// sharing a log never interleave.
pub fn note(text: std::fmt::Arguments) {
    let _ = std::io::stderr().lock().write_all(format!("xxgk: {text}\n").as_bytes());
}

/// Whether an error comes from a reader of our output that went away: the
/// output ends there, which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == ErrorKind::BrokenPipe)
            || cause.to_string().contains("Broken pipe (os error 32)")
    })
}
