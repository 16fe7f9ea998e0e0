//! `manifest.json`: what the dataset holds, what its last run read, and
//! with which versions.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use super::{Counts, RunCounts};

#[derive(Debug, Default, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub tool_version: &'static str,
    pub schema_version: &'static str,
    /// Identifies the parser build and reference data; a later run adds to
    /// the dataset only under the same fingerprint.
    pub fingerprint: String,
    /// Runs that built the dataset, counted from 0 (the last full run).
    pub run: u32,
    pub started_at: String,
    pub finished_at: String,
    pub config: String,
    pub inputs: Vec<String>,
    pub templates: Vec<String>,
    /// What the dataset holds.
    pub counts: Counts,
    /// What this run read, skipped and wrote.
    pub this_run: RunCounts,
    /// Files in the input folders whose extension is not read, by extension.
    pub skipped_files: BTreeMap<String, u64>,
}

impl Manifest {
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))
    }
}
