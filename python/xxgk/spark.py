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

import contextlib
import dataclasses
from typing import Iterable, Iterator, Optional, Union

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
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
    stamp = xxgk._now_micros()

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            names = [_local_path(p) for p in batch.column("path").to_pylist()]
            contents = batch.column("content").to_pylist()
            envelope = _xxgk.parse_envelope(names, contents, batch.column("length").to_pylist(), stamp, config)
            yield from _widen(pa.ipc.open_stream(envelope).read_all())

    small = chosen.where(F.col("length") <= max_bytes).select("path", "length", "content")
    # Files over the limit are rejects, unread (binaryFile tests the length
    # before it reads), all in one task.
    none = F.lit(None).cast("binary").alias("content")
    large = chosen.where(F.col("length") > max_bytes).select("path", "length", none).coalesce(1)
    parsed = small.unionByName(large).mapInArrow(parse, _spark_schema(_WIDE))
    parsed = parsed.persist(StorageLevel.MEMORY_AND_DISK)
    # Parsed now, in few large partitions: a Python task costs about 0.1 s
    # beside a document's milliseconds, and Spark would give each 4 MB
    # (spark.sql.files.openCostInBytes) of a few-KB file a share of one.
    spark_context = spark.sparkContext
    with _session_conf(spark, {
        "spark.sql.files.openCostInBytes": str(64 * 1024),
        "spark.sql.files.minPartitionNum": str(2 * spark_context.defaultParallelism),
    }):
        parsed.count()
    # One set of rows per document: later paths with the bytes of an
    # earlier one are left out (few: broadcast to every task).
    copies = (
        parsed.where(F.col("table") == "reports")
        .groupBy("report_id")
        .agg(F.min("source_path").alias("first"), F.collect_list("source_path").alias("paths"))
        .where(F.size("paths") > 1)
        .select("report_id", F.explode("paths").alias("source_path"), "first")
        .where(F.col("source_path") != F.col("first"))
        .drop("first")
    )
    if copies.limit(1).count():
        kept = parsed.join(F.broadcast(copies), ["report_id", "source_path"], "left_anti")
    else:
        kept = parsed
    tables = {name: kept.where(F.col("table") == name).select(f"`{name}`.*") for name in xxgk.TABLES}
    facts = kept.where(F.col("table") == _xxgk.FACTS).select(f"`{_xxgk.FACTS}`.*").repartition("agency")

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
    # Timestamps as the CLI writes them (microseconds), not Spark's INT96.
    with _session_conf(result.cells.sparkSession, {"spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS"}):
        for name, frame in result.tables().items():
            writer = frame.write.mode(mode).option("compression", "zstd")
            if name != "rejects":
                writer = writer.partitionBy("year")
            writer.parquet(f"{out.rstrip('/')}/{name}")


#: The parse as Spark keeps it: a row per row of any table, that table's
#: columns in the struct named after it (the others null), with the
#: document's id and path to tell copies apart. One Python pass fills it; each
#: table is then a projection of it, in the JVM.
_WIDE = pa.schema(
    [("report_id", pa.string()), ("source_path", pa.string()), ("table", pa.string())]
    + [(name, pa.struct(list(xxgk.schema(name)))) for name in (*xxgk.TABLES, _xxgk.FACTS)]
)


def _widen(envelope: pa.Table) -> Iterator[pa.RecordBatch]:
    """The envelope's rows in the ``_WIDE`` schema, a batch per table."""
    by_table: dict = {}
    for report_id, path, table, stream in zip(*(envelope.column(c).to_pylist() for c in envelope.column_names)):
        by_table.setdefault(table, []).append((report_id, path, pa.ipc.open_stream(stream).read_all()))
    for table, parts in by_table.items():
        [rows] = pa.concat_tables([part for _, _, part in parts]).combine_chunks().to_batches()
        n = rows.num_rows
        columns = {
            "report_id": pa.array([rid for rid, _, part in parts for _ in range(part.num_rows)], pa.string()),
            "source_path": pa.array([path for _, path, part in parts for _ in range(part.num_rows)], pa.string()),
            "table": pa.array([table] * n, pa.string()),
        }
        for field in list(_WIDE)[3:]:
            if field.name == table:
                columns[field.name] = pa.StructArray.from_arrays(rows.columns, fields=list(field.type))
            else:
                columns[field.name] = pa.nulls(n, field.type)
        yield pa.RecordBatch.from_pydict(columns, schema=_WIDE)


@contextlib.contextmanager
def _session_conf(spark: SparkSession, settings: dict):
    """Sets Spark SQL settings for the block, then puts them back."""
    before = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
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


def main(argv: Optional[list] = None) -> None:
    """``spark-submit …/xxgk/spark.py INPUT… --out DIR``: ingest and write."""
    import argparse

    parser = argparse.ArgumentParser(prog="xxgk.spark", description="Parse reports in Spark and write the tables.")
    parser.add_argument("inputs", nargs="+", help="files or folders (file:, hdfs:, s3a: …)")
    parser.add_argument("--out", required=True, help="folder to write the tables to")
    parser.add_argument("--mode", default="errorifexists", help="Spark's write mode (overwrite, append …)")
    parser.add_argument("--config", help="an xxgk.toml every executor can read")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("xxgk").getOrCreate()
    result = ingest(spark, args.inputs, out=args.out, config=args.config, mode=args.mode)
    reports, rejects = result.reports.count(), result.rejects.count()
    print(f"xxgk: {reports} reports, {rejects} rejects written to {args.out}")
    result.unpersist()


if __name__ == "__main__":
    main()
