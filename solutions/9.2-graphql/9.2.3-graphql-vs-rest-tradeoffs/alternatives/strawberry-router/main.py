import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Optional

import strawberry
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from strawberry.fastapi import GraphQLRouter

engine = create_engine("sqlite:///./books.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)


def make_etag(book):
    raw = f"{book.id}|{book.title}|{book.author}".encode()
    return 'W/"%08x-%d"' % (zlib.crc32(raw), len(raw))


@app.get("/books/{book_id}")
def get_book(book_id: int, request: Request):
    with SessionLocal() as db:
        book = db.get(Book, book_id)
        if not book:
            return JSONResponse({"detail": "Not found"}, status_code=404)
        tag = make_etag(book)
        sent = request.headers.get("if-none-match", "")
        if sent.strip() == "*" or tag in [t.strip() for t in sent.split(",")]:
            return Response(status_code=304, headers={"etag": tag})
        return JSONResponse(
            {"id": book.id, "title": book.title, "author": book.author}, headers={"etag": tag}
        )


@strawberry.type(name="Book")
class BookGQL:
    id: strawberry.ID
    title: str
    author: str


def to_gql(book):
    return BookGQL(id=strawberry.ID(str(book.id)), title=book.title, author=book.author)


def find(db, id):
    try:
        return db.get(Book, int(id))
    except ValueError:
        return None


@strawberry.type
class Query:
    @strawberry.field
    def book(self, id: strawberry.ID) -> Optional[BookGQL]:
        with SessionLocal() as db:
            b = find(db, id)
            return to_gql(b) if b else None


@strawberry.type
class Mutation:
    @strawberry.mutation
    def update_book(self, id: strawberry.ID, title: str) -> Optional[BookGQL]:
        with SessionLocal() as db:
            b = find(db, id)
            if b is None:
                return None
            b.title = title
            db.commit()
            return to_gql(b)


schema = strawberry.Schema(query=Query, mutation=Mutation)
app.include_router(GraphQLRouter(schema), prefix="/graphql")
