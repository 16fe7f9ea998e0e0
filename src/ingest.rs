//! Ingest: the batch run. Discovers inputs, parses them in parallel on a
//! rayon pool, hands each batch (in input order) to the one writer thread,
//! and commits the dataset. Every input ends as a report, a reject, or a
//! file the dataset already holds unchanged.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::config::{Reference, Settings};
use crate::console;
use crate::diagnostics::RejectReason;
use crate::discover::{self, Input};
use crate::report::{self, Outcome, Reject};
use crate::sidecar::Sidecar;
use crate::sink::inventory::{Entry, Inventory, Stamp, Version};
use crate::sink::manifest::{Manifest, SlowFile, Stages};
use crate::sink::previous::Previous;
use crate::sink::{self, Counts, Dataset, Intake, RunCounts, RunStamp, Store};

/// What a run was asked to do, whatever the CLI said.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    /// Worker threads; all cores when `None`.
    pub jobs: Option<usize>,
    /// Crawler metadata per file (CSV or JSON Lines).
    pub meta: Option<PathBuf>,
    pub quiet: bool,
    /// Rebuild the dataset from these inputs alone, instead of adding them
    /// to what `out` holds.
    pub full: bool,
}

#[derive(Debug, serde::Serialize)]
pub struct Summary {
    /// What this run did.
    pub run: RunCounts,
    /// What the dataset holds after it.
    pub dataset: Counts,
    /// Files in the input folders whose extension is not read, by extension.
    pub skipped: BTreeMap<String, u64>,
    pub elapsed_s: f64,
    pub stages: Stages,
    pub slowest_files: Vec<SlowFile>,
}

/// How many of the slowest files a run names.
const SLOWEST_FILES: usize = 10;

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (r, d) = (&self.run, &self.dataset);
        write!(
            f,
            "{} files: {} read ({} reports ok, {} partial, {} rejected; {} replacing an earlier version, {} \
             retried, {} duplicates), {} unchanged; {} cells ({} ok) in {:.2}s; the dataset holds {} reports and \
             {} rejects",
            r.files,
            r.read,
            r.reports_ok,
            r.reports_partial,
            r.rejects,
            r.replaced,
            r.retried,
            r.duplicates,
            r.unchanged,
            r.cells,
            r.cells_ok,
            self.elapsed_s,
            d.reports_ok + d.reports_partial,
            d.rejects,
        )?;
        if !self.skipped.is_empty() {
            let counts: Vec<String> = self.skipped.iter().map(|(ext, n)| format!("{n} {ext}")).collect();
            write!(f, "; skipped (extension not read): {}", counts.join(", "))?;
        }
        Ok(())
    }
}

