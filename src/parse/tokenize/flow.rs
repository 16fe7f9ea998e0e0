//! Crawler text without cell boundaries: pages with their tags stripped
//! (a row's cells fused into one run of digits), PDF text (values separated
//! by spaces, labels wrapped, value lines displaced from their labels) and
//! one text node per line (empty cells dropped, equal neighbouring lines
//! collapsed into one). Each becomes a stream of [`Piece`]s, label text and
//! printed values in document order; how many cells a value stands for is
//! left to the solver (`crate::parse::solve`), which knows the template.

use std::borrow::Cow;

use super::{line_no, Place};
use crate::label::to_half_width;
use crate::parse::value::{self, Status};
use crate::words::WORDS;

/// How values were printed, which decides what one printed value may stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Tags stripped: a run of digits may be several cells run together.
    Fused,
    /// PDF text: every space-separated value is one cell.
    Spaced,
    /// One text node per line: a value may stand for a run of equal cells.
    NodeLines,
}

impl Mode {
    pub fn layout_name(self) -> &'static str {
        match self {
            Mode::Fused => "fused_text",
            Mode::Spaced => "pdf_text",
            Mode::NodeLines => "node_lines",
        }
    }
}

/// Label text or a printed value, with its source line and its place:
/// flow text gives `Place::Cell` pieces; delimited layouts give their
/// tokens' places, prose included.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece<'a> {
    /// Borrowed from the document or its tokens, owned where pieces joined.
    pub text: Cow<'a, str>,
    pub line: u32,
    pub is_value: bool,
    pub place: Place,
}

/// Lines of one kind needed before a text counts as that kind.
const MIN_MODE_LINES: usize = 8;

/// Picks the mode from the shape of the lines: many lines holding one bare
/// value are node lines, many ending in three or more spaced values are PDF
/// text; otherwise values are taken to be fused.
pub fn detect(text: &str) -> Mode {
    let (mut bare, mut spaced) = (0, 0);
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let values = words.iter().rev().take_while(|w| is_value(w)).count();
        if words.len() == 1 && values == 1 {
            bare += 1;
        } else if values >= 3 {
            spaced += 1;
        }
    }
    if bare >= MIN_MODE_LINES && bare > spaced {
        Mode::NodeLines
    } else if spaced >= MIN_MODE_LINES {
        Mode::Spaced
    } else {
        Mode::Fused
    }
}

/// A number or a dash standing for an empty cell.
fn is_value(word: &str) -> bool {
    match value::read(word).status {
        Status::Ok => word.bytes().any(|b| b.is_ascii_digit()),
        Status::Dash => true,
        _ => false,
    }
}

/// The text as pieces, page footers (`- 3 -`, `第3页`) left out.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !is_page_footer(line) {
            split_line(line, line_no(i), &mut out);
        }
    }
    join_signs(&mut out);
    out
}

fn is_page_footer(line: &str) -> bool {
    let enumerators = &WORDS.enumerators;
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = t.trim_matches(|c: char| is_minus(c) || WORDS.cells.dash_chars.contains(c));
    let numbered = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    (inner.len() < t.len() && numbered(inner))
        || t.strip_prefix(enumerators.page_before.as_str())
            .and_then(|r| r.strip_suffix(enumerators.page_after.as_str()))
            .is_some_and(numbered)
}

/// A digit, half- or full-width.
fn is_digit(c: char) -> bool {
    to_half_width(c).is_ascii_digit()
}

/// `-`, half- or full-width.
fn is_minus(c: char) -> bool {
    to_half_width(c) == '-'
}

/// `增` or `减` before a value: its sign, kept with it.
fn is_sign_word(text: &str) -> bool {
    WORDS.cells.sign_words.iter().any(|w| w == text)
}

fn is_enumerator_mark(c: char) -> bool {
    WORDS.enumerators.marks.contains(to_half_width(c))
}

/// Splits one line into label text and values. A label starts at an
/// enumerator (`一、`, `（三）`, `2.`); a value is a run of digits with an
/// optional sign, decimal part and currency unit. A digit run that ends in
/// `2.` before a label gives its last digit to the label's enumerator
/// (`…3252.没有现成信息` is the value 325 and the label `2.没有…`).
fn split_line<'a>(text: &'a str, line: u32, out: &mut Vec<Piece<'a>>) {
    let cells = &WORDS.cells;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let push = |from: usize, to: usize, is_value: bool, out: &mut Vec<Piece<'a>>| {
        let piece = text[from..to].trim();
        if !piece.is_empty() {
            out.push(Piece { text: Cow::Borrowed(piece), line, is_value, place: Place::Cell });
        }
    };
    let mut text_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let after_gap = i == 0 || chars[i - 1].1.is_whitespace() || is_digit(chars[i - 1].1);
        let signed = is_minus(c) && after_gap && at(i + 1).is_some_and(is_digit);
        if is_digit(c) || signed {
            let start = i;
            let mut end = i + 1;
            while end < chars.len()
                && (is_digit(chars[end].1) || (to_half_width(chars[end].1) == '.' && at(end + 1).is_some_and(is_digit)))
            {
                end += 1;
            }
            let next = at(end);
            // `2.属于…`: the last digit numbers the label that follows.
            if next.is_some_and(is_enumerator_mark) && !at(end + 1).is_some_and(is_digit) {
                let digits_end = end - 1;
                push(byte(text_start), byte(start), false, out);
                if digits_end > start {
                    push(byte(start), byte(digits_end), true, out);
                }
                text_start = digits_end;
                i = end + 1;
                continue;
            }
            // `2019年`, `12月`: a date in a note, not a cell.
            let unit_at = (end..chars.len()).find(|&j| !chars[j].1.is_whitespace());
            if unit_at.and_then(at).is_some_and(|u| cells.note_units.contains(to_half_width(u))) {
                i = end;
                continue;
            }
            // A printed currency unit and a change prefix (`增3`) stay with the value.
            if let Some(unit) = cells.currency.iter().find(|u| text[byte(end)..].starts_with(u.as_str())) {
                end += unit.chars().count();
            }
            let signed_word = start > text_start && is_sign_word(&text[byte(start - 1)..byte(start)]);
            let value_start = if signed_word { start - 1 } else { start };
            push(byte(text_start), byte(value_start), false, out);
            push(byte(value_start), byte(end), true, out);
            text_start = end;
            i = end;
            continue;
        }
        // A dash stands for an empty cell: `—`, or `-` and `/` standing alone.
        let alone = |j: usize| at(j).is_none_or(char::is_whitespace);
        let full_width_minus = c != '-' && is_minus(c);
        let dash = cells.dash_chars.contains(c)
            || full_width_minus
            || (matches!(c, '-' | '/') && alone(i + 1) && (i == 0 || alone(i - 1)));
        if dash && !(is_minus(c) && at(i + 1).is_some_and(is_digit)) {
            let mut end = i + 1;
            while at(end) == Some(c) {
                end += 1;
            }
            push(byte(text_start), byte(i), false, out);
            push(byte(i), byte(end), true, out);
            text_start = end;
            i = end;
            continue;
        }
        if starts_label(&chars, i) && i > text_start {
            push(byte(text_start), byte(i), false, out);
            text_start = i;
        }
        i += 1;
    }
    push(byte(text_start), text.len(), false, out);
}

