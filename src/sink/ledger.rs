//! The ledger of a run that adds to a dataset: from the previous inventory
//! and the files this run takes in, which rows to write, which earlier rows
//! leave, and which stay under another path. No files: the sink asks, and
//! writes.

use std::collections::{HashMap, HashSet};

use super::carry::Dropped;
use super::inventory::{id_key, Entry, Inventory, Version};

/// The partition folder name of a report year.
pub type Partition = String;

pub struct Ledger<'p> {
    previous: Option<&'p Inventory>,
    /// Reports whose rows the new dataset holds, by id: the previous
    /// dataset's, less those given up, and those this run wrote. A report
    /// read again is written only when it is not held.
    held: HashSet<u128>,
    /// Paths of the previous inventory this run read again.
    reread: HashSet<String>,
    /// Paths of the previous inventory listed again unread, with a new
    /// stamp: their rows stay as they are.
    renewed: HashSet<String>,
    /// Reports whose earlier rows were given up because the path that gave
    /// them was read again, and those of them this run wrote anew.
    released: HashSet<u128>,
    rewritten: HashSet<u128>,
    /// Reports the new inventory lists.
    listed: HashSet<u128>,
    /// The first path (in order) of each report this run read.
    first_read_path: HashMap<String, String>,
}

/// What the dataset knew of a path this run read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Earlier {
    /// Nothing: a new input.
    None,
    /// A version it read: this one replaces it.
    Replaced,
    /// That it could not be read (no size or time): tried again.
    Retried,
}

impl<'p> Ledger<'p> {
    pub fn new(previous: Option<&'p Inventory>) -> Ledger<'p> {
        let held = previous
            .iter()
            .flat_map(|p| p.entries())
            .filter(|e| e.is_report())
            .filter_map(|e| e.report_id.as_deref().and_then(id_key))
            .collect();
        Ledger {
            previous,
            held,
            reread: HashSet::new(),
            renewed: HashSet::new(),
            released: HashSet::new(),
            rewritten: HashSet::new(),
            listed: HashSet::new(),
            first_read_path: HashMap::new(),
        }
    }

    /// A file this run read (a report or a reject), before it is listed.
    pub fn read(&mut self, entry: &Entry) -> Earlier {
        if let Some(id) = entry.report_id.as_ref().filter(|_| entry.is_report()) {
            let path = self.first_read_path.entry(id.clone()).or_insert_with(|| entry.path.clone());
            if entry.path < *path {
                path.clone_from(&entry.path);
            }
        }
        let Some(earlier) = self.previous.and_then(|p| p.get(&entry.path)) else {
            return Earlier::None;
        };
        self.reread.insert(entry.path.clone());
        // Its earlier rows are given up; the same bytes read again (their
        // metadata changed) are written again.
        if let Some(id) = earlier.report_id.as_deref().and_then(id_key).filter(|_| earlier.is_report()) {
            self.held.remove(&id);
            self.released.insert(id);
        }
        if earlier.size.is_none() && !earlier.is_report() {
            Earlier::Retried
        } else {
            Earlier::Replaced
        }
    }

    /// Whether the rows of a report this run read are to be written: not
    /// when the dataset holds its bytes already.
    pub fn writes(&mut self, report_id: &str) -> bool {
        let Some(id) = id_key(report_id) else {
            return true;
        };
        if !self.held.insert(id) {
            return false;
        }
        if self.released.contains(&id) {
            self.rewritten.insert(id);
        }
        true
    }

    /// A file the dataset holds as it is: its entry to list again when
    /// only its stamp changed, else `None` (the previous entry stays).
    pub fn unchanged(&mut self, path: &str, version: &Version) -> Option<Entry> {
        let entry = self.previous?.get(path)?;
        if entry.has_version(version) {
            return None;
        }
        let mut renewed = entry.clone();
        renewed.set_version(version);
        self.renewed.insert(path.to_string());
        Some(renewed)
    }

    /// Notes an entry of the new inventory; true when it is the first to
    /// list its report (whose rows then count once).
    pub fn list(&mut self, entry: &Entry) -> bool {
        entry.is_report() && entry.report_id.as_deref().and_then(id_key).is_none_or(|id| self.listed.insert(id))
    }

    /// The previous entries the new inventory keeps (list each, then ask
    /// [`Ledger::dropped`]): all that this run did not list again, less the
    /// rejects of files that no longer exist, whose cause is gone.
    pub fn kept(&self, exists: impl Fn(&str) -> bool) -> Vec<&'p Entry> {
        let Some(previous) = self.previous else {
            return Vec::new();
        };
        previous
            .entries()
            .filter(|e| !self.reread.contains(&e.path) && !self.renewed.contains(&e.path))
            .filter(|e| e.is_report() || exists(&e.path))
            .collect()
    }

