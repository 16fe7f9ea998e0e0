//! Solve: reads a document's tables against the template, for every
//! layout. Locate, then take:
//! - **locate**: label pieces name template rows; the longest chain in
//!   template order places each table (a row named once off the chain is
//!   read where it is), and each table's values end where the next table
//!   begins;
//! - **take**: a row's values are those after its label: in delimited
//!   layouts the cells of its grid row (`grid`), in flowing text the values
//!   up to the next label. Rows whose values do not fit are read together,
//!   in order, from the values left over between their neighbours. Every
//!   reading the mode allows is listed (`readings`), and the table's
//!   arithmetic keeps those that fit (`arithmetic`).
//!
//! A row with exactly one reading is emitted, `inferred` unless it was
//! printed cell by cell beside its label; a row with several is `missing`
//! with a warning. A document that prints inconsistent numbers keeps the
//! reading that breaks the fewest identities, when that reading is unique.

mod arithmetic;
mod grid;
mod readings;

use std::borrow::Cow;
use std::rc::Rc;

use arithmetic::{choose, numbers, Identities};
use readings::{Chunk, Reading, Slot};

use crate::diagnostics::{Warning, WarningKind};
use crate::label;
use crate::parse::align::{Alignment, Cell};
use crate::parse::tokenize::flow::{self, Mode, Piece};
use crate::parse::tokenize::{Place, Token};
use crate::parse::value::{self, Reading as CellReading, Status};
use crate::template::checks::Check;
use crate::template::{Catalog, Col, Row, Section, Table, Template};

/// Label pieces longer than this (in bytes) are prose, never a row label.
const MAX_LABEL_BYTES: usize = 600;

/// Prose longer than this (in bytes; 40 CJK characters) is no heading.
const MAX_HEADING_BYTES: usize = 120;

/// Readings listed per row or run of rows before it counts as unsolvable.
const READINGS_CAP: usize = 2_000;

/// Shortest label prefix (in characters) that names a row by itself, for
/// labels a PDF cut short (`5.要求行政机关确认或重` …).
const MIN_PREFIX_CHARS: usize = 6;

/// Reads flowing text (`tokenize::flow`): tags stripped, PDF text, one text
/// node per line.
pub fn solve<'t>(text: &str, mode: Mode, catalog: &'t Catalog) -> Alignment<'t> {
    read(&flow::pieces(text), Printed::Flow(mode), catalog)
}

/// Reads the tokens of a delimited layout: each value cell is one cell.
pub fn solve_cells<'t>(tokens: &[Token], catalog: &'t Catalog) -> Alignment<'t> {
    let pieces: Vec<Piece> = tokens
        .iter()
        .map(|t| Piece {
            text: Cow::Borrowed(t.text.as_str()),
            line: t.line,
            is_value: t.is_cell() && value::is_value_like(&t.text),
            place: t.place,
        })
        .collect();
    read(&pieces, Printed::Cells, catalog)
}

/// How a document prints its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Printed {
    /// Delimited cells: each value is one cell, blank cells are printed,
    /// and grid rows are known where the layout shows them.
    Cells,
    /// Flowing text, by its mode.
    Flow(Mode),
}

fn read<'t>(pieces: &[Piece], mode: Printed, catalog: &'t Catalog) -> Alignment<'t> {
    let no_keys: Rc<[String]> = Rc::new([]);
    let keys: Vec<Rc<[String]>> = pieces
        .iter()
        .map(|p| {
            // Values never name a row nor mark a table; long prose is no
            // heading. A heading is used by its normalised text, the first key.
            let max = if p.place == Place::Text { MAX_HEADING_BYTES } else { MAX_LABEL_BYTES };
            if p.is_value || p.text.len() > max {
                no_keys.clone()
            } else {
                label::keys_of(&p.text)
            }
        })
        .collect();
    let template = detect_template(&keys, catalog);
    let mut doc = Doc {
        pieces,
        keys: &keys,
        mode,
        template,
        labels: Vec::new(),
        names_row: vec![false; pieces.len()],
        boundary: Vec::new(),
        sections: &catalog.sections,
        foreign: Vec::new(),
        drops_empty: false,
    };
    doc.labels = template
        .tables
        .iter()
        .map(|t| {
            let named = |i: usize| doc.row_of(t, i).map(|row| (row, i));
            if t.unlabelled {
                Vec::new()
            } else {
                (0..pieces.len()).filter_map(named).collect()
            }
        })
        .collect();
    for &(_, i) in doc.labels.iter().flatten() {
        doc.names_row[i] = true;
    }
    doc.boundary = (0..pieces.len()).map(|i| doc.starts_label(i)).collect();
    doc.foreign = doc.foreign_values();

    // Locate every table, in template order, before reading any.
    let mut places = Vec::new();
    // A chain may begin before the previous table's last label (a block
    // printed before its table); an unlabelled table's header comes after it.
    let (mut from, mut after_last) = (0, 0);
    for (t, table) in template.tables.iter().enumerate() {
        let place = if table.unlabelled { doc.anchor(table, after_last) } else { doc.chain(t, from) };
        if let (Some(first), Some(last)) = (place.first(), place.last()) {
            (from, after_last) = (first + 1, last + 1);
        }
        places.push(place);
    }
    doc.drops_empty = doc.drops_empty_cells(&places);
    let cells = template.tables.iter().flat_map(|t| &t.rows).map(|r| r.cols.len()).sum();
    let mut out = Solution { cells: Vec::with_capacity(cells), warnings: Vec::new(), trace: Vec::new() };
    if doc.drops_empty {
        out.trace.push("empty cells leave no trace in this text: they may stand anywhere in a row".to_string());
    }
    let mut tables_found = Vec::new();
    for (t, table) in template.tables.iter().enumerate() {
        let end = places[t + 1..].iter().find_map(Located::first).unwrap_or(pieces.len());
        if doc.read_table(t, &places[t], end, &mut out) {
            tables_found.push(table.code.as_str());
        }
    }
    Alignment { template, cells: out.cells, tables_found, warnings: out.warnings, trace: out.trace }
}

