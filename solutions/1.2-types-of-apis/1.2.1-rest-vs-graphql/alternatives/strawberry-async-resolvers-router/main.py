# ALTERNATIVE: strawberry async resolvers in a GraphQLRouter, REST on an APIRouter
from collections import Counter
from dataclasses import dataclass
from typing import Annotated

import strawberry
from fastapi import APIRouter, FastAPI, HTTPException, Path
from strawberry.fastapi import GraphQLRouter

# strawberry-graphql is installed (`import strawberry`, `from strawberry.fastapi import
# GraphQLRouter`); any other way of answering GraphQL over HTTP is fine too.

# --- the data layer (given): every call counts as one round trip to the database ---------------
# Keep these names and values: the tests read CALLS to see what each request costs.


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


router = APIRouter(prefix="/authors", tags=["authors"])


@router.get("/{author_id}")
async def author(author_id: Annotated[int, Path()]):
    record = get_author(author_id)
    if not record:
        raise HTTPException(status_code=404, detail="no such author")
    return {"id": record.id, "name": record.name, "bio": record.bio, "email": record.email}


@router.get("/{author_id}/books")
async def author_books(author_id: int):
    if not get_author(author_id):
        raise HTTPException(status_code=404)
    return [
        {"id": b.id, "title": b.title, "year": b.year, "author_id": b.author_id}
        for b in books_by_author(author_id)
    ]


app.include_router(router)


@strawberry.type(name="Book")
class BookType:
    id: strawberry.ID
    title: str
    year: int


@strawberry.type(name="Author")
class AuthorType:
    id: strawberry.ID
    name: str
    bio: str
    email: str

    @strawberry.field
    async def books(self) -> list[BookType]:
        return [
            BookType(id=b.id, title=b.title, year=b.year) for b in books_by_author(int(self.id))
        ]


@strawberry.type
class Query:
    @strawberry.field
    async def author(self, id: strawberry.ID) -> AuthorType | None:
        if not str(id).isdigit():
            return None
        r = get_author(int(id))
        return AuthorType(id=r.id, name=r.name, bio=r.bio, email=r.email) if r else None


app.include_router(GraphQLRouter(strawberry.Schema(Query), graphql_ide=None), prefix="/graphql")
