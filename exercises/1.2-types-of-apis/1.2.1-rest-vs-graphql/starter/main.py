from collections import Counter
from dataclasses import dataclass

from fastapi import FastAPI

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


# TODO: Task 1 - REST: GET /authors/{author_id} answers {"id", "name", "bio", "email"} (no books)
#       and GET /authors/{author_id}/books answers [{"id", "title", "year"}, ...];
#       both answer 404 for an unknown author.


# TODO: Task 2 - GraphQL at POST /graphql with the schema of the README:
#       type Query { author(id: ID!): Author }, where Author has id, name, bio, email and
#       books: [Book!]!, and Book has id, title, year. An unknown id answers author: null.


# TODO: Task 3 - fetch an author's books only when the query selects `books`
#       (one books_by_author call per author, none when books is not asked for).
