# ALTERNATIVE: to_dict from mapper.iterate_properties, key-sorted __repr__
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, MetaData, Numeric, String, inspect
from sqlalchemy.orm import ColumnProperty, DeclarativeBase

convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=convention)
    type_annotation_map = {
        str: String(length=255),
        datetime: DateTime(True),
        Decimal: Numeric(precision=12, scale=2, asdecimal=True),
    }

    def to_dict(self):
        state = inspect(self)
        return {
            p.key: getattr(self, p.key)
            for p in state.mapper.iterate_properties
            if isinstance(p, ColumnProperty)
        }

    def __repr__(self):
        return "%s(%s)" % (
            type(self).__name__,
            ", ".join("%s=%r" % kv for kv in sorted(self.to_dict().items())),
        )
