//! PDF: the text layer, read in-process by oxidize-pdf (it decodes the
//! embedded CID fonts and the predefined Chinese CMaps these reports use),
//! turned into lines: text runs grouped by baseline, ordered by x, with a
//! space where the gap between two runs is wider than the gap inside a
//! number. The lines are read like PDF text by the solver, which keeps its
//! rules for wrapped labels, displaced values and page footers.

use crate::diagnostics::RejectReason;
use crate::diagnostics::{Warning, WarningKind};
use std::io::Cursor;

use oxidize_pdf::parser::{PdfDocument, PdfReader};
use oxidize_pdf::text::{ExtractionOptions, TextExtractor, TextFragment};

use super::Document;
use crate::parse::tokenize::{self, Layout, Tokens};

/// Pages read at most: an annual report has a dozen; a file with hundreds
/// is not one, and the bound keeps the work per file bounded.
const MAX_PAGES: u32 = 200;

/// Text kept per page at most (the reader stops decoding past it).
const MAX_PAGE_TEXT_BYTES: usize = 1 << 20;

/// Two runs are on one line when their baselines differ by less than this
/// share of the smaller font size.
const SAME_LINE: f64 = 0.5;

/// A gap wider than this share of the font size between a digit and its
/// neighbour separates two cells (digits of one number are set touching).
const DIGIT_GAP: f64 = 0.15;

/// Between other characters, a gap wider than this share of the font size
/// is a space: wider than the spacing inside a wrapped label.
const WORD_GAP: f64 = 1.0;

/// Arrays and dictionaries nested deeper than this are refused: real
/// reports nest a few levels, and the reader recurses once per level.
const MAX_NESTING: usize = 256;

/// The stack the reader runs on: a worker's 2 MiB overflows at a few
/// thousand levels of nesting (inside a compressed object stream, where
/// [`nesting_beyond`] cannot see), and an overflow aborts the whole run.
/// Only the pages the reader touches are taken from memory.
const READER_STACK: usize = 256 << 20;

/// The name of the thread PDFs are read on.
const READER_THREAD: &str = "pdf reader";

pub fn read(bytes: &[u8]) -> Result<Document, RejectReason> {
    quiet_reader_panics();
    if nesting_beyond(bytes, MAX_NESTING) {
        return Err(RejectReason::DamagedPdf(format!(
            "damaged PDF: arrays or dictionaries nested over {MAX_NESTING} deep"
        )));
    }
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new().name(READER_THREAD.into()).stack_size(READER_STACK);
        let reading = reader.spawn_scoped(scope, || read_text_layer(bytes));
        let reading = reading.map_err(|e| RejectReason::DamagedPdf(format!("cannot start the PDF reader: {e}")))?;
        // oxidize-pdf panics on some damaged files (found by fuzzing: an
        // xref entry with bytes that are not UTF-8): a reject, with its words.
        reading.join().unwrap_or_else(|panic| {
            let words = panic.downcast_ref::<String>().map(String::as_str).or(panic.downcast_ref::<&str>().copied());
            Err(RejectReason::DamagedPdf(format!(
                "damaged PDF: the reader failed on it ({})",
                words.unwrap_or("no message")
            )))
        })
    })
}

/// A panic on the reader's thread is the reader's, caught in [`read`] and
/// given as the reject's reason: it is not printed, nor passed to a panic
/// hook that would end the process (a fuzzer's). Any other panic is.
fn quiet_reader_panics() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let others = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(READER_THREAD) {
                others(info);
            }
        }));
    });
}

/// Whether the PDF's own syntax (outside strings, comments and streams)
/// nests arrays and dictionaries deeper than `limit`.
fn nesting_beyond(bytes: &[u8], limit: usize) -> bool {
    let (mut depth, mut at) = (0usize, 0);
    while at < bytes.len() {
        match bytes[at] {
            b'[' => depth += 1,
            b'<' if bytes.get(at + 1) == Some(&b'<') => {
                depth += 1;
                at += 1;
            }
            b']' => depth = depth.saturating_sub(1),
            b'>' if bytes.get(at + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                at += 1;
            }
            b'<' => at = find(bytes, at, b">").unwrap_or(bytes.len()), // a hex string
            b'%' => at = bytes[at..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(bytes.len(), |n| at + n),
            b'(' => at = string_end(bytes, at),
            b's' if bytes[at..].starts_with(b"stream") && !bytes[..at].ends_with(b"end") => {
                at = find(bytes, at, b"endstream").map_or(bytes.len(), |end| end + b"endstream".len() - 1);
            }
            _ => {}
        }
        if depth > limit {
            return true;
        }
        at += 1;
    }
    false
}

/// Where `needle` starts after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&bytes[from + 1..], needle).map(|n| from + 1 + n)
}

/// The closing parenthesis of the literal string opened at `open`: strings
/// nest balanced parentheses and escape others with a backslash.
fn string_end(bytes: &[u8], open: usize) -> usize {
    let (mut depth, mut at) = (0usize, open);
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return at;
                }
            }
            _ => {}
        }
        at += 1;
    }
    bytes.len()
}

