//! Command line: clap's derive types, turned into plain options for the
//! library. Nothing past this module sees clap.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::config;
use crate::ingest::{self, IngestOptions};

#[derive(Debug, Parser)]
#[command(
    name = "xxgk",
    version,
    about = "Turns the statistics tables of government information-disclosure annual reports into a Parquet dataset"
)]
pub struct Opts {
    /// Configuration file [default: config/xxgk.toml if present, else built-in]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse reports and write the dataset (cells, reports, sections, rejects, manifest.json)
    Ingest {
        /// Files and folders to read [default: ingest.inputs from the config]
        inputs: Vec<PathBuf>,
        /// Dataset directory [default: ingest.out from the config]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Worker threads [default: all cores]
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Crawler metadata per file: CSV with a header, or JSON Lines (.jsonl),
        /// with `path` and any of `url`, `title`, `published`, `site`, `agency`, `year`
        #[arg(long, value_name = "FILE")]
        meta: Option<PathBuf>,
        /// Print only errors
        #[arg(long)]
        quiet: bool,
        /// Exit with status 1 when any input was rejected
        #[arg(long)]
        fail_on_reject: bool,
    },
    /// Summarise a dataset's quality: reports by status, most failed checks, worst files
    Check {
        /// Dataset directory [default: ingest.out from the config]
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Validate the configuration and templates, and print what they define
    CheckConfig,
    /// Derive the compact division table from the gazetteer's CSV files
    Divisions {
        /// Folder with provinces.csv, cities.csv, areas.csv, streets.csv
        #[arg(long, value_name = "DIR")]
        gazetteer: PathBuf,
        /// File to write [default: the regions.divisions of the config]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Write synthetic reports in every layout, with ground-truth.csv of every cell
    Synth {
        /// Number of reports
        #[arg(long, default_value_t = 10)]
        n: usize,
        /// Random seed; the same seed writes the same files
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Runs the parsed command; returns the process exit code.
pub fn run(opts: Opts) -> Result<i32> {
    let (settings, reference) = config::load(opts.config.as_deref())?;
    let catalog = &reference.catalog;
    match opts.command {
        Command::Ingest { inputs, out, jobs, meta, quiet, fail_on_reject } => {
            let options = IngestOptions {
                inputs: if inputs.is_empty() { settings.inputs.clone() } else { inputs },
                out: out.unwrap_or_else(|| settings.out.clone()),
                jobs,
                meta,
                quiet,
            };
            let summary = ingest::run(&settings, &reference, &options)?;
            if !quiet {
                eprintln!("xxgk: {summary}; dataset in {}", options.out.display());
            }
            Ok(if fail_on_reject && summary.counts.rejects > 0 { 1 } else { 0 })
        }
        Command::Check { data } => {
            print!("{}", crate::quality::summarise(&data.unwrap_or_else(|| settings.out.clone()))?);
            Ok(0)
        }
        Command::CheckConfig => {
            println!("config: {} (ok)", settings.source);
            for template in &catalog.templates {
                let cells: Vec<String> = template
                    .tables
                    .iter()
                    .map(|t| {
                        let n: usize = t.rows.iter().filter(|r| r.replaces.is_empty()).map(|r| r.cols.len()).sum();
                        format!("{} {n}", t.code)
                    })
                    .collect();
                println!("template {}: {} — cells: {}", template.code, template.name, cells.join(", "));
            }
            Ok(0)
        }
        Command::Divisions { gazetteer, out } => {
            let out = out.or(settings.divisions.clone()).unwrap_or_else(|| PathBuf::from("data/divisions.tsv"));
            let table = crate::region::derive(&gazetteer)?;
            std::fs::write(&out, &table).with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("xxgk: wrote {} divisions to {}", table.lines().count() - 1, out.display());
            Ok(0)
        }
        Command::Synth { n, seed, out } => {
            crate::synth::write_corpus(catalog, n, seed, &out)?;
            eprintln!("xxgk: wrote {n} reports and ground-truth.csv to {}", out.display());
            Ok(0)
        }
    }
}
