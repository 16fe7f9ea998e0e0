//! The claims a report's prose may make, compiled from the template file
//! (`[narrative]`, `[[claim]]`): the numerals and scope words that read
//! prose, and per template version the phrasings of each kind of claim and
//! the sums of cells it states. `parse::narrative` reads prose with them and
//! `validate::narrative` checks what it read.

use std::collections::HashMap;

use regex::{Regex, RegexSet};

use super::checks::{self, Check};
use super::file::{ClaimDef, NarrativeDef};
use super::{applies, Table};

/// Numbers at or above this are no count a report states (a year run
/// into digits, a phone number).
const MAX_COUNT: f64 = 1e12;

/// How the code of every claim's check begins (`narrative.requests.received`).
pub const CHECK_PREFIX: &str = "narrative.";

/// What stands for the number in a claim's pattern.
const NUMBER_SLOT: &str = "{n}";

/// The words that read prose: numerals and the marks of scope.
#[derive(Debug, Default)]
pub struct Vocabulary {
    pub(crate) digits: HashMap<char, u64>,
    pub(crate) multipliers: HashMap<char, u64>,
    pub(crate) clause_ends: Vec<char>,
    /// A word directly before a claim that voids it (延期答复申请3件).
    pub(crate) not_after: Vec<String>,
    /// After 件: the number is a bound (100件左右).
    pub(crate) approximate_after: Vec<String>,
    /// Characters before an office's name in a subject.
    pub(crate) name_starts: Vec<char>,
    pub(crate) units: Vec<String>,
    pub(crate) whole: Vec<String>,
    pub(crate) agency_abbreviations: Vec<(String, String)>,
    /// The regular expression `{n}` expands to.
    pub(crate) number: String,
}

/// One kind of claim, compiled for one template version.
#[derive(Debug)]
pub struct ClaimRule {
    pub kind: String,
    pub table: String,
    pub col: String,
    /// The sums of cells the claim may state, the usual one first.
    pub sums: Vec<Sum>,
    pub(crate) patterns: Vec<Regex>,
}

/// Rows of one column, summed: a check whose code is `narrative.<kind>`.
#[derive(Debug)]
pub struct Sum {
    pub check: Check,
    /// The rows, as written in the template file (`result.withheld.*`).
    pub rows: String,
}

/// Compiles the `[narrative]` vocabulary, collecting errors.
pub fn compile_vocabulary(def: &NarrativeDef, errors: &mut Vec<String>) -> Vocabulary {
    let single = |map: &HashMap<String, u64>, what: &str, errors: &mut Vec<String>| -> HashMap<char, u64> {
        map.iter()
            .filter_map(|(k, &v)| {
                let mut chars = k.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Some((c, v)),
                    _ => {
                        errors.push(format!("narrative.{what}: {k:?} is not one character"));
                        None
                    }
                }
            })
            .collect()
    };
    let digits = single(&def.digits, "digits", errors);
    let multipliers = single(&def.multipliers, "multipliers", errors);
    let numeral: String = digits.keys().chain(multipliers.keys()).map(|c| regex::escape(&c.to_string())).collect();
    let approximate = def.approximate.iter().map(|a| regex::escape(a)).collect::<Vec<_>>().join("|");
    let about = def.about.iter().map(|a| regex::escape(a)).collect::<Vec<_>>().join("|");
    let number = format!(
        r"(?P<about>{about})?\s*(?P<n>[0-9]{{1,12}}(?:\.[0-9]+)?|[{numeral}]{{1,12}})(?P<approx>{approximate})?\s*"
    );
    let mut abbreviations: Vec<(String, String)> =
        def.agency_abbreviations.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    abbreviations.sort();
    Vocabulary {
        digits,
        multipliers,
        clause_ends: def.clause_ends.iter().flat_map(|e| e.chars()).collect(),
        not_after: def.not_after.clone(),
        approximate_after: def.approximate_after.clone(),
        name_starts: def.name_starts.chars().collect(),
        units: def.units.clone(),
        whole: def.whole.clone(),
        agency_abbreviations: abbreviations,
        number,
    }
}

/// The claims of one template version, and all their patterns in one set:
/// a clause is matched once against the set, and only the patterns it
/// matches are run for their numbers (most clauses state none).
#[derive(Debug)]
pub struct ClaimRules {
    pub rules: Vec<ClaimRule>,
    pub(crate) any: RegexSet,
    /// Per pattern of the set: (rule, pattern of the rule).
    pub(crate) owner: Vec<(usize, usize)>,
}

