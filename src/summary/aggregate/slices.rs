//! Summaries in bounded memory. The cells table is read a slice of whole
//! reports at a time: each slice is joined with its reports and aggregated
//! on its own, and the small parts are then combined. Counts of distinct
//! reports add up across slices because xxgk writes the cells of a report
//! one after another, in one file, so no report is in two slices.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use polars::prelude::*;

use super::Output;

/// Rows of the cells table aggregated at once: about 500 reports. Larger
/// slices are a little faster and take more memory (measured at 100,000
/// reports: `--wide` 0.81 GB at this size, 1.2 GB at four times it).
const SLICE_ROWS: usize = 128 * 1024;

/// Rows of parts held before they are added up into one.
const PARTS_ROWS: usize = 1024 * 1024;

type Step = Box<dyn Fn(LazyFrame) -> LazyFrame>;

/// A summary in steps.
pub struct Plan {
    /// Aggregates one slice of cells, joined with their report columns.
    pub part: Step,
    /// Adds up parts, stacked, into one part (none: parts are only stacked,
    /// as the rows of the wide table are).
    pub add: Option<Step>,
    /// Makes the summary of all parts, added up: shares.
    pub finish: Step,
    /// The columns that order the summary's rows.
    pub order: Vec<String>,
    /// Columns only for ordering, not written.
    pub hidden: Vec<String>,
}

