//! Writing to the terminal without dying of it. A command's output whose
//! reader went away (`xxgk check | head -1`) ends quietly; a note on
//! standard error that cannot be written (a dead logger, `2>&1 | head`) is
//! lost, never the run that wrote it.
//!
//! Standard error carries lines for a person (`xxgk: …`) or, with
//! `--log-format json`, one JSON object per event for a log collector.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use serde_json::{json, Value};

static JSON: AtomicBool = AtomicBool::new(false);

/// How standard error is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for a person.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

pub fn set_log_format(format: LogFormat) {
    JSON.store(format == LogFormat::Json, Ordering::Relaxed);
}

pub fn is_json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// Writes a command's output to standard output.
pub fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).context("cannot write to standard output")
}

/// A line for the person running xxgk, on standard error, after `xxgk: `;
/// in JSON, a `note` event.
pub fn note(text: std::fmt::Arguments) {
    event("note", text, json!({}));
}

/// An event: `text` for a person, `fields` (an object) beside
/// `{"event": name, "message": text}` for a collector. Written in one call,
/// so that lines from several threads or processes sharing a log never
/// interleave.
pub fn event(name: &str, text: std::fmt::Arguments, fields: Value) {
    let line = if is_json() {
        let mut object = json!({ "time": chrono::Utc::now().to_rfc3339(), "event": name, "message": text.to_string() });
        if let (Some(object), Value::Object(fields)) = (object.as_object_mut(), fields) {
            object.extend(fields);
        }
        format!("{object}\n")
    } else {
        format!("xxgk: {text}\n")
    };
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Whether an error comes from a reader of our output that went away: the
/// output ends there, which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == ErrorKind::BrokenPipe)
            || cause.to_string().contains("Broken pipe (os error 32)")
    })
}
