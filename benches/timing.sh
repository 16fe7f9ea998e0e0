# Shared by the bench scripts (sourced): timing with peak RSS, and keeping
# the best of several runs. Needs $work (a scratch folder) and /usr/bin/time.

seconds_and_rss() { # seconds for the command and its peak resident set in MB
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1 || true
  tail -1 "$work/time" | awk '{printf "%s %.0f", $1, $2 / 1024}'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN {print (a == "" || b + 0 < a + 0) ? b : a}'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN {print (a == "" || b + 0 > a + 0) ? b : a}'; }
