//! Renders a synthetic [`Document`] in one layout. Tables are first laid out
//! as a grid with row and column spans (as the national template prints
//! them); each layout then writes that grid the way real converters do.

use super::{Document, Printed};
use crate::label::to_half_width;
use crate::parse::tokenize::flow::Mode;
use crate::parse::tokenize::Layout;
use crate::template::Table;
use crate::words::WORDS;

/// A printed table cell with its spans.
#[derive(Debug, Clone)]
struct GridCell {
    text: String,
    rowspan: usize,
    colspan: usize,
    /// A header cell (may wrap across lines in text exports).
    header: bool,
}

impl GridCell {
    fn new(text: impl Into<String>) -> GridCell {
        GridCell { text: text.into(), rowspan: 1, colspan: 1, header: false }
    }
    fn span(mut self, rows: usize, cols: usize) -> GridCell {
        self.rowspan = rows;
        self.colspan = cols;
        self
    }
    fn header(mut self) -> GridCell {
        self.header = true;
        self
    }
}

/// What stands at one grid position of a row.
#[derive(Debug, Clone)]
enum Slot<'g> {
    Cell(&'g GridCell),
    /// Covered by a cell from a row above.
    Covered,
    /// Covered by a cell to the left.
    Spanned,
}

type Grid = Vec<Vec<GridCell>>;

