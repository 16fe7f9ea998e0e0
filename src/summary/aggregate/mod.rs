//! The aggregation itself, with polars: the only code that uses it. It
//! reads the cells a slice of reports at a time (see `slices`), joins them
//! with their reports, groups and sums.

mod presets;
mod slices;
mod write;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
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

pub use super::{GROUP_COLUMNS, PRESETS};

pub fn run(options: &SummaryOptions, catalog: &Catalog) -> Result<()> {
    for by in &options.by {
        if !GROUP_COLUMNS.contains(&by.as_str()) {
            bail!("--by {by}: not a grouping column (one of {})", GROUP_COLUMNS.join(", "));
        }
    }
    if !options.data.join("manifest.json").exists() {
        bail!("{} is not an xxgk dataset (no manifest.json)", options.data.display());
    }
    // One snapshot throughout, even if a run commits a new one meanwhile.
    let data =
        &std::fs::canonicalize(&options.data).with_context(|| format!("cannot open {}", options.data.display()))?;
    let cells = slices::cells_files(data)?;
    if cells.is_empty() {
        bail!("{} holds no reports, only rejects: nothing to summarise", options.data.display());
    }
    let output = match (options.preset.as_deref(), options.wide) {
        (Some(_), true) => bail!("--wide and --preset do not go together"),
        (Some("quality"), false) => {
            let frame = streamed(presets::quality(data, catalog, options)?);
            Output {
                frame: anyhow::Context::context(frame, "summary query failed")?,
                order: options.by.clone(),
                hidden: Vec::new(),
            }
        }
        (None, true) => presets::wide(catalog, options)?.run(data, cells)?,
        (None, false) => presets::cells(catalog, options)?.run(data, cells)?,
        (Some(name), false) => presets::preset(name, catalog, options)?.run(data, cells)?,
    };
    write::csv(output, catalog, options)
}

/// A summary's rows, unordered, and how to order them.
pub struct Output {
    pub frame: DataFrame,
    /// The columns that order the rows, nulls last.
    pub order: Vec<String>,
    /// Columns only for ordering, not written.
    pub hidden: Vec<String>,
}

/// A lazy scan of one output table, with `year` from the partition folders.
fn scan(data: &Path, table: &str) -> Result<LazyFrame> {
    let pattern = data.join(table).join("**").join("*.parquet");
    let path = PlRefPath::new(pattern.to_string_lossy().as_ref());
    let args = ScanArgsParquet { hive_options: HiveOptions::new_enabled(), ..ScanArgsParquet::default() };
    let scan = LazyFrame::scan_parquet(path, args);
    anyhow::Context::with_context(scan, || format!("cannot scan {}", data.join(table).display()))
}

/// Runs a query on polars' streaming engine, which reads the Parquet files
/// a batch at a time instead of whole. A plan without sinks of its own has
/// exactly one result.
fn streamed(frame: LazyFrame) -> PolarsResult<DataFrame> {
    Ok(frame.collect_with_engine(Engine::Streaming)?.unwrap_single())
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

/// A cell whose number was not read: missing or invalid (a blank or a dash
/// is read, as 0).
fn unread() -> Expr {
    col("status").eq(lit("missing")).or(col("status").eq(lit("invalid")))
}

fn cells_missing() -> Expr {
    unread().cast(DataType::Int64).sum().alias("cells_missing")
}

fn by_columns(options: &SummaryOptions) -> Vec<Expr> {
    options.by.iter().map(|b| col(b.as_str())).collect()
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
