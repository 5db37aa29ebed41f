from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request, status  # noqa: F401 - Request for your handlers
from fastapi.responses import JSONResponse  # noqa: F401 - for your handlers
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.exc import (  # noqa: F401 - for your handlers
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


# TODO: Task 3 - when the endpoint raises, this get_db never closes its session: FastAPI throws
#       the exception in at `yield`, so the line after it does not run. Roll back what a failed
#       request flushed, and close the session after every request.
def get_db() -> Iterator[Session]:
    session = SessionLocal()
    yield session
    session.close()


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)  # creates users.db when the server starts
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


# TODO: Task 1 - exception handlers on app: IntegrityError -> 409 {"error": "conflict"},
#       NoResultFound -> 404 {"error": "not_found"}
# TODO: Task 2 - OperationalError -> 503 {"error": "unavailable"} with Retry-After: 5; any other
#       SQLAlchemyError -> 500 {"error": "database_error"}; never str(exc) in an answer


# --- the endpoints: no try/except here, the handlers answer for them ----------------------


@app.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(payload: UserCreate, db: DbSession) -> User:
    user = User(**payload.model_dump())
    db.add(user)
    db.commit()
    return user


@app.get("/users/{user_id}", response_model=UserRead)
def read_user(user_id: int, db: DbSession) -> User:
    return db.execute(select(User).where(User.id == user_id)).scalar_one()
