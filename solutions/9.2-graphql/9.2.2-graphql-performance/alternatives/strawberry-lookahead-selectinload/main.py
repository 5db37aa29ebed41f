from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import strawberry
from fastapi import Depends, FastAPI
from sqlalchemy import ForeignKey, String, create_engine, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
    sessionmaker,
)
from strawberry.extensions import QueryDepthLimiter
from strawberry.fastapi import GraphQLRouter

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


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


async def get_context(db: Session = Depends(get_db)):
    return {"db": db}


def wanted(info):
    """Paths of list fields the query selects below authors (lookahead)."""
    paths = set()

    def walk(fields, prefix):
        for f in fields:
            if f.selections:
                p = prefix + (f.name,)
                paths.add(p)
                walk([s for s in f.selections if hasattr(s, "name")], p)

    walk(info.selected_fields[0].selections, ())
    return paths


@strawberry.type(name="Review")
class ReviewT:
    id: strawberry.ID
    rating: int


@strawberry.type(name="Book")
class BookT:
    id: strawberry.ID
    title: str
    author: "AuthorT"
    reviews: list[ReviewT]


@strawberry.type(name="Author")
class AuthorT:
    id: strawberry.ID
    name: str
    books: list[BookT]


def convert_author(a, want_books, want_reviews, seen):
    if a.id in seen:
        return seen[a.id]
    out = AuthorT(id=a.id, name=a.name, books=[])
    seen[a.id] = out
    if want_books:
        for b in a.books:
            out.books.append(
                BookT(
                    id=b.id,
                    title=b.title,
                    author=out,
                    reviews=[ReviewT(id=r.id, rating=r.rating) for r in b.reviews]
                    if want_reviews
                    else [],
                )
            )
    return out


@strawberry.type
class Query:
    @strawberry.field
    def authors(self, info: strawberry.Info) -> list[AuthorT]:
        db = info.context["db"]
        paths = wanted(info)
        stmt = select(Author).order_by(Author.id)
        want_books = any(p and p[0] == "books" for p in paths)
        want_reviews = ("books", "reviews") in paths or any("reviews" in p for p in paths)
        if want_books:
            opt = selectinload(Author.books)
            if want_reviews:
                opt = opt.selectinload(Book.reviews)
            stmt = stmt.options(opt)
        seen = {}
        return [convert_author(a, want_books, want_reviews, seen) for a in db.scalars(stmt)]


schema = strawberry.Schema(query=Query, extensions=[QueryDepthLimiter(max_depth=5)])
app.include_router(GraphQLRouter(schema, context_getter=get_context), prefix="/graphql")
