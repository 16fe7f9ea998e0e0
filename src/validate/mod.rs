//! Validate: the template's arithmetic and plausibility bounds on parsed
//! reports. Pure: cells and rules in, check results and warnings out. Checks
//! that compare a report with the previous year's run once every file is
//! parsed, over the [`YearFacts`] kept for each report.

pub mod narrative;

use rustc_hash::FxHashMap;

use crate::diagnostics::{Warning, WarningKind};
use crate::parse::align::Cell;
use crate::parse::value::Status;
use crate::template::checks::{Check, Each, Term};
use crate::template::Template;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Pass,
    Fail,
    Skipped,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Skipped => "skipped",
        }
    }
}

/// One check on one row or column of one report.
#[derive(Debug, Clone)]
pub struct CheckResult<'t> {
    pub check: &'t Check,
    pub row: Option<&'t str>,
    pub col: Option<&'t str>,
    pub lhs: Option<f64>,
    pub rhs: Option<f64>,
    pub status: CheckStatus,
    /// Line of the left-hand cell.
    pub line: Option<u32>,
    /// Skipped because one side was printed entirely blank beside a
    /// non-zero other side: a total or its parts left blank are read as not
    /// reported.
    pub blank_side: Option<BlankSide>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlankSide {
    Lhs,
    Rhs,
}

impl CheckResult<'_> {
    pub fn delta(&self) -> Option<f64> {
        Some(self.lhs? - self.rhs?)
    }

    /// A failure that counts against the report.
    pub fn is_hard_failure(&self) -> bool {
        self.status == CheckStatus::Fail && !self.check.soft
    }
}

/// A cell as a check reads it.
#[derive(Debug, Clone, Copy)]
pub struct Operand {
    pub value: Option<f64>,
    pub status: Status,
    pub line: Option<u32>,
}

/// The cells of one report that checks may read, by table, row and column.
/// Checks look cells up by code hundreds of times per report, so the maps
/// use a fast non-keyed hash (the keys are template codes, not input).
#[derive(Debug, Default, Clone)]
pub struct Operands<'t> {
    /// (table, row, col) → cell; the first cell wins on a repeated key.
    cells: FxHashMap<(&'t str, &'t str, &'t str), Operand>,
    /// Row and column codes per table, in template order.
    rows: FxHashMap<&'t str, Vec<&'t str>>,
    cols: FxHashMap<&'t str, Vec<&'t str>>,
}

impl<'t> Operands<'t> {
    pub fn from_cells<'c>(cells: impl IntoIterator<Item = &'c Cell<'t>>) -> Operands<'t>
    where
        't: 'c,
    {
        Operands::from_entries(cells.into_iter().map(|cell| {
            let key = (cell.table.code.as_str(), cell.row.code.as_str(), cell.col.code.as_str());
            (key, Operand { value: cell.reading.value, status: cell.reading.status, line: cell.line })
        }))
    }

