import asyncio
import unittest

from llmtrace_python import MemoryExporter, Tracer, instrument

from .helpers import USAGE, APIError, FakeAsyncOpenAI, FakeOpenAI

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]


class InstrumentTest(unittest.TestCase):
    def setUp(self) -> None:
        self.exporter = MemoryExporter()
        self.tracer = Tracer(exporter=self.exporter)

    def check_plain(self, as_objects: bool) -> None:
        client = instrument(FakeOpenAI(as_objects=as_objects), tracer=self.tracer)
        result = client.chat.completions.create(model="gpt-4o", messages=MESSAGES, temperature=0.2)
        content = result.choices[0].message.content if as_objects else result["choices"][0]["message"]["content"]
        self.assertEqual(content, "Hello!")
        (span,) = self.exporter.spans
        self.assertEqual(span["operation"], "chat")
        self.assertEqual(span["model"], "gpt-4o")
        self.assertEqual(span["responseModel"], "gpt-4o-2024")
        self.assertEqual(span["response"], "Hello!")
        self.assertEqual(span["finishReason"], "stop")
        self.assertEqual(span["prompt"][1], {"role": "user", "content": "Say hello"})
        self.assertEqual((span["promptTokens"], span["completionTokens"], span["totalTokens"]), (12, 3, 15))
        self.assertEqual(span["params"], {"temperature": 0.2})

    def test_plain_call_with_dict_responses(self) -> None:
        self.check_plain(as_objects=False)

    def test_plain_call_with_object_responses(self) -> None:
        self.check_plain(as_objects=True)

    def test_stream_passes_the_same_chunks_and_records_ttft_usage_and_tools(self) -> None:
        raw = FakeOpenAI(as_objects=True)
        plain = list(raw.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True))
        client = instrument(FakeOpenAI(as_objects=True), tracer=self.tracer)
        seen = list(client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True))
        self.assertEqual(len(seen), len(plain))
        self.assertEqual([c.choices[0].delta.__dict__ if c.choices else None for c in seen],
                         [c.choices[0].delta.__dict__ if c.choices else None for c in plain])
        (span,) = self.exporter.spans
        self.assertTrue(span["stream"])
        self.assertEqual(span["response"], "Hello!")
        self.assertEqual(span["toolCalls"], [{"id": "call_1", "name": "lookup", "arguments": '{"q":"x"}'}])
        self.assertEqual(span["finishReason"], "tool_calls")
        self.assertEqual(span["promptTokens"], USAGE["prompt_tokens"])
        self.assertGreater(span["ttftMs"], 0)
        self.assertLess(span["ttftMs"], span["durationMs"])

    def test_abandoned_stream_is_cancelled(self) -> None:
        client = instrument(FakeOpenAI(), tracer=self.tracer)
        for c in client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True):
            if c["choices"] and c["choices"][0]["delta"].get("content") == "Hel":
                break
        (span,) = self.exporter.spans
        self.assertEqual(span["status"], "cancelled")
        self.assertEqual(span["response"], "Hel")

    def test_errors_are_recorded_and_reraised_unchanged(self) -> None:
        client = instrument(FakeOpenAI(), tracer=self.tracer)
        with self.assertRaises(APIError):
            client.chat.completions.create(model="broken", messages=MESSAGES)
        (span,) = self.exporter.spans
        self.assertEqual((span["status"], span["statusCode"], span["error"]), ("error", 429, "Rate limit reached"))

    def test_calls_inside_a_span_become_its_children(self) -> None:
        client = instrument(FakeOpenAI(), tracer=self.tracer)
        with self.tracer.span("agent_step") as step:
            client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        call, parent = self.exporter.spans
        self.assertEqual(call["parentSpanId"], step.span_id)
        self.assertEqual(call["traceId"], parent["traceId"])

    def test_async_client_plain_stream_and_error(self) -> None:
        client = instrument(FakeAsyncOpenAI(), tracer=self.tracer)

        async def run():
            reply = await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
            chunks = [c async for c in await client.chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)]
            with self.assertRaises(APIError):
                await client.chat.completions.create(model="broken", messages=MESSAGES)
            return reply, chunks

        reply, chunks = asyncio.run(run())
        self.assertEqual(reply["choices"][0]["message"]["content"], "Hello!")
        self.assertEqual(len(chunks), 7)
        plain, streamed, failed = self.exporter.spans
        self.assertEqual((plain["response"], plain["totalTokens"]), ("Hello!", 15))
        self.assertEqual((streamed["stream"], streamed["response"], streamed["status"]), (True, "Hello!", "ok"))
        self.assertGreater(streamed["ttftMs"], 0)
        self.assertEqual((failed["status"], failed["statusCode"]), ("error", 429))

    def test_instrumenting_twice_records_once_and_content_can_be_left_out(self) -> None:
        client = FakeOpenAI()
        instrument(client, tracer=self.tracer, capture_content=False)
        instrument(client, tracer=self.tracer)
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        (span,) = self.exporter.spans
        self.assertEqual((span["prompt"], span["response"], span["promptTokens"]), ([], "", 12))


if __name__ == "__main__":
    unittest.main()
