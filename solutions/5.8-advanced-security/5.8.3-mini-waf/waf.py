"""A small web application firewall as pure ASGI middleware: a method allowlist, size caps, and
the given rules matched against the decoded path, query and body, in block or monitor mode."""

import json
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("waf")

# The rule list is given: (id, pattern), written in lower case, matched ignoring letter case.
RULES: list[tuple[str, str]] = [
    ("sqli-1", r"'\s*(?:or|and)\s+[\w'\"]+\s*(?:=|<|>|\blike\b)"),
    ("sqli-2", r"\bunion(?:\s|/\*.*?\*/)+(?:all(?:\s|/\*.*?\*/)+)?select\b"),
    ("xss-1", r"<\s*script\b|\bjavascript:|\bon(?:error|load|click|mouseover|focus)\s*="),
    ("trav-1", r"(?:^|[\\/])\.\.(?:[\\/]|$)"),
]

ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_QUERY_LENGTH = 2048
MAX_BODY_BYTES = 1024 * 1024

COMPILED = [(rule_id, re.compile(pattern, re.IGNORECASE)) for rule_id, pattern in RULES]


def decoded(value: str) -> str:
    """URL-decode until nothing changes: %253C -> %3C -> <."""
    while (once := unquote(value)) != value:
        value = once
    return value


def json_strings(document: Any) -> Iterator[str]:
    """Every string of a parsed JSON document, keys included, at any depth."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from json_strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from json_strings(value)


def media_type(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def body_strings(body: bytes, kind: str) -> Iterator[str]:
    text = body.decode("utf-8", errors="replace")
    if kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
        try:
            yield from json_strings(json.loads(text))
            return
        except ValueError:
            pass  # not JSON after all: matched as text below
    elif kind == "application/x-www-form-urlencoded":
        for name, value in parse_qsl(text, keep_blank_values=True):
            yield name
            yield value
        return
    yield text


def first_match(values: list[str]) -> str | None:
    normalised = [decoded(v) for v in values]
    for rule_id, pattern in COMPILED:
        if any(pattern.search(value) for value in normalised):
            return rule_id
    return None


class WAFMiddleware:
    def __init__(self, app: ASGIApp, mode: str = "block") -> None:
        if mode not in ("block", "monitor"):
            raise ValueError("mode must be 'block' or 'monitor'")
        self.app = app
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ALLOWED_METHODS:
            await self.block("method", scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if len(query) > MAX_QUERY_LENGTH:
            await self.block("query-length", scope, receive, send)
            return

        # Read the whole body (counting what really arrives: chunked requests have no
        # Content-Length), then hand the same bytes to the app.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await self.block("body-size", scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)

        values = [scope["path"]]
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            values += [name, value]
        if body:
            values += body_strings(body, media_type(scope["headers"]))
        rule_id = first_match(values)
        if rule_id is not None:
            if self.mode == "block":
                await self.block(rule_id, scope, receive, send)
                return
            logger.warning("monitor: rule %s matched %s %s", rule_id, method, scope["path"])

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def block(self, block_id: str, scope: Scope, receive: Receive, send: Send) -> None:
        logger.warning("blocked by %s: %s %s", block_id, scope["method"], scope["path"])
        response = JSONResponse({"blocked_by": block_id}, status_code=403)
        await response(scope, receive, send)