pub fn run(settings: &Settings, reference: &Reference, options: &IngestOptions) -> Result<Summary> {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    let sidecar = match &options.meta {
        Some(path) => Sidecar::load(path)?,
        None => Sidecar::default(),
    };
    // A typo in a cron line is a setup error to fix, not a reject to keep.
    if let Some(missing) = options.inputs.iter().find(|p| p.symlink_metadata().is_err()) {
        anyhow::bail!("input {} does not exist", missing.display());
    }
    let mut stages = Stages::default();
    let mut stage = Instant::now();
    let mut lap = |seconds: &mut f64| {
        *seconds = stage.elapsed().as_secs_f64();
        stage = Instant::now();
    };
    let found = discover::discover(&options.inputs, &settings.extensions);
    lap(&mut stages.discover_s);
    let inputs = found.inputs;
    let progress = progress_bar(inputs.len() as u64, options.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.map_or(0, capped_jobs))
        .build()
        .context("cannot start worker threads")?;
    let stamp =
        RunStamp { ingested_at_micros: started_at.timestamp_micros(), parser_version: env!("CARGO_PKG_VERSION") };
    let store = Store::locate(&options.out)?;
    let _lock = store.lock()?;
    let samples_only = options.inputs.iter().all(|input| is_samples_folder(input));
    let mut previous = Previous::open(&store, &reference.fingerprint, options.full)?;
    // The README's first command fills `out/` with the samples; a user's
    // own reports start a dataset of their own instead of joining them.
    if previous.as_ref().is_some_and(|p| p.samples_only) && !samples_only {
        console::note(format_args!(
            "{} held only the bundled samples; it now holds these inputs instead",
            options.out.display()
        ));
        previous = None;
    }
    let held = previous.as_ref().map(|p| &p.inventory);
    let dataset = Dataset::create(&store, stamp, previous.as_ref(), &reference.catalog.templates)?;
    lap(&mut stages.open_s);
    let mut slowest: Vec<SlowFile> = Vec::new();
    let batches = inputs.chunks(settings.batch_size).map(|batch| {
        let timed: Vec<(Intake, Duration)> = pool.install(|| {
            batch
                .par_iter()
                .map(|input| {
                    let started = Instant::now();
                    (take_in(input, held, settings, &sidecar, reference), started.elapsed())
                })
                .collect()
        });
        let intakes: Vec<Intake> = timed
            .into_iter()
            .map(|(intake, took)| {
                note_slow(&mut slowest, &intake, took);
                intake
            })
            .collect();
        for intake in &intakes {
            if let Intake::Read { outcome: Outcome::Reject(reject), .. } = intake {
                let fields =
                    serde_json::json!({ "path": reject.source_path, "code": reject.reason.code(), "reason": reject.reason.to_string(), "line": reject.line });
                progress.suspend(|| console::event("reject", format_args!("{reject}"), fields));
            }
        }
        progress.inc(intakes.len() as u64);
        intakes
    });
    let mut dataset = if pool.current_num_threads() > 1 {
        write_behind(dataset, batches)?
    } else {
        // One job: batches are written between parses on this thread, so
        // `--jobs 1` keeps to one core.
        let mut dataset = dataset;
        for intakes in batches {
            dataset.write(&intakes)?;
        }
        dataset
    };
    progress.finish_and_clear();
    dataset.close_intake()?;
    lap(&mut stages.read_s);
    dataset.check_across_years()?;
    lap(&mut stages.across_years_s);
    let manifest = Manifest {
        tool: "xxgk",
        tool_version: env!("CARGO_PKG_VERSION"),
        schema_version: sink::schema::SCHEMA_VERSION,
        fingerprint: reference.fingerprint.clone(),
        started_at: started_at.to_rfc3339(),
        config: settings.source.clone(),
        inputs: options.inputs.iter().map(|p| p.display().to_string()).collect(),
        templates: reference.catalog.templates.iter().map(|t| t.code.clone()).collect(),
        skipped_files: found.skipped.clone(),
        samples_only,
        stages: stages.clone(),
        slowest_files: slowest.clone(),
        ..Manifest::default()
    };
    let written = dataset.commit(manifest)?;
    store.vacuum(sink::store::GRACE)?;
    lap(&mut stages.commit_s);
    Ok(Summary {
        run: written.this_run,
        dataset: written.counts,
        skipped: found.skipped,
        elapsed_s: started.elapsed().as_secs_f64(),
        stages,
        slowest_files: slowest,
    })
}

/// Whether `path` is the bundled samples folder: `data/samples` with the
/// ground truth `xxgk synth` writes beside them.
fn is_samples_folder(path: &std::path::Path) -> bool {
    let Ok(path) = path.canonicalize() else {
        return false;
    };
    path.ends_with("data/samples") && path.join("ground-truth.csv").is_file()
}

/// Keeps the slowest files read, slowest first.
fn note_slow(slowest: &mut Vec<SlowFile>, intake: &Intake, took: Duration) {
    let path = match intake {
        Intake::Read { outcome: Outcome::Report(r), .. } => &r.source_path,
        Intake::Read { outcome: Outcome::Reject(r), .. } => &r.source_path,
        Intake::Unchanged { .. } => return,
    };
    let seconds = took.as_secs_f64();
    if slowest.len() == SLOWEST_FILES && slowest.last().is_some_and(|s| s.seconds >= seconds) {
        return;
    }
    slowest.push(SlowFile { path: path.clone(), seconds });
    slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    slowest.truncate(SLOWEST_FILES);
}

