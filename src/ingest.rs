//! Ingest: the batch run. Discovers inputs, parses them in parallel on a
//! rayon pool, hands each batch (in input order) to the one writer thread,
//! and commits the dataset. Every input ends as a report or a reject.

use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::config::{Reference, Settings};
use crate::discover::{self, Input};
use crate::report::{self, Outcome, Reject};
use crate::sidecar::Sidecar;
use crate::sink::manifest::Manifest;
use crate::sink::{self, Counts, Dataset, RunStamp};

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
}

#[derive(Debug)]
pub struct Summary {
    pub counts: Counts,
    pub elapsed: Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.counts;
        write!(
            f,
            "{} files: {} reports ok, {} partial, {} rejected; {} cells ({} ok) in {:.2}s",
            c.files,
            c.reports_ok,
            c.reports_partial,
            c.rejects,
            c.cells,
            c.cells_ok,
            self.elapsed.as_secs_f64()
        )
    }
}

pub fn run(settings: &Settings, reference: &Reference, options: &IngestOptions) -> Result<Summary> {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    let sidecar = match &options.meta {
        Some(path) => Sidecar::load(path)?,
        None => Sidecar::default(),
    };
    let inputs = discover::discover(&options.inputs, &settings.extensions);
    let progress = progress_bar(inputs.len() as u64, options.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let stamp =
        RunStamp { ingested_at_micros: started_at.timestamp_micros(), parser_version: env!("CARGO_PKG_VERSION") };
    let dataset = Dataset::create(&options.out, stamp)?;
    let batches = inputs.chunks(settings.batch_size).map(|batch| {
        let outcomes: Vec<Outcome> = pool
            .install(|| batch.par_iter().map(|input| read_and_parse(input, settings, &sidecar, reference)).collect());
        for outcome in &outcomes {
            if let Outcome::Reject(reject) = outcome {
                progress.suspend(|| eprintln!("xxgk: {reject}"));
            }
        }
        progress.inc(outcomes.len() as u64);
        outcomes
    });
    let mut dataset = if pool.current_num_threads() > 1 {
        write_behind(dataset, batches)?
    } else {
        // One job: batches are written between parses on this thread, so
        // `--jobs 1` keeps to one core.
        let mut dataset = dataset;
        for outcomes in batches {
            write_batch(&mut dataset, outcomes)?;
        }
        dataset
    };
    dataset.check_across_years()?;
    progress.finish_and_clear();
    let manifest = Manifest {
        tool: "xxgk",
        tool_version: env!("CARGO_PKG_VERSION"),
        schema_version: sink::schema::SCHEMA_VERSION,
        started_at: started_at.to_rfc3339(),
        finished_at: chrono::Utc::now().to_rfc3339(),
        config: settings.source.clone(),
        inputs: options.inputs.iter().map(|p| p.display().to_string()).collect(),
        templates: reference.catalog.templates.iter().map(|t| t.code.clone()).collect(),
        counts: dataset.counts.clone(),
    };
    let counts = dataset.commit(&manifest)?;
    Ok(Summary { counts, elapsed: started.elapsed() })
}

/// Writes batches on a thread of its own while the workers parse the next:
/// the channel holds at most one batch more, which bounds memory.
fn write_behind<'t>(mut dataset: Dataset<'t>, batches: impl Iterator<Item = Vec<Outcome<'t>>>) -> Result<Dataset<'t>> {
    let (sender, receiver) = mpsc::sync_channel::<Vec<Outcome>>(1);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<Dataset> {
            for outcomes in receiver {
                write_batch(&mut dataset, outcomes)?;
            }
            Ok(dataset)
        });
        for outcomes in batches {
            if sender.send(outcomes).is_err() {
                break; // the writer failed; its error is returned below
            }
        }
        drop(sender);
        writer.join().map_err(|_| anyhow::anyhow!("the writer thread panicked"))?
    })
}

fn write_batch<'t>(dataset: &mut Dataset<'t>, outcomes: Vec<Outcome<'t>>) -> Result<()> {
    dataset.write(&outcomes)?;
    drop(outcomes);
    release_free_memory();
    Ok(())
}

/// Hands the pages freed by a written batch back to the system. Reports are
/// allocated on worker threads and freed on the writer's, which leaves
/// glibc's heaps fragmented: without this the resident size creeps up over a
/// long run although the live heap does not.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the system; it is
    // safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Reads one input within the size limit and parses it. Never panics out:
/// a parser bug becomes a reject naming the file.
fn read_and_parse<'t>(
    input: &Result<Input, Reject>,
    settings: &Settings,
    sidecar: &Sidecar,
    reference: &'t Reference,
) -> Outcome<'t> {
    let input = match input {
        Ok(input) => input,
        Err(reject) => return Outcome::Reject(reject.clone()),
    };
    let path = input.path.display().to_string();
    let reject = |reason: String| {
        Outcome::Reject(Reject { source_path: path.clone(), report_id: None, source_bytes: None, reason, line: None })
    };
    let bytes = match read_limited(&input.path, settings.max_file_bytes) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(size)) => {
            return reject(format!(
                "file is {size} bytes, above the limit of {} (ingest.max_file_bytes)",
                settings.max_file_bytes
            ))
        }
        Err(err) => return reject(format!("cannot read: {err}")),
    };
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        report::parse(&path, &bytes, input.is_html, sidecar.lookup(&input.path), reference)
    }));
    parsed
        .unwrap_or_else(|_| reject("internal error: the parser panicked on this file (a bug; please report it)".into()))
}

/// The file's bytes, or `Err(size)` when it is larger than `limit`. Reads at
/// most `limit + 1` bytes, so a file growing under us cannot exceed it.
fn read_limited(path: &std::path::Path, limit: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
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
