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
    column_list = ["id", "email", "is_active", "created_at"]
    column_labels = {"is_active": "Active", "created_at": "Joined"}
    column_default_sort = ("created_at", True)
    column_details_exclude_list = ["hashed_password"]
    column_searchable_list = ("email",)
    column_sortable_list = ("created_at", "email")
    form_excluded_columns = ("created_at", "hashed_password")

    can_create = True
    can_edit = True
    can_delete = False

    name = "Account"
    name_plural = "Accounts"
    icon = "fa-solid fa-user"
    page_size = 25
    page_size_options = [25, 50, 100]
