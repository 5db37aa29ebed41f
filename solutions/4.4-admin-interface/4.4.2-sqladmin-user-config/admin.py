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
    name = "Account"
    name_plural = "Accounts"
    icon = "fa-solid fa-user"
    page_size = 25

    column_list = [User.id, User.email, User.is_active, User.created_at]
    column_details_exclude_list = [User.hashed_password]
    column_searchable_list = [User.email]
    column_sortable_list = [User.email, User.created_at]

    form_excluded_columns = [User.hashed_password, User.created_at]
    can_delete = False
