from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer
from pydantic_settings import BaseSettings
from sqlalchemy import Engine, String, create_engine, select
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
    session = Session(engine_for(settings.database_url))
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db)]
# auto_error: FastAPI itself answers 401 (with WWW-Authenticate: Bearer) without a bearer token
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def get_current_user(db: DbSession, token: Annotated[str, Depends(oauth2_scheme)]) -> User:
    CALLS["get_current_user"] += 1
    user = db.scalars(select(User).filter_by(token=token)).first()
    if not user:
        raise HTTPException(401, "Invalid token", headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_active_user(user: CurrentUser) -> User:
    CALLS["get_active_user"] += 1
    if user.is_active:
        return user
    raise HTTPException(403, "Inactive user")


ActiveUser = Annotated[User, Depends(get_active_user)]


def get_admin_user(user: ActiveUser) -> User:
    CALLS["get_admin_user"] += 1
    if user.is_admin:
        return user
    raise HTTPException(403, "Admin only")


AdminUser = Annotated[User, Depends(get_admin_user)]

app = FastAPI()


@app.get("/me")
def me(user: ActiveUser):
    return {"username": user.username, "is_admin": user.is_admin}


@app.get("/admin/report")
def report(admin: AdminUser, db: DbSession, user: CurrentUser):
    rows = db.execute(select(User.is_active)).scalars().all()
    return {"requested_by": user.username, "users": len(rows), "active_users": sum(rows)}