/// Compiles the claims that apply to `version`, collecting errors.
pub fn compile_rules(
    defs: &[ClaimDef],
    vocabulary: &Vocabulary,
    version: &str,
    tables: &[Table],
    errors: &mut Vec<String>,
) -> ClaimRules {
    let mut compiled = Vec::new();
    for def in defs.iter().filter(|d| applies(&d.templates, version)) {
        let here = format!("claim {}", def.kind);
        let code = format!("{CHECK_PREFIX}{}", def.kind);
        let sums: Vec<Sum> = std::iter::once(&def.rows)
            .chain(&def.or_rows)
            .filter_map(|rows| {
                let check = checks::compile_sum(&code, &def.table, rows, version, tables, errors)?;
                Some(Sum { check, rows: rows.join("+") })
            })
            .collect();
        if sums.is_empty() {
            continue;
        }
        let table = tables.iter().find(|t| t.code == def.table);
        if !table.is_some_and(|t| t.rows.iter().any(|r| r.cols.iter().any(|c| c.code == def.col))) {
            errors.push(format!("{here}: table {} has no column {} in {version}", def.table, def.col));
        }
        let mut patterns = Vec::new();
        for pattern in &def.patterns {
            if !pattern.contains(NUMBER_SLOT) {
                errors.push(format!("{here}: pattern {pattern:?} has no {NUMBER_SLOT}"));
                continue;
            }
            match Regex::new(&pattern.replacen(NUMBER_SLOT, &vocabulary.number, 1)) {
                Ok(re) => patterns.push(re),
                Err(e) => errors.push(format!("{here}: pattern {pattern:?}: {e}")),
            }
        }
        compiled.push(ClaimRule {
            kind: def.kind.clone(),
            table: def.table.clone(),
            col: def.col.clone(),
            sums,
            patterns,
        });
    }
    let owner: Vec<(usize, usize)> =
        compiled.iter().enumerate().flat_map(|(r, rule)| (0..rule.patterns.len()).map(move |p| (r, p))).collect();
    let any = RegexSet::new(owner.iter().map(|&(r, p)| compiled[r].patterns[p].as_str()));
    let any = any.unwrap_or_else(|e| {
        errors.push(format!("claims of {version}: {e}"));
        RegexSet::empty()
    });
    ClaimRules { rules: compiled, any, owner }
}

impl Vocabulary {
    /// An Arabic or Chinese number (`34`, `三十四`, `一千零五`, `二十万`,
    /// `二〇二三`), and whether it is only approximate: two digits side by
    /// side without a zero are a range (三四件 is three or four). `None` for
    /// what is no number, or one too large to be a count.
    pub fn number(&self, text: &str) -> Option<(f64, bool)> {
        if text.starts_with(|c: char| c.is_ascii_digit()) {
            return text.parse().ok().filter(|n: &f64| *n < MAX_COUNT).map(|n| (n, false));
        }
        if text.chars().all(|c| self.digits.contains_key(&c)) {
            // Digits alone read positionally when a zero shows it (二〇二三).
            let positional = text.chars().any(|c| self.digits[&c] == 0) || text.chars().count() == 1;
            let n = text.chars().try_fold(0u64, |n, c| n.checked_mul(10)?.checked_add(self.digits[&c]))?;
            return ((n as f64) < MAX_COUNT).then_some((n as f64, !positional));
        }
        let (mut total, mut section, mut digit) = (0u64, 0u64, None::<u64>);
        for c in text.chars() {
            if let Some(&d) = self.digits.get(&c) {
                digit = Some(d);
            } else if let Some(&m) = self.multipliers.get(&c) {
                if m >= 10_000 {
                    // 二十万: what came before is counted in 万.
                    let before = section.checked_add(digit.take().unwrap_or(0))?;
                    let before = if before == 0 && total == 0 { 1 } else { before };
                    total = total.checked_add(before)?.checked_mul(m)?;
                    section = 0;
                } else {
                    // 十五 is 15: a multiplier without a digit before it counts one.
                    section = section.checked_add(digit.take().unwrap_or(1).checked_mul(m)?)?;
                }
            } else {
                return None;
            }
        }
        let n = total.checked_add(section)?.checked_add(digit.unwrap_or(0))?;
        ((n as f64) < MAX_COUNT).then_some((n as f64, false))
    }

    /// `name` with the vocabulary's agency abbreviations applied, so that two
    /// spellings of one name compare equal.
    pub(crate) fn abbreviate(&self, name: &str) -> String {
        self.agency_abbreviations.iter().fold(name.to_string(), |name, (long, short)| name.replace(long, short))
    }
}
