//! The summaries: cell sums, the wide table, and the presets analysts ask
//! for. Each over the cells is a [`Plan`]: what to aggregate in a slice of
//! reports, and how the slices' parts add up.

use std::path::Path;

use anyhow::{bail, Result};
use polars::prelude::*;

use super::slices::Plan;
use super::{by_columns, cells_missing, glob_matches, scan, totals_from_parts, unread, value_sum, SummaryOptions};
use crate::template::Catalog;

/// Every (table, row, col) code of every template version, in template
/// order, with its position and dotted name.
fn codes(catalog: &Catalog) -> Vec<(String, String, String)> {
    let mut codes: Vec<(String, String, String)> = Vec::new();
    for template in &catalog.templates {
        for table in &template.tables {
            for row in &table.rows {
                for col in &row.cols {
                    let code = (table.code.clone(), row.code.clone(), col.code.clone());
                    if !codes.contains(&code) {
                        codes.push(code);
                    }
                }
            }
        }
    }
    codes
}

/// The codes a summary covers, per `--table`, `--rows` and `--cols`, as a
/// frame to join with (table, row, col, code `table.row.col`, order) and as
/// the list of codes.
fn selected_codes(catalog: &Catalog, options: &SummaryOptions) -> Result<(DataFrame, Vec<String>)> {
    let keep = |(table, row, col): &(String, String, String)| {
        options.table.as_ref().is_none_or(|t| t == table)
            && (options.rows.is_empty() || options.rows.iter().any(|g| glob_matches(g, row)))
            && (options.cols.is_empty() || options.cols.iter().any(|g| glob_matches(g, col)))
    };
    let selected: Vec<(String, String, String)> = codes(catalog).into_iter().filter(keep).collect();
    if selected.is_empty() {
        bail!("no cell code matches --table/--rows/--cols");
    }
    let order: Vec<u32> = (0..selected.len() as u32).collect();
    let names: Vec<String> = selected.iter().map(|c| format!("{}.{}.{}", c.0, c.1, c.2)).collect();
    let frame = df!(
        "table" => selected.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        "row" => selected.iter().map(|c| c.1.as_str()).collect::<Vec<_>>(),
        "col" => selected.iter().map(|c| c.2.as_str()).collect::<Vec<_>>(),
        "code" => names.clone(),
        "order" => order,
    )?;
    Ok((frame, names))
}

fn join_codes(frame: LazyFrame, codes: DataFrame) -> LazyFrame {
    let keys = [col("table"), col("row"), col("col")];
    frame.join(codes.lazy(), keys.clone(), keys, JoinArgs::new(JoinType::Inner))
}

fn group_keys(options: &SummaryOptions, extra: &[&str]) -> Vec<String> {
    options.by.iter().cloned().chain(extra.iter().map(|e| e.to_string())).collect()
}

/// Adds up the parts of every slice: one row per group, each column summed.
fn add_up(keys: Vec<String>, columns: Vec<String>) -> impl Fn(LazyFrame) -> LazyFrame {
    move |parts| {
        parts
            .group_by(keys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>())
            .agg(columns.iter().map(|c| col(c.as_str()).sum()).collect::<Vec<_>>())
    }
}