/// The version whose markers appear most often; the default on a tie.
fn detect_template<'t>(keys: &[Rc<[String]>], catalog: &'t Catalog) -> &'t Template {
    let counts = catalog.marker_counts(keys.iter().map(|k| k.first().map_or("", String::as_str)));
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

struct Doc<'d, 't> {
    pieces: &'d [Piece<'d>],
    keys: &'d [Rc<[String]>],
    mode: Printed,
    template: &'t Template,
    /// Per table: the (row, piece) of every label naming one of its rows.
    labels: Vec<Vec<(usize, usize)>>,
    /// Per piece: it names a row of a labelled table.
    names_row: Vec<bool>,
    /// Per piece: it starts a label (see `starts_label`).
    boundary: Vec<bool>,
    /// The narrative sections, whose headings (`三、收到和处理政府信息公开申请情况`)
    /// bound a table's region.
    sections: &'t [Section],
    /// Per piece (delimited layouts): a value cell of a label that names no
    /// row (`行政确认\t7`): that label's, never a row's whose label is lost.
    foreign: Vec<bool>,
    /// The text leaves no trace of an empty cell (see `drops_empty_cells`).
    drops_empty: bool,
}

/// Where a table was found.
enum Located {
    /// Row labels: (row index, piece index), in template order.
    Chain(Vec<(usize, usize)>),
    /// The header of an unlabelled table.
    Anchor(usize),
    Absent,
}

impl Located {
    fn first(&self) -> Option<usize> {
        match self {
            Located::Chain(chain) => chain.iter().map(|&(_, p)| p).min(),
            Located::Anchor(p) => Some(*p),
            Located::Absent => None,
        }
    }

    fn last(&self) -> Option<usize> {
        match self {
            Located::Chain(chain) => chain.iter().map(|&(_, p)| p).max(),
            Located::Anchor(p) => Some(*p),
            Located::Absent => None,
        }
    }
}

struct Solution<'t> {
    cells: Vec<Cell<'t>>,
    warnings: Vec<Warning>,
    trace: Vec<String>,
}

/// Rows read together: one row beside its label, or a run of rows read
/// from the values left between their neighbours.
struct Unit {
    rows: Vec<usize>,
    /// Where the unit's values are: the label's line, or the first value's.
    line: u32,
    /// The pieces its values were read from.
    values: Vec<usize>,
    candidates: Vec<Reading>,
    /// Read from its own label's values, cell by cell.
    beside_label: bool,
}

