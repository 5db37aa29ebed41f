"""Double-submit CSRF checks as a BaseHTTPMiddleware (which passes non-HTTP scopes through)."""

import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class CSRFMiddleware(BaseHTTPMiddleware):
    def __init__(
        self,
        app,
        cookie_name: str = "csrftoken",
        header_name: str = "x-csrftoken",
        exempt_paths=(),
    ) -> None:
        super().__init__(app)
        self.cookie_name = cookie_name
        self.header_name = header_name
        self.exempt_paths = set(exempt_paths)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        cookie = request.cookies.get(self.cookie_name)
        if request.method in SAFE_METHODS:
            response = await call_next(request)
            if not cookie:
                response.set_cookie(
                    self.cookie_name,
                    secrets.token_urlsafe(32),
                    path="/",
                    secure=True,
                    httponly=False,
                    samesite="strict",
                )
            return response
        if request.url.path in self.exempt_paths or self._bearer_without_cookies(request):
            return await call_next(request)
        header = request.headers.get(self.header_name)
        if cookie and header and secrets.compare_digest(header.encode(), cookie.encode()):
            return await call_next(request)
        return JSONResponse(status_code=403, content={"detail": "CSRF token missing or invalid"})

    @staticmethod
    def _bearer_without_cookies(request: Request) -> bool:
        if request.headers.get("cookie") is not None:
            return False
        parts = request.headers.get("authorization", "").split()
        return len(parts) == 2 and parts[0].lower() == "bearer"
