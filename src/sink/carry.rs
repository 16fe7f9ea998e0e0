//! Carries the Parquet files of the dataset a run adds to into its staging
//! folder: a hard link for a file that keeps every row (files are never
//! changed once written), a filtered copy for one that holds rows of a file
//! since replaced.

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result};
use arrow_array::cast::AsArray;
use arrow_array::{Array, BooleanArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// Rows to leave behind.
#[derive(Debug, Default)]
pub struct Dropped {
    /// Reports no longer in the dataset, and the partitions that hold them.
    pub report_ids: HashSet<String>,
    pub partitions: HashSet<String>,
    /// Rejected paths read again by this run.
    pub reject_paths: HashSet<String>,
}

/// How one table's files are carried.
pub struct Carry<'a> {
    pub table_dir: &'a str,
    /// The column rows are dropped by, and the values to drop.
    pub key: &'a str,
    pub drop: &'a HashSet<String>,
    /// Partitions whose files may hold such rows; `None` for all.
    pub partitions: Option<&'a HashSet<String>>,
    /// File names that are never carried (they are rebuilt by each run).
    pub rebuilt: &'a [&'a str],
    pub properties: WriterProperties,
}

impl Carry<'_> {
    /// Carries every file of the table from `from` into `to`.
    pub fn run(&self, from: &Path, to: &Path) -> Result<()> {
        let source = from.join(self.table_dir);
        if !source.is_dir() {
            return Ok(());
        }
        for entry in walkdir::WalkDir::new(&source).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", source.display()))?;
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file() || !name.ends_with(".parquet") || self.rebuilt.contains(&&*name) {
                continue;
            }
            let relative = entry.path().strip_prefix(from).context("file outside the dataset")?;
            let target = to.join(relative);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let partition = relative.parent().and_then(Path::file_name).map(|p| p.to_string_lossy().into_owned());
            let may_hold = self.partitions.is_none_or(|parts| partition.is_some_and(|p| parts.contains(&p)));
            if self.drop.is_empty() || !may_hold {
                link_or_copy(entry.path(), &target)?;
            } else {
                self.filter(entry.path(), &target)?;
            }
        }
        Ok(())
    }

    /// Copies the rows of `source` whose key is not dropped; writes no file
    /// when none is left.
    fn filter(&self, source: &Path, target: &Path) -> Result<()> {
        let context = || format!("cannot rewrite {}", source.display());
        let file = File::open(source).with_context(context)?;
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(file).with_context(context)?.build().with_context(context)?;
        let mut writer: Option<ArrowWriter<File>> = None;
        for batch in reader {
            let batch = batch.with_context(context)?;
            let column = batch
                .column_by_name(self.key)
                .with_context(|| format!("{}: no column {}", source.display(), self.key))?;
            let keys = column
                .as_string_opt::<i32>()
                .with_context(|| format!("{}: {} is not text", source.display(), self.key))?;
            let keep: BooleanArray =
                (0..keys.len()).map(|i| Some(keys.is_null(i) || !self.drop.contains(keys.value(i)))).collect();
            let kept = arrow_select::filter::filter_record_batch(&batch, &keep).with_context(context)?;
            if kept.num_rows() == 0 {
                continue;
            }
            if writer.is_none() {
                let file = File::create(target).with_context(|| format!("cannot create {}", target.display()))?;
                writer = Some(
                    ArrowWriter::try_new(file, batch.schema(), Some(self.properties.clone())).with_context(context)?,
                );
            }
            if let Some(writer) = writer.as_mut() {
                writer.write(&kept).with_context(context)?;
            }
        }
        if let Some(writer) = writer {
            writer.close().with_context(context)?;
        }
        Ok(())
    }
}

fn link_or_copy(source: &Path, target: &Path) -> Result<()> {
    if std::fs::hard_link(source, target).is_err() {
        std::fs::copy(source, target)
            .with_context(|| format!("cannot copy {} to {}", source.display(), target.display()))?;
    }
    Ok(())
}
