//! Sink: the only place that writes the dataset. One writer receives parsed
//! documents in input order and appends them to hive-partitioned Parquet
//! files (zstd, dictionary-encoded strings) in a new snapshot ([`store`]).
//! A run either starts the dataset afresh or adds to the one at `out/`:
//! files it holds unchanged are skipped, a changed file replaces its earlier
//! rows, and the earlier Parquet files are carried into the new snapshot.
//! `commit` lists what the snapshot holds ([`files`]) and makes it the
//! dataset in one step, so an interrupted run leaves the previous one as it was.

pub mod batches;
mod carry;
mod files;
pub mod inventory;
mod ledger;
pub mod manifest;
pub mod previous;
pub mod schema;
pub mod store;
pub mod year_facts;

use std::collections::{BTreeMap, HashSet};
use std::fs::File;

use anyhow::{Context, Result};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

pub use batches::RunStamp;
pub use files::{verify, NeedsAttention};
pub use store::{Busy, Store};

use store::Staging;

use crate::discover;
use crate::report::{Outcome, ParseStatus, Reject, Report};
use crate::template::Template;
use crate::validate::{self, CheckResult, CheckStatus, YearFacts};
use carry::{Carry, Dropped};
use files::{FACTS_FILE, INVENTORY_FILE, STATE_DIR};
use inventory::{Entry, InventoryWriter, Version};
use ledger::{Earlier, Ledger};
use manifest::MANIFEST_FILE;
use previous::Previous;
use year_facts::FactFile;

/// Rows per Parquet row group: large enough to compress well, small enough
/// to bound the writer's memory.
const ROW_GROUP_ROWS: usize = 64 * 1024;

/// Reports per Arrow record batch (about 6,000 cells): small buffers that
/// the allocator hands out again batch after batch. Record batches of a
/// whole partition's reports peaked a few MB higher and were no faster;
/// batches of 8 were no lower.
const REPORTS_PER_RECORD_BATCH: usize = 32;

/// A row group is also closed once its buffered pages reach this size. A
/// writer holds several times its buffered pages (dictionaries, unpacked
/// indices), and one is open per table and year. At 1 MB the reports and
/// sections writers first closed a row group only after some 20,000 reports,
/// and 100,000 reports peaked at 305 MB against 230 MB for 10,000; at 256 KB,
/// 270 MB against 220 MB, with files 1.7% larger.
const ROW_GROUP_BYTES: usize = 256 * 1024;

/// What the dataset holds, for the manifest.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Counts {
    /// Input paths taken in, over every run.
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

/// What one run did with its inputs, for the summary line and the manifest.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct RunCounts {
    pub files: u64,
    /// Files read and parsed: new ones, and changed ones that replace their
    /// earlier rows.
    pub read: u64,
    pub replaced: u64,
    /// Files that could not be read before (no size or time was known), read again.
    pub retried: u64,
    /// Files the dataset already held as they are.
    pub unchanged: u64,
    /// Files whose bytes equal a report's already held: listed in the
    /// inventory, no rows written again.
    pub duplicates: u64,
    pub reports_ok: u64,
    pub reports_partial: u64,
    pub rejects: u64,
    pub cells: u64,
    pub cells_ok: u64,
}

/// One input as the writer receives it.
pub enum Intake<'t> {
    /// Read by this run: a report or a reject.
    Read { outcome: Outcome<'t>, version: Version },
    /// Held by the dataset already: the same stamp, or the same bytes under
    /// a new stamp.
    Unchanged { path: String, version: Version },
}

/// The output tables and the folder each is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum OutTable {
    Cells,
    Reports,
    Checks,
    Sections,
    Claims,
    Rejects,
}

/// The folder of each table, as readers find them.
pub const TABLE_DIRS: [&str; 6] = ["cells", "reports", "checks", "sections", "claims", "rejects"];

