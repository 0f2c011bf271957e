"""Instrument an OpenAI-style client: ``client.chat.completions.create`` records a span per call."""

import functools
import inspect
from typing import Any, AsyncIterator, Dict, Iterator, List, Optional

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


class _ChunkRecorder:
    """Notes TTFT, text, tool calls, finish reason and usage from chat completion chunks."""

    def __init__(self, span: Span, capture: bool) -> None:
        self.span = span
        self.capture = capture
        self.text: List[str] = []
        self.calls: Dict[int, Dict[str, str]] = {}
        self.done = False

    def chunk(self, chunk: Any) -> None:
        try:
            self._record(chunk)
        except Exception:  # noqa: BLE001 - recording is best effort, the stream is not
            pass

    def _record(self, chunk: Any) -> None:
        span = self.span
        model = get(chunk, "model")
        if isinstance(model, str) and model:
            span.update(response_model=model)
        _apply_usage(span, get(chunk, "usage"))
        choices = get(chunk, "choices") or []
        if not choices:
            return
        choice = choices[0]
        finish = get(choice, "finish_reason")
        if finish:
            span.update(finish_reason=finish)
        delta = get(choice, "delta")
        content = get(delta, "content")
        tool_deltas = get(delta, "tool_calls") or []
        if content or tool_deltas:
            span.mark_first_token()
        if content:
            self.text.append(content)
        for d in tool_deltas:
            call = self.calls.setdefault(get(d, "index") or 0, {"name": "", "arguments": ""})
            if get(d, "id"):
                call.setdefault("id", get(d, "id"))
            fn = get(d, "function")
            call["name"] += get(fn, "name") or ""
            call["arguments"] += get(fn, "arguments") or ""

    def finish(self, error: Optional[BaseException] = None, cancelled: bool = False) -> None:
        if self.done:
            return
        self.done = True
        self.span.set_response("".join(self.text) if self.capture else "", list(self.calls.values()))
        if error is not None:
            self.span.set_error(error)
        elif cancelled:
            self.span.set_status("cancelled")
        self.span.end()


class _StreamProxy:
    """Attributes the wrapper does not have are the wrapped stream's (``response``, ``close``…)."""

    _stream: Any

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes this wrapper does not have: defer to the real stream.
        stream = self.__dict__.get("_stream")
        if stream is None:
            raise AttributeError(name)
        return getattr(stream, name)


class TracedStream(_StreamProxy):
    """Wraps a streaming response: yields the very same chunks, records TTFT, text, tool calls and
    usage, and ends the span when the stream ends, fails or is closed early."""

    def __init__(self, stream: Any, span: Span, capture: bool) -> None:
        self._stream = stream
        self._rec = _ChunkRecorder(span, capture)

    def __iter__(self) -> Iterator[Any]:
        try:
            for chunk in self._stream:
                self._rec.chunk(chunk)
                yield chunk
        except GeneratorExit:
            self._rec.finish(cancelled=True)
            raise
        except BaseException as err:
            self._rec.finish(error=err)
            raise
        self._rec.finish()

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
        self._rec.finish(cancelled=True)
        close = getattr(self._stream, "close", None)
        if callable(close):
            close()


class AsyncTracedStream(_StreamProxy):
    """The async twin of :class:`TracedStream`, for ``AsyncOpenAI`` streams."""

    def __init__(self, stream: Any, span: Span, capture: bool) -> None:
        self._stream = stream
        self._rec = _ChunkRecorder(span, capture)

    async def _gen(self) -> AsyncIterator[Any]:
        try:
            async for chunk in self._stream:
                self._rec.chunk(chunk)
                yield chunk
        except GeneratorExit:
            self._rec.finish(cancelled=True)
            raise
        except BaseException as err:
            self._rec.finish(error=err)
            raise
        self._rec.finish()

    def __aiter__(self) -> AsyncIterator[Any]:
        it = self.__dict__.get("_aiter")
        if it is None:
            it = self._aiter = self._gen()
        return it

    async def __anext__(self) -> Any:
        return await self.__aiter__().__anext__()

    async def __aenter__(self) -> "AsyncTracedStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        self._rec.finish(cancelled=True)
        close = getattr(self._stream, "close", None) or getattr(self._stream, "aclose", None)
        if callable(close):
            result = close()
            if inspect.isawaitable(result):
                await result


def _start(tracer: Optional[Tracer], provider: str, capture: bool, kwargs: Dict[str, Any]) -> Span:
    t = tracer or get_tracer()
    span = t.start_span("chat", provider, str(kwargs.get("model") or ""), stream=bool(kwargs.get("stream")))
    try:
        params = {k: kwargs[k] for k in _PARAMS if isinstance(kwargs.get(k), (int, float, str, bool))}
        if params:
            span.update(params=params)
        if capture and isinstance(kwargs.get("messages"), (list, tuple)):
            span.set_prompt(list(kwargs["messages"]))
    except Exception:  # noqa: BLE001 - recording must never break the call
        pass
    return span


def _finish(span: Span, result: Any, capture: bool) -> None:
    try:
        choice = (get(result, "choices") or [None])[0]
        message = get(choice, "message")
        span.update(response_model=get(result, "model"), finish_reason=get(choice, "finish_reason"))
        text = get(message, "content") or ""
        span.set_response(text if capture else "", _tool_calls(message))
        _apply_usage(span, get(result, "usage"))
    except Exception:  # noqa: BLE001
        pass
    span.end()


def instrument(client: Any, tracer: Optional[Tracer] = None, provider: str = "openai", capture_content: bool = True) -> Any:
    """Wrap ``client.chat.completions.create`` (streaming and not, sync ``OpenAI`` and async
    ``AsyncOpenAI``) so every call records a span.

    The client is patched in place and returned. Calls inside ``with tracer.span(...)`` become
    children of that span. Recording never changes what the call returns or raises (a stream is
    wrapped in ``TracedStream``/``AsyncTracedStream``, which yield the same chunks)::

        client = llmtrace.instrument(OpenAI(), tracer=tracer)
    """
    completions = client.chat.completions
    original = completions.create
    if getattr(original, "__llmtrace_wrapped__", False):
        return client

    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def acreate(*args: Any, **kwargs: Any) -> Any:
            span = _start(tracer, provider, capture_content, kwargs)
            try:
                result = await original(*args, **kwargs)
            except BaseException as err:
                span.set_error(err)
                span.end()
                raise
            if kwargs.get("stream"):
                return AsyncTracedStream(result, span, capture_content)
            _finish(span, result, capture_content)
            return result

        wrapped: Any = acreate
    else:

        @functools.wraps(original)
        def create(*args: Any, **kwargs: Any) -> Any:
            span = _start(tracer, provider, capture_content, kwargs)
            try:
                result = original(*args, **kwargs)
            except BaseException as err:
                span.set_error(err)
                span.end()
                raise
            if kwargs.get("stream"):
                return TracedStream(result, span, capture_content)
            _finish(span, result, capture_content)
            return result

        wrapped = create

    wrapped.__llmtrace_wrapped__ = True
    completions.create = wrapped
    return client
