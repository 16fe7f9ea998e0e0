"""xxgk: the statistics tables of 政府信息公开工作年度报告, parsed to Arrow.

The same parse as the ``xxgk`` command line, as a library::

    import xxgk
    doc = xxgk.parse_file("report.html")
    doc.cells.to_pandas()          # one row per table cell
    doc.rejects                    # one row, with the reason, if it was not a report

Every table is a ``pyarrow.Table`` in the data contract's schema, with
``year`` as its last column where the CLI's dataset has it as the
partition folder (``year=2023``). ``xxgk.spark.ingest`` runs the parse
inside Apache Spark.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
from typing import Optional

import pyarrow as pa

from xxgk import _xxgk

__version__ = _xxgk.__version__

#: The tables a document's rows go to.
TABLES: tuple = tuple(_xxgk.TABLES)


@dataclasses.dataclass(frozen=True)
class Document:
    """One document's rows. A report has rows in ``cells``, ``reports`` (one
    row), ``checks``, ``sections`` and ``claims``; a file that is not one has a
    single ``rejects`` row saying why."""

    cells: pa.Table
    reports: pa.Table
    checks: pa.Table
    sections: pa.Table
    claims: pa.Table
    rejects: pa.Table

    @property
    def is_report(self) -> bool:
        return self.reports.num_rows == 1


def _table(stream: bytes) -> pa.Table:
    return pa.ipc.open_stream(stream).read_all()


def _now_micros() -> int:
    now = datetime.datetime.now(datetime.timezone.utc)
    return int(now.timestamp() * 1_000_000)


def schema(name: str) -> pa.Schema:
    """The Arrow schema of table ``name`` (one of ``TABLES``)."""
    return pa.ipc.open_stream(_xxgk.schema(name)).schema


def parse_bytes(
    data: bytes,
    path: str,
    meta: Optional[dict] = None,
    *,
    config: Optional[str] = None,
) -> Document:
    """Parses one document's bytes. ``path`` is its name in the rows (and its
    extension says HTML, as for the CLI; the content decides PDF and Word).
    ``meta`` is what a crawler knew, with the keys of the CLI's ``--meta``
    sidecar: ``url``, ``title``, ``published``, ``site``, ``agency``, ``year``.
    ``config`` is a path to an ``xxgk.toml``; by default the built-in one.
    The GIL is released while the document is parsed."""
    hints = None if meta is None else json.dumps({**meta, "path": path}, ensure_ascii=False)
    tables = dict(_xxgk.parse_bytes(bytes(data), path, _now_micros(), hints, config))
    return Document(**{name: _table(tables[name]) for name in TABLES})


def parse_file(path: "str | bytes | os.PathLike", meta: Optional[dict] = None, *, config: Optional[str] = None) -> Document:
    """Parses the file at ``path``, named in the rows by its absolute path
    with links resolved, written as the CLI writes it. Read as the CLI reads
    it: a file over ``ingest.max_file_bytes`` gives a reject, unread. A file
    that cannot be read raises ``OSError`` with the CLI's reject reason."""
    # Bytes, so that a name that is not UTF-8 opens and keeps its bytes.
    resolved = os.path.realpath(os.fsencode(path))
    source_path = _xxgk.path_text(resolved)
    _, max_bytes = _xxgk.settings(config)
    data, size, _, reason = _xxgk.read_file(resolved, max_bytes)
    if reason is not None:
        raise OSError(f"{source_path}: {reason}")
    if data is None:
        envelope = _table(_xxgk.parse_envelope([source_path], [None], [size], _now_micros(), config))
        rows = {name: schema(name).empty_table() for name in TABLES}
        for table, stream in zip(envelope.column("table").to_pylist(), envelope.column("rows").to_pylist()):
            rows[table] = _table(stream)
        return Document(**rows)
    return parse_bytes(data, source_path, meta, config=config)
