# ALTERNATIVE: routes on an APIRouter, plain def exception handlers
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

app = FastAPI()
users = APIRouter(prefix="/users")


class UserOut(BaseModel):
    user_id: int


@users.get("/{user_id}", response_model=UserOut)
def read_user(user_id: int):
    return UserOut(user_id=user_id)


app.include_router(users)


@app.get("/reports")
def read_reports(year: int):
    return {"year": year}


@app.exception_handler(404)
def not_found(request: Request, exc):
    return JSONResponse(
        status_code=404, content=dict(error="not_found", path=request.scope["path"])
    )


@app.exception_handler(RequestValidationError)
def invalid(request: Request, exc: RequestValidationError):
    return JSONResponse(
        status_code=422,
        content=dict(error="validation_error", fields=[e["loc"][-1] for e in exc.errors()]),
    )
