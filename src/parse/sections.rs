//! The narrative sections (一、总体情况 … 六、其他需要报告的事项): finds their
//! headings among the prose tokens and collects the prose under each. Table
//! cells are left to the solver. Pure.

use crate::label;
use crate::parse::tokenize::Token;
use crate::template::Catalog;

#[derive(Debug, Clone, PartialEq)]
pub struct SectionText {
    pub number: u8,
    /// The heading as printed.
    pub title: String,
    /// Paragraphs joined by newlines.
    pub text: String,
    pub line: u32,
}

/// Headings are short; a long line that lists the titles is an introduction.
const MAX_HEADING_CHARS: usize = 40;

/// Where a section lies: its heading's token, and the token after its last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub number: u8,
    pub start: usize,
    pub end: usize,
}

/// The text of each section found (`spans`).
pub fn extract(tokens: &[Token], spans: &[Span]) -> Vec<SectionText> {
    spans
        .iter()
        .map(|span| {
            let text = tokens[span.start + 1..span.end]
                .iter()
                .filter(|t| !t.is_cell())
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let heading = &tokens[span.start];
            SectionText { number: span.number, title: heading.text.clone(), text, line: heading.line }
        })
        .collect()
}

/// The sections found, in document order: each from its heading to the next.
pub fn spans(tokens: &[Token], catalog: &Catalog) -> Vec<Span> {
    // (token index, section number) of each heading, in document order.
    // Normalised once: only short prose can be a heading.
    let keys: Vec<Option<String>> = tokens
        .iter()
        .map(|t| (!t.is_cell() && t.text.chars().count() <= MAX_HEADING_CHARS).then(|| label::normalize(&t.text)))
        .collect();
    let mut headings: Vec<(usize, u8)> = Vec::new();
    let mut from = 0;
    for section in &catalog.sections {
        let hit = (from..tokens.len()).find(|&i| keys[i].as_ref().is_some_and(|key| section.heads(key)));
        if let Some(i) = hit {
            headings.push((i, section.number));
            from = i + 1;
        }
    }
    let ends: Vec<usize> = headings.iter().skip(1).map(|&(at, _)| at).chain([tokens.len()]).collect();
    headings.into_iter().zip(ends).map(|((start, number), end)| Span { number, start, end }).collect()
}