fn names_of(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

/// Sums per cell code: one row per group and code.
pub fn cells(catalog: &Catalog, options: &SummaryOptions) -> Result<Plan> {
    let codes = selected_codes(catalog, options)?.0;
    let keys = group_keys(options, &["order", "table", "row", "col"]);
    let group = keys.clone();
    let part = move |cells: LazyFrame| {
        join_codes(cells, codes.clone()).group_by(group.iter().map(|k| col(k.as_str())).collect::<Vec<_>>()).agg([
            value_sum().alias("value"),
            col("report_id").n_unique().alias("reports"),
            cells_missing(),
            totals_from_parts(),
        ])
    };
    let add = add_up(keys, names_of(&["value", "reports", "cells_missing", "totals_from_parts"]));
    Ok(Plan {
        part: Box::new(part),
        add: Some(Box::new(add)),
        finish: Box::new(|whole| whole),
        order: group_keys(options, &["order"]),
        hidden: names_of(&["order"]),
    })
}

/// One row per report, one column per cell code; blank and dash read 0,
/// missing and invalid stay empty.
pub fn wide(catalog: &Catalog, options: &SummaryOptions) -> Result<Plan> {
    let (codes, names) = selected_codes(catalog, options)?;
    let part = move |cells: LazyFrame| {
        let reading = when(col("status").eq(lit("blank")).or(col("status").eq(lit("dash"))))
            .then(lit(0.0))
            .otherwise(col("value"))
            .alias("reading");
        let frame = join_codes(cells, codes.clone()).with_columns([reading]);
        let ids = ["report_id", "year", "agency", "template", "province", "city", "county", "admin_level"];
        let per_code: Vec<Expr> = names
            .iter()
            .map(|n| col("reading").filter(col("code").eq(lit(n.as_str()))).first().alias(n.as_str()))
            .collect();
        frame.group_by(ids.iter().map(|k| col(*k)).collect::<Vec<_>>()).agg(per_code)
    };
    Ok(Plan {
        part: Box::new(part),
        add: None,
        finish: Box::new(|whole| whole),
        order: names_of(&["year", "agency", "report_id"]),
        hidden: Vec::new(),
    })
}

/// The outcome families of table 三: result rows by code prefix.
const FAMILIES: [(&str, &str); 10] = [
    ("new", "new"),
    ("carried_over", "carried_over"),
    ("granted", "result.granted"),
    ("partial", "result.partial"),
    ("withheld", "result.withheld."),
    ("unavailable", "result.unavailable."),
    ("not_processed", "result.not_processed."),
    ("other", "result.other"),
    ("total", "result.total"),
    ("carried_forward", "carried_forward"),
];

/// Row code → (family, position) for table 三.
fn family_of(row: &str) -> Option<(&'static str, u32)> {
    FAMILIES
        .iter()
        .position(|(_, prefix)| {
            row == *prefix || (prefix.ends_with('.') || *prefix == "result.other") && row.starts_with(prefix)
        })
        .map(|i| (FAMILIES[i].0, i as u32))
}

fn families(catalog: &Catalog) -> Result<DataFrame> {
    let rows: Vec<(String, &str, u32)> = codes(catalog)
        .into_iter()
        .filter(|c| c.0 == "requests" && c.2 == "total")
        .filter_map(|c| family_of(&c.1).map(|(f, o)| (c.1, f, o)))
        .collect();
    Ok(df!(
        "row" => rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "measure" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "measure_order" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
    )?)
}

fn requests_with_families(cells: LazyFrame, families: DataFrame) -> LazyFrame {
    let frame = cells.filter(col("table").eq(lit("requests")));
    frame.join(families.lazy(), [col("row")], [col("row")], JoinArgs::new(JoinType::Inner))
}

fn share(part: &str, whole: &str) -> Expr {
    when(col(whole).gt(lit(0.0))).then(col(part) / col(whole)).otherwise(lit(NULL)).alias(format!("{part}_share"))
}

/// Marks each cell `summed` when its report is one a preset sums: a report
/// with a cell that matches `marker` is summed if `marked_are_summed`, and
/// a report without one is summed if not. A slice holds whole reports, so
/// this is decided right within it.
fn with_summed(cells: LazyFrame, marker: Expr, marked_are_summed: bool) -> LazyFrame {
    let marked = cells
        .clone()
        .filter(marker)
        .select([col("report_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_columns([lit(marked_are_summed).alias("summed")]);
    cells
        .join(marked, [col("report_id")], [col("report_id")], JoinArgs::new(JoinType::Left))
        .with_columns([col("summed").fill_null(lit(!marked_are_summed))])
}

/// A preset over the cells; `quality` reads the reports and checks instead.
pub fn preset(name: &str, catalog: &Catalog, options: &SummaryOptions) -> Result<Plan> {
    let by = by_columns(options);
    let plan = match name {
        // Applications by family of row and type of applicant.
        "requests" => {
            let applicants: Vec<String> =
                codes(catalog).into_iter().filter(|c| c.0 == "requests" && c.1 == "new").map(|c| c.2).collect();
            let mut aggs: Vec<Expr> = applicants
                .iter()
                .map(|a| col("value").filter(col("col").eq(lit(a.as_str()))).sum().alias(a.as_str()))
                .collect();
            aggs.push(col("report_id").n_unique().alias("reports"));
            aggs.push(cells_missing());
            aggs.push(totals_from_parts());
            let keys = group_keys(options, &["measure_order", "measure"]);
            let group = keys.clone();
            let families = families(catalog)?;
            let part = move |cells| {
                requests_with_families(cells, families.clone())
                    .group_by(group.iter().map(|k| col(k.as_str())).collect::<Vec<_>>())
                    .agg(aggs.clone())
            };
            let mut summed = applicants;
            summed.extend(names_of(&["reports", "cells_missing", "totals_from_parts"]));
            Plan {
                part: Box::new(part),
                add: Some(Box::new(add_up(keys, summed))),
                finish: Box::new(|whole| whole),
                order: group_keys(options, &["measure_order"]),
                hidden: names_of(&["measure_order"]),
            }
        }
        // Shares of each outcome in all requests handled (column 总计).
        "outcomes" => {
            const OUTCOMES: [&str; 6] = ["granted", "partial", "withheld", "unavailable", "not_processed", "other"];
            let families = families(catalog)?;
            let part = move |cells| {
                let total_col = requests_with_families(cells, families.clone()).filter(col("col").eq(lit("total")));
                // Only reports whose requests handled (总计) were read are
                // summed, so that each share has one set of reports above
                // and below the line; the others are counted in
                // `reports_left_out`.
                let read_total = col("measure").eq(lit("total")).and(unread().not());
                let total_col = with_summed(total_col, read_total, true);
                let summed = |measure: &str| col("value").filter(col("summed").and(col("measure").eq(lit(measure))));
                let mut aggs = vec![
                    col("report_id").n_unique().alias("reports"),
                    col("report_id").filter(col("summed").not()).n_unique().alias("reports_left_out"),
                    summed("total").sum().alias("result_total"),
                ];
                aggs.extend(OUTCOMES.iter().map(|f| summed(f).sum().alias(*f)));
                aggs.push(cells_missing());
                aggs.push(totals_from_parts());
                total_col.group_by(by.clone()).agg(aggs)
            };
            let mut summed = names_of(&["reports", "reports_left_out", "result_total"]);
            summed.extend(names_of(&OUTCOMES));
            summed.extend(names_of(&["cells_missing", "totals_from_parts"]));
            let finish = |whole: LazyFrame| {
                whole.with_columns(OUTCOMES.iter().map(|f| share(f, "result_total")).collect::<Vec<_>>())
            };
            let add = add_up(options.by.clone(), summed);
            let (order, hidden) = (options.by.clone(), Vec::new());
            Plan { part: Box::new(part), add: Some(Box::new(add)), finish: Box::new(finish), order, hidden }
        }
        // Reviews and lawsuits, and the share corrected.
        "appeals" => {
            let part = move |cells: LazyFrame| {
                let appeals = cells.filter(col("table").eq(lit("appeals")));
                // As in `outcomes`: a report whose 总计 cells were not all
                // read is left out of every sum, so that each share has one
                // set of reports above and below the line.
                let appeals = with_summed(appeals, col("col").eq(lit("total")).and(unread()), false);
                let review = col("summed").and(col("row").eq(lit("review")));
                let suit = col("summed").and(col("row").neq(lit("review")));
                appeals.group_by(by.clone()).agg([
                    col("report_id").n_unique().alias("reports"),
                    col("report_id").filter(col("summed").not()).n_unique().alias("reports_left_out"),
                    col("value").filter(review.clone().and(col("col").eq(lit("total")))).sum().alias("reviews"),
                    col("value").filter(review.and(col("col").eq(lit("corrected")))).sum().alias("reviews_corrected"),
                    col("value").filter(suit.clone().and(col("col").eq(lit("total")))).sum().alias("suits"),
                    col("value").filter(suit.and(col("col").eq(lit("corrected")))).sum().alias("suits_corrected"),
                    cells_missing(),
                ])
            };
            let summed = names_of(&[
                "reports",
                "reports_left_out",
                "reviews",
                "reviews_corrected",
                "suits",
                "suits_corrected",
                "cells_missing",
            ]);
            let finish = |whole: LazyFrame| {
                whole.with_columns([share("reviews_corrected", "reviews"), share("suits_corrected", "suits")])
            };
            let add = add_up(options.by.clone(), summed);
            let (order, hidden) = (options.by.clone(), Vec::new());
            Plan { part: Box::new(part), add: Some(Box::new(add)), finish: Box::new(finish), order, hidden }
        }
        other => bail!("--preset {other}: unknown (one of {})", super::PRESETS.join(", ")),
    };
    Ok(plan)
}

/// Reports by status, and failed check rows by check: one row per report
/// and per failed check, read lazily.
pub fn quality(data: &Path, catalog: &Catalog, options: &SummaryOptions) -> Result<LazyFrame> {
    let mut checks: Vec<String> =
        catalog.templates.iter().flat_map(|t| t.checks.iter().map(|c| c.code.clone())).collect();
    checks.sort();
    checks.dedup();
    let failed = scan(data, "checks")?
        .filter(col("status").eq(lit("fail")).and(col("soft").not()))
        .group_by([col("report_id")])
        .agg(
            checks
                .iter()
                .map(|c| col("check").eq(lit(c.as_str())).cast(DataType::Int64).sum().alias(c.as_str()))
                .collect::<Vec<_>>(),
        );
    let reports =
        scan(data, "reports")?.join(failed, [col("report_id")], [col("report_id")], JoinArgs::new(JoinType::Left));
    let mut aggs = vec![
        len().alias("reports"),
        col("parse_status").eq(lit("ok")).cast(DataType::Int64).sum().alias("ok"),
        col("parse_status").eq(lit("partial")).cast(DataType::Int64).sum().alias("partial"),
        col("checks_failed").cast(DataType::Int64).sum().alias("checks_failed"),
    ];
    aggs.extend(checks.iter().map(|c| col(c.as_str()).fill_null(lit(0)).sum().alias(c.as_str())));
    Ok(reports.group_by(by_columns(options)).agg(aggs))
}