/// What a document is written as.
pub enum Rendered {
    Text(String, &'static str),
    /// `word/document.xml` of a `.docx`.
    WordXml(String),
}

/// The document's text, or its Word XML, and the file extension it is written with.
pub fn render(doc: &Document) -> Rendered {
    let mut rng = fastrand::Rng::with_seed(doc.year as u64 * 7919 + doc.agency.len() as u64);
    let grids: Vec<Grid> =
        doc.template.tables.iter().zip(&doc.values).map(|(table, values)| grid(table, values, &mut rng)).collect();
    let words = &WORDS.synth;
    let title = words.fill(&words.title, &doc.agency, doc.year);
    let sections = narrative(doc);
    let (text, ext) = match doc.layout {
        // synth writes no PDF or Word 97 file (they need fonts and an OLE
        // writer); its attachment layout is Word .docx.
        Layout::Docx | Layout::Pdf | Layout::Doc => return Rendered::WordXml(word_xml(&title, &sections, &grids)),
        Layout::Html => (html(doc, &title, &sections, &grids, &mut rng), "html"),
        Layout::Markdown => (text(&title, &sections, &grids, markdown_table), "md"),
        Layout::CellLines => (text(&title, &sections, &grids, cell_lines_table), "txt"),
        Layout::TabRows => (text(&title, &sections, &grids, tab_rows_table), "txt"),
        Layout::PipeCells => (text(&title, &sections, &grids, pipe_cells_table), "txt"),
        Layout::Flow(Mode::Fused) => (text(&title, &sections, &grids, fused_table), "txt"),
        Layout::Flow(Mode::Spaced) => (text(&title, &sections, &grids, pdf_text_table), "txt"),
        Layout::Flow(Mode::NodeLines) => {
            (collapse_equal_lines(&text(&title, &sections, &grids, node_lines_table)), "txt")
        }
    };
    Rendered::Text(text, ext)
}

/// The six section headings and their prose; tables go after headings 二–四.
fn narrative(doc: &Document) -> Vec<(String, String)> {
    let words = &WORDS.synth;
    words.sections.iter().map(|(heading, prose)| (heading.clone(), words.fill(prose, &doc.agency, doc.year))).collect()
}

/// Lays a table out as the template prints it.
fn grid(table: &Table, values: &[Vec<Printed>], rng: &mut fastrand::Rng) -> Grid {
    let rows: Vec<_> = table.rows.iter().filter(|r| r.replaces.is_empty()).collect();
    let number = |p: &Printed| GridCell::new(p.text());
    let mut grid: Grid = Vec::new();
    match table.code.as_str() {
        "requests" => {
            let cols = &rows[0].cols;
            let words = &WORDS.synth;
            grid.push(vec![
                GridCell::new(&words.requests_note).span(3, 3).header(),
                GridCell::new(&words.applicants).span(1, 7).header(),
            ]);
            grid.push(vec![
                GridCell::new(&words.natural_persons).span(2, 1).header(),
                GridCell::new(&words.organisations).span(1, 5).header(),
                GridCell::new(&words.total).span(2, 1).header(),
            ]);
            grid.push(cols[1..6].iter().map(|c| GridCell::new(last_segment(&c.label)).header()).collect());
            let paths: Vec<Vec<String>> =
                rows.iter().map(|r| r.label.split('/').map(|s| variant(s, rng)).collect()).collect();
            for (i, (path, row_values)) in paths.iter().zip(values).enumerate() {
                let mut line = Vec::new();
                for depth in 0..path.len() - 1 {
                    let starts_group = i == 0 || paths[i - 1].get(..=depth) != path.get(..=depth);
                    if starts_group {
                        let span = paths[i..].iter().take_while(|p| p.get(..=depth) == path.get(..=depth)).count();
                        line.push(GridCell::new(path[depth].clone()).span(span, 1));
                    }
                }
                line.push(GridCell::new(path[path.len() - 1].clone()).span(1, 4 - path.len()));
                line.extend(row_values.iter().map(number));
                grid.push(line);
            }
        }
        "appeals" => {
            let mut top = Vec::new();
            let mut middle = Vec::new();
            let mut bottom = Vec::new();
            let mut i = 0;
            while i < rows.len() {
                let group = first_segment(&rows[i].label);
                let members: Vec<_> = rows[i..].iter().take_while(|r| first_segment(&r.label) == group).collect();
                let width: usize = members.iter().map(|r| r.cols.len()).sum();
                top.push(GridCell::new(group).span(1, width).header());
                for row in &members {
                    let nested = row.label.contains('/');
                    if nested {
                        middle.push(GridCell::new(last_segment(&row.label)).span(1, row.cols.len()).header());
                    }
                    for col in &row.cols {
                        let cell = GridCell::new(col.label.clone()).header();
                        if nested {
                            bottom.push(cell);
                        } else {
                            middle.push(cell.span(2, 1));
                        }
                    }
                }
                i += members.len();
            }
            grid.extend([top, middle, bottom]);
            grid.push(values.iter().flatten().map(number).collect());
        }
        _ => {
            let width = 1 + rows.iter().map(|r| r.cols.len()).max().unwrap_or(1);
            let mut i = 0;
            while i < rows.len() {
                let block = first_segment(&rows[i].label);
                let members: Vec<_> = rows[i..].iter().take_while(|r| first_segment(&r.label) == block).collect();
                grid.push(vec![GridCell::new(variant(&block, rng)).span(1, width)]);
                let cols = &members[0].cols;
                let mut header = vec![GridCell::new(&WORDS.synth.proactive_content).header()];
                header.extend(cols.iter().map(|c| GridCell::new(c.label.clone()).header()));
                fill_width(&mut header, width);
                grid.push(header);
                for (row, row_values) in members.iter().zip(&values[i..]) {
                    let mut line = vec![GridCell::new(last_segment(&row.label))];
                    line.extend(row_values.iter().map(number));
                    fill_width(&mut line, width);
                    grid.push(line);
                }
                i += members.len();
            }
        }
    }
    grid
}

/// Widens the last cell so the row fills the table.
fn fill_width(line: &mut [GridCell], width: usize) {
    let used: usize = line.iter().map(|c| c.colspan).sum();
    if let Some(last) = line.last_mut() {
        last.colspan += width.saturating_sub(used);
    }
}

fn first_segment(label: &str) -> String {
    label.split('/').next().unwrap_or(label).to_string()
}

fn last_segment(label: &str) -> String {
    label.rsplit('/').next().unwrap_or(label).to_string()
}

/// Label variants seen in real reports: half-width brackets, a space after
/// the enumerator.
fn variant(label: &str, rng: &mut fastrand::Rng) -> String {
    match rng.u8(..4) {
        0 => label.chars().map(|c| if matches!(to_half_width(c), '(' | ')') { to_half_width(c) } else { c }).collect(),
        1 => {
            let mark = WORDS.enumerators.heading_mark;
            label.replacen(mark, &format!("{mark} "), 1)
        }
        _ => label.to_string(),
    }
}

/// Each row's grid positions, resolving spans.
fn slots(grid: &Grid) -> Vec<Vec<Slot<'_>>> {
    let mut covered: Vec<usize> = Vec::new(); // rows still covered, per column
    let mut out = Vec::new();
    for row in grid {
        let mut line = Vec::new();
        let mut col = 0;
        let mut cells = row.iter();
        let mut next = cells.next();
        while next.is_some() || covered.get(col).is_some_and(|&n| n > 0) {
            if covered.len() <= col {
                covered.resize(col + 1, 0);
            }
            if covered[col] > 0 {
                covered[col] -= 1;
                line.push(Slot::Covered);
                col += 1;
                continue;
            }
            let Some(cell) = next else { break };
            line.push(Slot::Cell(cell));
            for offset in 0..cell.colspan {
                if covered.len() <= col + offset {
                    covered.resize(col + offset + 1, 0);
                }
                covered[col + offset] = cell.rowspan - 1;
                if offset > 0 {
                    line.push(Slot::Spanned);
                }
            }
            col += cell.colspan;
            next = cells.next();
        }
        out.push(line);
    }
    out
}

