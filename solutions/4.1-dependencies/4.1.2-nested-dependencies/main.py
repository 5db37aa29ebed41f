from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic_settings import BaseSettings
from sqlalchemy import Engine, String, create_engine, func, select
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


def get_db(settings: Annotated[Settings, Depends(get_settings)]) -> Iterator[Session]:
    CALLS["get_db"] += 1
    with Session(engine_for(settings.database_url)) as session:
        yield session


bearer = HTTPBearer(auto_error=False)


def get_current_user(
    db: Annotated[Session, Depends(get_db)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    CALLS["get_current_user"] += 1
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = db.scalar(select(User).where(User.token == credentials.credentials))
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def get_active_user(user: Annotated[User, Depends(get_current_user)]) -> User:
    CALLS["get_active_user"] += 1
    if not user.is_active:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "inactive user")
    return user


def get_admin_user(user: Annotated[User, Depends(get_active_user)]) -> User:
    CALLS["get_admin_user"] += 1
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return user


app = FastAPI()


@app.get("/me")
def read_me(user: Annotated[User, Depends(get_active_user)]) -> dict:
    return {"username": user.username, "is_admin": user.is_admin}


@app.get("/admin/report")
def admin_report(
    current: Annotated[User, Depends(get_current_user)],
    admin: Annotated[User, Depends(get_admin_user)],
    db: Annotated[Session, Depends(get_db)],
) -> dict:
    # current and admin are the same object: FastAPI ran get_current_user once for this request
    # and handed its result to both; db is the session get_current_user used.
    users = db.scalar(select(func.count()).select_from(User))
    active = db.scalar(select(func.count()).select_from(User).where(User.is_active))
    return {"requested_by": current.username, "users": users, "active_users": active}
