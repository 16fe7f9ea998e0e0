//! Word `.docx`: `word/document.xml` read as HTML is: each table row's cells
//! become cells of that row, and paragraphs outside tables become prose. A
//! cell merged down from the row above (`w:vMerge` continuing) is left out,
//! as HTML leaves out a cell under a `rowspan`; a cell spanning grid columns
//! (`w:gridSpan`) is one cell. The reader (`solve`) never trusts header positions,
//! so the grid needs no more than that.

use crate::diagnostics::RejectReason;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{join_cell_lines, word_document, zip_limits, Document};
use crate::parse::tokenize::{clean, Layout, Place, Token};

pub fn read(bytes: &[u8]) -> Result<Document, RejectReason> {
    let mut archive = zip_limits::open(bytes)?;
    let Some(xml) = zip_limits::read_part(&mut archive, "word/document.xml")? else {
        return Err(RejectReason::NotDocx);
    };
    let tokens =
        tokens_of(&xml).map_err(|e| RejectReason::DamagedWord(format!("damaged Word file, word/document.xml: {e}")))?;
    Ok(word_document(tokens, Layout::Docx))
}

/// The open table cell: its text, and whether it continues a vertical merge.
#[derive(Default)]
struct OpenCell {
    text: String,
    merged_from_above: bool,
}

/// Walks the document's XML into cells and prose, in document order (their
/// lines are numbered by `word_document`).
fn tokens_of(xml: &[u8]) -> Result<Vec<Token>, quick_xml::Error> {
    let mut reader = Reader::from_reader(xml);
    let mut tokens = Vec::new();
    let mut rows_seen = 0u32;
    // The row of each open table, innermost last (tables nest in cells).
    let mut rows: Vec<u32> = Vec::new();
    let mut cells: Vec<OpenCell> = Vec::new();
    let mut prose = String::new();
    let mut in_text = false;
    // Inside `mc:Fallback`: the same content again, for old readers.
    let mut fallback_depth = 0u32;
    loop {
        let event = reader.read_event()?;
        if fallback_depth > 0 {
            match event {
                Event::Start(ref e) if e.local_name().as_ref() == b"Fallback" => fallback_depth += 1,
                Event::End(ref e) if e.local_name().as_ref() == b"Fallback" => fallback_depth -= 1,
                Event::Eof => break,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"Fallback" => fallback_depth = 1,
                b"tbl" => {
                    flush_prose(&mut prose, &mut tokens);
                    rows.push(0);
                }
                b"tr" => {
                    rows_seen += 1;
                    if let Some(row) = rows.last_mut() {
                        *row = rows_seen;
                    }
                }
                b"tc" => cells.push(OpenCell::default()),
                b"t" => in_text = true,
                b"vMerge" => mark_merge(&e, &mut cells),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"vMerge" => mark_merge(&e, &mut cells),
                b"tab" => push_text(" ", &mut cells, &mut prose),
                b"br" | b"cr" if cells.is_empty() => flush_prose(&mut prose, &mut tokens),
                b"br" | b"cr" => push_text(" ", &mut cells, &mut prose),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => match cells.last_mut() {
                    // Paragraphs of a cell run on, as lines of an HTML cell do.
                    Some(cell) => cell.text.push('\n'),
                    None => flush_prose(&mut prose, &mut tokens),
                },
                b"tc" => {
                    if let Some(cell) = cells.pop() {
                        if !cell.merged_from_above {
                            let row = rows.last().copied().unwrap_or(rows_seen);
                            let text = clean(&join_cell_lines(&cell.text));
                            tokens.push(Token { text, line: 0, place: Place::RowCell(row) });
                        }
                    }
                }
                b"tbl" => {
                    rows.pop();
                }
                _ => {}
            },
            Event::Text(t) if in_text => push_text(&t.decode()?, &mut cells, &mut prose),
            Event::CData(t) if in_text => push_text(&t.decode()?, &mut cells, &mut prose),
            Event::GeneralRef(r) if in_text => {
                let resolved = match r.resolve_char_ref()? {
                    Some(c) => c.to_string(),
                    None => predefined_entity(&r.decode()?).to_string(),
                };
                push_text(&resolved, &mut cells, &mut prose);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    flush_prose(&mut prose, &mut tokens);
    Ok(tokens)
}

/// `w:vMerge` without a value, or with `continue`, continues the cell above.
fn mark_merge(element: &BytesStart, cells: &mut [OpenCell]) {
    let value = element.attributes().flatten().find(|a| a.key.local_name().as_ref() == b"val").map(|a| a.value);
    if let Some(cell) = cells.last_mut() {
        cell.merged_from_above = value.is_none_or(|v| v.as_ref() == b"continue");
    }
}

fn push_text(text: &str, cells: &mut [OpenCell], prose: &mut String) {
    match cells.last_mut() {
        Some(cell) => cell.text.push_str(text),
        None => prose.push_str(text),
    }
}

fn flush_prose(prose: &mut String, tokens: &mut Vec<Token>) {
    let text = clean(prose);
    prose.clear();
    if !text.is_empty() {
        tokens.push(Token { text, line: 0, place: Place::Text });
    }
}

fn predefined_entity(name: &str) -> &'static str {
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CELL: &str = "<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>";

    fn cell(text: &str, pr: &str) -> String {
        CELL.replace("{text}", text).replace("{pr}", pr)
    }

    #[test]
    fn rows_cells_merges_and_prose() {
        let xml = format!(
            "<w:document><w:body><w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p><w:tbl>\
             <w:tr>{}{}</w:tr><w:tr>{}{}</w:tr></w:tbl>\
             <w:p><w:r><w:t>A&amp;B</w:t><w:br/><w:t>下一行</w:t></w:r></w:p></w:body></w:document>",
            cell("规章", "<w:vMerge w:val=\"restart\"/>"),
            cell("3", "<w:gridSpan w:val=\"2\"/>"),
            cell("", "<w:vMerge/>"),
            cell("0", ""),
        );
        let tokens = word_document(tokens_of(xml.as_bytes()).unwrap(), Layout::Docx).tokens.tokens;
        let got: Vec<(&str, Place, u32)> = tokens.iter().map(|t| (t.text.as_str(), t.place, t.line)).collect();
        assert_eq!(
            got,
            [
                ("一、总体情况", Place::Text, 1),
                ("规章", Place::RowCell(1), 2),
                ("3", Place::RowCell(1), 3),
                ("0", Place::RowCell(2), 4),
                ("A&B", Place::Text, 5),
                ("下一行", Place::Text, 6),
            ]
        );
    }
}
