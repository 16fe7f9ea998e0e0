//! End-to-end tests: run the real `xxgk` binary on fixture folders in a temp
//! dir and read the Parquet dataset back. One test binary; `validation`,
//! `hostile` and `incremental` hold the tests of checks, of bad input and of
//! runs that add to a dataset.
//!
//! Tests over `../shared/corpus` are marked ignored when it is absent (a
//! lone clone; `build.rs` sets `xxgk_corpus` when it is there); `.ci/run`
//! sets `XXGK_REQUIRE_CORPUS=1`, which turns a missing corpus into a failure.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::Array;
use arrow_schema::DataType;
use dataset::{file_name, read_table, strings, Cell, TestDataset};

mod crash;
mod crawler_text;
mod dataset;
mod fixtures;
mod forge;
mod hostile;
mod incremental;
mod layout;
mod metadata;
mod narrative;
mod nightly;
mod snapshots;
mod summary;
mod validation;

/// A scratch folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("xxgk-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // XXGK_KEEP_TEST_DIRS=1 keeps them for a look after a failure.
        if std::env::var_os("XXGK_KEEP_TEST_DIRS").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn xxgk(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_xxgk")).current_dir(repo()).args(args).output().expect("run xxgk");
    output
}

/// `xxgk ingest`, adding `inputs` to the dataset at `out`; asserts success.
fn ingest(inputs: &[&Path], out: &Path) -> Output {
    ingest_with(&[], inputs, out)
}

/// `xxgk ingest --full`: the dataset at `out` rebuilt from `inputs` alone.
fn ingest_full(inputs: &[&Path], out: &Path) -> Output {
    ingest_with(&["--full"], inputs, out)
}

