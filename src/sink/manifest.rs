//! `manifest.json`: what a run read, wrote and with which versions.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use super::Counts;

#[derive(Debug, Default, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub tool_version: &'static str,
    pub schema_version: &'static str,
    pub started_at: String,
    pub finished_at: String,
    pub config: String,
    pub inputs: Vec<String>,
    pub templates: Vec<String>,
    pub counts: Counts,
}

impl Manifest {
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))
    }
}
