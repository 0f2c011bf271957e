"""The tracer: starts spans, tracks the active one, hands finished spans to an exporter."""

import contextvars
import logging
from typing import Any, Dict, Mapping, Optional

from .exporter import BatchExporter, HttpExporter, SpanExporter
from .security import scan_span
from .span import Span

logger = logging.getLogger("llmtrace")

_active: "contextvars.ContextVar[Optional[Span]]" = contextvars.ContextVar("llmtrace_active_span", default=None)

_UNSET = object()


class _NoopExporter(SpanExporter):
    def export(self, span: Dict[str, Any]) -> None:
        pass


class Tracer:
    """Records spans. With ``endpoint``, spans are posted (batched, in the background) to a running
    LLMTrace; with ``exporter``, they go where it says; with neither, they are dropped.

    With ``enable_security``, each finished span gets a small local check (a subset of the proxy's
    detectors; the proxy re-scans every ingested span with its full engine).
    """

    def __init__(
        self,
        endpoint: Optional[str] = None,
        api_key: Optional[str] = None,
        tenant_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        session_id: Optional[str] = None,
        enable_security: bool = False,
        exporter: Optional[SpanExporter] = None,
        **exporter_options: Any,
    ) -> None:
        self.tenant_id = tenant_id or "default"
        self.agent_id = agent_id
        self.session_id = session_id
        self.enable_security = bool(enable_security)
        if exporter is not None:
            self.exporter = exporter
        elif endpoint:
            self.exporter = HttpExporter(endpoint, api_key=api_key, tenant_id=tenant_id, **exporter_options)
        else:
            self.exporter = _NoopExporter()
        # A batching exporter runs the local check on its own thread; others get it inline.
        self._scan_inline = self.enable_security
        if self.enable_security and isinstance(self.exporter, BatchExporter) and self.exporter.before_send is None:
            self.exporter.before_send = scan_span
            self._scan_inline = False

    def start_span(
        self, operation: str, provider: str = "custom", model: str = "", parent: Any = _UNSET, **options: Any
    ) -> Span:
        """Start a span. Its parent is ``parent``, else the active span (see ``span()``), else none.

        ``operation`` is ``chat_completion``/``chat``, ``completion``, ``embedding``, ``responses``,
        ``messages`` or a name of your own (recorded as ``other`` with an ``operation.name`` tag).
        Options: ``agent_id``, ``session_id``, ``end_user``, ``stream``, ``tags``, ``start_time``.
        """
        if parent is _UNSET:
            parent = _active.get()
        return Span(self, operation, provider, model, parent=parent, on_end=self._on_end, **options)

    def span(self, operation: str, provider: str = "custom", model: str = "", **options: Any) -> Span:
        """A span to use with ``with``: active inside the block (children nest under it), ended after it."""
        return self.start_span(operation, provider, model, **options)

    def current_span(self) -> Optional[Span]:
        """The active span, if any."""
        return _active.get()

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until every ended span was sent. Returns False if ``timeout`` (seconds) ran out."""
        return self.exporter.flush(timeout)

    def shutdown(self, timeout: Optional[float] = None) -> None:
        """Flush, then stop the exporter."""
        self.exporter.shutdown(timeout)

    def _on_end(self, span: Dict[str, Any]) -> None:
        try:
            if self._scan_inline:
                scan_span(span)
            self.exporter.export(span)
        except Exception as err:  # noqa: BLE001 - tracing must never break the application
            logger.warning("llmtrace: could not export a span: %s", err)

    def _push(self, span: Span) -> Any:
        return _active.set(span)

    def _pop(self, token: Any) -> None:
        if token is not None:
            try:
                _active.reset(token)
            except ValueError:  # ended in another context; nothing to restore
                pass


# The seed project's name for the tracer.
LLMSecTracer = Tracer

_default: Optional[Tracer] = None


def configure(config: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> Tracer:
    """Create the process-wide tracer from a dict and/or keyword arguments and return it.

    Keys: ``endpoint``, ``api_key``, ``tenant_id``, ``agent_id``, ``session_id``,
    ``enable_security``, ``exporter``, and exporter tuning (``batch_size``, ``flush_interval``,
    ``max_queue_size``, ``max_retries``, ``timeout``)::

        tracer = llmtrace.configure({"enable_security": True, "endpoint": "http://localhost:8080"})
    """
    global _default
    options = dict(config or {})
    options.update(kwargs)
    _default = Tracer(**options)
    return _default


def get_tracer() -> Tracer:
    """The tracer from ``configure``; before that, one that drops every span."""
    global _default
    if _default is None:
        _default = Tracer()
    return _default
