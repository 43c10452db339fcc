# Sourced by the checks that need a running demo server (tests/contract/run.sh,
# tests/browser/run.sh): `start_demo_server BIN WHO` starts `BIN serve --demo` on a free
# port with a data folder of its own and waits for it; sets $data, $port and $server, and
# stops it (and whatever pids are in $also_stop) and removes the folder on exit.

# A free port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_demo_server() {
  local bin="$1" who="$2"
  # The demo server is configured by its flags alone, whatever this shell's environment says.
  unset NAVIGATOR_SMTP_TIMEOUT NAVIGATOR_DKIM_SELECTOR NAVIGATOR_DKIM_DOMAIN NAVIGATOR_DKIM_KEY_FILE \
    NAVIGATOR_DATABASE_WAIT_MS NAVIGATOR_MAP_TILES NAVIGATOR_MAP_ATTRIBUTION
  unset DATABASE_URL REDIS_URL SMTP_URL NAVIGATOR_LISTEN NAVIGATOR_DATA_DIR NAVIGATOR_BASE_DOMAIN \
    NAVIGATOR_REDIS_PREFIX NAVIGATOR_TRUST_PROXY NAVIGATOR_LOG_FORMAT NAVIGATOR_BODY_LIMIT \
    NAVIGATOR_UPLOAD_BODY_LIMIT NAVIGATOR_EXPENSIVE_PER_CLIENT
  data="$(mktemp -d)"
  port="$(free_port)"
  also_stop=""
  "$bin" serve --demo --listen "127.0.0.1:$port" --data-dir "$data" >"$data/server.log" 2>&1 &
  server=$!
  trap 'kill $server $also_stop 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$data"' EXIT
  local deadline=$((SECONDS + 120))
  until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
    if ! kill -0 "$server" 2>/dev/null || (( SECONDS > deadline )); then
      echo "$who: the server did not start" >&2; cat "$data/server.log" >&2; exit 1
    fi
    sleep 0.2
  done
}
