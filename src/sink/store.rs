//! Where a dataset lives on disk, and how a run replaces it without a
//! reader ever seeing it missing or half changed.
//!
//! `out` is a symbolic link to an immutable snapshot folder beside it,
//! `.out.xxgk/snapshots/000007`. A run writes the next snapshot in
//! `.out.xxgk/staging`, flushes it to disk, renames it into `snapshots/`,
//! and flips the link with one atomic rename: a kill at any instant leaves
//! `out` on the previous snapshot or on the new one. A reader that resolved
//! the link keeps its snapshot while later runs commit; a snapshot is
//! removed only a day after it was superseded (or by `xxgk vacuum`).
//! Snapshots share their unchanged files as hard links.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

/// How long a superseded snapshot stays for readers still on it.
pub const GRACE: Duration = Duration::from_secs(24 * 60 * 60);

/// Another run holds the dataset's lock: try again later (exit status 3).
#[derive(Debug, thiserror::Error)]
#[error("another xxgk run is writing {}; try again when it is done", .0.display())]
pub struct Busy(pub PathBuf);

/// The dataset's place on disk: the link readers open, and the folder
/// beside it that holds the snapshots, the staging folder and the lock.
#[derive(Debug, Clone)]
pub struct Store {
    /// The link (or, for a dataset an older xxgk wrote, the folder) at `--out`.
    pub out: PathBuf,
    home: PathBuf,
}

/// A snapshot being written; removed unless committed, so a failed run
/// (a full disk, an error) leaves no half-written folder behind.
pub struct Staging {
    pub dir: PathBuf,
    committed: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Store {
    /// The store of the dataset at `out`. A link the user made to a folder
    /// elsewhere is followed, so that every name of the dataset (`out`,
    /// `./out`, a link to it) takes the same lock and updates the same place.
    pub fn locate(out: &Path) -> Result<Store> {
        let mut store = Store::at(absolute(out)?);
        // Each hop of a chain of links, up to the one xxgk made or a folder.
        for _ in 0..MAX_LINK_HOPS {
            let is_link = store.out.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
            if !is_link || store.snapshot_of_link().is_some() {
                return Ok(store);
            }
            let target =
                std::fs::read_link(&store.out).with_context(|| format!("cannot read {}", store.out.display()))?;
            let next = store.out.parent().map_or(target.clone(), |parent| parent.join(&target));
            if next.parent().and_then(Path::file_name).is_some_and(|n| n == "snapshots") {
                anyhow::bail!("--out {} leads into a snapshot of another dataset; name that dataset", out.display());
            }
            store = Store::at(absolute(&next)?);
        }
        anyhow::bail!("--out {} is a chain of more than {MAX_LINK_HOPS} links", out.display())
    }

    fn at(out: PathBuf) -> Store {
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let home = out.with_file_name(format!(".{name}.xxgk"));
        Store { out, home }
    }

    fn snapshots(&self) -> PathBuf {
        self.home.join("snapshots")
    }

    /// Keeps other runs off the dataset while this one writes it: the lock
    /// lives as long as the file returned is open, and goes with the
    /// process however it ends.
    pub fn lock(&self) -> Result<File> {
        std::fs::create_dir_all(&self.home).with_context(|| format!("cannot create {}", self.home.display()))?;
        let path = self.home.join("lock");
        let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(Busy(self.out.clone()).into()),
            Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
        }
    }

    /// The snapshot number `out` links to, when it is one of ours.
    fn snapshot_of_link(&self) -> Option<u32> {
        let target = std::fs::read_link(&self.out).ok()?;
        let expected = Path::new(self.home.file_name()?).join("snapshots");
        let number = target.strip_prefix(&expected).ok()?;
        number.to_str()?.parse().ok()
    }

    /// The folder that holds the dataset now, if there is one: the snapshot
    /// `out` links to, or `out` itself for a dataset an older xxgk wrote.
    /// Puts the link back first when a run was killed while an older
    /// dataset was being moved into the snapshots. A link removed by hand
    /// stays removed: the next run starts afresh.
    pub fn current(&self) -> Result<Option<PathBuf>> {
        if let Some(number) = self.snapshot_of_link() {
            let dir = self.snapshots().join(snapshot_name(number));
            return Ok(dir.is_dir().then_some(dir));
        }
        if self.out.symlink_metadata().is_ok() {
            return Ok(self.out.is_dir().then(|| self.out.clone()));
        }
        let moving = self.home.join(MOVING_MARKER);
        let newest = self.numbers()?.last().copied();
        match newest.filter(|_| moving.exists()) {
            Some(newest) => {
                self.point_to(newest)?;
                std::fs::remove_file(&moving).with_context(|| format!("cannot remove {}", moving.display()))?;
                Ok(Some(self.snapshots().join(snapshot_name(newest))))
            }
            None => Ok(None),
        }
    }

