#!/usr/bin/env bash
# End-to-end benchmark: generates N synthetic reports (default 100000) and
# measures, in one run on one machine:
#   the I/O floor: cat of every file, and rg -c 本年新收 over the corpus;
#   xxgk ingest --full with --jobs 1 and with all cores, with peak RSS;
#   peak RSS on a tenth of the corpus, to show memory does not grow with it,
#   and the peak heap at both sizes (benches/heap_peak.rs: the bytes
#   Rust code holds; zstd allocates its contexts in C, uncounted), which the
#   RSS exceeds by the pages the allocator keeps for reuse;
#   a re-run with nothing changed, which adds to the dataset and skips every file;
#   each summary preset and --wide over the whole dataset, with peak RSS;
#   every ground-truth cell against the dataset (benches/ground_truth.py, when
#   python3 has duckdb: pip install -r tests/clients/requirements.txt).
# Prints reports/s, MB/s, the ratio to rg, the parallel speed-up and RSS.
# The timed commands run RUNS times (default 3), one job and all cores taking
# turns, and each keeps its fastest time: the machines are shared, and a
# single pair of runs can differ by a third from the next pair.
# Usage: benches/end_to_end.sh [N]   (WORK=dir to keep the corpus elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${RUNS:-3}
work=${WORK:-$(mktemp -d)}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/xxgk/target}"

if ! command -v rg >/dev/null; then
  (apt-get install -y -qq ripgrep >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null)) \
    || cargo install --locked ripgrep
fi
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null

# The build that counts the bytes the program holds, then the one measured.
cargo build --release --locked --quiet --example heap_peak
cp "$CARGO_TARGET_DIR/release/examples/heap_peak" "$work/xxgk-heap-peak"
cargo build --release --locked --quiet
xxgk="$CARGO_TARGET_DIR/release/xxgk"

echo "generating $n and $((n / 10)) reports in $work ..."
for set in corpus:$n tenth:$((n / 10)); do
  dir=$work/${set%%:*}
  if [ ! -d "$dir" ]; then
    "$xxgk" synth --n "${set##*:}" --seed 42 --out "$dir" 2>/dev/null
    mv "$dir/ground-truth.csv" "$dir.ground-truth.csv"  # not part of the corpus
  fi
done
mb=$(du -sm --apparent-size "$work/corpus" | cut -f1)

. benches/timing.sh

# Warm the page cache once so every measurement below reads from memory.
find "$work/corpus" -type f -print0 | xargs -0 cat >/dev/null
cat_s='' rg_s='' one_s='' all_s='' rerun_s='' rss_all='' rss_tenth=''
for run in $(seq "$runs"); do
  echo "run $run of $runs ..."
  read -r s _ <<<"$(seconds_and_rss sh -c "find '$work/corpus' -type f -print0 | xargs -0 cat > /dev/null")"
  cat_s=$(min "$cat_s" "$s")
  read -r s _ <<<"$(seconds_and_rss rg -c 本年新收 "$work/corpus")"
  rg_s=$(min "$rg_s" "$s")
  read -r s _ <<<"$(seconds_and_rss "$xxgk" ingest --quiet --full --jobs 1 --out "$work/out1" "$work/corpus")"
  one_s=$(min "$one_s" "$s")
  read -r s rss <<<"$(seconds_and_rss "$xxgk" ingest --quiet --full --out "$work/out" "$work/corpus")"
  all_s=$(min "$all_s" "$s") rss_all=$(max "$rss_all" "$rss")
  read -r _ rss <<<"$(seconds_and_rss "$xxgk" ingest --quiet --full --out "$work/out-tenth" "$work/tenth")"
  rss_tenth=$(max "$rss_tenth" "$rss")
  read -r s _ <<<"$(seconds_and_rss "$xxgk" ingest --quiet --out "$work/out" "$work/corpus")"
  rerun_s=$(min "$rerun_s" "$s")
done
heap_peak() { # the peak heap of a full ingest of $1, in MB
  "$work/xxgk-heap-peak" ingest --quiet --full --out "$work/out-heap" "$1" 2>&1 >/dev/null |
    awk '/^xxgk: peak heap/ {printf "%.1f", $4 / 1048576}'
}
heap_tenth=$(heap_peak "$work/tenth")
heap_all=$(heap_peak "$work/corpus")

cores=$(nproc)
printf '\n%s reports, %s MB, %s cores; fastest of %s runs, highest RSS\n' "$n" "$mb" "$cores" "$runs"
printf '%-34s %9s %12s %10s\n' "" "seconds" "reports/s" "MB/s"
row() { printf '%-34s %9s %12.0f %10.1f\n' "$1" "$2" "$(echo "$n / $2" | bc -l)" "$(echo "$mb / $2" | bc -l)"; }
row "cat (I/O floor)" "$cat_s"
row "rg -c 本年新收" "$rg_s"
row "xxgk ingest --full --jobs 1" "$one_s"
row "xxgk ingest --full (all cores)" "$all_s"
row "xxgk ingest, nothing changed" "$rerun_s"
printf '\nxxgk / rg time:           %.2fx\n' "$(echo "$all_s / $rg_s" | bc -l)"
printf 'speed-up 1 -> %s jobs:    %.2fx\n' "$cores" "$(echo "$one_s / $all_s" | bc -l)"
printf 're-run / full run time:   %.3fx\n' "$(echo "$rerun_s / $all_s" | bc -l)"
printf 'peak RSS, %7s reports: %s MB\n' "$((n / 10))" "$rss_tenth"
printf 'peak RSS, %7s reports: %s MB (growth %.0f%%)\n' "$n" "$rss_all" "$(echo "($rss_all - $rss_tenth) * 100 / $rss_tenth" | bc -l)"
printf 'peak heap, %6s reports: %s MB\n' "$((n / 10))" "$heap_tenth"
printf 'peak heap, %6s reports: %s MB (growth %.0f%%)\n' "$n" "$heap_all" "$(echo "($heap_all - $heap_tenth) * 100 / $heap_tenth" | bc -l)"
"$xxgk" check --data "$work/out" | head -1

# Summaries of the whole dataset, once each: seconds and peak RSS beside the
# ingest's (the target is under 1 GB for every preset and --wide).
printf '\n%-46s %9s %9s %12s\n' "summary of $n reports" "seconds" "RSS MB" "RSS/ingest"
for args in "--preset outcomes --by year" "--preset requests --by province" "--preset appeals --by year" \
  "--preset quality --by year" "--preset outcomes --by agency" "--by year --table requests" "--wide"; do
  # shellcheck disable=SC2086  # the arguments are words
  read -r s rss <<<"$(seconds_and_rss "$xxgk" summary --data "$work/out" $args --out /dev/null)"
  printf '%-46s %9s %9s %11.2fx%s\n' "$args" "$s" "$rss" "$(echo "$rss / $rss_all" | bc -l)" \
    "$( [ "$rss" -ge 1024 ] && echo '  over 1 GB')"
done
if python3 -c 'import duckdb' 2>/dev/null; then
  python3 benches/ground_truth.py "$work/corpus.ground-truth.csv" "$work/out"
else
  echo "ground truth not checked: python3 has no duckdb (pip install -r tests/clients/requirements.txt)"
fi