    fn from_entries(entries: impl IntoIterator<Item = ((&'t str, &'t str, &'t str), Operand)>) -> Operands<'t> {
        let mut operands = Operands::default();
        for ((table, row, col), operand) in entries {
            operands.cells.entry((table, row, col)).or_insert(operand);
            let rows = operands.rows.entry(table).or_default();
            if rows.last() != Some(&row) && !rows.contains(&row) {
                rows.push(row);
            }
            let cols = operands.cols.entry(table).or_default();
            if !cols.contains(&col) {
                cols.push(col);
            }
        }
        operands
    }

    fn get(&self, table: &str, row: &str, col: &str) -> Option<Operand> {
        // Keys live as long as the template; a lookup's codes need not.
        let cells: &FxHashMap<(&str, &str, &str), Operand> = &self.cells;
        cells.get(&(table, row, col)).copied()
    }

    /// Codes of the term's dimension in `table`: rows for `Each::Col`.
    fn codes(&self, table: &str, each: Each) -> &[&'t str] {
        let map = if each == Each::Col { &self.rows } else { &self.cols };
        map.get(table).map_or(&[], Vec::as_slice)
    }
}

/// A side of a check, summed.
enum Side {
    Sum { total: f64, all_blank: bool, line: Option<u32> },
    Unreadable,
}

fn side(check: &Check, terms: &[Term], fixed: &str, this: &Operands, previous: Option<&Operands>) -> Side {
    let mut total = 0.0;
    let mut all_blank = true;
    let mut line = None;
    let mut seen = 0;
    for term in terms {
        let source = match (term.previous, previous) {
            (false, _) => this,
            (true, Some(p)) => p,
            (true, None) => return Side::Unreadable,
        };
        // A prefix term sums every code it begins; another names one code.
        let listed: &[&str] = if term.prefix { source.codes(&check.table, check.each) } else { &[] };
        let prefixed = listed.iter().copied().filter(|c| c.starts_with(&term.code) && !check.named.contains(*c));
        for code in prefixed.chain((!term.prefix).then_some(term.code.as_str())) {
            let (row, col) = if check.each == Each::Col { (code, fixed) } else { (fixed, code) };
            let Some(operand) = source.get(&check.table, row, col) else {
                return Side::Unreadable;
            };
            let Some(value) = operand.status.counted(operand.value) else {
                return Side::Unreadable;
            };
            all_blank &= operand.status == Status::Blank;
            line = line.or(operand.line);
            seen += 1;
            total += if term.negative { -value } else { value };
        }
    }
    if seen == 0 {
        return Side::Unreadable;
    }
    Side::Sum { total, all_blank, line }
}

/// The sum of `terms` of `check` at row or column `fixed`, and whether
/// every cell summed was blank; `None` when a cell is absent or unread.
/// Blank and dash count as 0.
pub fn sum(check: &Check, terms: &[Term], fixed: &str, operands: &Operands) -> Option<(f64, bool)> {
    match side(check, terms, fixed, operands, None) {
        Side::Sum { total, all_blank, .. } => Some((total, all_blank)),
        Side::Unreadable => None,
    }
}

/// Runs `check` on every row or column it covers.
pub fn run_check<'t>(check: &'t Check, this: &Operands<'t>, previous: Option<&Operands<'t>>) -> Vec<CheckResult<'t>> {
    let instances: Vec<&'t str> = match check.each {
        Each::Col => this.cols.get(check.table.as_str()).cloned().unwrap_or_default(),
        Each::Row if !check.rows.is_empty() => {
            let present = this.rows.get(check.table.as_str()).cloned().unwrap_or_default();
            present.into_iter().filter(|r| check.rows.iter().any(|c| c == r)).collect()
        }
        Each::Row => this.rows.get(check.table.as_str()).cloned().unwrap_or_default(),
    };
    let mut results = Vec::new();
    for fixed in instances {
        // Only rows or columns that print the left side are checked.
        let has_lhs = check.lhs.iter().filter(|t| !t.previous && !t.prefix).all(|t| {
            let (row, col) = if check.each == Each::Col { (t.code.as_str(), fixed) } else { (fixed, t.code.as_str()) };
            this.get(&check.table, row, col).is_some()
        });
        if !has_lhs {
            continue;
        }
        let (row, col) = match check.each {
            Each::Col => (None, Some(fixed)),
            Each::Row => (Some(fixed), check.lhs.first().filter(|t| !t.prefix).map(|t| t.code.as_str())),
        };
        let mut result = CheckResult {
            check,
            row,
            col,
            lhs: None,
            rhs: None,
            status: CheckStatus::Skipped,
            line: None,
            blank_side: None,
        };
        if let (
            Side::Sum { total: lhs, all_blank: lhs_blank, line },
            Side::Sum { total: rhs, all_blank: rhs_blank, line: rhs_line },
        ) = (side(check, &check.lhs, fixed, this, previous), side(check, &check.rhs, fixed, this, previous))
        {
            result.line = line.or(rhs_line);
            if lhs_blank && rhs != 0.0 {
                result.blank_side = Some(BlankSide::Lhs);
            } else if rhs_blank && lhs != 0.0 {
                result.blank_side = Some(BlankSide::Rhs);
            } else {
                result.lhs = Some(lhs);
                result.rhs = Some(rhs);
                let tolerance = 1e-6 * lhs.abs().max(rhs.abs()).max(1.0);
                result.status = if (lhs - rhs).abs() <= tolerance { CheckStatus::Pass } else { CheckStatus::Fail };
            }
        }
        results.push(result);
    }
    results
}

/// The checks of one report that need no other report.
pub fn check_report<'t>(template: &'t Template, operands: &Operands<'t>) -> Vec<CheckResult<'t>> {
    template.checks.iter().filter(|c| !c.across_years()).flat_map(|c| run_check(c, operands, None)).collect()
}

