//! Align: walks a document's token stream against a template's ordered rows.
//! For each row it finds the next cell that names it and takes the values
//! that follow; the unlabelled appeals table is read as one run of values
//! after its header. Pure: tokens and template in, cells out.

use std::collections::HashMap;

use crate::label;
use crate::template::{Catalog, Col, Row, Table, Template};
use crate::tokenize::Token;
use crate::value::{self, Reading, Status};

/// One template cell as read from a document.
#[derive(Debug, Clone)]
pub struct Cell<'t> {
    pub table: &'t Table,
    pub row: &'t Row,
    pub col: &'t Col,
    /// The cell's text as printed, trimmed; `None` when the document lacks it.
    pub raw: Option<String>,
    pub reading: Reading,
    pub line: Option<u32>,
}

/// What the aligner made of a document.
#[derive(Debug)]
pub struct Alignment<'t> {
    pub template: &'t Template,
    pub cells: Vec<Cell<'t>>,
    /// Codes of the tables with at least one row found.
    pub tables_found: Vec<&'t str>,
    pub warnings: Vec<String>,
}

/// How far past an unlabelled table's anchor its values are looked for.
const UNLABELLED_WINDOW: usize = 120;

pub fn align<'t>(tokens: &[Token], catalog: &'t Catalog) -> Alignment<'t> {
    let normalized: Vec<String> = tokens.iter().map(|t| label::normalize(&t.text)).collect();
    let template = detect_template(&normalized, catalog);
    let mut walk = Walk { tokens, normalized: &normalized, cursor: 0, warnings: Vec::new() };
    let mut cells = Vec::new();
    let mut tables_found = Vec::new();
    for table in &template.tables {
        let found =
            if table.unlabelled { walk.unlabelled(table, &mut cells) } else { walk.labelled(table, &mut cells) };
        if found {
            tables_found.push(table.code.as_str());
        }
    }
    Alignment { template, cells, tables_found, warnings: walk.warnings }
}

/// The version whose markers appear most often; the default on a tie.
fn detect_template<'t>(normalized: &[String], catalog: &'t Catalog) -> &'t Template {
    let score = |t: &Template| t.markers.iter().filter(|m| normalized.iter().any(|n| n.contains(m.as_str()))).count();
    let default = catalog.default_template();
    let mut best = (score(default), default);
    for t in &catalog.templates {
        let s = score(t);
        if s > best.0 {
            best = (s, t);
        }
    }
    best.1
}

struct Walk<'d> {
    tokens: &'d [Token],
    normalized: &'d [String],
    cursor: usize,
    warnings: Vec<String>,
}

/// Where a row was found and the tokens holding its values.
struct Found {
    label_line: u32,
    values: Vec<Option<usize>>,
}

