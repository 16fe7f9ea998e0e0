//! Sink: the only place that writes the dataset. One writer receives parsed
//! documents in input order and appends them to hive-partitioned Parquet
//! files (zstd, dictionary-encoded strings) in a staging directory; `commit`
//! swaps the staging directory into place and writes `manifest.json`, so an
//! interrupted run leaves the previous dataset as it was.

mod batches;
pub mod manifest;
pub mod schema;
mod year_facts;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

pub use batches::RunStamp;

use crate::report::{Outcome, Reject, Report};
use crate::validate::{self, CheckResult, CheckStatus, YearFacts};
use year_facts::FactFile;

/// Rows per Parquet row group: large enough to compress well, small enough
/// to bound the writer's memory.
const ROW_GROUP_ROWS: usize = 64 * 1024;

/// A row group is also closed once its buffered pages reach this size: the
/// long texts of the sections table would otherwise hold tens of megabytes
/// per partition until their row count fills.
const ROW_GROUP_BYTES: usize = 1 << 20;

/// Counts of what was written, for the summary line and the manifest.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Counts {
    pub files: u64,
    pub reports_ok: u64,
    pub reports_partial: u64,
    pub rejects: u64,
    pub cells: u64,
    pub cells_ok: u64,
    pub sections: u64,
    /// Check rows that failed within reports (soft checks excluded).
    pub checks_failed: u64,
    /// Check rows that failed between a report and the year before.
    pub checks_failed_across_years: u64,
}

/// The output tables and the folder each is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum OutTable {
    Cells,
    Reports,
    Checks,
    Sections,
    Rejects,
}

impl OutTable {
    fn dir(self) -> &'static str {
        match self {
            OutTable::Cells => "cells",
            OutTable::Reports => "reports",
            OutTable::Checks => "checks",
            OutTable::Sections => "sections",
            OutTable::Rejects => "rejects",
        }
    }

    fn schema(self) -> &'static SchemaRef {
        match self {
            OutTable::Cells => &schema::CELLS,
            OutTable::Reports => &schema::REPORTS,
            OutTable::Checks => &schema::CHECKS,
            OutTable::Sections => &schema::SECTIONS,
            OutTable::Rejects => &schema::REJECTS,
        }
    }

    /// Columns no reader filters on by range (labels, printed text): they
    /// get no min/max statistics, which cost a string comparison per value.
    fn unfiltered_columns(self) -> &'static [&'static str] {
        match self {
            OutTable::Cells => &["agency", "raw", "unit", "row_label", "col_label"],
            OutTable::Reports => &["title", "source_path", "source_url"],
            OutTable::Sections => &["text"],
            OutTable::Checks | OutTable::Rejects => &[],
        }
    }

    fn description(self) -> &'static str {
        match self {
            OutTable::Cells => "xxgk cells: one row per statistics-table cell of a report (long format)",
            OutTable::Reports => "xxgk reports: one row per parsed source document",
            OutTable::Checks => "xxgk checks: one row per arithmetic check of the template per report",
            OutTable::Sections => "xxgk sections: narrative text of each report section",
            OutTable::Rejects => "xxgk rejects: input files that yielded no tables, with the reason",
        }
    }
}

/// A dataset being written.
pub struct Dataset<'t> {
    out: PathBuf,
    staging: PathBuf,
    stamp: RunStamp,
    writers: BTreeMap<(OutTable, String), ArrowWriter<File>>,
    /// What the checks across years need of each report, kept on disk
    /// until every report is in.
    year_facts: Option<FactFile<'t>>,
    pub counts: Counts,
}

/// The partition folder of a report year.
fn partition(year: Option<i16>) -> String {
    match year {
        Some(y) => format!("{}={y}", schema::PARTITION_KEY),
        None => format!("{}={}", schema::PARTITION_KEY, schema::NULL_PARTITION),
    }
}

fn staging_path(out: &Path) -> PathBuf {
    sibling(out, "xxgk-staging")
}

fn previous_path(out: &Path) -> PathBuf {
    sibling(out, "xxgk-previous")
}

fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".to_string());
    out.with_file_name(format!(".{name}.{suffix}"))
}

