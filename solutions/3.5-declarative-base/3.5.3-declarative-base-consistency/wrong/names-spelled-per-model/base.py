# WRONG: no naming convention on Base; each model spells out its constraint names (models.py).
"""The one declarative base every model shares: names, types and helpers live here once."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, String, inspect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
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
        fields = ", ".join(f"{key}={value!r}" for key, value in self.to_dict().items())
        return f"{type(self).__name__}({fields})"
