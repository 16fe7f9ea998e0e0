//! Writes a summary as CSV: plain UTF-8, or with a byte-order mark for
//! Excel; English code headers, or Chinese labels.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Context, Result};

use polars::prelude::*;

use super::{Output, SummaryOptions};
use crate::template::Catalog;
use crate::words::WORDS;

/// Rows gathered and written at a time: a summary is put in order a batch
/// at a time, never copied whole.
const BATCH_ROWS: usize = 16 * 1024;

pub fn csv(output: Output, catalog: &Catalog, options: &SummaryOptions) -> Result<()> {
    let rows = anyhow::Context::context(row_order(&output), "cannot order the summary")?;
    let mut frame = output.frame.drop_many(output.hidden.iter().map(String::as_str));
    if options.labels_zh {
        let labels = labels(catalog);
        let renamed: Vec<PlSmallStr> = frame
            .get_column_names()
            .iter()
            .map(|name| PlSmallStr::from(labels.get(name.as_str()).cloned().unwrap_or_else(|| name.to_string())))
            .collect();
        frame.set_column_names(&renamed)?;
    }
    let mut sink: Box<dyn Write> = match &options.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut offset = 0;
    loop {
        let len = BATCH_ROWS.min(rows.len() - offset);
        let mut batch = frame.take(&rows.slice(offset as i64, len))?;
        let first = offset == 0;
        let written =
            CsvWriter::new(&mut sink).include_bom(options.excel && first).include_header(first).finish(&mut batch);
        anyhow::Context::context(written, "cannot write the summary")?;
        offset += len;
        if offset >= rows.len() {
            break;
        }
    }
    sink.flush().context("cannot write the summary")
}

/// The summary's row numbers in the order of its `order` columns.
fn row_order(output: &Output) -> PolarsResult<IdxCa> {
    const ROW: &str = "__row";
    let mut rows = output.frame.clone().lazy().with_row_index(ROW, None);
    if !output.order.is_empty() {
        let keys: Vec<PlSmallStr> = output.order.iter().map(|k| PlSmallStr::from(k.as_str())).collect();
        rows = rows.sort(keys, SortMultipleOptions::default().with_nulls_last(true).with_maintain_order(true));
    }
    Ok(rows.select([col(ROW)]).collect()?.column(ROW)?.idx()?.rechunk().into_owned())
}

/// Column name → Chinese header: the fixed columns, applicant columns by
/// their label, wide-table codes by their row and column labels, shares.
fn labels(catalog: &Catalog) -> HashMap<String, String> {
    let words = &WORDS.summary;
    let mut labels: HashMap<String, String> = words.headers.iter().cloned().collect();
    for template in &catalog.templates {
        for table in &template.tables {
            for row in &table.rows {
                for col in &row.cols {
                    let col_label = col.label.rsplit('/').next().unwrap_or(&col.label).to_string();
                    labels
                        .entry(format!("{}.{}.{}", table.code, row.code, col.code))
                        .or_insert_with(|| format!("{}|{}", row.label, col_label));
                    if table.code == "requests" {
                        labels.entry(col.code.clone()).or_insert(col_label);
                    }
                }
            }
        }
        for check in &template.checks {
            labels.entry(check.code.clone()).or_insert_with(|| format!("{}{}", words.check_failed, check.code));
        }
    }
    let shares: Vec<(String, String)> = labels
        .iter()
        .filter(|(k, _)| !k.contains('.'))
        .map(|(k, v)| (format!("{k}_share"), format!("{v}{}", words.share)))
        .collect();
    labels.extend(shares);
    labels
}
