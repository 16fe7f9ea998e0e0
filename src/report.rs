//! The per-document parse: bytes in, a [`Report`] or a [`Reject`] out.
//! decode → tokenize → solve → metadata and sections. Pure and panic-free:
//! the caller reads the file, and workers run this in parallel.

use std::sync::LazyLock;

use regex::Regex;

use crate::config::Reference;
use crate::diagnostics::{RejectReason, Warning, WarningKind};
use crate::extract;
use crate::parse::align::Cell;
use crate::parse::meta::{self, Meta};
use crate::parse::narrative::{self, Claim, Speaker};
use crate::parse::region::{Region, Resolution};
use crate::parse::sections::{self, SectionText};
use crate::parse::solve;
use crate::parse::tokenize::flow::Mode;
use crate::parse::tokenize::Layout;
use crate::parse::value::Status;
use crate::sidecar::{self, Hints};
use crate::template::Template;
use crate::validate::{self, CheckResult, Operands, YearCells};
use crate::words::WORDS;

/// A parsed document.
#[derive(Debug)]
pub struct Report<'t> {
    pub report_id: String,
    pub source_path: String,
    pub source_bytes: u64,
    pub encoding: &'static str,
    pub layout: Layout,
    pub template: &'t Template,
    pub meta: Meta,
    pub region: Region,
    /// Where a crawler found the document (from a `--meta` sidecar).
    pub source_url: Option<String>,
    pub cells: Vec<Cell<'t>>,
    /// The template's arithmetic on this report alone.
    pub checks: Vec<CheckResult<'t>>,
    /// What the checks across years need of this report.
    pub year_cells: YearCells,
    pub sections: Vec<SectionText>,
    /// Numbers the prose states that the tables hold.
    pub claims: Vec<Claim<'t>>,
    pub status: ParseStatus,
    pub warnings: Vec<Warning>,
    /// Why each row was read as it was, for `xxgk explain` (not stored).
    pub trace: Vec<String>,
    /// For a PDF, the line on which each page starts in the extracted text.
    pub page_starts: Vec<u32>,
}

impl Report<'_> {
    /// Cells read as a number.
    pub fn cells_ok(&self) -> usize {
        self.cells.iter().filter(|c| c.reading.status == Status::Ok).count()
    }

    /// The page a source line is on, for paged documents.
    pub fn page_of(&self, line: Option<u32>) -> Option<u32> {
        extract::page_of(&self.page_starts, line?)
    }

    /// Check rows that failed and count against the report (soft checks excluded).
    pub fn checks_failed(&self) -> usize {
        self.checks.iter().filter(|c| c.is_hard_failure()).count()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseStatus {
    /// All three tables found, every cell read, every check passed.
    Ok,
    /// Tables found, but cells missing or unreadable, or a check failed.
    Partial,
}

impl ParseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ParseStatus::Ok => "ok",
            ParseStatus::Partial => "partial",
        }
    }
}

/// A file that yielded no tables, or could not be read, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub source_path: String,
    pub report_id: Option<String>,
    pub source_bytes: Option<u64>,
    pub reason: RejectReason,
    pub line: Option<u32>,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.source_path, line, self.reason),
            None => write!(f, "{}: {}", self.source_path, self.reason),
        }
    }
}

pub enum Outcome<'t> {
    Report(Box<Report<'t>>),
    Reject(Reject),
}

/// Stable id of a document: the first 128 bits of the BLAKE3 hash of its bytes.
pub fn report_id(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..32].to_string()
}

static ATTACHMENT_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)[^"'<>/\\]+\.(?:docx?|wps|pdf|xlsx?|ofd)\b"#).unwrap());

/// [`parse`], with a panic in it (a bug) contained as a reject of this file,
/// so a batch goes on past it.
pub fn parse_contained<'t>(
    source_path: &str,
    bytes: &[u8],
    is_html: bool,
    hints: Option<&Hints>,
    reference: &'t Reference,
) -> Outcome<'t> {
    let parsed =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(source_path, bytes, is_html, hints, reference)));
    parsed.unwrap_or_else(|payload| {
        Outcome::Reject(Reject {
            source_path: source_path.to_string(),
            report_id: None,
            source_bytes: None,
            reason: RejectReason::panic(payload.as_ref()),
            line: None,
        })
    })
}

/// Why a file of `size` bytes is rejected unread.
pub fn too_large(size: u64, limit: u64) -> RejectReason {
    RejectReason::TooLarge { size, limit }
}

