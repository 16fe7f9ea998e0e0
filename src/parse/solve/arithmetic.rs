//! The solver's arithmetic: a table's identities (row totals, column sums)
//! compiled to sums over cell slots, and the choice of the one reading per
//! unit of rows that they leave.

use super::readings::Reading;
use super::Unit;
use crate::parse::value;
use crate::template::checks::{Check, Each, Term};
use crate::template::Table;

/// Combinations of ambiguous rows tried against one identity, or all of a
/// table's together.
const JOINT_CAP: usize = 10_000;

/// Passes over a table's identities, each dropping readings, before the
/// combinations left are tried together.
const NARROWING_PASSES: usize = 8;

/// A reading's numbers; blank and dash count as 0, as in the checks, and a
/// cell the row does not print is unknown.
pub(super) fn numbers(reading: &Reading) -> Vec<Option<f64>> {
    reading
        .cells
        .iter()
        .map(|slot| {
            let (raw, _) = slot.as_ref()?;
            let read = value::read(raw);
            read.status.counted(read.value)
        })
        .collect()
}

/// Per unit, the reading the arithmetic leaves. First each identity in turn
/// drops the readings no combination satisfying it uses (until nothing
/// changes); then the combinations of what is left are tried together, and
/// a unit takes the reading every combination that fits agrees on. An
/// identity no combination satisfies is the document's own inconsistency and
/// decides nothing.
pub(super) fn choose(identities: &Identities, units: &[Unit], values: &[Vec<Vec<Option<f64>>>]) -> Vec<Option<usize>> {
    let slots: Vec<Vec<usize>> = units.iter().map(|u| identities.slots_of(&u.rows)).collect();
    let mut owner = vec![None; identities.size];
    for (u, unit_slots) in slots.iter().enumerate() {
        for &s in unit_slots {
            owner[s] = Some(u);
        }
    }
    let mut alive: Vec<Vec<usize>> = units.iter().map(|u| (0..u.candidates.len()).collect()).collect();
    let mut grid = vec![None; identities.size];
    for _ in 0..NARROWING_PASSES {
        let mut changed = false;
        for i in 0..identities.list.len() {
            let mut involved: Vec<usize> = identities.cells_of(i).filter_map(|s| owner[s]).collect();
            involved.sort_unstable();
            involved.dedup();
            if involved.iter().all(|&u| alive[u].len() <= 1) {
                continue;
            }
            let fitting = combinations(&involved, &alive, JOINT_CAP, &mut |pick| {
                for (&u, &c) in involved.iter().zip(pick) {
                    identities.fill(&mut grid, &slots[u], &values[u][c]);
                }
                identities.holds_in(i, &grid)
            });
            let Some(fitting) = fitting.filter(|f| !f.is_empty()) else { continue };
            for (k, &u) in involved.iter().enumerate() {
                let before = alive[u].len();
                alive[u].retain(|c| fitting.iter().any(|pick| pick[k] == *c));
                changed |= alive[u].len() != before;
            }
        }
        if !changed {
            break;
        }
    }
    let mut chosen: Vec<Option<usize>> = alive.iter().map(|a| (a.len() == 1).then(|| a[0])).collect();
    let open: Vec<usize> = (0..units.len()).filter(|&u| alive[u].len() > 1).collect();
    if open.is_empty() {
        return chosen;
    }
    for (u, pick) in chosen.iter().enumerate() {
        if let Some(c) = pick {
            identities.fill(&mut grid, &slots[u], &values[u][*c]);
        }
    }
    let mut broken_by: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    let tried = combinations(&open, &alive, JOINT_CAP, &mut |pick| {
        for (&u, &c) in open.iter().zip(pick) {
            identities.fill(&mut grid, &slots[u], &values[u][c]);
        }
        broken_by.push((pick.to_vec(), identities.broken(&grid)));
        true
    });
    if tried.is_none() || broken_by.is_empty() {
        return chosen;
    }
    let always_broken: Vec<usize> =
        broken_by[0].1.iter().copied().filter(|b| broken_by.iter().all(|(_, broken)| broken.contains(b))).collect();
    let fitting: Vec<&Vec<usize>> = broken_by
        .iter()
        .filter(|(_, broken)| broken.iter().all(|b| always_broken.contains(b)))
        .map(|(p, _)| p)
        .collect();
    if let Some(first_fit) = fitting.first() {
        for (k, &u) in open.iter().enumerate() {
            if fitting.iter().all(|p| p[k] == first_fit[k]) {
                chosen[u] = Some(first_fit[k]);
            }
        }
    }
    chosen
}

/// Every combination of the `alive` readings of `units` (as reading numbers,
/// one per unit) for which `keep` says yes; `None` when there are more than
/// `cap` combinations to try.
fn combinations(
    units: &[usize],
    alive: &[Vec<usize>],
    cap: usize,
    keep: &mut dyn FnMut(&[usize]) -> bool,
) -> Option<Vec<Vec<usize>>> {
    let total = units.iter().try_fold(1usize, |n, &u| n.checked_mul(alive[u].len()))?;
    if total > cap || total == 0 {
        return (total == 0).then(Vec::new);
    }
    let mut kept = Vec::new();
    let mut at = vec![0; units.len()];
    loop {
        let pick: Vec<usize> = units.iter().zip(&at).map(|(&u, &k)| alive[u][k]).collect();
        if keep(&pick) {
            kept.push(pick);
        }
        // Next combination, like an odometer.
        let mut i = 0;
        while i < units.len() {
            at[i] += 1;
            if at[i] < alive[units[i]].len() {
                break;
            }
            at[i] = 0;
            i += 1;
        }
        if i == units.len() {
            return Some(kept);
        }
    }
}

