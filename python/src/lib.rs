//! `xxgk._xxgk`: the CLI's per-document parse for Python. Rows cross as
//! Arrow IPC streams, which `xxgk/__init__.py` opens with pyarrow; the GIL
//! is released while documents are parsed.

use std::path::PathBuf;
use std::sync::Mutex;

use arrow_array::RecordBatch;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use xxgk::config::{self, Reference, Settings};
use xxgk::diagnostics::RejectReason;
use xxgk::report;
use xxgk::sidecar::Hints;
use xxgk::tables::{self, Input};

/// Settings and reference data, loaded once per configuration and kept for
/// the life of the process (a Spark worker parses many partitions).
struct Loaded {
    settings: Settings,
    reference: Reference,
}

fn loaded(config: Option<&str>) -> PyResult<&'static Loaded> {
    static LOADED: Mutex<Vec<(Option<String>, &'static Loaded)>> = Mutex::new(Vec::new());
    let mut cache = LOADED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = config.map(str::to_string);
    if let Some((_, found)) = cache.iter().find(|(k, _)| *k == key) {
        return Ok(found);
    }
    let result = match config {
        Some(path) => config::load(Some(&PathBuf::from(path))),
        None => config::load_builtin(),
    };
    let (settings, reference) = result.map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
    let found: &'static Loaded = Box::leak(Box::new(Loaded { settings, reference }));
    cache.push((key, found));
    Ok(found)
}

fn arrow_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(format!("xxgk: cannot build Arrow rows: {e}"))
}

fn ipc_bytes<'py>(py: Python<'py>, batch: &RecordBatch) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = tables::ipc(batch).map_err(arrow_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// Parses one document: a list of (table, Arrow IPC stream) for every
/// table, empty where the document gives no rows. `meta` is a crawler's
/// metadata as the `--meta` sidecar's JSON (with `path`).
#[pyfunction]
#[pyo3(signature = (data, path, ingested_at_micros, meta=None, config=None))]
fn parse_bytes<'py>(
    py: Python<'py>,
    data: &[u8],
    path: &str,
    ingested_at_micros: i64,
    meta: Option<&str>,
    config: Option<&str>,
) -> PyResult<Vec<(&'static str, Bound<'py, PyBytes>)>> {
    let loaded = loaded(config)?;
    let hints: Option<Hints> =
        meta.map(serde_json::from_str).transpose().map_err(|e| PyValueError::new_err(format!("meta: {e}")))?;
    let is_html = xxgk::discover::is_html_path(path.as_ref());
    let rows = py.detach(|| {
        let outcome = report::parse_contained(path, data, is_html, hints.as_ref(), &loaded.reference);
        tables::document_rows(&outcome, tables::stamp(ingested_at_micros), &loaded.reference.catalog.templates)
    });
    let rows = rows.map_err(arrow_error)?;
    rows.tables.iter().map(|(table, batch)| Ok((*table, ipc_bytes(py, batch)?))).collect()
}

/// Parses many files into one envelope (see `xxgk::tables::ENVELOPE`), as
/// an Arrow IPC stream. A file whose content is `None` was over the size
/// limit, `size` bytes long, and is a reject.
#[pyfunction]
#[pyo3(signature = (paths, contents, sizes, ingested_at_micros, config=None))]
fn parse_envelope<'py>(
    py: Python<'py>,
    paths: Vec<String>,
    contents: Vec<Option<Bound<'py, PyBytes>>>,
    sizes: Vec<u64>,
    ingested_at_micros: i64,
    config: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    if paths.len() != contents.len() || paths.len() != sizes.len() {
        return Err(PyValueError::new_err("paths, contents and sizes differ in length"));
    }
    let loaded = loaded(config)?;
    let contents: Vec<Option<&[u8]>> = contents.iter().map(|c| c.as_ref().map(|b| b.as_bytes())).collect();
    let envelope = py.detach(|| {
        let inputs = paths.iter().zip(&contents).zip(&sizes).map(|((path, bytes), &size)| Input {
            path,
            bytes: *bytes,
            size,
            hints: None,
        });
        let envelope = tables::parse_into_envelope(
            inputs,
            &loaded.reference,
            loaded.settings.max_file_bytes,
            tables::stamp(ingested_at_micros),
        )?;
        tables::ipc(&envelope)
    });
    Ok(PyBytes::new(py, &envelope.map_err(arrow_error)?))
}

/// The checks across years among reports given by their facts records, as
/// an Arrow IPC stream of `checks` rows.
#[pyfunction]
#[pyo3(signature = (records, config=None))]
fn checks_across_years<'py>(
    py: Python<'py>,
    records: Vec<Bound<'py, PyBytes>>,
    config: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    let loaded = loaded(config)?;
    let records: Vec<&[u8]> = records.iter().map(|r| r.as_bytes()).collect();
    let checks = py.detach(|| {
        let checks = tables::checks_across_years(&records, &loaded.reference.catalog.templates)?;
        tables::ipc(&checks)
    });
    Ok(PyBytes::new(py, &checks.map_err(arrow_error)?))
}

