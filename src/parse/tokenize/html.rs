//! HTML pages and fragments, read with html5gum's tokenizer through an
//! emitter that keeps only what the tables need: tag names, text and byte
//! positions (attributes, comments and doctypes are dropped unread, which is
//! most of a Word-exported page). Every `<td>` or `<th>` becomes a cell of
//! its `<tr>` (spans are ignored: the solver never trusts header
//! positions); text outside tables becomes prose, one token per block;
//! `<script>`, `<style>` and the like are skipped, and so is text a reader
//! never sees as part of a number: footnote marks (`33<sup>1</sup>`) and
//! elements styled `display:none`. A token's line is the line of its cell's
//! `<` or of its prose's first visible character.

use html5gum::{Emitter, Error, State, Tokenizer};

use super::{clean, Place, Token};

/// Tags whose start or end ends a block of prose (a `match`, which compiles
/// to a few length and byte tests where a list was 22 comparisons per tag).
fn is_block_tag(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"div"
            | b"br"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"li"
            | b"ul"
            | b"ol"
            | b"table"
            | b"tr"
            | b"td"
            | b"th"
            | b"section"
            | b"article"
            | b"header"
            | b"footer"
            | b"title"
            | b"body"
    )
}

pub fn tokenize(text: &str) -> (Vec<Token>, Option<String>) {
    let mut page = Page::default();
    let scan = Scan {
        page: &mut page,
        lines: Lines { input: text.as_bytes(), at: 0, line: 1 },
        pos: 0,
        tag_start: 0,
        is_end_tag: false,
        tag_name: Vec::new(),
        last_start_tag: Vec::new(),
        attribute: Vec::new(),
        attribute_is_style: None,
        style: Vec::new(),
    };
    // The emitter yields no tokens of its own (`Infallible`): driving the
    // tokenizer to the end does all the work, and reading a `&str` cannot fail.
    let _ = Tokenizer::new_with_emitter(text, scan).finish();
    page.finish_cell();
    page.finish_prose();
    (page.tokens, page.title.map(|t| clean(&String::from_utf8_lossy(&t))))
}

/// What the page has yielded so far.
#[derive(Default)]
struct Page {
    tokens: Vec<Token>,
    title: Option<Vec<u8>>,
    in_title: bool,
    /// The open cell's line and row; its text is in `buffer`.
    cell: Option<(u32, u32)>,
    /// Text of the open cell or of the prose being collected.
    buffer: Vec<u8>,
    /// Line of the prose's first visible character, once there is one.
    prose_line: Option<u32>,
    rows_seen: u32,
    /// Inside `<script>` and the like: everything is dropped until its end tag.
    skipping: Option<Vec<u8>>,
    /// Inside a footnote mark or hidden element: its name and nesting depth.
    /// Its text is dropped until it ends, or the cell does.
    hidden: Option<(Vec<u8>, u32)>,
}

/// Elements without content, which never end a hidden run.
fn is_void(name: &[u8]) -> bool {
    matches!(name, b"br" | b"img" | b"hr" | b"input" | b"meta" | b"link" | b"wbr" | b"col" | b"area")
}

impl Page {
    /// A start tag, whose line `line_of_tag` counts (only cells need it);
    /// returns the state the tokenizer must switch to for tags whose content
    /// is not markup.
    fn start_tag(&mut self, name: &[u8], hidden: bool, line_of_tag: impl FnOnce() -> u32) -> Option<State> {
        match &mut self.hidden {
            Some((open, depth)) if open.as_slice() == name => *depth += 1,
            Some(_) => {}
            None if (hidden || matches!(name, b"sup" | b"sub")) && !is_void(name) => {
                self.hidden = Some((name.to_vec(), 1));
            }
            None => {}
        }
        match name {
            b"script" | b"style" | b"noscript" | b"template" | b"textarea" => {
                self.finish_prose();
                self.skipping = Some(name.to_vec());
                return Some(match name {
                    b"script" => State::ScriptData,
                    b"textarea" => State::RcData,
                    _ => State::RawText,
                });
            }
            b"title" => {
                self.finish_prose();
                self.in_title = true;
                return Some(State::RcData);
            }
            b"td" | b"th" => {
                self.hidden = None;
                self.finish_cell();
                self.finish_prose();
                self.rows_seen = self.rows_seen.max(1);
                self.cell = Some((line_of_tag(), self.rows_seen));
            }
            b"tr" => {
                self.hidden = None;
                self.finish_cell();
                self.finish_prose();
                self.rows_seen += 1;
            }
            _ => self.other_tag(name),
        }
        None
    }

    fn end_tag(&mut self, name: &[u8]) {
        if let Some(skipped) = &self.skipping {
            if name == skipped.as_slice() {
                self.skipping = None;
            }
            return;
        }
        if let Some((open, depth)) = &mut self.hidden {
            if open.as_slice() == name {
                *depth -= 1;
                if *depth == 0 {
                    self.hidden = None;
                }
            }
        }
        match name {
            b"title" => self.in_title = false,
            b"td" | b"th" | b"tr" => {
                self.hidden = None;
                self.finish_cell();
                self.finish_prose();
            }
            _ => self.other_tag(name),
        }
    }

