#!/usr/bin/env python3
"""LLMTrace Python SDK example: record spans by hand, instrument an OpenAI-style client in one
line, group an agent's steps into one trace, and export everything to a running LLMTrace.

    npx @llmtrace/proxy mock-upstream --port 4010 &
    npx @llmtrace/proxy --listen 127.0.0.1:8080 --upstream http://127.0.0.1:4010 &
    pip install ./packages/sdk-python        # or run from the repository checkout as is
    python3 examples/python_sdk.py http://127.0.0.1:8080

With the real OpenAI SDK installed, use ``OpenAI(base_url=PROXY + "/v1")`` instead of the
small standard-library client below; ``llmtrace.instrument`` wraps either the same way.
"""

import json
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace

try:
    import llmtrace_python as llmtrace
except ImportError:  # running from the repository checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packages" / "sdk-python"))
    import llmtrace_python as llmtrace


class TinyOpenAI:
    """Just enough of an OpenAI client for this example: ``chat.completions.create`` (JSON or SSE)."""

    def __init__(self, base_url, api_key="sk-example"):
        self.base_url, self.api_key = base_url.rstrip("/"), api_key
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    def _create(self, **body):
        req = urllib.request.Request(
            self.base_url + "/chat/completions",
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json", "authorization": "Bearer " + self.api_key},
            method="POST",
        )
        res = urllib.request.urlopen(req, timeout=30)
        if not body.get("stream"):
            with res:
                return json.loads(res.read())
        return (json.loads(line[6:]) for line in (raw.decode().strip() for raw in res) if line.startswith("data: {"))


def main(proxy_url):
    # 1. Configure once: spans are batched and posted in the background to <proxy>/api/v1/spans.
    tracer = llmtrace.configure({
        "endpoint": proxy_url,
        "tenant_id": "examples",
        "agent_id": "py-researcher",
        "enable_security": True,  # a small local check; the proxy re-scans with its full engine
    })

    # 2. A span recorded by hand (the seed API).
    span = tracer.start_span("chat_completion", "openai", "gpt-4")
    span.set_prompt("Hello, world!")
    span.set_response("Hi there!")
    span.set_token_counts(prompt_tokens=5, completion_tokens=3)
    span.end()
    print("manual span:", json.loads(span.to_json())["spanId"])

    # 3. One line to trace every chat completion of a client, streaming or not.
    client = llmtrace.instrument(TinyOpenAI(proxy_url + "/v1"), tracer=tracer)

    # 4. An agent run: calls and steps inside the `with` block nest under it, one trace id.
    with tracer.span("research_topic") as run:
        run.set_tag("topic", "tide pools")
        reply = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "What lives in a tide pool?"}]
        )
        print("chat:", reply["choices"][0]["message"]["content"])
        chunks = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Summarise that in one line."}],
            stream=True,
            stream_options={"include_usage": True},
        )
        print("stream:", "".join((c["choices"][0]["delta"].get("content") or "") for c in chunks if c["choices"]))
        with tracer.span("save_notes") as step:
            step.set_tag("rows", 3)

    # 5. Flush before exiting (this also happens at interpreter exit).
    tracer.flush(timeout=10)
    stats = tracer.exporter.stats
    print(json.dumps({"traceId": run.trace_id, "exported": stats["exported"], "failed": stats["failed"]}))
    return 0 if stats["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"))