/// The schema of a table, as an Arrow IPC stream with no rows.
#[pyfunction]
fn schema<'py>(py: Python<'py>, table: &str) -> PyResult<Bound<'py, PyBytes>> {
    let schema = tables::schema(table).ok_or_else(|| {
        PyValueError::new_err(format!("no table {table:?}; the tables are {}", tables::TABLES.join(", ")))
    })?;
    ipc_bytes(py, &RecordBatch::new_empty(schema))
}

/// The file name endings read and the size limit, from the configuration.
#[pyfunction]
#[pyo3(signature = (config=None))]
fn settings(config: Option<&str>) -> PyResult<(Vec<String>, u64)> {
    let loaded = loaded(config)?;
    Ok((loaded.settings.extensions.clone(), loaded.settings.max_file_bytes))
}

/// The CLI's list of what to read under `paths` (`xxgk::discover`), in its
/// order: (source_path, local path, size, reject code, reject reason) per
/// entry, a reject where the path could not be listed; and the files in
/// folders left out by extension, counted by extension.
#[allow(clippy::type_complexity)]
#[pyfunction]
fn discover(
    py: Python<'_>,
    paths: Vec<Vec<u8>>,
    extensions: Vec<String>,
) -> (Vec<(String, Option<Vec<u8>>, Option<u64>, Option<&'static str>, Option<String>)>, Vec<(String, u64)>) {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let inputs: Vec<PathBuf> = paths.into_iter().map(|p| PathBuf::from(std::ffi::OsString::from_vec(p))).collect();
    let found = py.detach(|| xxgk::discover::discover(&inputs, &extensions));
    let entries = found
        .inputs
        .into_iter()
        .map(|entry| match entry {
            Ok(input) => {
                let size = std::fs::metadata(&input.path).ok().map(|m| m.len());
                let local = input.path.as_os_str().as_bytes().to_vec();
                (xxgk::discover::path_text(&input.path), Some(local), size, None, None)
            }
            Err(reject) => {
                (reject.source_path, None, None, Some(reject.reason.code()), Some(reject.reason.to_string()))
            }
        })
        .collect();
    (entries, found.skipped.into_iter().collect())
}

/// A local file's bytes as the CLI reads them (`ingest::read_limited`):
/// (bytes, size), with bytes `None` when the file is over `limit`; or, when
/// it cannot be read, (None, 0) and the reject's code and reason.
#[allow(clippy::type_complexity)]
#[pyfunction]
fn read_file<'py>(
    py: Python<'py>,
    path: Vec<u8>,
    limit: u64,
) -> (Option<Bound<'py, PyBytes>>, u64, Option<&'static str>, Option<String>) {
    use std::os::unix::ffi::OsStringExt;
    let path = PathBuf::from(std::ffi::OsString::from_vec(path));
    match py.detach(|| xxgk::ingest::read_limited(&path, limit)) {
        Ok(Ok(bytes)) => {
            let size = bytes.len() as u64;
            (Some(PyBytes::new(py, &bytes)), size, None, None)
        }
        Ok(Err(size)) => (None, size, None, None),
        Err(err) => {
            let reason = RejectReason::CannotRead(err.to_string());
            (None, 0, Some(reason.code()), Some(reason.to_string()))
        }
    }
}

/// A path as the CLI writes it in `source_path` (`discover::path_text`):
/// bytes that are not UTF-8 as `\xNN`, a backslash as `\x5C`.
#[pyfunction]
fn path_text(path: Vec<u8>) -> String {
    use std::os::unix::ffi::OsStringExt;
    xxgk::discover::path_text(&PathBuf::from(std::ffi::OsString::from_vec(path)))
}

/// The reject of a file that was listed but could not be read, whose error
/// is not known (Spark's reader skipped it): its code and reason.
#[pyfunction]
fn unread(detail: String) -> (&'static str, String) {
    let reason = RejectReason::CannotRead(detail);
    (reason.code(), reason.to_string())
}

#[pymodule]
fn _xxgk(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("TABLES", tables::TABLES.to_vec())?;
    m.add("FACTS", tables::FACTS)?;
    m.add_function(wrap_pyfunction!(parse_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(discover, m)?)?;
    m.add_function(wrap_pyfunction!(read_file, m)?)?;
    m.add_function(wrap_pyfunction!(path_text, m)?)?;
    m.add_function(wrap_pyfunction!(unread, m)?)?;
    m.add_function(wrap_pyfunction!(parse_envelope, m)?)?;
    m.add_function(wrap_pyfunction!(checks_across_years, m)?)?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(settings, m)?)?;
    Ok(())
}
