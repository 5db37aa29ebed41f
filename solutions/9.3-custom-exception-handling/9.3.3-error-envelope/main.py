import logging
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("app.errors")


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class NotFoundError(Exception):
    def __init__(self, message: str = "Resource not found") -> None:
        super().__init__(message)
        self.message = message


class ConflictError(Exception):
    def __init__(self, message: str = "Resource already exists") -> None:
        super().__init__(message)
        self.message = message


def envelope(
    status: int,
    code: str,
    message: str,
    details: list | None = None,
    headers: dict | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


app = FastAPI()


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return envelope(
        exc.status_code, f"http_{exc.status_code}", str(exc.detail), headers=exc.headers
    )


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
    ]
    return envelope(422, "validation_error", "The request is not valid", details)


@app.exception_handler(NotFoundError)
async def not_found(request: Request, exc: NotFoundError) -> JSONResponse:
    return envelope(404, "not_found", exc.message)


@app.exception_handler(ConflictError)
async def conflict(request: Request, exc: ConflictError) -> JSONResponse:
    return envelope(409, "conflict", exc.message)


@app.exception_handler(Exception)
async def unhandled(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return envelope(500, "internal_error", "An internal error occurred")


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=8)


class UserRead(BaseModel):
    id: int
    username: str


USERS: dict[int, UserRead] = {}


@app.post(
    "/users",
    status_code=201,
    response_model=UserRead,
    responses={409: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
def create_user(payload: UserCreate) -> UserRead:
    if any(u.username == payload.username for u in USERS.values()):
        raise ConflictError(f"Username {payload.username} is taken")
    user = UserRead(id=len(USERS) + 1, username=payload.username)
    USERS[user.id] = user
    return user


@app.get(
    "/users/{user_id}",
    response_model=UserRead,
    responses={404: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
def read_user(user_id: int) -> UserRead:
    if user_id not in USERS:
        raise NotFoundError(f"User {user_id} not found")
    return USERS[user_id]


@app.get("/private", responses={401: {"model": ErrorResponse}})
def private(authorization: str | None = Header(default=None)) -> dict:
    if authorization != "Bearer letmein":
        raise StarletteHTTPException(
            status_code=401, detail="Not authenticated", headers={"WWW-Authenticate": "Bearer"}
        )
    return {"ok": True}
