#!/usr/bin/env bash
# Static copy benchmark (issue 7): sitegen on one region with 100 000 programs (SQLite, release
# build): a full build, a rerun with nothing changed, and reruns after one change (a program
# archived, then published again). Hugo building as many minimal pages runs in the same
# script as the reference. Prints the figures BENCHMARKS.md records.
#   bash tests/bench/sitegen.sh           (PROGRAMS may be set; HUGO=0 skips Hugo)
set -euo pipefail
cd "$(dirname "$0")/../.."
PROGRAMS=${PROGRAMS:-100000}
CHANGED_ID=${CHANGED_ID:-17}

cargo build --release --quiet -p platform -p sitegen
NAV=target/release/navigator
SG=target/release/sitegen
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
DB="sqlite://$DATA/navigator.db"

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%F)"
echo "== demo: $PROGRAMS programs in smolensk (SQLite)"
"$NAV" demo --programs "$PROGRAMS" --region smolensk --data-dir "$DATA" | grep каталог

# One sitegen run: its own summary line, then wall time, peak memory and pages per second.
run() {
  local label=$1
  /usr/bin/time -f "%e %M" -o "$DATA/time" \
    "$SG" --region smolensk --out "$DATA/site" --database-url "$DB" --quiet >"$DATA/summary"
  local secs rss pages
  read -r secs rss <"$DATA/time"
  pages=$(grep -o '([0-9]* страниц)' "$DATA/summary" | tr -dc '0-9')
  echo "-- $label"
  sed 's/^/   /' "$DATA/summary"
  # Pages per second only means something when every page was rendered.
  awk -v s="$secs" -v r="$rss" -v p="$pages" -v full="$(grep -c 'полная сборка' "$DATA/summary" || true)" \
    'BEGIN { printf "   wall %.2f s, peak RSS %.0f MB", s, r / 1024;
             if (full > 0 && s > 0) printf ", %.0f pages/s", p / s; printf "\n" }'
  PAGES=$pages
}

echo "== sitegen"
run "full build (empty folder)"
FULL_PAGES=$PAGES
du -sh "$DATA/site" | awk '{print "   output on disk: " $1}'
run "rerun, nothing changed"
"$NAV" program status --region smolensk --id "$CHANGED_ID" --status archived --data-dir "$DATA" >/dev/null
run "rerun after one change: program $CHANGED_ID archived"
"$NAV" program status --region smolensk --id "$CHANGED_ID" --status published --data-dir "$DATA" >/dev/null
run "rerun after one change: program $CHANGED_ID published again"

if [ "${HUGO:-1}" != 0 ]; then
  echo "== Hugo, the same number of minimal pages ($FULL_PAGES)"
  PAGES=$FULL_PAGES bash tests/bench/hugo.sh | grep -E '^hugo (pages=|v)|version' | sed 's/^/   /'
fi