impl<'t> Doc<'_, 't> {
    fn row_of(&self, table: &Table, i: usize) -> Option<usize> {
        // Prose of a delimited layout is no label.
        if self.pieces[i].is_value || self.pieces[i].place == Place::Text {
            return None;
        }
        let keys = &self.keys[i];
        if let Some(row) = keys.iter().find_map(|k| table.row_keys.get(k).copied()) {
            return Some(row);
        }
        // Fused text runs a table's header into its first label
        // (`…对外公开总数量规章000`): a label ending the text before a value.
        if self.mode == Printed::Flow(Mode::Fused) && self.pieces.get(i + 1).is_some_and(|p| p.is_value) {
            let key = keys.first()?;
            let ends = table.row_keys.iter().filter(|(k, _)| key.ends_with(k.as_str())).max_by_key(|(k, _)| k.len());
            if let Some((_, &row)) = ends {
                return Some(row);
            }
        }
        // A label cut short names the one row it begins; a delimited cell
        // holds its whole label.
        if self.mode == Printed::Cells {
            return None;
        }
        let key = keys.first().filter(|k| k.chars().count() >= MIN_PREFIX_CHARS)?;
        let mut rows =
            table.rows.iter().enumerate().filter(|(_, r)| r.keys.iter().any(|k| k.starts_with(key.as_str())));
        let (row, _) = rows.next()?;
        rows.next().is_none().then_some(row)
    }

    /// Whether empty cells vanish from this text: a row label with no value
    /// before the next label, or (fused) fewer digits than the row has
    /// cells. PDF text always drops them, and reads rows by their count;
    /// delimited cells print them.
    fn drops_empty_cells(&self, places: &[Located]) -> bool {
        matches!(self.mode, Printed::Flow(Mode::Fused | Mode::NodeLines))
            && self.template.tables.iter().zip(places).any(|(table, place)| {
                let Located::Chain(chain) = place else { return false };
                chain.iter().any(|&(r, at)| {
                    let row = &table.rows[r];
                    let values = self.values_after(at, self.pieces.len());
                    let printed: usize = values
                        .iter()
                        .map(|&v| {
                            self.pieces[v].text.chars().filter(|c| c.is_ascii_digit() || readings::is_dash(*c)).count()
                        })
                        .sum();
                    row.replaces.is_empty()
                        && (values.is_empty() || (self.mode == Printed::Flow(Mode::Fused) && printed < row.cols.len()))
                })
            })
    }

    /// The longest chain of row labels in template order at or after `from`,
    /// and the rows named once off it. In delimited layouts a label without
    /// cells after it (a group label) places nothing.
    fn chain(&self, t: usize, from: usize) -> Located {
        let table = &self.template.tables[t];
        let hits: Vec<(usize, usize)> = self.labels[t]
            .iter()
            .copied()
            .filter(|&(_, i)| i >= from)
            .filter(|&(_, i)| self.mode != Printed::Cells || self.has_cells_after(i))
            .collect();
        // Per hit: the length of the longest chain ending there, and the hit
        // before it in that chain: the nearest of the longest, as tables are
        // compact. Per row: the best chain ending at a hit on it so far.
        let mut best: Vec<(usize, Option<usize>)> = Vec::with_capacity(hits.len());
        let mut best_on_row: Vec<Option<(usize, usize)>> = vec![None; table.rows.len()];
        for (i, &(row, _)) in hits.iter().enumerate() {
            let prev = best_on_row[..row].iter().flatten().max().map(|&(_, j)| j);
            let length = prev.map_or(1, |j| best[j].0 + 1);
            best.push((length, prev));
            best_on_row[row] = best_on_row[row].max(Some((length, i)));
        }
        let Some(mut at) = (0..hits.len()).max_by_key(|&i| (best[i].0, std::cmp::Reverse(i))) else {
            return Located::Absent;
        };
        let mut chain = vec![hits[at]];
        while let Some(prev) = best[at].1 {
            chain.push(hits[prev]);
            at = prev;
        }
        // A row named once is read where it is, even out of order: a
        // converter may move a block of the table before its heading. It
        // must be within the table's section (no section heading between it
        // and the chain), with values after it.
        let mut named = vec![0usize; table.rows.len()];
        for &(row, _) in &hits {
            named[row] += 1;
        }
        let (start, end) = (chain[chain.len() - 1].1, chain[0].1);
        let in_section = |i: usize| {
            let between = if i < start { i + 1..start } else { end + 1..i };
            !between.into_iter().any(|p| self.is_heading(p))
        };
        let off_chain: Vec<(usize, usize)> = hits
            .iter()
            .copied()
            .filter(|&(row, i)| {
                named[row] == 1
                    && !chain.iter().any(|&(r, _)| r == row)
                    && !self.values_after(i, self.pieces.len()).is_empty()
                    && in_section(i)
            })
            .collect();
        chain.extend(off_chain);
        chain.sort_unstable();
        Located::Chain(chain)
    }

    /// Whether piece `i` is a section heading.
    fn is_heading(&self, i: usize) -> bool {
        let piece = &self.pieces[i];
        !piece.is_value
            && piece.text.len() <= MAX_HEADING_BYTES
            && self.keys[i].iter().any(|key| self.sections.iter().any(|s| s.heads(key)))
    }

    fn anchor(&self, table: &Table, from: usize) -> Located {
        (from..self.pieces.len())
            .find(|&i| {
                let key = self.keys[i].first().map_or("", String::as_str);
                table.anchors.iter().any(|a| key.contains(a.as_str()))
            })
            .map_or(Located::Absent, Located::Anchor)
    }

    /// A piece after which values are not the previous label's: in flowing
    /// text, one that starts a label (an enumerator) or names a row of any
    /// table; in delimited layouts, every label cell.
    fn starts_label(&self, i: usize) -> bool {
        let piece = &self.pieces[i];
        if piece.is_value {
            return false;
        }
        if self.mode == Printed::Cells {
            return true;
        }
        let first = self.keys[i].first().map_or("", String::as_str);
        let enumerated = label::normalize_enumerated(&piece.text);
        enumerated.len() > first.len() || self.names_row[i]
    }

    /// Value pieces after `at` up to the next boundary or `end`. Wrapped
    /// label text between them is passed over, except in fused text, where
    /// text after a value is always the next label run in with its header.
    /// In delimited layouts: the cells of the label's grid row up to the
    /// next row label, or the run of value cells after it.
    fn values_after(&self, at: usize, end: usize) -> Vec<usize> {
        if self.mode == Printed::Cells {
            let place = self.pieces[at].place;
            let in_row = |i: &usize| match place {
                Place::RowCell(_) => self.pieces[*i].place == place && !self.names_row[*i],
                _ => self.pieces[*i].is_value,
            };
            return (at + 1..end).take_while(in_row).collect();
        }
        let mut values: Vec<usize> = Vec::new();
        for i in at + 1..end {
            // PDF text prints a row on one line; a line of values below a
            // label may be the next row's, printed before its wrapped label.
            if self.mode == Printed::Flow(Mode::Spaced)
                && !values.is_empty()
                && self.pieces[i].line != self.pieces[values[0]].line
            {
                break;
            }
            if self.pieces[i].is_value {
                values.push(i);
            } else if self.boundary[i] || (self.mode == Printed::Flow(Mode::Fused) && !values.is_empty()) {
                break;
            }
        }
        values
    }

    /// Per piece, in delimited layouts: whether it is a value cell whose
    /// label (the last label before it, in its grid row where rows show)
    /// names no row.
    fn foreign_values(&self) -> Vec<bool> {
        let mut foreign = vec![false; self.pieces.len()];
        if self.mode != Printed::Cells {
            return foreign;
        }
        let mut label: Option<usize> = None;
        for (i, piece) in self.pieces.iter().enumerate() {
            if !piece.is_value {
                label = Some(i);
                continue;
            }
            foreign[i] = label.is_some_and(|l| {
                let owner = &self.pieces[l];
                let same_row = match piece.place {
                    Place::RowCell(_) => owner.place == piece.place,
                    _ => true,
                };
                same_row && owner.place != Place::Text && !self.names_row[l]
            });
        }
        foreign
    }

    /// Whether a delimited label has cells after it (see `values_after`).
    fn has_cells_after(&self, at: usize) -> bool {
        self.pieces.get(at + 1).is_some_and(|next| match self.pieces[at].place {
            Place::RowCell(_) => next.place == self.pieces[at].place && !self.names_row[at + 1],
            _ => next.is_value,
        })
    }

    fn chunks(&self, at: &[usize]) -> Vec<Chunk<'_>> {
        at.iter().map(|&i| Chunk { text: &self.pieces[i].text, line: self.pieces[i].line }).collect()
    }

    /// Reads one table into `out`; returns whether it was found.
    fn read_table(&self, t: usize, place: &Located, end: usize, out: &mut Solution<'t>) -> bool {
        let table = &self.template.tables[t];
        let checks: Vec<&Check> =
            self.template.checks.iter().filter(|c| c.table == table.code && !c.soft && !c.across_years()).collect();
        let (plan, units, table_line) = match place {
            Located::Absent => {
                emit_missing(
                    table,
                    &table.rows.iter().filter(|r| r.replaces.is_empty()).collect::<Vec<_>>(),
                    None,
                    out,
                );
                return false;
            }
            Located::Anchor(at) => {
                let line = self.pieces[*at].line;
                let plan: Vec<usize> = (0..table.rows.len()).collect();
                let Some(unit) = self.take_unlabelled(table, *at, end, &mut out.warnings) else {
                    emit_missing(table, &table.rows.iter().collect::<Vec<_>>(), None, out);
                    return false;
                };
                (plan, vec![unit], line)
            }
            Located::Chain(chain) => {
                let (plan, units) = self.take_chain(table, chain, end, &mut out.warnings);
                self.warn_of_a_second_copy(t, chain, &mut out.warnings);
                let line = place.first().map_or(0, |first| self.pieces[first].line);
                (plan, units, line)
            }
        };
        self.solve_units(table, &plan, units, &checks, table_line, out);
        true
    }

    /// The unit of an unlabelled table: all its rows, read from the values
    /// after its header at `at`.
    fn take_unlabelled(&self, table: &Table, at: usize, end: usize, warnings: &mut Vec<Warning>) -> Option<Unit> {
        let plan: Vec<usize> = (0..table.rows.len()).collect();
        let line = self.pieces[at].line;
        if self.mode == Printed::Cells {
            let wanted = table.rows.iter().map(|r| r.cols.len()).sum();
            let slots = self.take_unlabelled_cells(at, wanted, warnings)?;
            return Some(self.unit_of_cells(&plan, &slots, line));
        }
        let start = (at + 1..end).find(|&i| self.pieces[i].is_value)?;
        let mut values = vec![start];
        values.extend(self.values_after(start, end));
        Some(self.unit(table, &plan, &values, false, line))
    }

    /// Warns when a row label read in this table is printed again further
    /// on with other numbers beside it: a file holding the tables twice.
    fn warn_of_a_second_copy(&self, t: usize, chain: &[(usize, usize)], warnings: &mut Vec<Warning>) {
        let table = &self.template.tables[t];
        let Some(last) = chain.iter().map(|&(_, p)| p).max() else { return };
        // Blank cells at either end are a grid's padding, not numbers.
        let printed = |at: usize| -> Vec<&str> {
            let values: Vec<&str> =
                self.values_after(at, self.pieces.len()).iter().map(|&v| &*self.pieces[v].text).collect();
            let start = values.iter().position(|v| !v.is_empty()).unwrap_or(values.len());
            let end = values.iter().rposition(|v| !v.is_empty()).map_or(start, |e| e + 1);
            values[start..end].to_vec()
        };
        for &(row, again) in self.labels[t].iter().filter(|&&(_, i)| i > last) {
            let Some(&(_, first)) = chain.iter().find(|&&(r, _)| r == row) else { continue };
            let (read, copy) = (printed(first), printed(again));
            if !read.is_empty() && !copy.is_empty() && copy != read {
                let text = format!(
                    "line {}: table {} printed again with other numbers; the first copy, at line {}, was read",
                    self.pieces[again].line, table.code, self.pieces[first].line
                );
                warnings.push(Warning::new(WarningKind::TableRepeated, text));
                return;
            }
        }
    }

    /// The rows a chain says the table prints, and its units: rows beside
    /// their labels, and runs of the others with the values between.
    fn take_chain(
        &self,
        table: &Table,
        chain: &[(usize, usize)],
        end: usize,
        warnings: &mut Vec<Warning>,
    ) -> (Vec<usize>, Vec<Unit>) {
        let mut label_of: Vec<Option<usize>> = vec![None; table.rows.len()];
        for &(r, p) in chain {
            label_of[r] = Some(p);
        }
        let located =
            |code: &String| table.rows.iter().position(|row| row.code == *code).is_some_and(|r| label_of[r].is_some());
        // An undivided row stands in for its parts only when no part is printed.
        let stand_ins: Vec<&Row> = table
            .rows
            .iter()
            .filter(|s| !s.replaces.is_empty() && located(&s.code) && !s.replaces.iter().any(located))
            .collect();
        let plan: Vec<usize> = (0..table.rows.len())
            .filter(|&r| {
                let row = &table.rows[r];
                if row.replaces.is_empty() {
                    !stand_ins.iter().any(|s| s.replaces.contains(&row.code))
                } else {
                    stand_ins.iter().any(|s| std::ptr::eq(*s, row))
                }
            })
            .collect();
        let mut units = Vec::new();
        let mut anchored: Vec<Option<(usize, usize)>> = vec![None; plan.len()]; // (label piece, last value piece)
        for (k, &r) in plan.iter().enumerate() {
            let Some(at) = label_of[r] else { continue };
            let values = self.values_after(at, end);
            // PDF text prints a row's values on its label's line or, when the
            // label wraps, on a line of their own before or after it: only
            // values on the label's line are surely its own.
            let own_line =
                |v: &usize| self.mode != Printed::Flow(Mode::Spaced) || self.pieces[*v].line == self.pieces[at].line;
            if !values.first().is_some_and(own_line) {
                continue;
            }
            let unit = if self.mode == Printed::Cells {
                let Some(slots) = self.take_row_cells(at, &table.rows[r], values.clone(), warnings) else { continue };
                self.unit_of_cells(&[r], &slots, self.pieces[at].line)
            } else {
                self.unit(table, &[r], &values, true, self.pieces[at].line)
            };
            if !unit.candidates.is_empty() {
                anchored[k] = Some((at, *unit.values.last().unwrap_or(&at)));
                units.push(unit);
            }
        }
        // Runs of rows without their own values, read from what lies between.
        // Before the first anchored row, values may precede the first label,
        // back to the heading or label before it.
        let first = chain.iter().map(|&(_, p)| p).min().unwrap_or(0);
        let table_start = (0..first).rev().find(|&i| self.boundary[i]).map_or(0, |i| i + 1);
        let mut k = 0;
        while k < plan.len() {
            if anchored[k].is_some() {
                k += 1;
                continue;
            }
            let run_start = k;
            while k < plan.len() && anchored[k].is_none() {
                k += 1;
            }
            let after = run_start.checked_sub(1).and_then(|p| anchored[p]).map_or(table_start, |(_, last)| last + 1);
            let before = anchored.get(k).copied().flatten().map_or(end, |(label, _)| label);
            let taken = |i: usize| anchored.iter().flatten().any(|&(l, v)| (l..=v).contains(&i));
            // A blank grid cell is padding as often as a value: runs use
            // printed ones, and never another label's.
            let free = |i: usize| self.mode != Printed::Cells || !(self.pieces[i].text.is_empty() || self.foreign[i]);
            let values: Vec<usize> =
                (after..before).filter(|&i| self.pieces[i].is_value && free(i) && !taken(i)).collect();
            if values.is_empty() {
                continue;
            }
            let rows = plan[run_start..k].to_vec();
            units.push(self.unit(table, &rows, &values, false, self.pieces[values[0]].line));
        }
        (plan, units)
    }

    /// A unit of delimited cells: its one reading is the cells as printed.
    fn unit_of_cells(&self, rows: &[usize], slots: &[Option<usize>], line: u32) -> Unit {
        let cells: Vec<Slot> =
            slots.iter().map(|s| s.map(|i| (self.pieces[i].text.to_string(), self.pieces[i].line))).collect();
        let reading = Reading { cells, as_printed: true, repeats_value: false };
        let values = slots.iter().flatten().copied().collect();
        Unit { rows: rows.to_vec(), line, values, candidates: vec![reading], beside_label: true }
    }

    fn unit(&self, table: &Table, rows: &[usize], values: &[usize], beside_label: bool, line: u32) -> Unit {
        let cells: usize = rows.iter().map(|&r| table.rows[r].cols.len()).sum();
        let chunks = self.chunks(values);
        // Delimited values are one cell each, as spaced PDF values are.
        let mode = match self.mode {
            Printed::Flow(mode) => mode,
            Printed::Cells => Mode::Spaced,
        };
        let candidates = if self.drops_empty {
            readings::read_all_with_empty_cells(&chunks, cells, mode, READINGS_CAP)
        } else {
            readings::read_all(&chunks, cells, mode, READINGS_CAP)
        };
        let candidates = candidates.unwrap_or_default();
        Unit { rows: rows.to_vec(), line, values: values.to_vec(), candidates, beside_label }
    }

    /// The values a unit was read from, as printed.
    fn printed(&self, unit: &Unit) -> String {
        unit.values.iter().map(|&v| &*self.pieces[v].text).collect::<Vec<_>>().join(" ")
    }

    /// Keeps each unit's readings that fit the arithmetic and emits the table.
    fn solve_units(
        &self,
        table: &'t Table,
        plan: &[usize],
        mut units: Vec<Unit>,
        checks: &[&Check],
        table_line: u32,
        out: &mut Solution<'t>,
    ) {
        // Rows printed cell by cell beside their labels leave nothing to infer.
        let chosen = if units.iter().all(|u| u.beside_label && u.candidates.len() == 1 && u.candidates[0].as_printed) {
            out.trace.push(format!(
                "{}: {} rows printed cell by cell beside their labels: read as printed",
                table.code,
                units.len()
            ));
            vec![Some(0); units.len()]
        } else {
            self.narrow(table, plan, &mut units, checks, &mut out.trace)
        };
        let mut emitted = vec![false; table.rows.len()];
        for (mut unit, pick) in units.into_iter().zip(chosen) {
            let Some(c) = pick else {
                let (kind, what) = if unit.candidates.is_empty() {
                    (WarningKind::NoReadingFits, "no reading fits".to_string())
                } else {
                    (WarningKind::SeveralReadings, format!("{} readings fit", unit.candidates.len()))
                };
                let text = format!(
                    "line {}: values [{}] for {}: {what}; left missing",
                    unit.line,
                    self.printed(&unit),
                    rows_named(table, &unit.rows)
                );
                out.warnings.push(Warning::new(kind, text));
                continue;
            };
            let certain = unit.beside_label && unit.candidates.len() == 1 && unit.candidates[c].as_printed;
            // An inferred cell's raw is the run it was read from: its own text was never printed.
            let printed = (!certain).then(|| self.printed(&unit));
            let mut cells = unit.candidates.swap_remove(c).cells.into_iter();
            for &r in &unit.rows {
                let row = &table.rows[r];
                for col in &row.cols {
                    let Some((raw, line)) = cells.next().flatten() else {
                        out.cells.push(missing(table, row, col, Some(unit.line)));
                        continue;
                    };
                    let mut reading = value::read(&raw);
                    if reading.status == Status::Ok && !certain {
                        reading.status = Status::Inferred;
                    }
                    let raw = printed.clone().unwrap_or(raw);
                    out.cells.push(Cell { table, row, col, raw: Some(raw), reading, line: Some(line) });
                }
                emitted[r] = true;
            }
        }
        let missing: Vec<&Row> = plan.iter().filter(|&&r| !emitted[r]).map(|&r| &table.rows[r]).collect();
        emit_missing(table, &missing, Some(table_line), out);
        // Template order, whatever order the units were read in.
        let order = |c: &Cell| table.rows.iter().position(|r| std::ptr::eq(r, c.row)).unwrap_or(0);
        let first = out.cells.len() - plan.iter().map(|&r| table.rows[r].cols.len()).sum::<usize>();
        if !out.cells[first..].is_sorted_by_key(order) {
            out.cells[first..].sort_by_cached_key(order);
        }
    }

    /// Keeps each unit's readings that fit the arithmetic, and picks per unit
    /// the one reading left, if any.
    fn narrow(
        &self,
        table: &Table,
        plan: &[usize],
        units: &mut [Unit],
        checks: &[&Check],
        trace: &mut Vec<String>,
    ) -> Vec<Option<usize>> {
        let identities = Identities::new(table, plan, checks);
        let mut values: Vec<Vec<Vec<Option<f64>>>> = Vec::with_capacity(units.len());
        for unit in units.iter_mut() {
            let initial = unit.candidates.len();
            let slots = identities.slots_of(&unit.rows);
            let own = identities.within(&slots);
            let read: Vec<Vec<Option<f64>>> = unit.candidates.iter().map(numbers).collect();
            // A unit's own rows first: the identities among its cells alone.
            let mut grid = vec![None; identities.size];
            let fits: Vec<bool> = read
                .iter()
                .map(|v| {
                    identities.fill(&mut grid, &slots, v);
                    own.iter().all(|&i| identities.holds_in(i, &grid))
                })
                .collect();
            let confirmed = identities.confirm(&unit.rows, &own);
            let keep: Vec<bool> = unit
                .candidates
                .iter()
                .zip(&fits)
                // A reading that breaks its own rows' identities is kept only as
                // printed (the document's error); a cut or an expansion that
                // breaks them is no reading at all, nor are grid cells without
                // a label read between neighbours (they may be another table's).
                .map(|(c, &fit)| {
                    let printed = c.as_printed && (unit.beside_label || self.mode != Printed::Cells);
                    let misprint = printed && !fits.contains(&true);
                    (fit || misprint) && (confirmed || !c.repeats_value)
                })
                .collect();
            let mut kept = keep.iter();
            unit.candidates.retain(|_| *kept.next().unwrap_or(&false));
            values.push(read.into_iter().zip(&keep).filter(|(_, &k)| k).map(|(v, _)| v).collect());
            trace.push(format!(
                "{}: line {}: [{}] → {initial} reading(s), {} fit the rows' own identities",
                rows_named(table, &unit.rows),
                unit.line,
                self.printed(unit),
                unit.candidates.len()
            ));
        }
        choose(&identities, units, &values)
    }
}

