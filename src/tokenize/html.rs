//! HTML pages and fragments, read with html5ever's tokenizer. Every `<td>` or
//! `<th>` becomes a cell of its `<tr>` (spans are ignored: the aligner never
//! trusts header positions); text outside tables becomes prose, one token per
//! block; `<script>` and `<style>` are skipped. The token's line is the line
//! of the cell's start tag.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token as HtmlToken, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

use super::{Place, Token};

/// Tags whose start or end ends a block of prose.
const BLOCK_TAGS: [&str; 22] = [
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tr", "td", "th", "section",
    "article", "header", "footer", "title", "body",
];

pub fn tokenize(text: &str) -> (Vec<Token>, Option<String>) {
    let sink = Sink::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(text));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    // The sink never asks to pause for scripts, so one feed reads everything.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let state = tokenizer.sink.state.into_inner();
    (state.tokens, state.title)
}

#[derive(Default)]
struct Sink {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    tokens: Vec<Token>,
    title: Option<String>,
    /// The open cell: its text, line and row.
    cell: Option<(String, u32, u32)>,
    /// Prose being collected outside cells, with its first line.
    prose: String,
    prose_line: u32,
    rows_seen: u32,
    /// Inside `<script>`/`<style>`: text is dropped until the end tag.
    skipping: Option<String>,
    in_title: bool,
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: HtmlToken, line_number: u64) -> TokenSinkResult<()> {
        let line = u32::try_from(line_number).unwrap_or(u32::MAX);
        let mut state = self.state.borrow_mut();
        match token {
            HtmlToken::TagToken(tag) => {
                let name: &str = &tag.name;
                if let Some(skipped) = &state.skipping {
                    if tag.kind == TagKind::EndTag && name == skipped {
                        state.skipping = None;
                    }
                    return TokenSinkResult::Continue;
                }
                match (tag.kind, name) {
                    (TagKind::StartTag, "script" | "style" | "noscript" | "template" | "textarea") => {
                        state.finish_prose();
                        state.skipping = Some(name.to_string());
                        let kind = if name == "textarea" { RawKind::Rcdata } else { RawKind::Rawtext };
                        return TokenSinkResult::RawData(if name == "script" { RawKind::ScriptData } else { kind });
                    }
                    (TagKind::StartTag, "title") => {
                        state.finish_prose();
                        state.in_title = true;
                        return TokenSinkResult::RawData(RawKind::Rcdata);
                    }
                    (TagKind::EndTag, "title") => state.in_title = false,
                    (TagKind::StartTag, "td" | "th") => {
                        state.finish_cell();
                        state.finish_prose();
                        if state.rows_seen == 0 {
                            state.rows_seen = 1;
                        }
                        let row = state.rows_seen;
                        state.cell = Some((String::new(), line, row));
                    }
                    (TagKind::StartTag, "tr") => {
                        state.finish_cell();
                        state.finish_prose();
                        state.rows_seen += 1;
                    }
                    (_, "td" | "th" | "tr" | "table") => {
                        state.finish_cell();
                        state.finish_prose();
                    }
                    (_, "br" | "p" | "div") if state.cell.is_some() => state.push_text("\n", line),
                    (_, name) if BLOCK_TAGS.contains(&name) => state.finish_prose(),
                    _ => {}
                }
            }
            HtmlToken::CharacterTokens(text) if state.skipping.is_none() => state.push_text(&text, line),
            HtmlToken::EOFToken => {
                state.finish_cell();
                state.finish_prose();
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl State {
    fn push_text(&mut self, text: &str, line: u32) {
        if self.in_title {
            self.title.get_or_insert_with(String::new).push_str(text);
        } else if let Some((cell, _, _)) = &mut self.cell {
            cell.push_str(text);
        } else {
            if self.prose.trim().is_empty() {
                self.prose_line = line;
            }
            self.prose.push_str(text);
        }
    }

    fn finish_cell(&mut self) {
        if let Some((text, line, row)) = self.cell.take() {
            let text = clean(&text);
            self.tokens.push(Token { text, line, place: Place::RowCell(row) });
        }
    }

    fn finish_prose(&mut self) {
        let text = clean(&std::mem::take(&mut self.prose));
        if !text.is_empty() {
            self.tokens.push(Token { text, line: self.prose_line, place: Place::Text });
        }
    }
}

/// Collapses runs of white space (including `&nbsp;`) and trims. Line breaks
/// inside a cell are dropped: they split words of one label (`商业<br>企业`).
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c == '\n' || c == '\r' {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_rows_and_prose() {
        let html = "<html><head><title>报告</title><script>var a = '<td>x</td>';</script></head>\n<body><p>一、总体情况</p>\n<table><tr><td>规章</td><td>&nbsp;</td></tr>\n<tr><td><span>1</span><span>2</span></td><td>商业<br>企业</td></tr></table></body></html>";
        let (tokens, title) = tokenize(html);
        assert_eq!(title.as_deref(), Some("报告"));
        let texts: Vec<(&str, Place, u32)> = tokens.iter().map(|t| (t.text.as_str(), t.place, t.line)).collect();
        assert_eq!(
            texts,
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
    fn unclosed_table_still_yields_cells() {
        let (tokens, _) = tokenize("<table><tr><td>规章<td>3");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["规章", "3"]);
    }
}
