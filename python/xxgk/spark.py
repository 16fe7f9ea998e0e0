"""The ingest inside Apache Spark: files parsed in each partition by the same
Rust parse as the CLI, through ``mapInArrow``, and returned as DataFrames in
the data contract's schemas.

    from xxgk.spark import ingest
    result = ingest(spark, ["s3a://bucket/crawl/2024-06-01/"], out="s3a://bucket/xxgk")
    result.cells.where("status = 'ok'").groupBy("year").count().show()

Two readers list and read the files:

- local paths (no scheme, or ``file:``, when Hadoop's default file system is
  the local one) are listed on the driver and read by the Python workers
  with the CLI's own code (``_xxgk.discover``, ``_xxgk.read_file``): the
  inputs with their links resolved, folders walked following links, every
  name read whatever its first character, names that are not UTF-8 kept as
  ``\\xNN``, broken links and unreadable files rejects. The files must be
  at the same paths on every executor (one machine, or a shared mount).
- other URIs (``hdfs:``, ``s3a:``, ``dbfs:`` …), and local paths too with
  ``reader="spark"``, are listed and read by Spark's ``binaryFile`` source.

Either way, as the CLI does:
- a file named as an input is read whatever its extension; in folders,
  files are chosen by extension (``ingest.extensions``) and the others
  counted in ``skipped``;
- a file over ``ingest.max_file_bytes`` is a reject, unread (by its size
  when listed, and by the bytes read when it grew since), and so is a file
  listed that cannot be read (``cannot read: …``): every file listed has
  rows in a table or in ``rejects``;
- a document whose bytes another file also has gives its rows once, under
  the path the CLI keeps: the first in input order, each folder's files in
  path order, compared component by component (``a/x`` before ``a-b/x``);
- the checks across years compare each report with the one report of its
  agency for the year before, over the whole result;
- ``out`` gets one folder per table, hive-partitioned by ``year`` as the CLI
  lays them out (Parquet, zstd).

Where the ``binaryFile`` reader differs: Hadoop's listing does not see, nor
count, files and folders (with all they hold) whose names start with ``.``
or with ``_`` (but for names holding ``=`` and ``_metadata*``,
``_common_metadata*``), files whose names end in ``._COPYING_``, broken links,
and local names that are not UTF-8; for local inputs a warning says how many
files it missed. Of copies it keeps the smallest path; its ``cannot read``
rejects do not say why; an input that does not exist fails the job.

And ``out`` is a plain set of folders, not an incremental xxgk dataset.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
import warnings
from typing import Iterable, Iterator, List, Optional, Tuple, Union

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

import xxgk
from xxgk import _xxgk


@dataclasses.dataclass(frozen=True)
class Ingested:
    """The tables of one ingest, as DataFrames. The documents are parsed
    once, by ``ingest``, and the parse is kept (memory, then disk) for all of
    them; ``unpersist()`` frees it."""

    cells: DataFrame
    reports: DataFrame
    checks: DataFrame
    sections: DataFrame
    claims: DataFrame
    rejects: DataFrame
    #: Files in folders not read for their extension: ``extension``, ``files``.
    skipped: DataFrame
    _cached: Tuple[DataFrame, ...]

    def tables(self) -> dict:
        return {name: getattr(self, name) for name in xxgk.TABLES}

    def unpersist(self) -> None:
        for frame in self._cached:
            frame.unpersist()


def ingest(
    spark: SparkSession,
    paths: Union[str, Iterable[str]],
    out: Optional[str] = None,
    *,
    config: Optional[str] = None,
    mode: str = "error",
    reader: str = "auto",
) -> Ingested:
    """Parses every file under ``paths`` (files or folders, walked
    recursively) and returns its tables. Given ``out``, writes them there too
    (``mode`` as Spark's ``DataFrameWriter.mode``). ``config`` is a path to an
    ``xxgk.toml`` that every executor can read; by default the built-in one.
    ``reader="spark"`` lists and reads local paths with Spark's
    ``binaryFile`` source too (see the module's notes)."""
    if reader not in ("auto", "spark"):
        raise ValueError(f"reader is 'auto' or 'spark', not {reader!r}")
    paths = [paths] if isinstance(paths, (str, bytes, os.PathLike)) else list(paths)
    extensions, max_bytes = _xxgk.settings(config)
    local, uris = _split_inputs(spark, paths, reader)
    listings = []
    if local:
        listings.append(_local_listing(spark, local, extensions))
    if uris:
        listings.append(_spark_listing(spark, uris, extensions, max_bytes))
    cached = [frame for listing in listings for frame in listing.cached]
    parse = _parser(xxgk._now_micros(), max_bytes, config)
    parsed = _parse_all(spark, _union([listing.files for listing in listings]), parse)
    cached.append(parsed)
    for listing in listings:
        if listing.chosen is not None:
            # What binaryFile listed to read but did not (gone, unreadable,
            # grown over the limit) gets its reject here.
            unread = _cache(_unread(listing.chosen, parsed, max_bytes).mapInArrow(parse, _spark_schema(_WIDE)))
            unread.count()
            cached.append(unread)
            parsed = parsed.unionByName(unread)
    kept, copies = _without_copies(parsed)
    cached.append(copies)
    tables = {name: kept.where(F.col("table") == name).select(f"`{name}`.*") for name in xxgk.TABLES}
    facts = kept.where(F.col("table") == _xxgk.FACTS).select(f"`{_xxgk.FACTS}`.*").repartition("agency")

    def across_years(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # All reports of an agency are in this partition.
        records = [record for batch in batches for record in batch.column("facts").to_pylist()]
        if records:
            yield from pa.ipc.open_stream(_xxgk.checks_across_years(records, config))

    tables["checks"] = tables["checks"].unionByName(facts.mapInArrow(across_years, _spark_schema("checks")))
    skipped = _union([listing.skipped for listing in listings]).groupBy("extension").agg(F.sum("files").alias("files"))
    result = Ingested(**tables, skipped=skipped, _cached=tuple(cached))
    if out is not None:
        write(result, out, mode=mode)
    return result


def write(result: Ingested, out: str, *, mode: str = "error") -> None:
    """Writes each table to ``out/<table>``: Parquet with zstd, partitioned
    by ``year`` (``year=__HIVE_DEFAULT_PARTITION__`` when unknown), except
    ``rejects``. A table without rows still gets one Parquet file, with its
    schema and no rows, in ``year=__HIVE_DEFAULT_PARTITION__``."""
    # Spark Connect knows the default mode only by this name.
    mode = "error" if mode == "errorifexists" else mode
    # Timestamps as the CLI writes them (microseconds), not Spark's INT96.
    with _session_conf(result.cells.sparkSession, {"spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS"}):
        for name, frame in result.tables().items():
            folder = f"{out.rstrip('/')}/{name}"
            writer = frame.write.mode(mode).option("compression", "zstd")
            if name == "rejects":
                # Unpartitioned, Spark writes a file with the schema even without rows.
                writer.parquet(folder)
                continue
            writer.partitionBy("year").parquet(folder)
            if frame.isEmpty():
                # Partitioned, it writes none, and a reader's glob
                # (cells/*/*.parquet) fails on the folder.
                empty = frame.drop("year").coalesce(1).write.option("compression", "zstd")
                empty.mode("ignore" if mode == "ignore" else "append").parquet(f"{folder}/year=__HIVE_DEFAULT_PARTITION__")


#: A file to parse, one row each, whichever reader listed it: its place in
#: the CLI's order (null when binaryFile listed it), its name in the rows,
#: the local path the Python reader reads or the content binaryFile read,
#: its listed size, and the code and reason of its reject when it is one
#: without being read.
_FILES = pa.schema(
    [
        ("ordinal", pa.int64()),
        ("source_path", pa.string()),
        ("local", pa.binary()),
        ("length", pa.int64()),
        ("content", pa.binary()),
        ("code", pa.string()),
        ("reason", pa.string()),
    ]
)

#: The parse as Spark keeps it: a row per row of any table, that table's
#: columns in the struct named after it (the others null), with the
#: document's id, path and place in the CLI's order to tell copies apart.
#: One Python pass fills it; each table is then a projection of it, in the
#: JVM.
_WIDE = pa.schema(
    [("report_id", pa.string()), ("source_path", pa.string()), ("ordinal", pa.int64()), ("table", pa.string())]
    + [(name, pa.struct(list(xxgk.schema(name)))) for name in (*xxgk.TABLES, _xxgk.FACTS)]
)


@dataclasses.dataclass(frozen=True)
class _Listing:
    """What one reader listed."""

    #: Rows in the ``_FILES`` schema.
    files: DataFrame
    #: ``extension``, ``files``.
    skipped: DataFrame
    #: ``source_path``, ``length`` of the files binaryFile is to read, to
    #: find those it did not; None for the Python reader, which reads them all.
    chosen: Optional[DataFrame]
    cached: Tuple[DataFrame, ...] = ()


# -- Inputs -------------------------------------------------------------------

#: A URI's scheme: letters, then ``:/`` (so that a local name ``a:b`` is not one).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:/")


def _split_inputs(spark: SparkSession, paths: list, reader: str) -> Tuple[list, List[str]]:
    """The local paths the Python reader reads, and the URIs for binaryFile."""
    local_by_default = _default_fs(spark).startswith("file:")
    local, uris = [], []
    for given in map(os.fspath, paths):
        path = _local_path(given, local_by_default)
        if path is None:
            uris.append(given)
        elif reader == "auto":
            local.append(path)
        else:
            uris.append(_file_uri(os.fsdecode(path)))
    return local, uris


def _local_path(given: Union[str, bytes], local_by_default: bool) -> Union[str, bytes, None]:
    """The local path an input names, or None when it is a URI of another
    file system. A ``file:`` URI's path is taken as Hadoop takes it: as
    written, ``%`` included (Hadoop does not percent-decode paths)."""
    if isinstance(given, bytes):
        return given
    for prefix in ("file:///", "file://localhost/"):
        if given.startswith(prefix):
            return "/" + given[len(prefix):]
    if given.startswith("file:/") and not given.startswith("file://"):
        return given[len("file:"):]
    if _SCHEME.match(given):
        return None
    return given if local_by_default else None


def _file_uri(path: str) -> str:
    """A local input for binaryFile, resolved as the CLI resolves inputs."""
    real = os.path.realpath(path) if os.path.exists(path) else os.path.abspath(path)
    return "file:" + real


def _default_fs(spark: SparkSession) -> str:
    """Hadoop's default file system: where a path without a scheme is."""
    try:
        return spark.sparkContext._jsc.hadoopConfiguration().get("fs.defaultFS") or "file:///"
    except Exception:  # Spark Connect: no SparkContext, only the session's settings.
        return spark.conf.get("spark.hadoop.fs.defaultFS", None) or "file:///"


# -- The Python reader: local files, listed and read by the CLI's own code ------


def _local_listing(spark: SparkSession, paths: list, extensions: List[str]) -> _Listing:
    found, skipped = _xxgk.discover([os.fsencode(p) for p in paths], extensions)
    source_path, local, length, code, reason = zip(*found) if found else ((),) * 5
    table = pa.table(
        {
            "ordinal": pa.array(range(len(found)), pa.int64()),
            "source_path": pa.array(source_path, pa.string()),
            "local": pa.array(local, pa.binary()),
            "length": pa.array(length, pa.int64()),
            "content": pa.nulls(len(found), pa.binary()),
            "code": pa.array(code, pa.string()),
            "reason": pa.array(reason, pa.string()),
        },
        schema=_FILES,
    )
    # Round robin: as many files in every task, tasks enough for every core
    # twice. The rows are small; each task reads its files itself.
    files = spark.createDataFrame(table).repartition(max(1, min(len(found), 2 * _parallelism(spark))))
    skipped = spark.createDataFrame(skipped, "extension string, files long")
    return _Listing(files, skipped, chosen=None)


# -- The binaryFile reader: any Hadoop file system ------------------------------


def _spark_listing(spark: SparkSession, uris: List[str], extensions: List[str], max_bytes: int) -> _Listing:
    # Cached, and counted now: binaryFile asks each file's status again
    # whenever a scan of it runs, so this is the listing the rejects of
    # files not read are measured against.
    targets = [_load_target(uri) for uri in uris]
    listed = _binary_files(spark).load(targets).select(_source_path(F.col("path")).alias("source_path"), "path", "length")
    listed = _cache(listed)
    listed.count()
    _warn_unseen(listed, uris, extensions)
    extension = F.lower(F.regexp_extract("path", r"\.([^./]+)$", 1))
    is_named = _path_key(F.col("path")).isin([_path_key(uri) for uri in uris])
    chosen = is_named | extension.isin(extensions)
    skipped = (
        listed.where(~chosen)
        .groupBy(F.when(extension == "", "(no extension)").otherwise(F.concat(F.lit("."), extension)).alias("extension"))
        .agg(F.count(F.lit(1)).alias("files"))
    )
    # Only the files chosen have their content loaded: those in folders by a
    # glob on the name (binaryFile pushes no other test on the path down),
    # and the files named whose extension the glob leaves out.
    scan = _binary_files(spark).option("pathGlobFilter", _glob(extensions)).load(targets)
    named = [row.path for row in listed.where(is_named & ~extension.isin(extensions)).select("path").collect()]
    if named:
        scan = scan.unionByName(_binary_files(spark).load([_glob_escape(path) for path in named]))
    # Files over the limit when read are left out, unread, and get their
    # reject with the files not read.
    files = scan.where(F.col("length") <= max_bytes).select(
        F.lit(None).cast("long").alias("ordinal"),
        _source_path(F.col("path")).alias("source_path"),
        F.lit(None).cast("binary").alias("local"),
        "length",
        "content",
        F.lit(None).cast("string").alias("code"),
        F.lit(None).cast("string").alias("reason"),
    )
    return _Listing(files, skipped, chosen=listed.where(chosen).select("source_path", "length"), cached=(listed,))


def _binary_files(spark: SparkSession):
    """A reader of files (a new one each time: options stick to a reader)."""
    return (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        # A file that cannot be read is left out rather than failing the
        # job; it is a reject afterwards (``_unread``).
        .option("ignoreMissingFiles", "true")
        .option("ignoreCorruptFiles", "true")
    )


_NOT_READ_CODE, _NOT_READ = _xxgk.unread(
    "listed, but Spark's binaryFile could not read it (gone, unreadable, or grown past ingest.max_file_bytes)"
)


def _unread(chosen: DataFrame, parsed: DataFrame, max_bytes: int) -> DataFrame:
    """The files binaryFile listed to read that have no rows, as ``_FILES``
    rows to parse into rejects: over the limit by their listed size, or not
    read."""
    unread = F.col("length") <= max_bytes
    return chosen.join(parsed.select("source_path").distinct(), "source_path", "left_anti").select(
        F.lit(None).cast("long").alias("ordinal"),
        "source_path",
        F.lit(None).cast("binary").alias("local"),
        "length",
        F.lit(None).cast("binary").alias("content"),
        F.when(unread, F.lit(_NOT_READ_CODE)).cast("string").alias("code"),
        F.when(unread, F.lit(_NOT_READ)).cast("string").alias("reason"),
    )


def _source_path(uri):
    """The CLI's name for a file binaryFile lists: a local file's path
    (Hadoop writes ``file:/a/b``, unencoded), with ``\\`` as ``\\x5C``;
    other file systems' URIs as they are."""
    local = F.regexp_replace(uri, r"^file:(//)?(?=/(?!/))", "")
    return F.when(uri.startswith("file:/") & (local != uri), F.replace(local, F.lit("\\"), F.lit("\\x5C"))).otherwise(uri)


def _path_key(uri):
    """A URI without its scheme and authority, and without a final ``/``:
    what an input and binaryFile's name for the same file share
    (``hdfs:///a`` is listed as ``hdfs://namenode:8020/a``)."""
    pattern = r"^[A-Za-z][A-Za-z0-9+.-]*:(//[^/]*)?"
    if isinstance(uri, str):
        return re.sub(pattern, "", uri).rstrip("/") or "/"
    return F.regexp_replace(uri, pattern, "")


def _warn_unseen(listed: DataFrame, uris: List[str], extensions: List[str]) -> None:
    """Says how many files under the local inputs Hadoop's listing missed
    (hidden names, names that are not UTF-8, broken links): they get no
    rows, where the CLI reads or rejects them."""
    local = [uri[len("file:"):] for uri in uris if _is_local_uri(uri)]
    if not local:
        return
    # What the CLI lists there: files and rejects, and the files it skips.
    found, skipped = _xxgk.discover([os.fsencode(path) for path in local], extensions)
    on_disk = len(found) + sum(files for _, files in skipped)
    seen = listed.where(F.col("path").startswith("file:")).select("source_path").distinct().count()
    unseen = on_disk - seen
    if unseen:
        warnings.warn(
            f"xxgk.spark: Spark's listing misses {unseen} files under the local inputs (names starting with . or _, "
            "ending ._COPYING_ or not UTF-8, broken links); they have no rows. reader='auto' reads them as the CLI does.",
            stacklevel=4,
        )


def _glob(extensions: Iterable[str]) -> str:
    """A file-name glob for these extensions, in any case: ``*.{[pP][dD][fF],…}``."""

    def any_case(ext: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in ext)

    return "*.{" + ",".join(any_case(e) for e in extensions) + "}"


_GLOB_CHARS = re.compile(r"([\\{}\[\]*?])")


def _glob_escape(path: str) -> str:
    return _GLOB_CHARS.sub(r"\\\1", path)


def _load_target(uri: str) -> str:
    """What to give binaryFile for an input: a local path (``file:/…``,
    as ``_file_uri`` made it) escaped from Hadoop's globbing, which would
    read ``\\``, ``[`` … as patterns; other URIs as given, globs and all."""
    return _glob_escape(uri) if _is_local_uri(uri) else uri


def _is_local_uri(uri: str) -> bool:
    """Whether a URI is a local path as ``_file_uri`` writes it."""
    return uri.startswith("file:/") and not uri.startswith("file://")


# -- The parse ------------------------------------------------------------------


def _parser(stamp: int, max_bytes: int, config: Optional[str]):
    """The function ``mapInArrow`` runs: ``_FILES`` rows in, ``_WIDE`` rows out."""

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for chunk in _chunks(batch.to_pylist()):
                yield from _parse_chunk(chunk, stamp, max_bytes, config)

    return parse


def _chunks(rows: list, max_bytes: int = 64 << 20) -> Iterator[list]:
    """The rows in runs of at most ``max_bytes`` of files (or one file), so
    that a task holds no more than that read at once."""
    chunk, size = [], 0
    for row in rows:
        if chunk and size + (row["length"] or 0) > max_bytes:
            yield chunk
            chunk, size = [], 0
        chunk.append(row)
        size += row["length"] or 0
    if chunk:
        yield chunk


def _parse_chunk(rows: list, stamp: int, max_bytes: int, config: Optional[str]) -> Iterator[pa.RecordBatch]:
    names, contents, sizes, parts = [], [], [], []
    for row in rows:
        taken = _take_in(row, max_bytes)
        if isinstance(taken[0], str):
            parts.append((None, row["source_path"], "rejects", _reject(row["source_path"], *taken, stamp)))
        else:
            names.append(row["source_path"])
            contents.append(taken[0])
            sizes.append(taken[1])
    if names:
        envelope = pa.ipc.open_stream(_xxgk.parse_envelope(names, contents, sizes, stamp, config)).read_all()
        for report_id, path, table, stream in zip(*(envelope.column(c).to_pylist() for c in envelope.column_names)):
            parts.append((report_id, path, table, pa.ipc.open_stream(stream).read_all()))
    yield from _widen(parts, {row["source_path"]: row["ordinal"] for row in rows})


def _take_in(row: dict, max_bytes: int) -> Tuple[Union[str, bytes, None], Union[str, int]]:
    """A file's content and size to parse (content None: over the limit,
    unread), or the code and reason of its reject."""
    if row["reason"] is not None:
        return row["code"], row["reason"]
    if row["length"] is not None and row["length"] > max_bytes:
        return None, row["length"]  # by its listed size, unread
    if row["local"] is not None:
        content, size, code, reason = _xxgk.read_file(row["local"], max_bytes)
        return (code, reason) if code is not None else (content, size)
    content = row["content"]
    if len(content) > max_bytes:
        return None, len(content)  # grown since its size was taken
    return content, len(content)


def _reject(source_path: str, code: str, reason: str, stamp: int) -> pa.Table:
    """A ``rejects`` row for a file that was not parsed."""
    schema = xxgk.schema("rejects")
    row = {
        "source_path": [source_path],
        "report_id": [None],
        "source_bytes": [None],
        "code": [code],
        "reason": [reason],
        "line": [None],
        "parser_version": [_xxgk.__version__],
        "ingested_at": [stamp],
    }
    return pa.table({name: pa.array(row[name], schema.field(name).type) for name in schema.names}, schema=schema)


def _widen(parts: list, ordinals: dict) -> Iterator[pa.RecordBatch]:
    """Documents' rows, ``(report_id, source_path, table, rows)``, in the
    ``_WIDE`` schema, a batch per table."""
    by_table: dict = {}
    for part in parts:
        by_table.setdefault(part[2], []).append(part)
    for table, group in by_table.items():
        [rows] = pa.concat_tables([part[3] for part in group]).combine_chunks().to_batches()

        def repeated(values: list, type_: pa.DataType) -> pa.Array:
            return pa.array([value for value, part in zip(values, group) for _ in range(part[3].num_rows)], type_)

        columns = {
            "report_id": repeated([part[0] for part in group], pa.string()),
            "source_path": repeated([part[1] for part in group], pa.string()),
            "ordinal": repeated([ordinals.get(part[1]) for part in group], pa.int64()),
            "table": pa.array([table] * rows.num_rows, pa.string()),
        }
        for field in list(_WIDE)[4:]:
            if field.name == table:
                columns[field.name] = pa.StructArray.from_arrays(rows.columns, fields=list(field.type))
            else:
                columns[field.name] = pa.nulls(rows.num_rows, field.type)
        yield pa.RecordBatch.from_pydict(columns, schema=_WIDE)


def _parse_all(spark: SparkSession, files: DataFrame, parse) -> DataFrame:
    """Parses the files now, and keeps the parse."""
    parsed = _cache(files.mapInArrow(parse, _spark_schema(_WIDE)))
    # In few large partitions: a Python task costs about 0.1 s beside a
    # document's milliseconds, and Spark would give each 4 MB
    # (spark.sql.files.openCostInBytes) of a few-KB file binaryFile reads a
    # share of one.
    with _session_conf(spark, {
        "spark.sql.files.openCostInBytes": str(64 * 1024),
        "spark.sql.files.minPartitionNum": str(2 * _parallelism(spark)),
    }):
        parsed.count()
    return parsed


def _without_copies(parsed: DataFrame) -> Tuple[DataFrame, DataFrame]:
    """One set of rows per document: of the paths with the same bytes, only
    the first in the CLI's order keeps its rows (files binaryFile listed
    come after, by path). Shuffled by ``report_id``, never gathered on the
    driver: a crawl may hold millions of copies."""
    first = Window.partitionBy("report_id").orderBy(F.col("ordinal").asc_nulls_last(), "source_path")
    copies = (
        parsed.where(F.col("table") == "reports")
        .select("report_id", "source_path", F.row_number().over(first).alias("place"))
        .where(F.col("place") > 1)
        .drop("place")
    )
    # Kept, so that the window runs once, not again for every table written.
    copies = _cache(copies)
    if copies.isEmpty():
        return parsed, copies
    return parsed.join(copies, ["report_id", "source_path"], "left_anti"), copies


# -- Spark -----------------------------------------------------------------------


def _cache(frame: DataFrame) -> DataFrame:
    """The frame, kept (memory, then disk) where the session can keep it.
    Databricks serverless cannot: there each use computes it again."""
    try:
        return frame.persist(StorageLevel.MEMORY_AND_DISK)
    except Exception as err:  # which exception differs between Spark flavours
        warnings.warn(f"xxgk.spark: cannot persist ({err}); each table will parse the files again", stacklevel=3)
        return frame


def _parallelism(spark: SparkSession) -> int:
    """The cluster's cores; under Spark Connect, which has no SparkContext,
    ``spark.default.parallelism`` when set, else 8."""
    try:
        return spark.sparkContext.defaultParallelism
    except Exception:
        return int(spark.conf.get("spark.default.parallelism", None) or 8)


def _union(frames: List[DataFrame]) -> DataFrame:
    return functools.reduce(DataFrame.unionByName, frames)


@contextlib.contextmanager
def _session_conf(spark: SparkSession, settings: dict):
    """Sets Spark SQL settings for the block, then puts them back. A setting
    the session refuses (Databricks serverless allows only some) is left."""
    before = {}
    for key, value in settings.items():
        try:
            before[key] = spark.conf.get(key, None)
            spark.conf.set(key, value)
        except Exception:
            before.pop(key, None)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _spark_schema(table: Union[str, pa.Schema]):
    return from_arrow_schema(table if isinstance(table, pa.Schema) else xxgk.schema(table))


def main(argv: Optional[list] = None) -> None:
    """``spark-submit …/xxgk/spark.py INPUT… --out DIR``: ingest and write."""
    import argparse

    parser = argparse.ArgumentParser(prog="xxgk.spark", description="Parse reports in Spark and write the tables.")
    parser.add_argument("inputs", nargs="+", help="files or folders (file:, hdfs:, s3a: …)")
    parser.add_argument("--out", required=True, help="folder to write the tables to")
    parser.add_argument("--mode", default="error", help="Spark's write mode (overwrite, append …)")
    parser.add_argument("--config", help="an xxgk.toml every executor can read")
    parser.add_argument("--reader", default="auto", choices=["auto", "spark"], help="spark: local paths by binaryFile too")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("xxgk").getOrCreate()
    result = ingest(spark, args.inputs, out=args.out, config=args.config, mode=args.mode, reader=args.reader)
    reports, rejects = result.reports.count(), result.rejects.count()
    print(f"xxgk: {reports} reports, {rejects} rejects written to {args.out}")
    result.unpersist()


if __name__ == "__main__":
    main()
