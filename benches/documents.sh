# Shared by the bench scripts (sourced). build_xxgk builds the release binary
# and sets $xxgk; make_documents DIR N XXGK writes N documents of each kind
# into DIR/{pdf,docx,html}, unless DIR/pdf exists.
#   pdf:  copies of the shared corpus's PDFs (../shared/corpus/real/*.pdf),
#         each made distinct by a comment after %%EOF (readers ignore it);
#   docx: synthetic .docx reports (xxgk synth);
#   html: synthetic HTML reports of the same run of synth.
build_xxgk() {
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/xxgk/target}"
  [ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
  cargo build --release --locked --quiet
  xxgk="$CARGO_TARGET_DIR/release/xxgk"
}

make_documents() {
  local dir=$1 n=$2 xxgk=$3
  local pdfs=(../shared/corpus/real/*.pdf)
  [ -f "${pdfs[0]}" ] || { echo "bench: ../shared/corpus/real/*.pdf not found" >&2; return 1; }
  [ -d "$dir/pdf" ] && return 0
  echo "making $n documents of each kind in $dir ..."
  mkdir -p "$dir/pdf" "$dir/docx" "$dir/html"
  for i in $(seq "$n"); do
    local src=${pdfs[$((i % ${#pdfs[@]}))]}
    { cat "$src"; printf '%% copy %d\n' "$i"; } >"$dir/pdf/$i.pdf"
  done
  # synth draws HTML for most documents and .docx for about one in ten:
  # write enough, then keep n of each.
  "$xxgk" synth --n $((n * 14)) --seed 11 --out "$dir/synth" 2>/dev/null
  # (sed, not head: head would close the pipe early, and pipefail fail it)
  find "$dir/synth" -name '*.docx' | sort | sed -n "1,${n}p" | xargs -I{} mv {} "$dir/docx/"
  find "$dir/synth" -name '*.html' | sort | sed -n "1,${n}p" | xargs -I{} mv {} "$dir/html/"
  rm -rf "$dir/synth"
}
