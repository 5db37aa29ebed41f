# ALTERNATIVE: repository of dataclass rows, SecretStr password, response_model filter
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, EmailStr, SecretStr

app = FastAPI()


class UserCreate(BaseModel):
    username: str
    email: EmailStr
    password: SecretStr


class UserRead(BaseModel):
    id: int
    username: str
    email: str


@dataclass
class Row:
    id: int
    username: str
    email: str
    password: str


class Repo:
    def __init__(self):
        self.rows: list[Row] = []

    def add(self, u: UserCreate) -> Row:
        if any(r.username == u.username for r in self.rows):
            raise HTTPException(409, "taken")
        r = Row(len(self.rows) + 100, u.username, u.email, u.password.get_secret_value())
        self.rows.append(r)
        return r


repo = Repo()


@app.post("/users", response_model=UserRead, status_code=201)
def create(user: UserCreate):
    return repo.add(user)
