import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None


class ErrorResponse(BaseModel):
    error: ErrorInfo


class AppError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(AppError):
    status = 404
    code = "not_found"


class ConflictError(AppError):
    status = 409
    code = "conflict"


def error_json(status, code, message, details=None, headers=None):
    payload = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(payload, status_code=status, headers=headers)


ERRORS = {404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}}
INVALID = {422: {"model": ErrorResponse, "description": "Validation error"}}

app = FastAPI(responses=INVALID)


@app.exception_handler(AppError)
def app_error(request: Request, exc: AppError):
    return error_json(exc.status, exc.code, exc.message)


@app.exception_handler(StarletteHTTPException)
def http_error(request: Request, exc: StarletteHTTPException):
    return error_json(exc.status_code, f"http_{exc.status_code}", exc.detail, None, exc.headers)


@app.exception_handler(RequestValidationError)
def invalid(request: Request, exc: RequestValidationError):
    details = [{"type": e["type"], "loc": [*e["loc"]], "msg": e["msg"]} for e in exc.errors()]
    return error_json(422, "validation_error", f"{len(details)} invalid field(s)", details)


@app.exception_handler(Exception)
def crash(request: Request, exc: Exception):
    log.error("crash", exc_info=exc)
    return error_json(500, "internal_error", "Something went wrong on our side")


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=8)


class UserRead(BaseModel):
    id: int
    username: str


USERS: dict[str, UserRead] = {}


@app.post("/users", status_code=201, responses=ERRORS)
def create_user(payload: UserCreate) -> UserRead:
    if payload.username in USERS:
        raise ConflictError("That username is taken")
    user = UserRead(id=len(USERS) + 100, username=payload.username)
    USERS[user.username] = user
    return user


@app.get("/users/{user_id}", responses=ERRORS)
def read_user(user_id: int) -> UserRead:
    for user in USERS.values():
        if user.id == user_id:
            return user
    raise NotFoundError("No such user")


@app.get("/private")
def private(authorization: str | None = Header(default=None)) -> dict:
    if authorization != "Bearer letmein":
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    return {"ok": True}
