"""Instrument an OpenAI-style client: ``client.chat.completions.create`` records a span per call."""

import functools
from typing import Any, Dict, Iterator, List, Optional

from ._ops import get
from .span import Span
from .tracer import Tracer, get_tracer

_PARAMS = ("temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "presence_penalty",
           "frequency_penalty", "seed", "user")


def _apply_usage(span: Span, usage: Any) -> None:
    prompt = get(usage, "prompt_tokens")
    if not isinstance(prompt, int):
        return
    span.set_token_counts(
        prompt_tokens=prompt,
        completion_tokens=get(usage, "completion_tokens") or 0,
        total_tokens=get(usage, "total_tokens"),
        cached_tokens=get(get(usage, "prompt_tokens_details"), "cached_tokens"),
        reasoning_tokens=get(get(usage, "completion_tokens_details"), "reasoning_tokens"),
    )


def _tool_calls(message: Any) -> List[Dict[str, str]]:
    out = []
    for c in get(message, "tool_calls") or []:
        fn = get(c, "function")
        out.append({"id": get(c, "id"), "name": get(fn, "name") or "tool", "arguments": get(fn, "arguments") or ""})
    return out


class TracedStream:
    """Wraps a streaming response: yields the very same chunks, records TTFT, text, tool calls and
    usage, and ends the span when the stream ends, fails or is closed early. Any other attribute is
    the wrapped stream's."""

    def __init__(self, stream: Any, span: Span, capture: bool) -> None:
        self._stream = stream
        self._span = span
        self._capture = capture
        self._text: List[str] = []
        self._calls: Dict[int, Dict[str, str]] = {}
        self._done = False

    def __iter__(self) -> Iterator[Any]:
        try:
            for chunk in self._stream:
                try:
                    self._record(chunk)
                except Exception:  # noqa: BLE001 - recording is best effort, the stream is not
                    pass
                yield chunk
        except GeneratorExit:
            self._finish(cancelled=True)
            raise
        except BaseException as err:
            self._finish(error=err)
            raise
        self._finish()

    def __next__(self) -> Any:
        it = self.__dict__.get("_iter")
        if it is None:
            it = self._iter = iter(self)
        return next(it)

    def __enter__(self) -> "TracedStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._finish(cancelled=True)
        close = getattr(self._stream, "close", None)
        if callable(close):
            close()

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes this wrapper does not have: defer to the real stream.
        stream = self.__dict__.get("_stream")
        if stream is None:
            raise AttributeError(name)
        return getattr(stream, name)

    def _record(self, chunk: Any) -> None:
        model = get(chunk, "model")
        if isinstance(model, str) and model:
            self._span.update(response_model=model)
        _apply_usage(self._span, get(chunk, "usage"))
        choices = get(chunk, "choices") or []
        if not choices:
            return
        choice = choices[0]
        finish = get(choice, "finish_reason")
        if finish:
            self._span.update(finish_reason=finish)
        delta = get(choice, "delta")
        content = get(delta, "content")
        tool_deltas = get(delta, "tool_calls") or []
        if content or tool_deltas:
            self._span.mark_first_token()
        if content:
            self._text.append(content)
        for d in tool_deltas:
            call = self._calls.setdefault(get(d, "index") or 0, {"name": "", "arguments": ""})
            if get(d, "id"):
                call.setdefault("id", get(d, "id"))
            fn = get(d, "function")
            call["name"] += get(fn, "name") or ""
            call["arguments"] += get(fn, "arguments") or ""

    def _finish(self, error: Optional[BaseException] = None, cancelled: bool = False) -> None:
        if self._done:
            return
        self._done = True
        self._span.set_response("".join(self._text) if self._capture else "", list(self._calls.values()))
        if error is not None:
            self._span.set_error(error)
        elif cancelled:
            self._span.set_status("cancelled")
        self._span.end()


def instrument(client: Any, tracer: Optional[Tracer] = None, provider: str = "openai", capture_content: bool = True) -> Any:
    """Wrap ``client.chat.completions.create`` (streaming and not) so every call records a span.

    The client is patched in place and returned. Calls inside ``with tracer.span(...)`` become
    children of that span. Recording never changes what the call returns or raises (a stream is
    wrapped in ``TracedStream``, which yields the same chunks)::

        client = llmtrace.instrument(OpenAI(), tracer=tracer)
    """
    completions = client.chat.completions
    original = completions.create
    if getattr(original, "__llmtrace_wrapped__", False):
        return client

    @functools.wraps(original)
    def create(*args: Any, **kwargs: Any) -> Any:
        t = tracer or get_tracer()
        model = kwargs.get("model") or ""
        stream = bool(kwargs.get("stream"))
        span = t.start_span("chat", provider, str(model), stream=stream)
        try:
            params = {k: kwargs[k] for k in _PARAMS if isinstance(kwargs.get(k), (int, float, str, bool))}
            if params:
                span.update(params=params)
            if capture_content and isinstance(kwargs.get("messages"), (list, tuple)):
                span.set_prompt(list(kwargs["messages"]))
        except Exception:  # noqa: BLE001
            pass
        try:
            result = original(*args, **kwargs)
        except BaseException as err:
            span.set_error(err)
            span.end()
            raise
        if stream:
            return TracedStream(result, span, capture_content)
        try:
            choice = (get(result, "choices") or [None])[0]
            message = get(choice, "message")
            span.update(response_model=get(result, "model"), finish_reason=get(choice, "finish_reason"))
            text = get(message, "content") or ""
            span.set_response(text if capture_content else "", _tool_calls(message))
            _apply_usage(span, get(result, "usage"))
        except Exception:  # noqa: BLE001
            pass
        span.end()
        return result

    create.__llmtrace_wrapped__ = True  # type: ignore[attr-defined]
    completions.create = create
    return client