fn ingest_with(flags: &[&str], inputs: &[&Path], out: &Path) -> Output {
    let mut args: Vec<String> = vec!["ingest".into(), "--quiet".into(), "--out".into(), out.display().to_string()];
    args.extend(flags.iter().map(|f| f.to_string()));
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = xxgk(&args);
    assert!(output.status.success(), "xxgk failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// `../shared/corpus/<sub>`, or `None` (with a SKIPPED note) when absent.
fn shared_corpus(test: &str) -> Option<PathBuf> {
    let dir = repo().join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("XXGK_REQUIRE_CORPUS").is_ok_and(|v| v == "1") {
        panic!("{test}: ../shared/corpus is missing and XXGK_REQUIRE_CORPUS=1");
    }
    eprintln!("SKIPPED {test}: ../shared/corpus not found beside the repository");
    None
}

/// Report id → source file name.
fn file_names(out: &Path) -> HashMap<String, String> {
    TestDataset::read(out).reports.into_iter().map(|r| (r.id, r.file)).collect()
}

/// Cells keyed by (source file name, table, row, col).
fn cells_by_file(out: &Path) -> HashMap<(String, String, String, String), Cell> {
    let mut cells = HashMap::new();
    for cell in TestDataset::read(out).cells {
        let key = (cell.file.clone(), cell.table.clone(), cell.row.clone(), cell.col.clone());
        assert!(cells.insert(key.clone(), cell).is_none(), "cell written twice: {key:?}");
    }
    cells
}

/// Checks every expected cell (`file,table,row,col,value` with value a
/// number, `BLANK`, `DASH` or `MISSING`, and optionally `status`, which a
/// number's cell must have: `ok` when not given); returns how many were
/// checked.
fn assert_expected(dataset: &TestDataset, expected_csv: &Path, keep: impl Fn(&str) -> bool) -> usize {
    let cells: HashMap<_, _> =
        dataset.cells.iter().map(|c| ((c.file.clone(), c.table.clone(), c.row.clone(), c.col.clone()), c)).collect();
    let mut reader = csv::Reader::from_path(expected_csv).unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for record in reader.records() {
        let r = record.unwrap();
        if !keep(&r[0]) {
            continue;
        }
        checked += 1;
        let key = (r[0].to_string(), r[1].to_string(), r[2].to_string(), r[3].to_string());
        let got = cells.get(&key);
        let ok = match (&r[4], got) {
            (_, None) => false,
            ("BLANK", Some(c)) => c.status == "blank" && c.value.is_none(),
            ("DASH", Some(c)) => c.status == "dash" && c.value.is_none(),
            ("MISSING", Some(c)) => c.status == "missing" && c.value.is_none() && c.raw.is_none(),
            (v, Some(c)) => {
                c.status == r.get(5).unwrap_or("ok") && c.value == Some(v.parse::<f64>().unwrap()) && c.line.is_some()
            }
        };
        if !ok {
            wrong.push(format!("{key:?}: expected {}, got {got:?}", &r[4]));
        }
    }
    assert!(wrong.is_empty(), "{} of {checked} cells wrong:\n{}", wrong.len(), wrong[..wrong.len().min(30)].join("\n"));
    checked
}

fn reject_reasons(out: &Path) -> HashMap<String, String> {
    reject_column(out, "reason")
}

/// File name → the stable code of its reject (`rejects.code`).
fn reject_codes(out: &Path) -> HashMap<String, String> {
    reject_column(out, "code")
}

fn reject_column(out: &Path, column: &str) -> HashMap<String, String> {
    let rejects = TestDataset::read(out).rejects;
    let value = |r: &dataset::Reject| if column == "code" { r.code.clone() } else { r.reason.clone() };
    rejects.iter().map(|r| (r.file.clone(), value(r))).collect()
}

/// The `source_path` of every report, sorted.
fn report_paths(out: &Path) -> Vec<String> {
    sorted_column(out, "reports", "source_path")
}

/// Every value of a text column of a table, sorted.
fn sorted_column(out: &Path, table: &str, column: &str) -> Vec<String> {
    let mut values: Vec<String> = read_table(out, table)
        .iter()
        .flat_map(|(_, b)| (0..b.num_rows()).map(|i| strings(b, column).value(i).to_string()).collect::<Vec<_>>())
        .collect();
    values.sort();
    values
}

fn report_files(out: &Path) -> Vec<String> {
    TestDataset::read(out).reports.into_iter().map(|r| r.file).collect()
}

#[test]
fn bundled_samples_match_their_ground_truth() {
    let tmp = TempDir::new("bundled_samples_match_their_ground_truth");
    let out = tmp.path().join("out");
    ingest(&[&repo().join("data/samples")], &out);
    let checked = assert_expected(&TestDataset::read(&out), &repo().join("data/samples/ground-truth.csv"), |_| true);
    // Nine 2021-format reports of 200 cells, seven 2019-format ones of 198.
    assert_eq!(checked, 9 * 200 + 7 * 198);
}

#[test]
fn one_job_writes_what_many_do() {
    // `--jobs 1` writes between parses on one thread; more jobs write behind.
    let tmp = TempDir::new("one_job_writes_what_many_do");
    let (one, many) = (tmp.path().join("one"), tmp.path().join("many"));
    let samples = repo().join("data/samples");
    let output = xxgk(&["ingest", "--quiet", "--jobs", "1", "--out", one.to_str().unwrap(), samples.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    ingest(&[&samples], &many);
    let (one, many) = (TestDataset::read(&one), TestDataset::read(&many));
    let checked = assert_expected(&one, &samples.join("ground-truth.csv"), |_| true);
    assert_eq!(checked, 9 * 200 + 7 * 198);
    // Every table, row for row, in the order written.
    assert_eq!(format!("{:?}", one.reports), format!("{:?}", many.reports));
    assert_eq!(format!("{:?}", one.cells), format!("{:?}", many.cells));
    assert_eq!(one.checks, many.checks);
    assert_eq!(one.reports.len(), 16);
}

#[test]
fn bundled_samples_are_what_synth_writes() {
    let tmp = TempDir::new("bundled_samples_are_what_synth_writes");
    let dir = tmp.path().join("samples");
    let output = xxgk(&["synth", "--n", "16", "--seed", "7", "--out", dir.to_str().unwrap()]);
    assert!(output.status.success());
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names.len(), 17);
    for name in names {
        let fresh = std::fs::read(dir.join(&name)).unwrap();
        let bundled = std::fs::read(repo().join("data/samples").join(&name)).unwrap_or_default();
        assert!(
            fresh == bundled,
            "data/samples/{name:?} differs from `xxgk synth --n 16 --seed 7`; regenerate the samples"
        );
    }
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn seeds_give_every_expected_cell() {
    let Some(corpus) = dataset::corpus() else { return };
    assert_eq!(assert_expected(&corpus.dataset, &corpus.dir.join("expected/seeds-cells.csv"), |_| true), 996);
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn real_html_reports_give_every_labelled_cell() {
    let Some(corpus) = dataset::corpus() else { return };
    let expected = corpus.dir.join("expected/real-labels.csv");
    let checked = assert_expected(&corpus.dataset, &expected, |file| file.ends_with(".html"));
    assert_eq!(checked, 1180);
    let gaj = corpus.dataset.rejects.iter().find(|r| r.file == "pingtan-gaj-2020.html").unwrap();
    assert!(gaj.reason.contains("only an attachment") && gaj.reason.contains(".doc"), "{gaj:?}");
    assert_eq!(gaj.code, "attachment_only");
}

#[test]
#[cfg_attr(not(xxgk_corpus), ignore = "needs ../shared/corpus beside the repository")]
fn every_corpus_file_is_a_report_or_a_reject_once() {
    let Some(corpus) = dataset::corpus() else { return };
    let dataset = &corpus.dataset;
    let mut seen: Vec<&str> = dataset.reports.iter().map(|r| r.file.as_str()).collect();
    seen.extend(dataset.rejects.iter().map(|r| r.file.as_str()));
    seen.sort();
    let mut inputs: Vec<String> = [corpus.files("seeds"), corpus.files("real")]
        .concat()
        .into_iter()
        .filter(|n| [".txt", ".md", ".html", ".pdf", ".docx", ".doc"].iter().any(|x| n.ends_with(x)))
        .collect();
    inputs.sort();
    assert_eq!(seen, inputs);
    assert!(!corpus.stderr.contains("panicked"), "{}", corpus.stderr);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dataset.dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["counts"]["files"].as_u64(), Some(inputs.len() as u64));
    assert_eq!(manifest["schema_version"], "3");
}

#[test]
fn cells_have_the_contract_columns_and_types() {
    let tmp = TempDir::new("cells_have_the_contract_columns_and_types");
    let out = tmp.path().join("out");
    ingest(&[&repo().join("data/samples/000000-html-gov2021.html")], &out);
    let batches = read_table(&out, "cells");
    let schema = batches[0].1.schema();
    let columns: Vec<(&str, &DataType)> = schema.fields().iter().map(|f| (f.name().as_str(), f.data_type())).collect();
    assert_eq!(
        columns,
        [
            ("report_id", &DataType::Utf8),
            ("agency", &DataType::Utf8),
            ("template", &DataType::Utf8),
            ("table", &DataType::Utf8),
            ("row", &DataType::Utf8),
            ("col", &DataType::Utf8),
            ("value", &DataType::Float64),
            ("status", &DataType::Utf8),
            ("raw", &DataType::Utf8),
            ("unit", &DataType::Utf8),
            ("row_label", &DataType::Utf8),
            ("col_label", &DataType::Utf8),
            ("source_line", &DataType::Int32),
            ("source_page", &DataType::Int32),
        ]
    );
    // `year` is the partition folder.
    assert!(batches.iter().all(|(year, _)| year.is_some()));
    let dir: Vec<String> = std::fs::read_dir(out.join("cells"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(dir.iter().all(|d| d.starts_with("year=")), "{dir:?}");
    let row_labels = strings(&batches[0].1, "row_label");
    assert!(
        (0..batches[0].1.num_rows()).any(|i| row_labels.value(i) == "三、本年度办理结果/（三）不予公开/1.属于国家秘密")
    );
}

#[test]
fn bad_files_become_rejects_and_the_batch_goes_on() {
    let tmp = TempDir::new("bad_files_become_rejects_and_the_batch_goes_on");
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("a-empty.txt"), "").unwrap();
    std::fs::write(input.join("b-binary.txt"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    std::fs::write(input.join("c-prose.txt"), "只有一段正文，没有表格。\n").unwrap();
    std::fs::copy(repo().join("data/samples/000002-tab_rows-gov2021.txt"), input.join("d-good.txt")).unwrap();
    let out = tmp.path().join("out");
    ingest(&[&input], &out);
    let reasons = reject_reasons(&out);
    assert_eq!(reasons["a-empty.txt"], "empty file");
    assert!(reasons["b-binary.txt"].starts_with("binary file"), "{reasons:?}");
    assert!(reasons["c-prose.txt"].starts_with("no statistics tables found"), "{reasons:?}");
    let codes = reject_codes(&out);
    assert_eq!(
        (&*codes["a-empty.txt"], &*codes["b-binary.txt"], &*codes["c-prose.txt"]),
        ("empty", "binary", "no_tables")
    );
    assert_eq!(report_files(&out), ["d-good.txt"]);
    assert_eq!(cells_by_file(&out).len(), 200);
}

#[test]
fn a_full_run_replaces_the_dataset_and_clears_an_interrupted_one() {
    let tmp = TempDir::new("a_full_run_replaces_the_dataset_and_clears_an_interrupted_one");
    let out = tmp.path().join("out");
    ingest(&[&repo().join("data/samples")], &out);
    // What a run killed before its commit leaves behind.
    let staging = tmp.path().join(".out.xxgk/staging");
    std::fs::create_dir_all(staging.join("cells/year=1999")).unwrap();
    let one = repo().join("data/samples/000001-cell_lines-gov2021.txt");
    ingest_full(&[&one], &out);
    assert!(!staging.exists());
    assert_eq!(report_files(&out), ["000001-cell_lines-gov2021.txt"]);
    assert_eq!(cells_by_file(&out).len(), 200);
}

#[test]
fn check_config_reports_every_error() {
    let tmp = TempDir::new("check_config_reports_every_error");
    let template = std::fs::read_to_string(repo().join("config/template.toml"))
        .unwrap()
        .replacen("cols = [\"projects\", \"amount\"]", "cols = [\"projects\", \"nope\"]", 1)
        .replace("default = true\n", "");
    std::fs::write(tmp.path().join("template.toml"), template).unwrap();
    let config = std::fs::read_to_string(repo().join("config/xxgk.toml")).unwrap();
    std::fs::write(tmp.path().join("xxgk.toml"), config).unwrap();
    let output = xxgk(&["check-config", "--config", tmp.path().join("xxgk.toml").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("column nope is not defined for gov2019"), "{stderr}");
    assert!(stderr.contains("exactly one [[template]] must have default = true"), "{stderr}");

    let ok = xxgk(&["check-config"]);
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("template gov2021"));
}

#[test]
fn folders_are_walked_in_order_and_filtered_by_extension() {
    let tmp = TempDir::new("folders_are_walked_in_order_and_filtered_by_extension");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(input.join("b")).unwrap();
    let sample = std::fs::read(repo().join("data/samples/000002-tab_rows-gov2021.txt")).unwrap();
    // Different bytes each: files with the same bytes are one report.
    std::fs::write(input.join("b/2.txt"), [&sample[..], b"\n"].concat()).unwrap();
    std::fs::write(input.join("a.TXT"), &sample).unwrap();
    std::fs::write(input.join("c.jpg"), [&sample[..], b"\n\n"].concat()).unwrap();
    std::fs::write(input.join("b/d.JPG"), b"\xff\xd8").unwrap();
    let out = tmp.path().join("out");
    let output = xxgk(&["ingest", "--out", out.to_str().unwrap(), input.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("; skipped (extension not read): 2 .jpg;"), "{stderr}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["skipped_files"], serde_json::json!({".jpg": 2}));
    let mut paths = Vec::new();
    for (_, batch) in read_table(&out, "reports") {
        let p = strings(&batch, "source_path");
        paths.extend((0..batch.num_rows()).map(|i| p.value(i).to_string()));
    }
    let relative: Vec<String> =
        paths.iter().map(|p| Path::new(p).strip_prefix(&input).unwrap().display().to_string()).collect();
    assert_eq!(relative, ["a.TXT", "b/2.txt"]);
}

#[test]
fn a_synthetic_corpus_matches_its_ground_truth() {
    let tmp = TempDir::new("a_synthetic_corpus_matches_its_ground_truth");
    let corpus = tmp.path().join("corpus");
    let output = xxgk(&["synth", "--n", "150", "--seed", "5", "--out", corpus.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let out = tmp.path().join("out");
    ingest(&[&corpus], &out);
    let checked = assert_expected(&TestDataset::read(&out), &corpus.join("ground-truth.csv"), |_| true);
    assert!(checked > 150 * 190, "{checked}");
    // Synthetic agencies are real places: nearly all resolve (a county name
    // shared by several cities stays ambiguous, as it should).
    let mut codes = 0;
    for (_, batch) in read_table(&out, "reports") {
        let code = strings(&batch, "division_code");
        codes += (0..batch.num_rows()).filter(|&i| code.is_valid(i)).count();
    }
    assert!(codes >= 140, "{codes} of 150 reports have a division code");
}