/// One instance of a check (a row or a column): two sums of cells.
struct Identity {
    lhs: Vec<(usize, bool)>,
    rhs: Vec<(usize, bool)>,
    /// A row check: it ties the cells of one row.
    within_row: bool,
}

/// A table's identities over its cells, numbered row by row ("slots"),
/// for the rows the document prints.
pub(super) struct Identities {
    /// Each template row's first slot.
    offsets: Vec<usize>,
    pub(super) size: usize,
    list: Vec<Identity>,
}

impl Identities {
    pub(super) fn new(table: &Table, plan: &[usize], checks: &[&Check]) -> Identities {
        let mut offsets = Vec::with_capacity(table.rows.len());
        let mut size = 0;
        for row in &table.rows {
            offsets.push(size);
            size += row.cols.len();
        }
        let present = |code: &str| plan.iter().copied().find(|&r| table.rows[r].code == code);
        let slot = |r: usize, col: &str| table.rows[r].cols.iter().position(|c| c.code == col).map(|c| offsets[r] + c);
        let matching = |check: &Check, term: &Term, codes: &[&str]| -> Vec<String> {
            codes
                .iter()
                .filter(|c| {
                    if term.prefix {
                        c.starts_with(&term.code) && !check.named.contains(**c)
                    } else {
                        **c == term.code
                    }
                })
                .map(|c| c.to_string())
                .collect()
        };
        let mut list = Vec::new();
        for check in checks {
            let side = |terms: &[Term], fixed: &str| -> Option<Vec<(usize, bool)>> {
                let mut out = Vec::new();
                for term in terms {
                    let codes: Vec<&str> = match check.each {
                        Each::Col => plan.iter().map(|&r| table.rows[r].code.as_str()).collect(),
                        Each::Row => table.rows[present(fixed)?].cols.iter().map(|c| c.code.as_str()).collect(),
                    };
                    let matched = matching(check, term, &codes);
                    if !term.prefix && matched.is_empty() {
                        return None;
                    }
                    for code in matched {
                        let at = match check.each {
                            Each::Col => slot(present(&code)?, fixed)?,
                            Each::Row => slot(present(fixed)?, &code)?,
                        };
                        out.push((at, term.negative));
                    }
                }
                (!out.is_empty()).then_some(out)
            };
            let instances: Vec<String> = match check.each {
                Each::Row => plan
                    .iter()
                    .map(|&r| &table.rows[r])
                    .filter(|row| check.rows.is_empty() || check.rows.contains(&row.code))
                    .map(|row| row.code.clone())
                    .collect(),
                Each::Col => {
                    let mut cols: Vec<String> = Vec::new();
                    for &r in plan {
                        for col in &table.rows[r].cols {
                            if !cols.contains(&col.code) {
                                cols.push(col.code.clone());
                            }
                        }
                    }
                    cols
                }
            };
            for fixed in instances {
                if let (Some(lhs), Some(rhs)) = (side(&check.lhs, &fixed), side(&check.rhs, &fixed)) {
                    list.push(Identity { lhs, rhs, within_row: check.each == Each::Row });
                }
            }
        }
        Identities { offsets, size, list }
    }

    /// The cells identity `i` sums.
    fn cells_of(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.list[i].lhs.iter().chain(&self.list[i].rhs).map(|&(s, _)| s)
    }

    pub(super) fn slots_of(&self, rows: &[usize]) -> Vec<usize> {
        rows.iter().flat_map(|&r| self.offsets[r]..self.offsets.get(r + 1).copied().unwrap_or(self.size)).collect()
    }

    /// The identities whose every cell lies in `slots`.
    pub(super) fn within(&self, slots: &[usize]) -> Vec<usize> {
        (0..self.list.len())
            .filter(|&i| self.list[i].lhs.iter().chain(&self.list[i].rhs).all(|(s, _)| slots.contains(s)))
            .collect()
    }

    /// Whether a row identity ties the cells of every row in `rows`: only
    /// then may a repeated value stand for several cells.
    pub(super) fn confirm(&self, rows: &[usize], own: &[usize]) -> bool {
        rows.iter().all(|&r| {
            let slots = self.slots_of(&[r]);
            own.iter().any(|&i| {
                let identity = &self.list[i];
                identity.within_row && identity.lhs.iter().chain(&identity.rhs).any(|(s, _)| slots.contains(s))
            })
        })
    }

    pub(super) fn fill(&self, grid: &mut [Option<f64>], slots: &[usize], values: &[Option<f64>]) {
        for (&s, v) in slots.iter().zip(values) {
            grid[s] = *v;
        }
    }

    /// Whether identity `i` holds in `grid`; one with an unknown cell does.
    pub(super) fn holds_in(&self, i: usize, grid: &[Option<f64>]) -> bool {
        let sum = |terms: &[(usize, bool)]| {
            terms
                .iter()
                .try_fold(0.0, |total, &(s, negative)| grid[s].map(|v| if negative { total - v } else { total + v }))
        };
        match (sum(&self.list[i].lhs), sum(&self.list[i].rhs)) {
            (Some(l), Some(r)) => (l - r).abs() <= 1e-6 * l.abs().max(r.abs()).max(1.0),
            _ => true,
        }
    }

    /// The identities `grid` breaks.
    fn broken(&self, grid: &[Option<f64>]) -> Vec<usize> {
        (0..self.list.len()).filter(|&i| !self.holds_in(i, grid)).collect()
    }
}
