from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from fastapi import FastAPI
from pydantic_settings import BaseSettings
from sqlalchemy import Engine, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# How many times each dependency has run since the module loaded (or since CALLS.clear()).
CALLS: Counter[str] = Counter()


class Settings(BaseSettings):
    """Read from the environment: DATABASE_URL=sqlite:///./other.db fastapi dev main.py"""

    database_url: str = "sqlite:///./app.db"


@lru_cache
def get_settings() -> Settings:
    return Settings()


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    token: Mapped[str] = mapped_column(String(100), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)


@lru_cache
def engine_for(database_url: str) -> Engine:
    """One engine per database URL, created on first use and then reused."""
    engine = create_engine(database_url, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    return engine


# TODO: Task 1 - get the Settings from Depends(get_settings) and yield a new Session on
#       engine_for(settings.database_url), closed when the request is done
def get_db(settings: Settings) -> Iterator[Session]:
    CALLS["get_db"] += 1
    raise NotImplementedError


# TODO: Task 2 - the session from Depends(get_db), the token from the Authorization: Bearer
#       header; 401 without a token or for a token no user has, else that User
def get_current_user() -> User:
    CALLS["get_current_user"] += 1
    raise NotImplementedError


# TODO: Task 2 - the user from Depends(get_current_user); 403 when the user is not active
def get_active_user() -> User:
    CALLS["get_active_user"] += 1
    raise NotImplementedError


# TODO: Task 2 - the user from Depends(get_active_user); 403 when the user is not an admin
def get_admin_user() -> User:
    CALLS["get_admin_user"] += 1
    raise NotImplementedError


app = FastAPI()


# TODO: Task 2 - GET /me for any active user: {"username": ..., "is_admin": ...}


# TODO: Task 3 - GET /admin/report, depending on get_current_user AND get_admin_user:
#       {"requested_by": ..., "users": ..., "active_users": ...} counted in the database
