"""Test helpers: a real HTTP receiver and a fake OpenAI-style client (no third-party packages)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any, Dict, List


class Receiver:
    """An HTTP server on 127.0.0.1 that records POSTed span batches and answers ``statuses`` in turn."""

    def __init__(self, statuses: List[int] = None, gate: "threading.Event" = None) -> None:
        self.statuses = list(statuses or [])
        self.gate = gate
        self.requests: List[Dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if receiver.gate is not None:
                    receiver.gate.wait(10)
                status = receiver.statuses.pop(0) if receiver.statuses else 202
                if status == 202:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "spans": json.loads(body)["spans"]})
                payload = b'{"accepted": 1}'
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def spans(self) -> List[Dict[str, Any]]:
        return [s for r in self.requests for s in r["spans"]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def obj(value: Any) -> Any:
    """Dicts to attribute objects, like the OpenAI SDK's response models."""
    if isinstance(value, dict):
        return SimpleNamespace(**{k: obj(v) for k, v in value.items()})
    if isinstance(value, list):
        return [obj(v) for v in value]
    return value


class APIError(Exception):
    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


def chunk(delta: Dict[str, Any], finish: Any = None, usage: Any = None, choices: bool = True) -> Dict[str, Any]:
    c: Dict[str, Any] = {"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-2024"}
    c["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}] if choices else []
    if usage is not None:
        c["usage"] = usage
    return c


USAGE = {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}


class _Completions:
    def __init__(self, as_objects: bool) -> None:
        self.as_objects = as_objects
        self.calls = 0

    def create(self, **kwargs: Any) -> Any:
        self.calls += 1
        wrap = obj if self.as_objects else (lambda v: v)
        if kwargs.get("model") == "broken":
            raise APIError("Rate limit reached", 429)
        if kwargs.get("stream"):
            events = [
                chunk({"role": "assistant", "content": ""}),
                chunk({"content": "Hel"}),
                chunk({"content": "lo!"}),
                chunk({"tool_calls": [{"index": 0, "id": "call_1", "function": {"name": "lookup", "arguments": '{"q":'}}]}),
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"x"}'}}]}),
                chunk({}, finish="tool_calls"),
                chunk({}, usage=USAGE, choices=False),
            ]

            def gen() -> Any:
                for e in events:
                    time.sleep(0.002)
                    yield wrap(e)

            return gen()
        return wrap({
            "id": "c1",
            "model": "gpt-4o-2024",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
            "usage": USAGE,
        })


class FakeOpenAI:
    """Shaped like ``openai.OpenAI``: ``client.chat.completions.create(**kwargs)``."""

    def __init__(self, as_objects: bool = False) -> None:
        self.chat = SimpleNamespace(completions=_Completions(as_objects))


class HttpOpenAI:
    """A minimal OpenAI-compatible client over urllib: ``chat.completions.create`` (JSON or SSE)."""

    def __init__(self, base_url: str, api_key: str = "sk-test") -> None:
        import urllib.request

        outer = self

        class _C:
            def create(self, **kwargs: Any) -> Any:
                req = urllib.request.Request(
                    outer.base_url + "/chat/completions",
                    data=json.dumps(kwargs).encode(),
                    headers={"content-type": "application/json", "authorization": "Bearer " + outer.api_key},
                    method="POST",
                )
                res = urllib.request.urlopen(req, timeout=10)
                if not kwargs.get("stream"):
                    with res:
                        return json.loads(res.read())

                def events() -> Any:
                    with res:
                        for raw in res:
                            line = raw.decode().strip()
                            if line.startswith("data: ") and line != "data: [DONE]":
                                yield json.loads(line[6:])

                return events()

        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.chat = SimpleNamespace(completions=_C())


class _AsyncCompletions:
    """``AsyncOpenAI``-shaped: ``await create(...)``; streams are async iterators."""

    def __init__(self) -> None:
        self.sync = _Completions(as_objects=False)

    async def create(self, **kwargs: Any) -> Any:
        result = self.sync.create(**kwargs)
        if not kwargs.get("stream"):
            return result

        async def agen() -> Any:
            for chunk in result:
                yield chunk

        return agen()


class FakeAsyncOpenAI:
    def __init__(self) -> None:
        self.chat = SimpleNamespace(completions=_AsyncCompletions())
