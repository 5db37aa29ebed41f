from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

# Django-style list: first = outermost
DJANGO_MIDDLEWARE = ["Logging", "Timing", "Auth"]


def tracer(name, trace):
    async def dispatch(request, call_next):
        trace.append(name + ">")
        if name == "Auth" and request.headers.get("x-token") is None:
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        response = await call_next(request)
        trace.append("<" + name)
        return response

    return dispatch


def build_app(trace: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    def hello() -> dict:
        trace.append("endpoint")
        return {"message": "hello"}

    # add_middleware puts each new one outside the previous ones
    for name in reversed(DJANGO_MIDDLEWARE):
        app.add_middleware(BaseHTTPMiddleware, dispatch=tracer(name, trace))
    return app
