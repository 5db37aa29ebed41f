"""@app.middleware("http") functions, declared innermost first (each one wraps the previous)."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def build_app(trace: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    def hello() -> dict:
        trace.append("endpoint")
        return {"message": "hello"}

    @app.middleware("http")
    async def auth(request: Request, call_next):
        trace.append("Auth>")
        if request.headers.get("X-Token") is None:
            return JSONResponse(status_code=401, content={"detail": "Not authenticated"})
        response = await call_next(request)
        trace.append("<Auth")
        return response

    @app.middleware("http")
    async def timing(request: Request, call_next):
        trace.append("Timing>")
        response = await call_next(request)
        trace.append("<Timing")
        return response

    @app.middleware("http")
    async def logging(request: Request, call_next):
        trace.append("Logging>")
        response = await call_next(request)
        trace.append("<Logging")
        return response

    return app
