from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class BookBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str


class AuthorBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str


class AuthorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    books: list[BookBrief] = Field(default_factory=list)


class BookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    author: AuthorBrief


class BookCreate(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=200)]


class AuthorCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    books: list[BookCreate] = Field(default_factory=list)
