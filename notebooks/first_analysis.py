"""A first analysis of an xxgk dataset: applications per year and the
shares of their outcomes, with one plot.

    python notebooks/first_analysis.py [DATASET] [OUTPUT_DIR]

DATASET defaults to out/ (what `cargo run --release -- ingest` writes).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # draw to files; no display needed
import matplotlib.pyplot as plt
import polars as pl

data = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
output = Path(sys.argv[2] if len(sys.argv) > 2 else ".")

cells = pl.scan_parquet(str(data / "cells" / "**" / "*.parquet"), hive_partitioning=True)
requests = cells.filter((pl.col("table") == "requests") & (pl.col("col") == "total"))

# Applications received per year (row 一, column 总计); blank cells count as 0.
per_year = (
    requests.filter(pl.col("row") == "new")
    .group_by("year")
    .agg(pl.col("value").sum().alias("applications"), pl.col("report_id").n_unique().alias("reports"))
    .sort("year")
    .collect()
)
print("applications per year")
print(per_year)

# Outcome shares: each family of result rows over （七）总计.
family = (
    pl.when(pl.col("row").str.starts_with("result.withheld")).then(pl.lit("withheld"))
    .when(pl.col("row").str.starts_with("result.unavailable")).then(pl.lit("unavailable"))
    .when(pl.col("row").str.starts_with("result.not_processed")).then(pl.lit("not_processed"))
    .when(pl.col("row").str.starts_with("result.other")).then(pl.lit("other"))
    .when(pl.col("row") == "result.granted").then(pl.lit("granted"))
    .when(pl.col("row") == "result.partial").then(pl.lit("partial"))
)
outcomes = (
    requests.filter(pl.col("row").str.starts_with("result.") & (pl.col("row") != "result.total"))
    .with_columns(family.alias("outcome"))
    .group_by("outcome")
    .agg(pl.col("value").sum())
    .with_columns((pl.col("value") / pl.col("value").sum()).alias("share"))
    .sort("share", descending=True)
    .collect()
)
print("outcome shares")
print(outcomes)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.bar([str(y) for y in per_year["year"]], per_year["applications"], color="#3b6ea5")
ax.set_xlabel("report year")
ax.set_ylabel("applications received")
ax.set_title("Information-disclosure applications per year")
fig.tight_layout()
fig.savefig(output / "applications_per_year.png", dpi=120)
print(f"plot written to {output / 'applications_per_year.png'}")
