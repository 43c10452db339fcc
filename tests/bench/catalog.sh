#!/usr/bin/env bash
# Catalog load benchmark (issue 3): one region with 100 000 programs on SQLite, one release
# server, wrk on the same machine. Prints the figures BENCHMARKS.md records.
#   bash tests/bench/catalog.sh            (PROGRAMS, DURATION, CONNECTIONS may be set)
# Then (issue 16) the uncached search load again with one program edited per second by
# another process (the example catalog_edits), beside a run without edits; EDITS_ONLY=1
# skips the other loads.
# To compare two builds on one database, alternate runs with KEEP_DATA (a folder: generated
# there on the first run, reused after) and BIN (a navigator binary; default: build this
# checkout's).
set -euo pipefail
cd "$(dirname "$0")/../.."
PROGRAMS=${PROGRAMS:-100000}
PORT=${PORT:-18080}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
HOST="smolensk.localhost"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet -p platform --bin navigator --example catalog_edits
  BIN=target/release/navigator
elif [ ! -x "$BIN" ]; then
  echo "BIN=$BIN: not an executable navigator binary" >&2
  exit 2
fi
if [ -n "${KEEP_DATA:-}" ]; then
  DATA=$KEEP_DATA
  mkdir -p "$DATA" || { echo "KEEP_DATA=$DATA: cannot create the folder" >&2; exit 2; }
  trap 'kill "$PID" 2>/dev/null || true' EXIT
else
  DATA=$(mktemp -d)
  trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
fi

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%F); $BIN"
if [ -n "${KEEP_DATA:-}" ] && [ -f "$DATA/navigator.db" ]; then
  echo "== demo: reusing $DATA"
else
  echo "== demo: $PROGRAMS programs in smolensk (SQLite)"
  /usr/bin/time -f "   wall %e s, peak RSS %M KB" "$BIN" demo --programs "$PROGRAMS" --region smolensk --data-dir "$DATA" | grep каталог
fi

"$BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" >"$DATA/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

echo "== index build (first search of the region: load from the database + tantivy)"
curl -s -o /dev/null -w "   first search answered in %{time_total} s\n" -H "Host: $HOST" "http://127.0.0.1:$PORT/api/v1/programs"
grep -o 'catalog index built.*' "$DATA/serve.log" | sed 's/\x1b\[[0-9;]*m//g' | sed 's/^/   /'
echo "   server resident memory with the region loaded: $(ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}')"

# The server's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

run() {
  local name=$1; shift
  local out before after
  before=$(cpu_ticks)
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Host: $HOST" "$@" 2>&1)
  after=$(cpu_ticks)
  local rps p50 p99 requests cpu
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # Server CPU per request: steadier than req/s when other work shares the machine.
  cpu=$(awk -v t=$((after - before)) -v us="$TICK_US" -v n="$requests" 'BEGIN {printf "%.0f", t * us / n}')
  local errors
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  printf '   %-22s %10s req/s   p50 %-9s p99 %-9s cpu %4s us/req %s\n' "$name" "$rps" "$p50" "$p99" "$cpu" "$errors"
}

URL="http://127.0.0.1:$PORT"
echo "== load: wrk, 2 threads, $CONNECTIONS connections, $DURATION each"
run "trivial (/healthz)" "$URL/healthz"
if [ -z "${EDITS_ONLY:-}" ]; then
  BASE=/api/v1/programs run "search API, cached" -s tests/bench/cached.lua "$URL"
  BASE=/api/v1/programs run "search API, uncached" -s tests/bench/uncached.lua "$URL"
  BASE=/programs run "HTML catalog, cached" -s tests/bench/cached.lua "$URL"
  BASE=/programs run "HTML catalog, uncached" -s tests/bench/uncached.lua "$URL"
fi

# Issue 16: edits applied to the live index. The editor is another process writing the
# same database, so each change reaches the server the way another server's would: by
# the version poll. It also times how long until the server's search finds each edit.
EDITOR=${EDITOR_BIN:-$(dirname "$BIN")/examples/catalog_edits}
SECONDS_OF_LOAD=${DURATION%s}
edits() { EDITS=$1 "$EDITOR" "sqlite://$DATA/navigator.db" smolensk "127.0.0.1:$PORT" "$HOST"; }
# Without asking the server whether it found them: its searches would count as the edits'.
quiet_edits() { EDITS=$1 "$EDITOR" "sqlite://$DATA/navigator.db" smolensk; }
echo "== edits: one program edited per second by another process, beside the uncached search load"
BASE=/api/v1/programs run "uncached, no edits" -s tests/bench/uncached.lua "$URL"
edits "$SECONDS_OF_LOAD" >"$DATA/edits.log" &
EDITS_PID=$!
BASE=/api/v1/programs run "uncached, 1 edit/s" -s tests/bench/uncached.lua "$URL"
wait "$EDITS_PID"
BASE=/api/v1/programs run "uncached, no edits" -s tests/bench/uncached.lua "$URL"
echo "   $(tail -1 "$DATA/edits.log")"
# What one edit costs the server: the thread CPU time of applying it (logged per apply),
# and the process's CPU over idle seconds with one edit per second against idle seconds
# without (the difference also holds the database reads and the poll's wake-ups).
applied() { grep -o 'catalog changes applied.*' "$DATA/serve.log" | sed 's/\x1b\[[0-9;]*m//g'; }
applied | grep -o 'apply_cpu_us=[0-9]*' | cut -d= -f2 | sort -n | awk '
  { v[NR] = $1 } END { if (NR) printf "   apply, thread CPU per edit: p50 %.2f ms, p90 %.2f ms, max %.2f ms (%d applies)\n",
    v[int(NR * 0.5) + 1] / 1000, v[int(NR * 0.9) + 1] / 1000, v[NR] / 1000, NR }'
applied | grep -o ' us=[0-9]*' | cut -d= -f2 | sort -n | awk '
  { v[NR] = $1 } END { if (NR) printf "   apply, wall incl. database reads: p50 %.1f ms, max %.1f ms\n", v[int(NR * 0.5) + 1] / 1000, v[NR] / 1000 }'
IDLE=${IDLE:-20}
before=$(cpu_ticks); sleep "$IDLE"; idle=$(( $(cpu_ticks) - before ))
before=$(cpu_ticks); quiet_edits "$IDLE" >/dev/null; busy=$(( $(cpu_ticks) - before ))
awk -v i="$idle" -v b="$busy" -v n="$IDLE" -v us="$TICK_US" 'BEGIN {
  printf "   process CPU, idle: %.1f ms/s without edits, %.1f ms/s with 1 edit/s: %.1f ms per edit\n",
    i * us / n / 1000, b * us / n / 1000, (b - i) * us / n / 1000 }'

echo "== server resident memory after the load (index + in-process result cache): $(ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}')"
