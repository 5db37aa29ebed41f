import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any

from ariadne import ObjectType, QueryType, gql, make_executable_schema
from ariadne.asgi import GraphQL
from fastapi import FastAPI
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from sqlalchemy import ForeignKey, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker

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


MAX_DEPTH = 5

type_defs = gql("""
    type Query {
        authors: [Author!]!
    }

    type Author {
        id: ID!
        name: String!
        books: [Book!]!
    }

    type Book {
        id: ID!
        title: String!
        author: Author!
        reviews: [Review!]!
    }

    type Review {
        id: ID!
        rating: Int!
    }
""")


class BatchLoader:
    """Collects the keys asked for during one turn of the event loop, then loads them all with
    one call of `batch(keys) -> {key: value}`. One instance per request: its cache must not
    outlive the request."""

    def __init__(self, batch: Callable[[list], dict]) -> None:
        self.batch = batch
        self.cache: dict[Hashable, asyncio.Future] = {}
        self.pending: list = []

    def load(self, key: Hashable) -> asyncio.Future:
        if key not in self.cache:
            loop = asyncio.get_running_loop()
            self.cache[key] = loop.create_future()
            self.pending.append(key)
            if len(self.pending) == 1:
                loop.call_soon(self.dispatch)
        return self.cache[key]

    def dispatch(self) -> None:
        keys, self.pending = self.pending, []
        try:
            found = self.batch(keys)
        except Exception as exc:  # every waiting field gets the error
            for key in keys:
                self.cache[key].set_exception(exc)
            return
        for key in keys:
            self.cache[key].set_result(found[key])


def books_by_author(author_ids: list[int]) -> dict[int, list[Book]]:
    grouped: dict[int, list[Book]] = defaultdict(list)
    with SessionLocal() as session:
        statement = select(Book).where(Book.author_id.in_(author_ids)).order_by(Book.id)
        for book in session.scalars(statement):
            grouped[book.author_id].append(book)
    return {author_id: grouped[author_id] for author_id in author_ids}


def reviews_by_book(book_ids: list[int]) -> dict[int, list[Review]]:
    grouped: dict[int, list[Review]] = defaultdict(list)
    with SessionLocal() as session:
        statement = select(Review).where(Review.book_id.in_(book_ids)).order_by(Review.id)
        for review in session.scalars(statement):
            grouped[review.book_id].append(review)
    return {book_id: grouped[book_id] for book_id in book_ids}


def authors_by_id(author_ids: list[int]) -> dict[int, Author]:
    with SessionLocal() as session:
        authors = session.scalars(select(Author).where(Author.id.in_(author_ids)))
        return {author.id: author for author in authors}


def get_context(request: Any, _data: Any = None) -> dict:
    """A new context, with new loaders, for every request."""
    return {
        "request": request,
        "books": BatchLoader(books_by_author),
        "reviews": BatchLoader(reviews_by_book),
        "authors": BatchLoader(authors_by_id),
    }


query = QueryType()
author_type = ObjectType("Author")
book_type = ObjectType("Book")


@query.field("authors")
def resolve_authors(_obj, _info) -> list[Author]:
    with SessionLocal() as session:
        return list(session.scalars(select(Author).order_by(Author.id)))


@author_type.field("books")
def resolve_author_books(author: Author, info) -> asyncio.Future:
    return info.context["books"].load(author.id)


@book_type.field("author")
def resolve_book_author(book: Book, info) -> asyncio.Future:
    return info.context["authors"].load(book.author_id)


@book_type.field("reviews")
def resolve_book_reviews(book: Book, info) -> asyncio.Future:
    return info.context["reviews"].load(book.id)


def selection_depth(
    selection_set: SelectionSetNode, level: int, fragments: dict, seen: frozenset
) -> int:
    """The deepest level of a field in the selection set (a top-level field is level 0),
    through fragments; introspection fields are not counted."""
    deepest = level
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            if node.selection_set and not node.name.value.startswith("__"):
                deepest = max(
                    deepest, selection_depth(node.selection_set, level + 1, fragments, seen)
                )
        elif isinstance(node, InlineFragmentNode):
            deepest = max(deepest, selection_depth(node.selection_set, level, fragments, seen))
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name in fragments and name not in seen:
                deepest = max(
                    deepest,
                    selection_depth(fragments[name].selection_set, level, fragments, seen | {name}),
                )
    return deepest


class DepthLimit(ValidationRule):
    """Refuses an operation with a field deeper than MAX_DEPTH, before anything executes."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args) -> None:
        fragments = {
            f.name.value: f
            for f in self.context.document.definitions
            if f.kind == "fragment_definition"
        }
        depth = selection_depth(node.selection_set, 0, fragments, frozenset())
        if depth > MAX_DEPTH:
            self.report_error(
                GraphQLError(f"query depth {depth} exceeds the limit of {MAX_DEPTH}", node)
            )


schema = make_executable_schema(type_defs, query, author_type, book_type)

app.mount(
    "/graphql",
    GraphQL(schema, context_value=get_context, validation_rules=[DepthLimit]),
)
