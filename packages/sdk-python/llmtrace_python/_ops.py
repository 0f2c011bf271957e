"""Operation names and small helpers shared by the SDK modules."""

from typing import Any, Dict, List, Optional, Tuple

_ALIASES = {
    "chat": "chat",
    "chat_completion": "chat",
    "chat_completions": "chat",
    "chat.completions": "chat",
    "completion": "completion",
    "completions": "completion",
    "text_completion": "completion",
    "embedding": "embedding",
    "embeddings": "embedding",
    "responses": "responses",
    "response": "responses",
    "messages": "messages",
    "message": "messages",
    "other": "other",
}

# Same per-severity risk as the TypeScript SDK and the proxy's scorer.
SEVERITY_RISK = {"info": 0.02, "low": 0.12, "medium": 0.45, "high": 0.8, "critical": 0.97}


def normalize_operation(name: str) -> Tuple[str, Optional[str]]:
    """Map an operation name onto the span model's operations.

    Unknown names become ``other`` and are returned as the second value (kept as the
    ``operation.name`` tag).
    """
    op = _ALIASES.get(str(name).strip().lower())
    return (op, None) if op else ("other", str(name))


def get(obj: Any, key: str, default: Any = None) -> Any:
    """Read ``key`` from a dict or an attribute from an object (OpenAI returns objects, fakes dicts)."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def content_to_text(content: Any) -> str:
    """Flatten OpenAI-style content (a string or a list of parts) to text."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, (list, tuple)):
        parts: List[str] = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
                continue
            text = get(part, "text")
            if isinstance(text, str):
                parts.append(text)
            else:
                parts.append("[%s]" % (get(part, "type") or "part"))
        return "\n".join(parts)
    return str(content)


def to_messages(prompt: Any) -> List[Dict[str, str]]:
    """A prompt string or a list of chat messages as the span's ``prompt`` list."""
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    out: List[Dict[str, str]] = []
    for m in prompt or []:
        msg = {"role": str(get(m, "role", "user")), "content": content_to_text(get(m, "content"))}
        name = get(m, "name")
        if isinstance(name, str):
            msg["name"] = name
        tool_call_id = get(m, "tool_call_id") or get(m, "toolCallId")
        if isinstance(tool_call_id, str):
            msg["toolCallId"] = tool_call_id
        out.append(msg)
    return out
