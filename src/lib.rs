//! xxgk: statistics tables of 政府信息公开工作年度报告 to a Parquet dataset.
//!
//! ```text
//!  discover ──► read ──► extract ───────► parse ──────────► validate ──► report ──► sink
//!  (files,      (bytes)  (by content:     decode, tokenize   (the         (one       (Parquet,
//!   sidecar:             PDF lines, Word  → solve → align    template's   document's  snapshots,
//!   crawler              rows of cells,   (cells); meta,     arithmetic,  rows, or    manifest)
//!   metadata)            text as it is)   region, sections,  the prose's  a reject)
//!                                         narrative          claims)
//!  └ ingest: discovery and reading on the main thread, parsing on a rayon
//!    pool, writing on one writer thread, batch by batch in input order.
//! ```
//!
//! The modules, each depending only on those before it:
//! - `words`, `diagnostics`, `label`, `digest`, `console`: the domain's words
//!   (`config/words.toml`), reject and warning codes, normalised labels,
//!   hashes, messages;
//! - `template`: the national template compiled from `config/template.toml`:
//!   its file format (`file`), tables, arithmetic (`checks`) and the claims
//!   its prose may make (`claims`);
//! - `parse`: one document's text against the template (pure);
//! - `validate`: checks on what was read, and checks across years;
//! - `config`: the settings and reference data (`Reference`) from `config/`;
//! - `extract`: a file's bytes to text and tokens, by content;
//! - `sidecar`, `report`, `discover`: crawler metadata, the per-document
//!   parse (`report::parse`: bytes in, a report or a reject out), and the
//!   inputs;
//! - `sink`: the Parquet dataset, its snapshots and the incremental ledger;
//! - `ingest`: the batch run; `tables`: the same parse as Arrow tables for
//!   the Python package (`python/`);
//! - `summary` (polars, behind the `summary` feature), `tools` (codebook,
//!   synthetic reports, `xxgk check`), `cli`, `allocator`: what the binary
//!   offers.
//!
//! Pure stages take data and return data; only `discover`/`ingest` read the
//! disk and only `sink` writes it.

pub mod allocator;
pub mod cli;
pub mod config;
pub mod console;
pub mod diagnostics;
pub mod digest;
pub mod discover;
pub mod extract;
pub mod ingest;
pub mod label;
pub mod parse;
pub mod report;
pub mod sidecar;
pub mod sink;
pub mod summary;
pub mod tables;
pub mod template;
pub mod tools;
pub mod validate;
pub mod words;
