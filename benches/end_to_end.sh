#!/usr/bin/env bash
# End-to-end benchmark: generates N synthetic reports (default 100000) and
# measures, in one run on one machine:
#   the I/O floor: cat of every file, and rg -c 本年新收 over the corpus;
#   xxgk ingest --full with --jobs 1 and with all cores, with peak RSS;
#   peak RSS on a tenth of the corpus, to show memory does not grow with it;
#   a re-run with nothing changed, which adds to the dataset and skips every file;
#   every ground-truth cell against the dataset (benches/ground_truth.py, when
#   python3 has duckdb: pip install -r tests/clients/requirements.txt).
# Prints reports/s, MB/s, the ratio to rg, the parallel speed-up and RSS.
# Usage: benches/end_to_end.sh [N]   (WORK=dir to keep the corpus elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
work=${WORK:-$(mktemp -d)}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/xxgk/target}"

if ! command -v rg >/dev/null; then
  (apt-get install -y -qq ripgrep >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null)) \
    || cargo install --locked ripgrep
fi
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null

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

seconds() { # seconds for the command, to 3 decimals
  local start end
  start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
  echo "$end - $start" | bc -l | xargs printf '%.3f'
}
seconds_and_rss() { # seconds for the command, to 2 decimals, and its peak resident set in MB
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1 || true
  tail -1 "$work/time" | awk '{printf "%s %.0f", $1, $2 / 1024}'
}

# Warm the page cache once so every measurement below reads from memory.
find "$work/corpus" -type f -print0 | xargs -0 cat >/dev/null
cat_s=$(seconds sh -c "find '$work/corpus' -type f -print0 | xargs -0 cat > /dev/null")
rg_s=$(seconds rg -c 本年新收 "$work/corpus")
one_s=$(seconds "$xxgk" ingest --quiet --full --jobs 1 --out "$work/out1" "$work/corpus")
read -r all_s rss_all <<<"$(seconds_and_rss "$xxgk" ingest --quiet --full --out "$work/out" "$work/corpus")"
read -r _ rss_tenth <<<"$(seconds_and_rss "$xxgk" ingest --quiet --full --out "$work/out-tenth" "$work/tenth")"
rerun_s=$(seconds "$xxgk" ingest --quiet --out "$work/out" "$work/corpus")

cores=$(nproc)
printf '\n%s reports, %s MB, %s cores\n' "$n" "$mb" "$cores"
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
"$xxgk" check --data "$work/out" | head -1
if python3 -c 'import duckdb' 2>/dev/null; then
  python3 benches/ground_truth.py "$work/corpus.ground-truth.csv" "$work/out"
else
  echo "ground truth not checked: python3 has no duckdb (pip install -r tests/clients/requirements.txt)"
fi
