# WRONG: the upper bound is a year written into the code (2024), not the current year.
"""What the API accepts (BookCreate) and what it answers (BookRead)."""

from pydantic import BaseModel, ConfigDict, Field

EARLIEST_YEAR = 1450  # Gutenberg's press: no printed book is older


class BookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown key (even "id") is a 422

    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    published_year: int | None = Field(default=None, ge=EARLIEST_YEAR, le=2024)


class BookRead(BookCreate):
    model_config = ConfigDict(from_attributes=True)  # merged with the parent's extra="forbid"

    id: int
