"""A small local security check: a SUBSET of the proxy's detectors, standard library only.

It catches a few high-signal patterns (common secrets, e-mail, US SSN, card numbers that pass
the Luhn check, blatant prompt-injection phrases). The proxy re-scans every ingested span with
its full engine, so this is an early warning, not the verdict.
"""

import re
from typing import Any, Dict, List, Tuple

from ._ops import SEVERITY_RISK

Json = Dict[str, Any]

# (type, severity, confidence, pattern, message). Every repetition is bounded so a hostile text
# cannot make a scan quadratic (the local check runs in the caller's thread).
_RULES: List[Tuple[str, str, float, "re.Pattern[str]", str]] = [
    ("secret.aws_access_key", "critical", 0.95, re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "AWS access key id"),
    ("secret.github_token", "critical", 0.95, re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"), "GitHub token"),
    ("secret.openai_key", "critical", 0.9, re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{20,200}\b"), "OpenAI API key"),
    ("secret.private_key", "critical", 0.99, re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"), "private key"),
    ("pii.email", "medium", 0.9, re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b"), "e-mail address"),
    ("pii.ssn", "high", 0.8, re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b"), "US social security number"),
    (
        "prompt_injection",
        "high",
        0.85,
        re.compile(
            r"\b(?:ignore|disregard|forget)\s{1,5}(?:all\s{1,5}|any\s{1,5})?(?:the\s{1,5})?(?:previous|prior|above|earlier)\s{1,5}"
            r"(?:instructions|rules|prompts?|directions)\b",
            re.IGNORECASE,
        ),
        "instruction override",
    ),
]

# Bounds per text: the check is a quick early warning, not a full scan (the proxy does that).
MAX_SCAN_CHARS = 200_000
MAX_FINDINGS = 100

_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _redact(text: str) -> str:
    return text[:4] + "…" if len(text) > 4 else "…"


def scan_text(text: str, side: str, message_index: Any = None) -> List[Json]:
    """Findings for one text (``side`` is ``request`` or ``response``)."""
    findings: List[Json] = []
    text = text[:MAX_SCAN_CHARS]
    for ftype, severity, confidence, pattern, message in _RULES:
        if ftype == "prompt_injection" and side != "request":
            continue
        for m in pattern.finditer(text):
            if len(findings) >= MAX_FINDINGS:
                return findings
            location: Json = {"side": side, "start": m.start(), "end": m.end()}
            if message_index is not None:
                location["messageIndex"] = message_index
            findings.append({
                "type": ftype, "severity": severity, "confidence": confidence, "detector": "python-local",
                "location": location, "excerpt": _redact(m.group(0)), "message": message,
            })
    for m in _CARD.finditer(text):
        if len(findings) >= MAX_FINDINGS:
            break
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            location = {"side": side, "start": m.start(), "end": m.end()}
            if message_index is not None:
                location["messageIndex"] = message_index
            findings.append({
                "type": "pii.credit_card", "severity": "high", "confidence": 0.85, "detector": "python-local",
                "location": location, "excerpt": "****" + digits[-4:], "message": "payment card number",
            })
    return findings


def score(findings: List[Json]) -> float:
    """0–100: distinct rules add up (1 - Π(1 - risk)), repeats of a rule count once."""
    strongest: Dict[str, float] = {}
    for f in findings:
        risk = SEVERITY_RISK.get(f["severity"], 0) * max(0.0, min(1.0, float(f.get("confidence", 1))))
        key = f["type"]
        strongest[key] = max(strongest.get(key, 0.0), risk)
    keep = 1.0
    for risk in strongest.values():
        keep *= 1 - risk
    return round((1 - keep) * 1000) / 10


def scan_span(span: Json) -> Json:
    """Scan a span dict's prompt and response; merge findings in, score = the highest."""
    found: List[Json] = []
    for i, msg in enumerate(span.get("prompt") or []):
        found.extend(scan_text(msg.get("content", ""), "request", i))
    found.extend(scan_text(span.get("response") or "", "response"))
    found = found[:MAX_FINDINGS]
    if found:
        span.setdefault("findings", []).extend(found)
        span["securityScore"] = max(span.get("securityScore", 0), score(found))
    return span
