//! The parse as a library: one document's rows as Arrow tables in the
//! contract's schemas, and the checks across years over a set of reports'
//! facts. The Python package (`python/`) and its Spark ingest call this; the
//! CLI writes the same rows through `sink`.
//!
//! The partitioned tables carry `year` as their last column, where a hive
//! reader (Spark, pyarrow, DuckDB) puts the folder's `year=` when it reads
//! the CLI's dataset, so both give the same columns in the same order.

use std::sync::{Arc, LazyLock};

use arrow_array::builder::{BinaryBuilder, StringBuilder};
use arrow_array::{ArrayRef, BinaryArray, Int16Array, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use crate::config::Reference;
use crate::report::{self, Outcome, Reject};
use crate::sidecar::Hints;
use crate::sink::batches::{self, RunStamp};
use crate::sink::schema::{self as contract, PARTITION_KEY};
use crate::sink::year_facts;
use crate::template::Template;
use crate::validate::{self, YearFacts};

/// The tables a document's rows go to.
pub const TABLES: [&str; 6] = ["cells", "reports", "checks", "sections", "claims", "rejects"];

/// The facts one report gives the checks across years, as one row.
pub const FACTS: &str = "year_facts";

/// The stamp of rows parsed at `ingested_at_micros` by this build.
pub fn stamp(ingested_at_micros: i64) -> RunStamp {
    RunStamp { ingested_at_micros, parser_version: env!("CARGO_PKG_VERSION") }
}

/// The schema of `table` as this module returns it: the contract's, plus
/// `year` for the partitioned tables; `None` for a name that is no table.
pub fn schema(table: &str) -> Option<SchemaRef> {
    static PARTITIONED: LazyLock<[SchemaRef; 5]> = LazyLock::new(|| {
        [&contract::CELLS, &contract::REPORTS, &contract::CHECKS, &contract::SECTIONS, &contract::CLAIMS]
            .map(|s| year_appended(s))
    });
    static FACTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
        Arc::new(Schema::new(vec![
            Field::new("report_id", DataType::Utf8, false),
            Field::new("agency", DataType::Utf8, false),
            Field::new(PARTITION_KEY, DataType::Int16, false),
            Field::new("facts", DataType::Binary, false),
        ]))
    });
    Some(match table {
        "cells" => PARTITIONED[0].clone(),
        "reports" => PARTITIONED[1].clone(),
        "checks" => PARTITIONED[2].clone(),
        "sections" => PARTITIONED[3].clone(),
        "claims" => PARTITIONED[4].clone(),
        "rejects" => contract::REJECTS.clone(),
        FACTS => FACTS_SCHEMA.clone(),
        _ => return None,
    })
}

/// `schema` with a nullable `year` after its columns.
fn year_appended(schema: &Schema) -> SchemaRef {
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new(PARTITION_KEY, DataType::Int16, true));
    Arc::new(Schema::new(fields))
}

