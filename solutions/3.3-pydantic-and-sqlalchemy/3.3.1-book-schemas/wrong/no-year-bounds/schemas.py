# WRONG: published_year has no range: 1400 and years in the future are accepted.
"""What the API accepts (BookCreate) and what it answers (BookRead)."""

from pydantic import BaseModel, ConfigDict, Field


class BookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown key (even "id") is a 422

    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    published_year: int | None = None


class BookRead(BookCreate):
    model_config = ConfigDict(from_attributes=True)  # merged with the parent's extra="forbid"

    id: int
