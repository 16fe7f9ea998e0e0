//! The checks and bounds of one template version, compiled from the
//! template file's `[[check]]` and `[[bound]]` entries and verified against
//! the version's tables.

use rustc_hash::FxHashSet;

use super::file::{BoundDef, CheckDef};
use super::{applies, Table};

/// What one check result is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Each {
    /// One result per column; terms are row codes.
    Col,
    /// One result per row; terms are column codes.
    Row,
}

/// One summand of a check side.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// A row or column code, or a prefix when `prefix` is set.
    pub code: String,
    pub prefix: bool,
    pub negative: bool,
    /// Taken from the same agency's report for the previous year.
    pub previous: bool,
}

impl Term {
    fn parse(text: &str) -> Term {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (previous, rest) = match rest.strip_prefix("previous:") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let (prefix, code) = match rest.strip_suffix('*') {
            Some(code) => (true, code),
            None => (false, rest),
        };
        Term { code: code.to_string(), prefix, negative, previous }
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    pub code: String,
    pub table: String,
    pub each: Each,
    /// For `Each::Row`: the rows checked; empty means every row with the columns.
    pub rows: Vec<String>,
    pub lhs: Vec<Term>,
    pub rhs: Vec<Term>,
    pub soft: bool,
    /// Codes named exactly, which prefix terms leave out.
    pub named: FxHashSet<String>,
}

impl Check {
    /// Whether the check needs the previous year's report.
    pub fn across_years(&self) -> bool {
        self.lhs.iter().chain(&self.rhs).any(|t| t.previous)
    }

    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        self.lhs.iter().chain(&self.rhs)
    }
}

/// (table, row, col) of every cell the checks across years read, in
/// template order.
pub fn year_cells(checks: &[Check], tables: &[Table]) -> Vec<(String, String, String)> {
    let reads_row = |check: &Check, row: &str| match check.each {
        Each::Col => check.terms().any(|t| if t.prefix { row.starts_with(&t.code) } else { row == t.code }),
        Each::Row => check.rows.is_empty() || check.rows.iter().any(|r| r == row),
    };
    let mut cells = Vec::new();
    for table in tables {
        for row in &table.rows {
            if checks.iter().any(|c| c.across_years() && c.table == table.code && reads_row(c, &row.code)) {
                cells.extend(row.cols.iter().map(|col| (table.code.clone(), row.code.clone(), col.code.clone())));
            }
        }
    }
    cells
}

/// An upper bound on a cell's plausible value.
#[derive(Debug, Clone)]
pub struct Bound {
    pub table: String,
    pub row: String,
    pub col: String,
    pub max: f64,
    pub warning: String,
}

/// Compiles the checks that apply to `version`, collecting errors.
pub fn compile_checks(defs: &[CheckDef], version: &str, tables: &[Table], errors: &mut Vec<String>) -> Vec<Check> {
    let mut checks = Vec::new();
    for def in defs {
        if !applies(&def.templates, version) {
            continue;
        }
        let here = format!("check {}", def.code);
        let Some(table) = tables.iter().find(|t| t.code == def.table) else {
            errors.push(format!("{here}: unknown table {}", def.table));
            continue;
        };
        let each = match def.each.as_str() {
            "col" => Each::Col,
            "row" => Each::Row,
            other => {
                errors.push(format!("{here}: each must be \"row\" or \"col\", not {other:?}"));
                continue;
            }
        };
        let row_codes: Vec<&str> = table.rows.iter().map(|r| r.code.as_str()).collect();
        let col_codes: Vec<&str> = table.rows.iter().flat_map(|r| r.cols.iter().map(|c| c.code.as_str())).collect();
        let term_codes = if each == Each::Col { &row_codes } else { &col_codes };
        let lhs: Vec<Term> = def.lhs.iter().map(|t| Term::parse(t)).collect();
        let rhs: Vec<Term> = def.rhs.iter().map(|t| Term::parse(t)).collect();
        for term in lhs.iter().chain(&rhs) {
            let known = if term.prefix {
                term_codes.iter().any(|c| c.starts_with(&term.code))
            } else {
                term_codes.contains(&term.code.as_str())
            };
            if !known {
                errors.push(format!(
                    "{here}: {} names no {} of table {} in {version}",
                    term.code,
                    if each == Each::Col { "row" } else { "column" },
                    table.code
                ));
            }
        }
        for row in &def.rows {
            if !row_codes.contains(&row.as_str()) {
                errors.push(format!("{here}: unknown row {row} in {version}"));
            }
        }
        if lhs.is_empty() || rhs.is_empty() {
            errors.push(format!("{here}: lhs and rhs need at least one term"));
        }
        let named = lhs.iter().chain(&rhs).filter(|t| !t.prefix).map(|t| t.code.clone()).collect();
        checks.push(Check {
            code: def.code.clone(),
            table: def.table.clone(),
            each,
            rows: def.rows.clone(),
            lhs,
            rhs,
            soft: def.soft,
            named,
        });
    }
    checks
}

/// A sum of rows of `table` (terms as in a check: `result.withheld.*`), as a
/// check whose left side is the sum and whose right side a caller supplies:
/// what a narrative claim is compared with.
pub fn compile_sum(
    code: &str,
    table: &str,
    rows: &[String],
    version: &str,
    tables: &[Table],
    errors: &mut Vec<String>,
) -> Option<Check> {
    let Some(found) = tables.iter().find(|t| t.code == table) else {
        errors.push(format!("{code}: unknown table {table}"));
        return None;
    };
    let terms: Vec<Term> = rows.iter().map(|t| Term::parse(t)).collect();
    for term in &terms {
        let known =
            found.rows.iter().any(|r| if term.prefix { r.code.starts_with(&term.code) } else { r.code == term.code });
        if !known || term.previous || term.negative {
            errors.push(format!("{code}: {} names no row of table {table} in {version}", term.code));
        }
    }
    if terms.is_empty() {
        errors.push(format!("{code}: rows need at least one term"));
    }
    let named = terms.iter().filter(|t| !t.prefix).map(|t| t.code.clone()).collect();
    Some(Check {
        code: code.to_string(),
        table: table.to_string(),
        each: Each::Col,
        rows: Vec::new(),
        lhs: terms,
        rhs: Vec::new(),
        soft: true,
        named,
    })
}

/// Compiles the bounds that apply to `version`, collecting errors.
pub fn compile_bounds(defs: &[BoundDef], version: &str, tables: &[Table], errors: &mut Vec<String>) -> Vec<Bound> {
    defs.iter()
        .filter(|d| applies(&d.templates, version))
        .filter_map(|d| {
            let exists = tables
                .iter()
                .filter(|t| t.code == d.table)
                .flat_map(|t| &t.rows)
                .any(|r| r.code == d.row && r.cols.iter().any(|c| c.code == d.col));
            if !exists {
                errors.push(format!("bound {}/{}/{}: no such cell in {version}", d.table, d.row, d.col));
                return None;
            }
            Some(Bound {
                table: d.table.clone(),
                row: d.row.clone(),
                col: d.col.clone(),
                max: d.max,
                warning: d.warning.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_parse() {
        assert_eq!(
            Term::parse("-previous:in_force"),
            Term { code: "in_force".into(), prefix: false, negative: true, previous: true }
        );
        assert_eq!(
            Term::parse("result.*"),
            Term { code: "result.".into(), prefix: true, negative: false, previous: false }
        );
    }
}