impl Plan {
    /// Runs the plan over `cells`, the files [`cells_files`] lists.
    pub fn run(self, data: &Path, cells: Vec<(PathBuf, Option<i64>)>) -> Result<Output> {
        // The tests cut finer slices, down to one report, to check that the
        // parts add up to the same summary.
        let rows = std::env::var("XXGK_SUMMARY_SLICE_ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(SLICE_ROWS);
        let slices = slices(cells, rows.max(1))?;
        let mut parts: Vec<DataFrame> = Vec::new();
        // Parts are added up once they hold more rows than this; it grows
        // with what they add up to, so that a summary with many groups is
        // not added up again after every slice.
        let mut limit = PARTS_ROWS;
        let mut reports: Option<(PathBuf, DataFrame)> = None;
        for slice in slices {
            let folder = slice.file.parent().unwrap_or(data).to_path_buf();
            let reports = match reports.take() {
                Some((of, frame)) if of == folder => reports.insert((of, frame)),
                _ => reports.insert((folder.clone(), report_columns(data, &folder)?)),
            };
            let cells = super::with_totals_from_parts(slice.scan()?);
            let joined = cells.join(
                reports.1.clone().lazy(),
                [col("report_id")],
                [col("report_id")],
                JoinArgs::new(JoinType::Left),
            );
            let part = (self.part)(joined).collect();
            parts.push(anyhow::Context::with_context(part, || {
                format!("summary query failed on {}", slice.file.display())
            })?);
            if self.add.is_some() && parts.iter().map(DataFrame::height).sum::<usize>() > limit {
                let added = self.added(parts)?;
                limit = limit.max(2 * added.height());
                parts = vec![added];
            }
        }
        let whole = (self.finish)(self.added(parts)?.lazy()).collect();
        let frame = anyhow::Context::context(whole, "summary query failed")?;
        Ok(Output { frame, order: self.order, hidden: self.hidden })
    }

    /// The parts as one frame, added up where the plan adds.
    fn added(&self, parts: Vec<DataFrame>) -> Result<DataFrame> {
        // Not copied into one buffer: each part is small, and the wide
        // table's parts are most of its memory.
        let args = UnionArgs { rechunk: false, ..UnionArgs::default() };
        let stacked = concat(parts.into_iter().map(IntoLazy::lazy).collect::<Vec<_>>(), args)?;
        let added = match &self.add {
            Some(add) => add(stacked).collect(),
            None => stacked.collect(),
        };
        anyhow::Context::context(added, "summary query failed")
    }
}

/// The report columns analysts group by, one row per report of the year
/// whose cells are in `cells_folder`: small beside the cells, so read whole.
fn report_columns(data: &Path, cells_folder: &Path) -> Result<DataFrame> {
    let year = data.join("reports").join(cells_folder.file_name().unwrap_or_default());
    let reports = match year.is_dir() {
        true => scan_files(&year.join("*.parquet"))?,
        false => super::scan(data, "reports")?,
    };
    let columns = [col("report_id"), col("province"), col("city"), col("county"), col("admin_level")];
    let frame = super::streamed(reports.select(columns));
    anyhow::Context::context(frame, "cannot read the reports table")
}

/// Rows `offset..offset + len` of one cells file.
struct Slice {
    file: PathBuf,
    year: Option<i64>,
    offset: usize,
    len: usize,
}

impl Slice {
    /// The slice's cells with the columns summaries use, `year` from the
    /// partition folder.
    fn scan(&self) -> Result<LazyFrame> {
        let year = match self.year {
            Some(year) => lit(year),
            None => lit(NULL).cast(DataType::Int64),
        };
        Ok(scan_files(&self.file)?.slice(self.offset as i64, self.len as IdxSize).select([
            col("report_id"),
            year.alias("year"),
            col("agency"),
            col("template"),
            col("table"),
            col("row"),
            col("col"),
            col("value"),
            col("status"),
        ]))
    }
}

/// A file, or the files a glob matches.
fn scan_files(file: &Path) -> Result<LazyFrame> {
    let path = PlRefPath::new(file.to_string_lossy().as_ref());
    let scan = LazyFrame::scan_parquet(path, ScanArgsParquet::default());
    anyhow::Context::with_context(scan, || format!("cannot scan {}", file.display()))
}

/// Every cells file cut into slices of about `rows` rows, each ending where
/// a report ends.
fn slices(cells: Vec<(PathBuf, Option<i64>)>, rows: usize) -> Result<Vec<Slice>> {
    let mut slices = Vec::new();
    for (file, year) in cells {
        let total = row_count(&file)?;
        let mut offset = 0;
        while offset < total {
            let end = if total - offset <= rows { total } else { report_start(&file, offset + rows, total)? };
            slices.push(Slice { file: file.clone(), year, offset, len: end - offset });
            offset = end;
        }
    }
    Ok(slices)
}

/// The Parquet files of the cells table with the year of their partition
/// folder (`year=2023`; none for the folder of reports without a year).
pub fn cells_files(data: &Path) -> Result<Vec<(PathBuf, Option<i64>)>> {
    let cells = data.join("cells");
    let mut files = Vec::new();
    if !cells.exists() {
        return Ok(files); // every input was a reject
    }
    let folders = std::fs::read_dir(&cells).with_context(|| format!("cannot list {}", cells.display()))?;
    for folder in folders {
        let folder = folder.with_context(|| format!("cannot list {}", cells.display()))?.path();
        let name = folder.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let Some(year) = name.strip_prefix("year=") else { continue };
        let year = year.parse::<i64>().ok();
        for file in std::fs::read_dir(&folder).with_context(|| format!("cannot list {}", folder.display()))? {
            let file = file.with_context(|| format!("cannot list {}", folder.display()))?.path();
            if file.extension().is_some_and(|e| e == "parquet") {
                files.push((file, year));
            }
        }
    }
    files.sort();
    Ok(files)
}

fn row_count(file: &Path) -> Result<usize> {
    let counted = scan_files(file)?.select([len()]).collect();
    let counted = anyhow::Context::with_context(counted, || format!("cannot read {}", file.display()))?;
    Ok(counted.column("len")?.idx()?.get(0).unwrap_or(0) as usize)
}

/// The first row at or after `row` (which is > 0) where a report begins.
fn report_start(file: &Path, row: usize, total: usize) -> Result<usize> {
    let mut window = 4096;
    loop {
        let from = row - 1;
        let ids = scan_files(file)?.select([col("report_id")]).slice(from as i64, window as IdxSize).collect();
        let ids = anyhow::Context::with_context(ids, || format!("cannot read {}", file.display()))?;
        let ids = ids.column("report_id")?.str()?;
        if let Some(i) = (1..ids.len()).find(|&i| ids.get(i) != ids.get(i - 1)) {
            return Ok(from + i);
        }
        if from + ids.len() >= total {
            return Ok(total);
        }
        window *= 4;
    }
}
