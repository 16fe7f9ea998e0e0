//! What a snapshot holds, so that damage is found before a run carries it
//! forward: `_xxgk/files.tsv` lists every file of the tables with its size,
//! and the manifest records the size and hash of each state file. A run
//! that adds to a dataset, and `xxgk check`, compare them with the disk.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::manifest::{ManifestHead, StateFile};
use super::TABLE_DIRS;

/// The folder inside a dataset that holds what later runs need.
pub const STATE_DIR: &str = "_xxgk";
pub const INVENTORY_FILE: &str = "inputs.tsv";
pub const FACTS_FILE: &str = "year-facts";

pub const FILES_FILE: &str = "files.tsv";

/// The dataset cannot be used as it is (exit status 4): the message names
/// the file and says what to do.
#[derive(Debug, thiserror::Error)]
#[error("the dataset {} needs attention: {problem}; {remedy}", .dataset.display())]
pub struct NeedsAttention {
    pub dataset: PathBuf,
    pub problem: String,
    pub remedy: Remedy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Rebuild the dataset from all the inputs.
    Rebuild,
    /// Move a file xxgk did not write out of the table folders.
    MoveOut,
}

impl std::fmt::Display for Remedy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Remedy::Rebuild => "`xxgk ingest --full` with all the inputs rebuilds it",
            Remedy::MoveOut => {
                "move it out of the dataset (readers take every file there for part of the table), then run again"
            }
        })
    }
}

/// Every file under the table folders of `dir`, by path relative to `dir`
/// (with `/`), and its size.
fn scan(dir: &Path) -> Result<BTreeMap<String, u64>> {
    let mut files = BTreeMap::new();
    for table in TABLE_DIRS {
        let root = dir.join(table);
        if !root.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", root.display()))?;
            if entry.file_type().is_dir() {
                continue;
            }
            let relative = entry.path().strip_prefix(dir).context("file outside the dataset")?;
            let size = entry.metadata().with_context(|| format!("cannot read {}", entry.path().display()))?.len();
            files.insert(crate::discover::path_text(relative), size);
        }
    }
    Ok(files)
}

/// Writes the list of the table files of `dir` into its state folder.
pub fn write_list(dir: &Path) -> Result<()> {
    let path = dir.join(STATE_DIR).join(FILES_FILE);
    let mut text = String::from("path\tbytes\n");
    for (file, size) in scan(dir)? {
        text.push_str(&format!("{file}\t{size}\n"));
    }
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The size and hash of each file of the state folder of `dir`.
pub fn state_files(dir: &Path) -> Result<BTreeMap<String, StateFile>> {
    let state = dir.join(STATE_DIR);
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&state).with_context(|| format!("cannot list {}", state.display()))? {
        let entry = entry.with_context(|| format!("cannot list {}", state.display()))?;
        if entry.file_type().is_ok_and(|t| t.is_file()) {
            files.insert(entry.file_name().to_string_lossy().into_owned(), StateFile::of(&entry.path())?);
        }
    }
    Ok(files)
}

/// Checks the snapshot in `dir` against what its run recorded: each state
/// file whole, each table file present with its size and a Parquet footer,
/// and no file in the table folders that xxgk did not write. With
/// `strays_only`, for a run that rebuilds the dataset, only the last.
pub fn verify(dir: &Path, strays_only: bool) -> std::result::Result<(), NeedsAttention> {
    let attention = |problem: String, remedy| NeedsAttention { dataset: dir.to_path_buf(), problem, remedy };
    let head = ManifestHead::read(dir).unwrap_or_default();
    let state = dir.join(STATE_DIR);
    if head.state.is_empty() {
        if strays_only {
            return Ok(()); // an older xxgk kept no list to tell strays by
        }
        return Err(attention(
            format!("{STATE_DIR}/ was written by an older xxgk that kept no record of its files"),
            Remedy::Rebuild,
        ));
    }
    for (name, recorded) in &head.state {
        let path = state.join(name);
        let problem = match StateFile::of(&path) {
            Ok(found) if &found == recorded => continue,
            Ok(found) => format!(
                "{STATE_DIR}/{name} is damaged ({} bytes, not the {} bytes its run wrote, or other bytes)",
                found.bytes, recorded.bytes
            ),
            Err(err) => format!("{STATE_DIR}/{name}: {err:#}"),
        };
        if strays_only {
            return Ok(()); // the list that tells strays is not to be trusted
        }
        return Err(attention(problem, Remedy::Rebuild));
    }
    let listed = read_list(&state.join(FILES_FILE)).map_err(|err| attention(format!("{err:#}"), Remedy::Rebuild))?;
    let found = scan(dir).map_err(|err| attention(format!("{err:#}"), Remedy::Rebuild))?;
    if let Some(stray) = found.keys().find(|f| !listed.contains_key(*f)) {
        return Err(attention(format!("{stray} was not written by xxgk"), Remedy::MoveOut));
    }
    if strays_only {
        return Ok(());
    }
    for (file, &size) in &listed {
        let problem = match found.get(file) {
            None => format!("{file} is missing"),
            Some(&actual) if actual != size => format!("{file} is damaged ({actual} bytes, written as {size})"),
            Some(_) if !has_parquet_footer(&dir.join(file)) => format!("{file} is damaged (no Parquet footer)"),
            Some(_) => continue,
        };
        return Err(attention(problem, Remedy::Rebuild));
    }
    Ok(())
}

