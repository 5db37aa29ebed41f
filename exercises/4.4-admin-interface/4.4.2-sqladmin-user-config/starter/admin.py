from datetime import UTC, datetime

from sqladmin import ModelView
from sqlalchemy import DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    # None until the user sets a password through the app (users created in the admin have none)
    hashed_password: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserAdmin(ModelView, model=User):
    # TODO: Task 1 - name, name_plural, icon, page_size and column_list
    # TODO: Task 2 - keep hashed_password off the details page
    # TODO: Task 3 - column_searchable_list and column_sortable_list
    # TODO: Task 4 - form_excluded_columns and can_delete
    pass
