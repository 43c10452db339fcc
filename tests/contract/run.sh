#!/usr/bin/env bash
# The API contract check: schemathesis (every check) against a spawned demo server,
# anonymously, as a logged-in parent (session cookie + CSRF header) and as an
# organization (API token). Fails on any failure. Bounded: SECONDS_PER_RUN each.
#
#   bash tests/contract/run.sh [path/to/navigator]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-target/debug/navigator}"
per_run="${SECONDS_PER_RUN:-60}"
[ -x "$bin" ] || { echo "contract: $bin is not an executable (build it first)" >&2; exit 2; }
command -v st >/dev/null 2>&1 || { echo "contract: schemathesis (st) is not installed" >&2; exit 2; }

# shellcheck source=../demo_server.sh
source "$here/../demo_server.sh"
start_demo_server "$bin" contract
base="http://127.0.0.1:$port"
host="smolensk.localhost"
curl -sf -H "Host: $host" "$base/api/openapi.json" >"$data/openapi.json"

failed=()
run() {
  local who="$1"; shift
  printf '\n== contract: %s\n' "$who"
  st --config-file "$here/schemathesis.toml" run "$data/openapi.json" \
    --url "$base/api/v1" -H "Host: $host" --checks all --max-time "$per_run" \
    --seed 20261201 --request-timeout 10 --no-color "$@" || failed+=("$who")
}

# A parent: the API's own login gives the session cookie and the CSRF token.
login() {
  curl -sf --max-time 10 -D "$data/headers" -H "Host: $host" -H 'Content-Type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"navigator-demo-2026\"}" "$base/api/v1/auth/login"
}
me="$(login parent@smolensk.demo.navigator.local)" ||
  { echo "contract: the demo parent could not log in" >&2; cat "$data/server.log" >&2; exit 1; }
csrf="$(printf '%s' "$me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')"
cookie="$(grep -i '^set-cookie: nav_session=' "$data/headers" | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')"

# An organization's own system: a token of its staff account.
token="$("$bin" token add --region smolensk --email provider@smolensk.demo.navigator.local \
  --data-dir "$data" | grep -oE '[A-Za-z0-9_-]{40,}' | head -n 1)"
[ -n "$token" ] || { echo "contract: no API token was printed" >&2; exit 1; }

# Logged in first: the anonymous run's logins exhaust this address's login limit.
run anonymous
# (Logging out would end the session the rest of the run needs; the anonymous run has it.)
run parent -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" --exclude-path /auth/logout
run organization -H "Authorization: Bearer $token"

if (( ${#failed[@]} )); then
  echo "contract: failures as: ${failed[*]}" >&2
  exit 1
fi
echo "contract: no failures"