/// A text document: title, headings, prose, and each table after its heading.
fn text(title: &str, sections: &[(String, String)], grids: &[Grid], table: fn(&Grid) -> String) -> String {
    let mut out = format!("{title}\n\n");
    for (i, (heading, prose)) in sections.iter().enumerate() {
        out.push_str(heading);
        out.push('\n');
        if let Some(grid) = (1..=3).contains(&i).then(|| &grids[i - 1]) {
            out.push_str(&table(grid));
        }
        if !prose.is_empty() {
            out.push_str(prose);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// One cell per tab-indented line, a blank line between rows; header cells
/// wrap; cells covered from above are empty lines.
fn cell_lines_table(grid: &Grid) -> String {
    let mut out = String::new();
    for row in slots(grid) {
        for slot in row {
            match slot {
                Slot::Cell(cell) if cell.header && cell.text.chars().count() == 4 => {
                    let (a, b) = cell.text.split_at(cell.text.char_indices().nth(2).map_or(0, |(i, _)| i));
                    out.push_str(&format!("\t{a}\n{b}\n"));
                }
                Slot::Cell(cell) => out.push_str(&format!("\t{}\n", cell.text)),
                Slot::Covered => out.push_str("\t\n"),
                Slot::Spanned => {}
            }
        }
        out.push('\n');
    }
    out
}

/// A row's text at every grid position; spanned positions are empty.
fn row_texts<'g>(row: &[Slot<'g>]) -> Vec<&'g str> {
    row.iter()
        .map(|s| match s {
            Slot::Cell(c) => c.text.as_str(),
            _ => "",
        })
        .collect()
}

/// One row per line, tab-separated; every grid position is a cell.
fn tab_rows_table(grid: &Grid) -> String {
    slots(grid).iter().map(|row| row_texts(row).join("\t") + "\n").collect()
}

/// One cell per line ending in ` |`; a row's spanned positions follow it as
/// a line of bare pipes.
fn pipe_cells_table(grid: &Grid) -> String {
    let mut out = String::new();
    for row in slots(grid) {
        let mut empty = 0;
        for slot in row {
            match slot {
                Slot::Cell(cell) => out.push_str(&format!("{} |\n", cell.text)),
                _ => empty += 1,
            }
        }
        if empty > 0 {
            out.push_str(&"|".repeat(empty));
            out.push('\n');
        }
    }
    out
}

/// Tags stripped: every cell's text run together, the table on one line.
fn fused_table(grid: &Grid) -> String {
    let cells: String = grid.iter().flatten().map(|c| c.text.as_str()).collect();
    cells + "\n"
}

/// One text node per line: empty cells leave no line.
fn node_lines_table(grid: &Grid) -> String {
    grid.iter().flatten().filter(|c| !c.text.is_empty()).map(|c| format!("{}\n", c.text)).collect()
}

/// Runs of equal lines collapsed into one, as the crawler writes them.
fn collapse_equal_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last: Option<&str> = None;
    for line in text.lines() {
        if last != Some(line) {
            out.push_str(line);
            out.push('\n');
        }
        last = Some(line);
    }
    out
}

/// Labels longer than this wrap in PDF text, and their values print on the
/// line before the wrapped label.
const PDF_LABEL_WRAP_CHARS: usize = 14;

/// PDF text: a row's cells on one line, space-separated, empty cells gone.
/// A long label wraps: its values print first, then the label in two lines
/// (as a PDF's reading order puts them), a page footer now and then.
fn pdf_text_table(grid: &Grid) -> String {
    let mut out = String::new();
    for (i, row) in grid.iter().enumerate() {
        let texts: Vec<&str> = row.iter().map(|c| c.text.as_str()).filter(|t| !t.is_empty()).collect();
        let labels: Vec<&str> = texts.iter().copied().filter(|t| !is_number(t)).collect();
        let values: Vec<&str> = texts.iter().copied().filter(|t| is_number(t)).collect();
        let long = labels.last().filter(|l| l.chars().count() > PDF_LABEL_WRAP_CHARS && !values.is_empty());
        match long {
            Some(label) => {
                let cut = label.char_indices().nth(PDF_LABEL_WRAP_CHARS).map_or(label.len(), |(b, _)| b);
                let before = &labels[..labels.len() - 1];
                out.push_str(&format!("{}\n", values.join(" ")));
                out.push_str(&format!("{}\n{}\n", [before, &[&label[..cut]]].concat().join(" "), &label[cut..]));
            }
            None => out.push_str(&format!("{}\n", texts.join(" "))),
        }
        if i % 17 == 16 {
            out.push_str(&format!("- {} -\n", i / 17 + 2));
        }
    }
    out
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// A Markdown pipe table; spanned positions are empty cells.
fn markdown_table(grid: &Grid) -> String {
    let mut out = String::new();
    for (i, row) in slots(grid).iter().enumerate() {
        let cells = row_texts(row);
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            out.push_str(&format!("|{}\n", "---|".repeat(cells.len())));
        }
    }
    out.push('\n');
    out
}