impl<'t> Dataset<'t> {
    /// Starts a dataset for `out`, repairing what an interrupted run left.
    pub fn create(out: &Path, stamp: RunStamp) -> Result<Dataset<'t>> {
        let previous = previous_path(out);
        if !out.exists() && previous.exists() {
            std::fs::rename(&previous, out)
                .with_context(|| format!("cannot restore {} from {}", out.display(), previous.display()))?;
        }
        let staging = staging_path(out);
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot remove stale staging folder {}", staging.display()))?;
        }
        std::fs::create_dir_all(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        let facts = FactFile::create(&staging.join(".year-facts"))?;
        Ok(Dataset {
            out: out.to_path_buf(),
            staging,
            stamp,
            writers: BTreeMap::new(),
            year_facts: Some(facts),
            counts: Counts::default(),
        })
    }

    /// Appends a batch of parsed documents, in the order given.
    pub fn write(&mut self, outcomes: &[Outcome<'t>]) -> Result<()> {
        let mut by_partition: BTreeMap<String, Vec<&Report>> = BTreeMap::new();
        let mut rejects: Vec<&Reject> = Vec::new();
        for outcome in outcomes {
            self.counts.files += 1;
            match outcome {
                Outcome::Report(r) => {
                    by_partition.entry(partition(r.meta.year)).or_default().push(r);
                }
                Outcome::Reject(r) => rejects.push(r),
            }
        }
        for (part, reports) in &by_partition {
            for r in reports {
                match r.status {
                    crate::report::ParseStatus::Ok => self.counts.reports_ok += 1,
                    crate::report::ParseStatus::Partial => self.counts.reports_partial += 1,
                }
                self.counts.cells += r.cells.len() as u64;
                self.counts.cells_ok += r.cells_ok() as u64;
                self.counts.sections += r.sections.len() as u64;
                self.counts.checks_failed += r.checks_failed() as u64;
                if let (Some(agency), Some(year), Some(facts)) = (&r.meta.agency, r.meta.year, &mut self.year_facts) {
                    facts.push(&YearFacts::new(&r.report_id, agency, year, r.template, r.year_cells.clone()))?;
                }
            }
            self.append(OutTable::Cells, part, batches::cells(reports)?)?;
            self.append(OutTable::Reports, part, batches::reports(reports, self.stamp)?)?;
            let checks = reports.iter().flat_map(|r| r.checks.iter().map(|c| (r.report_id.as_str(), c)));
            self.append(OutTable::Checks, part, batches::checks(checks)?)?;
            self.append(OutTable::Sections, part, batches::sections(reports)?)?;
        }
        if !rejects.is_empty() {
            self.counts.rejects += rejects.len() as u64;
            self.append(OutTable::Rejects, "", batches::rejects(&rejects, self.stamp)?)?;
        }
        Ok(())
    }

    fn append(&mut self, table: OutTable, part: &str, batch: RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let key = (table, part.to_string());
        if !self.writers.contains_key(&key) {
            let dir = self.staging.join(table.dir()).join(part);
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let path = dir.join("part-00000.parquet");
            let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
            let writer = ArrowWriter::try_new(file, table.schema().clone(), Some(properties(table)))
                .with_context(|| format!("cannot start {}", path.display()))?;
            self.writers.insert(key.clone(), writer);
        }
        let writer = self.writers.get_mut(&key).context("writer vanished")?;
        let context = || format!("cannot write {} rows to {}/{}", table.dir(), table.dir(), part);
        writer.write(&batch).with_context(context)?;
        if writer.in_progress_size() >= ROW_GROUP_BYTES {
            writer.flush().with_context(context)?;
        }
        Ok(())
    }

    /// Runs the checks that compare a report with the same agency's report
    /// of the year before, now that every report is in.
    pub fn check_across_years(&mut self) -> Result<()> {
        let Some(facts) = self.year_facts.take() else {
            return Ok(());
        };
        let mut pending: BTreeMap<String, Vec<(Box<str>, CheckResult<'t>)>> = BTreeMap::new();
        let mut held = 0;
        facts.for_each_pair(|this, previous| {
            for result in validate::check_pair(this, previous) {
                if result.status == CheckStatus::Fail {
                    self.counts.checks_failed_across_years += 1;
                }
                pending.entry(partition(Some(this.year))).or_default().push((this.report_id.clone(), result));
                held += 1;
            }
            if held >= ROW_GROUP_ROWS {
                self.append_checks(std::mem::take(&mut pending))?;
                held = 0;
            }
            Ok(())
        })?;
        self.append_checks(pending)
    }

    fn append_checks(&mut self, by_partition: BTreeMap<String, Vec<(Box<str>, CheckResult<'t>)>>) -> Result<()> {
        for (part, rows) in by_partition {
            self.append(OutTable::Checks, &part, batches::checks(rows.iter().map(|(id, r)| (&**id, r)))?)?;
        }
        Ok(())
    }

    /// Closes every file, writes the manifest and swaps the dataset into place.
    pub fn commit(mut self, manifest: &manifest::Manifest) -> Result<Counts> {
        if let Some(facts) = self.year_facts.take() {
            facts.discard()?;
        }
        for ((table, part), writer) in std::mem::take(&mut self.writers) {
            writer.close().with_context(|| format!("cannot finish {}/{}", table.dir(), part))?;
        }
        // Every table folder exists, even when empty, so readers find the dataset's shape.
        for table in [OutTable::Cells, OutTable::Reports, OutTable::Checks, OutTable::Sections, OutTable::Rejects] {
            std::fs::create_dir_all(self.staging.join(table.dir()))?;
        }
        manifest.write(&self.staging.join("manifest.json"))?;
        let previous = previous_path(&self.out);
        if self.out.exists() {
            if previous.exists() {
                std::fs::remove_dir_all(&previous)?;
            }
            std::fs::rename(&self.out, &previous)
                .with_context(|| format!("cannot move the old dataset {} aside", self.out.display()))?;
        }
        std::fs::rename(&self.staging, &self.out)
            .with_context(|| format!("cannot move the new dataset into {}", self.out.display()))?;
        if previous.exists() {
            std::fs::remove_dir_all(&previous)
                .with_context(|| format!("cannot remove the old dataset {}", previous.display()))?;
        }
        Ok(self.counts.clone())
    }
}

fn properties(table: OutTable) -> WriterProperties {
    let builder = table.unfiltered_columns().iter().fold(WriterProperties::builder(), |builder, column| {
        builder.set_column_statistics_enabled(ColumnPath::from(*column), EnabledStatistics::None)
    });
    builder
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_dictionary_enabled(true)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("xxgk {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(vec![
            KeyValue::new("xxgk.schema_version".to_string(), schema::SCHEMA_VERSION.to_string()),
            KeyValue::new("xxgk.description".to_string(), table.description().to_string()),
        ]))
        .build()
}
