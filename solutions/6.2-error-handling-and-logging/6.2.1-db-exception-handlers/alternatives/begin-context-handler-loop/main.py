from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.exc import (
    IntegrityError,
    NoResultFound,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = "sqlite:///./users.db"

engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=200)
    name: str = Field(min_length=1, max_length=100)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str


def get_db() -> Iterator[Session]:
    # begin(): commits when the request returns, rolls back when it raises, closes either way
    with SessionLocal.begin() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)  # creates users.db when the server starts
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


# class -> (status, error, headers); Starlette picks the most specific class of the MRO
ERROR_MAP: dict[type[SQLAlchemyError], tuple[int, str, dict[str, str] | None]] = {
    IntegrityError: (409, "conflict", None),
    NoResultFound: (404, "not_found", None),
    OperationalError: (503, "unavailable", {"Retry-After": "5"}),
    SQLAlchemyError: (500, "database_error", None),
}


def make_handler(code: int, error: str, headers: dict[str, str] | None):
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": error}, status_code=code, headers=headers)

    return handler


for exc_class, (code, error, headers) in ERROR_MAP.items():
    app.add_exception_handler(exc_class, make_handler(code, error, headers))


# --- the endpoints: no try/except, the handlers answer for them ----------------------


@app.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(payload: UserCreate, db: DbSession) -> User:
    user = User(**payload.model_dump())
    db.add(user)
    db.commit()
    return user


@app.get("/users/{user_id}", response_model=UserRead)
def read_user(user_id: int, db: DbSession) -> User:
    return db.execute(select(User).where(User.id == user_id)).scalar_one()
