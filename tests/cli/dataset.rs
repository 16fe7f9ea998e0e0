//! A written dataset read back as typed rows, one `Vec` per table, so a
//! test states what it expects of rows, not of Arrow arrays. The shared
//! corpus is ingested once per test run ([`corpus`]) and read by every test
//! over it.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arrow_array::{Array, BooleanArray, Float64Array, Int32Array, ListArray, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// Every table of a dataset, as rows. `file` is the source file's name.
#[derive(Debug, Default)]
pub struct TestDataset {
    pub dir: PathBuf,
    pub cells: Vec<Cell>,
    pub reports: Vec<Report>,
    pub checks: Vec<Check>,
    pub rejects: Vec<Reject>,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub file: String,
    pub table: String,
    pub row: String,
    pub col: String,
    pub value: Option<f64>,
    pub status: String,
    pub raw: Option<String>,
    pub line: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub file: String,
    pub id: String,
    pub status: String,
    pub year: Option<i16>,
    pub agency: Option<String>,
    pub division_code: Option<String>,
    pub warnings: Vec<String>,
    pub warning_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub file: String,
    pub check: String,
    pub row: Option<String>,
    pub col: Option<String>,
    pub lhs: Option<f64>,
    pub rhs: Option<f64>,
    pub status: String,
    pub soft: bool,
}

#[derive(Debug, Clone)]
pub struct Reject {
    pub file: String,
    pub code: String,
    pub reason: String,
}

impl TestDataset {
    /// Reads the dataset written at `dir`.
    pub fn read(dir: &Path) -> TestDataset {
        let mut dataset = TestDataset { dir: dir.to_path_buf(), ..TestDataset::default() };
        for (year, batch) in read_table(dir, "reports") {
            let (ids, paths, status) =
                (strings(&batch, "report_id"), strings(&batch, "source_path"), strings(&batch, "parse_status"));
            for i in 0..batch.num_rows() {
                dataset.reports.push(Report {
                    file: file_name(paths.value(i)),
                    id: ids.value(i).to_string(),
                    status: status.value(i).to_string(),
                    year,
                    agency: opt(strings(&batch, "agency"), i),
                    division_code: opt(strings(&batch, "division_code"), i),
                    warnings: texts(&batch, "warnings", i),
                    warning_codes: texts(&batch, "warning_codes", i),
                });
            }
        }
        let files: HashMap<String, String> = dataset.reports.iter().map(|r| (r.id.clone(), r.file.clone())).collect();
        let file_of = |id: &str| files[id].clone();
        let mut cells = Vec::new();
        for (_, batch) in read_table(dir, "cells") {
            let ids = strings(&batch, "report_id");
            let (values, lines) = (floats(&batch, "value"), ints(&batch, "source_line"));
            for i in 0..batch.num_rows() {
                cells.push(Cell {
                    file: file_of(ids.value(i)),
                    table: strings(&batch, "table").value(i).to_string(),
                    row: strings(&batch, "row").value(i).to_string(),
                    col: strings(&batch, "col").value(i).to_string(),
                    value: values.is_valid(i).then(|| values.value(i)),
                    status: strings(&batch, "status").value(i).to_string(),
                    raw: opt(strings(&batch, "raw"), i),
                    line: lines.is_valid(i).then(|| lines.value(i)),
                });
            }
        }
        let mut checks = Vec::new();
        for (_, batch) in read_table(dir, "checks") {
            let (lhs, rhs) = (floats(&batch, "lhs"), floats(&batch, "rhs"));
            let soft = batch.column_by_name("soft").unwrap().as_any().downcast_ref::<BooleanArray>().unwrap();
            for i in 0..batch.num_rows() {
                checks.push(Check {
                    file: file_of(strings(&batch, "report_id").value(i)),
                    check: strings(&batch, "check").value(i).to_string(),
                    row: opt(strings(&batch, "row"), i),
                    col: opt(strings(&batch, "col"), i),
                    lhs: lhs.is_valid(i).then(|| lhs.value(i)),
                    rhs: rhs.is_valid(i).then(|| rhs.value(i)),
                    status: strings(&batch, "status").value(i).to_string(),
                    soft: soft.value(i),
                });
            }
        }
        for (_, batch) in read_table(dir, "rejects") {
            let paths = strings(&batch, "source_path");
            for i in 0..batch.num_rows() {
                dataset.rejects.push(Reject {
                    file: file_name(paths.value(i)),
                    code: strings(&batch, "code").value(i).to_string(),
                    reason: strings(&batch, "reason").value(i).to_string(),
                });
            }
        }
        dataset.cells = cells;
        dataset.checks = checks;
        dataset
    }
}