/// Word's `document.xml`: paragraphs, and tables as Word writes them, with
/// `w:gridSpan` across columns and `w:vMerge` down rows.
fn word_xml(title: &str, sections: &[(String, String)], grids: &[Grid]) -> String {
    let paragraph =
        |text: &str| format!("<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", xml_escape(text));
    let mut body = paragraph(title);
    for (i, (heading, prose)) in sections.iter().enumerate() {
        body.push_str(&paragraph(heading));
        if let Some(grid) = (1..=3).contains(&i).then(|| &grids[i - 1]) {
            body.push_str("<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/></w:tblPr>");
            for row in slots(grid) {
                body.push_str("<w:tr>");
                for slot in row {
                    let (properties, text) = match slot {
                        Slot::Cell(cell) => {
                            let mut properties = String::new();
                            if cell.colspan > 1 {
                                properties.push_str(&format!("<w:gridSpan w:val=\"{}\"/>", cell.colspan));
                            }
                            if cell.rowspan > 1 {
                                properties.push_str("<w:vMerge w:val=\"restart\"/>");
                            }
                            (properties, cell.text.as_str())
                        }
                        Slot::Covered => ("<w:vMerge/>".to_string(), ""),
                        Slot::Spanned => continue,
                    };
                    body.push_str(&format!("<w:tc><w:tcPr>{properties}</w:tcPr>{}</w:tc>", paragraph(text)));
                }
                body.push_str("</w:tr>");
            }
            body.push_str("</w:tbl>");
        }
        for line in prose.lines() {
            body.push_str(&paragraph(line));
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A scraped page: site chrome with a navigation table, Word-style markup,
/// `&nbsp;` blanks, `<br>` in headers, digits split across spans.
fn html(doc: &Document, title: &str, sections: &[(String, String)], grids: &[Grid], rng: &mut fastrand::Rng) -> String {
    let charset = if doc.gbk { "gbk" } else { "utf-8" };
    let words = &WORDS.synth;
    let page_title = words.fill(&words.page_title, &doc.agency, doc.year);
    let [home, open, year] = [0, 1, 2].map(|i| words.navigation.get(i).map_or("", String::as_str));
    let mut out = format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\">\n<title>{title}{page_title}</title>\n<script>var nav = '<td>{home}</td>';</script>\n</head>\n<body>\n<table class=\"nav\"><tr><td><a href=\"/\">{home}</a></td><td><a href=\"/zwgk\">{open}</a></td><td>{year}</td></tr></table>\n<div class=\"article\">\n<h1>{title}</h1>\n"
    );
    for (i, (heading, prose)) in sections.iter().enumerate() {
        out.push_str(&format!(
            "<p class=MsoNormal><b><span style='font-family:{}'>{heading}</span></b></p>\n",
            words.heading_font
        ));
        if let Some(grid) = (1..=3).contains(&i).then(|| &grids[i - 1]) {
            out.push_str("<table class=MsoNormalTable border=1 cellspacing=0>\n");
            for row in grid {
                out.push_str("<tr>\n");
                for cell in row {
                    let mut attrs = String::new();
                    if cell.rowspan > 1 {
                        attrs.push_str(&format!(" rowspan={}", cell.rowspan));
                    }
                    if cell.colspan > 1 {
                        attrs.push_str(&format!(" colspan=\"{}\"", cell.colspan));
                    }
                    out.push_str(&format!(
                        "<td{attrs} style='border:solid windowtext 1.0pt'><p class=MsoNormal>{}</p></td>\n",
                        html_cell(cell, rng)
                    ));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
        for paragraph in prose.lines() {
            out.push_str(&format!("<p class=MsoNormal>{paragraph}</p>\n"));
        }
    }
    let footer: String = words.footer.iter().map(|p| format!("<p>{p}</p>")).collect();
    out.push_str(&format!("</div>\n<div class=\"footer\">{footer}</div>\n</body>\n</html>\n"));
    out
}

fn html_cell(cell: &GridCell, rng: &mut fastrand::Rng) -> String {
    if cell.text.is_empty() {
        return "&nbsp;".to_string();
    }
    let chars: Vec<char> = cell.text.chars().collect();
    if cell.header && chars.len() == 4 {
        let (a, b) = chars.split_at(2);
        return format!("{}<br>{}", a.iter().collect::<String>(), b.iter().collect::<String>());
    }
    if chars.len() >= 2 && chars.iter().all(char::is_ascii_digit) && rng.bool() {
        let (a, b) = chars.split_at(1);
        return format!(
            "<span lang=EN-US>{}</span><span lang=EN-US>{}</span>",
            a.iter().collect::<String>(),
            b.iter().collect::<String>()
        );
    }
    cell.text.clone()
}
