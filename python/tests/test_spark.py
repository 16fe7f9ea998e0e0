"""xxgk.spark.ingest on a local Spark (local[2]) gives the CLI's dataset,
row for row, over the shared corpus."""

import os
import sys

import pyarrow.dataset as ds
import pytest

from conftest import cli_ingest

pyspark = pytest.importorskip("pyspark")

from xxgk.spark import ingest  # noqa: E402

# Stamped per run, not parsed from the documents.
PER_RUN = {"ingested_at"}


@pytest.fixture(scope="module")
def spark():
    # The workers run this interpreter, which has xxgk and pyarrow.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("xxgk-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def inputs(corpus, tmp_path_factory):
    """The corpus, plus what only a crawl has: two files with the same bytes,
    a file over the size limit (sparse, so never read), a picture."""
    extra = tmp_path_factory.mktemp("extra")
    # Bytes of their own (the corpus file's plus a line end), so the first
    # path is a-copy in both: Spark keeps the smallest path, the CLI the first
    # in input order.
    copy = (corpus / "real" / "pingtan-2022.html").read_bytes() + b"\n"
    (extra / "a-copy.html").write_bytes(copy)
    (extra / "b-copy.html").write_bytes(copy)
    with open(extra / "huge.txt", "wb") as f:
        f.truncate(20_000_001)
    (extra / "scan.jpg").write_bytes(b"\xff\xd8\xff")
    return [corpus / "real", corpus / "seeds", extra]


@pytest.fixture(scope="module")
def both(spark, inputs, tmp_path_factory):
    """The CLI's dataset and the one Spark writes, over the same inputs."""
    cli = cli_ingest(tmp_path_factory.mktemp("cli") / "out", *inputs)
    out = tmp_path_factory.mktemp("spark") / "out"
    result = ingest(spark, [str(p) for p in inputs], out=str(out))
    yield cli, out, result
    result.unpersist()


def rows(dataset_dir, table):
    partitioning = None if table == "rejects" else "hive"
    data = ds.dataset(dataset_dir / table, format="parquet", partitioning=partitioning).to_table()
    names = [n for n in data.column_names if n not in PER_RUN]
    return sorted(data.select(names).to_pylist(), key=repr)


@pytest.mark.parametrize("table", ["cells", "reports", "checks", "sections", "claims", "rejects"])
def test_spark_writes_the_dataset_the_cli_writes(both, table):
    cli, spark_out, _ = both
    want, got = rows(cli, table), rows(spark_out, table)
    assert len(got) == len(want)
    assert got == want


def test_the_dataset_holds_every_kind_of_file_and_one_report_of_two_copies(both):
    cli, _, _ = both
    layouts = {r["layout"] for r in rows(cli, "reports")}
    assert {"html", "pdf", "docx", "doc"} <= layouts
    copies = [r for r in rows(cli, "reports") if r["source_path"].endswith("-copy.html")]
    assert [r["source_path"].rsplit("/", 1)[1] for r in copies] == ["a-copy.html"]


def test_files_over_the_limit_are_rejects_and_others_are_counted_by_extension(both):
    _, _, result = both
    [huge] = result.rejects.where("source_path LIKE '%huge.txt'").collect()
    assert huge.reason == "file is 20000001 bytes, above the limit of 20000000 (ingest.max_file_bytes)"
    skipped = {r.extension: r.files for r in result.skipped.collect()}
    assert skipped == {".jpg": 1, ".tsv": 1}


def test_the_dataframes_have_the_contract_types(both):
    _, _, result = both
    types = dict(result.cells.dtypes)
    assert types["value"] == "double" and types["source_line"] == "int" and types["year"] == "smallint"
    assert dict(result.reports.dtypes)["warnings"] == "array<string>"
    assert dict(result.reports.dtypes)["ingested_at"] == "timestamp"


def test_the_checks_across_years_link_an_agency_s_consecutive_years(spark, corpus, tmp_path):
    # The HTML reports alone: with their twins, each year would have several
    # reports of the agency, and no one report of the year before to link to.
    names = ["pingtan-2019", "pingtan-2020", "pingtan-2021", "pingtan-2022", "pingtan-htp-2023"]
    files = [corpus / "real" / f"{name}.html" for name in names]
    cli = cli_ingest(tmp_path / "cli", *files)
    result = ingest(spark, [str(f) for f in files], out=str(tmp_path / "spark"))
    result.unpersist()
    want, got = rows(cli, "checks"), rows(tmp_path / "spark", "checks")
    assert got == want
    links = [c for c in got if c["check"] == "requests.carry_over"]
    # 2020, 2021 and 2022 each link to the year before, one row per column.
    assert sorted({c["year"] for c in links}) == [2020, 2021, 2022]
    assert len(links) == 21 and all(c["status"] == "pass" for c in links)


def test_spark_submit_runs_the_module_as_the_readme_says(corpus, tmp_path):
    import subprocess

    import duckdb
    import xxgk.spark

    out = tmp_path / "out"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    submit = os.path.join(os.path.dirname(sys.executable), "spark-submit")
    command = [submit, "--master", "local[2]", xxgk.spark.__file__, str(corpus / "real"), "--out", str(out)]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"xxgk: 20 reports, 1 rejects written to {out}" in result.stdout
    # Queried in place, as the README shows for DuckDB.
    query = f"SELECT count(DISTINCT report_id), min(year) FROM read_parquet('{out}/cells/*/*.parquet', hive_partitioning = true)"
    assert duckdb.sql(query).fetchall() == [(20, 2019)]
