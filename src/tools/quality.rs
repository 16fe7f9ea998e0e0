//! Quality: reads a dataset back and summarises it for a person: reports by
//! status, the checks that fail most, the claims of the prose the tables
//! contradict, the worst files. Reads only.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use arrow_array::{Array, BooleanArray, Float64Array, Int32Array, ListArray, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::template::claims;

/// How many checks and files the summary lists.
const TOP: usize = 10;

/// A report row, as the summary needs it.
struct ReportRow {
    id: String,
    path: String,
    status: String,
    checks_failed: i32,
    cells: i32,
    cells_ok: i32,
    /// The code of each warning (`reports.warning_codes`).
    warning_codes: Vec<String>,
}

/// Prints the summary of the dataset in `data`.
pub fn summarise(data: &Path) -> Result<String> {
    if !data.join("manifest.json").exists() {
        anyhow::bail!("{} is not an xxgk dataset (no manifest.json)", data.display());
    }
    crate::sink::verify(data, false)?;
    let reports = read_reports(data)?;
    let mut rejects: HashMap<String, usize> = HashMap::new();
    for part in batches(data, "rejects")? {
        let codes = part.column::<StringArray>("code")?;
        for i in 0..part.batch.num_rows() {
            *rejects.entry(codes.value(i).to_string()).or_default() += 1;
        }
    }
    let mut out = String::new();
    let count = |s: &str| reports.iter().filter(|r| r.status == s).count();
    let rejected: usize = rejects.values().sum();
    writeln!(out, "reports: {} ok, {} partial; {rejected} files rejected", count("ok"), count("partial"))?;
    if !rejects.is_empty() {
        let mut rejects: Vec<_> = rejects.into_iter().collect();
        rejects.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        writeln!(out, "\nrejects by code (codebook.md, Reject codes):")?;
        writeln!(out, "  {:<28} {:>10}", "code", "files")?;
        for (code, files) in &rejects {
            writeln!(out, "  {code:<28} {files:>10}")?;
        }
    }

    // Warnings and the reports they fall in, per code.
    let mut warned: HashMap<&str, (usize, usize)> = HashMap::new();
    for report in &reports {
        let mut seen = HashSet::new();
        for code in &report.warning_codes {
            let entry = warned.entry(code.as_str()).or_default();
            entry.0 += 1;
            entry.1 += usize::from(seen.insert(code.as_str()));
        }
    }
    let mut warned: Vec<_> = warned.into_iter().collect();
    warned.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    writeln!(out, "\nwarnings by code (codebook.md, Warning codes):")?;
    if warned.is_empty() {
        writeln!(out, "  none")?;
    } else {
        writeln!(out, "  {:<28} {:>10} {:>8}", "code", "warnings", "reports")?;
    }
    for (code, (count, reports)) in &warned {
        writeln!(out, "  {code:<28} {count:>10} {reports:>8}")?;
    }

    // Failed rows and the reports they fall in, per check; and the claims
    // of the prose that the tables contradict: (report, check, prose, table).
    let mut failed: HashMap<String, (usize, HashSet<String>)> = HashMap::new();
    let mut disagree: Vec<(String, String, Option<f64>, Option<f64>)> = Vec::new();
    let mut narrative_checked = 0;
    for part in batches(data, "checks")? {
        let (ids, checks, status) = (
            part.column::<StringArray>("report_id")?,
            part.column::<StringArray>("check")?,
            part.column::<StringArray>("status")?,
        );
        let soft = part.column::<BooleanArray>("soft")?;
        let (lhs, rhs) = (part.column::<Float64Array>("lhs")?, part.column::<Float64Array>("rhs")?);
        let value = |column: &Float64Array, i: usize| column.is_valid(i).then(|| column.value(i));
        for i in (0..part.batch.num_rows()).filter(|&i| checks.value(i).starts_with(claims::CHECK_PREFIX)) {
            narrative_checked += usize::from(status.value(i) != "skipped");
            if status.value(i) == "fail" {
                disagree.push((ids.value(i).to_string(), checks.value(i).to_string(), value(lhs, i), value(rhs, i)));
            }
        }
        for i in (0..part.batch.num_rows()).filter(|&i| status.value(i) == "fail") {
            let name = format!("{}{}", checks.value(i), if soft.value(i) { " (soft)" } else { "" });
            let entry = failed.entry(name).or_default();
            entry.0 += 1;
            entry.1.insert(ids.value(i).to_string());
        }
    }
    let mut failed: Vec<_> = failed.into_iter().collect();
    failed.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    writeln!(out, "\nmost failed checks:")?;
    if failed.is_empty() {
        writeln!(out, "  none")?;
    } else {
        writeln!(out, "  {:<28} {:>10} {:>8}", "check", "rows", "reports")?;
    }
    for (name, (rows, ids)) in failed.iter().take(TOP) {
        writeln!(out, "  {name:<28} {rows:>10} {:>8}", ids.len())?;
    }

    let reports_disagreeing: HashSet<&str> = disagree.iter().map(|d| d.0.as_str()).collect();
    writeln!(
        out,
        "\nprose against tables: {} of {narrative_checked} claims checked disagree, in {} reports",
        disagree.len(),
        reports_disagreeing.len()
    )?;
    if !disagree.is_empty() {
        writeln!(out, "  {:<40} {:>10} {:>10}  file", "check", "prose", "table")?;
    }
    let path_of: HashMap<&str, &str> = reports.iter().map(|r| (r.id.as_str(), r.path.as_str())).collect();
    disagree.sort_by(|a, b| path_of.get(a.0.as_str()).cmp(&path_of.get(b.0.as_str())).then(a.1.cmp(&b.1)));
    let number = |v: Option<f64>| v.map_or("-".to_string(), |v| v.to_string());
    for (id, check, prose, table) in disagree.iter().take(TOP) {
        let path = path_of.get(id.as_str()).copied().unwrap_or(id.as_str());
        writeln!(out, "  {check:<40} {:>10} {:>10}  {path}", number(*prose), number(*table))?;
    }

    let mut worst: Vec<&ReportRow> =
        reports.iter().filter(|r| r.status != "ok" || !r.warning_codes.is_empty()).collect();
    worst.sort_by(|a, b| {
        let rank = |r: &ReportRow| (r.checks_failed, r.cells - r.cells_ok, r.warning_codes.len());
        rank(b).cmp(&rank(a))
    });
    writeln!(out, "\nworst files:")?;
    if worst.is_empty() {
        writeln!(out, "  none")?;
    } else {
        writeln!(out, "  {:<8} {:>13} {:>12} {:>9}  file", "status", "checks failed", "cells not ok", "warnings")?;
    }
    for r in worst.iter().take(TOP) {
        writeln!(
            out,
            "  {:<8} {:>13} {:>12} {:>9}  {}",
            r.status,
            r.checks_failed,
            r.cells - r.cells_ok,
            r.warning_codes.len(),
            r.path
        )?;
    }
    Ok(out)
}

