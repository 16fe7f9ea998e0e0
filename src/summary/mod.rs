//! Summary: aggregates over a dataset for analysts, as CSV. The only module
//! that uses polars: it scans the Parquet tables lazily, joins cells with
//! their reports, groups and sums. Blank and dash cells count as 0; missing
//! and invalid cells are left out of sums and counted in `cells_missing`.
//! A blank 总计 of table 三 beside non-zero applicant columns is not a 0:
//! the checks read it as not reported, and the summaries read it as the sum
//! of those columns, counted in `totals_from_parts`.

mod presets;
mod write;

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use polars::prelude::*;

use crate::template::Catalog;

/// What to summarise, whatever the command line said.
#[derive(Debug, Clone, Default)]
pub struct SummaryOptions {
    pub data: PathBuf,
    pub preset: Option<String>,
    /// Grouping columns, any of [`GROUP_COLUMNS`].
    pub by: Vec<String>,
    pub table: Option<String>,
    /// Globs over row and column codes (`result.withheld.*`).
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    /// One row per report, one column per cell code.
    pub wide: bool,
    /// UTF-8 with a byte-order mark, so Excel reads Chinese text.
    pub excel: bool,
    /// Chinese column headers.
    pub labels_zh: bool,
    pub out: Option<PathBuf>,
}

pub use crate::cli::{GROUP_COLUMNS, PRESETS};

pub fn run(options: &SummaryOptions, catalog: &Catalog) -> Result<()> {
    for by in &options.by {
        if !GROUP_COLUMNS.contains(&by.as_str()) {
            bail!("--by {by}: not a grouping column (one of {})", GROUP_COLUMNS.join(", "));
        }
    }
    if !options.data.join("manifest.json").exists() {
        bail!("{} is not an xxgk dataset (no manifest.json)", options.data.display());
    }
    let frame = match (options.preset.as_deref(), options.wide) {
        (Some(_), true) => bail!("--wide and --preset do not go together"),
        (None, true) => presets::wide(&options.data, catalog, options)?,
        (None, false) => presets::cells(&options.data, catalog, options)?,
        (Some(name), false) => presets::preset(name, &options.data, catalog, options)?,
    };
    let mut frame = anyhow::Context::context(frame.collect(), "summary query failed")?;
    write::csv(&mut frame, catalog, options)
}

/// A lazy scan of one output table, with `year` from the partition folders.
fn scan(data: &Path, table: &str) -> Result<LazyFrame> {
    let pattern = data.join(table).join("**").join("*.parquet");
    let path = PlRefPath::new(pattern.to_string_lossy().as_ref());
    let args = ScanArgsParquet { hive_options: HiveOptions::new_enabled(), ..ScanArgsParquet::default() };
    anyhow::Context::with_context(LazyFrame::scan_parquet(path, args), || {
        format!("cannot scan {}", data.join(table).display())
    })
}

/// Cells with the report-level columns analysts group by.
fn cells_with_reports(data: &Path) -> Result<LazyFrame> {
    let cells = scan(data, "cells")?.select([
        col("report_id"),
        col("year"),
        col("agency"),
        col("template"),
        col("table"),
        col("row"),
        col("col"),
        col("value"),
        col("status"),
    ]);
    let reports = scan(data, "reports")?.select([
        col("report_id"),
        col("province"),
        col("city"),
        col("county"),
        col("admin_level"),
    ]);
    let cells = with_totals_from_parts(cells);
    Ok(cells.join(reports, [col("report_id")], [col("report_id")], JoinArgs::new(JoinType::Left)))
}

/// Reads a blank 总计 cell of table 三 beside non-zero applicant columns as
/// their sum, and marks it in `total_from_parts`: many reports leave the
/// column blank in every outcome row, and a 0 would make every share 0.
fn with_totals_from_parts(cells: LazyFrame) -> LazyFrame {
    let row_keys = [col("report_id"), col("table"), col("row")];
    let parts = cells
        .clone()
        .filter(col("table").eq(lit("requests")).and(col("col").neq(lit("total"))))
        .group_by(row_keys.clone())
        .agg([col("value").sum().alias("parts")]);
    let from_parts = col("table")
        .eq(lit("requests"))
        .and(col("col").eq(lit("total")))
        .and(col("status").eq(lit("blank")))
        .and(col("parts").gt(lit(0.0)))
        .fill_null(lit(false));
    cells
        .join(parts, row_keys.clone(), row_keys, JoinArgs::new(JoinType::Left))
        .with_columns([from_parts.alias("total_from_parts")])
        .with_columns([when(col("total_from_parts")).then(col("parts")).otherwise(col("value")).alias("value")])
        .drop(cols(["parts"]))
}

/// How many cells summed were a blank 总计 read as the sum of its row.
fn totals_from_parts() -> Expr {
    col("total_from_parts").cast(DataType::Int64).sum().alias("totals_from_parts")
}

/// Whether `code` matches a glob such as `result.withheld.*`.
fn glob_matches(glob: &str, code: &str) -> bool {
    match glob.split_once('*') {
        None => glob == code,
        Some((head, tail)) => code.strip_prefix(head).is_some_and(|rest| {
            (0..=rest.len()).filter(|&i| rest.is_char_boundary(i)).any(|i| glob_matches(tail, &rest[i..]))
        }),
    }
}

/// `value` as a sum: missing and invalid cells hold null, so they add nothing.
fn value_sum() -> Expr {
    col("value").sum()
}

fn cells_missing() -> Expr {
    col("status")
        .eq(lit("missing"))
        .or(col("status").eq(lit("invalid")))
        .cast(DataType::Int64)
        .sum()
        .alias("cells_missing")
}

fn by_columns(options: &SummaryOptions) -> Vec<Expr> {
    options.by.iter().map(|b| col(b.as_str())).collect()
}

fn sorted(frame: LazyFrame, keys: &[String]) -> LazyFrame {
    if keys.is_empty() {
        frame
    } else {
        frame.sort(
            keys.iter().map(|k| PlSmallStr::from(k.as_str())).collect::<Vec<_>>(),
            SortMultipleOptions::default().with_nulls_last(true),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn globs() {
        assert!(glob_matches("result.withheld.*", "result.withheld.state_secret"));
        assert!(!glob_matches("result.withheld.*", "result.partial"));
        assert!(glob_matches("*.other", "legal.other"));
        assert!(glob_matches("total", "total"));
        assert!(!glob_matches("total", "totals"));
    }
}
