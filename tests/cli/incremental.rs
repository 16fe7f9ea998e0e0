//! Runs that add to a dataset: unchanged files skipped, changed files
//! replacing their rows, checks across years spanning runs, and the result
//! the same as a full run over the same files.

use std::path::{Path, PathBuf};

use super::*;

/// Every row of every table as text, sorted; the columns that name the run
/// (when, by which build) are left out.
fn dataset_rows(out: &Path) -> Vec<String> {
    let mut rows = Vec::new();
    for table in ["cells", "reports", "checks", "sections", "claims", "rejects"] {
        for (year, batch) in read_table(out, table) {
            let schema = batch.schema();
            let columns: Vec<usize> = (0..batch.num_columns())
                .filter(|&c| !["ingested_at", "parser_version"].contains(&schema.field(c).name().as_str()))
                .collect();
            for i in 0..batch.num_rows() {
                let cells: Vec<String> =
                    columns.iter().map(|&c| format!("{:?}", batch.column(c).slice(i, 1))).collect();
                rows.push(format!("{table} {year:?} {}", cells.join(" ")));
            }
        }
    }
    rows.sort();
    rows
}

/// A scratch folder with an empty input folder and where the dataset goes.
fn scratch(test: &str) -> (TempDir, PathBuf, PathBuf) {
    let tmp = TempDir::new(test);
    let (input, out) = (tmp.path().join("in"), tmp.path().join("out"));
    std::fs::create_dir_all(&input).unwrap();
    (tmp, input, out)
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

fn report_ids(out: &Path) -> Vec<String> {
    let mut ids: Vec<String> = read_table(out, "reports")
        .iter()
        .flat_map(|(_, b)| (0..b.num_rows()).map(|i| strings(b, "report_id").value(i).to_string()).collect::<Vec<_>>())
        .collect();
    ids.sort();
    ids
}

fn carry_over_rows(out: &Path) -> usize {
    read_table(out, "checks")
        .iter()
        .map(|(_, b)| (0..b.num_rows()).filter(|&i| strings(b, "check").value(i) == "requests.carry_over").count())
        .sum()
}

#[test]
fn a_run_adds_what_is_new_and_replaces_what_changed() {
    let (tmp, input, out) = scratch("a_run_adds_what_is_new_and_replaces_what_changed");
    let samples = repo().join("data/samples");
    for name in ["000001-cell_lines-gov2021.txt", "000002-tab_rows-gov2021.txt", "000006-html-gov2019.html"] {
        std::fs::copy(samples.join(name), input.join(name)).unwrap();
    }
    ingest(&[&input], &out);
    assert_eq!(manifest(&out)["run"], 0);
    assert_eq!(carry_over_rows(&out), 0);
    let first_ids = report_ids(&out);

    // The same agency's report of the next year, a changed file, a touched
    // file, a copy, and a file with no tables.
    let first = std::fs::read_to_string(input.join("000001-cell_lines-gov2021.txt")).unwrap();
    let next_year = first.replace("2022年1月20日", "2023年1月20日").replace("2021", "2022");
    std::fs::write(input.join("000001-next-year.txt"), next_year).unwrap();
    let changed = input.join("000002-tab_rows-gov2021.txt");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, text + "\n").unwrap();
    let touched = File::options().write(true).open(input.join("000006-html-gov2019.html")).unwrap();
    touched.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60)).unwrap();
    std::fs::copy(samples.join("000001-cell_lines-gov2021.txt"), input.join("zz-copy.txt")).unwrap();
    std::fs::write(input.join("zz-prose.txt"), "这是一段没有表格的文字。\n").unwrap();
    let output = ingest(&[&input], &out);

    let run = &manifest(&out)["this_run"];
    let count = |key: &str| run[key].as_u64().unwrap();
    assert_eq!(
        [count("files"), count("read"), count("replaced"), count("unchanged"), count("duplicates"), count("rejects")],
        [6, 4, 1, 2, 1, 1],
        "{run}"
    );
    assert_eq!(manifest(&out)["run"], 1);
    let held = &manifest(&out)["counts"];
    assert_eq!(held["reports_ok"].as_u64().unwrap() + held["reports_partial"].as_u64().unwrap(), 4, "{held}");
    assert_eq!((held["files"].as_u64(), held["rejects"].as_u64()), (Some(6), Some(1)), "{held}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("zz-prose.txt: no statistics tables found"), "{stderr}");

    // The changed file's earlier rows are gone from every table.
    let ids = report_ids(&out);
    assert_eq!(ids.len(), 4);
    let gone: Vec<&String> = first_ids.iter().filter(|id| !ids.contains(id)).collect();
    assert_eq!(gone.len(), 1);
    assert!(dataset_rows(&out).iter().all(|row| !row.contains(gone[0].as_str())));
    // The next year's report is checked against the year before, read by the earlier run.
    assert_eq!(carry_over_rows(&out), 7);

    // The same files in one full run give the same dataset.
    let full = tmp.path().join("full");
    ingest_full(&[&input], &full);
    assert_eq!(dataset_rows(&out), dataset_rows(&full));

    // Nothing changed: nothing read, nothing rewritten.
    let before = dataset_rows(&out);
    ingest(&[&input], &out);
    let run = &manifest(&out)["this_run"];
    assert_eq!((run["read"].as_u64(), run["unchanged"].as_u64()), (Some(0), Some(6)), "{run}");
    assert_eq!(dataset_rows(&out), before);

    // --full rebuilds from the files given alone.
    ingest_full(&[&input.join("000006-html-gov2019.html")], &out);
    assert_eq!(report_files(&out), ["000006-html-gov2019.html"]);
}

