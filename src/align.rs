//! Align: walks a document's token stream against a template's ordered rows.
//! For each row it finds the next cell that names it and takes the values
//! that follow; the unlabelled appeals table is read as one run of values
//! after its header. Pure: tokens and template in, cells out.

use std::rc::Rc;

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
    /// Why each row was read as it was (`xxgk explain`); the solver's only.
    pub trace: Vec<String>,
}

/// Prose longer than this (in bytes; 40 CJK characters) is no heading.
const MAX_HEADING_BYTES: usize = 120;

/// How far before a row label its column header is looked for.
const HEADER_WINDOW: usize = 400;

/// How far past an unlabelled table's anchor its values are looked for.
const UNLABELLED_WINDOW: usize = 120;

pub fn align<'t>(tokens: &[Token], catalog: &'t Catalog) -> Alignment<'t> {
    let value_like: Vec<bool> = tokens.iter().map(|t| t.is_cell() && value::is_value_like(&t.text)).collect();
    // Values never name a row nor mark a table, and long prose is no
    // heading: neither gets keys. A heading is used by its normalised text,
    // the first of its keys.
    let no_keys: Rc<[String]> = Rc::new([]);
    let keys: Vec<Rc<[String]>> = tokens
        .iter()
        .zip(&value_like)
        .map(|(t, &is_value)| {
            if (t.is_cell() && !is_value) || (!t.is_cell() && t.text.len() <= MAX_HEADING_BYTES) {
                label::keys_of(&t.text)
            } else {
                no_keys.clone()
            }
        })
        .collect();
    let template = detect_template(&keys, catalog);
    let mut walk = Walk { tokens, keys: &keys, value_like: &value_like, cursor: 0, warnings: Vec::new() };
    let mut cells = Vec::new();
    let mut tables_found = Vec::new();
    for table in &template.tables {
        let found =
            if table.unlabelled { walk.unlabelled(table, &mut cells) } else { walk.labelled(table, &mut cells) };
        if found {
            tables_found.push(table.code.as_str());
        }
    }
    Alignment { template, cells, tables_found, warnings: walk.warnings, trace: Vec::new() }
}

/// A token's normalised text: the first of its keys.
fn normalized(keys: &[String]) -> &str {
    keys.first().map_or("", String::as_str)
}

/// The version whose markers appear most often; the default on a tie.
pub(crate) fn detect_template<'t>(keys: &[Rc<[String]>], catalog: &'t Catalog) -> &'t Template {
    let counts = catalog.marker_counts(keys.iter().map(|k| normalized(k)));
    let default = catalog.default_template();
    let mut best = (
        counts.get(catalog.templates.iter().position(|t| std::ptr::eq(t, default)).unwrap_or(0)).copied().unwrap_or(0),
        default,
    );
    for (template, &count) in catalog.templates.iter().zip(&counts) {
        if count > best.0 {
            best = (count, template);
        }
    }
    best.1
}