fn rows_named(table: &Table, rows: &[usize]) -> String {
    match rows {
        [one] => table.rows[*one].code.clone(),
        [first, .., last] => format!("{} … {}", table.rows[*first].code, table.rows[*last].code),
        [] => String::new(),
    }
}

fn emit_missing<'t>(table: &'t Table, rows: &[&'t Row], line: Option<u32>, out: &mut Solution<'t>) {
    for row in rows {
        out.cells.extend(row.cols.iter().map(|col| missing(table, row, col, line)));
    }
}

fn missing<'t>(table: &'t Table, row: &'t Row, col: &'t Col, line: Option<u32>) -> Cell<'t> {
    Cell { table, row, col, raw: None, reading: CellReading { value: None, status: Status::Missing, unit: None }, line }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Catalog;

    fn catalog() -> &'static Catalog {
        crate::template::built_in()
    }

    /// The 2021 requests table: each row's label (its last segment) and
    /// printed values, in template order; rows not given are all zeros.
    fn requests_text(rows: &[(&str, &str)], separator: &str) -> String {
        let catalog = catalog();
        let template = catalog.template("gov2021").unwrap();
        let table = template.tables.iter().find(|t| t.code == "requests").unwrap();
        let mut text = String::from("本年制发件数\n三、收到和处理政府信息公开申请情况\n");
        for row in table.rows.iter().filter(|r| r.replaces.is_empty()) {
            let label = row.label.rsplit('/').next().unwrap();
            let zeros = ["0"; 7].join(separator);
            let values = rows.iter().find(|(code, _)| *code == row.code).map_or(zeros.as_str(), |(_, v)| v);
            text.push_str(&format!("{label}{separator}{values}\n"));
        }
        text.push_str("四、政府信息公开行政复议、行政诉讼情况\n");
        text
    }

    fn row(a: &Alignment, code: &str) -> Vec<(Option<f64>, &'static str)> {
        a.cells
            .iter()
            .filter(|c| c.row.code == code && c.table.code == "requests")
            .map(|c| (c.reading.value, c.reading.status.as_str()))
            .collect()
    }

    fn inferred(values: &[f64]) -> Vec<(Option<f64>, &'static str)> {
        values.iter().map(|&v| (Some(v), "inferred")).collect()
    }

    #[test]
    fn fused_digits_are_cut_where_the_row_total_holds() {
        let text =
            requests_text(&[("new", "640020470"), ("result.granted", "640020470"), ("result.total", "640020470")], "");
        let catalog = catalog();
        let a = solve(&text.replace('\n', ""), Mode::Fused, catalog);
        assert_eq!(row(&a, "new"), inferred(&[64.0, 0.0, 0.0, 2.0, 0.0, 4.0, 70.0]));
        assert_eq!(row(&a, "carried_over"), inferred(&[0.0; 7]));
    }

    #[test]
    fn column_identities_settle_what_row_totals_leave_open() {
        // 270020130 is 27,0,0,2,0,1,30 or 2,7,0,0,20,1,30: both sum. Only the
        // first makes （七）总计 the sum of the result rows in every column.
        let rows = [
            ("new", "280020131"),
            ("result.granted", "270020130"),
            ("result.partial", "1000001"),
            ("result.total", "280020131"),
        ];
        let text = requests_text(&rows, "");
        let catalog = catalog();
        let a = solve(&text.replace('\n', ""), Mode::Fused, catalog);
        assert_eq!(row(&a, "result.granted"), inferred(&[27.0, 0.0, 0.0, 2.0, 0.0, 1.0, 30.0]));
        assert_eq!(row(&a, "new"), inferred(&[28.0, 0.0, 0.0, 2.0, 0.0, 1.0, 31.0]));
    }

    #[test]
    fn a_row_the_arithmetic_cannot_settle_is_missing_with_a_warning() {
        // 270020130 has two readings that fit its row total, and the same
        // reading of all three rows fits every column too.
        let text =
            requests_text(&[("new", "270020130"), ("result.granted", "270020130"), ("result.total", "270020130")], "");
        let catalog = catalog();
        let a = solve(&text.replace('\n', ""), Mode::Fused, catalog);
        assert!(row(&a, "result.granted").iter().all(|c| *c == (None, "missing")));
        assert!(
            a.warnings.iter().any(|w| w.kind == WarningKind::SeveralReadings && w.text.contains("[270020130]")),
            "{:?}",
            a.warnings
        );
    }

    #[test]
    fn values_printed_away_from_their_labels_are_read_in_row_order() {
        // PDF text: the 予以公开 values sit on the line after their label run,
        // the 部分公开 values before the label.
        let mut text = requests_text(
            &[
                ("result.granted", "3 0 0 0 0 0 3"),
                ("result.partial", "1 0 0 0 0 0 1"),
                ("new", "4 0 0 0 0 0 4"),
                ("result.total", "4 0 0 0 0 0 4"),
            ],
            " ",
        );
        text = text.replace(
            "（一）予以公开 3 0 0 0 0 0 3\n（二）部分公开（区分处理的，只计这一情形，不计其他情形） 1 0 0 0 0 0 1",
            "（一）予以公开\n3 0 0 0 0 0 3\n1 0 0 0 0 0 1\n（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        );
        let catalog = catalog();
        let a = solve(&text, flow::detect(&text), catalog);
        assert_eq!(row(&a, "result.granted"), inferred(&[3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0]));
        assert_eq!(row(&a, "result.partial"), inferred(&[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]));
        assert_eq!(row(&a, "new")[0], (Some(4.0), "ok"));
    }

    #[test]
    fn collapsed_node_lines_expand_where_an_identity_confirms_them() {
        let rows = [("new", "2\n0\n2"), ("result.unavailable.not_held", "2\n0\n2"), ("result.total", "2\n0\n2")];
        let mut text = requests_text(&rows, "\n").replace("\n0\n0\n0\n0\n0\n0\n0\n", "\n0\n");
        text = format!("本年制发件数\n规章\n0\n行政规范性文件\n5\n{text}");
        let catalog = catalog();
        let a = solve(&text, Mode::NodeLines, catalog);
        assert_eq!(row(&a, "new"), inferred(&[2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]));
        let proactive: Vec<_> = a
            .cells
            .iter()
            .filter(|c| c.table.code == "proactive")
            .map(|c| (c.row.code.as_str(), c.reading.status.as_str()))
            .collect();
        // An all-zero row is zeros; a lone 5 may be 5,5,5 or 5 beside dropped empty cells.
        assert!(proactive.contains(&("art20_1.rules", "inferred")));
        assert!(proactive.contains(&("art20_1.normative_docs", "missing")));
    }

    #[test]
    fn an_inconsistent_table_comes_out_as_printed() {
        let text = "四、政府信息公开行政复议、行政诉讼情况\n行政复议\n10 1 0 0 0 0 0 0 0 0 5 0 0 0 0\n五、存在的主要问题及改进情况\n";
        let catalog = catalog();
        let a = solve(text, Mode::Spaced, catalog);
        let review: Vec<_> = a
            .cells
            .iter()
            .filter(|c| c.row.code == "review")
            .map(|c| (c.reading.value, c.reading.status.as_str()))
            .collect();
        assert_eq!(review[0], (Some(10.0), "inferred"));
        assert_eq!(review[4], (Some(0.0), "inferred"));
    }
}
