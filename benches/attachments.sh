#!/usr/bin/env bash
# Attachment benchmark: documents/s for PDF and Word .docx beside HTML, in
# one run on one machine, with the peak RSS of each, over N documents of
# each kind (benches/documents.sh; HTML is the baseline).
# Each set is ingested with all cores (--full) RUNS times (default 3); the
# fastest time and the highest RSS are kept: the machines are shared.
# Usage: benches/attachments.sh [N]   (default 600; WORK=dir keeps the files)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-600}
runs=${RUNS:-3}
work=${WORK:-$(mktemp -d)}

. benches/documents.sh
build_xxgk
make_documents "$work" "$n" "$xxgk"

. benches/timing.sh

find "$work/pdf" "$work/docx" "$work/html" -type f -print0 | xargs -0 cat >/dev/null
declare -A best rss
for run in $(seq "$runs"); do
  echo "run $run of $runs ..."
  for kind in html pdf docx; do
    read -r s r <<<"$(seconds_and_rss "$xxgk" ingest --quiet --full --out "$work/out-$kind" "$work/$kind")"
    best[$kind]=$(min "${best[$kind]:-}" "$s") rss[$kind]=$(max "${rss[$kind]:-}" "$r")
  done
done

count() { find "$work/$1" -type f | wc -l; }
printf '\n%s cores; fastest of %s runs, highest RSS\n' "$(nproc)" "$runs"
printf '%-6s %6s %8s %10s %12s %8s\n' kind files seconds "docs/s" "vs html" "RSS MB"
html_rate=$(awk -v n="$(count html)" -v s="${best[html]}" 'BEGIN {print n / (s > 0 ? s : 0.001)}')
for kind in html pdf docx; do
  files=$(count "$kind")
  awk -v k="$kind" -v n="$files" -v s="${best[$kind]}" -v h="$html_rate" -v r="${rss[$kind]}" 'BEGIN {
    rate = n / (s > 0 ? s : 0.001); printf "%-6s %6d %8.2f %10.0f %11.2fx %8d\n", k, n, s, rate, rate / h, r }'
done
for kind in html pdf docx; do # every document must be a report
  printf '%-6s %s\n' "$kind" "$("$xxgk" check --data "$work/out-$kind" | head -1)"
done