struct Walk<'d> {
    tokens: &'d [Token],
    /// Per token: its normalised text first, then, for a cell that is not a
    /// value, the other keys it may name a row by; empty for values.
    keys: &'d [Rc<[String]>],
    /// Per token: a cell that reads as a value (number, dash or blank).
    value_like: &'d [bool],
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
        // Which row each cell names, and where each row is named.
        let label_at: Vec<Option<usize>> = self
            .tokens
            .iter()
            .zip(self.keys)
            .map(|(t, keys)| if t.is_cell() { keys.iter().find_map(|k| table.row_keys.get(k).copied()) } else { None })
            .collect();
        let mut named_at: Vec<Vec<usize>> = vec![Vec::new(); table.rows.len()];
        for (i, row) in label_at.iter().enumerate() {
            if let Some(row) = row {
                named_at[*row].push(i);
            }
        }
        let is_label = |i: usize| label_at[i].is_some();
        let mut found: Vec<Option<Found>> = Vec::with_capacity(table.rows.len());
        for (row, positions) in table.rows.iter().zip(&named_at) {
            let mut hit = None;
            let cursor = self.cursor;
            let candidates = positions.iter().copied().filter(|&i| i >= cursor);
            for i in candidates {
                if let Some(values) = self.values_after(i, row, &is_label) {
                    hit = Some(Found { label_line: self.tokens[i].line, values });
                    let last = hit.as_ref().and_then(|f: &Found| f.values.iter().flatten().max().copied()).unwrap_or(i);
                    self.cursor = last + 1;
                    break;
                }
            }
            found.push(hit);
        }
        let table_line = found.iter().flatten().map(|f| f.label_line).min();
        self.warn_of_a_second_copy(table, &found, &named_at);
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

    /// Warns when a row label read in this table is printed again further on
    /// with other numbers beside it: a file holding the tables twice.
    fn warn_of_a_second_copy(&mut self, table: &Table, found: &[Option<Found>], named_at: &[Vec<usize>]) {
        let printed = |i: usize| self.tokens.get(i).filter(|_| self.value_like[i]).map(|t| t.text.as_str());
        for (hit, positions) in found.iter().zip(named_at) {
            let Some(hit) = hit else { continue };
            let read: Vec<Option<&str>> = hit.values.iter().map(|v| v.and_then(printed)).collect();
            for &again in positions.iter().filter(|&&i| i >= self.cursor) {
                let copy: Vec<Option<&str>> = (again + 1..again + 1 + read.len()).map(printed).collect();
                if copy.iter().any(Option::is_some) && copy != read {
                    self.warnings.push(format!(
                        "line {}: table {} printed again with other numbers; the first copy, at line {}, was read",
                        self.tokens[again].line, table.code, hit.label_line
                    ));
                    return;
                }
            }
        }
    }

    /// The value tokens after a row label at `at`, or `None` when no value
    /// follows it (a group label such as `（三）不予公开`).
    fn values_after(&mut self, at: usize, row: &Row, is_label: &dyn Fn(usize) -> bool) -> Option<Vec<Option<usize>>> {
        let tokens = self.tokens;
        let wanted = row.cols.len();
        match tokens[at].row() {
            Some(line_row) => {
                let mut taken: Vec<usize> =
                    (at + 1..tokens.len()).take_while(|&i| tokens[i].row() == Some(line_row) && !is_label(i)).collect();
                let blank = |i: &usize| tokens[*i].text.is_empty();
                if taken.is_empty() {
                    return None;
                }
                // A spanned label leaves empty cells before the values, a
                // grid's padding after them. With blanks at both ends, the
                // column header above says how many lead.
                let surplus = taken.len().saturating_sub(wanted);
                if surplus > 0 && taken.first().is_some_and(blank) && taken.last().is_some_and(blank) {
                    let lead = row.cols.first().and_then(|col| self.header_lead(at, col));
                    if let Some(lead) = lead.filter(|&lead| lead <= surplus) {
                        let trail = surplus - lead;
                        if taken[..lead].iter().all(blank) && taken[taken.len() - trail..].iter().all(blank) {
                            taken.drain(..lead);
                            taken.truncate(wanted);
                        }
                    }
                }
                while taken.len() > wanted && taken.first().is_some_and(blank) {
                    taken.remove(0);
                }
                while taken.len() > wanted && taken.last().is_some_and(|i| blank(i) || !self.value_like[*i]) {
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
                let taken: Vec<usize> =
                    (at + 1..tokens.len()).take_while(|&i| self.value_like[i]).take(wanted).collect();
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
            .find(|&i| table.anchors.iter().any(|a| normalized(&self.keys[i]).contains(a.as_str())));
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

    /// How many cells lie between the row label at `at` and its first
    /// value, by the position of the nearest column-header cell above that
    /// names `first_col`; `None` without such a header.
    fn header_lead(&self, at: usize, first_col: &Col) -> Option<usize> {
        let label_row = self.tokens[at].row()?;
        let header = (at.saturating_sub(HEADER_WINDOW)..at).rev().find(|&i| {
            self.tokens[i].row().is_some_and(|r| r != label_row)
                && first_col.header_keys.iter().any(|k| normalized(&self.keys[i]) == k)
        })?;
        self.position_in_row(header).checked_sub(self.position_in_row(at) + 1)
    }

    /// The index of token `i` among the cells of its row.
    fn position_in_row(&self, i: usize) -> usize {
        let row = self.tokens[i].row();
        (0..i).rev().take_while(|&j| self.tokens[j].row() == row).count()
    }

    fn unlabelled_values(&mut self, anchor: usize, wanted: usize) -> Option<Vec<Option<usize>>> {
        let tokens = self.tokens;
        let end = tokens.len().min(anchor + UNLABELLED_WINDOW);
        let value_cell = |i: usize| self.value_like[i];
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

fn missing<'t>(table: &'t Table, row: &'t Row, col: &'t Col, line: Option<u32>) -> Cell<'t> {
    Cell { table, row, col, raw: None, reading: Reading { value: None, status: Status::Missing, unit: None }, line }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn catalog() -> Catalog {
        Catalog::compile(&toml::from_str(include_str!("../config/template.toml")).unwrap()).unwrap()
    }

    /// (row, col) → (value, status) of one table.
    fn table<'a>(alignment: &'a Alignment, code: &str) -> Vec<(&'a str, &'a str, Option<f64>, &'static str)> {
        alignment
            .cells
            .iter()
            .filter(|c| c.table.code == code)
            .map(|c| (c.row.code.as_str(), c.col.code.as_str(), c.reading.value, c.reading.status.as_str()))
            .collect()
    }

    #[test]
    fn tab_rows_drop_label_fillers_on_either_side() {
        let text = "本年制发件数\n一、本年新收政府信息公开申请数量\t\t1\t2\t3\t4\t5\t6\t21\t\n二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, &catalog);
        let new: Vec<Option<f64>> = table(&a, "requests").iter().filter(|c| c.0 == "new").map(|c| c.2).collect();
        let expected: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 21.0].into_iter().map(Some).collect();
        assert_eq!(new, expected);
    }

    #[test]
    fn blanks_at_both_ends_are_placed_by_the_column_header() {
        // Padding to a four-column grid after the values: the first value is blank.
        let text = "本年新制作数量\n上一年项目数量\n信息内容\t采购项目数量\t采购总金额\t\n政府集中采购\t\t35\t\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, &catalog);
        let procurement: Vec<_> = table(&a, "proactive").into_iter().filter(|c| c.0 == "art20_9.procurement").collect();
        assert_eq!(
            procurement,
            [("art20_9.procurement", "projects", None, "blank"), ("art20_9.procurement", "amount", Some(35.0), "ok")]
        );
        // A label spanning two columns before the values: the last value is blank.
        let text = "本年制发件数\n\t\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n\
                    三、本年度办理结果\t（二）部分公开\t\t1\t0\t0\t0\t0\t\t\t\n";
        let a = align(&tokenize(text, false).tokens, &catalog);
        let partial: Vec<_> =
            table(&a, "requests").into_iter().filter(|c| c.0 == "result.partial").map(|c| c.2).collect();
        assert_eq!(partial, [Some(1.0), Some(0.0), Some(0.0), Some(0.0), Some(0.0), None, None]);
    }

    #[test]
    fn group_labels_are_skipped_and_rows_found_in_order() {
        let text = "\t（三）不予公开\n\t1.属于国家秘密\n\t1\n\t0\n\t0\n\t0\n\t0\n\t0\n\t1\n\t\n\t2.其他法律行政法规禁止公开\n\t—\n\t\n\t0\n\t0\n\t0\n\t0\n\t0\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, &catalog);
        let cells = table(&a, "requests");
        let secret: Vec<_> = cells.iter().filter(|c| c.0 == "result.withheld.state_secret").collect();
        assert_eq!(secret[0].2, Some(1.0));
        assert_eq!(secret[6].2, Some(1.0));
        let law: Vec<_> = cells.iter().filter(|c| c.0 == "result.withheld.prohibited_by_law").map(|c| c.3).collect();
        assert_eq!(law, ["dash", "blank", "ok", "ok", "ok", "ok", "ok"]);
        let absent = cells.iter().find(|c| c.0 == "new").unwrap();
        assert_eq!(absent.3, "missing");
        assert!(a.tables_found.contains(&"requests"));
    }

    #[test]
    fn undivided_other_row_stands_in_for_its_three_rows() {
        let text = "本年制发件数\n（六）其他处理\t\t4\t0\t0\t0\t0\t0\t4\n（七）总计\t\t4\t0\t0\t0\t0\t0\t4\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, &catalog);
        assert_eq!(a.template.code, "gov2021");
        let rows: Vec<&str> = table(&a, "requests").iter().map(|c| c.0).collect();
        assert!(rows.contains(&"result.other"));
        assert!(!rows.contains(&"result.other.no_correction"));
        assert_eq!(rows.len(), 23 * 7);
    }

    #[test]
    fn divided_other_rows_leave_out_the_stand_in() {
        let text =
            "（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t1\t0\t0\t0\t0\t0\t1\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, &catalog);
        let rows: Vec<&str> = table(&a, "requests").iter().map(|c| c.0).collect();
        assert!(!rows.contains(&"result.other"));
        assert_eq!(rows.len(), 25 * 7);
    }

    #[test]
    fn unlabelled_appeals_skip_header_fillers() {
        let mut text = String::from("四、政府信息公开行政复议、行政诉讼情况\n行政复议 |\n总计 |\n|||||\n");
        for v in 1..=15 {
            text.push_str(&format!("{v} |\n"));
        }
        let catalog = catalog();
        let a = align(&tokenize(&text, false).tokens, &catalog);
        let cells = table(&a, "appeals");
        assert_eq!(cells[0], ("review", "upheld", Some(1.0), "ok"));
        assert_eq!(cells[14], ("litigation_after_review", "total", Some(15.0), "ok"));
    }

    #[test]
    fn a_second_copy_with_other_numbers_is_a_warning() {
        let once = "本年制发件数\n规章\t1\t0\t5\n行政规范性文件\t2\t0\t7\n";
        let catalog = catalog();
        let a = align(&tokenize(&format!("{once}{once}"), false).tokens, &catalog);
        assert!(!a.warnings.iter().any(|w| w.contains("printed again")), "{:?}", a.warnings);
        let text = format!("{once}{}", once.replace("\t5", "\t6"));
        let a = align(&tokenize(&text, false).tokens, &catalog);
        assert!(
            a.warnings.iter().any(|w| w
                == "line 5: table proactive printed again with other numbers; the first copy, at line 2, was read"),
            "{:?}",
            a.warnings
        );
        assert_eq!(table(&a, "proactive")[2].2, Some(5.0));
    }

    #[test]
    fn the_2019_format_is_detected_from_its_headers() {
        let text = "本年新制作数量\n上一年项目数量\n规章\t0\t0\t0\n政府集中采购\t6\t251000元\n";
        let catalog = catalog();
        let a = align(&tokenize(text, false).tokens, &catalog);
        assert_eq!(a.template.code, "gov2019");
        let procurement: Vec<_> = a.cells.iter().filter(|c| c.row.code == "art20_9.procurement").collect();
        assert_eq!(procurement[1].reading.value, Some(251000.0));
        assert_eq!(procurement[1].reading.unit, Some("元"));
    }
}