/// At most four threads per core: more only cost memory (each holds a
/// document and its parse), and `--jobs 100000` would start as many threads.
fn capped_jobs(jobs: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cap = 4 * cores;
    if jobs > cap {
        console::note(format_args!("--jobs {jobs} is more than 4 per core; using {cap}"));
    }
    jobs.clamp(1, cap)
}

/// Writes batches on a thread of its own while the workers parse the next:
/// the channel holds at most one batch more, which bounds memory.
fn write_behind<'t>(mut dataset: Dataset<'t>, batches: impl Iterator<Item = Vec<Intake<'t>>>) -> Result<Dataset<'t>> {
    let (sender, receiver) = mpsc::sync_channel::<Vec<Intake>>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<Dataset> {
            for intakes in receiver {
                dataset.write(&intakes)?;
            }
            Ok(dataset)
        });
        for intakes in batches {
            if sender.send(intakes).is_err() {
                break; // the writer failed; its error is returned below
            }
        }
        drop(sender);
        writer.join().map_err(|_| anyhow::anyhow!("the writer thread panicked"))?
    })
}

/// Takes in one input: skipped when the dataset holds it unchanged (the
/// same size and modification time, or the same bytes, with the same crawler
/// metadata), else read within the size limit and parsed.
fn take_in<'t>(
    input: &Result<Input, Box<Reject>>,
    held: Option<&Inventory>,
    settings: &Settings,
    sidecar: &Sidecar,
    reference: &'t Reference,
) -> Intake<'t> {
    let input = match input {
        Ok(input) => input,
        Err(reject) => {
            return Intake::Read { outcome: Outcome::Reject((**reject).clone()), version: Version::default() }
        }
    };
    let path = discover::path_text(&input.path);
    let hints = sidecar.lookup(&input.path);
    let version = Version { stamp: Stamp::of(&input.path), hints: hints.map(|h| h.fingerprint()) };
    let earlier = held.and_then(|inventory| inventory.get(&path));
    if earlier.is_some_and(|e| e.is_unchanged(&version)) {
        return Intake::Unchanged { path, version };
    }
    let reject = |reason: RejectReason| {
        Outcome::Reject(Reject { source_path: path.clone(), report_id: None, source_bytes: None, reason, line: None })
    };
    let bytes = match read_limited(&input.path, settings.max_file_bytes) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(size)) => {
            return Intake::Read { outcome: reject(report::too_large(size, settings.max_file_bytes)), version };
        }
        // Not listed with a stamp, so the next run tries again.
        Err(err) => {
            return Intake::Read {
                outcome: reject(RejectReason::CannotRead(err.to_string())),
                version: Version::default(),
            }
        }
    };
    let same_bytes = |e: &Entry| e.report_id.as_deref() == Some(report::report_id(&bytes).as_str());
    if earlier.is_some_and(|e| e.hints == version.hints && same_bytes(e)) {
        return Intake::Unchanged { path, version };
    }
    let outcome = report::parse_contained(&path, &bytes, input.is_html, hints, reference);
    Intake::Read { outcome, version }
}

/// The file's bytes, or `Err(size)` when it is larger than `limit`. Reads at
/// most `limit + 1` bytes, so a file growing under us cannot exceed it.
pub fn read_limited(path: &std::path::Path, limit: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Ok(Err(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Ok(Err(bytes.len() as u64));
    }
    Ok(Ok(bytes))
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    // Draws only when stderr is a terminal.
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} files  {per_sec}  ETA {eta}  {elapsed_precise}")
    {
        bar.set_style(style);
    }
    bar
}
