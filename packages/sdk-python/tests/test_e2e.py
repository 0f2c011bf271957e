"""End to end: the built proxy CLI and its fake upstream run as real processes; an instrumented
client calls the proxy and the SDK exports its spans to the proxy's ingest endpoint."""

import json
import os
import re
import shutil
import subprocess
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

from llmtrace_python import HttpExporter, Tracer, instrument

from .helpers import HttpOpenAI

ROOT = Path(__file__).resolve().parents[3]
CLI = ROOT / "apps" / "proxy" / "dist" / "cli.js"


def _start(args, env, pattern, timeout=15.0):
    """Spawn ``node CLI args`` and wait for ``pattern`` on stderr; returns (process, first group)."""
    proc = subprocess.Popen(
        ["node", str(CLI), *args], env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        m = re.search(pattern, line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise RuntimeError("process did not start: %s" % "".join(seen)[-2000:])


class EndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        missing = shutil.which("node") is None or not CLI.exists() or CLI.stat().st_size == 0
        if missing:
            message = "the proxy CLI is not built (%s); run `pnpm build` first" % CLI.relative_to(ROOT)
            if os.environ.get("CI") == "true":
                raise RuntimeError(message)
            raise unittest.SkipTest(message)
        cls.procs = []
        up, cls.upstream = _start(["mock-upstream", "--port", "0"], {}, r"listening on (http://\S+)")
        cls.procs.append(up)
        proxy, cls.proxy = _start(
            ["--listen", "127.0.0.1:0", "--upstream", cls.upstream],
            {"LLMTRACE_STORAGE_PROFILE": "memory"},
            r'"url":"(http://[^"]+)"',
        )
        cls.procs.append(proxy)

    @classmethod
    def tearDownClass(cls) -> None:
        for p in getattr(cls, "procs", []):
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
            p.stderr.close()

    def test_instrumented_calls_and_an_agent_trace_reach_the_proxy(self) -> None:
        exporter = HttpExporter(self.proxy, tenant_id="py-e2e", flush_on_exit=False)
        tracer = Tracer(exporter=exporter, tenant_id="py-e2e", enable_security=True)
        client = instrument(HttpOpenAI(self.proxy + "/v1"), tracer=tracer)
        with tracer.span("agent_run") as run:
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])
            self.assertTrue(reply["choices"][0]["message"]["content"])
            text = "".join(
                (c["choices"][0]["delta"].get("content") or "") if c["choices"] else ""
                for c in client.chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": "Stream it"}], stream=True,
                    stream_options={"include_usage": True},
                )
            )
            self.assertTrue(text)
        self.assertTrue(tracer.flush(timeout=10))
        # The proxy accepted all three spans (a 4xx/5xx answer would count them as failed).
        self.assertEqual(exporter.stats, {"exported": 3, "dropped": 0, "failed": 0})
        self.assertTrue(run.trace_id)

    def test_the_live_ingest_route_rejects_a_bad_span_naming_the_field(self) -> None:
        body = json.dumps({"spans": [{"operation": "chat", "provider": "openai", "startTime": "yesterday"}]}).encode()
        req = urllib.request.Request(
            self.proxy + "/api/v1/spans", data=body, headers={"content-type": "application/json"}, method="POST"
        )
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(ctx.exception.code, 400)
        error = json.loads(ctx.exception.read())["error"]
        self.assertIn("spans[0].startTime", error["message"])
        self.assertEqual(error["type"], "invalid_request_error")


if __name__ == "__main__":
    unittest.main()
