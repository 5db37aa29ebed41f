# WRONG: __repr__ shows only the primary key: Customer(id=1).
"""The one declarative base every model shares: names, types and helpers live here once."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, MetaData, Numeric, String, inspect
from sqlalchemy.orm import DeclarativeBase

# The conventions from the SQLAlchemy documentation: every constraint and index gets a
# predictable name, which migrations (Alembic) need to alter or drop it later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    # What a bare annotation becomes: Mapped[str] is VARCHAR(255) everywhere, and so on.
    type_annotation_map = {
        str: String(255),
        datetime: DateTime(timezone=True),
        Decimal: Numeric(12, 2),
    }

    def to_dict(self) -> dict[str, Any]:
        """The mapped column attributes and their values; relationships are left out."""
        return {attr.key: getattr(self, attr.key) for attr in inspect(self).mapper.column_attrs}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"