#[test]
fn a_run_never_replaces_what_it_cannot_add_to() {
    let tmp = TempDir::new("a_run_never_replaces_what_it_cannot_add_to");
    let samples = repo().join("data/samples");
    let sample = samples.join("000001-cell_lines-gov2021.txt");

    // A folder of someone's files is not a dataset, not even with --full.
    let other = tmp.path().join("notes");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("todo.txt"), "keep me").unwrap();
    for full in [false, true] {
        let mut args = vec!["ingest", "--quiet", "--out", other.to_str().unwrap(), sample.to_str().unwrap()];
        if full {
            args.push("--full");
        }
        let output = xxgk(&args);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("is not an xxgk dataset"));
        assert_eq!(std::fs::read_to_string(other.join("todo.txt")).unwrap(), "keep me");
    }

    // A dataset parsed by another build or configuration is not mixed with this one's.
    let out = tmp.path().join("out");
    ingest(&[&sample], &out);
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let fingerprint = manifest(&out)["fingerprint"].as_str().unwrap().to_string();
    std::fs::write(out.join("manifest.json"), text.replace(&fingerprint, "0000000000000000")).unwrap();
    let output = xxgk(&["ingest", "--quiet", "--out", out.to_str().unwrap(), samples.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--full"), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(report_files(&out), ["000001-cell_lines-gov2021.txt"]);
    ingest_full(&[&samples], &out);
    assert_eq!(report_files(&out).len(), 16);

    // Two runs never write one dataset at once.
    let lock = File::create(tmp.path().join(".out.xxgk/lock")).unwrap();
    lock.try_lock().unwrap();
    let output = xxgk(&["ingest", "--quiet", "--out", out.to_str().unwrap(), sample.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(3), "busy: retry later");
    assert!(String::from_utf8_lossy(&output.stderr).contains("another xxgk run is writing"));
    drop(lock);

    // The link removed by hand: the next run starts afresh.
    std::fs::remove_file(&out).unwrap();
    ingest(&[&samples], &out);
    assert_eq!(manifest(&out)["this_run"]["read"], 16);
    assert_eq!(report_files(&out).len(), 16);
}

#[test]
fn a_rejected_file_that_gains_tables_leaves_the_rejects() {
    let (_tmp, input, out) = scratch("a_rejected_file_that_gains_tables_leaves_the_rejects");
    let file = input.join("report.txt");
    std::fs::write(&file, "这是一段没有表格的文字。\n").unwrap();
    ingest(&[&input], &out);
    assert_eq!(reject_reasons(&out).len(), 1);
    assert!(report_files(&out).is_empty());

    std::fs::copy(repo().join("data/samples/000002-tab_rows-gov2021.txt"), &file).unwrap();
    ingest(&[&input], &out);
    assert!(reject_reasons(&out).is_empty(), "{:?}", reject_reasons(&out));
    assert_eq!(report_files(&out), ["report.txt"]);
    let held = &manifest(&out)["counts"];
    assert_eq!(
        (held["files"].as_u64(), held["rejects"].as_u64(), held["reports_ok"].as_u64()),
        (Some(1), Some(0), Some(1))
    );

    // And back: the report's rows go, the reject returns.
    std::fs::write(&file, "又没有表格了。\n").unwrap();
    ingest(&[&input], &out);
    assert!(report_files(&out).is_empty());
    assert!(dataset_rows(&out).iter().all(|row| !row.starts_with("cells")));
    assert_eq!(reject_reasons(&out).len(), 1);
}

#[test]
fn nightly_runs_do_not_pile_up_files() {
    let (tmp, input, out) = scratch("nightly_runs_do_not_pile_up_files");
    let sample = std::fs::read_to_string(repo().join("data/samples/000001-cell_lines-gov2021.txt")).unwrap();
    let partition = out.join("cells/year=2021");
    let files = || std::fs::read_dir(&partition).unwrap().count();
    for night in 0..18 {
        // A new file each night, in the same year: different bytes, same report shape.
        std::fs::write(input.join(format!("night-{night:02}.txt")), format!("{sample}{}", "\n".repeat(night))).unwrap();
        ingest(&[&input], &out);
        assert!(files() <= 17, "night {night}: {} files", files());
    }
    assert_eq!(files(), 2);
    assert_eq!(report_files(&out).len(), 18);
    let full = tmp.path().join("full");
    ingest_full(&[&input], &full);
    assert_eq!(dataset_rows(&out), dataset_rows(&full));
}

#[test]
fn files_that_swap_bytes_name_the_same_paths_as_a_full_run() {
    let (tmp, input, out) = scratch("files_that_swap_bytes_name_the_same_paths_as_a_full_run");
    let samples = repo().join("data/samples");
    let (a, b) = (input.join("a.txt"), input.join("b.txt"));
    std::fs::copy(samples.join("000001-cell_lines-gov2021.txt"), &a).unwrap();
    std::fs::copy(samples.join("000002-tab_rows-gov2021.txt"), &b).unwrap();
    ingest(&[&input], &out);
    let (bytes_a, bytes_b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(&a, &bytes_b).unwrap();
    std::fs::write(&b, &bytes_a).unwrap();
    ingest(&[&input], &out);
    let full = tmp.path().join("full");
    ingest_full(&[&input], &full);
    assert_eq!(dataset_rows(&out), dataset_rows(&full));
    assert_eq!(
        report_paths(&out),
        [a.canonicalize().unwrap().display().to_string(), b.canonicalize().unwrap().display().to_string()]
    );
}

#[test]
fn rejects_follow_their_files() {
    let (_tmp, input, out) = scratch("rejects_follow_their_files");
    let prose = input.join("prose.txt");
    std::fs::write(&prose, "这是一段没有表格的文字。\n").unwrap();
    std::os::unix::fs::symlink(input.join("missing.txt"), input.join("broken.txt")).unwrap();
    ingest(&[&input], &out);
    assert_eq!(reject_reasons(&out).len(), 2);

    // Touched, same bytes: still rejected, its row kept.
    std::fs::File::options().append(true).open(&prose).unwrap().set_modified(std::time::SystemTime::now()).unwrap();
    ingest(&[&input], &out);
    assert_eq!(reject_reasons(&out).len(), 2, "{:?}", reject_reasons(&out));
    // The file that could not be read is tried again each run, and said so.
    assert_eq!(manifest(&out)["this_run"]["retried"], 1);
    assert_eq!(manifest(&out)["this_run"]["replaced"], 0);

    // A rejected file that is gone leaves the rejects.
    std::fs::remove_file(&prose).unwrap();
    ingest(&[&input], &out);
    let reasons = reject_reasons(&out);
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons.keys().all(|path| path.ends_with("broken.txt")), "{reasons:?}");
    assert_eq!(manifest(&out)["counts"]["files"], 1);
}
