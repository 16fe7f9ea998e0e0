//! Word 97 `.doc` (an OLE compound file), read by office_oxide: its
//! document model has tables with covered cells left out (as HTML leaves
//! out a cell under a `rowspan`), which become rows of cells; paragraphs,
//! headings and list items outside tables become prose.

use crate::diagnostics::RejectReason;
use std::io::Cursor;

use office_oxide::ir::{Element, InlineContent};
use office_oxide::{Document as OfficeDocument, DocumentFormat};

use super::{join_cell_lines, word_document, Document};
use crate::parse::tokenize::{clean, Layout, Place, Token};

pub fn read(bytes: &[u8]) -> Result<Document, RejectReason> {
    let office = OfficeDocument::from_reader(Cursor::new(bytes.to_vec()), DocumentFormat::Doc)
        .map_err(|e| RejectReason::DamagedWord(format!("unreadable Word 97 .doc (or another old Office file): {e}")))?;
    let ir = office.to_ir();
    let mut walk = Walk::default();
    for section in &ir.sections {
        walk.elements(&section.elements);
    }
    Ok(word_document(walk.tokens, Layout::Doc))
}

#[derive(Default)]
struct Walk {
    tokens: Vec<Token>,
    rows_seen: u32,
}

impl Walk {
    fn elements(&mut self, elements: &[Element]) {
        for element in elements {
            match element {
                Element::Table(table) => {
                    for row in &table.rows {
                        self.rows_seen += 1;
                        for cell in &row.cells {
                            let mut lines = String::new();
                            text_of(&cell.content, &mut lines);
                            let text = clean(&join_cell_lines(&lines));
                            self.tokens.push(Token { text, line: 0, place: Place::RowCell(self.rows_seen) });
                        }
                    }
                }
                Element::List(list) => {
                    for item in &list.items {
                        self.elements(&item.content);
                    }
                }
                Element::TextBox(text_box) => self.elements(&text_box.content),
                other => {
                    let mut lines = String::new();
                    text_of(std::slice::from_ref(other), &mut lines);
                    for line in lines.lines() {
                        let text = clean(line);
                        if !text.is_empty() {
                            self.tokens.push(Token { text, line: 0, place: Place::Text });
                        }
                    }
                }
            }
        }
    }
}

/// The text of paragraphs and headings, one line each (nested tables' cells too).
fn text_of(elements: &[Element], out: &mut String) {
    for element in elements {
        match element {
            Element::Paragraph(p) => inline_text(&p.content, out),
            Element::Heading(h) => inline_text(&h.content, out),
            Element::Table(t) => {
                for cell in t.rows.iter().flat_map(|r| &r.cells) {
                    text_of(&cell.content, out);
                }
            }
            Element::List(l) => {
                for item in &l.items {
                    text_of(&item.content, out);
                }
            }
            Element::TextBox(b) => text_of(&b.content, out),
            _ => {}
        }
    }
}

fn inline_text(content: &[InlineContent], out: &mut String) {
    for inline in content {
        match inline {
            InlineContent::Text(span) => out.push_str(&span.text),
            InlineContent::LineBreak => out.push('\n'),
            _ => {}
        }
    }
    out.push('\n');
}
