from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from schemas import BookCreate, BookRead
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = "sqlite:///./books.db"

engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Book(Base):
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
    """A new, unsaved Book holding the validated fields."""
    return Book(title=data.title, author=data.author, published_year=data.published_year)


@app.post("/books", status_code=201)
async def create_book(payload: BookCreate, db: DbSession) -> BookRead:
    book = to_orm(payload)
    db.add(book)
    db.commit()
    db.refresh(book)
    return BookRead.model_validate(
        book
    )  # expire_on_commit=False: the id is loaded, FastAPI reads it via BookRead
