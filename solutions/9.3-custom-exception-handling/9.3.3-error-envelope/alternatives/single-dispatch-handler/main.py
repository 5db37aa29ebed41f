from typing import Any, Optional

from fastapi import FastAPI, Header, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Optional[list[Any]] = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class NotFoundError(Exception):
    def __init__(self, message: str = "Resource not found") -> None:
        super().__init__(message)
        self.message = message


class ConflictError(Exception):
    def __init__(self, message: str = "Resource already exists") -> None:
        super().__init__(message)
        self.message = message


app = FastAPI()


def make_error(status_code: int, code: str, message: str, details=None, headers=None):
    content = ErrorResponse(error=ErrorDetail(code=code, message=message, details=details))
    return JSONResponse(content.model_dump(mode="json"), status_code=status_code, headers=headers)


async def handle_everything(request: Request, exc: Exception):
    if isinstance(exc, NotFoundError):
        return make_error(404, "not_found", exc.message)
    if isinstance(exc, ConflictError):
        return make_error(409, "conflict", exc.message)
    if isinstance(exc, StarletteHTTPException):
        return make_error(
            exc.status_code, f"http_{exc.status_code}", exc.detail, headers=exc.headers
        )
    if isinstance(exc, RequestValidationError):
        errs = [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        return make_error(422, "validation_error", "Invalid request", errs)
    return make_error(500, "internal_error", "Internal server error")


for exc_class in (
    NotFoundError,
    ConflictError,
    StarletteHTTPException,
    RequestValidationError,
    Exception,
):
    app.add_exception_handler(exc_class, handle_everything)


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=8)


class UserRead(BaseModel):
    id: int
    username: str


USERS: dict[int, UserRead] = {}
ERR = {"model": ErrorResponse}


@app.post("/users", status_code=201, response_model=UserRead, responses={409: ERR, 422: ERR})
def create_user(payload: UserCreate) -> UserRead:
    if any(u.username == payload.username for u in USERS.values()):
        raise ConflictError(f"Username {payload.username} is taken")
    user = UserRead(id=len(USERS) + 1, username=payload.username)
    USERS[user.id] = user
    return user


@app.get("/users/{user_id}", response_model=UserRead, responses={404: ERR, 422: ERR})
def read_user(user_id: int) -> UserRead:
    if user_id not in USERS:
        raise NotFoundError(f"User {user_id} not found")
    return USERS[user_id]


@app.get("/private")
def private(authorization: str | None = Header(default=None)) -> dict:
    if authorization != "Bearer letmein":
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return {"ok": True}
