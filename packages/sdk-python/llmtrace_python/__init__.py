"""LLMTrace SDK for Python: record LLM spans from your own code and instrument an OpenAI-style
client in one line. Standard library only; spans go to a running LLMTrace's ingest endpoint.

    import llmtrace_python as llmtrace

    tracer = llmtrace.configure({"enable_security": True, "endpoint": "http://localhost:8080"})
    span = tracer.start_span("chat_completion", "openai", "gpt-4")
    span.set_prompt("Hello").set_response("Hi!").set_token_counts(prompt_tokens=5, completion_tokens=1)
    span.end()
"""

from .exporter import BatchExporter, HttpExporter, MemoryExporter, SpanExporter, ingest_url
from .instrument import AsyncTracedStream, TracedStream, instrument
from .security import scan_span, scan_text
from .span import Span, new_span_id, new_trace_id
from .tracer import LLMSecTracer, Tracer, configure, get_tracer

__version__ = "0.1.0"

__all__ = [
    "AsyncTracedStream",
    "BatchExporter",
    "HttpExporter",
    "LLMSecTracer",
    "MemoryExporter",
    "Span",
    "SpanExporter",
    "TracedStream",
    "Tracer",
    "configure",
    "get_tracer",
    "ingest_url",
    "instrument",
    "new_span_id",
    "new_trace_id",
    "scan_span",
    "scan_text",
]
