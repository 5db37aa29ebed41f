from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from fastapi import Depends, FastAPI, Header, HTTPException
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


def get_db(settings: Settings = Depends(get_settings)) -> Iterator[Session]:
    CALLS["get_db"] += 1
    db = Session(bind=engine_for(settings.database_url))
    try:
        yield db
    finally:
        db.close()


def get_token(authorization: str | None = Header(default=None)) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    return authorization[len("Bearer ") :]


def get_current_user(db: Session = Depends(get_db), token: str = Depends(get_token)) -> User:
    CALLS["get_current_user"] += 1
    user = db.query(User).filter(User.token == token).first()
    if user is None:
        raise HTTPException(401, "Invalid token", headers={"WWW-Authenticate": "Bearer"})
    return user


def get_active_user(current_user: User = Depends(get_current_user)) -> User:
    CALLS["get_active_user"] += 1
    if not current_user.is_active:
        raise HTTPException(403, "Inactive user")
    return current_user


def get_admin_user(active_user: User = Depends(get_active_user)) -> User:
    CALLS["get_admin_user"] += 1
    if not active_user.is_admin:
        raise HTTPException(403, "Not an admin")
    return active_user


app = FastAPI()


@app.get("/me")
def me(user: User = Depends(get_active_user)):
    return {"username": user.username, "is_admin": user.is_admin}


@app.get("/admin/report")
def report(
    db: Session = Depends(get_db),
    current_user: User = Depends(get_current_user),
    admin_user: User = Depends(get_admin_user),
):
    return {
        "requested_by": current_user.username,
        "users": db.query(User).count(),
        "active_users": db.query(User).filter(User.is_active == True).count(),  # noqa: E712
    }
