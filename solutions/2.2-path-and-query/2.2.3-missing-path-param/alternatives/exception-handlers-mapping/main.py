# ALTERNATIVE: FastAPI(exception_handlers=...), non-404 errors delegated to the default
from typing import Annotated

from fastapi import FastAPI, Path, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


async def on_http_error(request: Request, exc: HTTPException):
    if exc.status_code == 404:
        return JSONResponse({"error": "not_found", "path": request.url.path}, status_code=404)
    return await http_exception_handler(request, exc)


async def on_validation_error(request: Request, exc: RequestValidationError):
    names = list(dict.fromkeys(e["loc"][-1] for e in exc.errors()))
    return JSONResponse({"error": "validation_error", "fields": names}, status_code=422)


app = FastAPI(
    exception_handlers={HTTPException: on_http_error, RequestValidationError: on_validation_error}
)


@app.get("/users/{user_id}")
async def read_user(user_id: Annotated[int, Path()]):
    return {"user_id": user_id}


@app.get("/reports")
async def read_reports(year: Annotated[int, Query()]):
    return {"year": year}
