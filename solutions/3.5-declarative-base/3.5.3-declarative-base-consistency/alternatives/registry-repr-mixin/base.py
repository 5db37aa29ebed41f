# ALTERNATIVE: convention and type map via registry(...), to_dict/__repr__ from a mixin
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, MetaData, Numeric, String
from sqlalchemy.orm import DeclarativeBase, registry


class ReprMixin:
    def to_dict(self):
        # The mapper's columns are keyed by attribute name (a Column's key is its own name).
        return {key: getattr(self, key) for key in self.__mapper__.columns.keys()}

    def __repr__(self):
        inner = ", ".join(
            f"{key}={getattr(self, key)!r}" for key in reversed(self.__mapper__.columns.keys())
        )
        return f"{self.__class__.__name__}({inner})"


class Base(ReprMixin, DeclarativeBase):
    registry = registry(
        metadata=MetaData(
            naming_convention={
                "ix": "ix_%(column_0_label)s",
                "uq": "uq_%(table_name)s_%(column_0_name)s",
                "ck": "ck_%(table_name)s_%(constraint_name)s",
                "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                "pk": "pk_%(table_name)s",
            }
        ),
        type_annotation_map={
            str: String(255),
            datetime: DateTime(timezone=True),
            Decimal: Numeric(12, 2),
        },
    )