impl OutTable {
    const ALL: [OutTable; 6] =
        [OutTable::Cells, OutTable::Reports, OutTable::Checks, OutTable::Sections, OutTable::Claims, OutTable::Rejects];

    fn dir(self) -> &'static str {
        TABLE_DIRS[self as usize]
    }

    fn schema(self) -> &'static SchemaRef {
        match self {
            OutTable::Cells => &schema::CELLS,
            OutTable::Reports => &schema::REPORTS,
            OutTable::Checks => &schema::CHECKS,
            OutTable::Sections => &schema::SECTIONS,
            OutTable::Claims => &schema::CLAIMS,
            OutTable::Rejects => &schema::REJECTS,
        }
    }

    /// Columns whose min/max statistics would never let a reader skip a row
    /// group: labels and printed text, and in cells the ids and codes, as
    /// every row group holds every table of a few hundred reports. They get
    /// none, which saves a string comparison per value.
    fn unfiltered_columns(self) -> &'static [&'static str] {
        match self {
            OutTable::Cells => {
                &["report_id", "agency", "table", "row", "col", "status", "raw", "unit", "row_label", "col_label"]
            }
            OutTable::Reports => &["title", "source_path", "source_url"],
            OutTable::Sections | OutTable::Claims => &["text"],
            OutTable::Checks | OutTable::Rejects => &[],
        }
    }

    fn description(self) -> &'static str {
        match self {
            OutTable::Cells => "xxgk cells: one row per statistics-table cell of a report (long format)",
            OutTable::Reports => "xxgk reports: one row per parsed source document",
            OutTable::Checks => "xxgk checks: one row per arithmetic check of the template per report",
            OutTable::Sections => "xxgk sections: narrative text of each report section",
            OutTable::Claims => "xxgk claims: numbers the prose states that the tables hold",
            OutTable::Rejects => "xxgk rejects: input files that yielded no tables, with the reason",
        }
    }
}

/// The file name of a cross-year checks file: rebuilt by every run from the
/// facts of every report held, so it always pairs the whole dataset. A run
/// that had to close one early writes `across-years-1.parquet` and so on.
const ACROSS_YEARS_FILE: &str = "across-years.parquet";
const ACROSS_YEARS_PREFIX: &str = "across-years";

/// Which file of a partition rows go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PartFile {
    /// This run's rows, in `part-<run>.parquet`.
    Run,
    AcrossYears,
}

type WriterKey = (OutTable, String, PartFile);

/// Writers open at once. Each holds its buffered pages (about 1 MB), and a
/// batch of reports spread over 200 years opened 800 of them: 750 MB and as
/// many open files.
const MAX_OPEN_WRITERS: usize = 64;

/// A dataset being written.
pub struct Dataset<'t> {
    store: &'t Store,
    staging: Staging,
    stamp: RunStamp,
    run: u32,
    previous: Option<&'t Previous>,
    /// Open writers, each with when it last took rows; at most
    /// [`MAX_OPEN_WRITERS`].
    writers: BTreeMap<WriterKey, (ArrowWriter<File>, u64)>,
    /// Files written so far per writer key, which numbers the next one.
    files_written: BTreeMap<WriterKey, u32>,
    appends: u64,
    /// What the checks across years need of each report; taken by them.
    year_facts: Option<FactFile<'t>>,
    inventory: InventoryWriter,
    /// Which rows to write, which leave, and which stay.
    ledger: Ledger<'t>,
    /// The earlier rows that leave, once the intake is closed.
    dropped: Option<Dropped>,
    totals: Counts,
    pub counts: RunCounts,
}

/// The partition folder of a report year.
fn partition(year: Option<i16>) -> String {
    match year {
        Some(y) => format!("{}={y}", schema::PARTITION_KEY),
        None => format!("{}={}", schema::PARTITION_KEY, schema::NULL_PARTITION),
    }
}

