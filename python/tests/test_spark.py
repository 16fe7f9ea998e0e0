"""xxgk.spark.ingest on a local Spark (local[2]) gives the CLI's dataset,
row for row, over the shared corpus."""

import json
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
    """The corpus, plus what only a crawl has: files with the same bytes, a
    file over the size limit (sparse, so never read), a picture, names
    Hadoop's listing does not see (hidden, not UTF-8, a broken link), a name
    with a space, a percent sign and a backslash, a folder given through a
    link, a picture named as an input, and a later input with a copy."""
    real = corpus / "real"
    extra = tmp_path_factory.mktemp("extra")
    # Bytes of their own (a corpus file's plus line ends): a-copy is first
    # in its folder, a/copy before a-b/copy (path order, component by
    # component), and both before the copy in a later input, aaa, though
    # its path is the smallest.
    copy = (real / "pingtan-2022.html").read_bytes() + b"\n"
    (extra / "a-copy.html").write_bytes(copy)
    (extra / "b-copy.html").write_bytes(copy)
    later = tmp_path_factory.mktemp("aaa")
    (later / "z-copy.html").write_bytes(copy)
    (extra / "a").mkdir()
    (extra / "a-b").mkdir()
    (extra / "a" / "copy.html").write_bytes((real / "pingtan-2021.html").read_bytes() + b"\n")
    (extra / "a-b" / "copy.html").write_bytes((real / "pingtan-2021.html").read_bytes() + b"\n")
    with open(extra / "huge.txt", "wb") as f:
        f.truncate(20_000_001)
    (extra / "scan.jpg").write_bytes(b"\xff\xd8\xff")
    _hidden_from_hadoop(real, extra)
    (extra / "a b%20c\\d.html").write_bytes((real / "pingtan-htp-2023.html").read_bytes() + b"\n")
    (extra / "part.html._COPYING_").write_bytes(b"x")
    link = tmp_path_factory.mktemp("link") / "extra"
    link.symlink_to(extra)
    named = tmp_path_factory.mktemp("named") / "named.jpg"
    named.write_bytes((real / "pingtan-2020.html").read_bytes() + b"\n\n")
    return [real, corpus / "seeds", link, later, named]


def _hidden_from_hadoop(real, folder):
    """Files Hadoop's listing does not see: 4 of them."""
    (folder / ".hidden.html").write_bytes((real / "pingtan-2019.html").read_bytes() + b"\n")
    (folder / "_drafts").mkdir()
    (folder / "_drafts" / "draft.html").write_bytes((real / "pingtan-2020.html").read_bytes() + b"\n")
    # 报告.html in GBK.
    (folder / os.fsdecode(b"\xb1\xa8\xb8\xe6.html")).write_bytes((real / "shanghai-office-2019.html").read_bytes() + b"\n")
    (folder / "gone.html").symlink_to(folder / "nowhere.html")


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


def paths(dataset_dir, table):
    return {r["source_path"] for r in rows(dataset_dir, table)}


@pytest.mark.parametrize("table", ["cells", "reports", "checks", "sections", "claims", "rejects"])
def test_spark_writes_the_dataset_the_cli_writes(both, table):
    cli, spark_out, _ = both
    want, got = rows(cli, table), rows(spark_out, table)
    assert len(got) == len(want)
    assert got == want


def test_the_dataset_holds_every_kind_of_file_and_one_report_of_copies(both, inputs):
    _, spark_out, _ = both
    layouts = {r["layout"] for r in rows(spark_out, "reports")}
    assert {"html", "pdf", "docx", "doc"} <= layouts
    copies = sorted(p for p in paths(spark_out, "reports") if p.endswith("copy.html"))
    # The first in the CLI's order: not the smallest path (aaa…/z-copy.html, a-b/copy.html).
    extra = os.path.realpath(inputs[2])
    assert copies == [f"{extra}/a-copy.html", f"{extra}/a/copy.html"]


def test_every_file_is_read_as_the_cli_reads_it_whatever_its_name(both, inputs):
    cli, spark_out, _ = both
    extra = os.path.realpath(inputs[2])
    reports = paths(spark_out, "reports")
    # Under the folder's resolved path; the name not UTF-8 as \xNN, the backslash as \x5C.
    for name in [".hidden.html", "_drafts/draft.html", "\\xB1\\xA8\\xB8\\xE6.html", "a b%20c\\x5Cd.html"]:
        assert f"{extra}/{name}" in reports, name
    assert str(inputs[4]) in reports, "a file named as an input is read whatever its extension"
    [gone] = [r for r in rows(spark_out, "rejects") if r["source_path"] == f"{extra}/gone.html"]
    assert gone["reason"] == "cannot read: broken symbolic link (its target does not exist)"
    assert reports == paths(cli, "reports")


def test_files_over_the_limit_are_rejects_and_others_are_counted_by_extension(both):
    cli, _, result = both
    [huge] = result.rejects.where("source_path LIKE '%huge.txt'").collect()
    assert huge.reason == "file is 20000001 bytes, above the limit of 20000000 (ingest.max_file_bytes)"
    skipped = {r.extension: r.files for r in result.skipped.collect()}
    assert skipped == {".jpg": 1, ".tsv": 1, "._copying_": 1}
    assert skipped == json.loads((cli / "manifest.json").read_text())["skipped_files"]


