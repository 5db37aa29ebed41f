# ALTERNATIVE: convention and type map via registry(...), to_dict/__repr__ from a mixin
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, MetaData, Numeric, String
from sqlalchemy.orm import DeclarativeBase, registry


class ReprMixin:
    def to_dict(self):
        return {c.key: getattr(self, c.key) for c in self.__table__.columns}

    def __repr__(self):
        inner = ", ".join(
            f"{c.key}={getattr(self, c.key)!r}" for c in reversed(self.__table__.columns)
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
