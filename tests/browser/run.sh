#!/usr/bin/env bash
# The browser test: the parent journey (walk.mjs) in Debian's Chromium at 1280 and 390 px
# against a spawned demo server; fails on horizontal overflow and on any axe-core violation.
#
# Then the static copy of the same catalog (sitegen, beside the binary), served over http as
# a CDN would, under a path prefix: its pages and its filter, the same checks.
#
#   bash tests/browser/run.sh [path/to/navigator]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-target/debug/navigator}"
sitegen="$(dirname "$bin")/sitegen"
[ -x "$bin" ] || { echo "browser: $bin is not an executable (build it first)" >&2; exit 2; }
[ -x "$sitegen" ] || { echo "browser: $sitegen is not an executable (build it first)" >&2; exit 2; }
[ -d "$here/node_modules/playwright-core" ] || { echo "browser: run npm ci in $here first" >&2; exit 2; }

# shellcheck source=../demo_server.sh
source "$here/../demo_server.sh"
start_demo_server "$bin" browser

# The copy under /p67/ of a plain file server.
copy_port="$(free_port)"
"$sitegen" --region smolensk --out "$data/www/p67" --database-url "sqlite://$data/navigator.db" \
  --base-url "http://smolensk.localhost:$port" --site-url "http://127.0.0.1:$copy_port/p67" \
  --quiet >"$data/sitegen.log" 2>&1 || { cat "$data/sitegen.log" >&2; exit 1; }
python3 -m http.server "$copy_port" --bind 127.0.0.1 --directory "$data/www" >"$data/files.log" 2>&1 &
also_stop=$!
until curl -sf -o /dev/null "http://127.0.0.1:$copy_port/p67/index.html"; do
  kill -0 "$also_stop" 2>/dev/null || { echo "browser: the file server did not start" >&2; exit 1; }
  sleep 0.2
done

# Chromium resolves every *.localhost name to this machine.
BASE="http://smolensk.localhost:$port" MAIL_DIR="$data/mail" COPY="http://127.0.0.1:$copy_port/p67/" \
  timeout 600 node "$here/walk.mjs" || { tail -n 30 "$data/server.log" >&2; exit 1; }
