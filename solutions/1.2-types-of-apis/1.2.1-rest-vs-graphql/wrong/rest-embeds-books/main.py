# WRONG: GET /authors/{id} embeds the books, which hides the REST vs GraphQL difference.
from collections import Counter
from dataclasses import dataclass

import strawberry
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from strawberry.fastapi import GraphQLRouter

# --- the data layer (given): every call counts as one round trip to the database ---------------


@dataclass(frozen=True)
class AuthorRecord:
    id: int
    name: str
    bio: str
    email: str


@dataclass(frozen=True)
class BookRecord:
    id: int
    author_id: int
    title: str
    year: int


AUTHORS: dict[int, AuthorRecord] = {
    1: AuthorRecord(
        1, "Ursula K. Le Guin", "Wrote Earthsea and the Hainish Cycle.", "ursula@example.com"
    ),
    2: AuthorRecord(
        2, "Octavia E. Butler", "Wrote Kindred and the Parable novels.", "octavia@example.com"
    ),
    3: AuthorRecord(3, "Ada Newcomer", "Working on a first novel.", "ada@example.com"),
}

BOOKS: list[BookRecord] = [
    BookRecord(10, 1, "A Wizard of Earthsea", 1968),
    BookRecord(11, 1, "The Left Hand of Darkness", 1969),
    BookRecord(12, 1, "The Dispossessed", 1974),
    BookRecord(20, 2, "Kindred", 1979),
    BookRecord(21, 2, "Parable of the Sower", 1993),
]

CALLS: Counter[str] = Counter()


def get_author(author_id: int) -> AuthorRecord | None:
    CALLS["get_author"] += 1
    return AUTHORS.get(author_id)


def books_by_author(author_id: int) -> list[BookRecord]:
    CALLS["books_by_author"] += 1
    return [book for book in BOOKS if book.author_id == author_id]


app = FastAPI()


# --- Task 1: REST, one resource per URL -------------------------------------------------------


class BookOut(BaseModel):
    id: int
    title: str
    year: int


class AuthorOut(BaseModel):
    id: int
    name: str
    bio: str
    email: str
    books: list[BookOut]


def existing_author(author_id: int) -> AuthorRecord:
    author = get_author(author_id)
    if author is None:
        raise HTTPException(status_code=404, detail=f"author {author_id} not found")
    return author


@app.get("/authors/{author_id}", response_model=AuthorOut)
def read_author(author_id: int) -> dict:
    author = existing_author(author_id)
    return {**author.__dict__, "books": books_by_author(author_id)}


@app.get("/authors/{author_id}/books", response_model=list[BookOut])
def read_author_books(author_id: int) -> list[BookRecord]:
    existing_author(author_id)
    return books_by_author(author_id)


# --- Task 2 and 3: GraphQL, one endpoint, the client picks the fields ---------------------------


@strawberry.type
class Book:
    id: strawberry.ID
    title: str
    year: int


@strawberry.type
class Author:
    id: strawberry.ID
    name: str
    bio: str
    email: str

    @strawberry.field
    def books(self) -> list[Book]:
        # A resolver runs only when the query selects its field: no books asked, no books fetched.
        return [
            Book(id=strawberry.ID(str(b.id)), title=b.title, year=b.year)
            for b in books_by_author(int(self.id))
        ]


@strawberry.type
class Query:
    @strawberry.field
    def author(self, id: strawberry.ID) -> Author | None:
        try:
            author_id = int(id)
        except ValueError:
            return None
        record = get_author(author_id)
        if record is None:
            return None
        return Author(
            id=strawberry.ID(str(record.id)), name=record.name, bio=record.bio, email=record.email
        )


schema = strawberry.Schema(query=Query)
app.include_router(GraphQLRouter(schema), prefix="/graphql")