/// One document's rows: every table in [`TABLES`] (empty where it has no
/// rows), and the report's facts for the checks across years when it names
/// its agency and year.
pub struct DocumentRows {
    pub tables: Vec<(&'static str, RecordBatch)>,
    pub facts: Option<RecordBatch>,
}

/// The rows of a parsed document, as the CLI would write them.
pub fn document_rows(outcome: &Outcome, stamp: RunStamp, templates: &[Template]) -> Result<DocumentRows, ArrowError> {
    let empty = |table: &str| RecordBatch::new_empty(schema(table).unwrap_or_else(|| Arc::new(Schema::empty())));
    let report = match outcome {
        Outcome::Reject(reject) => {
            let tables = TABLES
                .iter()
                .map(|&t| Ok((t, if t == "rejects" { batches::rejects(&[reject], stamp)? } else { empty(t) })))
                .collect::<Result<_, ArrowError>>()?;
            return Ok(DocumentRows { tables, facts: None });
        }
        Outcome::Report(report) => report,
    };
    let reports = [report.as_ref()];
    let year = report.meta.year;
    let checks = report.checks.iter().map(|c| (report.report_id.as_str(), c));
    let tables = vec![
        ("cells", with_year(batches::cells(&reports)?, year)?),
        ("reports", with_year(batches::reports(&reports, stamp)?, year)?),
        ("checks", with_year(batches::checks(checks)?, year)?),
        ("sections", with_year(batches::sections(&reports)?, year)?),
        ("claims", with_year(batches::claims(&reports)?, year)?),
        ("rejects", empty("rejects")),
    ];
    let facts = match (&report.meta.agency, year) {
        (Some(agency), Some(year)) => {
            let facts = YearFacts::new(&report.report_id, agency, year, report.template, report.year_cells.clone());
            let mut record = Vec::new();
            year_facts::encode_record(templates, &facts, &mut record)
                .map_err(|e| ArrowError::ComputeError(e.to_string()))?;
            let columns: Vec<ArrayRef> = vec![
                Arc::new(StringArray::from(vec![report.report_id.as_str()])),
                Arc::new(StringArray::from(vec![agency.as_str()])),
                Arc::new(Int16Array::from(vec![year])),
                Arc::new(BinaryArray::from(vec![record.as_slice()])),
            ];
            Some(RecordBatch::try_new(schema(FACTS).unwrap_or_else(|| Arc::new(Schema::empty())), columns)?)
        }
        _ => None,
    };
    Ok(DocumentRows { tables, facts })
}

/// `batch` with a `year` column holding `year` on every row.
fn with_year(batch: RecordBatch, year: Option<i16>) -> Result<RecordBatch, ArrowError> {
    with_years(batch, std::iter::repeat_n(year, usize::MAX))
}

/// `batch` with a `year` column, row by row from `years`.
fn with_years(batch: RecordBatch, years: impl Iterator<Item = Option<i16>>) -> Result<RecordBatch, ArrowError> {
    let rows = batch.num_rows();
    let years: Int16Array = years.take(rows).collect();
    let mut columns = batch.columns().to_vec();
    columns.push(Arc::new(years));
    RecordBatch::try_new(year_appended(&batch.schema()), columns)
}

/// A file to parse as part of a set: its bytes, or none when it was too
/// large to read.
pub struct Input<'a> {
    pub path: &'a str,
    pub bytes: Option<&'a [u8]>,
    pub size: u64,
    pub hints: Option<&'a Hints>,
}

/// The rows of many documents in one batch of the [`ENVELOPE`] schema: a
/// row per document and table that has rows, the rows as an Arrow IPC
/// stream. Lets a caller that must return one schema (Spark's
/// `mapInArrow`) carry every table through one parse.
pub static ENVELOPE: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("report_id", DataType::Utf8, true),
        Field::new("source_path", DataType::Utf8, false),
        Field::new("table", DataType::Utf8, false),
        Field::new("rows", DataType::Binary, false),
    ]))
});

