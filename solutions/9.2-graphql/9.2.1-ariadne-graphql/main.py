from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ariadne import MutationType, QueryType, gql, make_executable_schema
from ariadne.asgi import GraphQL
from fastapi import FastAPI
from graphql import GraphQLError
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


type_defs = gql("""
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
""")

query = QueryType()
mutation = MutationType()

MAX_ID = 2**63 - 1  # the largest id an SQLite INTEGER primary key holds


@query.field("book")
def resolve_book(_obj, _info, id: str) -> Book | None:
    # Any string is an ID: "abc", "-1" or "99999999999999999999" (beyond the largest INTEGER
    # SQLite stores, so int() of it would not even fit the query) name no book.
    book_id = int(id) if id.isascii() and id.isdigit() else None
    if book_id is None or book_id > MAX_ID:
        return None
    with SessionLocal() as session:
        return session.get(Book, book_id)


@query.field("books")
def resolve_books(_obj, _info, author: str | None = None) -> list[Book]:
    statement = select(Book).order_by(Book.id)
    if author is not None:
        statement = statement.where(Book.author == author)
    with SessionLocal() as session:
        return list(session.scalars(statement))


@mutation.field("addBook")
def resolve_add_book(_obj, _info, input: dict) -> Book:
    if not input["title"].strip():
        raise GraphQLError("title must not be empty")
    book = Book(title=input["title"], author=input["author"])
    with SessionLocal() as session:
        session.add(book)
        session.commit()
    return book


schema = make_executable_schema(type_defs, query, mutation)

app.mount("/graphql", GraphQL(schema))
