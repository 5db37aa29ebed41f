# WRONG: the GraphQL endpoint answers every field whatever the query selects.
import re
from collections import Counter
from dataclasses import dataclass

from fastapi import Body, FastAPI, HTTPException
from pydantic import BaseModel

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


class AuthorOut(BaseModel):
    id: int
    name: str
    bio: str
    email: str


class BookOut(BaseModel):
    id: int
    title: str
    year: int


def existing_author(author_id: int) -> AuthorRecord:
    author = get_author(author_id)
    if author is None:
        raise HTTPException(status_code=404, detail=f"author {author_id} not found")
    return author


@app.get("/authors/{author_id}", response_model=AuthorOut)
def read_author(author_id: int) -> AuthorRecord:
    return existing_author(author_id)


@app.get("/authors/{author_id}/books", response_model=list[BookOut])
def read_author_books(author_id: int) -> list[BookRecord]:
    existing_author(author_id)
    return books_by_author(author_id)


# --- Task 2 and 3: a hand-made "GraphQL" endpoint ------------------------------------------------


@app.post("/graphql")
def graphql(payload: dict = Body()) -> dict:
    query = payload.get("query", "")
    match = re.search(r'author\(id:\s*"?(\w+)"?\)', query)
    if match is None:
        return {"data": None, "errors": [{"message": "cannot parse the query"}]}
    record = get_author(int(match.group(1)))
    if record is None:
        return {"data": {"author": None}}
    books = [
        {"id": str(b.id), "title": b.title, "year": b.year} for b in books_by_author(record.id)
    ]
    author = {**record.__dict__, "id": str(record.id), "books": books}
    return {"data": {"author": author}}
