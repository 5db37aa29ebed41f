"""A small WAF in pure ASGI: Request parses the query, an exception carries a refusal."""

import json
import logging
import re
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("waf")

# The rule list is given: (id, pattern), written in lower case, matched ignoring letter case.
# Don't change it: the tests expect exactly these rules.
RULES: list[tuple[str, str]] = [
    ("sqli-1", r"'\s*(?:or|and)\s+[\w'\"]+\s*(?:=|<|>|\blike\b)"),
    ("sqli-2", r"\bunion(?:\s|/\*.*?\*/)+(?:all(?:\s|/\*.*?\*/)+)?select\b"),
    ("xss-1", r"<\s*script\b|\bjavascript:|\bon(?:error|load|click|mouseover|focus)\s*="),
    ("trav-1", r"(?:^|[\\/])\.\.(?:[\\/]|$)"),
]

ALLOWED_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_QUERY_LENGTH = 2048  # characters of the raw query string
MAX_BODY_BYTES = 1024 * 1024  # 1 MB


class Blocked(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def fully_decoded(text: str) -> str:
    for _ in range(20):
        new = unquote(text)
        if new == text:
            break
        text = new
    return text


def walk(doc, out):
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append(k)
            walk(v, out)
    elif isinstance(doc, list):
        for v in doc:
            walk(v, out)
    elif isinstance(doc, str):
        out.append(doc)


class WAFMiddleware:
    def __init__(self, app: ASGIApp, mode: str = "block") -> None:
        self.app = app
        self.mode = mode
        self.rules = [(rid, re.compile(p, re.I)) for rid, p in RULES]

    async def read_body(self, receive: Receive) -> bytes:
        data = bytearray()
        while True:
            msg = await receive()
            if msg["type"] != "http.request":
                break
            data += msg.get("body", b"")
            if len(data) > MAX_BODY_BYTES:
                raise Blocked("body-size")
            if not msg.get("more_body"):
                break
        return bytes(data)

    def inspect(self, texts: list[str]) -> str | None:
        cleaned = [fully_decoded(t) for t in texts]
        for rid, rx in self.rules:
            for t in cleaned:
                if rx.search(t):
                    return rid
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        try:
            if scope["method"] not in ALLOWED_METHODS:
                raise Blocked("method")
            if len(scope["query_string"]) > MAX_QUERY_LENGTH:
                raise Blocked("query-length")
            body = await self.read_body(receive)
        except Blocked as blocked:
            return await self.refuse(blocked.reason, scope, receive, send)

        request = Request(scope)
        texts = [scope["path"]]
        for k, v in request.query_params.multi_items():
            texts += [k, v]
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        raw = body.decode("utf-8", "replace")
        if ctype == "application/json" or (
            ctype.startswith("application/") and ctype.endswith("+json")
        ):
            try:
                walk(json.loads(raw), texts)
            except json.JSONDecodeError:
                texts.append(raw)
        elif ctype == "application/x-www-form-urlencoded":
            for k, v in parse_qsl(raw, keep_blank_values=True):
                texts += [k, v]
        elif body:
            texts.append(raw)

        hit = self.inspect(texts)
        if hit:
            if self.mode == "monitor":
                logger.warning("[monitor] %s matched on %s %s", hit, scope["method"], scope["path"])
            else:
                return await self.refuse(hit, scope, receive, send)

        done = False

        async def receive_again():
            nonlocal done
            if done:
                return await receive()
            done = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, receive_again, send)

    async def refuse(self, reason: str, scope: Scope, receive: Receive, send: Send) -> None:
        logger.warning("[block] %s on %s %s", reason, scope["method"], scope["path"])
        await JSONResponse({"blocked_by": reason}, status_code=403)(scope, receive, send)