/// The shared corpus (`seeds/` and `real/`) as one run wrote it.
pub struct Corpus {
    /// Where the corpus is (`../shared/corpus`).
    pub dir: PathBuf,
    pub dataset: TestDataset,
    /// What the run wrote to standard error.
    pub stderr: String,
}

/// The shared corpus, ingested once for every test that reads it; `None`
/// when `../shared/corpus` is absent (those tests are marked ignored then).
/// Its dataset folder stays for tests that run commands on it, under the
/// temp dir; tests of other runs never share it (the name has the pid).
pub fn corpus() -> Option<&'static Corpus> {
    static CORPUS: OnceLock<Option<Corpus>> = OnceLock::new();
    CORPUS
        .get_or_init(|| {
            let dir = crate::shared_corpus("the shared corpus")?;
            let out = std::env::temp_dir().join(format!("xxgk-test-{}-corpus", std::process::id()));
            let _ = std::fs::remove_dir_all(&out);
            let output = crate::ingest(&[&dir.join("seeds"), &dir.join("real")], &out);
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            Some(Corpus { dataset: TestDataset::read(&out), dir, stderr })
        })
        .as_ref()
}

impl Corpus {
    /// The names of the files in the corpus folder `sub` (`seeds`, `real`).
    pub fn files(&self, sub: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// All batches of one output table, each with its partition's year.
pub fn read_table(out: &Path, table: &str) -> Vec<(Option<i16>, RecordBatch)> {
    let mut batches = Vec::new();
    let mut files = Vec::new();
    collect_parquet(&out.join(table), &mut files);
    files.sort();
    for path in files {
        let year = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("year="))
            .and_then(|y| y.parse().ok());
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap().build().unwrap();
        for batch in reader {
            batches.push((year, batch.unwrap()));
        }
    }
    batches
}

fn collect_parquet(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_parquet(&path, files);
        } else if path.extension().is_some_and(|e| e == "parquet") {
            files.push(path);
        }
    }
}

pub fn strings<'a>(batch: &'a RecordBatch, name: &str) -> &'a StringArray {
    batch.column_by_name(name).unwrap().as_any().downcast_ref::<StringArray>().unwrap()
}

fn floats<'a>(batch: &'a RecordBatch, name: &str) -> &'a Float64Array {
    batch.column_by_name(name).unwrap().as_any().downcast_ref::<Float64Array>().unwrap()
}

fn ints<'a>(batch: &'a RecordBatch, name: &str) -> &'a Int32Array {
    batch.column_by_name(name).unwrap().as_any().downcast_ref::<Int32Array>().unwrap()
}

/// Row `i` of a list-of-text column.
fn texts(batch: &RecordBatch, name: &str, i: usize) -> Vec<String> {
    let lists = batch.column_by_name(name).unwrap().as_any().downcast_ref::<ListArray>().unwrap();
    let list = lists.value(i);
    let list = list.as_any().downcast_ref::<StringArray>().unwrap();
    (0..list.len()).map(|j| list.value(j).to_string()).collect()
}

pub fn opt(array: &StringArray, i: usize) -> Option<String> {
    array.is_valid(i).then(|| array.value(i).to_string())
}

/// The file name of a source path.
pub fn file_name(path: &str) -> String {
    Path::new(path).file_name().unwrap().to_string_lossy().into_owned()
}
