#!/usr/bin/env bash
# Instructions per report: counts, under valgrind (callgrind), the
# instructions `xxgk ingest --full --jobs 1` executes on N synthetic reports
# (default 2000), less those of a run on no input (start-up: config and
# division table). Unlike wall time on a shared machine, the count repeats to
# within a fraction of a percent, so it shows the effect of a change to the
# per-report work. Each binary given is measured on the same corpus, the
# first one as the baseline.
# Usage: benches/instructions.sh [N] [BINARY...]   (default: this checkout's
# release build; WORK=dir to keep the corpus; CRAWLER=1 for the crawler
# layouts: tags stripped, PDF text, one text node per line)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
shift || true
work=${WORK:-$(mktemp -d)}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/xxgk/target}"
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null

if [ $# -eq 0 ]; then
  cargo build --release --locked --quiet
  set -- "$CARGO_TARGET_DIR/release/xxgk"
fi
[ -d "$work/corpus" ] || "$1" synth --n "$n" --seed 42 ${CRAWLER:+--crawler} --out "$work/corpus" 2>/dev/null
rm -f "$work/corpus/ground-truth.csv"
mkdir -p "$work/empty"

instructions() { # binary, input folder
  rm -rf "$work/out"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" ingest --quiet --full --jobs 1 \
    --out "$work/out" "$2" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

base=""
for bin in "$@"; do
  per=$(( ($(instructions "$bin" "$work/corpus") - $(instructions "$bin" "$work/empty")) / n ))
  base=${base:-$per}
  printf '%-50s %12s instructions/report  %.3fx\n' "$bin" "$per" "$(echo "$per / $base" | bc -l)"
done
