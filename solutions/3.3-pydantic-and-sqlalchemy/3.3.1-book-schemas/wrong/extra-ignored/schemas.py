# WRONG: no extra="forbid": an "id" or any unknown key in the body is silently dropped.
"""What the API accepts (BookCreate) and what it answers (BookRead)."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

EARLIEST_YEAR = 1450  # Gutenberg's press: no printed book is older


class BookCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    published_year: int | None = Field(default=None, ge=EARLIEST_YEAR)

    @field_validator("published_year")
    @classmethod
    def not_in_the_future(cls, year: int | None) -> int | None:
        # Checked on every validation, so the bound moves on with the calendar.
        this_year = date.today().year
        if year is not None and year > this_year:
            raise ValueError(f"must not be later than {this_year}")
        return year


class BookRead(BookCreate):
    model_config = ConfigDict(from_attributes=True)  # merged with the parent's extra="forbid"

    id: int
