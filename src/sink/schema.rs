//! The Arrow schemas of the output tables, as the data contract defines them.

use std::sync::{Arc, LazyLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Bumped on any breaking change to a column name, type or code.
pub const SCHEMA_VERSION: &str = "3";

/// The partitioned tables (cells, reports, sections, claims) carry `year` in their
/// folder name (`year=2023`), not inside the files: pyarrow, and so pandas,
/// refuse a column that is both, and the folder is what every hive reader
/// turns into the `year` column.
pub const PARTITION_KEY: &str = "year";

/// The hive marker for a null partition value, read as null by pyarrow,
/// polars, DuckDB and Spark (a word such as `__unknown__` would turn every
/// reader's `year` into a string column).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn timestamp(name: &str) -> Field {
    Field::new(name, DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false)
}

pub static CELLS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("report_id", false),
        utf8("agency", true),
        utf8("template", false),
        utf8("table", false),
        utf8("row", false),
        utf8("col", false),
        Field::new("value", DataType::Float64, true),
        utf8("status", false),
        utf8("raw", true),
        utf8("unit", true),
        utf8("row_label", false),
        utf8("col_label", false),
        Field::new("source_line", DataType::Int32, true),
        // Not in the contract: the page of a PDF cell (null for other files).
        Field::new("source_page", DataType::Int32, true),
    ]))
});

pub static REPORTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("report_id", false),
        utf8("agency", true),
        utf8("title", true),
        utf8("source_path", false),
        Field::new("source_bytes", DataType::Int64, false),
        utf8("encoding", false),
        utf8("layout", false),
        utf8("template", false),
        Field::new("published_date", DataType::Date32, true),
        Field::new("signature_date", DataType::Date32, true),
        Field::new("page_date", DataType::Date32, true),
        utf8("source_url", true),
        utf8("admin_level", true),
        utf8("region", true),
        utf8("province", true),
        utf8("city", true),
        utf8("county", true),
        utf8("township", true),
        utf8("division_code", true),
        utf8("parse_status", false),
        Field::new("cells", DataType::Int32, false),
        Field::new("cells_ok", DataType::Int32, false),
        Field::new("checks_failed", DataType::Int32, true),
        Field::new("warnings", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), false),
        // Each warning's stable code (`diagnostics::WarningKind::CODES`), in the order of `warnings`.
        Field::new("warning_codes", DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))), false),
        utf8("parser_version", false),
        utf8("schema_version", false),
        timestamp("ingested_at"),
    ]))
});

pub static CLAIMS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("report_id", false),
        utf8("kind", false),
        Field::new("line", DataType::Int32, false),
        utf8("text", false),
        utf8("quantity", false),
        Field::new("value", DataType::Float64, false),
        Field::new("approximate", DataType::Boolean, false),
        utf8("table", false),
        utf8("row", false),
        utf8("col", false),
        utf8("scope", true),
    ]))
});

pub static SECTIONS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("report_id", false),
        Field::new("section", DataType::Int8, false),
        utf8("title", false),
        utf8("text", false),
        Field::new("source_line", DataType::Int32, false),
    ]))
});

pub static REJECTS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("source_path", false),
        utf8("report_id", true),
        Field::new("source_bytes", DataType::Int64, true),
        // The reason's stable code (`diagnostics::RejectReason::CODES`), then its message.
        utf8("code", false),
        utf8("reason", false),
        Field::new("line", DataType::Int32, true),
        utf8("parser_version", false),
        timestamp("ingested_at"),
    ]))
});

pub static CHECKS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("report_id", false),
        utf8("check", false),
        utf8("table", false),
        utf8("row", true),
        utf8("col", true),
        Field::new("lhs", DataType::Float64, true),
        Field::new("rhs", DataType::Float64, true),
        Field::new("delta", DataType::Float64, true),
        utf8("status", false),
        Field::new("soft", DataType::Boolean, false),
    ]))
});
