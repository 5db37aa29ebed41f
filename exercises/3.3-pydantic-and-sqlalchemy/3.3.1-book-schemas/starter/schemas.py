"""What the API accepts (BookCreate) and what it answers (BookRead)."""

from datetime import date  # noqa: F401  (date.today().year is the current year)

from pydantic import BaseModel, ConfigDict, Field, field_validator  # noqa: F401


# TODO: Task 1 - the request body:
#       title 1-200 characters, author 1-100 characters (both required),
#       published_year: an int from 1450 to the current year, or None (the default);
#       any other key, "id" included, is refused: model_config = ConfigDict(extra="forbid")
class BookCreate(BaseModel):
    pass


# TODO: Task 2 - the answer: the same fields plus id: int, readable from a Book object
#       (model_config = ConfigDict(from_attributes=True))
class BookRead(BaseModel):
    pass
