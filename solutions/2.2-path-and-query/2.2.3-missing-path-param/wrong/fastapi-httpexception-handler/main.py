# WRONG: handles fastapi.HTTPException, a subclass the router's Starlette 404 is not an instance of.
from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

app = FastAPI()


@app.get("/users/{user_id}")
def read_user(user_id: int) -> dict[str, int]:
    return {"user_id": user_id}


@app.get("/reports")
def read_reports(year: int) -> dict[str, int]:
    return {"year": year}


@app.exception_handler(HTTPException)
async def not_found_handler(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404:
        return JSONResponse(
            status_code=404, content={"error": "not_found", "path": request.url.path}
        )
    return await http_exception_handler(request, exc)


@app.exception_handler(RequestValidationError)
async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = [str(error["loc"][-1]) for error in exc.errors()]
    return JSONResponse(status_code=422, content={"error": "validation_error", "fields": fields})