fn read_text_layer(bytes: &[u8]) -> Result<Document, RejectReason> {
    let reader =
        PdfReader::new(Cursor::new(bytes)).map_err(|e| RejectReason::DamagedPdf(format!("damaged PDF: {e}")))?;
    // The reader has already tried the empty password, which opens the
    // many reports that are encrypted only to forbid editing.
    if reader.is_encrypted() && !reader.is_unlocked() {
        return Err(RejectReason::EncryptedPdf);
    }
    let document = PdfDocument::new(reader);
    let pages = document.page_count().map_err(|e| RejectReason::DamagedPdf(format!("damaged PDF: {e}")))?;
    if pages > MAX_PAGES {
        return Err(RejectReason::TooManyPages { pages, limit: MAX_PAGES });
    }
    let options = ExtractionOptions {
        preserve_layout: true,
        max_extracted_bytes: Some(MAX_PAGE_TEXT_BYTES),
        ..ExtractionOptions::default()
    };
    let mut extractor = TextExtractor::with_options(options);
    let mut lines = Vec::new();
    let mut page_starts = Vec::new();
    let mut warnings = Vec::new();
    for page in 0..pages {
        let extracted = extractor
            .extract_from_page(&document, page)
            .map_err(|e| RejectReason::DamagedPdf(format!("damaged PDF, page {}: {e}", page + 1)))?;
        if extracted.truncated {
            warnings.push(Warning::new(
                WarningKind::TextCut,
                format!("page {}: text past {} MB not read", page + 1, MAX_PAGE_TEXT_BYTES >> 20),
            ));
        }
        page_starts.push(tokenize::line_no(lines.len()));
        lines.extend(page_lines(extracted.fragments));
    }
    if lines.is_empty() {
        return Err(RejectReason::ScannedPdf);
    }
    let text = lines.join("\n");
    let tokens = tokenize::prose_lines(&text);
    Ok(Document {
        text,
        tokens: Tokens { layout: Layout::Pdf, tokens, title: None },
        encoding: "PDF text layer",
        had_errors: false,
        page_starts,
        warnings,
    })
}

/// A page's runs as lines of text, top to bottom.
fn page_lines(mut runs: Vec<TextFragment>) -> Vec<String> {
    runs.retain(|r| !r.text.trim().is_empty() && r.x.is_finite() && r.y.is_finite() && r.font_size.is_finite());
    // PDF y grows upwards.
    runs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Vec<&TextFragment>> = Vec::new();
    for run in &runs {
        match lines.last_mut() {
            Some(line) if on_line(line[0], run) => line.push(run),
            _ => lines.push(vec![run]),
        }
    }
    lines
        .into_iter()
        .map(|mut line| {
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
            join(&line)
        })
        .filter(|l| !l.is_empty())
        .collect()
}

fn on_line(first: &TextFragment, run: &TextFragment) -> bool {
    (first.y - run.y).abs() < SAME_LINE * first.font_size.min(run.font_size).max(1.0)
}

/// The runs of one line, left to right, with a space where they stand apart.
fn join(line: &[&TextFragment]) -> String {
    let mut text = String::new();
    let mut end: Option<f64> = None;
    for run in line {
        let piece = run.text.trim();
        if let (Some(end), Some(last), Some(next)) = (end, text.chars().last(), piece.chars().next()) {
            let digits = last.is_ascii_digit() || next.is_ascii_digit();
            let gap = if digits { DIGIT_GAP } else { WORD_GAP };
            if run.x - end > gap * run.font_size.max(1.0) && !text.ends_with(' ') {
                text.push(' ');
            }
        }
        text.push_str(piece);
        end = Some(end.map_or(run.x + run.width, |e: f64| e.max(run.x + run.width)));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, x: f64, y: f64, width: f64, size: f64) -> TextFragment {
        TextFragment::new(text.to_string(), x, y, width, size, size)
    }

    #[test]
    fn nesting_is_counted_outside_strings_comments_and_streams() {
        assert!(!nesting_beyond(b"<< /A [1 [2] (x[[[) <5B5B> % [[[\n >> stream\n[[[[\nendstream", 3));
        assert!(nesting_beyond(b"<< /A [1 [2]] >>", 2));
        assert!(!nesting_beyond(b"<< /A [1 [2]] >>", 3));
        assert!(nesting_beyond(b"(a\\)) [[[[", 3));
        assert!(!nesting_beyond(b"(a(b)c [[[[ ) ]]]]", 3));
    }

    #[test]
    fn runs_become_lines_by_baseline_and_cells_by_gaps() {
        let runs = vec![
            run("21", 318.7, 346.7, 14.1, 14.1),
            run("一、本年新收政府信息公开申请数量", 77.5, 348.1, 160.5, 10.0),
            run("0", 352.2, 346.7, 7.0, 14.1),
            run("（二）部分公开（区分处理的，只计这一情", 103.9, 283.0, 171.0, 9.0),
            run("形，不", 279.5, 283.0, 27.0, 9.0),
            run("1", 100.0, 200.0, 7.0, 14.0),
            run("2", 107.2, 200.0, 7.0, 14.0),
        ];
        assert_eq!(
            page_lines(runs),
            ["一、本年新收政府信息公开申请数量 21 0", "（二）部分公开（区分处理的，只计这一情形，不", "12"]
        );
    }
}
