#!/usr/bin/env bash
# Catalog load benchmark (issue 3): one region with 100 000 programs on SQLite, one release
# server, wrk on the same machine. Prints the figures BENCHMARKS.md records.
#   bash tests/bench/catalog.sh            (PROGRAMS, DURATION, CONNECTIONS may be set)
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
  cargo build --release --quiet -p platform
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
BASE=/api/v1/programs run "search API, cached" -s tests/bench/cached.lua "$URL"
BASE=/api/v1/programs run "search API, uncached" -s tests/bench/uncached.lua "$URL"
BASE=/programs run "HTML catalog, cached" -s tests/bench/cached.lua "$URL"
BASE=/programs run "HTML catalog, uncached" -s tests/bench/uncached.lua "$URL"

echo "== server resident memory after the load (index + in-process result cache): $(ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}')"
