#!/usr/bin/env bash
# The browser test: the parent journey (walk.mjs) in Debian's Chromium at 1280 and 390 px
# against a spawned demo server; fails on horizontal overflow and on any axe-core violation.
#
#   bash tests/browser/run.sh [path/to/navigator]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-target/debug/navigator}"
[ -x "$bin" ] || { echo "browser: $bin is not an executable (build it first)" >&2; exit 2; }
[ -d "$here/node_modules/playwright-core" ] || { echo "browser: run npm ci in $here first" >&2; exit 2; }

# The demo server is configured by its flags alone, whatever this shell's environment says.
unset DATABASE_URL REDIS_URL SMTP_URL NAVIGATOR_LISTEN NAVIGATOR_DATA_DIR NAVIGATOR_BASE_DOMAIN \
  NAVIGATOR_REDIS_PREFIX NAVIGATOR_TRUST_PROXY NAVIGATOR_LOG_FORMAT NAVIGATOR_MAP_TILES \
  NAVIGATOR_MAP_ATTRIBUTION

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin" serve --demo --listen "127.0.0.1:$port" --data-dir "$data" >"$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

deadline=$((SECONDS + 120))
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
  if ! kill -0 "$server" 2>/dev/null || (( SECONDS > deadline )); then
    echo "browser: the server did not start" >&2; cat "$data/server.log" >&2; exit 1
  fi
  sleep 0.2
done

# Chromium resolves every *.localhost name to this machine.
BASE="http://smolensk.localhost:$port" MAIL_DIR="$data/mail" \
  timeout 600 node "$here/walk.mjs" || { tail -n 30 "$data/server.log" >&2; exit 1; }
