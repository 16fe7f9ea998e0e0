//! The inventory: every input path a dataset has taken in, with the size
//! and modification time the file had and what it became. A later run skips
//! the files it lists unchanged, and a file that changed replaces the rows
//! its earlier version gave. Kept in the dataset as `_xxgk/inputs.tsv`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::time::UNIX_EPOCH;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// What tells a file's version without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub modified_ns: u64,
}

impl Stamp {
    /// The stamp of the file at `path`, or `None` when it cannot be had
    /// (the file is then read on every run).
    pub fn of(path: &Path) -> Option<Stamp> {
        let metadata = std::fs::metadata(path).ok()?;
        let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stamp { size: metadata.len(), modified_ns: u64::try_from(modified.as_nanos()).ok()? })
    }
}

/// The version of an input a dataset took in: the file's stamp, and the
/// crawler metadata given with it (a hash), which also shapes its rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Version {
    pub stamp: Option<Stamp>,
    pub hints: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Partial,
    Reject,
}

/// One input path and what it gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub size: Option<u64>,
    pub modified_ns: Option<u64>,
    /// A hash of the crawler metadata given with the file.
    pub hints: Option<String>,
    /// The hash of the file's bytes; none when it could not be read.
    pub report_id: Option<String>,
    pub outcome: Outcome,
    pub year: Option<i16>,
    pub cells: u64,
    pub cells_ok: u64,
    pub sections: u64,
    pub checks_failed: u64,
    /// The run that read this version of the file.
    pub run: u32,
}

impl Entry {
    fn stamp(&self) -> Option<Stamp> {
        self.size.zip(self.modified_ns).map(|(size, modified_ns)| Stamp { size, modified_ns })
    }

    /// Whether this entry was taken at `version`.
    pub fn has_version(&self, version: &Version) -> bool {
        self.stamp() == version.stamp && self.hints == version.hints
    }

    pub fn set_version(&mut self, version: &Version) {
        self.size = version.stamp.map(|s| s.size);
        self.modified_ns = version.stamp.map(|s| s.modified_ns);
        self.hints.clone_from(&version.hints);
    }

    /// Whether the file is as this entry saw it, without reading it.
    pub fn is_unchanged(&self, version: &Version) -> bool {
        version.stamp.is_some() && self.has_version(version)
    }

    /// Whether the path's rows are a report's (else a reject's).
    pub fn is_report(&self) -> bool {
        self.outcome != Outcome::Reject
    }
}

/// The inventory of a dataset as it was before this run, by path: a run
/// lists the entries it keeps in path order, so that identical runs write
/// identical files.
#[derive(Debug, Default)]
pub struct Inventory {
    entries: BTreeMap<String, Entry>,
}

impl Inventory {
    pub fn load(path: &Path) -> Result<Inventory> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b'\t')
            .from_path(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut entries = BTreeMap::new();
        for (i, row) in reader.deserialize::<Entry>().enumerate() {
            let entry = row.with_context(|| format!("{}: bad row {}", path.display(), i + 2))?;
            entries.insert(entry.path.clone(), entry);
        }
        Ok(Inventory { entries })
    }

    pub fn from_entries(entries: Vec<Entry>) -> Inventory {
        Inventory { entries: entries.into_iter().map(|e| (e.path.clone(), e)).collect() }
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }
}

/// Writes an inventory one entry at a time.
pub struct InventoryWriter {
    writer: csv::Writer<BufWriter<File>>,
}

impl InventoryWriter {
    pub fn create(path: &Path) -> Result<InventoryWriter> {
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(InventoryWriter { writer: csv::WriterBuilder::new().delimiter(b'\t').from_writer(BufWriter::new(file)) })
    }

    pub fn push(&mut self, entry: &Entry) -> Result<()> {
        self.writer.serialize(entry).context("cannot write the inventory")
    }

    pub fn finish(mut self) -> Result<()> {
        self.writer.flush().context("cannot write the inventory")
    }
}

/// A report id (32 hex digits) as a number, for compact sets of ids.
pub fn id_key(report_id: &str) -> Option<u128> {
    u128::from_str_radix(report_id, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_the_file() {
        let dir = std::env::temp_dir().join(format!("xxgk-inventory-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("inputs.tsv");
        let entry = Entry {
            path: "a\tb \"c\".html".to_string(),
            size: Some(12),
            modified_ns: Some(1_700_000_000_123_456_789),
            hints: Some("00ff".to_string()),
            report_id: Some("0123456789abcdef0123456789abcdef".to_string()),
            outcome: Outcome::Partial,
            year: Some(2023),
            cells: 200,
            cells_ok: 180,
            sections: 6,
            checks_failed: 2,
            run: 3,
        };
        let unread = Entry {
            path: "gone.txt".to_string(),
            size: None,
            modified_ns: None,
            hints: None,
            report_id: None,
            outcome: Outcome::Reject,
            year: None,
            cells: 0,
            cells_ok: 0,
            sections: 0,
            checks_failed: 0,
            run: 3,
        };
        let mut writer = InventoryWriter::create(&path).unwrap();
        writer.push(&entry).unwrap();
        writer.push(&unread).unwrap();
        writer.finish().unwrap();
        let inventory = Inventory::load(&path).unwrap();
        assert_eq!(inventory.get(&entry.path), Some(&entry));
        assert_eq!(inventory.get("gone.txt"), Some(&unread));
        assert!(inventory.get("gone.txt").unwrap().has_version(&Version::default()));
        assert!(!inventory.get(&entry.path).unwrap().has_version(&Version::default()));
        assert!(!inventory.get("gone.txt").unwrap().is_unchanged(&Version::default()));
        assert_eq!(id_key(entry.report_id.as_deref().unwrap()), Some(0x0123456789abcdef0123456789abcdef));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