    /// The snapshot numbers present, in order.
    fn numbers(&self) -> Result<Vec<u32>> {
        let dir = self.snapshots();
        let mut numbers = Vec::new();
        if dir.is_dir() {
            for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
                let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
                if let Some(n) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) {
                    numbers.push(n);
                }
            }
        }
        numbers.sort_unstable();
        Ok(numbers)
    }

    /// Starts a new snapshot, clearing what a killed run left.
    pub fn begin(&self) -> Result<Staging> {
        let dir = self.home.join("staging");
        if dir.symlink_metadata().is_ok() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot remove the staging folder a killed run left, {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging { dir, committed: false })
    }

    /// Makes the staged snapshot the dataset: flushes it to disk, moves it
    /// among the snapshots, and flips `out` to it. Returns the snapshot's folder.
    pub fn commit(&self, mut staging: Staging) -> Result<PathBuf> {
        sync_tree(&staging.dir)?;
        let snapshots = self.snapshots();
        std::fs::create_dir_all(&snapshots).with_context(|| format!("cannot create {}", snapshots.display()))?;
        // Snapshots after the current one were left by runs killed before
        // they flipped the link; no reader ever saw them.
        let numbers = self.numbers()?;
        if let Some(current) = self.snapshot_of_link() {
            for &orphan in numbers.iter().filter(|&&n| n > current) {
                let dir = snapshots.join(snapshot_name(orphan));
                std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
            }
        }
        let mut next = numbers.last().map_or(1, |n| n + 1);
        // A dataset an older xxgk wrote becomes the snapshot before this
        // one; the marker says, until the link is made, that it was moved.
        let moving = self.home.join(MOVING_MARKER);
        if self.snapshot_of_link().is_none() && self.out.is_dir() {
            File::create(&moving).with_context(|| format!("cannot create {}", moving.display()))?;
            sync_dir(&self.home)?;
            let is_empty = std::fs::read_dir(&self.out).is_ok_and(|mut d| d.next().is_none());
            if is_empty {
                std::fs::remove_dir(&self.out)
            } else {
                let moved = std::fs::rename(&self.out, snapshots.join(snapshot_name(next)));
                next += 1;
                moved
            }
            .with_context(|| format!("cannot move {} into {}", self.out.display(), snapshots.display()))?;
        }
        let dir = snapshots.join(snapshot_name(next));
        std::fs::rename(&staging.dir, &dir)
            .with_context(|| format!("cannot move {} to {}", staging.dir.display(), dir.display()))?;
        staging.committed = true;
        sync_dir(&snapshots)?;
        self.point_to(next)?;
        if moving.exists() {
            std::fs::remove_file(&moving).with_context(|| format!("cannot remove {}", moving.display()))?;
        }
        Ok(dir)
    }

    /// Flips `out` to a snapshot: a new link renamed over the old one.
    fn point_to(&self, number: u32) -> Result<()> {
        let home_name = self.home.file_name().context("dataset folder without a name")?;
        let target = Path::new(home_name).join("snapshots").join(snapshot_name(number));
        let link = self.home.join("link");
        if link.symlink_metadata().is_ok() {
            std::fs::remove_file(&link).with_context(|| format!("cannot remove {}", link.display()))?;
        }
        std::os::unix::fs::symlink(&target, &link).with_context(|| format!("cannot create {}", link.display()))?;
        std::fs::rename(&link, &self.out)
            .with_context(|| format!("cannot point {} to its snapshot", self.out.display()))?;
        sync_dir(self.out.parent().unwrap_or(Path::new(".")))
    }

    /// Removes the snapshots no reader should still be on: those superseded
    /// more than `grace` ago, and those a killed run never made current.
    /// Returns how many it removed.
    pub fn vacuum(&self, grace: Duration) -> Result<usize> {
        let Some(current) = self.snapshot_of_link() else {
            return Ok(0);
        };
        let numbers = self.numbers()?;
        let now = SystemTime::now();
        let mut removed = 0;
        for (i, &number) in numbers.iter().enumerate() {
            let stale = match numbers.get(i + 1) {
                _ if number == current => false,
                _ if number > current => true,
                // Superseded when the snapshot after it was finished.
                Some(&successor) => {
                    let finished = self.snapshots().join(snapshot_name(successor)).join("manifest.json");
                    let since = std::fs::metadata(&finished).and_then(|m| m.modified()).unwrap_or(now);
                    now.duration_since(since).unwrap_or_default() >= grace
                }
                None => false,
            };
            if stale {
                let dir = self.snapshots().join(snapshot_name(number));
                std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

const MAX_LINK_HOPS: usize = 40;

/// In the store's folder while a dataset an older xxgk wrote is moved into
/// the snapshots, the one moment `out` does not exist.
const MOVING_MARKER: &str = "moving-into-snapshots";

/// `path` with its folder made absolute and free of links (created when
/// missing), and its own name kept as it is.
fn absolute(path: &Path) -> Result<PathBuf> {
    let name = path.file_name().context("--out needs a folder name, not `..` or `/`")?;
    let parent = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent.to_path_buf(),
        None => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let parent = parent.canonicalize().with_context(|| format!("cannot resolve {}", parent.display()))?;
    Ok(parent.join(name))
}

fn snapshot_name(number: u32) -> String {
    format!("{number:06}")
}

/// Flushes every file and folder under `dir` to disk, so that a power cut
/// after the commit cannot leave empty files in a committed snapshot.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(dir).contents_first(true) {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        if entry.file_type().is_dir() {
            sync_dir(entry.path())?;
        } else if entry.file_type().is_file() {
            File::open(entry.path())
                .and_then(|f| f.sync_all())
                .with_context(|| format!("cannot flush {} to disk", entry.path().display()))?;
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).with_context(|| format!("cannot flush {} to disk", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xxgk-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.canonicalize().unwrap()
    }

    fn stage(store: &Store, text: &str) -> PathBuf {
        let staging = store.begin().unwrap();
        std::fs::write(staging.dir.join("manifest.json"), text).unwrap();
        store.commit(staging).unwrap()
    }

    #[test]
    fn commits_flip_the_link_and_keep_the_old_snapshot_for_its_readers() {
        let root = temp("flip");
        let store = Store::locate(&root.join("out")).unwrap();
        assert_eq!(store.current().unwrap(), None);
        let first = stage(&store, "1");
        let reader = std::fs::canonicalize(root.join("out")).unwrap();
        assert_eq!(reader, first);
        let second = stage(&store, "2");
        assert_eq!(std::fs::read_to_string(root.join("out/manifest.json")).unwrap(), "2");
        assert_eq!(std::fs::read_to_string(reader.join("manifest.json")).unwrap(), "1");
        assert_eq!(Store::locate(&root.join("out")).unwrap().current().unwrap(), Some(second));
        assert_eq!(store.vacuum(GRACE).unwrap(), 0);
        assert_eq!(store.vacuum(Duration::ZERO).unwrap(), 1);
        assert!(!reader.exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_failed_run_leaves_no_staging_and_a_killed_one_is_cleared() {
        let root = temp("staging");
        let store = Store::locate(&root.join("out")).unwrap();
        let staging = store.begin().unwrap();
        let dir = staging.dir.clone();
        std::fs::write(dir.join("part.parquet"), "x").unwrap();
        drop(staging);
        assert!(!dir.exists());
        std::fs::create_dir_all(dir.join("cells")).unwrap();
        let staging = store.begin().unwrap();
        assert!(!staging.dir.join("cells").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_link_the_user_made_is_followed_and_an_older_dataset_becomes_a_snapshot() {
        let root = temp("link");
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/manifest.json"), "old").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
        let store = Store::locate(&root.join("link")).unwrap();
        assert_eq!(store.out, root.join("real"));
        assert_eq!(store.current().unwrap(), Some(root.join("real")));
        stage(&store, "new");
        assert_eq!(std::fs::read_to_string(root.join("link/manifest.json")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(root.join(".real.xxgk/snapshots/000001/manifest.json")).unwrap(), "old");
        // Both names now lead to one store.
        assert_eq!(Store::locate(&root.join("link")).unwrap().out, Store::locate(&root.join("real")).unwrap().out);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_kill_while_an_older_dataset_moves_falls_back_to_the_newest_snapshot() {
        let root = temp("relink");
        let store = Store::locate(&root.join("out")).unwrap();
        stage(&store, "1");
        std::fs::remove_file(root.join("out")).unwrap();
        // A link removed by hand: a fresh start.
        assert_eq!(store.current().unwrap(), None);
        std::fs::write(root.join(".out.xxgk").join(MOVING_MARKER), "").unwrap();
        assert!(store.current().unwrap().is_some());
        assert_eq!(std::fs::read_to_string(root.join("out/manifest.json")).unwrap(), "1");
        assert!(!root.join(".out.xxgk").join(MOVING_MARKER).exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
