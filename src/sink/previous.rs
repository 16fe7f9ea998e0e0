//! The dataset a run adds to: which run it was, what it took in, and
//! whether its rows may be mixed with this run's.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::files::{self, NeedsAttention, Remedy, FACTS_FILE, INVENTORY_FILE, STATE_DIR};
use super::inventory::Inventory;
use super::manifest::{ManifestHead, MANIFEST_FILE};
use super::schema::SCHEMA_VERSION;
use super::store::Store;

/// A dataset this run adds to.
#[derive(Debug)]
pub struct Previous {
    /// The snapshot it is in.
    pub dir: PathBuf,
    pub run: u32,
    /// It holds only the bundled samples.
    pub samples_only: bool,
    pub inventory: Inventory,
}

impl Previous {
    /// The dataset at `store` when this run adds to it; `None` when it
    /// starts afresh, because there is none or `full` was asked for. A
    /// folder that is not a dataset is never replaced, a damaged dataset is
    /// not added to (nor a file xxgk did not write dropped), and a dataset
    /// parsed by another build or configuration is not added to: its rows
    /// would not match.
    pub fn open(store: &Store, fingerprint: &str, full: bool) -> Result<Option<Previous>> {
        let Some(dir) = store.current()? else {
            return Ok(None);
        };
        let is_empty = |dir: &Path| std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if is_empty(&dir) {
            return Ok(None);
        }
        let out = store.out.display();
        if !dir.join(MANIFEST_FILE).is_file() {
            anyhow::bail!(
                "{out} is not an xxgk dataset (it has no {MANIFEST_FILE}); refusing to replace it: \
                 choose another --out or remove it"
            );
        }
        // Another program's manifest.json (a web app's) is no dataset to replace.
        let Some(head) = ManifestHead::read(&dir) else {
            if dir.join(STATE_DIR).is_dir() {
                let problem = format!("its {MANIFEST_FILE} is damaged (not the JSON xxgk writes)");
                return Err(NeedsAttention { dataset: store.out.clone(), problem, remedy: Remedy::Rebuild }.into());
            }
            anyhow::bail!(
                "{out} is not an xxgk dataset (its {MANIFEST_FILE} is not one xxgk wrote); refusing to replace it: \
                 choose another --out or remove it"
            );
        };
        files::verify(&dir, full).map_err(|err| NeedsAttention { dataset: store.out.clone(), ..err })?;
        if full {
            return Ok(None);
        }
        let mut differences = Vec::new();
        if head.schema_version != SCHEMA_VERSION {
            differences.push(format!("schema {} (now {SCHEMA_VERSION})", head.schema_version));
        }
        if head.fingerprint != fingerprint {
            differences.push(format!("fingerprint {} (now {fingerprint})", head.fingerprint));
        }
        if !differences.is_empty() {
            anyhow::bail!(
                "{out} was written by another xxgk build or configuration ({}); its rows cannot be mixed with \
                 this run's: run `xxgk ingest --full` with all the inputs to rebuild it",
                differences.join(", ")
            );
        }
        let inventory = Inventory::load(&dir.join(STATE_DIR).join(INVENTORY_FILE))?;
        Ok(Some(Previous { dir, run: head.run, samples_only: head.samples_only, inventory }))
    }

    pub fn facts_path(&self) -> PathBuf {
        self.dir.join(STATE_DIR).join(FACTS_FILE)
    }
}
