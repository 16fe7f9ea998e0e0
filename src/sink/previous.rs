//! The dataset already at `out/`, for a run that adds to it: which run it
//! was, what it took in, and whether its rows may be mixed with this run's.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;

use super::inventory::Inventory;
use super::schema::SCHEMA_VERSION;

/// The folder inside a dataset that holds what later runs need.
pub const STATE_DIR: &str = "_xxgk";
pub const INVENTORY_FILE: &str = "inputs.tsv";
pub const FACTS_FILE: &str = "year-facts";
pub const MANIFEST_FILE: &str = "manifest.json";

/// The part of a manifest that decides whether a run may add to it.
#[derive(Debug, Deserialize)]
struct ManifestHead {
    #[serde(default)]
    tool: String,
    #[serde(default)]
    schema_version: String,
    #[serde(default)]
    fingerprint: String,
    #[serde(default)]
    run: u32,
}

/// A dataset this run adds to.
#[derive(Debug)]
pub struct Previous {
    pub dir: PathBuf,
    pub run: u32,
    pub inventory: Inventory,
}

impl Previous {
    /// The dataset at `out` when this run adds to it; `None` when it starts
    /// afresh, because there is none or `full` was asked for. A folder that
    /// is not a dataset is never replaced, and a dataset parsed by another
    /// build or configuration is not added to: its rows would not match.
    pub fn open(out: &Path, fingerprint: &str, full: bool) -> Result<Option<Previous>> {
        super::restore_interrupted(out)?;
        let is_empty = |dir: &Path| std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !out.exists() || is_empty(out) {
            return Ok(None);
        }
        let manifest_path = out.join(MANIFEST_FILE);
        if !manifest_path.is_file() {
            anyhow::bail!(
                "{} is not an xxgk dataset (it has no {MANIFEST_FILE}); refusing to replace it: \
                 choose another --out or remove it",
                out.display()
            );
        }
        // Another program's manifest.json (a web app's) is no dataset to replace.
        let head = std::fs::read_to_string(&manifest_path)
            .ok()
            .and_then(|text| serde_json::from_str::<ManifestHead>(&text).ok())
            .filter(|head| head.tool == "xxgk");
        let Some(head) = head else {
            anyhow::bail!(
                "{} is not an xxgk dataset (its {MANIFEST_FILE} is not one xxgk wrote); refusing to replace it: \
                 choose another --out or remove it",
                out.display()
            );
        };
        if full {
            return Ok(None);
        }
        let state = out.join(STATE_DIR);
        if head.schema_version != SCHEMA_VERSION || head.fingerprint != fingerprint || !state.is_dir() {
            anyhow::bail!(
                "{} was written by another xxgk build or configuration (schema {}, fingerprint {:?}; now \
                 schema {SCHEMA_VERSION}, fingerprint {fingerprint:?}); its rows cannot be mixed with this \
                 run's: run `xxgk ingest --full` with all the inputs to rebuild it",
                out.display(),
                head.schema_version,
                head.fingerprint,
            );
        }
        let inventory = Inventory::load(&state.join(INVENTORY_FILE))?;
        Ok(Some(Previous { dir: out.to_path_buf(), run: head.run, inventory }))
    }

    pub fn facts_path(&self) -> PathBuf {
        self.dir.join(STATE_DIR).join(FACTS_FILE)
    }
}