    /// Start or end of any other tag: tables and blocks end prose; line
    /// breaks inside a cell are dropped by [`clean`].
    fn other_tag(&mut self, name: &[u8]) {
        if name == b"table" {
            self.finish_cell();
            self.finish_prose();
        } else if self.cell.is_none() && is_block_tag(name) {
            self.finish_prose();
        }
    }

    /// Character data ending at byte `end` of the input.
    fn text(&mut self, text: &[u8], end: usize, lines: &mut Lines) {
        if self.skipping.is_some() || self.hidden.is_some() {
            return;
        }
        if self.in_title {
            self.title.get_or_insert_with(Vec::new).extend_from_slice(text);
            return;
        }
        if self.cell.is_none() && self.prose_line.is_none() {
            if let Some(first) = first_visible(text) {
                let newlines_after = text[first..].iter().filter(|&&b| b == b'\n').count();
                self.prose_line = Some(lines.at(end).saturating_sub(u32::try_from(newlines_after).unwrap_or(0)));
            }
        }
        self.buffer.extend_from_slice(text);
    }

    fn finish_cell(&mut self) {
        if let Some((line, row)) = self.cell.take() {
            let text = clean(&String::from_utf8_lossy(&self.buffer));
            self.buffer.clear();
            self.tokens.push(Token { text, line, place: Place::RowCell(row) });
        }
    }

    fn finish_prose(&mut self) {
        if self.cell.is_some() {
            return;
        }
        if let Some(line) = self.prose_line.take() {
            let text = clean(&String::from_utf8_lossy(&self.buffer));
            if !text.is_empty() {
                self.tokens.push(Token { text, line, place: Place::Text });
            }
        }
        self.buffer.clear();
    }
}

/// Byte offset of the first character of `text` that is not white space.
fn first_visible(text: &[u8]) -> Option<usize> {
    String::from_utf8_lossy(text).char_indices().find(|(_, c)| !c.is_whitespace()).map(|(i, _)| i)
}

/// Line numbers of byte offsets, counted incrementally: the offsets asked
/// for only move forward, a little at a time.
struct Lines<'a> {
    input: &'a [u8],
    at: usize,
    line: u32,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> u32 {
        let pos = pos.min(self.input.len());
        let newlines = |bytes: &[u8]| u32::try_from(memchr::memchr_iter(b'\n', bytes).count()).unwrap_or(0);
        if pos >= self.at {
            self.line = self.line.saturating_add(newlines(&self.input[self.at..pos]));
        } else {
            self.line = self.line.saturating_sub(newlines(&self.input[pos..self.at]));
        }
        self.at = pos;
        self.line
    }
}

/// The html5gum emitter: tracks the byte position and the current tag's
/// name, and hands tags and text to the [`Page`].
struct Scan<'p, 'i> {
    page: &'p mut Page,
    lines: Lines<'i>,
    /// Byte offset just past what the tokenizer has read.
    pos: usize,
    /// Offset of the current tag's `<`.
    tag_start: usize,
    is_end_tag: bool,
    tag_name: Vec<u8>,
    /// The last start tag's name, which ends raw text such as a script.
    last_start_tag: Vec<u8>,
    /// The current attribute's name; whether it is `style`, once known; the
    /// start tag's style, read for `display:none`.
    attribute: Vec<u8>,
    attribute_is_style: Option<bool>,
    style: Vec<u8>,
}

/// Whether a `style` value hides its element (`display: none`). Most
/// styles hide nothing and are passed over without a copy.
fn hides(style: &[u8]) -> bool {
    let says = |word: &[u8]| {
        memchr::memchr2_iter(word[0], word[0].to_ascii_uppercase(), style)
            .any(|i| style.get(i..i + word.len()).is_some_and(|w| w.eq_ignore_ascii_case(word)))
    };
    if !says(b"none") && !says(b"hidden") {
        return false;
    }
    let compact: Vec<u8> = style.iter().filter(|b| !b.is_ascii_whitespace()).map(u8::to_ascii_lowercase).collect();
    compact.windows(12).any(|w| w == b"display:none") || compact.windows(17).any(|w| w == b"visibility:hidden")
}

impl Emitter for Scan<'_, '_> {
    type Token = std::convert::Infallible;

    fn move_position(&mut self, offset: isize) {
        self.pos = self.pos.saturating_add_signed(offset);
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }

    fn emit_error(&mut self, _: Error) {}

    fn pop_token(&mut self) -> Option<Self::Token> {
        None
    }

    fn set_last_start_tag(&mut self, name: Option<&[u8]>) {
        self.last_start_tag.clear();
        self.last_start_tag.extend_from_slice(name.unwrap_or_default());
    }

    fn emit_eof(&mut self) {}

    fn emit_string(&mut self, text: &[u8]) {
        // The tokenizer passes a NUL through as its own string; browsers drop it.
        if text != b"\0" {
            self.page.text(text, self.pos, &mut self.lines);
        }
    }

