//! `manifest.json`: what the dataset holds, what its last run read, and
//! with which versions. Written last into a snapshot, it also records the
//! size and hash of each state file, so that damage to them is found.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{Counts, RunCounts};

/// Where a snapshot keeps its manifest.
pub const MANIFEST_FILE: &str = "manifest.json";

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
    /// Whether the dataset holds only the bundled samples (`data/samples`),
    /// which a run with other inputs replaces rather than adds to.
    pub samples_only: bool,
    pub templates: Vec<String>,
    /// What the dataset holds.
    pub counts: Counts,
    /// What this run read, skipped and wrote.
    pub this_run: RunCounts,
    /// Files in the input folders whose extension is not read, by extension.
    pub skipped_files: BTreeMap<String, u64>,
    /// How long this run's stages took, up to its commit.
    pub stages: Stages,
    /// The files this run took longest to read and parse.
    pub slowest_files: Vec<SlowFile>,
    /// Each file of `_xxgk/` as this run left it.
    pub state: BTreeMap<String, StateFile>,
}

/// Seconds per stage of a run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stages {
    /// Listing the inputs.
    pub discover_s: f64,
    /// Locking and checking the dataset the run adds to.
    pub open_s: f64,
    /// Reading, parsing and writing the inputs (one pipeline).
    pub read_s: f64,
    /// Checking each report against the same agency's year before.
    pub across_years_s: f64,
    /// Carrying the earlier rows, and the commit.
    pub commit_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlowFile {
    pub path: String,
    pub seconds: f64,
}

/// A state file's size and BLAKE3 hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateFile {
    pub bytes: u64,
    pub blake3: String,
}

impl StateFile {
    pub fn of(path: &Path) -> Result<StateFile> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(StateFile { bytes: bytes.len() as u64, blake3: blake3::hash(&bytes).to_hex().to_string() })
    }
}

impl Manifest {
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))
    }
}

/// The part of a manifest a later run reads back.
#[derive(Debug, Default, Deserialize)]
pub struct ManifestHead {
    #[serde(default)]
    pub tool: String,
    #[serde(default)]
    pub schema_version: String,
    #[serde(default)]
    pub fingerprint: String,
    #[serde(default)]
    pub run: u32,
    #[serde(default)]
    pub samples_only: bool,
    #[serde(default)]
    pub state: BTreeMap<String, StateFile>,
}

impl ManifestHead {
    /// The manifest in `dir` when xxgk wrote it; `None` when the file is
    /// missing, is not JSON, or is another program's.
    pub fn read(dir: &Path) -> Option<ManifestHead> {
        let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).ok()?;
        serde_json::from_str::<ManifestHead>(&text).ok().filter(|head| head.tool == "xxgk")
    }
}