fn read_reports(data: &Path) -> Result<Vec<ReportRow>> {
    let mut rows = Vec::new();
    for part in batches(data, "reports")? {
        let (ids, paths, status) = (
            part.column::<StringArray>("report_id")?,
            part.column::<StringArray>("source_path")?,
            part.column::<StringArray>("parse_status")?,
        );
        let failed = part.column::<Int32Array>("checks_failed")?;
        let (cells, cells_ok) = (part.column::<Int32Array>("cells")?, part.column::<Int32Array>("cells_ok")?);
        let codes = part.column::<ListArray>("warning_codes")?;
        for i in 0..part.batch.num_rows() {
            rows.push(ReportRow {
                id: ids.value(i).to_string(),
                path: paths.value(i).to_string(),
                status: status.value(i).to_string(),
                checks_failed: if failed.is_valid(i) { failed.value(i) } else { 0 },
                cells: cells.value(i),
                cells_ok: cells_ok.value(i),
                warning_codes: {
                    let list = codes.value(i);
                    let list = list.as_any().downcast_ref::<StringArray>().context("warning_codes holds no text")?;
                    (0..list.len()).map(|j| list.value(j).to_string()).collect()
                },
            });
        }
    }
    Ok(rows)
}

/// A record batch and the file it was read from, which errors name.
struct Part {
    path: PathBuf,
    batch: RecordBatch,
}

impl Part {
    /// The column `name`, of type `T`.
    fn column<T: Array + 'static>(&self, name: &str) -> Result<&T> {
        let path = self.path.display();
        let column = self.batch.column_by_name(name).with_context(|| format!("{path}: no column {name}"))?;
        column
            .as_any()
            .downcast_ref::<T>()
            .with_context(|| format!("{path}: column {name} is {}, not the type xxgk writes", column.data_type()))
    }
}

/// Every record batch of one output table, across its partitions.
fn batches(data: &Path, table: &str) -> Result<Vec<Part>> {
    let mut files = Vec::new();
    let dir = data.join(table);
    if dir.exists() {
        collect_parquet(&dir, &mut files)?;
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let file = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .with_context(|| format!("cannot read {}", path.display()))?;
        for batch in reader {
            let batch = batch.with_context(|| format!("cannot read {}", path.display()))?;
            out.push(Part { path: path.clone(), batch });
        }
    }
    Ok(out)
}

fn collect_parquet(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_parquet(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "parquet") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_column_of_another_type_is_named_with_its_file() {
        let dir = std::env::temp_dir().join(format!("xxgk-quality-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("reports/year=2023")).unwrap();
        let path = dir.join("reports/year=2023/part-00000.parquet");
        let batch = RecordBatch::try_from_iter([("cells", Arc::new(StringArray::from(vec!["12"])) as _)]).unwrap();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let parts = batches(&dir, "reports").unwrap();
        let wrong = parts[0].column::<Int32Array>("cells").unwrap_err().to_string();
        let missing = parts[0].column::<StringArray>("report_id").unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(wrong, format!("{}: column cells is Utf8, not the type xxgk writes", path.display()));
        assert_eq!(missing, format!("{}: no column report_id", path.display()));
    }
}
