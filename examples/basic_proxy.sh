#!/usr/bin/env bash
# Basic tour: start the fake upstream and the proxy, send a plain, a streaming and a failing chat
# completion, then show the recorded traces through sqlite3 and through the REST API.
# Run from anywhere after ./scripts/setup.sh:  ./examples/basic_proxy.sh
# Exits non-zero when any step does not behave as described; stops everything it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/proxy.sh"

DB="$WORK/llmtrace.db"
cat >"$WORK/config.yaml" <<YAML
storage:
  profile: sqlite
  database_path: $DB
  writer:
    spool_path: $WORK/llmtrace.spool
logging:
  level: info
YAML

start_upstream
start_proxy "$WORK/config.yaml"
echo "fake upstream: $UPSTREAM_URL"
echo "proxy:         $PROXY_URL"
echo

# Any OpenAI client works the same way: base URL = the proxy, API key passes through untouched.
chat() {
  curl -sS "$PROXY_URL/v1/chat/completions" \
    -H 'content-type: application/json' \
    -H 'authorization: Bearer sk-example-not-a-real-key' \
    -H 'x-llmtrace-tenant-id: demo' \
    -H 'x-llmtrace-agent-id: basic-example' \
    "$@"
}

echo "== 1. a plain chat completion"
chat -o "$WORK/plain.json" -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"What is observability?"}]}'
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (r.object !== "chat.completion") throw new Error("not a chat completion: " + JSON.stringify(r));
  console.log("answer:", r.choices[0].message.content);
  console.log("usage: ", JSON.stringify(r.usage && { prompt: r.usage.prompt_tokens, completion: r.usage.completion_tokens }));
' "$WORK/plain.json"
echo

echo "== 2. a streaming chat completion (chunks arrive as the model writes them)"
chat -N -o "$WORK/stream.txt" \
  -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Count to five."}]}'
grep -q '^data: \[DONE\]' "$WORK/stream.txt" || fail "the stream did not end with data: [DONE]"
echo "received $(grep -c '^data: {' "$WORK/stream.txt") chunks, then [DONE]"
echo

echo "== 3. an upstream error passes through unchanged (and is recorded)"
status="$(chat -o "$WORK/error.json" -w '%{http_code}' -H 'x-mock-status: 500' \
  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"This one fails."}]}')"
[ "$status" = 500 ] || fail "expected HTTP 500 from the failing call, got $status"
echo "HTTP $status: $(head -c 200 "$WORK/error.json")"
echo

wait_for_spans demo 3

echo "== 4. the traces in SQLite ($DB)"
if command -v sqlite3 >/dev/null; then
  sqlite3 -header -column "$DB" \
    "SELECT trace_id, model_name, stream, status_code, duration_ms, ttft_ms, total_tokens, security_score
       FROM spans ORDER BY start_time;"
  rows="$(sqlite3 "$DB" "SELECT count(*) FROM spans WHERE tenant_id = 'demo';")"
  [ "$rows" -ge 3 ] || fail "expected 3 rows in the spans table, found $rows"
elif [ "${CI:-}" = true ]; then
  fail "the sqlite3 command-line tool is not installed"
else
  echo "(sqlite3 is not installed; skipping this step)"
fi
echo

echo "== 5. the same traces through the REST API (GET /api/v1/spans)"
curl -sS "$PROXY_URL/api/v1/spans?tenant=demo&limit=10" >"$WORK/spans.json"
node -e '
  const { spans } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const rows = spans.map((s) => ({
    trace: s.traceId.slice(0, 12), model: s.model, stream: s.stream, status: s.statusCode,
    ms: s.durationMs, ttftMs: s.ttftMs ?? "", tokens: s.totalTokens, score: s.securityScore,
  }));
  console.table(rows);
  const want = [[true, 200], [false, 200], [false, 500]];
  for (const [stream, status] of want)
    if (!spans.some((s) => s.stream === stream && s.statusCode === status))
      throw new Error(`no span with stream=${stream} status=${status}`);
  if (!spans.some((s) => s.stream && typeof s.ttftMs === "number"))
    throw new Error("the streaming span has no time to first token");
' "$WORK/spans.json"
echo
echo "basic_proxy: OK"
