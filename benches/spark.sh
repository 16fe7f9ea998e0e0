#!/usr/bin/env bash
# Spark benchmark: documents/s of xxgk.spark.ingest on a local Spark with
# all cores (local[*]) beside the CLI's ingest of the same files, in one run,
# for HTML and PDF (benches/documents.sh). Each is run RUNS times (default
# 3) and the fastest kept. Spark's time counts from the ingest call to the
# last table written, after one untimed ingest that warms the JVM: not the
# session's start and first run (some 10 seconds, once per session).
# Needs the Python package and PySpark in $VENV (default ~/.cache/xxgk/venv;
# .ci/run installs both).
# Usage: benches/spark.sh [N]   (default 600; WORK=dir keeps the files)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-600}
runs=${RUNS:-3}
work=${WORK:-$(mktemp -d)}
venv=${VENV:-$HOME/.cache/xxgk/venv}
. benches/documents.sh
build_xxgk
make_documents "$work" "$n" "$xxgk"
. benches/timing.sh

declare -A cli spark
for run in $(seq "$runs"); do
  echo "run $run of $runs ..."
  for kind in html pdf; do
    read -r s _ <<<"$(seconds_and_rss "$xxgk" ingest --quiet --full --out "$work/out-$kind" "$work/$kind")"
    cli[$kind]=$(min "${cli[$kind]:-}" "$s")
  done
  # One Spark session for both kinds; prints "kind seconds" per kind.
  while read -r kind s; do
    spark[$kind]=$(min "${spark[$kind]:-}" "$s")
  done < <(PYSPARK_PYTHON="$venv/bin/python" "$venv/bin/python" - "$work" html pdf <<'PY' 2>/dev/null
import shutil, sys, time
from pyspark.sql import SparkSession
from xxgk.spark import ingest
work = sys.argv[1]
spark = SparkSession.builder.master("local[*]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
# A first ingest, not timed: the JVM compiles its hot code on the first run.
ingest(spark, [f"{work}/{sys.argv[2]}"]).unpersist()
for kind in sys.argv[2:]:
    out = f"{work}/spark-{kind}"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    ingest(spark, [f"{work}/{kind}"], out=out).unpersist()
    print(kind, time.perf_counter() - started, flush=True)
PY
  )
done

printf '\n%s cores; fastest of %s runs\n' "$(nproc)" "$runs"
printf '%-6s %6s %12s %12s %14s\n' kind files "CLI docs/s" "Spark docs/s" "Spark vs CLI"
for kind in html pdf; do
  files=$(find "$work/$kind" -type f | wc -l)
  awk -v k="$kind" -v n="$files" -v c="${cli[$kind]}" -v s="${spark[$kind]:-0}" 'BEGIN {
    cr = n / (c > 0 ? c : 0.001); sr = (s > 0 ? n / s : 0)
    printf "%-6s %6d %12.0f %12.0f %13.2fx\n", k, n, cr, sr, sr / cr }'
done
