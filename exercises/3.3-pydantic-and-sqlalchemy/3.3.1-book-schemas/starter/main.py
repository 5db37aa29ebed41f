from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, status  # noqa: F401
from schemas import BookCreate, BookRead  # noqa: F401
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = "sqlite:///./books.db"

engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Book(Base):  # the model of 3.1.3: keep it as it is
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100), index=True)
    published_year: Mapped[int | None]

    def __repr__(self) -> str:
        return f"Book(id={self.id!r}, title={self.title!r})"


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)  # creates books.db when the server starts
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


def to_orm(data: BookCreate) -> Book:
    # TODO: Task 3 - a new Book (not added to any session) with the fields of `data`
    raise NotImplementedError


# TODO: Task 4 - POST /books: take a BookCreate, store to_orm(payload) through the session of
#       Depends(get_db), commit, answer 201 with a BookRead