/// Whether a label begins at `i`: `三、` or `（三）` (but not the `（一）项`
/// of `第二十条第（一）项`).
fn starts_label(chars: &[(usize, char)], i: usize) -> bool {
    let at = |j: usize| chars.get(j).map(|&(_, c)| c);
    let enumerators = &WORDS.enumerators;
    let numeral = |c: Option<char>| c.is_some_and(|c| enumerators.is_numeral(c));
    let c = chars[i].1;
    if numeral(Some(c)) {
        return at(i + 1) == Some(enumerators.heading_mark) && !numeral(at(i.wrapping_sub(1)));
    }
    let half = |j: usize| at(j).map(to_half_width);
    half(i) == Some('(') && numeral(at(i + 1)) && half(i + 2) == Some(')') && at(i + 3) != Some(enumerators.clause_word)
}

/// A line holding only `增` or `减` before a value line is that value's sign
/// word (`增` / `3` is the cell `增3`).
fn join_signs(pieces: &mut Vec<Piece>) {
    let mut i = 0;
    while i + 1 < pieces.len() {
        if !pieces[i].is_value && is_sign_word(&pieces[i].text) && pieces[i + 1].is_value {
            let word = pieces.remove(i);
            pieces[i].text = Cow::Owned(format!("{}{}", word.text, pieces[i].text));
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(String, bool)> {
        pieces(text).into_iter().map(|p| (p.text.into_owned(), p.is_value)).collect()
    }

    fn label(s: &str) -> (String, bool) {
        (s.to_string(), false)
    }

    fn value(s: &str) -> (String, bool) {
        (s.to_string(), true)
    }

    #[test]
    fn a_digit_run_gives_its_last_digit_to_the_next_labels_enumerator() {
        assert_eq!(
            split("1.本机关不掌握相关政府信息2200003252.没有现成信息需要另行制作0000000"),
            [
                label("1.本机关不掌握相关政府信息"),
                value("220000325"),
                label("2.没有现成信息需要另行制作"),
                value("0000000")
            ]
        );
    }

    #[test]
    fn labels_start_at_chinese_enumerators_but_not_at_an_article_item() {
        assert_eq!(
            split("第二十条第（一）项信息内容规章000三、本年度办理结果（一）予以公开7000007"),
            [
                label("第二十条第（一）项信息内容规章"),
                value("000"),
                label("三、本年度办理结果"),
                label("（一）予以公开"),
                value("7000007")
            ]
        );
    }

    #[test]
    fn signs_decimals_units_and_dates() {
        assert_eq!(split("行政处罚2648-18538"), [label("行政处罚"), value("2648"), value("-18538")]);
        assert_eq!(
            split("政府集中采购13575394432.52元三、"),
            [label("政府集中采购"), value("13575394432.52元"), label("三、")]
        );
        assert_eq!(split("（指2019年事项数）"), [label("（指2019年事项数）")]);
        assert_eq!(split("行政许可\n2\n增\n3\n7"), [label("行政许可"), value("2"), value("增3"), value("7")]);
    }

    #[test]
    fn dashes_are_values() {
        assert_eq!(split("行政强制 — 3 ——\n/"), [label("行政强制"), value("—"), value("3"), value("——"), value("/")]);
    }

    #[test]
    fn page_footers_are_dropped() {
        assert_eq!(
            split("- 3 -\n第 4 页\n8.属于行政查询事项 0 0"),
            [label("8.属于行政查询事项"), value("0"), value("0")]
        );
    }

    #[test]
    fn modes_from_line_shapes() {
        assert_eq!(detect(&"规章\n0\n".repeat(8)), Mode::NodeLines);
        assert_eq!(detect(&"规章 0 0 0\n".repeat(8)), Mode::Spaced);
        assert_eq!(detect("规章000规范性文件898989"), Mode::Fused);
        assert_eq!(detect(&"规章 — 3 —\n".repeat(8)), Mode::Spaced);
    }
}
