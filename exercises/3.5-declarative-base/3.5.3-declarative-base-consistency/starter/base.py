"""The one declarative base every model shares: names, types and helpers live here once."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, MetaData, Numeric, String, inspect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # TODO: Task 1 - metadata = MetaData(naming_convention={...}) with the ix, uq, ck, fk and
    #   pk conventions of the README.

    # TODO: Task 2 - type_annotation_map: str -> String(255), datetime -> DateTime(timezone=True),
    #   Decimal -> Numeric(12, 2).

    # TODO: Task 3 - to_dict() (column attributes only) and __repr__, shared by every model.
    pass