def test_the_spark_reader_gives_the_cli_rows_of_what_hadoop_lists(spark, corpus, tmp_path):
    """reader="spark" (binaryFile, as for HDFS or S3) on local files: the
    CLI's rows for every file Hadoop lists, and a warning counting those it
    does not."""
    real = corpus / "real"
    visible = tmp_path / "visible"
    visible.mkdir()
    (visible / "pingtan-2019.html").write_bytes((real / "pingtan-2019.html").read_bytes())
    (visible / "a b%20c\\d.html").write_bytes((real / "pingtan-2021.html").read_bytes())
    (visible / "copy.html").write_bytes((real / "pingtan-2021.html").read_bytes())
    (visible / "scan.jpg").write_bytes(b"\xff\xd8\xff")
    with open(visible / "huge.txt", "wb") as f:
        f.truncate(20_000_001)
    link = tmp_path / "link"
    link.symlink_to(visible)
    named = tmp_path / "named.jpg"
    named.write_bytes((real / "pingtan-2020.html").read_bytes())
    unseen = tmp_path / "unseen"
    unseen.mkdir()
    _hidden_from_hadoop(real, unseen)
    cli = cli_ingest(tmp_path / "cli", link, named)
    with pytest.warns(UserWarning, match="Spark's listing misses 4 files"):
        result = ingest(spark, [str(link), str(named), str(unseen)], out=str(tmp_path / "spark"), reader="spark")
    skipped = {r.extension: r.files for r in result.skipped.collect()}
    result.unpersist()
    for table in ["cells", "reports", "checks", "sections", "claims", "rejects"]:
        assert rows(tmp_path / "spark", table) == rows(cli, table), table
    assert f"{visible}/a b%20c\\x5Cd.html" in paths(cli, "reports")
    assert skipped == {".jpg": 1}


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


@pytest.mark.parametrize("reader", ["auto", "spark"])
@pytest.mark.parametrize("how", ["deleted after listing", "no read permission"])
def test_a_file_that_cannot_be_read_is_a_reject_and_the_others_are_read(spark, corpus, tmp_path, monkeypatch, reader, how):
    import xxgk.spark

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ["pingtan-2019.html", "pingtan-2020.html", "pingtan-2021.html"]:
        (folder / name).write_bytes((corpus / "real" / name).read_bytes())
    victim = folder / "pingtan-2021.html"
    if how == "no read permission":
        if os.geteuid() == 0:
            pytest.skip("root reads a file whatever its permissions")
        victim.chmod(0)
        errno = "Permission denied (os error 13)"
    else:
        parse_all = xxgk.spark._parse_all

        def delete_then_parse(*args):
            victim.unlink()
            return parse_all(*args)

        # Listed already (the driver's walk, or binaryFile's listing), read now.
        monkeypatch.setattr(xxgk.spark, "_parse_all", delete_then_parse)
        errno = "No such file or directory (os error 2)"
    result = ingest(spark, [str(folder)], reader=reader)
    reports = result.reports.count()
    [reject] = result.rejects.collect()
    result.unpersist()
    assert reports == 2
    assert reject.source_path == str(victim)
    if reader == "auto":
        # As the CLI words it (std::io::Error).
        assert reject.reason == f"cannot read: {errno}"
    else:
        assert reject.reason.startswith("cannot read: listed, but Spark's binaryFile could not read it")


def test_a_table_without_rows_is_still_a_parquet_file_with_its_schema(spark, tmp_path):
    import duckdb

    import xxgk

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notice.txt").write_text("关于召开会议的通知", encoding="utf-8")
    out = tmp_path / "out"
    ingest(spark, [str(tmp_path / "in")], out=str(out)).unpersist()
    for table in ["cells", "reports", "checks", "sections", "claims"]:
        # The README's query, on a table with no rows.
        query = duckdb.sql(f"SELECT * FROM read_parquet('{out}/{table}/*/*.parquet', hive_partitioning = true)")
        assert query.fetchall() == [], table
        assert query.columns == xxgk.schema(table).names, table
    assert duckdb.sql(f"SELECT reason FROM read_parquet('{out}/rejects/*.parquet')").fetchall() == [
        ("no statistics tables found in the text",)
    ]


def test_ingest_runs_under_spark_connect(corpus, tmp_path):
    """Spark Connect (a local server here) has no SparkContext."""
    pytest.importorskip("grpc", reason="Spark Connect's client needs pyspark[connect]")
    import subprocess

    script = """
import sys
from pyspark.sql import SparkSession
from xxgk.spark import ingest
spark = SparkSession.builder.remote("local[2]").getOrCreate()
for reader in ["auto", "spark"]:
    result = ingest(spark, sys.argv[1:3], out=f"{sys.argv[3]}/{reader}", reader=reader)
    print(reader, result.reports.count(), result.rejects.count())
    result.unpersist()
spark.stop()
"""
    files = [corpus / "real" / "pingtan-2019.html", corpus / "real" / "pingtan-2020.html"]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    command = [sys.executable, "-c", script, *map(str, files), str(tmp_path)]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split("\n")[:2] == ["auto 2 0", "spark 2 0"]