impl<'t> Dataset<'t> {
    /// Starts writing a new snapshot of the dataset in `store`: afresh, or
    /// adding to `previous`.
    pub fn create(
        store: &'t Store,
        stamp: RunStamp,
        previous: Option<&'t Previous>,
        templates: &'t [Template],
    ) -> Result<Dataset<'t>> {
        let staging = store.begin()?;
        let state = staging.dir.join(STATE_DIR);
        std::fs::create_dir_all(&state).with_context(|| format!("cannot create {}", state.display()))?;
        let run = previous.map_or(0, |p| p.run + 1);
        Ok(Dataset {
            store,
            staging,
            stamp,
            run,
            previous,
            writers: BTreeMap::new(),
            files_written: BTreeMap::new(),
            appends: 0,
            year_facts: Some(FactFile::create(&state.join(FACTS_FILE), templates)?),
            inventory: InventoryWriter::create(&state.join(INVENTORY_FILE))?,
            ledger: Ledger::new(previous.map(|p| &p.inventory)),
            dropped: None,
            totals: Counts::default(),
            counts: RunCounts::default(),
        })
    }

    /// Appends a batch of inputs, in the order given.
    pub fn write(&mut self, intakes: &[Intake<'t>]) -> Result<()> {
        let mut by_partition: BTreeMap<String, Vec<&Report>> = BTreeMap::new();
        let mut rejects: Vec<&Reject> = Vec::new();
        for intake in intakes {
            self.counts.files += 1;
            match intake {
                Intake::Unchanged { path, version } => self.unchanged(path, version)?,
                Intake::Read { outcome: Outcome::Report(r), version } => {
                    self.counts.read += 1;
                    self.record(report_entry(r, version, self.run))?;
                    if self.ledger.writes(&r.report_id) {
                        self.count_report(r);
                        by_partition.entry(partition(r.meta.year)).or_default().push(r);
                    } else {
                        self.counts.duplicates += 1;
                    }
                }
                Intake::Read { outcome: Outcome::Reject(r), version } => {
                    self.counts.read += 1;
                    self.counts.rejects += 1;
                    rejects.push(r);
                    self.record(reject_entry(r, version, self.run))?;
                }
            }
        }
        for (part, reports) in &by_partition {
            for r in reports {
                if let (Some(agency), Some(year), Some(facts)) = (&r.meta.agency, r.meta.year, &mut self.year_facts) {
                    facts.push(&YearFacts::new(&r.report_id, agency, year, r.template, r.year_cells.clone()))?;
                }
            }
            for reports in reports.chunks(REPORTS_PER_RECORD_BATCH) {
                self.append(OutTable::Cells, part, batches::cells(reports)?)?;
                self.append(OutTable::Reports, part, batches::reports(reports, self.stamp)?)?;
                let checks = reports.iter().flat_map(|r| r.checks.iter().map(|c| (r.report_id.as_str(), c)));
                self.append(OutTable::Checks, part, batches::checks(checks)?)?;
                self.append(OutTable::Sections, part, batches::sections(reports)?)?;
                self.append(OutTable::Claims, part, batches::claims(reports)?)?;
            }
        }
        if !rejects.is_empty() {
            self.append(OutTable::Rejects, "", batches::rejects(&rejects, self.stamp)?)?;
        }
        Ok(())
    }

    fn count_report(&mut self, r: &Report) {
        match r.status {
            ParseStatus::Ok => self.counts.reports_ok += 1,
            ParseStatus::Partial => self.counts.reports_partial += 1,
        }
        self.counts.cells += r.cells.len() as u64;
        self.counts.cells_ok += r.cells_ok() as u64;
    }

    /// A file the dataset holds as it is; its entry is renewed when only
    /// its stamp changed.
    fn unchanged(&mut self, path: &str, version: &Version) -> Result<()> {
        self.counts.unchanged += 1;
        if let Some(renewed) = self.ledger.unchanged(path, version) {
            self.list(&renewed)?;
        }
        Ok(())
    }

    /// Lists a file this run read in the inventory.
    fn record(&mut self, entry: Entry) -> Result<()> {
        match self.ledger.read(&entry) {
            Earlier::None => {}
            Earlier::Replaced => self.counts.replaced += 1,
            Earlier::Retried => self.counts.retried += 1,
        }
        self.list(&entry)
    }

    fn append(&mut self, table: OutTable, part: &str, batch: RecordBatch) -> Result<()> {
        self.append_to(table, part, PartFile::Run, batch)
    }

    fn append_to(&mut self, table: OutTable, part: &str, file: PartFile, batch: RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let key = (table, part.to_string(), file);
        if !self.writers.contains_key(&key) {
            if self.writers.len() >= MAX_OPEN_WRITERS {
                self.close_least_recent()?;
            }
            let dir = self.staging.dir.join(table.dir()).join(part);
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let written = self.files_written.entry(key.clone()).or_insert(0);
            let path = dir.join(match (file, *written) {
                (PartFile::Run, 0) => format!("part-{:05}.parquet", self.run),
                (PartFile::Run, n) => format!("part-{:05}-{n}.parquet", self.run),
                (PartFile::AcrossYears, 0) => ACROSS_YEARS_FILE.to_string(),
                (PartFile::AcrossYears, n) => format!("across-years-{n}.parquet"),
            });
            *written += 1;
            let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
            let writer = ArrowWriter::try_new(file, table.schema().clone(), Some(properties(table)))
                .with_context(|| format!("cannot start {}", path.display()))?;
            self.writers.insert(key.clone(), (writer, 0));
        }
        self.appends += 1;
        let (writer, last_used) = self.writers.get_mut(&key).context("writer vanished")?;
        *last_used = self.appends;
        let context = || format!("cannot write {} rows to {}/{}", table.dir(), table.dir(), part);
        writer.write(&batch).with_context(context)?;
        if writer.in_progress_size() >= ROW_GROUP_BYTES {
            writer.flush().with_context(context)?;
        }
        Ok(())
    }

    /// Finishes the writer that took rows longest ago; rows of its
    /// partition that come later go to a file of their own.
    fn close_least_recent(&mut self) -> Result<()> {
        let oldest = self.writers.iter().min_by_key(|(_, (_, used))| *used).map(|(key, _)| key.clone());
        if let Some((table, part, file)) = oldest {
            if let Some((writer, _)) = self.writers.remove(&(table, part.clone(), file)) {
                writer.close().with_context(|| format!("cannot finish {}/{}", table.dir(), part))?;
            }
        }
        Ok(())
    }

    /// Finishes the inventory with the previous entries this run keeps,
    /// and works out which of the previous rows go.
    fn merge_inventory(&mut self) -> Result<Dropped> {
        // A reject's file that is gone: its cause is gone too.
        let exists = |path: &str| discover::text_path(path).symlink_metadata().is_ok();
        for entry in self.ledger.kept(exists) {
            self.list(entry)?;
        }
        Ok(self.ledger.dropped(exists, partition))
    }

    /// Writes an entry to the inventory and counts what it adds to the
    /// dataset: a report's rows count once, however many files have its bytes.
    fn list(&mut self, entry: &Entry) -> Result<()> {
        let totals = &mut self.totals;
        totals.files += 1;
        if !entry.is_report() {
            totals.rejects += 1;
        } else if self.ledger.list(entry) {
            match entry.outcome {
                inventory::Outcome::Partial => totals.reports_partial += 1,
                _ => totals.reports_ok += 1,
            }
            totals.cells += entry.cells;
            totals.cells_ok += entry.cells_ok;
            totals.sections += entry.sections;
            totals.checks_failed += entry.checks_failed;
        }
        self.inventory.push(entry)
    }

    /// Ends the intake: lists the previous entries this run keeps and works
    /// out which earlier rows leave. Then come the checks across years and
    /// the commit.
    pub fn close_intake(&mut self) -> Result<()> {
        let dropped = self.merge_inventory()?;
        self.dropped = Some(dropped);
        Ok(())
    }

    /// Runs the checks that compare a report with the same agency's report
    /// of the year before, over every report the dataset now holds.
    pub fn check_across_years(&mut self) -> Result<()> {
        let mut facts = self.year_facts.take().context("checks across years run twice")?;
        let dropped = self.dropped.as_ref().context("checks across years before the intake was closed")?;
        if let Some(previous) = self.previous {
            facts.copy_from(&previous.facts_path(), |id| !dropped.report_ids.contains(id))?;
        }
        let mut pending: BTreeMap<String, Vec<(Box<str>, CheckResult<'t>)>> = BTreeMap::new();
        let mut held = 0;
        let mut failed = 0;
        facts.for_each_pair(|this, previous| {
            for result in validate::check_pair(this, previous) {
                if result.status == CheckStatus::Fail {
                    failed += 1;
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
        self.append_checks(pending)?;
        self.totals.checks_failed_across_years = failed;
        facts.finish()
    }

    fn append_checks(&mut self, by_partition: BTreeMap<String, Vec<(Box<str>, CheckResult<'t>)>>) -> Result<()> {
        for (part, rows) in by_partition {
            let batch = batches::checks(rows.iter().map(|(id, r)| (&**id, r)))?;
            self.append_to(OutTable::Checks, &part, PartFile::AcrossYears, batch)?;
        }
        Ok(())
    }

    /// Brings the previous dataset's Parquet files into staging, without
    /// the rows `dropped` names.
    fn carry_over(&self, dropped: &Dropped) -> Result<()> {
        let Some(previous) = self.previous else {
            return Ok(());
        };
        let none = HashSet::new();
        let rewritten_name = format!("part-{:05}-kept.parquet", self.run);
        for table in OutTable::ALL {
            let (key, drop, partitions) = match table {
                OutTable::Rejects => ("source_path", &dropped.reject_paths, None),
                _ => ("report_id", &dropped.report_ids, Some(&dropped.partitions)),
            };
            let repoint = (table == OutTable::Reports).then_some(&dropped.repointed);
            let rebuilt: &[&str] = if table == OutTable::Checks { &[ACROSS_YEARS_PREFIX] } else { &[] };
            let drop = if drop.is_empty() { &none } else { drop };
            Carry {
                table_dir: table.dir(),
                key,
                drop,
                repoint,
                partitions,
                rewritten_name: &rewritten_name,
                rebuilt,
                properties: properties(table),
            }
            .run(&previous.dir, &self.staging.dir)?;
        }
        Ok(())
    }

    /// The folders of tables that may have no rows (nothing rejected, no
    /// claim in any prose) hold a file even then: an empty one with the
    /// schema, as readers' globs fail on an empty folder. In a partitioned
    /// table it stands at the top, and leaves once a year's folder has rows:
    /// hive readers want every file at one depth.
    fn ensure_a_file(&self, table: OutTable, partitioned: bool) -> Result<()> {
        let dir = self.staging.dir.join(table.dir());
        let mut placeholders = Vec::new();
        let mut in_partitions = false;
        for entry in walkdir::WalkDir::new(&dir).min_depth(1) {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            if entry.path().extension().is_some_and(|x| x == "parquet") {
                if entry.depth() == 1 {
                    placeholders.push(entry.into_path());
                } else {
                    in_partitions = true;
                }
            }
        }
        if partitioned && in_partitions {
            for path in placeholders {
                std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            }
            return Ok(());
        }
        if !placeholders.is_empty() {
            return Ok(());
        }
        let path = dir.join(format!("part-{:05}.parquet", self.run));
        let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        ArrowWriter::try_new(file, table.schema().clone(), Some(properties(table)))
            .and_then(ArrowWriter::close)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    /// Completes the dataset (the previous one's rows carried over, checks
    /// across years, inventory, manifest) and swaps it into place.
    pub fn commit(mut self, mut manifest: manifest::Manifest) -> Result<manifest::Manifest> {
        let dropped = self.dropped.take().context("commit before the intake was closed")?;
        anyhow::ensure!(self.year_facts.is_none(), "commit before the checks across years");
        self.carry_over(&dropped)?;
        for ((table, part, _), (writer, _)) in std::mem::take(&mut self.writers) {
            writer.close().with_context(|| format!("cannot finish {}/{}", table.dir(), part))?;
        }
        // Every table folder exists, even when empty, so readers find the dataset's shape.
        for table in OutTable::ALL {
            std::fs::create_dir_all(self.staging.dir.join(table.dir()))?;
        }
        self.ensure_a_file(OutTable::Rejects, false)?;
        self.ensure_a_file(OutTable::Claims, true)?;
        self.keep_user_files()?;
        self.inventory.finish()?;
        manifest.run = self.run;
        manifest.finished_at = chrono::Utc::now().to_rfc3339();
        manifest.counts = self.totals.clone();
        manifest.this_run = self.counts.clone();
        files::write_list(&self.staging.dir)?;
        manifest.state = files::state_files(&self.staging.dir)?;
        manifest.write(&self.staging.dir.join(MANIFEST_FILE))?;
        self.store.commit(self.staging)?;
        Ok(manifest)
    }

    /// Carries what a person put in the dataset beside the tables (notes,
    /// an analysis folder) into the new snapshot, as hard links.
    fn keep_user_files(&self) -> Result<()> {
        let Some(current) = self.store.current()? else {
            return Ok(());
        };
        let ours = |name: &std::ffi::OsStr| TABLE_DIRS.iter().chain(&[STATE_DIR, MANIFEST_FILE]).any(|n| name == *n);
        for entry in std::fs::read_dir(&current).with_context(|| format!("cannot list {}", current.display()))? {
            let entry = entry.with_context(|| format!("cannot list {}", current.display()))?;
            if ours(&entry.file_name()) {
                continue;
            }
            for file in walkdir::WalkDir::new(entry.path()) {
                let file = file.with_context(|| format!("cannot list {}", entry.path().display()))?;
                let target = self.staging.dir.join(file.path().strip_prefix(&current)?);
                if file.file_type().is_dir() {
                    std::fs::create_dir_all(&target).with_context(|| format!("cannot create {}", target.display()))?;
                } else {
                    carry::link_or_copy(file.path(), &target)?;
                }
            }
        }
        Ok(())
    }
}

/// A report's line in the inventory.
fn report_entry(report: &Report, version: &Version, run: u32) -> Entry {
    let outcome = match report.status {
        ParseStatus::Ok => inventory::Outcome::Ok,
        ParseStatus::Partial => inventory::Outcome::Partial,
    };
    let mut entry = Entry {
        path: report.source_path.clone(),
        size: None,
        modified_ns: None,
        hints: None,
        report_id: Some(report.report_id.clone()),
        outcome,
        year: report.meta.year,
        cells: report.cells.len() as u64,
        cells_ok: report.cells_ok() as u64,
        sections: report.sections.len() as u64,
        checks_failed: report.checks_failed() as u64,
        run,
    };
    entry.set_version(version);
    entry
}

/// A reject's line in the inventory.
fn reject_entry(reject: &Reject, version: &Version, run: u32) -> Entry {
    let mut entry = Entry {
        path: reject.source_path.clone(),
        size: None,
        modified_ns: None,
        hints: None,
        report_id: reject.report_id.clone(),
        outcome: inventory::Outcome::Reject,
        year: None,
        cells: 0,
        cells_ok: 0,
        sections: 0,
        checks_failed: 0,
        run,
    };
    entry.set_version(version);
    entry
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
