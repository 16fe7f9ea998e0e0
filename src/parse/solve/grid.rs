//! Take rules for delimited cells (`Printed::Cells`): HTML, Markdown, tab rows,
//! Word tables. Every value is one cell as printed, so a row has a single
//! reading; what remains to decide is which cells of a grid row are its
//! values. Each rule returns the row's slots: a piece, or `None` for a cell
//! the row does not print.

use super::Doc;
use crate::diagnostics::{Warning, WarningKind};
use crate::parse::tokenize::Place;
use crate::template::{Col, Row};

/// How far before a row label its column header is looked for.
const HEADER_WINDOW: usize = 400;

/// How far past an unlabelled table's anchor its values are looked for.
const UNLABELLED_WINDOW: usize = 120;

impl Doc<'_, '_> {
    /// The slots of `row` from the cells after its label at `at` (`taken`,
    /// from `values_after`); `None` when there are none.
    pub(super) fn take_row_cells(
        &self,
        at: usize,
        row: &Row,
        mut taken: Vec<usize>,
        warnings: &mut Vec<Warning>,
    ) -> Option<Vec<Option<usize>>> {
        if taken.is_empty() {
            return None;
        }
        let wanted = row.cols.len();
        match self.row_at(at) {
            Some(_) => self.trim_grid_row(at, row, &mut taken),
            // A run of value cells without rows ends where the row's cells do.
            None => taken.truncate(wanted),
        }
        if taken.len() > wanted {
            let text = format!(
                "line {}: {} cells after {:?}, expected {wanted}; extra cells ignored",
                self.pieces[at].line,
                taken.len(),
                self.pieces[at].text
            );
            warnings.push(Warning::new(WarningKind::ExtraCells, text));
            taken.truncate(wanted);
        }
        Some(self.pad(at, taken, wanted, warnings))
    }

    /// A grid row may hold more cells than values: a spanned label leaves
    /// empty cells before the values, a grid's padding after them, a note
    /// after them. With blanks at both ends, the column header above says
    /// how many lead.
    fn trim_grid_row(&self, at: usize, row: &Row, taken: &mut Vec<usize>) {
        let wanted = row.cols.len();
        let blank = |i: &usize| self.pieces[*i].text.is_empty();
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
        while taken.len() > wanted && taken.last().is_some_and(|i| blank(i) || !self.pieces[*i].is_value) {
            taken.pop();
        }
    }

    /// Pads a short run of values with `None` (missing) and warns.
    fn pad(&self, at: usize, taken: Vec<usize>, wanted: usize, warnings: &mut Vec<Warning>) -> Vec<Option<usize>> {
        if taken.len() < wanted {
            let text = format!(
                "line {}: {} of {wanted} values after {:?}",
                self.pieces[at].line,
                taken.len(),
                self.pieces[at].text
            );
            warnings.push(Warning::new(WarningKind::ShortRow, text));
        }
        let mut values: Vec<Option<usize>> = taken.into_iter().map(Some).collect();
        values.resize(wanted, None);
        values
    }

    fn row_at(&self, i: usize) -> Option<u32> {
        match self.pieces[i].place {
            Place::RowCell(r) => Some(r),
            _ => None,
        }
    }

    /// How many cells lie between the row label at `at` and its first
    /// value, by the position of the nearest column-header cell above that
    /// names `first_col`; `None` without such a header.
    fn header_lead(&self, at: usize, first_col: &Col) -> Option<usize> {
        let label_row = self.row_at(at)?;
        let header = (at.saturating_sub(HEADER_WINDOW)..at).rev().find(|&i| {
            self.row_at(i).is_some_and(|r| r != label_row)
                && first_col.header_keys.iter().any(|k| self.keys[i].first().is_some_and(|key| key == k))
        })?;
        self.position_in_row(header).checked_sub(self.position_in_row(at) + 1)
    }

    /// The index of piece `i` among the cells of its row.
    fn position_in_row(&self, i: usize) -> usize {
        let row = self.row_at(i);
        (0..i).rev().take_while(|&j| self.row_at(j) == row).count()
    }

    /// The slots of a table printed as one unlabelled run of `wanted`
    /// values after its header at `anchor` (the appeals table).
    pub(super) fn take_unlabelled_cells(
        &self,
        anchor: usize,
        wanted: usize,
        warnings: &mut Vec<Warning>,
    ) -> Option<Vec<Option<usize>>> {
        let pieces = self.pieces;
        let end = pieces.len().min(anchor + UNLABELLED_WINDOW);
        let value_cell = |i: usize| pieces[i].is_value;
        // With rows shown: the first row of value cells long enough to be the data.
        if (anchor + 1..end).any(|i| self.row_at(i).is_some()) {
            let mut i = anchor + 1;
            while i < end {
                let Some(row) = self.row_at(i) else {
                    i += 1;
                    continue;
                };
                let members: Vec<usize> = (i..pieces.len()).take_while(|&j| self.row_at(j) == Some(row)).collect();
                i += members.len();
                if members.len() * 2 >= wanted && members.iter().all(|&j| value_cell(j)) {
                    let mut taken = members;
                    while taken.len() > wanted && pieces[taken[taken.len() - 1]].text.is_empty() {
                        taken.pop();
                    }
                    while taken.len() > wanted && pieces[taken[0]].text.is_empty() {
                        taken.remove(0);
                    }
                    taken.truncate(wanted);
                    return Some(self.pad(anchor, taken, wanted, warnings));
                }
            }
            return None;
        }
        // Without rows: the values start after the last header label before
        // the first non-blank value.
        let mut start = anchor + 1;
        for (i, piece) in pieces.iter().enumerate().take(end).skip(anchor + 1) {
            if !value_cell(i) {
                start = i + 1;
            } else if !piece.text.is_empty() {
                break;
            }
        }
        let mut taken: Vec<usize> = (start..pieces.len()).take_while(|&i| value_cell(i)).collect();
        // Empty grid cells that close the header come before the values.
        let leading_blanks = taken.iter().take_while(|&&i| pieces[i].text.is_empty()).count();
        taken.drain(..leading_blanks.min(taken.len().saturating_sub(wanted)));
        taken.truncate(wanted);
        if taken.is_empty() {
            return None;
        }
        Some(self.pad(anchor, taken, wanted, warnings))
    }
}
