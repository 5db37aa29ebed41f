from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ariadne import MutationType, ObjectType, QueryType, make_executable_schema
from ariadne.asgi import GraphQL
from fastapi import FastAPI
from sqlalchemy import String, create_engine, select
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

SDL = """
type Query {
    book(id: ID!): Book
    books(author: String): [Book!]!
}
type Mutation {
    addBook(input: BookInput!): Book!
}
input BookInput {
    title: String!
    author: String!
}
type Book {
    id: ID!
    title: String!
    author: String!
}
"""

query = QueryType()
mutation = MutationType()
book = ObjectType("Book")


def to_dict(b):
    return {"id": b.id, "title": b.title, "author": b.author}


@query.field("book")
def book_resolver(obj, info, id):
    if not (id.isascii() and id.isdigit()) or int(id) >= 2**63:  # no SQLite INTEGER is that big
        return None
    with SessionLocal() as s:
        b = s.scalar(select(Book).where(Book.id == int(id)))
        return to_dict(b) if b else None


@query.field("books")
def books_resolver(obj, info, **kwargs):
    stmt = select(Book)
    if "author" in kwargs and kwargs["author"] is not None:
        stmt = stmt.filter_by(author=kwargs["author"])
    with SessionLocal() as s:
        return [to_dict(b) for b in s.scalars(stmt.order_by(Book.id.asc()))]


@mutation.field("addBook")
def add_book(obj, info, input):
    if input["title"].strip() == "":
        raise ValueError("title is required")
    with SessionLocal() as s, s.begin():
        b = Book(**input)
        s.add(b)
        s.flush()
        result = to_dict(b)
    return result


@book.field("id")
def book_id(obj, info):
    return str(obj["id"])


schema = make_executable_schema(SDL, [query, mutation, book])
app.mount("/graphql", GraphQL(schema, debug=False))
