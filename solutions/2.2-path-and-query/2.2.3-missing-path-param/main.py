from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI()


@app.get("/users/{user_id}")
def read_user(user_id: int) -> dict[str, int]:
    return {"user_id": user_id}


@app.get("/reports")
def read_reports(year: int) -> dict[str, int]:
    return {"year": year}


@app.exception_handler(404)
async def not_found_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse(status_code=404, content={"error": "not_found", "path": request.url.path})


@app.exception_handler(RequestValidationError)
async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = [str(error["loc"][-1]) for error in exc.errors()]
    return JSONResponse(status_code=422, content={"error": "validation_error", "fields": fields})
