//! Runs killed or failing at many points, through `strace` fault injection:
//! SIGKILL at the Nth call of a file-system syscall (in the commit, the
//! carry, the Parquet writers), and ENOSPC or EIO from the disk. After each,
//! the dataset is the previous one or the new one, whole, and a re-run
//! equals a clean run.
//!
//! Needs `strace` and permission to trace; without them the tests print
//! SKIPPED and pass, unless `XXGK_REQUIRE_STRACE=1` (set by `.ci/run`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{read_table, repo, strings, xxgk, TempDir};

fn strace_works(test: &str) -> bool {
    let works = Command::new("strace").args(["-f", "-qq", "-o", "/dev/null", "true"]).output();
    if works.is_ok_and(|o| o.status.success()) {
        return true;
    }
    assert!(std::env::var_os("XXGK_REQUIRE_STRACE").is_none(), "{test}: strace is missing or cannot trace");
    eprintln!("SKIPPED {test}: strace is missing or cannot trace");
    false
}

/// `xxgk ingest` under strace, with `inject` (an strace fault spec).
fn ingest_injected(inject: &str, input: &Path, out: &Path) -> Output {
    Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "-e", &format!("inject={inject}")])
        .arg(env!("CARGO_BIN_EXE_xxgk"))
        .args(["ingest", "--quiet", "--jobs", "2", "--out"])
        .arg(out)
        .arg(input)
        .output()
        .unwrap()
}

