"""A small web application firewall as ASGI middleware (Tasks 1-5)."""

import logging

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


class WAFMiddleware:
    """`app.add_middleware(WAFMiddleware)` or `app.add_middleware(WAFMiddleware, mode="monitor")`.

    A pure ASGI middleware (a BaseHTTPMiddleware subclass is fine too)."""

    def __init__(self, app: ASGIApp, mode: str = "block") -> None:
        self.app = app
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # TODO: Tasks 1-5 - inspect http requests, answer 403 {"blocked_by": id} or pass them on
        await self.app(scope, receive, send)
