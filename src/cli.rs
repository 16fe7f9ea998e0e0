//! Command line: clap's derive types, turned into plain options for the
//! library. Nothing past this module sees clap.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand};

use crate::config;
use crate::console;
use crate::ingest::{self, IngestOptions};
use crate::summary::{GROUP_COLUMNS, PRESETS};

/// The tables of the template, by code (`--table`).
pub const TABLES: [&str; 3] = ["proactive", "requests", "appeals"];

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
    /// How notes, rejects and errors are written to standard error
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub log_format: console::LogFormat,
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
        /// Parsing threads, with a writer thread beside them; 1 parses and
        /// writes on one thread [default: all cores]
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
        /// Rebuild the dataset from these inputs alone; without it, a run
        /// adds to the dataset in --out, skipping the files it holds unchanged
        #[arg(long)]
        full: bool,
    },
    /// Aggregate a dataset to CSV: sums of cells by group, presets, or one row per report
    Summary {
        /// Dataset directory [default: ingest.out from the config]
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// A preset summary
        #[arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(PRESETS))]
        preset: Option<String>,
        /// Group by these (comma-separated)
        #[arg(long, value_name = "COLS", value_delimiter = ',', value_parser = PossibleValuesParser::new(GROUP_COLUMNS))]
        by: Vec<String>,
        /// Only this table
        #[arg(long, value_name = "TABLE", value_parser = PossibleValuesParser::new(TABLES))]
        table: Option<String>,
        /// Only rows whose code matches one of these globs (comma-separated), e.g. result.withheld.*
        #[arg(long, value_name = "GLOBS", value_delimiter = ',')]
        rows: Vec<String>,
        /// Only columns whose code matches one of these globs (comma-separated)
        #[arg(long, value_name = "GLOBS", value_delimiter = ',')]
        cols: Vec<String>,
        /// One row per report, one column per cell code
        #[arg(long)]
        wide: bool,
        /// UTF-8 with a byte-order mark, so Excel shows Chinese text
        #[arg(long)]
        excel: bool,
        /// Header language: en (codes) or zh (Chinese labels)
        #[arg(long, value_name = "LANG", default_value = "en", value_parser = ["en", "zh"])]
        labels: String,
        /// CSV file to write [default: standard output]
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Summarise a dataset's quality: reports by status, most failed checks, worst files
    Check {
        /// Dataset directory [default: ingest.out from the config]
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Remove the snapshots of a dataset that are no longer current (a run
    /// removes them a day after they were superseded)
    Vacuum {
        /// Dataset directory [default: ingest.out from the config]
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Validate the configuration and templates, and print what they define
    CheckConfig,
    /// Parse one file and print how each row was read, and every cell
    Explain {
        /// The report to explain
        file: PathBuf,
        /// Print the text xxgk reads instead, with line numbers: for a PDF or
        /// Word file, the extracted text whose lines `source_line` counts
        #[arg(long)]
        text: bool,
    },
    /// Write the codebook of every table/row/col code (Markdown and CSV)
    Codebook {
        /// Folder to write codebook.md and codebook.csv into
        #[arg(long, value_name = "DIR", default_value = "data")]
        out_dir: PathBuf,
    },
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
        /// Write the layouts crawlers hand over instead: tags stripped (fused
        /// digits), PDF text (displaced value lines), one text node per line
        /// (empty cells dropped, equal lines collapsed)
        #[arg(long)]
        crawler: bool,
        /// Folder to write into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// The whole program behind `main`: parses the command line, runs it and
/// reports a failure once; returns the exit status.
pub fn main() -> i32 {
    let opts = Opts::parse();
    console::set_log_format(opts.log_format);
    match run(opts) {
        Ok(code) => code,
        // `xxgk check | head -1`: the reader has what it wanted.
        Err(err) if console::is_broken_pipe(&err) => 0,
        Err(err) => {
            let code = exit_code(&err);
            let fields = serde_json::json!({ "exit": code });
            // "Retry later" reads as a state, not an error.
            let prefix = if code == 3 { "" } else { "error: " };
            console::event("error", format_args!("{prefix}{err:#}"), fields);
            code
        }
    }
}

/// The exit status of a failed command, which cron can act on: 3 another
/// run holds the lock (retry later), 4 the dataset needs a person (damaged
/// state, a file xxgk did not write), 2 any other usage or setup error.
fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|e| e.is::<crate::sink::Busy>()) {
        3
    } else if err.chain().any(|e| e.is::<crate::sink::NeedsAttention>()) {
        4
    } else {
        2
    }
}

/// Runs the parsed command; returns the process exit code.
pub fn run(opts: Opts) -> Result<i32> {
    let config = config::open(opts.config.as_deref())?;
    let settings = &config.settings;
    match opts.command {
        Command::Ingest { inputs, out, jobs, meta, quiet, fail_on_reject, full } => {
            let options = IngestOptions {
                inputs: if inputs.is_empty() { settings.inputs.clone() } else { inputs },
                out: out.unwrap_or_else(|| settings.out.clone()),
                jobs,
                meta,
                quiet,
                full,
            };
            let summary = ingest::run(settings, &config.reference()?, &options)?;
            if !quiet || console::is_json() {
                let fields = serde_json::json!({ "out": options.out.display().to_string(), "summary": summary });
                console::event("finished", format_args!("{summary}; dataset in {}", options.out.display()), fields);
            }
            Ok(if fail_on_reject && summary.run.rejects > 0 { 1 } else { 0 })
        }
        #[cfg(feature = "summary")]
        Command::Summary { data, preset, by, table, rows, cols, wide, excel, labels, out } => {
            let options = crate::summary::SummaryOptions {
                data: data.unwrap_or_else(|| settings.out.clone()),
                preset,
                by,
                table,
                rows,
                cols,
                wide,
                excel,
                labels_zh: labels == "zh",
                out,
            };
            crate::summary::run(&options, &config.catalog()?)?;
            Ok(0)
        }
        #[cfg(not(feature = "summary"))]
        Command::Summary { .. } => anyhow::bail!("this xxgk was built without the `summary` feature"),
        Command::Check { data } => {
            console::out(&crate::tools::quality::summarise(&data.unwrap_or_else(|| settings.out.clone()))?)?;
            Ok(0)
        }
        Command::Vacuum { data } => {
            let store = crate::sink::Store::locate(&data.unwrap_or_else(|| settings.out.clone()))?;
            let _lock = store.lock()?;
            let removed = store.vacuum(std::time::Duration::ZERO)?;
            console::note(format_args!("removed {removed} snapshots of {}", store.out.display()));
            Ok(0)
        }
        Command::Explain { file, text: false } => {
            console::out(&explain(&file, &config.reference()?)?)?;
            Ok(0)
        }
        Command::Explain { file, text: true } => {
            console::out(&numbered_text(&file)?)?;
            Ok(0)
        }
        Command::CheckConfig => {
            let reference = config.reference()?;
            let mut text = format!("config: {} (ok)\n", settings.source);
            for template in &reference.catalog.templates {
                let cells: Vec<String> = template
                    .tables
                    .iter()
                    .map(|t| {
                        let n: usize = t.rows.iter().filter(|r| r.replaces.is_empty()).map(|r| r.cols.len()).sum();
                        format!("{} {n}", t.code)
                    })
                    .collect();
                text.push_str(&format!(
                    "template {}: {} — cells: {}\n",
                    template.code,
                    template.name,
                    cells.join(", ")
                ));
            }
            console::out(&text)?;
            Ok(0)
        }
        Command::Codebook { out_dir } => {
            let catalog = &config.catalog()?;
            std::fs::create_dir_all(&out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
            for (name, text) in [
                ("codebook.md", crate::tools::codebook::markdown(catalog)),
                ("codebook.csv", crate::tools::codebook::csv(catalog)?),
            ] {
                let path = out_dir.join(name);
                std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            }
            console::note(format_args!("wrote codebook.md and codebook.csv to {}", out_dir.display()));
            Ok(0)
        }
        Command::Divisions { gazetteer, out } => {
            let out = out.or(settings.divisions.clone()).unwrap_or_else(|| PathBuf::from("data/divisions.tsv"));
            let table = crate::parse::region::derive(&gazetteer)?;
            std::fs::write(&out, &table).with_context(|| format!("cannot write {}", out.display()))?;
            console::note(format_args!("wrote {} divisions to {}", table.lines().count() - 1, out.display()));
            Ok(0)
        }
        Command::Synth { n, seed, crawler, out } => {
            crate::tools::synth::write_corpus(&config.reference()?, n, seed, crawler, &out)?;
            console::note(format_args!("wrote {n} reports and ground-truth.csv to {}", out.display()));
            Ok(0)
        }
    }
}

/// What `xxgk explain --text` prints: each line of the text xxgk reads,
/// after its number and, for a PDF, its page.
fn numbered_text(file: &std::path::Path) -> Result<String> {
    use std::fmt::Write;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let document = crate::extract::read(&bytes, crate::discover::is_html_path(file))
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", file.display()))?;
    let mut out = String::new();
    for (line, text) in (1u32..).zip(document.text.lines()) {
        match crate::extract::page_of(&document.page_starts, line) {
            Some(page) => writeln!(out, "{line}\tp{page}\t{text}")?,
            None => writeln!(out, "{line}\t{text}")?,
        }
    }
    Ok(out)
}

/// What `xxgk explain` prints: the layout, why each row was read as it
/// was, the warnings, and every cell with its status and line.
fn explain(file: &std::path::Path, reference: &crate::config::Reference) -> Result<String> {
    use std::fmt::Write;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let is_html = crate::discover::is_html_path(file);
    let mut out = String::new();
    match crate::report::parse(&file.display().to_string(), &bytes, is_html, None, reference) {
        crate::report::Outcome::Reject(reject) => writeln!(out, "rejected: {reject}")?,
        crate::report::Outcome::Report(report) => {
            writeln!(
                out,
                "layout {}, template {}, status {}",
                report.layout.as_str(),
                report.template.code,
                report.status.as_str()
            )?;
            for line in &report.trace {
                writeln!(out, "read {line}")?;
            }
            for warning in &report.warnings {
                writeln!(out, "warning {}: {warning}", warning.kind.code())?;
            }
            // The narrative checks, one per claim and in its order.
            let narrative =
                report.checks.iter().filter(|c| c.check.code.starts_with(crate::template::claims::CHECK_PREFIX));
            for (claim, check) in report.claims.iter().zip(narrative) {
                let table = check.rhs.map_or("-".to_string(), |v| v.to_string());
                let why = claim.unclear.as_deref().map_or(String::new(), |why| format!(" ({why})"));
                writeln!(
                    out,
                    "claim line {}: {} {} against {} {} = {table}: {}{why}; {}",
                    claim.line,
                    claim.rule.kind,
                    claim.quantity,
                    check.row.unwrap_or_default(),
                    claim.rule.col,
                    check.status.as_str(),
                    claim.text
                )?;
            }
            for c in &report.cells {
                let value = c.reading.value.map_or(String::new(), |v| v.to_string());
                let line = c.line.map_or(String::new(), |l| l.to_string());
                let raw = c.raw.as_deref().unwrap_or("");
                writeln!(
                    out,
                    "{}\t{}\t{}\t{value}\t{}\t{raw}\tline {line}",
                    c.table.code,
                    c.row.code,
                    c.col.code,
                    c.reading.status.as_str()
                )?;
            }
        }
    }
    Ok(out)
}
