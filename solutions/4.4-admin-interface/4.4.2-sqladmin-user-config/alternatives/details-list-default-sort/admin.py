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
    # identity in the menu
    name = "Account"
    name_plural = "Accounts"
    icon = "fa-solid fa-user"

    # list page
    page_size = 25
    column_list = ("id", "email", "is_active", "created_at")
    column_searchable_list = ("email",)
    column_sortable_list = ("email", "created_at")
    column_default_sort = [("created_at", True)]

    # details and export: everything but the hash
    column_details_list = ["id", "email", "is_active", "created_at"]
    column_export_exclude_list = ["hashed_password"]

    # forms
    form_excluded_columns = ("hashed_password", "created_at")
    can_delete = False