    /// The earlier rows that leave: those of a path read again, unless
    /// another path still lists their bytes (then they stay, and name the
    /// first such path, as a full run's would) or this run wrote them anew;
    /// and the rejects of paths read again or gone.
    pub fn dropped(&self, exists: impl Fn(&str) -> bool, partition: impl Fn(Option<i16>) -> Partition) -> Dropped {
        let mut dropped = Dropped::default();
        let Some(previous) = self.previous else {
            return dropped;
        };
        let mut orphaned: HashMap<&str, Partition> = HashMap::new();
        for entry in previous.entries() {
            let reread = self.reread.contains(&entry.path);
            if !entry.is_report() {
                if reread || (!self.renewed.contains(&entry.path) && !exists(&entry.path)) {
                    dropped.reject_paths.insert(entry.path.clone());
                }
                continue;
            }
            let Some((id, key)) = entry.report_id.as_deref().and_then(|id| Some((id, id_key(id)?))) else {
                continue;
            };
            if !reread {
                continue;
            }
            if !self.listed.contains(&key) || self.rewritten.contains(&key) {
                dropped.report_ids.insert(id.to_string());
                dropped.partitions.insert(partition(entry.year));
            } else {
                orphaned.insert(id, partition(entry.year));
            }
        }
        if orphaned.is_empty() {
            return dropped;
        }
        let mut first: HashMap<&str, &str> = HashMap::new();
        let kept = previous.entries().filter(|e| e.is_report() && !self.reread.contains(&e.path));
        let listing = kept.filter_map(|e| Some((e.report_id.as_deref()?, e.path.as_str())));
        let read = self.first_read_path.iter().map(|(id, path)| (id.as_str(), path.as_str()));
        for (id, path) in listing.chain(read).filter(|(id, _)| orphaned.contains_key(id)) {
            let slot = first.entry(id).or_insert(path);
            *slot = (*slot).min(path);
        }
        for (id, path) in first {
            dropped.partitions.insert(orphaned[id].clone());
            dropped.repointed.insert(id.to_string(), path.to_string());
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::inventory::{Outcome, Stamp};

    fn entry(path: &str, id: Option<u8>, outcome: Outcome) -> Entry {
        Entry {
            path: path.to_string(),
            size: Some(1),
            modified_ns: Some(1),
            hints: None,
            report_id: id.map(|i| format!("{i:032x}")),
            outcome,
            year: Some(2020),
            cells: 0,
            cells_ok: 0,
            sections: 0,
            checks_failed: 0,
            run: 0,
        }
    }

    fn report(path: &str, id: u8) -> Entry {
        entry(path, Some(id), Outcome::Ok)
    }

    fn id(i: u8) -> String {
        format!("{i:032x}")
    }

    /// Runs the ledger over what a run read, in order, as the sink does;
    /// returns which reports it wrote and what leaves.
    fn run(previous: &Inventory, read: &[Entry], gone: &[&str]) -> (Vec<String>, Dropped) {
        let mut ledger = Ledger::new(Some(previous));
        let mut written = Vec::new();
        for entry in read {
            ledger.read(entry);
            if entry.is_report() && ledger.writes(entry.report_id.as_deref().unwrap()) {
                written.push(entry.report_id.clone().unwrap());
            }
            ledger.list(entry);
        }
        let exists = |path: &str| !gone.contains(&path);
        for entry in ledger.kept(exists) {
            ledger.list(entry);
        }
        (written, ledger.dropped(exists, |year| format!("year={}", year.unwrap())))
    }

    #[test]
    fn a_changed_file_replaces_its_rows_and_a_copy_adds_none() {
        let previous = Inventory::from_entries(vec![report("a", 1), report("b", 2)]);
        let (written, dropped) = run(&previous, &[report("a", 3), report("c", 2)], &[]);
        assert_eq!(written, [id(3)], "c has b's bytes: listed, not written");
        assert_eq!(dropped.report_ids, HashSet::from([id(1)]));
        assert_eq!(dropped.partitions, HashSet::from(["year=2020".to_string()]));
        assert!(dropped.repointed.is_empty() && dropped.reject_paths.is_empty());
    }

    #[test]
    fn files_that_trade_bytes_keep_their_rows_under_the_first_path() {
        let previous = Inventory::from_entries(vec![report("a", 1), report("b", 2)]);
        let (written, dropped) = run(&previous, &[report("a", 2), report("b", 1)], &[]);
        // a now has b's bytes (held: not written); b has a's, given up with a: written again.
        assert_eq!(written, [id(1)]);
        assert_eq!(dropped.report_ids, HashSet::from([id(1)]));
        assert_eq!(dropped.repointed, HashMap::from([(id(2), "a".to_string())]));
    }

    #[test]
    fn the_same_bytes_read_again_are_written_again() {
        let previous = Inventory::from_entries(vec![report("a", 1)]);
        let (written, dropped) = run(&previous, &[report("a", 1)], &[]);
        assert_eq!(written, [id(1)]);
        assert_eq!(dropped.report_ids, HashSet::from([id(1)]));
    }

    #[test]
    fn rejects_leave_when_read_again_or_gone() {
        let previous = Inventory::from_entries(vec![
            entry("x", None, Outcome::Reject),
            entry("gone", Some(9), Outcome::Reject),
            entry("kept", Some(8), Outcome::Reject),
        ]);
        let mut ledger = Ledger::new(Some(&previous));
        let mut unread = entry("x", None, Outcome::Reject);
        unread.size = None;
        assert_eq!(ledger.read(&unread), Earlier::Replaced);
        let kept: Vec<&str> = ledger.kept(|p| p != "gone").iter().map(|e| e.path.as_str()).collect();
        assert_eq!(kept, ["kept"]);
        let dropped = ledger.dropped(|p| p != "gone", |_| String::new());
        assert_eq!(dropped.reject_paths, HashSet::from(["x".to_string(), "gone".to_string()]));
    }

    #[test]
    fn a_file_unread_before_is_retried_and_a_new_stamp_renews_an_entry() {
        let mut unread = entry("x", None, Outcome::Reject);
        unread.size = None;
        let previous = Inventory::from_entries(vec![unread.clone(), entry("r", Some(5), Outcome::Reject)]);
        let mut ledger = Ledger::new(Some(&previous));
        assert_eq!(ledger.read(&unread), Earlier::Retried);
        let stamp = Version { stamp: Some(Stamp { size: 1, modified_ns: 2 }), hints: None };
        let renewed = ledger.unchanged("r", &stamp).unwrap();
        assert_eq!(renewed.modified_ns, Some(2));
        assert!(ledger
            .unchanged("r", &Version { stamp: Some(Stamp { size: 1, modified_ns: 1 }), hints: None })
            .is_none());
        assert!(ledger.kept(|_| true).is_empty());
        // The renewed reject keeps its row.
        assert_eq!(ledger.dropped(|_| true, |_| String::new()).reject_paths, HashSet::from(["x".to_string()]));
    }
}