/// Human-readable warnings for a report's check results: blank totals read
/// as not reported, and failures with their first instance.
pub fn check_warnings(template: &Template, results: &[CheckResult]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for check in &template.checks {
        let mine: Vec<&CheckResult> = results.iter().filter(|r| std::ptr::eq(r.check, check)).collect();
        for side in [BlankSide::Lhs, BlankSide::Rhs] {
            let blank: Vec<&&CheckResult> = mine.iter().filter(|r| r.blank_side == Some(side)).collect();
            let Some(first) = blank.first() else { continue };
            let label = lhs_label(template, check);
            let (parts, over) = match check.each {
                Each::Row => ("columns", "rows"),
                Each::Col => ("rows", "columns"),
            };
            let what = match (side, check.each) {
                (BlankSide::Lhs, Each::Row) => {
                    format!("{label} column blank in {} {over} beside non-zero parts", blank.len())
                }
                (BlankSide::Lhs, Each::Col) => {
                    format!("{label} row blank in {} {over} beside non-zero parts", blank.len())
                }
                (BlankSide::Rhs, _) => {
                    format!("{parts} summed into {label} blank in {} {over} beside a non-zero total", blank.len())
                }
            };
            let text = format!("{}{what}, read as not reported ({})", at_line(first.line), check.code);
            warnings.push(Warning::new(WarningKind::NotReported, text));
        }
        let failed: Vec<&&CheckResult> = mine.iter().filter(|r| r.status == CheckStatus::Fail).collect();
        if let Some(first) = failed.first() {
            let instance = first.row.or(first.col).unwrap_or("");
            let text = format!(
                "{}check {}{} fails in {} of {} (first {instance}: {} vs {})",
                at_line(first.line),
                check.code,
                if check.soft { " (soft)" } else { "" },
                failed.len(),
                mine.len(),
                number(first.lhs),
                number(first.rhs),
            );
            warnings.push(Warning::new(WarningKind::CheckFails, text));
        }
    }
    warnings
}

/// Warnings for cells past the template's plausibility bounds.
pub fn bound_warnings(template: &Template, cells: &[Cell]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for bound in &template.bounds {
        let hit =
            cells.iter().find(|c| c.table.code == bound.table && c.row.code == bound.row && c.col.code == bound.col);
        if let Some(cell) = hit.filter(|c| c.reading.value.is_some_and(|v| v > bound.max)) {
            let value = cell.raw.as_deref().unwrap_or_default();
            let text = format!("{}{}", at_line(cell.line), bound.warning.replace("{value}", value));
            warnings.push(Warning::new(WarningKind::Implausible, text));
        }
    }
    warnings
}

fn at_line(line: Option<u32>) -> String {
    line.map(|l| format!("line {l}: ")).unwrap_or_default()
}

fn number(value: Option<f64>) -> String {
    value.map_or("?".to_string(), |v| format!("{v}"))
}

/// The printed label of a check's left-hand column or row (its last segment).
fn lhs_label(template: &Template, check: &Check) -> String {
    let code = check.lhs.first().map(|t| t.code.as_str()).unwrap_or_default();
    let rows = template.tables.iter().filter(|t| t.code == check.table).flat_map(|t| &t.rows);
    let label = match check.each {
        Each::Row => rows.flat_map(|r| &r.cols).find(|c| c.code == code).map(|c| c.label.as_str()),
        Each::Col => rows.into_iter().find(|r| r.code == code).map(|r| r.label.as_str()),
    };
    label.and_then(|l| l.rsplit('/').next()).unwrap_or(code).to_string()
}

/// A report's cells that the checks across years read (its template's
/// `year_cells`, in that order): all a report keeps for those checks once
/// its other cells are written, in the form the fact file stores.
#[derive(Debug, Clone, Default)]
pub struct YearCells(Box<[Option<KeptCell>]>);

#[derive(Debug, Clone, Copy)]
struct KeptCell {
    /// NaN when the cell has no value.
    value: f64,
    /// 0 when the line is unknown.
    line: u32,
    status: Status,
}

impl YearCells {
    pub fn new(template: &Template, operands: &Operands) -> YearCells {
        let keep =
            |o: Operand| KeptCell { value: o.value.unwrap_or(f64::NAN), line: o.line.unwrap_or(0), status: o.status };
        YearCells(template.year_cells.iter().map(|(t, r, c)| operands.get(t, r, c).map(keep)).collect())
    }

    fn operands<'t>(&self, template: &'t Template) -> Operands<'t> {
        Operands::from_entries(template.year_cells.iter().zip(self.0.iter()).filter_map(|((t, r, c), kept)| {
            let kept = (*kept)?;
            let operand = Operand {
                value: (!kept.value.is_nan()).then_some(kept.value),
                status: kept.status,
                line: (kept.line != 0).then_some(kept.line),
            };
            Some(((t.as_str(), r.as_str(), c.as_str()), operand))
        }))
    }
}

