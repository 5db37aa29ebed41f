from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware


class TracingMiddleware(BaseHTTPMiddleware):
    """Appends "<name>>" on the way in and "<<name>" on the way out."""

    name = ""

    def __init__(self, app, trace: list[str]) -> None:
        super().__init__(app)
        self.trace = trace

    async def dispatch(self, request, call_next):
        self.trace.append(f"{self.name}>")
        response = await call_next(request)
        self.trace.append(f"<{self.name}")
        return response


class LoggingMiddleware(TracingMiddleware):
    name = "Logging"


class TimingMiddleware(TracingMiddleware):
    name = "Timing"


class AuthMiddleware(TracingMiddleware):
    name = "Auth"

    async def dispatch(self, request, call_next):
        self.trace.append("Auth>")
        if "x-token" not in request.headers:
            # Short-circuit: answer here, the inner app never runs. Raising HTTPException
            # would not work: middlewares sit outside FastAPI's exception handlers.
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        response = await call_next(request)
        self.trace.append("<Auth")
        return response


def build_app(trace: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    def hello() -> dict:
        trace.append("endpoint")
        return {"message": "hello"}

    # add_middleware wraps everything added before it, so the LAST one added is the outermost.
    # To get Django's top-to-bottom order (Logging outermost), add them bottom to top.
    app.add_middleware(AuthMiddleware, trace=trace)
    app.add_middleware(TimingMiddleware, trace=trace)
    app.add_middleware(LoggingMiddleware, trace=trace)
    return app
