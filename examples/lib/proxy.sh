# Shared helpers for the shell examples: start the fake upstream and the proxy on free ports,
# remember what was started, and stop it all on exit. Source it; do not run it.
# Needs: node (20+), curl, and a build (./scripts/setup.sh).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLI="$ROOT/apps/proxy/dist/cli.js"
if [ ! -f "$CLI" ]; then
  echo "error: $CLI is missing; run ./scripts/setup.sh first" >&2
  exit 1
fi
command -v curl >/dev/null || { echo "error: curl is required" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/llmtrace-example.XXXXXX")"
STARTED=()

cleanup() {
  local status=$?
  for pid in "${STARTED[@]+"${STARTED[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED[@]+"${STARTED[@]}"}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/*.log; do
      [ -f "$log" ] && { echo "--- $(basename "$log")" >&2; tail -n 20 "$log" >&2; }
    done
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# wait_for FILE PATTERN: wait (up to 15 s) until FILE contains PATTERN.
wait_for() {
  local i
  for i in $(seq 1 150); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "timed out waiting for '$2' in $(basename "$1")"
}

# start_upstream: the built-in fake OpenAI-compatible LLM on a free port; sets UPSTREAM_URL.
start_upstream() {
  node "$CLI" mock-upstream --port 0 2>"$WORK/upstream.log" &
  STARTED+=($!)
  wait_for "$WORK/upstream.log" 'listening on http://'
  UPSTREAM_URL="$(grep -o 'http://[0-9.:]*' "$WORK/upstream.log" | head -n 1)"
}

# start_proxy CONFIG: the proxy on a free port in front of UPSTREAM_URL; sets PROXY_URL.
start_proxy() {
  node "$CLI" --config "$1" --listen 127.0.0.1:0 --upstream "$UPSTREAM_URL" >"$WORK/proxy.log" 2>&1 &
  STARTED+=($!)
  wait_for "$WORK/proxy.log" '"url":"http://'
  PROXY_URL="$(grep -o '"url":"http://[^"]*"' "$WORK/proxy.log" | head -n 1 | cut -d'"' -f4)"
}

# wait_for_spans TENANT COUNT: poll the REST API until TENANT has at least COUNT spans stored
# (spans are written in the background, a few hundred ms after each response).
wait_for_spans() {
  local i n
  for i in $(seq 1 100); do
    n="$(curl -sS "$PROXY_URL/api/v1/spans?tenant=$1&limit=1000" |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).spans.length)}catch{console.log(0)}})')"
    [ "$n" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "expected $2 stored spans for tenant $1, found $n"
}
