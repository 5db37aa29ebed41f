from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import strawberry
from fastapi import Depends, FastAPI
from sqlalchemy import ForeignKey, String, create_engine, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)
from strawberry.dataloader import DataLoader
from strawberry.extensions import QueryDepthLimiter
from strawberry.fastapi import BaseContext, GraphQLRouter

engine = create_engine("sqlite:///./library.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    books: Mapped[list["Book"]] = relationship(back_populates="author", order_by="Book.id")


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="books")
    reviews: Mapped[list["Review"]] = relationship(back_populates="book", order_by="Review.id")


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating: Mapped[int]
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    book: Mapped[Book] = relationship(back_populates="reviews")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


class Context(BaseContext):
    """One per request: the session and the loaders (and so their caches) live as long as it."""

    def __init__(self, db: Session) -> None:
        super().__init__()
        self.db = db

        async def load_books(author_ids: list[int]) -> list[list["BookType"]]:
            grouped = defaultdict(list)
            rows = db.scalars(select(Book).where(Book.author_id.in_(author_ids)).order_by(Book.id))
            for row in rows:
                grouped[row.author_id].append(BookType.of(row))
            return [grouped[i] for i in author_ids]

        async def load_reviews(book_ids: list[int]) -> list[list["ReviewType"]]:
            grouped = defaultdict(list)
            rows = db.scalars(
                select(Review).where(Review.book_id.in_(book_ids)).order_by(Review.id)
            )
            for row in rows:
                grouped[row.book_id].append(
                    ReviewType(id=strawberry.ID(str(row.id)), rating=row.rating)
                )
            return [grouped[i] for i in book_ids]

        async def load_authors(author_ids: list[int]) -> list["AuthorType"]:
            rows = {a.id: a for a in db.scalars(select(Author).where(Author.id.in_(author_ids)))}
            return [AuthorType.of(rows[i]) for i in author_ids]

        self.books = DataLoader(load_fn=load_books)
        self.reviews = DataLoader(load_fn=load_reviews)
        self.authors = DataLoader(load_fn=load_authors)


def get_context(db: Annotated[Session, Depends(get_db)]) -> Context:
    return Context(db)


@strawberry.type(name="Review")
class ReviewType:
    id: strawberry.ID
    rating: int


@strawberry.type(name="Book")
class BookType:
    id: strawberry.ID
    title: str
    author_id: strawberry.Private[int]
    book_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: Book) -> "BookType":
        return cls(
            id=strawberry.ID(str(row.id)), title=row.title, author_id=row.author_id, book_id=row.id
        )

    @strawberry.field
    async def author(self, info: strawberry.Info[Context, None]) -> "AuthorType":
        return await info.context.authors.load(self.author_id)

    @strawberry.field
    async def reviews(self, info: strawberry.Info[Context, None]) -> list[ReviewType]:
        return await info.context.reviews.load(self.book_id)


@strawberry.type(name="Author")
class AuthorType:
    id: strawberry.ID
    name: str
    author_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: Author) -> "AuthorType":
        return cls(id=strawberry.ID(str(row.id)), name=row.name, author_id=row.id)

    @strawberry.field
    async def books(self, info: strawberry.Info[Context, None]) -> list[BookType]:
        return await info.context.books.load(self.author_id)


@strawberry.type
class Query:
    @strawberry.field
    def authors(self, info: strawberry.Info[Context, None]) -> list[AuthorType]:
        rows = info.context.db.scalars(select(Author).order_by(Author.id))
        return [AuthorType.of(row) for row in rows]


schema = strawberry.Schema(query=Query, extensions=[lambda: QueryDepthLimiter(max_depth=5)])
app.include_router(GraphQLRouter(schema, context_getter=get_context), prefix="/graphql")
