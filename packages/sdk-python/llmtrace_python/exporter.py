"""Exporters: where finished spans go. The HTTP one batches on a background thread."""

import atexit
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
import weakref
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional

logger = logging.getLogger("llmtrace")
logger.addHandler(logging.NullHandler())

Json = Dict[str, Any]


class SpanExporter:
    """Base class. ``export`` must return at once and never raise."""

    def export(self, span: Json) -> None:
        raise NotImplementedError

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until everything exported so far was sent (or given up on). Returns False on timeout."""
        return True

    def shutdown(self, timeout: Optional[float] = None) -> None:
        """Flush, then stop: later spans are dropped."""


class MemoryExporter(SpanExporter):
    """Keeps spans in ``self.spans``: for tests and for looking at what would be sent."""

    def __init__(self) -> None:
        self.spans: List[Json] = []
        self._stopped = False

    def export(self, span: Json) -> None:
        if not self._stopped:
            self.spans.append(span)

    def shutdown(self, timeout: Optional[float] = None) -> None:
        self._stopped = True


class _RetryableError(Exception):
    pass


def ingest_url(endpoint: str) -> str:
    """``<base>/api/v1/spans`` unless the endpoint already ends in ``/spans``."""
    base = endpoint.rstrip("/")
    return base if base.endswith("/spans") else base + "/api/v1/spans"


class BatchExporter(SpanExporter):
    """Queue spans (bounded), send them in batches from one daemon thread, retry with backoff.

    ``send(batch)`` raises ``_RetryableError`` (or any ``OSError``) for failures worth retrying and
    any other exception to drop the batch. The caller is never blocked and never sees an error.
    """

    def __init__(
        self,
        send: Callable[[List[Json]], None],
        batch_size: int = 100,
        flush_interval: float = 1.0,
        max_queue_size: int = 2048,
        max_retries: int = 3,
        retry_base: float = 0.2,
        flush_on_exit: bool = True,
        exit_timeout: float = 5.0,
    ) -> None:
        self._send = send
        self.batch_size = max(1, int(batch_size))
        self.flush_interval = float(flush_interval)
        self.max_queue_size = max(1, int(max_queue_size))
        self.max_retries = max(0, int(max_retries))
        self.retry_base = float(retry_base)
        self._queue: Deque[Json] = deque()
        self._cond = threading.Condition()
        self._in_flight = 0
        self._stopped = False
        self._flush_requested = False
        self._thread: Optional[threading.Thread] = None
        self.stats = {"exported": 0, "dropped": 0, "failed": 0}
        # Applied to each span on the sender thread before it is sent (the tracer puts the local
        # security check here so it never runs in the caller's thread).
        self.before_send: Optional[Callable[[Json], Json]] = None
        if flush_on_exit:
            # A weak reference: registering the hook must not keep an unused exporter alive.
            ref = weakref.ref(self)

            def _at_exit() -> None:
                exporter = ref()
                if exporter is not None:
                    exporter.shutdown(timeout=exit_timeout)

            atexit.register(_at_exit)

    def export(self, span: Json) -> None:
        with self._cond:
            if self._stopped or len(self._queue) >= self.max_queue_size:
                self.stats["dropped"] += 1
                return
            self._queue.append(span)
            self._ensure_thread()
            # Wake the sender when its timer should start (first span) or a batch is full.
            if len(self._queue) == 1 or len(self._queue) >= self.batch_size:
                self._cond.notify_all()

    def flush(self, timeout: Optional[float] = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if not self._queue and self._in_flight == 0:
                return True
            self._ensure_thread()
            self._flush_requested = True
            self._cond.notify_all()
            while self._queue or self._in_flight:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left if left is not None else 0.5)
            return True

    def shutdown(self, timeout: Optional[float] = None) -> None:
        self.flush(timeout)
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def queued(self) -> int:
        with self._cond:
            return len(self._queue)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            thread = threading.Thread(target=self._run, name="llmtrace-exporter", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # interpreter shutting down: nothing more can be sent
                return
            self._thread = thread

    def _run(self) -> None:
        while True:
            with self._cond:
                deadline: Optional[float] = None
                # Wait until a batch is full, the oldest queued span waited flush_interval, a flush
                # was asked for, or the exporter stops.
                while not (self._stopped or self._flush_requested or len(self._queue) >= self.batch_size):
                    if not self._queue:
                        deadline = None
                        self._cond.wait()
                        continue
                    if deadline is None:
                        deadline = time.monotonic() + self.flush_interval
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                if not self._queue:
                    self._flush_requested = False
                    if self._stopped:
                        return
                    continue
                batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
                self._in_flight += len(batch)
            try:
                if self.before_send is not None:
                    batch = [self._prepare(span) for span in batch]
                self._send_with_retry(batch)
            finally:
                with self._cond:
                    self._in_flight -= len(batch)
                    if not self._queue:
                        self._flush_requested = False
                    self._cond.notify_all()

    def _prepare(self, span: Json) -> Json:
        try:
            return self.before_send(span) if self.before_send is not None else span
        except Exception as err:  # noqa: BLE001 - a failing hook must not lose the span
            logger.warning("llmtrace: before_send failed: %s", err)
            return span

    def _send_with_retry(self, batch: List[Json]) -> None:
        attempt = 0
        while True:
            try:
                self._send(batch)
                self.stats["exported"] += len(batch)
                return
            except (_RetryableError, OSError) as err:
                if attempt >= self.max_retries:
                    self._give_up(batch, err)
                    return
                time.sleep(self.retry_base * (2 ** attempt) * (0.5 + random.random() / 2))
                attempt += 1
            except Exception as err:  # noqa: BLE001 - an exporter must never raise into the app
                self._give_up(batch, err)
                return

    def _give_up(self, batch: List[Json], err: BaseException) -> None:
        self.stats["failed"] += len(batch)
        logger.warning("llmtrace: dropped a batch of %d spans: %s", len(batch), err)


class HttpExporter(BatchExporter):
    """Post spans to a running LLMTrace's ingest endpoint (``POST /api/v1/spans``) with urllib.

    Retries network errors, 408, 429 and 5xx; other 4xx answers drop the batch (a retry would
    get the same answer).
    """

    def __init__(
        self,
        endpoint: str,
        api_key: Optional[str] = None,
        tenant_id: Optional[str] = None,
        timeout: float = 10.0,
        headers: Optional[Dict[str, str]] = None,
        **batch_options: Any,
    ) -> None:
        self.url = ingest_url(endpoint)
        self._timeout = timeout
        self._headers = {"content-type": "application/json", "user-agent": "llmtrace-python/0.1.0"}
        self._headers.update(headers or {})
        if api_key:
            self._headers["authorization"] = "Bearer " + api_key
        if tenant_id:
            self._headers["x-llmtrace-tenant-id"] = tenant_id
        super().__init__(self._post, **batch_options)

    def _post(self, batch: List[Json]) -> None:
        body = json.dumps({"spans": batch}).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, headers=self._headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self._timeout) as res:
                res.read()
        except urllib.error.HTTPError as err:
            err.read()
            if err.code in (408, 429) or err.code >= 500:
                raise _RetryableError("ingest endpoint answered %d" % err.code) from None
            raise RuntimeError("ingest endpoint answered %d" % err.code) from None
