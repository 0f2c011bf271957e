import json
import unittest

import llmtrace
import llmtrace_python
from llmtrace_python import MemoryExporter, Tracer

# The keys the TypeScript SDK's toJSON() produces for the same span (core `Span`, camelCase).
TS_KEYS = {
    "traceId", "spanId", "tenantId", "operation", "provider", "model", "startTime", "endTime", "durationMs",
    "stream", "statusCode", "status", "promptTokens", "completionTokens", "totalTokens", "usageSource",
    "securityScore", "findings", "prompt", "response", "toolCalls", "tags",
}


class SpanTest(unittest.TestCase):
    def setUp(self) -> None:
        self.exporter = MemoryExporter()
        self.tracer = Tracer(exporter=self.exporter, tenant_id="acme")

    def test_both_import_names_work(self) -> None:
        self.assertIs(llmtrace.configure, llmtrace_python.configure)
        self.assertIs(llmtrace.LLMSecTracer, llmtrace_python.Tracer)

    def test_seed_example_produces_the_core_span_json(self) -> None:
        tracer = llmtrace.configure({"enable_security": True, "exporter": self.exporter})
        span = tracer.start_span("chat_completion", "openai", "gpt-4")
        span.set_prompt("Hello")
        span.set_response("Hi!")
        span.set_token_counts(prompt_tokens=5, completion_tokens=1)
        span.end()
        data = json.loads(span.to_json())
        self.assertEqual(set(data), TS_KEYS)
        self.assertEqual(data["operation"], "chat")
        self.assertEqual(data["prompt"], [{"role": "user", "content": "Hello"}])
        self.assertEqual((data["promptTokens"], data["completionTokens"], data["totalTokens"]), (5, 1, 6))
        self.assertEqual(data["usageSource"], "upstream")
        self.assertRegex(data["traceId"], r"^[0-9a-f]{32}$")
        self.assertRegex(data["spanId"], r"^[0-9a-f]{16}$")
        self.assertGreaterEqual(data["endTime"], data["startTime"])
        self.assertEqual(self.exporter.spans, [data])

    def test_custom_operations_become_other_with_their_name(self) -> None:
        data = self.tracer.start_span("vector_search", "pinecone").to_dict()
        self.assertEqual(data["operation"], "other")
        self.assertEqual(data["tags"]["operation.name"], "vector_search")

    def test_messages_content_parts_and_tool_ids(self) -> None:
        span = self.tracer.start_span("chat", "openai", "gpt-4o").set_prompt([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url"}]},
            {"role": "tool", "content": "42", "tool_call_id": "call_1"},
        ])
        self.assertEqual(span.to_dict()["prompt"], [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What is this?\n[image_url]"},
            {"role": "tool", "content": "42", "toolCallId": "call_1"},
        ])

    def test_findings_raise_the_score(self) -> None:
        span = self.tracer.start_span("chat", "openai", "gpt-4o")
        span.add_finding("pii.email", "medium")
        self.assertEqual(span.to_dict()["securityScore"], 45)
        with self.assertRaises(ValueError):
            span.add_finding("x", "apocalyptic")
        self.assertEqual(span.to_dict()["findings"][0]["detector"], "sdk")

    def test_nested_spans_share_one_trace(self) -> None:
        with self.tracer.span("agent_run") as run:
            with self.tracer.span("chat", "openai", "gpt-4o") as step:
                tool = step.start_child("tool_call")
                tool.end()
        t, s, r = self.exporter.spans
        self.assertEqual({t["traceId"], s["traceId"], r["traceId"]}, {run.trace_id})
        self.assertNotIn("parentSpanId", r)
        self.assertEqual(s["parentSpanId"], r["spanId"])
        self.assertEqual(t["parentSpanId"], s["spanId"])
        self.assertIsNone(self.tracer.current_span())

    def test_context_manager_records_the_exception(self) -> None:
        with self.assertRaises(RuntimeError):
            with self.tracer.span("tool_call"):
                raise RuntimeError("tool broke")
        self.assertEqual(self.exporter.spans[0]["status"], "error")
        self.assertEqual(self.exporter.spans[0]["error"], "tool broke")

    def test_end_is_idempotent_and_freezes_the_span(self) -> None:
        span = self.tracer.start_span("chat", "openai", "gpt-4o")
        span.end()
        span.set_response("late").set_tag("late", True)
        span.end()
        self.assertEqual(len(self.exporter.spans), 1)
        self.assertEqual(span.to_dict()["response"], "")
        self.assertEqual(span.to_dict()["tags"], {})


if __name__ == "__main__":
    unittest.main()
