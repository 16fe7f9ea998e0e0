"""Open an xxgk dataset the way researchers do (polars, pandas, DuckDB),
check the types, and reproduce one number of `xxgk summary` in each."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[2]
XXGK = os.environ.get("XXGK_BIN", str(REPO / "target" / "release" / "xxgk"))


def run(*args):
    result = subprocess.run([XXGK, *args], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("dataset") / "out"
    run("ingest", "--quiet", "--out", str(out), "data/samples")
    return out


@pytest.fixture(scope="module")
def summary(out, tmp_path_factory):
    """New requests (column 总计) per year, from `xxgk summary`."""
    path = tmp_path_factory.mktemp("summary") / "new.csv"
    run("summary", "--data", str(out), "--by", "year", "--table", "requests",
        "--rows", "new", "--cols", "total", "--out", str(path))
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows, "summary is empty"
    return {int(r["year"]): float(r["value"]) for r in rows}


def test_polars(out, summary):
    cells = pl.scan_parquet(str(out / "cells" / "**" / "*.parquet"), hive_partitioning=True)
    schema = cells.collect_schema()
    assert schema["year"].is_integer()
    assert schema["value"] == pl.Float64
    assert schema["row"] == pl.String and schema["table"] == pl.String
    assert schema["source_line"] == pl.Int32 and schema["source_page"] == pl.Int32
    got = (
        cells.filter((pl.col("table") == "requests") & (pl.col("row") == "new") & (pl.col("col") == "total"))
        .group_by("year").agg(pl.col("value").sum()).collect()
    )
    assert {int(y): v for y, v in got.iter_rows()} == summary


def test_pandas(out, summary):
    cells = pd.read_parquet(out / "cells")
    # Hive partition columns arrive as categoricals; their categories are integers.
    assert pd.api.types.is_integer_dtype(cells["year"].cat.categories)
    assert cells["value"].dtype == "float64"
    assert pd.api.types.is_string_dtype(cells["row"])
    new = cells[(cells["table"] == "requests") & (cells["row"] == "new") & (cells["col"] == "total")]
    got = new.groupby(new["year"].astype(int))["value"].sum()
    assert got.to_dict() == summary


def test_duckdb(out, summary):
    path = str(out / "cells" / "*" / "*.parquet")
    con = duckdb.connect()
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}', hive_partitioning = true)").fetchall()
    types = {name: kind for name, kind, *_ in described}
    assert types["year"] in ("BIGINT", "INTEGER", "SMALLINT")
    assert types["value"] == "DOUBLE" and types["row"] == "VARCHAR"
    got = con.execute(
        f"""SELECT year, sum(value) FROM read_parquet('{path}', hive_partitioning = true)
            WHERE "table" = 'requests' AND "row" = 'new' AND col = 'total' GROUP BY year"""
    ).fetchall()
    assert {int(y): v for y, v in got} == summary


def test_reports_and_checks_open_too(out):
    reports = pl.read_parquet(str(out / "reports" / "**" / "*.parquet"), hive_partitioning=True)
    assert reports.schema["published_date"] == pl.Date
    assert reports.schema["warnings"] == pl.List(pl.String)
    checks = pd.read_parquet(out / "checks")
    assert set(checks["status"]) <= {"pass", "fail", "skipped"}


def test_notebook_draws_its_plot(out, tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "notebooks" / "first_analysis.py"), str(out), str(tmp_path)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    png = tmp_path / "applications_per_year.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "outcome shares" in result.stdout


@pytest.mark.parametrize("table", ["cells", "reports", "checks", "sections", "claims", "rejects"])
def test_every_table_folder_reads_even_when_empty(out, table):
    """The samples have no reject: the rejects folder still reads, with its schema."""
    import pyarrow.dataset as ds

    folder = out / table
    arrow = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    frame = pl.scan_parquet(str(folder / "**" / "*.parquet"), hive_partitioning=True).collect()
    count = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"
    ).fetchone()[0]
    assert arrow.num_rows == frame.height == count
    assert "source_path" in arrow.schema.names or "report_id" in arrow.schema.names
    if table == "rejects":
        assert count == 0 and "reason" in frame.columns


def test_readers_see_a_whole_dataset_while_runs_commit(tmp_path):
    """Queries in a loop while runs replace a file and commit: each query
    resolves the dataset's link once and sees one whole snapshot."""
    import shutil
    import threading

    inputs = tmp_path / "in"
    shutil.copytree(REPO / "data" / "samples", inputs)
    out = tmp_path / "out"
    run("ingest", "--quiet", "--out", str(out), str(inputs))
    changing = inputs / "000002-tab_rows-gov2021.txt"
    original = changing.read_text(encoding="utf-8")
    done = threading.Event()

    def nightly_runs():
        try:
            for i in range(12):
                changing.write_text(original + "\n" * (i + 1), encoding="utf-8")
                run("ingest", "--quiet", "--out", str(out), str(inputs))
        finally:
            done.set()

    writer = threading.Thread(target=nightly_runs)
    writer.start()
    failures, queries = [], 0
    while not done.is_set() or queries < 20:
        snapshot = os.path.realpath(out)
        try:
            reports = duckdb.sql(
                f"select count(*), count(distinct report_id) from read_parquet('{snapshot}/reports/**/*.parquet')"
            ).fetchall()[0]
            cells = pq_rows(snapshot)
            assert reports == (16, 16), reports
            assert cells == 16 * 200 - 14, cells
        except Exception as err:  # noqa: BLE001 - every failure is counted
            failures.append(repr(err))
        queries += 1
    writer.join()
    assert not failures, f"{len(failures)} of {queries} queries failed: {failures[:3]}"


def pq_rows(snapshot):
    import pyarrow.dataset as ds

    return ds.dataset(os.path.join(snapshot, "cells"), format="parquet", partitioning="hive").count_rows()
