"""xxgk.parse_file / parse_bytes / schema: the CLI's rows, for one document."""

import os

import pyarrow.dataset as ds
import pytest

import xxgk
from conftest import REPO, cli_ingest

# Columns stamped per run, not parsed from the document.
PER_RUN = {"ingested_at"}


def rows(table, *, without=PER_RUN):
    names = [n for n in table.column_names if n not in without]
    return sorted(table.select(names).to_pylist(), key=repr)


def cli_rows(out, table, report_id):
    data = ds.dataset(out / table, format="parquet", partitioning="hive").to_table()
    data = data.filter(ds.field("report_id") == report_id)
    return data


@pytest.mark.parametrize("name", ["pingtan-2021.html", "hongze-2023.pdf", "pingtan-2021.docx", "pingtan-2020.doc"])
def test_a_document_parses_to_the_rows_the_cli_writes(corpus, tmp_path, name):
    path = corpus / "real" / name
    out = cli_ingest(tmp_path / "out", path)
    doc = xxgk.parse_file(path)
    assert doc.is_report and doc.rejects.num_rows == 0
    report_id = doc.reports.column("report_id")[0].as_py()
    for table in ["cells", "reports", "checks", "sections", "claims"]:
        got = getattr(doc, table)
        want = cli_rows(out, table, report_id)
        assert got.num_rows == want.num_rows, table
        assert got.column_names == want.column_names, table
        assert rows(got) == rows(want.cast(got.schema)), table


def test_every_table_has_the_contract_schema_with_year_last():
    cells = xxgk.schema("cells")
    assert cells.names[:3] == ["report_id", "agency", "template"]
    assert cells.names[-1] == "year" and str(cells.field("year").type) == "int16"
    assert str(cells.field("value").type) == "double" and str(cells.field("source_line").type) == "int32"
    assert "year" not in xxgk.schema("rejects").names
    assert str(xxgk.schema("reports").field("warnings").type) == "list<item: string>"
    with pytest.raises(ValueError, match="no table"):
        xxgk.schema("cellz")


def test_a_file_that_is_no_report_is_one_reject_with_its_reason():
    doc = xxgk.parse_bytes("关于召开会议的通知".encode(), "notice.txt")
    assert not doc.is_report
    assert doc.cells.num_rows == 0 and doc.reports.num_rows == 0
    [reject] = doc.rejects.to_pylist()
    assert reject["source_path"] == "notice.txt"
    assert reject["reason"] == "no statistics tables found in the text"
    assert reject["code"] == "no_tables"
    assert doc.cells.schema == xxgk.schema("cells")


def test_crawler_metadata_wins_over_the_text(corpus):
    path = corpus / "real" / "pingtan-2021.html"
    meta = {"agency": "平潭综合实验区管理委员会", "url": "https://example.gov.cn/a.html", "year": 2021}
    doc = xxgk.parse_bytes(path.read_bytes(), str(path), meta)
    [report] = doc.reports.to_pylist()
    assert report["agency"] == "平潭综合实验区管理委员会"
    assert report["source_url"] == "https://example.gov.cn/a.html"
    assert set(doc.cells.column("agency").to_pylist()) == {"平潭综合实验区管理委员会"}


def test_a_config_sets_the_size_limit(corpus, tmp_path):
    config = (REPO / "config" / "xxgk.toml").read_text(encoding="utf-8")
    config = config.replace('template = "template.toml"', f'template = "{REPO / "config" / "template.toml"}"')
    config = config.replace('divisions = "../data/divisions.tsv"', f'divisions = "{REPO / "data" / "divisions.tsv"}"')
    config = config.replace("max_file_bytes = 20_000_000", "max_file_bytes = 1000")
    assert "max_file_bytes = 1000" in config
    (tmp_path / "xxgk.toml").write_text(config, encoding="utf-8")
    path = corpus / "real" / "pingtan-2021.html"
    doc = xxgk.parse_file(path, config=str(tmp_path / "xxgk.toml"))
    [reject] = doc.rejects.to_pylist()
    size = path.stat().st_size
    assert reject["reason"] == f"file is {size} bytes, above the limit of 1000 (ingest.max_file_bytes)"
    assert xxgk.parse_file(path).is_report, "the built-in config is untouched"
    with pytest.raises(ValueError, match="cannot read config"):
        xxgk.parse_file(path, config=str(tmp_path / "missing.toml"))


@pytest.mark.parametrize(
    "name, source_name",
    [
        # 报告.html in GBK: its bytes kept as \xNN, not a UnicodeEncodeError.
        (b"\xb1\xa8\xb8\xe6.html", "\\xB1\\xA8\\xB8\\xE6.html"),
        (b"a b%20c\\d.html", "a b%20c\\x5Cd.html"),
    ],
)
def test_parse_file_names_the_file_as_the_cli_does(corpus, tmp_path, name, source_name):
    folder = tmp_path / "in"
    folder.mkdir()
    path = os.path.join(os.fsencode(folder), name)
    with open(path, "wb") as file:
        file.write((corpus / "real" / "pingtan-2021.html").read_bytes())
    # Through a link to the folder, resolved as the CLI resolves it.
    link = tmp_path / "link"
    link.symlink_to(folder)
    given = os.path.join(os.fsencode(link), name)
    [report] = xxgk.parse_file(given).reports.to_pylist()
    assert report["source_path"] == f"{folder}/{source_name}"
    out = cli_ingest(tmp_path / "out", os.fsdecode(given))
    assert cli_rows(out, "reports", report["report_id"]).column("source_path").to_pylist() == [report["source_path"]]
    assert xxgk.parse_file(os.fsdecode(given)).reports.column("source_path").to_pylist() == [report["source_path"]]


def test_a_file_that_cannot_be_read_raises_the_clis_reason(tmp_path):
    with pytest.raises(OSError, match=r"gone\.html: cannot read: No such file or directory \(os error 2\)"):
        xxgk.parse_file(tmp_path / "gone.html")
