"""Shared fixtures: the CLI to compare with, and the shared corpus."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
XXGK = os.environ.get("XXGK_BIN", str(REPO / "target" / "release" / "xxgk"))
CORPUS = (REPO.parent / "shared" / "corpus").resolve()


@pytest.fixture(scope="session")
def corpus():
    """The shared corpus: its tests are skipped in a lone clone, and fail
    instead when XXGK_REQUIRE_CORPUS is set (as in CI)."""
    if not (CORPUS / "real").is_dir():
        if os.environ.get("XXGK_REQUIRE_CORPUS"):
            pytest.fail(f"{CORPUS} is missing")
        pytest.skip(f"{CORPUS} is missing")
    return CORPUS


def cli_ingest(out, *inputs):
    result = subprocess.run(
        [XXGK, "ingest", "--quiet", "--out", str(out), *map(str, inputs)], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode in (0, 1), result.stderr  # 1: some files were rejects
    return Path(out)
