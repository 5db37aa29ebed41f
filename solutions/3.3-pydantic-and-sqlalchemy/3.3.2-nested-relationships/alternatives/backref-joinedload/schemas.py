"""Each side of the relationship nests a *brief* view of the other, so no schema refers back
to itself: AuthorRead -> BookBrief, BookRead -> AuthorBrief."""

from pydantic import BaseModel, ConfigDict, Field


class ORMSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # every read schema, nested ones included


class BookBrief(ORMSchema):
    id: int
    title: str


class AuthorBrief(ORMSchema):
    id: int
    name: str


class AuthorRead(AuthorBrief):
    books: list[BookBrief]


class BookRead(BookBrief):
    author: AuthorBrief


class BookCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class AuthorCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    books: list[BookCreate] = []  # Pydantic copies defaults: a shared [] is safe here
