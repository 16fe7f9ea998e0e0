//! Extract: a file's bytes to the text and tokens the solver
//! reads. The content decides the reader, not the file name (a PDF saved as
//! `.html` is read as a PDF): text files are decoded and tokenized; PDFs
//! give their text layer as lines, Word files their tables as rows. Every
//! failure is a reason for a reject, never a panic.

mod doc;
mod docx;
mod pdf;
mod zip_limits;

use crate::diagnostics::RejectReason;
use crate::diagnostics::Warning;
use crate::parse::decode;
use crate::parse::tokenize::{self, Layout, Tokens};

/// A document made readable.
#[derive(Debug)]
pub struct Document {
    /// The text the cells' `source_line` counts in: the decoded file, or for
    /// PDF and Word files the extracted text, one line per text line,
    /// paragraph or table cell.
    pub text: String,
    pub tokens: Tokens,
    /// What the text was: the character encoding of a text file, or the
    /// text layer of a PDF or Word file.
    pub encoding: &'static str,
    /// Bytes that were not valid in that encoding were replaced by U+FFFD.
    pub had_errors: bool,
    /// For a PDF, the 1-based line on which each page starts.
    pub page_starts: Vec<u32>,
    /// What the reader left out of the text, said to the user.
    pub warnings: Vec<Warning>,
}

/// The 1-based page of a line, given the line on which each page starts
/// (none for a document without pages).
pub fn page_of(page_starts: &[u32], line: u32) -> Option<u32> {
    if page_starts.is_empty() {
        return None;
    }
    let pages_started = page_starts.partition_point(|&start| start <= line);
    u32::try_from(pages_started.max(1)).ok()
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pdf,
    Zip,
    /// An OLE compound file: Word 97 `.doc` (or another old Office file).
    Compound,
    Text,
}

/// How far into a file the `%PDF-` marker may sit (readers accept junk before it).
const PDF_MARKER_WINDOW: usize = 1024;

/// How much of the start of a file decides whether text is binary.
const BINARY_SNIFF_BYTES: usize = 8192;

fn kind_of(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") {
        Kind::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Kind::Compound
    } else if memchr::memmem::find(&bytes[..bytes.len().min(PDF_MARKER_WINDOW)], b"%PDF-").is_some() {
        Kind::Pdf
    } else {
        Kind::Text
    }
}

/// Reads `bytes` (`is_html` from the file name) into a [`Document`], or says
/// why it cannot.
pub fn read(bytes: &[u8], is_html: bool) -> Result<Document, RejectReason> {
    match kind_of(bytes) {
        Kind::Pdf => pdf::read(bytes),
        Kind::Zip => docx::read(bytes),
        Kind::Compound => doc::read(bytes),
        Kind::Text => read_text(bytes, is_html),
    }
}

/// Text with more control bytes (NUL and the like, not tabs or line ends)
/// than this share of its start is binary; a stray NUL in prose is not.
const MAX_CONTROL_SHARE: f64 = 0.01;

fn read_text(bytes: &[u8], is_html: bool) -> Result<Document, RejectReason> {
    // UTF-16 text is full of NUL bytes: with its byte-order mark, or without
    // one when its NULs nearly all stand on one side of each two-byte unit.
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
    let with_bom;
    let bytes = match utf16_without_bom(head) {
        Some(bom) => {
            with_bom = [bom, bytes].concat();
            &with_bom[..]
        }
        None => bytes,
    };
    let utf16 = encoding_rs::Encoding::for_bom(bytes).is_some_and(|(enc, _)| enc != encoding_rs::UTF_8);
    let bytes = if utf16 {
        bytes
    } else {
        // An interrupted download pads the file with NUL bytes.
        let bytes = &bytes[..bytes.iter().rposition(|&b| b != 0).map_or(0, |last| last + 1)];
        let head = &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)];
        let controls = head.iter().filter(|&&b| b < 0x09 || (0x0E..0x20).contains(&b) && b != 0x1B).count();
        if controls as f64 > MAX_CONTROL_SHARE * head.len() as f64 {
            return Err(RejectReason::Binary);
        }
        bytes
    };
    let decoded = decode::decode(bytes);
    let tokens = tokenize::tokenize(&decoded.text, is_html);
    Ok(Document {
        text: decoded.text,
        tokens,
        encoding: decoded.encoding,
        had_errors: decoded.had_errors,
        page_starts: Vec::new(),
        warnings: Vec::new(),
    })
}