/// Parses `inputs` and packs their rows into one [`ENVELOPE`] batch.
/// `max_bytes` is the size limit the inputs without bytes passed.
pub fn parse_into_envelope<'a>(
    inputs: impl Iterator<Item = Input<'a>>,
    reference: &Reference,
    max_bytes: u64,
    stamp: RunStamp,
) -> Result<RecordBatch, ArrowError> {
    let (mut ids, mut paths, mut tables) = (StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let mut rows = BinaryBuilder::new();
    for input in inputs {
        let outcome = match input.bytes {
            Some(bytes) => report::parse_contained(
                input.path,
                bytes,
                crate::discover::is_html_path(input.path.as_ref()),
                input.hints,
                reference,
            ),
            None => Outcome::Reject(Reject {
                source_path: input.path.to_string(),
                report_id: None,
                source_bytes: None,
                reason: report::too_large(input.size, max_bytes),
                line: None,
            }),
        };
        let report_id = match &outcome {
            Outcome::Report(r) => Some(r.report_id.as_str()),
            Outcome::Reject(r) => r.report_id.as_deref(),
        };
        let document = document_rows(&outcome, stamp, &reference.catalog.templates)?;
        let facts = document.facts.map(|f| (FACTS, f));
        for (table, batch) in document.tables.into_iter().chain(facts) {
            if batch.num_rows() == 0 {
                continue;
            }
            ids.append_option(report_id);
            paths.append_value(input.path);
            tables.append_value(table);
            rows.append_value(ipc(&batch)?);
        }
    }
    let columns: Vec<ArrayRef> =
        vec![Arc::new(ids.finish()), Arc::new(paths.finish()), Arc::new(tables.finish()), Arc::new(rows.finish())];
    RecordBatch::try_new(ENVELOPE.clone(), columns)
}

/// The checks across years among the reports whose facts records are
/// given (the `facts` column of [`FACTS`] rows): each report against the
/// one report of its agency for the year before, when there is exactly one,
/// as the CLI pairs them. Rows in the `checks` schema with `year`.
pub fn checks_across_years(records: &[&[u8]], templates: &[Template]) -> Result<RecordBatch, ArrowError> {
    let facts: Vec<YearFacts> = records
        .iter()
        .map(|record| {
            year_facts::decode_record(templates, record)
                .ok_or_else(|| ArrowError::InvalidArgumentError("a year-facts record is damaged".into()))
        })
        .collect::<Result<_, _>>()?;
    let mut reports_by_year: rustc_hash::FxHashMap<(u64, i16), (u32, usize)> = Default::default();
    for (index, f) in facts.iter().enumerate() {
        reports_by_year.entry((f.agency, f.year)).or_insert((0, index)).0 += 1;
    }
    let mut results = Vec::new();
    for this in &facts {
        let Some(&(1, previous)) = reports_by_year.get(&(this.agency, this.year - 1)) else {
            continue;
        };
        for result in validate::check_pair(this, &facts[previous]) {
            results.push((this, result));
        }
    }
    let batch = batches::checks(results.iter().map(|(f, r)| (&*f.report_id, r)))?;
    with_years(batch, results.iter().map(|(f, _)| Some(f.year)))
}

/// `batch` as an Arrow IPC stream.
pub fn ipc(batch: &RecordBatch) -> Result<Vec<u8>, ArrowError> {
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(Vec::new(), &batch.schema())?;
    writer.write(batch)?;
    writer.finish()?;
    writer.into_inner()
}

/// The batches of an Arrow IPC stream.
pub fn from_ipc(bytes: &[u8]) -> Result<Vec<RecordBatch>, ArrowError> {
    arrow_ipc::reader::StreamReader::try_new(bytes, None)?.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    fn reference() -> Reference {
        crate::config::load_builtin().unwrap().1
    }

    const STAMP: RunStamp = RunStamp { ingested_at_micros: 0, parser_version: "test" };

    #[test]
    fn every_table_has_its_schema_and_year_comes_last() {
        for table in TABLES.into_iter().chain([FACTS]) {
            let schema = schema(table).unwrap();
            let partitioned = !matches!(table, "rejects" | FACTS);
            assert_eq!(schema.fields().last().unwrap().name() == PARTITION_KEY, partitioned, "{table}");
        }
        assert!(schema("cellz").is_none());
    }

    #[test]
    fn a_too_large_file_is_one_reject_row_and_nothing_else() {
        let reference = reference();
        let input = Input { path: "/in/big.pdf", bytes: None, size: 30, hints: None };
        let envelope = parse_into_envelope(std::iter::once(input), &reference, 20, STAMP).unwrap();
        assert_eq!(envelope.num_rows(), 1);
        let table = envelope.column(2).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(table.value(0), "rejects");
        let rows = envelope.column(3).as_any().downcast_ref::<BinaryArray>().unwrap();
        let rejects = from_ipc(rows.value(0)).unwrap();
        let reason = rejects[0].column_by_name("reason").unwrap();
        let reason = reason.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(reason.value(0), "file is 30 bytes, above the limit of 20 (ingest.max_file_bytes)");
    }
}
