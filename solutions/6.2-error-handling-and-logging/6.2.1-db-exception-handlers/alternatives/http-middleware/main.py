from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, create_engine, select
from sqlalchemy.exc import IntegrityError, NoResultFound, OperationalError, SQLAlchemyError
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
    """One session per request. Whatever a failed request flushed is rolled back before the
    exception goes on to the app's handlers, and the session is always closed."""
    session = SessionLocal()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)  # creates users.db when the server starts
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


# --- database errors: one middleware around every route -----------------------------------


def answer_for(exc: SQLAlchemyError) -> JSONResponse:
    if isinstance(exc, IntegrityError):
        return JSONResponse({"error": "conflict"}, status_code=409)
    if isinstance(exc, NoResultFound):
        return JSONResponse({"error": "not_found"}, status_code=404)
    if isinstance(exc, OperationalError):
        return JSONResponse({"error": "unavailable"}, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"error": "database_error"}, status_code=500)


@app.middleware("http")
async def translate_database_errors(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    try:
        return await call_next(request)
    except SQLAlchemyError as exc:
        return answer_for(exc)


# --- the endpoints: no try/except, the handlers above answer for them ---------------------


@app.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(payload: UserCreate, db: DbSession) -> User:
    user = User(**payload.model_dump())
    db.add(user)
    db.commit()
    return user


@app.get("/users/{user_id}", response_model=UserRead)
def read_user(user_id: int, db: DbSession) -> User:
    return db.execute(select(User).where(User.id == user_id)).scalar_one()