/// The byte-order mark UTF-16 text without one would have: when at least
/// a tenth of its two-byte units are ASCII (digits, line ends) and nearly
/// all NULs stand on the same side of their unit.
fn utf16_without_bom(head: &[u8]) -> Option<&'static [u8]> {
    if encoding_rs::Encoding::for_bom(head).is_some() || head.len() < 16 {
        return None;
    }
    let units = head.len() / 2;
    let (mut nul_high, mut nul_low) = (0, 0);
    for unit in head.chunks_exact(2) {
        match unit {
            [0, 0] => return None,
            [_, 0] => nul_high += 1,
            [0, _] => nul_low += 1,
            _ => {}
        }
    }
    // CJK characters whose low byte is 0 (一 U+4E00, 开 U+5F00) put NULs on
    // the other side; random bytes fail the tenth.
    let one_side = |this: usize, other: usize| this * 10 >= units && other * 2 <= this;
    if one_side(nul_high, nul_low) {
        Some(&[0xFF, 0xFE])
    } else if one_side(nul_low, nul_high) {
        Some(&[0xFE, 0xFF])
    } else {
        None
    }
}

/// A document of tokens read out of a Word file: its text is the tokens'
/// text, one per line, and each token's line is its place in that text.
fn word_document(mut tokens: Vec<tokenize::Token>, layout: Layout) -> Document {
    let mut text = String::new();
    for (index, token) in tokens.iter_mut().enumerate() {
        token.line = tokenize::line_no(index);
        text.push_str(&token.text);
        text.push('\n');
    }
    Document {
        text,
        tokens: Tokens { layout, tokens, title: None },
        encoding: "UTF-8",
        had_errors: false,
        page_starts: Vec::new(),
        warnings: Vec::new(),
    }
}

/// A cell's paragraphs joined as one text: words of one label run on, but
/// two numbers stay apart (`3` and `5` are not `35`).
fn join_cell_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
        let digits_meet = out.ends_with(|c: char| c.is_ascii_digit()) && line.starts_with(|c: char| c.is_ascii_digit());
        if digits_meet {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_reader() {
        assert_eq!(kind_of(b"%PDF-1.7\n"), Kind::Pdf);
        assert_eq!(kind_of(b"\xef\xbb\xbf  %PDF-1.4"), Kind::Pdf);
        assert_eq!(kind_of(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(kind_of(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]), Kind::Compound);
        assert_eq!(kind_of("<html>总计</html>".as_bytes()), Kind::Text);
    }

    #[test]
    fn paragraphs_of_a_cell_run_on_but_numbers_stay_apart() {
        assert_eq!(join_cell_lines("（二）部分公开\n（区分处理的）\n"), "（二）部分公开（区分处理的）");
        assert_eq!(join_cell_lines("3\n5"), "3 5");
    }

    #[test]
    fn utf16_without_its_mark_is_text() {
        let text = "一、本年新收政府信息公开申请数量\t3\t0\t3\n".repeat(20);
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(utf16_without_bom(&le), Some(&[0xFF, 0xFE][..]));
        assert_eq!(utf16_without_bom(&be), Some(&[0xFE, 0xFF][..]));
        assert_eq!(read_text(&le, false).unwrap().text, text);
        assert_eq!(utf16_without_bom(text.as_bytes()), None);
    }

    #[test]
    fn pages_of_lines() {
        let starts = [1, 40, 75];
        assert_eq!([1, 39, 40, 74, 75, 900].map(|l| page_of(&starts, l)), [1, 1, 2, 2, 3, 3].map(Some));
        assert_eq!(page_of(&[], 3), None);
    }
}
