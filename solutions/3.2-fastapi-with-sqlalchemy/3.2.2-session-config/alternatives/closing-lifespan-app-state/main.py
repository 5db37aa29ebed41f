from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from database import Base, configure, get_db
from fastapi import APIRouter, Depends, FastAPI, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


class BookCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class BookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str


DbSession = Annotated[Session, Depends(get_db)]
router = APIRouter()


@router.post("/books", response_model=BookRead, status_code=status.HTTP_201_CREATED)
def create_book(payload: BookCreate, db: DbSession) -> Book:
    book = Book(title=payload.title)
    db.add(book)
    db.commit()
    return book  # expire_on_commit=False: no reload needed


@router.get("/books", response_model=list[BookRead])
def list_books(db: DbSession) -> list[Book]:
    return list(db.scalars(select(Book).order_by(Book.id)))


@router.get("/books/{book_id}", response_model=BookRead)
def read_book(book_id: int, db: DbSession) -> Book:
    book = db.get(Book, book_id)
    if book is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="book not found")
    return book


def create_app(database_url: str) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = configure(database_url)
        with app.state.engine.begin() as conn:
            Base.metadata.create_all(conn)
        try:
            yield
        finally:
            app.state.engine.dispose()

    app = FastAPI(lifespan=lifespan, title="Books")
    app.include_router(router, prefix="")
    return app


app = create_app("sqlite:///./books.db")
