import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from ariadne import MutationType, QueryType, gql, make_executable_schema
from ariadne.asgi import GraphQL
from fastapi import FastAPI, Header, HTTPException, Response
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

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


def book_json(book: Book) -> dict:
    return {"id": book.id, "title": book.title, "author": book.author}


def etag_of(body: dict) -> str:
    """A strong validator computed from the representation: it changes whenever the data do."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]
    return f'"{digest}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


@app.get("/books/{book_id}", response_model=None)
def read_book(
    book_id: int,
    response: Response,
    if_none_match: Annotated[str | None, Header()] = None,
) -> dict | Response:
    with SessionLocal() as session:
        book = session.get(Book, book_id)
    if book is None:
        raise HTTPException(status_code=404, detail="Book not found")
    body = book_json(book)
    etag = etag_of(body)
    if matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return body


type_defs = gql("""
    type Query {
        book(id: ID!): Book
    }

    type Mutation {
        updateBook(id: ID!, title: String!): Book
    }

    type Book {
        id: ID!
        title: String!
        author: String!
    }
""")

query = QueryType()
mutation = MutationType()


def as_key(id: str) -> int | None:
    return int(id) if id.isdecimal() else None


@query.field("book")
def resolve_book(_obj, _info, id: str) -> Book | None:
    key = as_key(id)
    if key is None:
        return None
    with SessionLocal() as session:
        return session.get(Book, key)


@mutation.field("updateBook")
def resolve_update_book(_obj, _info, id: str, title: str) -> Book | None:
    key = as_key(id)
    if key is None:
        return None
    with SessionLocal() as session:
        book = session.get(Book, key)
        if book is None:
            return None
        book.title = title
        session.commit()
        return book


schema = make_executable_schema(type_defs, query, mutation)

# GET runs queries (cacheable by URL); ariadne refuses a mutation over GET with 400.
app.mount("/graphql", GraphQL(schema, execute_get_queries=True))
