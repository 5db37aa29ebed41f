# ALTERNATIVE: graphql-core SDL schema and a hand-written POST /graphql, asdict for REST
from collections import Counter
from dataclasses import asdict, dataclass

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from graphql import GraphQLError, build_schema, graphql_sync, parse, validate

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


@app.get("/authors/{author_id}")
def author(author_id: int):
    record = get_author(author_id)
    if record is None:
        raise HTTPException(404, {"code": "not_found"})
    return asdict(record) | {"links": {"books": f"/authors/{author_id}/books"}}


@app.get("/authors/{author_id}/books")
def books(author_id: int):
    if get_author(author_id) is None:
        raise HTTPException(404)
    return [asdict(b) for b in books_by_author(author_id)]


SDL = """
type Book { id: ID! title: String! year: Int! }
type Author { id: ID! name: String! bio: String! email: String! books: [Book!]! }
type Query { author(id: ID!): Author }
"""
schema = build_schema(SDL)


class AuthorNode:
    def __init__(self, record):
        self.record = record
        self.id, self.name, self.bio, self.email = record.id, record.name, record.bio, record.email

    def books(self, info):
        return [asdict(b) for b in books_by_author(self.record.id)]


class Root:
    def author(self, info, id):
        try:
            record = get_author(int(id))
        except ValueError:
            return None
        return AuthorNode(record) if record else None


@app.post("/graphql")
async def graphql_endpoint(request: Request):
    payload = await request.json()
    query = payload.get("query")
    if not isinstance(query, str):
        return JSONResponse({"errors": [{"message": "no query"}]}, status_code=400)
    try:
        document = parse(query)
    except GraphQLError as exc:
        return JSONResponse({"errors": [exc.formatted]}, status_code=400)
    errors = validate(schema, document)
    if errors:
        return JSONResponse({"errors": [e.formatted for e in errors]}, status_code=400)
    result = graphql_sync(
        schema, query, root_value=Root(), variable_values=payload.get("variables")
    )
    body = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    return body
