"""The ingest inside Apache Spark: files read as ``binaryFile`` (local, HDFS,
S3 …), parsed in each partition by the same Rust parse as the CLI through
``mapInArrow``, and returned as DataFrames in the data contract's schemas.

    from xxgk.spark import ingest
    result = ingest(spark, ["s3a://bucket/crawl/2024-06-01/"], out="s3a://bucket/xxgk")
    result.cells.where("status = 'ok'").groupBy("year").count().show()

What it does as the CLI does:
- files are chosen by extension (``ingest.extensions``) and the others counted
  in ``skipped``; files over ``ingest.max_file_bytes`` are rejects, unread;
- a document whose bytes another file also has gives its rows once, under the
  first of their paths (in string order);
- the checks across years compare each report with the one report of its
  agency for the year before, over the whole result;
- ``out`` gets one folder per table, hive-partitioned by ``year`` as the CLI
  lays them out (Parquet, zstd).

And where it differs: Spark leaves out files whose names start with ``.`` or
``_``; ``out`` is a plain set of folders, not an incremental xxgk dataset.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator, Optional, Union

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

import xxgk
from xxgk import _xxgk

_ENVELOPE = "report_id string, source_path string, table string, rows binary"


@dataclasses.dataclass(frozen=True)
class Ingested:
    """The tables of one ingest, as DataFrames (the parse is persisted once
    and shared by all of them; ``unpersist()`` frees it)."""

    cells: DataFrame
    reports: DataFrame
    checks: DataFrame
    sections: DataFrame
    claims: DataFrame
    rejects: DataFrame
    #: Files not read for their extension: ``extension``, ``files``.
    skipped: DataFrame
    _parsed: DataFrame

    def tables(self) -> dict:
        return {name: getattr(self, name) for name in xxgk.TABLES}

    def unpersist(self) -> None:
        self._parsed.unpersist()


def ingest(
    spark: SparkSession,
    paths: Union[str, Iterable[str]],
    out: Optional[str] = None,
    *,
    config: Optional[str] = None,
    mode: str = "errorifexists",
) -> Ingested:
    """Parses every file under ``paths`` (files or folders, walked
    recursively) and returns its tables. Given ``out``, writes them there too
    (``mode`` as Spark's ``DataFrameWriter.mode``). ``config`` is a path to an
    ``xxgk.toml`` that every executor can read; by default the built-in one."""
    paths = [paths] if isinstance(paths, str) else list(paths)
    extensions, max_bytes = _xxgk.settings(config)
    listing = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
    files = listing.load(paths).select("path", "length")
    extension = F.lower(F.regexp_extract("path", r"\.([^./]+)$", 1))
    skipped = (
        files.where(~extension.isin(extensions))
        .groupBy(F.when(extension == "", "(no extension)").otherwise(F.concat(F.lit("."), extension)).alias("extension"))
        .agg(F.count(F.lit(1)).alias("files"))
    )
    # Only the files read have their content loaded: a glob on the name
    # (binaryFile pushes no other test on the path down).
    chosen = listing.option("pathGlobFilter", _glob(extensions)).load(paths)
    small = chosen.where(F.col("length") <= max_bytes).select("path", "length", "content")
    large = chosen.where(F.col("length") > max_bytes).select("path", "length", F.lit(None).cast("binary").alias("content"))
    stamp = xxgk._now_micros()

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            names = [_local_path(p) for p in batch.column("path").to_pylist()]
            contents = batch.column("content").to_pylist()
            sizes = batch.column("length").to_pylist()
            envelope = _xxgk.parse_envelope(names, contents, sizes, stamp, config)
            yield from pa.ipc.open_stream(envelope)

    parsed = small.unionByName(large).mapInArrow(parse, _ENVELOPE).persist(StorageLevel.MEMORY_AND_DISK)
    # One set of rows per document: the first path of each report id.
    first_paths = (
        parsed.where(F.col("table") == "reports")
        .groupBy("report_id")
        .agg(F.min("source_path").alias("source_path"))
    )
    kept = parsed.where(F.col("table") != "rejects").join(first_paths, ["report_id", "source_path"], "left_semi")
    tables = {name: _rows(kept, name) for name in xxgk.TABLES if name != "rejects"}
    tables["rejects"] = _rows(parsed, "rejects")
    facts = _rows(kept, _xxgk.FACTS).repartition("agency")

    def across_years(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        # All reports of an agency are in this partition.
        records = [record for batch in batches for record in batch.column("facts").to_pylist()]
        if records:
            yield from pa.ipc.open_stream(_xxgk.checks_across_years(records, config))

    tables["checks"] = tables["checks"].unionByName(facts.mapInArrow(across_years, _spark_schema("checks")))
    result = Ingested(**tables, skipped=skipped, _parsed=parsed)
    if out is not None:
        write(result, out, mode=mode)
    return result


def write(result: Ingested, out: str, *, mode: str = "errorifexists") -> None:
    """Writes each table to ``out/<table>``: Parquet with zstd, partitioned
    by ``year`` (``year=__HIVE_DEFAULT_PARTITION__`` when unknown), except
    ``rejects``."""
    spark = result.cells.sparkSession
    option = "spark.sql.parquet.outputTimestampType"
    before = spark.conf.get(option, None)
    # Timestamps as the CLI writes them (microseconds), not Spark's INT96.
    spark.conf.set(option, "TIMESTAMP_MICROS")
    try:
        for name, frame in result.tables().items():
            writer = frame.write.mode(mode).option("compression", "zstd")
            if name != "rejects":
                writer = writer.partitionBy("year")
            writer.parquet(f"{out.rstrip('/')}/{name}")
    finally:
        if before is None:
            spark.conf.unset(option)
        else:
            spark.conf.set(option, before)


def _rows(envelope: DataFrame, table: str) -> DataFrame:
    """The rows of ``table`` out of the envelope, in its schema."""

    def unpack(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for stream in batch.column("rows").to_pylist():
                yield from pa.ipc.open_stream(stream)

    return envelope.where(F.col("table") == table).select("rows").mapInArrow(unpack, _spark_schema(table))


def _spark_schema(table: str):
    return from_arrow_schema(xxgk.schema(table))


def _glob(extensions: Iterable[str]) -> str:
    """A file-name glob for these extensions, in any case: ``*.{[pP][dD][fF],…}``."""
    def any_case(ext: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in ext)

    return "*.{" + ",".join(any_case(e) for e in extensions) + "}"


def _local_path(uri: str) -> str:
    """A local file's path as the CLI names it (``file:/a/b`` → ``/a/b``);
    other file systems keep their URI."""
    if uri.startswith("file://"):
        return uri[len("file://"):]
    if uri.startswith("file:"):
        return uri[len("file:"):]
    return uri
