"""A small web application firewall written with Starlette's BaseHTTPMiddleware."""

import json
import logging
import re
from urllib.parse import parse_qsl, unquote

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

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


def normalise(value: str) -> str:
    previous = None
    while previous != value:
        previous, value = value, unquote(value)
    return value


def strings_in(node: object, found: list[str]) -> list[str]:
    if isinstance(node, str):
        found.append(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            found.append(key)
            strings_in(value, found)
    elif isinstance(node, list):
        for value in node:
            strings_in(value, found)
    return found


class WAFMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, mode: str = "block") -> None:
        super().__init__(app)
        self.mode = mode
        self.rules = [(rule_id, re.compile(p, re.IGNORECASE)) for rule_id, p in RULES]

    def refuse(self, block_id: str, request: Request) -> Response:
        logger.warning("WAF refused %s %s (%s)", request.method, request.url.path, block_id)
        return JSONResponse({"blocked_by": block_id}, status_code=403)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method not in ALLOWED_METHODS:
            return self.refuse("method", request)
        if len(request.scope["query_string"]) > MAX_QUERY_LENGTH:
            return self.refuse("query-length", request)
        # request.body() reads every chunk that arrives (chunked bodies too) and keeps the bytes
        # for the app: BaseHTTPMiddleware replays them to it.
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return self.refuse("body-size", request)

        inspected = [request.url.path]
        for name, value in request.query_params.multi_items():
            inspected += [name, value]
        kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        text = body.decode("utf-8", errors="replace")
        if kind == "application/json" or re.fullmatch(r"application/[^/]+\+json", kind):
            try:
                inspected += strings_in(json.loads(text), [])
            except ValueError:
                inspected.append(text)
        elif kind == "application/x-www-form-urlencoded":
            for name, value in parse_qsl(text, keep_blank_values=True):
                inspected += [name, value]
        elif body:
            inspected.append(text)

        values = [normalise(v) for v in inspected]
        for rule_id, pattern in self.rules:
            if any(pattern.search(v) for v in values):
                if self.mode != "monitor":
                    return self.refuse(rule_id, request)
                logger.warning(
                    "WAF monitor: %s would block %s %s", rule_id, request.method, request.url.path
                )
                break
        return await call_next(request)