    fn start_open_tag(&mut self) {
        self.tag_start = self.pos.saturating_sub(1);
    }

    fn init_start_tag(&mut self) {
        self.is_end_tag = false;
        self.tag_name.clear();
        self.style.clear();
    }

    fn init_end_tag(&mut self) {
        self.is_end_tag = true;
        self.tag_name.clear();
    }

    fn push_tag_name(&mut self, name: &[u8]) {
        self.tag_name.extend_from_slice(name);
    }

    fn emit_current_tag(&mut self) -> Option<State> {
        if self.is_end_tag {
            self.page.end_tag(&self.tag_name);
            return None;
        }
        std::mem::swap(&mut self.last_start_tag, &mut self.tag_name);
        let (lines, tag_start) = (&mut self.lines, self.tag_start);
        let hidden = !self.style.is_empty() && hides(&self.style);
        self.page.start_tag(&self.last_start_tag, hidden, || lines.at(tag_start))
    }

    fn current_is_appropriate_end_tag_token(&mut self) -> bool {
        self.is_end_tag && !self.last_start_tag.is_empty() && self.tag_name == self.last_start_tag
    }

    // Comments, doctypes and attributes are not read.
    fn init_comment(&mut self) {}
    fn push_comment(&mut self, _: &[u8]) {}
    fn emit_current_comment(&mut self) {}
    fn init_doctype(&mut self) {}
    fn push_doctype_name(&mut self, _: &[u8]) {}
    fn set_doctype_public_identifier(&mut self, _: &[u8]) {}
    fn set_doctype_system_identifier(&mut self, _: &[u8]) {}
    fn push_doctype_public_identifier(&mut self, _: &[u8]) {}
    fn push_doctype_system_identifier(&mut self, _: &[u8]) {}
    fn set_force_quirks(&mut self) {}
    fn emit_current_doctype(&mut self) {}
    fn set_self_closing(&mut self) {}
    fn init_attribute(&mut self) {
        self.attribute.clear();
        self.attribute_is_style = None;
    }
    fn push_attribute_name(&mut self, name: &[u8]) {
        self.attribute.extend_from_slice(name);
    }
    // Only a start tag's `style` is kept; the value comes a piece at a time.
    fn push_attribute_value(&mut self, value: &[u8]) {
        let (is_end_tag, attribute) = (self.is_end_tag, &self.attribute);
        if *self.attribute_is_style.get_or_insert_with(|| !is_end_tag && attribute.eq_ignore_ascii_case(b"style")) {
            self.style.extend_from_slice(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tokens: &[Token]) -> Vec<(&str, Place, u32)> {
        tokens.iter().map(|t| (t.text.as_str(), t.place, t.line)).collect()
    }

    #[test]
    fn cells_rows_and_prose() {
        let html = "<html><head><title>报告</title><script>var a = '<td>x</td>';</script></head>\n<body><p>一、总体情况</p>\n<table><tr><td>规章</td><td>&nbsp;</td></tr>\n<tr><td><span>1</span><span>2</span></td><td>商业<br>企业</td></tr></table></body></html>";
        let (tokens, title) = tokenize(html);
        assert_eq!(title.as_deref(), Some("报告"));
        assert_eq!(
            texts(&tokens),
            [
                ("一、总体情况", Place::Text, 2),
                ("规章", Place::RowCell(1), 3),
                ("", Place::RowCell(1), 3),
                ("12", Place::RowCell(2), 4),
                ("商业企业", Place::RowCell(2), 4),
            ]
        );
    }

    #[test]
    fn footnote_marks_and_hidden_text_are_not_digits() {
        let html = "<table><tr><td>33<sup>1</sup></td><td>3<span style=\"display: none\">9<span>9</span></span>3</td>\
                    <td>7<sup>unclosed</td><td>5</td></tr></table><p>note<span style='DISPLAY:NONE'>x</span> end</p>";
        let (tokens, _) = tokenize(html);
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["33", "33", "7", "5", "note end"]);
    }

    #[test]
    fn unclosed_table_still_yields_cells() {
        let (tokens, _) = tokenize("<table><tr><td>规章<td>3");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["规章", "3"]);
    }

    #[test]
    fn lines_are_where_cells_and_prose_start() {
        // A start tag broken over lines counts from its `<`; prose from its
        // first visible character, not from the blank lines before it.
        let html = "<table><tr><td\n style=\"x\">规章</td></tr></table>\n<p>\n\n  二、主动公开\n\n</p>";
        let (tokens, _) = tokenize(html);
        assert_eq!(texts(&tokens), [("规章", Place::RowCell(1), 1), ("二、主动公开", Place::Text, 5)]);
    }

    #[test]
    fn raw_text_comments_and_entities() {
        let html = "<style>td{}</style><!-- <td>no</td> --><textarea><td>no</td></textarea>\
                    <table><tr><td>a&amp;b &lt;c&gt;&#x4e00;</td><td>\0</td></tr></table>";
        let (tokens, _) = tokenize(html);
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["a&b <c>一", ""]);
    }
}
