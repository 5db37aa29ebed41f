# ALTERNATIVE: shared BookBase, Annotated Year (Field + AfterValidator), explicit to_orm
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _not_future(y: int) -> int:
    if y > date.today().year:
        raise ValueError("future")
    return y


Year = Annotated[int, Field(ge=1450), AfterValidator(_not_future)]


class BookBase(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    author: Annotated[str, Field(min_length=1, max_length=100)]
    published_year: Year | None = None


class BookCreate(BookBase):
    model_config = ConfigDict(extra="forbid")


class BookRead(BookBase):
    model_config = ConfigDict(from_attributes=True)
    id: int
