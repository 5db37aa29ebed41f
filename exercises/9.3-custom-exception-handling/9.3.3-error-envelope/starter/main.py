from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel, Field


class ErrorResponse(BaseModel):
    """TODO: {"error": {"code": str, "message": str, "details": list[dict] | None}}"""


class NotFoundError(Exception):
    def __init__(self, message: str = "Resource not found") -> None:
        super().__init__(message)
        self.message = message


class ConflictError(Exception):
    def __init__(self, message: str = "Resource already exists") -> None:
        super().__init__(message)
        self.message = message


app = FastAPI()

# TODO: exception handlers that all answer the ErrorResponse envelope


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=30)
    password: str = Field(min_length=8)


class UserRead(BaseModel):
    id: int
    username: str


USERS: dict[int, UserRead] = {}


@app.post("/users", status_code=201, response_model=UserRead)  # TODO: document 409 and 422
def create_user(payload: UserCreate) -> UserRead:
    if any(u.username == payload.username for u in USERS.values()):
        raise ConflictError(f"Username {payload.username} is taken")
    user = UserRead(id=len(USERS) + 1, username=payload.username)
    USERS[user.id] = user
    return user


@app.get("/users/{user_id}", response_model=UserRead)  # TODO: document 404 and 422
def read_user(user_id: int) -> UserRead:
    if user_id not in USERS:
        raise NotFoundError(f"User {user_id} not found")
    return USERS[user_id]


@app.get("/private")
def private(authorization: str | None = Header(default=None)) -> dict:
    if authorization != "Bearer letmein":
        raise HTTPException(
            status_code=401, detail="Not authenticated", headers={"WWW-Authenticate": "Bearer"}
        )
    return {"ok": True}
