//! Turns parsed reports and rejects into Arrow record batches, one batch per
//! output table. Knows the schemas; knows nothing of files.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder, Int8Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, SchemaRef};
use chrono::NaiveDate;

use super::schema::{self, SCHEMA_VERSION};
use crate::parse::align::Cell;
use crate::parse::value::Status;
use crate::report::{Reject, Report};
use crate::validate::CheckResult;

/// Values every row of a run shares.
#[derive(Debug, Clone, Copy)]
pub struct RunStamp {
    pub ingested_at_micros: i64,
    pub parser_version: &'static str,
}

fn batch(schema: &SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch, ArrowError> {
    RecordBatch::try_new(schema.clone(), columns)
}

fn int32(value: Option<u32>) -> Option<i32> {
    value.map(|l| i32::try_from(l).unwrap_or(i32::MAX))
}

pub fn cells(reports: &[&Report]) -> Result<RecordBatch, ArrowError> {
    let rows: usize = reports.iter().map(|r| r.cells.len()).sum();
    // Sized to the bytes each column takes, so no buffer grows by copying.
    let string = |len: fn(&Report, &Cell) -> usize| {
        let bytes = reports.iter().flat_map(|r| r.cells.iter().map(move |c| len(r, c))).sum();
        StringBuilder::with_capacity(rows, bytes)
    };
    let mut id = string(|r, _| r.report_id.len());
    let mut agency = string(|r, _| r.meta.agency.as_ref().map_or(0, String::len));
    let mut template = string(|r, _| r.template.code.len());
    let (mut table, mut row, mut col) =
        (string(|_, c| c.table.code.len()), string(|_, c| c.row.code.len()), string(|_, c| c.col.code.len()));
    let mut status = string(|_, c| c.reading.status.as_str().len());
    let mut raw = string(|_, c| c.raw.as_ref().map_or(0, String::len));
    let mut unit = string(|_, c| c.reading.unit.map_or(c.col.unit.len(), str::len));
    let (mut row_label, mut col_label) = (string(|_, c| c.row.label.len()), string(|_, c| c.col.label.len()));
    let mut value = Float64Builder::with_capacity(rows);
    let mut source_line = Int32Builder::with_capacity(rows);
    let mut source_page = Int32Builder::with_capacity(rows);
    for report in reports {
        for cell in &report.cells {
            id.append_value(&report.report_id);
            agency.append_option(report.meta.agency.as_deref());
            template.append_value(&report.template.code);
            table.append_value(&cell.table.code);
            row.append_value(&cell.row.code);
            col.append_value(&cell.col.code);
            value.append_option(cell.reading.value);
            status.append_value(cell.reading.status.as_str());
            raw.append_option(cell.raw.as_deref());
            let printed_unit = cell.reading.unit.or((!cell.col.unit.is_empty()).then_some(cell.col.unit.as_str()));
            unit.append_option(if cell.reading.status == Status::Missing { None } else { printed_unit });
            row_label.append_value(&cell.row.label);
            col_label.append_value(&cell.col.label);
            source_line.append_option(int32(cell.line));
            source_page.append_option(int32(report.page_of(cell.line)));
        }
    }
    batch(
        &schema::CELLS,
        vec![
            Arc::new(id.finish()),
            Arc::new(agency.finish()),
            Arc::new(template.finish()),
            Arc::new(table.finish()),
            Arc::new(row.finish()),
            Arc::new(col.finish()),
            Arc::new(value.finish()),
            Arc::new(status.finish()),
            Arc::new(raw.finish()),
            Arc::new(unit.finish()),
            Arc::new(row_label.finish()),
            Arc::new(col_label.finish()),
            Arc::new(source_line.finish()),
            Arc::new(source_page.finish()),
        ],
    )
}

pub fn reports(reports: &[&Report], stamp: RunStamp) -> Result<RecordBatch, ArrowError> {
    let n = reports.len();
    let string = || StringBuilder::with_capacity(n, n * 16);
    let (mut id, mut agency, mut title, mut path, mut encoding, mut layout, mut template) =
        (string(), string(), string(), string(), string(), string(), string());
    let (mut admin_level, mut region, mut status, mut parser, mut schema_version) =
        (string(), string(), string(), string(), string());
    let (mut province, mut city, mut county, mut township, mut code, mut url) =
        (string(), string(), string(), string(), string(), string());
    let (mut signature_date, mut page_date) = (Date32Builder::with_capacity(n), Date32Builder::with_capacity(n));
    let mut bytes = Int64Builder::with_capacity(n);
    let mut published = Date32Builder::with_capacity(n);
    let (mut cells, mut cells_ok, mut checks_failed) =
        (Int32Builder::with_capacity(n), Int32Builder::with_capacity(n), Int32Builder::with_capacity(n));
    let mut warnings = ListBuilder::new(StringBuilder::new());
    let mut warning_codes = ListBuilder::new(StringBuilder::new());
    let mut ingested = TimestampMicrosecondBuilder::with_capacity(n).with_timezone("UTC");
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    for r in reports {
        id.append_value(&r.report_id);
        agency.append_option(r.meta.agency.as_deref());
        title.append_option(r.meta.title.as_deref());
        path.append_value(&r.source_path);
        bytes.append_value(i64::try_from(r.source_bytes).unwrap_or(i64::MAX));
        encoding.append_value(r.encoding);
        layout.append_value(r.layout.as_str());
        template.append_value(&r.template.code);
        let days = |date: &Option<String>| {
            let date = date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())?;
            i32::try_from((date - epoch).num_days()).ok()
        };
        published.append_option(days(&r.meta.published_date));
        signature_date.append_option(days(&r.meta.signature_date));
        page_date.append_option(days(&r.meta.page_date));
        url.append_option(r.source_url.as_deref());
        admin_level.append_option(r.region.admin_level);
        region.append_option(r.region.path());
        province.append_option(r.region.province.as_deref());
        city.append_option(r.region.city.as_deref());
        county.append_option(r.region.county.as_deref());
        township.append_option(r.region.township.as_deref());
        code.append_option(r.region.division_code.as_deref());
        status.append_value(r.status.as_str());
        cells.append_value(i32::try_from(r.cells.len()).unwrap_or(i32::MAX));
        let ok = r.cells_ok();
        cells_ok.append_value(i32::try_from(ok).unwrap_or(i32::MAX));
        let failed = r.checks_failed();
        checks_failed.append_value(i32::try_from(failed).unwrap_or(i32::MAX));
        for w in &r.warnings {
            warnings.values().append_value(&w.text);
            warning_codes.values().append_value(w.kind.code());
        }
        warnings.append(true);
        warning_codes.append(true);
        parser.append_value(stamp.parser_version);
        schema_version.append_value(SCHEMA_VERSION);
        ingested.append_value(stamp.ingested_at_micros);
    }
    batch(
        &schema::REPORTS,
        vec![
            Arc::new(id.finish()),
            Arc::new(agency.finish()),
            Arc::new(title.finish()),
            Arc::new(path.finish()),
            Arc::new(bytes.finish()),
            Arc::new(encoding.finish()),
            Arc::new(layout.finish()),
            Arc::new(template.finish()),
            Arc::new(published.finish()),
            Arc::new(signature_date.finish()),
            Arc::new(page_date.finish()),
            Arc::new(url.finish()),
            Arc::new(admin_level.finish()),
            Arc::new(region.finish()),
            Arc::new(province.finish()),
            Arc::new(city.finish()),
            Arc::new(county.finish()),
            Arc::new(township.finish()),
            Arc::new(code.finish()),
            Arc::new(status.finish()),
            Arc::new(cells.finish()),
            Arc::new(cells_ok.finish()),
            Arc::new(checks_failed.finish()),
            Arc::new(warnings.finish()),
            Arc::new(warning_codes.finish()),
            Arc::new(parser.finish()),
            Arc::new(schema_version.finish()),
            Arc::new(ingested.finish()),
        ],
    )
}

