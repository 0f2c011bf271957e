"""A span: one LLM call or agent step, in the same JSON shape as the TypeScript SDK."""

import copy
import json
import secrets
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Union

from ._ops import SEVERITY_RISK, normalize_operation, to_messages

Json = Dict[str, Any]


def new_trace_id() -> str:
    """A W3C/OpenTelemetry trace id (32 lowercase hex characters)."""
    return secrets.token_hex(16)


def new_span_id() -> str:
    """A W3C/OpenTelemetry span id (16 lowercase hex characters)."""
    return secrets.token_hex(8)


class Span:
    """A span being recorded. Setters return the span so calls chain; after ``end()`` they do nothing.

    Use it as a context manager to end it automatically (an exception marks it failed)::

        with tracer.start_span("tool_call", "custom") as span:
            span.set_tag("tool", "search")
    """

    def __init__(
        self,
        tracer: Any,
        operation: str,
        provider: str = "custom",
        model: str = "",
        parent: Optional["Span"] = None,
        on_end: Optional[Callable[[Json], None]] = None,
        **options: Any,
    ) -> None:
        op, custom = normalize_operation(operation)
        tags = {str(k): _tag_value(v) for k, v in (options.get("tags") or {}).items()}
        if custom is not None:
            tags["operation.name"] = custom
        self._tracer = tracer
        self._on_end = on_end
        self._lock = threading.Lock()
        self._started = time.perf_counter()
        self._ended = False
        self._data: Json = {
            "traceId": parent.trace_id if parent else new_trace_id(),
            "spanId": new_span_id(),
            "parentSpanId": parent.span_id if parent else None,
            "tenantId": getattr(tracer, "tenant_id", "default"),
            "agentId": options.get("agent_id") or getattr(tracer, "agent_id", None),
            "sessionId": options.get("session_id") or getattr(tracer, "session_id", None),
            "endUser": options.get("end_user"),
            "operation": op,
            "provider": provider or "custom",
            "model": model or "",
            "startTime": int(options.get("start_time") or time.time() * 1000),
            "endTime": 0,
            "durationMs": 0,
            "stream": bool(options.get("stream", False)),
            "statusCode": 200,
            "status": "ok",
            "promptTokens": 0,
            "completionTokens": 0,
            "totalTokens": 0,
            "usageSource": "none",
            "securityScore": 0,
            "findings": [],
            "prompt": [],
            "response": "",
            "toolCalls": [],
            "tags": tags,
        }

    # -- identity -------------------------------------------------------------------------------
    @property
    def trace_id(self) -> str:
        return self._data["traceId"]

    @property
    def span_id(self) -> str:
        return self._data["spanId"]

    @property
    def parent_span_id(self) -> Optional[str]:
        return self._data["parentSpanId"]

    @property
    def ended(self) -> bool:
        return self._ended

    # -- setters --------------------------------------------------------------------------------
    def set_prompt(self, prompt: Union[str, List[Any]]) -> "Span":
        """The prompt: a string (one ``user`` message) or a list of chat messages."""
        return self._set(prompt=to_messages(prompt))

    def set_response(self, text: str, tool_calls: Optional[List[Json]] = None) -> "Span":
        """The response text and the tool calls the model made (``{"id", "name", "arguments"}``)."""
        fields: Json = {"response": "" if text is None else str(text)}
        if tool_calls is not None:
            fields["toolCalls"] = [
                {k: v for k, v in {"id": c.get("id"), "name": c.get("name") or "tool", "arguments": c.get("arguments") or ""}.items() if v is not None}
                for c in tool_calls
            ]
        return self._set(**fields)

    def set_token_counts(
        self,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        total_tokens: Optional[int] = None,
        cached_tokens: Optional[int] = None,
        reasoning_tokens: Optional[int] = None,
        source: str = "upstream",
    ) -> "Span":
        """Token counts (``total_tokens`` defaults to the sum); marks ``usageSource``."""
        fields: Json = {
            "promptTokens": int(prompt_tokens),
            "completionTokens": int(completion_tokens),
            "totalTokens": int(total_tokens if total_tokens is not None else prompt_tokens + completion_tokens),
            "usageSource": source,
        }
        if cached_tokens is not None:
            fields["cachedTokens"] = int(cached_tokens)
        if reasoning_tokens is not None:
            fields["reasoningTokens"] = int(reasoning_tokens)
        return self._set(**fields)

    def add_finding(
        self,
        finding_type: Union[str, Json],
        severity: str = "medium",
        confidence: float = 1.0,
        detector: str = "sdk",
        message: Optional[str] = None,
        excerpt: Optional[str] = None,
        location: Optional[Json] = None,
    ) -> "Span":
        """Add a security finding (or pass a finding dict); the score rises to at least its risk."""
        if isinstance(finding_type, dict):
            f = dict(finding_type)
        else:
            f = {"type": finding_type, "severity": severity, "confidence": confidence, "detector": detector}
            if excerpt is not None:
                f["excerpt"] = excerpt
            if location is not None:
                f["location"] = location
            f["message"] = message
        f.setdefault("confidence", 1.0)
        f.setdefault("detector", "sdk")
        if not f.get("message"):
            f["message"] = f["type"]
        if f.get("severity") not in SEVERITY_RISK:
            raise ValueError("severity must be one of %s" % ", ".join(SEVERITY_RISK))
        with self._lock:
            if self._ended:
                return self
            self._data["findings"].append(f)
            risk = round(SEVERITY_RISK[f["severity"]] * min(1.0, max(0.0, float(f["confidence"]))) * 100)
            self._data["securityScore"] = max(self._data["securityScore"], risk)
        return self

    def set_tag(self, key: str, value: Any) -> "Span":
        """Set a tag (values are stored as strings)."""
        with self._lock:
            if not self._ended:
                self._data["tags"][str(key)] = _tag_value(value)
        return self

    def set_error(self, error: Any, status_code: Optional[int] = None) -> "Span":
        """Mark the span failed; uses the error's ``status_code``/``status`` when it has one."""
        code = status_code
        if code is None:
            for attr in ("status_code", "status", "code"):
                value = getattr(error, attr, None)
                if isinstance(value, int) and 100 <= value <= 599:
                    code = value
                    break
        return self._set(status="error", error=str(error) or type(error).__name__, statusCode=code or 500)

    def set_status(self, status: str) -> "Span":
        """``ok``, ``error``, ``cancelled`` or ``blocked``."""
        return self._set(status=status)

    def mark_first_token(self) -> "Span":
        """Record time to first token now (first call wins)."""
        with self._lock:
            if not self._ended and "ttftMs" not in self._data:
                self._data["ttftMs"] = round((time.perf_counter() - self._started) * 1000, 3)
        return self

    def update(self, **fields: Any) -> "Span":
        """Set span fields by their JSON name or snake_case name (``response_model=...``, ``finishReason=...``)."""
        return self._set(**{_camel(k): v for k, v in fields.items() if v is not None})

    def start_child(self, operation: str, provider: Optional[str] = None, model: str = "", **options: Any) -> "Span":
        """Start a child span in the same trace (an agent step, a tool call, a retrieval)."""
        return self._tracer.start_span(operation, provider or self._data["provider"], model, parent=self, **options)

    def end(self) -> None:
        """Finish the span and hand it to the exporter. Calling it again does nothing."""
        with self._lock:
            if self._ended:
                return
            self._finish_times()
            self._ended = True
            snapshot = self._snapshot()
        if self._on_end is not None:
            self._on_end(snapshot)

    # -- output ---------------------------------------------------------------------------------
    def to_dict(self) -> Json:
        """The span as a dict in the core ``Span`` shape (camelCase keys)."""
        with self._lock:
            return self._snapshot()

    def to_json(self) -> str:
        """The span as JSON text: the same keys the TypeScript SDK's ``toJSON()`` produces."""
        return json.dumps(self.to_dict())

    # -- context manager ------------------------------------------------------------------------
    def __enter__(self) -> "Span":
        self._token = self._tracer._push(self)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._tracer._pop(getattr(self, "_token", None))
        if exc is not None:
            self.set_error(exc)
        self.end()

    # -- internals ------------------------------------------------------------------------------
    def _set(self, **fields: Any) -> "Span":
        with self._lock:
            if not self._ended:
                self._data.update(fields)
        return self

    def _finish_times(self) -> None:
        duration = round((time.perf_counter() - self._started) * 1000, 3)
        self._data["durationMs"] = duration
        self._data["endTime"] = self._data["startTime"] + int(round(duration))

    def _snapshot(self) -> Json:
        data = copy.deepcopy(self._data)
        if not self._ended:
            duration = round((time.perf_counter() - self._started) * 1000, 3)
            data["durationMs"] = duration
            data["endTime"] = data["startTime"] + int(round(duration))
        return {k: v for k, v in data.items() if v is not None}


def _tag_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)