fn read_list(path: &Path) -> Result<BTreeMap<String, u64>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut files = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let (file, size) = line
            .rsplit_once('\t')
            .and_then(|(file, size)| Some((file, size.parse::<u64>().ok()?)))
            .with_context(|| format!("{}:{}: not a file and its size", path.display(), i + 1))?;
        files.insert(file.to_string(), size);
    }
    Ok(files)
}

/// Whether the file ends as a Parquet file does: a file cut short does not.
fn has_parquet_footer(path: &Path) -> bool {
    let mut tail = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| {
            f.seek(SeekFrom::End(-4))?;
            f.read_exact(&mut tail)
        })
        .is_ok()
        && &tail == b"PAR1"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xxgk-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("cells/year=2020")).unwrap();
        std::fs::create_dir_all(dir.join(STATE_DIR)).unwrap();
        std::fs::write(dir.join("cells/year=2020/part-00000.parquet"), b"PAR1 rows PAR1").unwrap();
        std::fs::write(dir.join(STATE_DIR).join("inputs.tsv"), "path\na\nb\n").unwrap();
        write_list(&dir).unwrap();
        let manifest = serde_json::json!({"tool": "xxgk", "state": state_files(&dir).unwrap()});
        std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
        dir
    }

    fn problem(dir: &Path) -> Option<(String, Remedy)> {
        verify(dir, false).err().map(|e| (e.problem, e.remedy))
    }

    #[test]
    fn a_whole_snapshot_passes() {
        let dir = snapshot("whole");
        assert!(problem(&dir).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_state_file_cut_at_a_line_is_damage() {
        let dir = snapshot("state");
        std::fs::write(dir.join(STATE_DIR).join("inputs.tsv"), "path\na\n").unwrap();
        let (text, remedy) = problem(&dir).unwrap();
        assert_eq!(text, "_xxgk/inputs.tsv is damaged (7 bytes, not the 9 bytes its run wrote, or other bytes)");
        assert_eq!(remedy, Remedy::Rebuild);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_truncated_table_file_and_a_stray_one_are_named() {
        let dir = snapshot("tables");
        let part = dir.join("cells/year=2020/part-00000.parquet");
        std::fs::write(&part, b"PAR1 rows PA").unwrap();
        assert_eq!(
            problem(&dir).unwrap(),
            ("cells/year=2020/part-00000.parquet is damaged (12 bytes, written as 14)".into(), Remedy::Rebuild)
        );
        std::fs::write(&part, b"PAR1 rows PAR2").unwrap();
        assert_eq!(
            problem(&dir).unwrap(),
            ("cells/year=2020/part-00000.parquet is damaged (no Parquet footer)".into(), Remedy::Rebuild)
        );
        std::fs::write(dir.join("cells/year=2020/mine.parquet"), b"PAR1").unwrap();
        let stray = ("cells/year=2020/mine.parquet was not written by xxgk".to_string(), Remedy::MoveOut);
        assert_eq!(problem(&dir).unwrap(), stray);
        let rebuild = verify(&dir, true).unwrap_err();
        assert_eq!((rebuild.problem, rebuild.remedy), stray);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
