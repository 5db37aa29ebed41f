"""The read schemas nest a brief view of the other side; the create schemas nest the books."""

from pydantic import BaseModel, ConfigDict, Field  # noqa: F401


# TODO: Task 2 - the read schemas, all readable from ORM objects (from_attributes=True):
#       BookBrief {id, title}, AuthorBrief {id, name},
#       AuthorRead {id, name, books: list[BookBrief]}, BookRead {id, title, author: AuthorBrief}
class BookBrief(BaseModel):
    pass


class AuthorBrief(BaseModel):
    pass


class AuthorRead(BaseModel):
    pass


class BookRead(BaseModel):
    pass


# TODO: Task 4 - the body of POST /authors:
#       BookCreate {title: 1-200 characters}, AuthorCreate {name: 1-100 characters,
#       books: list[BookCreate], empty when left out}
class BookCreate(BaseModel):
    pass


class AuthorCreate(BaseModel):
    pass
