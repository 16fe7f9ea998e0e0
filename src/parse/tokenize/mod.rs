//! Tokenize: every source layout becomes the same stream of [`Token`]s, each
//! a piece of text with its source line and its place (prose, a table cell,
//! or a cell of a known table row). One file per layout; none of them knows
//! the template.

mod cell_lines;
pub mod flow;
mod html;
mod markdown;
mod pipe_cells;
mod tab_rows;

/// A piece of document text and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub text: String,
    /// 1-based line in the decoded text where the token starts.
    pub line: u32,
    pub place: Place,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Prose, a heading, page chrome: never a label or a value.
    Text,
    /// A table cell in a layout that does not show row boundaries.
    Cell,
    /// A cell of table row `n` (numbered through the document).
    RowCell(u32),
}

impl Token {
    pub fn is_cell(&self) -> bool {
        !matches!(self.place, Place::Text)
    }

    pub fn row(&self) -> Option<u32> {
        match self.place {
            Place::RowCell(r) => Some(r),
            _ => None,
        }
    }
}

/// The source layouts xxgk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One cell per line, tab-indented; cells may wrap onto unindented lines.
    CellLines,
    /// One table row per line, cells separated by tabs.
    TabRows,
    /// One cell per line ending in ` |`; lines of bare pipes are empty cells.
    PipeCells,
    /// Markdown pipe tables (`| a | b |`).
    Markdown,
    /// HTML `<table>` markup.
    Html,
    /// Text without cell boundaries (tags stripped, PDF text, one text node
    /// per line): split into labels and values by `flow`.
    Flow(flow::Mode),
    /// A PDF's text layer, as lines (`extract`): read by the solver.
    Pdf,
    /// Word `.docx` tables, as rows of cells (`extract`).
    Docx,
    /// Word 97 `.doc` tables, as rows of cells (`extract`).
    Doc,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::CellLines => "cell_lines",
            Layout::TabRows => "tab_rows",
            Layout::PipeCells => "pipe_cells",
            Layout::Markdown => "markdown",
            Layout::Html => "html",
            Layout::Flow(mode) => mode.layout_name(),
            Layout::Pdf => "pdf",
            Layout::Docx => "docx",
            Layout::Doc => "doc",
        }
    }
}

/// A tokenized document.
#[derive(Debug)]
pub struct Tokens {
    pub layout: Layout,
    pub tokens: Vec<Token>,
    /// The HTML `<title>`, when there is one.
    pub title: Option<String>,
}

/// Fewer lines of a cell layout than this and a text file is flowing text.
const MIN_TABLE_LINES: usize = 2;

/// Picks the layout of `text` (`is_html` from the file name) and tokenizes
/// it. A file named `.html` without a tag is text saved under that name.
pub fn tokenize(text: &str, is_html: bool) -> Tokens {
    let html = looks_like_html(text) || is_html && has_tags(text);
    let layout = if html { Layout::Html } else { detect_text_layout(text) };
    let (tokens, title) = match layout {
        Layout::Html => html::tokenize(text),
        Layout::CellLines => (cell_lines::tokenize(text), None),
        Layout::TabRows => (tab_rows::tokenize(text), None),
        Layout::PipeCells => (pipe_cells::tokenize(text), None),
        Layout::Markdown => (markdown::tokenize(text), None),
        // Prose lines for the metadata and sections; the solver splits the text itself.
        Layout::Flow(_) | Layout::Pdf | Layout::Docx | Layout::Doc => (prose_lines(text), None),
    };
    Tokens { layout, tokens, title }
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text.chars().take(4096).collect::<String>().to_ascii_lowercase();
    head.trim_start().starts_with('<') && (head.contains("<table") || head.contains("<html") || head.contains("<body"))
        || text.contains("<table")
        || text.contains("<TABLE")
}

/// How far into a file named `.html` a tag is looked for.
const TAG_SNIFF_BYTES: usize = 64 * 1024;

/// Whether the start of `text` has a tag (`<p`, `</td`, `<!--`).
fn has_tags(text: &str) -> bool {
    let head = &text.as_bytes()[..text.len().min(TAG_SNIFF_BYTES)];
    memchr::memchr_iter(b'<', head)
        .any(|at| head.get(at + 1).is_some_and(|&b| b.is_ascii_alphabetic() || b == b'/' || b == b'!'))
}

/// Counts the lines typical of each text layout and picks the commonest.
fn detect_text_layout(text: &str) -> Layout {
    let (mut cell_lines, mut tab_rows, mut pipe_cells, mut markdown) = (0, 0, 0, 0);
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('|') && !trimmed.trim_matches('|').trim().is_empty() && trimmed.matches('|').count() >= 2
        {
            markdown += 1;
        } else if trimmed.ends_with('|') {
            pipe_cells += 1;
        } else if line.trim_start_matches('\t').trim_end_matches(['\r', ' ']).contains('\t') {
            tab_rows += 1;
        } else if line.starts_with('\t') {
            cell_lines += 1;
        }
    }
    let counts = [
        (cell_lines, Layout::CellLines),
        (tab_rows, Layout::TabRows),
        (pipe_cells, Layout::PipeCells),
        (markdown, Layout::Markdown),
    ];
    let (count, layout) = counts.iter().copied().max_by_key(|(n, _)| *n).unwrap_or((0, Layout::CellLines));
    if count >= MIN_TABLE_LINES {
        layout
    } else {
        Layout::Flow(flow::detect(text))
    }
}

/// Every non-empty line as prose.
pub(crate) fn prose_lines(text: &str) -> Vec<Token> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Token { text: l.trim().to_string(), line: line_no(i), place: Place::Text })
        .collect()
}

/// Collapses runs of white space (including `&nbsp;`) and trims. Line breaks
/// inside a cell are dropped: they split words of one label (`商业<br>企业`).
pub(crate) fn clean(text: &str) -> String {
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

/// 0-based line index to the 1-based line number, saturating on absurd input.
pub(crate) fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_layouts() {
        let cells = "标题\n\t规章\n\t0\n\t0\n\t0\n\t规范性文件\n\t0\n\t0\n\t0\n";
        assert_eq!(tokenize(cells, false).layout, Layout::CellLines);
        let rows = "规章\t0\t0\t0\n".repeat(8);
        assert_eq!(tokenize(&rows, false).layout, Layout::TabRows);
        let pipes = "规章 |\n0 |\n||\n".repeat(4);
        assert_eq!(tokenize(&pipes, false).layout, Layout::PipeCells);
        let md = "| 规章 | 0 | 0 | 0 |\n".repeat(8);
        assert_eq!(tokenize(&md, false).layout, Layout::Markdown);
        assert_eq!(tokenize("只有正文。\n第二段。", false).layout, Layout::Flow(flow::Mode::Fused));
        assert_eq!(tokenize("<table><tr><td>1</td></tr></table>", false).layout, Layout::Html);
        // Named .html: HTML when it has a tag, else what its text is.
        assert_eq!(tokenize("<p>总计</p>", true).layout, Layout::Html);
        assert_eq!(tokenize(&md, true).layout, Layout::Markdown);
    }
}