/// Parses one document. `is_html` comes from the file name; `hints` from a
/// crawler's sidecar.
pub fn parse<'t>(
    source_path: &str,
    bytes: &[u8],
    is_html: bool,
    hints: Option<&Hints>,
    reference: &'t Reference,
) -> Outcome<'t> {
    let catalog = &reference.catalog;
    let report_id = report_id(bytes);
    let reject = |reason: RejectReason, line: Option<u32>| {
        Outcome::Reject(Reject {
            source_path: source_path.to_string(),
            report_id: Some(report_id.clone()),
            source_bytes: Some(bytes.len() as u64),
            reason,
            line,
        })
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return reject(RejectReason::Empty, None);
    }
    let document = match extract::read(bytes, is_html) {
        Ok(document) => document,
        Err(reason) => return reject(reason, None),
    };
    let tokens = &document.tokens;
    let alignment = match tokens.layout {
        Layout::Flow(mode) => solve::solve(&document.text, mode, catalog),
        Layout::Pdf => solve::solve(&document.text, Mode::Spaced, catalog),
        _ => solve::solve_cells(&tokens.tokens, catalog),
    };
    if alignment.tables_found.is_empty() {
        return reject(no_tables_reason(&document.text, tokens.layout), None);
    }
    let mut warnings = Vec::new();
    if document.had_errors {
        warnings.push(Warning::new(
            WarningKind::InvalidBytes,
            format!("bytes invalid in {} were replaced", document.encoding),
        ));
    }
    warnings.extend(document.warnings.iter().cloned());
    for table in &alignment.template.tables {
        if !alignment.tables_found.contains(&table.code.as_str()) {
            warnings.push(Warning::new(
                WarningKind::TableNotFound,
                format!("table {} ({}) not found", table.code, table.label),
            ));
        }
    }
    warnings.extend(alignment.warnings);
    let operands = Operands::from_cells(&alignment.cells);
    let mut checks = validate::check_report(alignment.template, &operands);
    warnings.extend(validate::check_warnings(alignment.template, &checks));
    warnings.extend(validate::bound_warnings(alignment.template, &alignment.cells));
    let unread =
        alignment.cells.iter().filter(|c| matches!(c.reading.status, Status::Missing | Status::Invalid)).count();
    if unread > 0 {
        warnings.push(Warning::new(WarningKind::CellsUnread, format!("{unread} cells missing or invalid")));
    }
    let all_tables = alignment.tables_found.len() == alignment.template.tables.len();
    let status = if unread == 0 && all_tables && !checks.iter().any(CheckResult::is_hard_failure) {
        ParseStatus::Ok
    } else {
        ParseStatus::Partial
    };
    let mut meta = meta::extract(&tokens.tokens, tokens.title.as_deref(), &reference.agencies);
    warnings.extend(meta.warnings.iter().cloned());
    if let Some(hints) = hints {
        sidecar::apply(&mut meta, hints, &mut warnings);
    }
    // The prose's numbers against the tables: soft checks, so a report whose
    // prose disagrees keeps its status, with a warning per claim.
    let speaker = Speaker { agency: meta.agency.as_deref(), abbreviations: &reference.agencies.abbreviations };
    let sections = sections::spans(&tokens.tokens, catalog);
    let claims = narrative::extract(&tokens.tokens, &sections, &catalog.narrative, &alignment.template.claims, speaker);
    let (narrative_checks, narrative_warnings) = validate::narrative::check(&claims, &operands);
    warnings.extend(narrative_warnings);
    checks.extend(narrative_checks);
    let region = match meta.agency.as_deref().map(|a| reference.divisions.resolve(a, &document.text)) {
        Some(Resolution::Found(region)) => region,
        Some(Resolution::Ambiguous(codes)) => {
            let agency = meta.agency.as_deref().unwrap_or_default();
            let text =
                format!("agency {agency} fits {} places ({}); division code left empty", codes.len(), codes.join(", "));
            warnings.push(Warning::new(WarningKind::PlaceAmbiguous, text));
            Region::default()
        }
        Some(Resolution::NotFound) => {
            let agency = meta.agency.as_deref().unwrap_or_default();
            warnings.push(Warning::new(
                WarningKind::PlaceUnknown,
                format!("agency {agency} names no place in the division list"),
            ));
            Region::default()
        }
        None => {
            warnings.push(Warning::new(WarningKind::AgencyNotFound, "agency not found"));
            Region::default()
        }
    };
    match (meta.year, meta.published_date.as_deref()) {
        (None, _) => warnings.push(Warning::new(WarningKind::YearNotFound, "report year not found")),
        (Some(year), Some(date)) if date.get(..4).and_then(|y| y.parse::<i16>().ok()).is_some_and(|y| y < year) => {
            warnings.push(Warning::new(
                WarningKind::DateBeforeYear,
                format!("signature date {date} is before the report year {year}"),
            ));
        }
        _ => {}
    }
    Outcome::Report(Box::new(Report {
        report_id,
        source_path: source_path.to_string(),
        source_bytes: bytes.len() as u64,
        encoding: document.encoding,
        layout: tokens.layout,
        template: alignment.template,
        meta,
        region,
        source_url: hints.and_then(|h| h.url.clone()),
        sections: sections::extract(&tokens.tokens, &sections),
        claims,
        trace: alignment.trace,
        cells: alignment.cells,
        checks,
        year_cells: YearCells::new(alignment.template, &operands),
        status,
        warnings,
        page_starts: document.page_starts,
    }))
}

/// Why a document has no tables, as specifically as the text tells.
fn no_tables_reason(text: &str, layout: Layout) -> RejectReason {
    if layout == Layout::Html {
        if let Some(name) =
            ATTACHMENT_LINK.find_iter(text).map(|m| m.as_str().trim()).find(|n| n.contains(WORDS.title.report.as_str()))
        {
            return RejectReason::AttachmentOnly(name.to_string());
        }
    }
    RejectReason::NoTables(match layout {
        Layout::Flow(_) => "in the text".to_string(),
        other => format!("(layout {})", other.as_str()),
    })
}