impl Walk<'_> {
    /// Reads a labelled table; returns whether any row was found.
    fn labelled<'t>(&mut self, table: &'t Table, cells: &mut Vec<Cell<'t>>) -> bool {
        let keys = table_keys(table);
        let mut label_at: Vec<Option<usize>> = vec![None; self.tokens.len()];
        for (i, token) in self.tokens.iter().enumerate() {
            if token.is_cell() && !value::is_value_like(&token.text) {
                label_at[i] = label::match_keys(&token.text).iter().find_map(|k| keys.get(k.as_str()).copied());
            }
        }
        let is_label = |i: usize| label_at[i].is_some();
        let mut found: Vec<Option<Found>> = Vec::with_capacity(table.rows.len());
        for (row_index, row) in table.rows.iter().enumerate() {
            let mut hit = None;
            let candidates = (self.cursor..self.tokens.len()).filter(|&i| label_at[i] == Some(row_index));
            for i in candidates {
                if let Some(values) = self.values_after(i, row.cols.len(), &is_label) {
                    hit = Some(Found { label_line: self.tokens[i].line, values });
                    let last = hit.as_ref().and_then(|f: &Found| f.values.iter().flatten().max().copied()).unwrap_or(i);
                    self.cursor = last + 1;
                    break;
                }
            }
            found.push(hit);
        }
        let table_line = found.iter().flatten().map(|f| f.label_line).min();
        for (row, hit) in table.rows.iter().zip(&found) {
            let replaced_by_found =
                table.rows.iter().zip(&found).any(|(other, f)| f.is_some() && other.replaces.contains(&row.code));
            let is_stand_in = !row.replaces.is_empty();
            if replaced_by_found || (is_stand_in && hit.is_none()) {
                continue;
            }
            match hit {
                Some(f) => self.emit_row(table, row, f, cells),
                None => cells.extend(row.cols.iter().map(|col| missing(table, row, col, table_line))),
            }
        }
        table_line.is_some()
    }

    /// The value tokens after a row label at `at`, or `None` when no value
    /// follows it (a group label such as `（三）不予公开`).
    fn values_after(
        &mut self,
        at: usize,
        wanted: usize,
        is_label: &dyn Fn(usize) -> bool,
    ) -> Option<Vec<Option<usize>>> {
        let tokens = self.tokens;
        match tokens[at].row() {
            Some(row) => {
                let mut taken: Vec<usize> =
                    (at + 1..tokens.len()).take_while(|&i| tokens[i].row() == Some(row) && !is_label(i)).collect();
                let blank = |i: &usize| tokens[*i].text.is_empty();
                if taken.is_empty() {
                    return None;
                }
                // Spanned label columns leave empty cells on either side.
                while taken.len() > wanted && taken.first().is_some_and(blank) {
                    taken.remove(0);
                }
                while taken.len() > wanted
                    && taken.last().is_some_and(|i| blank(i) || !value::is_value_like(&tokens[*i].text))
                {
                    taken.pop();
                }
                if taken.len() > wanted {
                    self.warnings.push(format!(
                        "line {}: {} cells after {:?}, expected {wanted}; extra cells ignored",
                        tokens[at].line,
                        taken.len(),
                        tokens[at].text
                    ));
                    taken.truncate(wanted);
                }
                Some(self.pad(at, taken, wanted))
            }
            None => {
                let taken: Vec<usize> = (at + 1..tokens.len())
                    .take_while(|&i| tokens[i].is_cell() && value::is_value_like(&tokens[i].text))
                    .take(wanted)
                    .collect();
                if taken.is_empty() {
                    return None;
                }
                Some(self.pad(at, taken, wanted))
            }
        }
    }

    /// Pads a short run of values with `None` (missing) and warns.
    fn pad(&mut self, at: usize, taken: Vec<usize>, wanted: usize) -> Vec<Option<usize>> {
        if taken.len() < wanted {
            self.warnings.push(format!(
                "line {}: {} of {wanted} values after {:?}",
                self.tokens[at].line,
                taken.len(),
                self.tokens[at].text
            ));
        }
        let mut values: Vec<Option<usize>> = taken.into_iter().map(Some).collect();
        values.resize(wanted, None);
        values
    }

    fn emit_row<'t>(&self, table: &'t Table, row: &'t Row, found: &Found, cells: &mut Vec<Cell<'t>>) {
        for (col, at) in row.cols.iter().zip(&found.values) {
            cells.push(match at {
                Some(i) => self.read_cell(table, row, col, *i),
                None => missing(table, row, col, Some(found.label_line)),
            });
        }
    }

    fn read_cell<'t>(&self, table: &'t Table, row: &'t Row, col: &'t Col, at: usize) -> Cell<'t> {
        let token = &self.tokens[at];
        Cell {
            table,
            row,
            col,
            raw: Some(token.text.clone()),
            reading: value::read(&token.text),
            line: Some(token.line),
        }
    }

    /// Reads a table printed as one unlabelled run of values after its
    /// header (the appeals table); returns whether it was found.
    fn unlabelled<'t>(&mut self, table: &'t Table, cells: &mut Vec<Cell<'t>>) -> bool {
        let wanted: usize = table.rows.iter().map(|r| r.cols.len()).sum();
        let anchor = (self.cursor..self.tokens.len())
            .find(|&i| table.anchors.iter().any(|a| self.normalized[i].contains(a.as_str())));
        let values = anchor.and_then(|a| self.unlabelled_values(a, wanted));
        let Some((anchor, values)) = anchor.zip(values) else {
            for row in &table.rows {
                cells.extend(row.cols.iter().map(|col| missing(table, row, col, None)));
            }
            return false;
        };
        if let Some(last) = values.iter().flatten().max() {
            self.cursor = last + 1;
        }
        let line = self.tokens[anchor].line;
        let mut slots = values.into_iter();
        for row in &table.rows {
            for col in &row.cols {
                cells.push(match slots.next().flatten() {
                    Some(i) => self.read_cell(table, row, col, i),
                    None => missing(table, row, col, Some(line)),
                });
            }
        }
        true
    }

    fn unlabelled_values(&mut self, anchor: usize, wanted: usize) -> Option<Vec<Option<usize>>> {
        let tokens = self.tokens;
        let end = tokens.len().min(anchor + UNLABELLED_WINDOW);
        let value_cell = |i: usize| tokens[i].is_cell() && value::is_value_like(&tokens[i].text);
        // With rows shown: the first row of value cells long enough to be the data.
        let first_row = (anchor + 1..end).find_map(|i| tokens[i].row());
        if first_row.is_some() {
            let mut i = anchor + 1;
            while i < end {
                let Some(row) = tokens[i].row() else {
                    i += 1;
                    continue;
                };
                let members: Vec<usize> = (i..tokens.len()).take_while(|&j| tokens[j].row() == Some(row)).collect();
                i += members.len();
                if members.len() * 2 >= wanted && members.iter().all(|&j| value_cell(j)) {
                    let mut taken = members;
                    while taken.len() > wanted && tokens[taken[taken.len() - 1]].text.is_empty() {
                        taken.pop();
                    }
                    while taken.len() > wanted && tokens[taken[0]].text.is_empty() {
                        taken.remove(0);
                    }
                    taken.truncate(wanted);
                    return Some(self.pad(anchor, taken, wanted));
                }
            }
            return None;
        }
        // Without rows: the values start after the last header label before
        // the first non-blank value.
        let mut start = anchor + 1;
        for (i, token) in tokens.iter().enumerate().take(end).skip(anchor + 1) {
            if !value_cell(i) {
                start = i + 1;
            } else if !token.text.is_empty() {
                break;
            }
        }
        let mut taken: Vec<usize> = (start..tokens.len()).take_while(|&i| value_cell(i)).collect();
        // Empty grid cells that close the header come before the values.
        let leading_blanks = taken.iter().take_while(|&&i| tokens[i].text.is_empty()).count();
        taken.drain(..leading_blanks.min(taken.len().saturating_sub(wanted)));
        taken.truncate(wanted);
        if taken.is_empty() {
            return None;
        }
        Some(self.pad(anchor, taken, wanted))
    }
}

/// Maps each normalised key of a table's rows to the row's index.
fn table_keys(table: &Table) -> HashMap<&str, usize> {
    let mut keys = HashMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        for key in &row.keys {
            keys.entry(key.as_str()).or_insert(i);
        }
    }
    keys
}

fn missing<'t>(table: &'t Table, row: &'t Row, col: &'t Col, line: Option<u32>) -> Cell<'t> {
    Cell { table, row, col, raw: None, reading: Reading { value: None, status: Status::Missing, unit: None }, line }
}