fn ingest_ok(input: &Path, out: &Path) {
    let output = xxgk(&["ingest", "--quiet", "--jobs", "2", "--out", out.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// What a dataset holds, as a reader would compare two: each report with
/// its path and cell count, and the rejected paths.
#[derive(Debug, PartialEq, Eq)]
struct Holdings {
    reports: BTreeMap<String, (String, usize)>,
    rejects: Vec<String>,
    inventory_lines: usize,
}

fn holdings(out: &Path) -> Holdings {
    let mut reports = BTreeMap::new();
    for (_, batch) in read_table(out, "reports") {
        for i in 0..batch.num_rows() {
            let id = strings(&batch, "report_id").value(i).to_string();
            let path = strings(&batch, "source_path").value(i).to_string();
            assert!(reports.insert(id.clone(), (path, 0)).is_none(), "report {id} twice");
        }
    }
    for (_, batch) in read_table(out, "cells") {
        for i in 0..batch.num_rows() {
            reports.get_mut(strings(&batch, "report_id").value(i)).expect("cells of a listed report").1 += 1;
        }
    }
    let rejects = crate::sorted_column(out, "rejects", "source_path");
    let inventory = std::fs::read_to_string(out.join("_xxgk/inputs.tsv")).unwrap();
    Holdings { reports, rejects, inventory_lines: inventory.lines().count() - 1 }
}

/// The inputs of the two runs: `in/first` for the first; all of `in`, with
/// one file of the first changed and a file that is no report, for the second.
struct Inputs {
    root: PathBuf,
    changed: PathBuf,
    original: String,
}

impl Inputs {
    fn new(tmp: &Path) -> Inputs {
        let root = tmp.join("in");
        let mut samples: Vec<PathBuf> =
            std::fs::read_dir(repo().join("data/samples")).unwrap().map(|e| e.unwrap().path()).collect();
        samples.sort();
        for (i, sample) in samples.iter().enumerate() {
            let half = root.join(if i % 2 == 0 { "first" } else { "second" });
            std::fs::create_dir_all(&half).unwrap();
            std::fs::copy(sample, half.join(sample.file_name().unwrap())).unwrap();
        }
        std::fs::write(root.join("second/notes.txt"), "没有表格的一段文字。\n").unwrap();
        let changed = root.join("first/000002-tab_rows-gov2021.txt");
        let original = std::fs::read_to_string(&changed).unwrap();
        Inputs { root, changed, original }
    }

    /// A dataset after the first run, and the inputs set for the second.
    fn first_run(&self, out: &Path) {
        std::fs::write(&self.changed, &self.original).unwrap();
        ingest_ok(&self.root.join("first"), out);
        std::fs::write(&self.changed, format!("{}\n附注：数据已更正。\n", self.original)).unwrap();
    }
}

#[test]
fn a_run_killed_anywhere_leaves_a_whole_dataset_and_the_next_run_completes_it() {
    let test = "a_run_killed_anywhere_leaves_a_whole_dataset_and_the_next_run_completes_it";
    if !strace_works(test) {
        return;
    }
    let tmp = TempDir::new(test);
    let inputs = Inputs::new(tmp.path());
    let clean_out = tmp.path().join("clean");
    inputs.first_run(&clean_out);
    let before = holdings(&clean_out);
    ingest_ok(&inputs.root, &clean_out);
    let clean = holdings(&clean_out);
    assert_ne!(before, clean);

    // Syscalls and the call of each to kill at: the commit's renames and
    // link, the carry's hard links, the flushes, folders, files and writes.
    let points: &[(&str, &[u32])] = &[
        ("rename,renameat,renameat2", &[1, 2]),
        ("symlink,symlinkat", &[1]),
        ("link,linkat", &[1, 6, 14]),
        ("fsync,fdatasync", &[1, 20, 50, 80]),
        ("mkdir,mkdirat", &[1, 10, 30, 55]),
        ("openat", &[40, 120, 200, 280]),
        ("getdents64", &[50, 200]),
        ("write,pwrite64", &[1, 8, 20, 30]),
    ];
    let mut missed = Vec::new();
    for (syscalls, calls) in points {
        for when in *calls {
            let out = tmp.path().join(format!("out-{}-{when}", syscalls.split(',').next().unwrap()));
            inputs.first_run(&out);
            let output = ingest_injected(&format!("{syscalls}:signal=KILL:when={when}"), &inputs.root, &out);
            let point = format!("kill at {syscalls} #{when}");
            if output.status.code().is_some() {
                missed.push(point.clone());
            }
            let check = xxgk(&["check", "--data", out.to_str().unwrap()]);
            assert!(check.status.success(), "{point}: {}", String::from_utf8_lossy(&check.stderr));
            let left = holdings(&out);
            assert!(left == before || left == clean, "{point}: the dataset is neither the previous nor the new one");
            ingest_ok(&inputs.root, &out);
            assert_eq!(holdings(&out), clean, "{point}: the re-run differs from a clean run");
            assert!(!tmp.path().join(format!(".{}.xxgk/staging", out.file_name().unwrap().to_str().unwrap())).exists());
        }
    }
    let killed = points.iter().map(|(_, calls)| calls.len()).sum::<usize>() - missed.len();
    assert!(killed >= 20, "only {killed} kill points were reached; not {missed:?}");
}

#[test]
fn a_full_disk_or_a_failing_one_leaves_the_dataset_and_no_staging() {
    let test = "a_full_disk_or_a_failing_one_leaves_the_dataset_and_no_staging";
    if !strace_works(test) {
        return;
    }
    let tmp = TempDir::new(test);
    let inputs = Inputs::new(tmp.path());
    // One failing call each: a standard error that fails too would lose the message.
    let faults = [
        ("write:error=ENOSPC:when=3", "No space left"),
        ("mkdir,mkdirat:error=ENOSPC:when=12", "No space left"),
        ("fsync:error=EIO:when=3", "Input/output error"),
    ];
    for (fault, message) in faults {
        let out = tmp.path().join(format!("out-{}", fault.split([',', ':']).next().unwrap()));
        inputs.first_run(&out);
        let before = holdings(&out);
        let output = ingest_injected(fault, &inputs.root, &out);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{fault}: {:?} {stderr}", output.status);
        assert!(stderr.contains(message), "{fault}: {stderr}");
        assert_eq!(holdings(&out), before, "{fault}");
        let staging = tmp.path().join(format!(".{}.xxgk/staging", out.file_name().unwrap().to_str().unwrap()));
        assert!(!staging.exists(), "{fault}: the failed run left its staging folder");
    }
}