pub fn sections(reports: &[&Report]) -> Result<RecordBatch, ArrowError> {
    let mut id = StringBuilder::new();
    let mut number = Int8Builder::new();
    let (mut title, mut text) = (StringBuilder::new(), StringBuilder::new());
    let mut source_line = Int32Builder::new();
    for r in reports {
        for s in &r.sections {
            id.append_value(&r.report_id);
            number.append_value(i8::try_from(s.number).unwrap_or(i8::MAX));
            title.append_value(&s.title);
            text.append_value(&s.text);
            source_line.append_value(i32::try_from(s.line).unwrap_or(i32::MAX));
        }
    }
    batch(
        &schema::SECTIONS,
        vec![
            Arc::new(id.finish()),
            Arc::new(number.finish()),
            Arc::new(title.finish()),
            Arc::new(text.finish()),
            Arc::new(source_line.finish()),
        ],
    )
}

pub fn claims(reports: &[&Report]) -> Result<RecordBatch, ArrowError> {
    let (mut id, mut kind, mut text, mut quantity) =
        (StringBuilder::new(), StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let (mut table, mut row, mut col, mut scope) =
        (StringBuilder::new(), StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let (mut line, mut value, mut approximate) = (Int32Builder::new(), Float64Builder::new(), BooleanBuilder::new());
    for r in reports {
        for c in &r.claims {
            id.append_value(&r.report_id);
            kind.append_value(&c.rule.kind);
            line.append_value(i32::try_from(c.line).unwrap_or(i32::MAX));
            text.append_value(&c.text);
            quantity.append_value(&c.quantity);
            value.append_value(c.value);
            approximate.append_value(c.approximate);
            table.append_value(&c.rule.table);
            row.append_value(&c.rule.sums[0].rows);
            col.append_value(&c.rule.col);
            scope.append_option(c.unclear.as_deref());
        }
    }
    batch(
        &schema::CLAIMS,
        vec![
            Arc::new(id.finish()),
            Arc::new(kind.finish()),
            Arc::new(line.finish()),
            Arc::new(text.finish()),
            Arc::new(quantity.finish()),
            Arc::new(value.finish()),
            Arc::new(approximate.finish()),
            Arc::new(table.finish()),
            Arc::new(row.finish()),
            Arc::new(col.finish()),
            Arc::new(scope.finish()),
        ],
    )
}

pub fn rejects(rejects: &[&Reject], stamp: RunStamp) -> Result<RecordBatch, ArrowError> {
    let (mut path, mut id, mut code, mut reason, mut parser) =
        (StringBuilder::new(), StringBuilder::new(), StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let mut bytes = Int64Builder::new();
    let mut line_no = Int32Builder::new();
    let mut ingested = TimestampMicrosecondBuilder::new().with_timezone("UTC");
    for r in rejects {
        path.append_value(&r.source_path);
        id.append_option(r.report_id.as_deref());
        bytes.append_option(r.source_bytes.map(|b| i64::try_from(b).unwrap_or(i64::MAX)));
        code.append_value(r.reason.code());
        reason.append_value(r.reason.to_string());
        line_no.append_option(int32(r.line));
        parser.append_value(stamp.parser_version);
        ingested.append_value(stamp.ingested_at_micros);
    }
    batch(
        &schema::REJECTS,
        vec![
            Arc::new(path.finish()),
            Arc::new(id.finish()),
            Arc::new(bytes.finish()),
            Arc::new(code.finish()),
            Arc::new(reason.finish()),
            Arc::new(line_no.finish()),
            Arc::new(parser.finish()),
            Arc::new(ingested.finish()),
        ],
    )
}

/// Check results, each with the id of its report.
pub fn checks<'a>(results: impl Iterator<Item = (&'a str, &'a CheckResult<'a>)>) -> Result<RecordBatch, ArrowError> {
    let (mut id, mut check, mut table, mut row, mut col, mut status) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut lhs, mut rhs, mut delta) = (Float64Builder::new(), Float64Builder::new(), Float64Builder::new());
    let mut soft = BooleanBuilder::new();
    for (report_id, r) in results {
        id.append_value(report_id);
        check.append_value(&r.check.code);
        table.append_value(&r.check.table);
        row.append_option(r.row);
        col.append_option(r.col);
        lhs.append_option(r.lhs);
        rhs.append_option(r.rhs);
        delta.append_option(r.delta());
        status.append_value(r.status.as_str());
        soft.append_value(r.check.soft);
    }
    batch(
        &schema::CHECKS,
        vec![
            Arc::new(id.finish()),
            Arc::new(check.finish()),
            Arc::new(table.finish()),
            Arc::new(row.finish()),
            Arc::new(col.finish()),
            Arc::new(lhs.finish()),
            Arc::new(rhs.finish()),
            Arc::new(delta.finish()),
            Arc::new(status.finish()),
            Arc::new(soft.finish()),
        ],
    )
}
