//! xxgk: statistics tables of 政府信息公开工作年度报告 to a Parquet dataset.
//!
//! ```text
//!  discover ──► read ──► extract ──────────► solve ──► report ──► sink
//!  (files)     (bytes)   (by content:      (locate rows (metadata,  (Parquet,
//!                         text: decode,    by label,    sections,   manifest)
//!                         then tokenize;   take values, narrative:
//!                         PDF: lines; Word: solve by the the prose's
//!                         rows of cells)   arithmetic)  numbers)
//!                                  │           ▲
//!                                  └ flow ─────┘
//!                          (text without cell boundaries, PDF lines: split
//!                           into labels and values; delimited layouts come
//!                           as tokens through `align`)
//!  └ ingest: discovery and reading on the main thread, parsing on a rayon
//!    pool, writing on one writer thread, batch by batch in input order.
//! ```
//!
//! `tables` gives the same parse to the Python package (`python/`): a
//! document's rows as Arrow tables, and the checks across years over a set
//! of reports.
//!
//! Pure stages take data and return data; only `discover`/`ingest` read the
//! disk and only `sink` writes it. Templates and label aliases come from
//! `config/` (see `config`, `template`).

pub mod align;
pub mod cli;
pub mod codebook;
pub mod config;
pub mod console;
pub mod decode;
pub mod digest;
pub mod discover;
pub mod extract;
pub mod ingest;
pub mod label;
pub mod meta;
pub mod narrative;
pub mod quality;
pub mod region;
pub mod report;
pub mod sections;
pub mod sidecar;
pub mod sink;
pub mod solve;
#[cfg(feature = "summary")]
pub mod summary;
pub mod synth;
pub mod tables;
pub mod template;
pub mod tokenize;
pub mod validate;
pub mod value;
