"""A double-submit CSRF check for every unsafe request of the app."""

import secrets  # noqa: F401

from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CSRFMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        cookie_name: str = "csrftoken",
        header_name: str = "x-csrftoken",
        exempt_paths: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        self.app = app
        self.cookie_name = cookie_name
        self.header_name = header_name
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # TODO: Task 1 - on a safe request without the cookie, set one on the response
        # TODO: Task 2 - an unsafe request needs a header equal to the cookie, else 403
        # TODO: Task 3 - exempt paths, and bearer-only requests without cookies
        # TODO: Task 4 - leave the body, lifespan and websocket scopes alone
        await self.app(scope, receive, send)
