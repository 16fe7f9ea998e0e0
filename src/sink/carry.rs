//! Carries the Parquet files of the dataset a run adds to into its staging
//! folder: a hard link for a file that keeps every row (files are never
//! changed once written), a filtered copy of the partitions that hold rows
//! of a file since replaced, and one merged file for a partition that has
//! gathered too many.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use arrow_array::cast::AsArray;
use std::sync::Arc;

use arrow_array::{Array, BooleanArray, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// Rows to leave behind.
#[derive(Debug, Default)]
pub struct Dropped {
    /// Reports no longer in the dataset, and the partitions that hold them.
    pub report_ids: HashSet<String>,
    pub partitions: HashSet<String>,
    /// Rejected paths read again by this run, or whose file is gone.
    pub reject_paths: HashSet<String>,
    /// Reports whose rows stay but name another path: their file now has
    /// other bytes, and this path still has theirs.
    pub repointed: HashMap<String, String>,
}

/// How one table's files are carried.
pub struct Carry<'a> {
    pub table_dir: &'a str,
    /// The column rows are dropped by, and the values to drop.
    pub key: &'a str,
    pub drop: &'a HashSet<String>,
    /// `source_path` values to set, by `report_id` (the reports table's).
    pub repoint: Option<&'a HashMap<String, String>>,
    /// Partitions whose files may hold such rows; `None` for all.
    pub partitions: Option<&'a HashSet<String>>,
    /// The name of a partition's file rewritten by this run: never an
    /// earlier name, so that a reader listing the previous snapshot cannot
    /// open a file of the same name with other rows.
    pub rewritten_name: &'a str,
    /// Beginnings of the names of files that are never carried (they are
    /// rebuilt by each run).
    pub rebuilt: &'a [&'a str],
    pub properties: WriterProperties,
}

/// A partition holding more files than this is merged into one as it is
/// carried: nightly runs add a file each, and readers slow down on many
/// small files.
const MAX_FILES_PER_PARTITION: usize = 16;

impl Carry<'_> {
    /// Carries every file of the table from `from` into `to`.
    pub fn run(&self, from: &Path, to: &Path) -> Result<()> {
        let source = from.join(self.table_dir);
        if !source.is_dir() {
            return Ok(());
        }
        // Each partition folder (relative to the dataset) and its files, in name order.
        let mut partitions: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
        for entry in walkdir::WalkDir::new(&source).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot list {}", source.display()))?;
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file()
                || !name.ends_with(".parquet")
                || self.rebuilt.iter().any(|r| name.starts_with(r))
            {
                continue;
            }
            let relative = entry.path().strip_prefix(from).context("file outside the dataset")?;
            let folder = relative.parent().context("file outside the dataset")?.to_path_buf();
            partitions.entry(folder).or_default().push(entry.path().to_path_buf());
        }
        for (folder, files) in partitions {
            let target = to.join(&folder);
            std::fs::create_dir_all(&target).with_context(|| format!("cannot create {}", target.display()))?;
            let partition = folder.file_name().map(|p| p.to_string_lossy().into_owned());
            let may_hold = self.partitions.is_none_or(|parts| partition.is_some_and(|p| parts.contains(&p)));
            let unchanged = self.drop.is_empty() && self.repoint.is_none_or(HashMap::is_empty);
            if (unchanged || !may_hold) && files.len() <= MAX_FILES_PER_PARTITION {
                for file in &files {
                    link_or_copy(file, &target.join(file.file_name().context("file without a name")?))?;
                }
            } else {
                self.rewrite(&files, &target.join(self.rewritten_name))?;
            }
        }
        Ok(())
    }

    /// Writes the rows of `sources` whose key is not dropped into one file;
    /// writes none when no row is left.
    fn rewrite(&self, sources: &[PathBuf], target: &Path) -> Result<()> {
        let mut writer: Option<ArrowWriter<File>> = None;
        for source in sources {
            let context = || format!("cannot rewrite {}", source.display());
            let file = File::open(source).with_context(context)?;
            let reader =
                ParquetRecordBatchReaderBuilder::try_new(file).with_context(context)?.build().with_context(context)?;
            for batch in reader {
                let batch = batch.with_context(context)?;
                let kept = self.keep(&batch).with_context(context)?;
                if kept.num_rows() == 0 {
                    continue;
                }
                if writer.is_none() {
                    let file = File::create(target).with_context(|| format!("cannot create {}", target.display()))?;
                    let started = ArrowWriter::try_new(file, batch.schema(), Some(self.properties.clone()));
                    writer = Some(started.with_context(context)?);
                }
                if let Some(writer) = writer.as_mut() {
                    writer.write(&kept).with_context(context)?;
                }
            }
        }
        if let Some(writer) = writer {
            writer.close().with_context(|| format!("cannot finish {}", target.display()))?;
        }
        Ok(())
    }

    /// The rows of `batch` whose key is not dropped, with their paths repointed.
    fn keep(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let batch = self.repointed(batch)?;
        if self.drop.is_empty() {
            return Ok(batch);
        }
        let column = batch.column_by_name(self.key).with_context(|| format!("no column {}", self.key))?;
        let keys = column.as_string_opt::<i32>().with_context(|| format!("{} is not text", self.key))?;
        let keep: BooleanArray =
            (0..keys.len()).map(|i| Some(keys.is_null(i) || !self.drop.contains(keys.value(i)))).collect();
        Ok(arrow_select::filter::filter_record_batch(&batch, &keep)?)
    }

    fn repointed(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let Some(repoint) = self.repoint.filter(|r| !r.is_empty()) else {
            return Ok(batch.clone());
        };
        let schema = batch.schema();
        let (Ok(id_at), Ok(path_at)) = (schema.index_of("report_id"), schema.index_of("source_path")) else {
            return Ok(batch.clone());
        };
        let ids = batch.column(id_at).as_string_opt::<i32>().context("report_id is not text")?;
        let paths = batch.column(path_at).as_string_opt::<i32>().context("source_path is not text")?;
        let repointed: StringArray = (0..batch.num_rows())
            .map(|i| match repoint.get(ids.value(i)) {
                Some(path) => Some(path.as_str()),
                None => paths.is_valid(i).then(|| paths.value(i)),
            })
            .collect();
        let mut columns = batch.columns().to_vec();
        columns[path_at] = Arc::new(repointed);
        Ok(RecordBatch::try_new(schema, columns)?)
    }
}

pub(super) fn link_or_copy(source: &Path, target: &Path) -> Result<()> {
    if std::fs::hard_link(source, target).is_err() {
        std::fs::copy(source, target)
            .with_context(|| format!("cannot copy {} to {}", source.display(), target.display()))?;
    }
    Ok(())
}