/// What one report contributes to the checks across years: who and when,
/// and the cells those checks read.
#[derive(Debug, Clone)]
pub struct YearFacts<'t> {
    pub report_id: Box<str>,
    /// A hash of the agency name, which reports are matched on.
    pub agency: u64,
    pub year: i16,
    pub template: &'t Template,
    cells: YearCells,
}

/// Bytes of one kept cell when encoded: value, line, status.
const KEPT_CELL_BYTES: usize = 8 + 4 + 1;

impl<'t> YearFacts<'t> {
    pub fn new(report_id: &str, agency: &str, year: i16, template: &'t Template, cells: YearCells) -> YearFacts<'t> {
        // A hash that stays the same across builds: facts are kept in the dataset.
        let hash = blake3::hash(agency.as_bytes());
        let agency = u64::from_le_bytes(hash.as_bytes()[..8].try_into().unwrap_or_default());
        YearFacts { report_id: report_id.into(), agency, year, template, cells }
    }

    /// Appends the facts as bytes (the template is not included):
    /// agency, year, report id with its length, then each kept cell.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.agency.to_le_bytes());
        out.extend_from_slice(&self.year.to_le_bytes());
        let id = &self.report_id.as_bytes()[..self.report_id.len().min(255)];
        out.push(id.len() as u8);
        out.extend_from_slice(id);
        for kept in self.cells.0.iter() {
            let (value, line, status) = kept.map_or((f64::NAN, 0, u8::MAX), |k| (k.value, k.line, k.status as u8));
            out.extend_from_slice(&value.to_le_bytes());
            out.extend_from_slice(&line.to_le_bytes());
            out.push(status);
        }
    }

    /// Reads facts written by [`YearFacts::encode`] for `template`.
    pub fn decode(bytes: &[u8], template: &'t Template) -> Option<YearFacts<'t>> {
        let agency = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
        let year = i16::from_le_bytes(bytes.get(8..10)?.try_into().ok()?);
        let id_len = usize::from(*bytes.get(10)?);
        let report_id = std::str::from_utf8(bytes.get(11..11 + id_len)?).ok()?.into();
        let cells = bytes.get(11 + id_len..)?.chunks_exact(KEPT_CELL_BYTES);
        let cells: YearCells = YearCells(
            cells
                .map(|c| {
                    let status = Status::from_index(c[12])?;
                    let value = f64::from_le_bytes(c[..8].try_into().ok()?);
                    let line = u32::from_le_bytes(c[8..12].try_into().ok()?);
                    Some(KeptCell { value, line, status })
                })
                .collect(),
        );
        (cells.0.len() == template.year_cells.len()).then_some(YearFacts { report_id, agency, year, template, cells })
    }
}

/// Runs the checks across years on a report and the same agency's report
/// for the year before.
pub fn check_pair<'t>(this: &YearFacts<'t>, previous: &YearFacts<'t>) -> Vec<CheckResult<'t>> {
    let (current, before) = (this.cells.operands(this.template), previous.cells.operands(previous.template));
    this.template
        .checks
        .iter()
        .filter(|c| c.across_years())
        .flat_map(|check| run_check(check, &current, Some(&before)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_facts_survive_encoding() {
        let catalog = crate::template::built_in();
        let template = catalog.template("gov2021").unwrap();
        let key = |i: usize| {
            let (t, r, c) = &template.year_cells[i];
            (t.as_str(), r.as_str(), c.as_str())
        };
        let printed = Operand { value: Some(7.0), status: Status::Ok, line: Some(12) };
        let blank = Operand { value: None, status: Status::Blank, line: None };
        let operands = Operands::from_entries([(key(0), printed), (key(1), blank)]);
        let facts = YearFacts::new("abc", "某市人民政府", 2023, template, YearCells::new(template, &operands));
        let mut bytes = Vec::new();
        facts.encode(&mut bytes);

        let back = YearFacts::decode(&bytes, template).unwrap();
        assert_eq!((&*back.report_id, back.agency, back.year), ("abc", facts.agency, 2023));
        let read = back.cells.operands(template);
        let get = |i: usize| {
            let (t, r, c) = key(i);
            read.get(t, r, c).map(|o| (o.value, o.status, o.line))
        };
        assert_eq!(get(0), Some((Some(7.0), Status::Ok, Some(12))));
        assert_eq!(get(1), Some((None, Status::Blank, None)));
        assert_eq!(get(2), None, "a cell the report lacks stays absent");
        assert!(YearFacts::decode(&bytes[..bytes.len() - 1], template).is_none(), "a cut record is refused");
    }
}
