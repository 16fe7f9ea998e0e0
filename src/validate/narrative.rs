//! The claims of a report's prose (`parse::narrative`) against its cells:
//! one check per claim, `narrative.<kind>`.

use super::{sum, CheckResult, CheckStatus, Operands};
use crate::diagnostics::{Warning, WarningKind};
use crate::parse::narrative::Claim;

/// Each claim against its cells: pass when one of the sums it may state
/// equals it, fail when every sum is read and none does, and skipped when
/// the claim cannot be held to the table (an inexact number, an unclear
/// subject, another number for the same thing, cells unread or left blank).
/// Returns the check results, one per claim, and a warning per failure.
pub fn check<'t>(claims: &[Claim<'t>], operands: &Operands<'t>) -> (Vec<CheckResult<'t>>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let results = claims
        .iter()
        .map(|claim| {
            let rule = claim.rule;
            let rival = claims.iter().any(|c| std::ptr::eq(c.rule, rule) && c.value != claim.value);
            // Each sum, or `None` when a cell is unread, or all are blank
            // beside a non-zero claim (the table does not report them).
            let totals: Vec<Option<f64>> = rule
                .sums
                .iter()
                .map(|s| {
                    let (total, all_blank) = sum(&s.check, &s.check.lhs, &rule.col, operands)?;
                    (!all_blank || claim.value == 0.0).then_some(total)
                })
                .collect();
            let agrees = totals.iter().position(|t| t.is_some_and(|t| (t - claim.value).abs() < 1e-6));
            let shown = agrees.unwrap_or(0);
            let status = if claim.approximate || claim.unclear.is_some() || rival {
                CheckStatus::Skipped
            } else if agrees.is_some() {
                CheckStatus::Pass
            } else if totals.iter().all(Option::is_some) {
                warnings.push(Warning::new(WarningKind::ProseContradicts, contradiction(claim, &totals)));
                CheckStatus::Fail
            } else {
                CheckStatus::Skipped
            };
            CheckResult {
                check: &rule.sums[shown].check,
                row: Some(rule.sums[shown].rows.as_str()),
                col: Some(rule.col.as_str()),
                lhs: Some(claim.value),
                rhs: totals[shown],
                status,
                line: Some(claim.line),
                blank_side: None,
            }
        })
        .collect();
    (results, warnings)
}

/// The warning for a claim the table contradicts, with each sum it may mean.
fn contradiction(claim: &Claim, totals: &[Option<f64>]) -> String {
    let rule = claim.rule;
    let sums: Vec<String> = rule
        .sums
        .iter()
        .zip(totals)
        .filter_map(|(s, total)| Some(format!("{} ({} {})", (*total)?, s.rows, rule.col)))
        .collect();
    format!(
        "line {}: the prose says {} ({}: {}), the table {}{}; check {} fails",
        claim.line,
        claim.quantity,
        rule.kind,
        claim.text,
        if sums.len() > 1 { "neither " } else { "" },
        sums.join(" nor "),
        rule.sums[0].check.code
    )
}
